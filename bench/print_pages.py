"""How many A4 pages each procedure prints on: the distribution over a built site.

    .venv/bin/python bench/print_pages.py [site-dir]   (default: site/, from `make site`)

Serves the built site on localhost, prints every thu-tuc/<code>/ page with
headless Chromium's page.pdf (A4, the print stylesheet) and counts the PDF's
/Type /Page objects. Prints the distribution and the longest pages.
"""

from __future__ import annotations

import functools
import http.server
import re
import sys
import threading
from collections import Counter
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF Chromium wrote: one /Type /Page object each (/Pages is the tree)."""
    return len(_PAGE.findall(pdf))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *_args: object) -> None:  # one line per request would drown the figures
        pass


def serve(site: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def count_all(site: Path, codes: list[str]) -> dict[str, int]:
    server = serve(site)
    port = server.server_address[1]
    counts: dict[str, int] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        for code in codes:
            page.goto(f"http://127.0.0.1:{port}/thu-tuc/{code}/", wait_until="load")
            counts[code] = pdf_pages(page.pdf(format="A4"))
        browser.close()
    server.shutdown()
    return counts


def main() -> None:
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "site")
    codes = sorted(p.name for p in (site / "thu-tuc").iterdir() if p.is_dir())
    counts = count_all(site, codes)
    spread = Counter(min(n, 3) for n in counts.values())
    print(f"{len(counts)} thủ tục in trên A4:")
    for n, label in ((1, "1 trang"), (2, "2 trang"), (3, "3+ trang")):
        print(f"  {label:9} {spread.get(n, 0):4}")
    print("Dài nhất:")
    for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:8]:
        print(f"  {code}  {n} trang")


if __name__ == "__main__":
    main()
