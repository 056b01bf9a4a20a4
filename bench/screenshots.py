"""Screenshots of a built site, for a note: what people see at phone and desktop width, and on paper.

    .venv/bin/python bench/screenshots.py [site-dir] [out-dir]   (defaults: site/, bench/out/shots/)

Serves the built site on localhost and, with headless Chromium (Playwright),
saves full-page PNGs of the procedure pages named in PROCEDURES at 390 × 844
and 1280 × 800, each one printed (page.pdf, A4) with its pages as PNG
(pdftoppm; the PDF itself when pdftoppm is not installed), the home page
and the largest agency and level lists at 390, and the statistics page at
1280. Prints every page's height in CSS pixels (the figure to compare) and
writes them, with the printed page counts, to heights.json.

A PNG larger than MAX_BYTES is scaled down in the same browser (an <img> at
a smaller width, shot again) as far as MIN_SCALE, then cut into parts
(name-1.png, name-2.png…, top to bottom); a page taller than MAX_HEIGHT is
clipped to it: the note needs the look, not every pixel.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

# bench/ is on sys.path when the script runs: one server and one PDF page count for both benches.
from print_pages import CHROMIUM_ARGS, pdf_pages, serve

# The two long procedures and two short ones that print on one A4 page.
PROCEDURES = ("1.000894", "1.003358", "3.000355", "3.000357")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
MAX_BYTES = 400_000
MIN_SCALE = 0.7  # smaller, and a phone's 16 px text is no longer legible in the picture
MAX_HEIGHT = 12_000
_COUNT = re.compile(r'id="thu-tuc"[^>]*>.*?class="dm-count">([\d.]+)<')


def largest(site: Path, kind: str) -> str:
    """URL path of the list page of `kind` (co-quan, muc-do) with the most procedures."""
    counts = {}
    for html in (site / kind).glob("*/index.html"):
        found = _COUNT.search(html.read_text(encoding="utf-8"))
        if found:
            counts[html.parent.name] = int(found.group(1).replace(".", ""))
    name = max(sorted(counts), key=counts.__getitem__)
    return f"{kind}/{name}/"


def shrink(browser: Any, png: bytes, width: int) -> list[bytes]:
    """The PNG in pictures of at most MAX_BYTES: scaled down to MIN_SCALE at most (text stays
    legible), then, if still too large, cut into parts from top to bottom."""
    tab = browser.new_page(viewport={"width": width, "height": 800})
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    tab.set_content(f'<body style="margin:0"><img id="i" style="display:block;width:100%" src="{src}">')
    scale, parts = 1.0, [png]
    while scale > MIN_SCALE and len(parts[0]) > MAX_BYTES:
        scale = max(MIN_SCALE, scale * max(0.7, (MAX_BYTES / len(parts[0])) ** 0.5))
        tab.set_viewport_size({"width": round(width * scale), "height": 800})
        parts = [tab.locator("#i").screenshot()]
    count = 1
    while max(len(part) for part in parts) > MAX_BYTES:
        count += 1
        box = tab.locator("#i").bounding_box()
        step = box["height"] / count
        parts = [tab.screenshot(full_page=True, clip={"x": 0, "y": n * step, "width": box["width"], "height": step})
                 for n in range(count)]
    tab.close()
    return parts


def shoot(browser: Any, url: str, viewport: dict[str, int], path: Path) -> int:
    """A full-page PNG of `url` at `path` (clipped at MAX_HEIGHT), in parts path-1.png, path-2.png…
    when it is more than MAX_BYTES; the page's height."""
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    tab = context.new_page()
    tab.goto(url, wait_until="load")
    height = int(tab.evaluate("document.documentElement.scrollHeight"))
    clip = {"x": 0, "y": 0, "width": viewport["width"], "height": min(height, MAX_HEIGHT)}
    png = tab.screenshot(full_page=True, clip=clip)
    context.close()
    parts = shrink(browser, png, viewport["width"])
    for n, part in enumerate(parts, start=1):
        (path.with_stem(f"{path.stem}-{n}") if len(parts) > 1 else path).write_bytes(part)
    return height


def printed(browser: Any, url: str, path: Path) -> int:
    """The page printed to A4: each page as PNG beside `path` (pdftoppm), else the PDF at `path`; the page count."""
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    tab = context.new_page()
    tab.goto(url, wait_until="load")
    pdf = tab.pdf(path=str(path), format="A4")
    context.close()
    if shutil.which("pdftoppm"):  # the pictures say it all; the PDF (with its creation date) goes
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(path.with_suffix(""))], check=True)
        path.unlink()
    return pdf_pages(pdf)


def capture(site: Path, out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    server = serve(site)
    root = f"http://127.0.0.1:{server.server_address[1]}/"
    agency, level = largest(site, "co-quan"), largest(site, "muc-do")
    heights: dict[str, Any] = {"agency": agency, "level": level}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for code in PROCEDURES:
            url = f"{root}thu-tuc/{code}/"
            heights[f"{code}-390"] = shoot(browser, url, PHONE, out / f"{code}-390.png")
            heights[f"{code}-1280"] = shoot(browser, url, DESKTOP, out / f"{code}-1280.png")
            heights[f"{code}-print-pages"] = printed(browser, url, out / f"{code}-print.pdf")
        heights["home-390"] = shoot(browser, root, PHONE, out / "home-390.png")
        heights["agency-390"] = shoot(browser, root + agency, PHONE, out / "agency-390.png")
        heights["level-390"] = shoot(browser, root + level, PHONE, out / "level-390.png")
        heights["stats-1280"] = shoot(browser, root + "thong-ke/", DESKTOP, out / "stats-1280.png")
        browser.close()
    server.shutdown()
    (out / "heights.json").write_text(json.dumps(heights, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return heights


def main() -> None:
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "site")
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "bench/out/shots")
    for name, value in capture(site, out).items():
        print(f"  {name:24} {value}")
    print(f"Ảnh và PDF trong {out}/")


if __name__ == "__main__":
    main()
