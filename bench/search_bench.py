"""Size and speed of the finder (/tra-cuu/) at 1,000 to 100,000 procedures (issues 5 and 17).

Usage: .venv/bin/python bench/search_bench.py [COUNT ...] [--runs N]

For each count: synthesise a catalogue in memory from the embedded one (as
bench/synth.py does on disk: new codes, names varied per round with a
province and a number), build the search files with
generator.search_index, write them with the finder page (a bare HTML shell
around finder_html(): Material's own CSS and JS are a fixed cost left out),
serve them gzipped on 127.0.0.1 and open /tra-cuu/?q=dang+ky+ket+hon in headless
Chromium, each run in a fresh context (cold cache). Prints medians of:

- first load: every response received before the first result is drawn,
  gzipped (level 6, as a web server would) — total and bytes per procedure;
- requests: how many responses that was;
- the detail pieces (search/d/), gzipped, which load after the first result;
- asked ms: when the finder asked for search/meta.json (from navigation start);
  fetch ms: from asking to its last byte (local server, gzip);
- parse ms: from meta.json's last byte to the finder being ready;
- index ready and first result, in ms from navigation start (the page's
  own performance marks), and first result after DOMContentLoaded;
- a typed query after load, until its results are drawn (fetching the pieces it needs), in ms;
- the floor: the same page shell fetching the same search files the finder
  fetched before its first result, in the same two rounds (meta.json and the
  words' pieces, then the summary rows), reading each as JSON and nothing
  else: what any finder built on these files would wait for in this browser;
  and the finder's first result over that floor, per run;
- the blank page: the same shell whose one inline script marks at once, no
  fetch: what this browser takes, throttled, before any script of a new
  page can act;
- the Python build time of the search files.

Targets: at 10,000 (issue 5) first load ≤ 300 B gzipped per procedure, first
result ≤ 300 ms after load; at 100,000 (issue 17) the first result within 300 ms
on a phone (here: the page's CPU throttled 4×, --throttle).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator import search_index as si  # noqa: E402
from generator.catalogue import Catalogue, Located  # noqa: E402
from generator.validate import validate  # noqa: E402

QUERY = "dang+ky+ket+hon"
PROVINCES = ["Hà Nội", "Huế", "Đà Nẵng", "Cần Thơ", "Hải Phòng", "Lào Cai", "Gia Lai", "Cà Mau", "An Giang"]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
WATCH_SAYS = "dm-finder: detail ready"
WATCH = """new MutationObserver((_, watch) => {
  const root = document.getElementById('dm-finder');
  if (root && root.hasAttribute('data-detail-ready')) { watch.disconnect(); console.log('SAYS'); }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-detail-ready']});""".replace("SAYS", WATCH_SAYS)
SHELL = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Tra cứu</title></head>
<body><article class="md-typeset">
{body}
</article></body></html>
"""


FLOOR = """<div id="dm-finder"></div>
<script>
// Fetch the files the query string names, in its two rounds, and read each as JSON; nothing else.
(function () {
  var params = new URLSearchParams(location.search), root = document.getElementById("dm-finder");
  function round(name) {
    return Promise.all((params.get(name) || "").split(",").filter(Boolean).map(function (path) {
      return fetch("../" + path).then(function (r) { return r.ok ? r.json() : null; });  // the finder asks for a missing piece too
    }));
  }
  round("1").then(function () { return round("2"); }).then(function () {
    performance.mark("floor-done");
    root.setAttribute("data-detail-ready", "");
  });
})();
</script>"""


BLANK = """<div id="dm-finder"></div>
<script>
performance.mark("floor-done");  // the first moment a script of this page runs
document.getElementById("dm-finder").setAttribute("data-detail-ready", "");
</script>"""


def write_site(catalogue: Catalogue, out: Path) -> float:
    """The finder page, its assets and search files under `out`; returns the build seconds."""
    start = time.perf_counter()
    files = si.search_files(catalogue)
    seconds = time.perf_counter() - start
    files |= si.search_asset_files()
    files["tra-cuu/index.html"] = SHELL.format(body=si.finder_html(catalogue, "../")).encode("utf-8")
    files["floor/index.html"] = SHELL.format(body=FLOOR).encode("utf-8")
    files["blank/index.html"] = SHELL.format(body=BLANK).encode("utf-8")
    for path, data in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(data)
    return seconds


class _Gzipping(SimpleHTTPRequestHandler):
    """Serves every file gzipped (level 6), as static hosts do for HTML, CSS, JS and JSON."""

    cache: ClassVar[dict[Path, bytes]] = {}

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path not in self.cache or "gzip" not in self.headers.get("Accept-Encoding", ""):
            super().do_GET()
            return
        body = self.cache[path]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # The run's browser context may close while a lazy piece is still on its way.
        with contextlib.suppress(BrokenPipeError):
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    _Gzipping.cache = {path: gzip.compress(path.read_bytes(), 6, mtime=0) for path in folder.rglob("*") if path.is_file()}
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Gzipping, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def cold_page(browser: Any, base: str, path: str, throttle: float) -> tuple[Any, Any]:
    """(context, page) of `path` opened in a fresh context, once it says its search is done.

    `throttle` slows the page's CPU (Chrome DevTools' Emulation.setCPUThrottlingRate) as a phone proxy.
    """
    context = browser.new_context()
    page = context.new_page()
    if throttle > 1:
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    # Waited for by a console message, not wait_for_selector: Playwright's selector engine is a large
    # script compiled in the page on first use, ~35 ms of the throttled page's CPU right after `load`,
    # in the middle of what is measured; a phone runs no such script.
    page.add_init_script(WATCH)
    with page.expect_console_message(lambda message: message.text == WATCH_SAYS, timeout=120_000):
        page.goto(f"{base}{path}", wait_until="commit")
    return context, page


def floor_ms(browser: Any, base: str, before: list[str], throttle: float) -> float:
    """When the floor page has read the search files the finder fetched before its first result."""
    files = [path for path in (urlsplit(url).path.lstrip("/") for url in before) if path.startswith(si.SEARCH_DIR)]
    rows = f"/{si.ROWS_DIR}/"
    rounds = {"1": ",".join(f for f in files if rows not in f), "2": ",".join(f for f in files if rows in f)}
    return marked_ms(browser, base, "floor/?" + urlencode(rounds), throttle)


def marked_ms(browser: Any, base: str, path: str, throttle: float) -> float:
    """When the floor or blank page `path`, opened cold, marked itself done (ms from navigation start)."""
    context, page = cold_page(browser, base, path, throttle)
    done = page.evaluate("performance.getEntriesByName('floor-done')[0].startTime")
    context.close()
    return float(done)


def one_run(browser: Any, base: str, site: Path, throttle: float) -> dict[str, float]:
    """Open the finder cold with a query; sizes of what arrived before the first result, and times."""
    context, page = cold_page(browser, base, f"tra-cuu/?q={QUERY}", throttle)
    marks = page.evaluate("""() => {
        const m = n => performance.getEntriesByName(n)[0].startTime;
        const nav = performance.getEntriesByType('navigation')[0];
        const loads = performance.getEntriesByType('resource').map(e => [e.name, e.responseEnd]);
        const index = performance.getEntriesByType('resource').find(e => e.name.endsWith('search/meta.json'));
        return {ready: m('finder-ready'), parsed: m('finder-parsed'), first: m('finder-first-result'), dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
                fetched: index.responseEnd, fetch: index.responseEnd - index.startTime, requested: index.startTime,
                loads: [[location.href, nav.responseEnd], ...loads]};
    }""")
    # Until the results are drawn (data-searches moves), the pieces the new words need fetched included.
    typed = page.evaluate("""() => new Promise(resolve => {
        const root = document.getElementById('dm-finder'), before = root.dataset.searches;
        const input = document.getElementById('dm-finder-q'), form = input.form;
        new MutationObserver((_, watch) => {
            if (root.dataset.searches !== before) { watch.disconnect(); resolve(performance.now() - t0); }
        }).observe(root, {attributes: true});
        input.value = 'cap ho chieu pho thong';
        const t0 = performance.now();
        form.requestSubmit();
    })""")
    context.close()
    before = [url for url, end in marks["loads"] if end <= marks["first"]]
    floor = floor_ms(browser, base, before, throttle)
    blank = marked_ms(browser, base, "blank/", throttle)
    first = sum(served_size(site, url) for url in before)
    detail = sum(served_size(site, url) for url, _ in marks["loads"] if f"/{si.SEARCH_DIR}{si.DETAIL_DIR}/" in url)
    return {"first_bytes": first, "first_requests": len(before), "detail_bytes": detail, "load_ms": marks["ready"] - marks["fetched"],
            "fetch_ms": marks["fetch"], "requested_ms": marks["requested"],
            "ready_ms": marks["ready"], "first_ms": marks["first"], "after_load_ms": marks["first"] - marks["load"],
            "typed_ms": typed, "floor_ms": floor, "over_floor_ms": marks["first"] - floor, "blank_ms": blank}


def served_size(site: Path, url: str) -> int:
    """Gzipped size of the file a local URL names (a folder URL serves its index.html)."""
    path = urlsplit(url).path.lstrip("/")
    file = site / path / "index.html" if path.endswith("/") or not path else site / path
    return gzipped(file.read_bytes()) if file.is_file() else 0  # e.g. the browser's own /favicon.ico


def synthesise(real: Catalogue, count: int) -> Catalogue:
    """`count` procedures cycling through the real ones: new codes, names varied after the first round."""
    out = Catalogue(root=real.root, agencies=real.agencies, fields=real.fields, life_events=real.life_events)
    models = list(real.each())  # the catalogue holds summaries; the copies need whole models
    for i in range(count):
        p = models[i % len(models)]
        round_ = i // len(real.procedures)
        name = f"{p.name} ({PROVINCES[round_ % len(PROVINCES)]} {round_})" if round_ else p.name
        code = f"{5 + i // 1_000_000}.{i % 1_000_000:06d}"
        out.add(Located(p.model_copy(update={"code": code, "name": name}), f"synth/{code}.yaml", 1, 1))
    out.finish()
    return out


def measure(real: Catalogue, count: int, runs: int, browser: Any, tmp: Path, *, throttle: float) -> dict[str, float]:
    catalogue = synthesise(real, count)
    site = tmp / f"site{count}"
    build = write_site(catalogue, site)
    with serve(site) as base:
        results = [one_run(browser, base, site, throttle) for _ in range(runs)]
    row = {key: statistics.median(r[key] for r in results) for key in results[0]}
    row |= {"count": len(catalogue.procedures), "build_s": build,
            "index_raw": sum(f.stat().st_size for f in (site / si.SEARCH_DIR).rglob("*.json"))}
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("counts", nargs="*", type=int, default=[1_000, 10_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--throttle", type=float, default=4,
                        help="CPU slow-down of the page (CDP Emulation.setCPUThrottlingRate), a phone proxy; 1 = none")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 — only needed here

    header = (f"{'procedures':>10} {'first load gz':>13} {'requests':>8} {'B/proc':>6} {'search/ raw':>14} {'detail gz':>10}"
              f" {'B/proc':>6} {'asked ms':>9} {'fetch ms':>8} {'parse ms':>9} {'ready ms':>8} {'1st result ms':>13} {'after load ms':>13}"
              f" {'floor ms':>8} {'over floor':>10} {'blank ms':>8} {'typed ms':>8} {'build s':>7}")
    print(f"median of {args.runs} cold loads of /tra-cuu/?q={QUERY} in headless Chromium, CPU throttled {args.throttle:g}×")
    print(header)
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        real, problems = validate(ROOT / "catalogue")
        if real is None:
            sys.exit(f"the embedded catalogue is invalid: {problems[:3]}")
        for count in args.counts:
            r = measure(real, count, args.runs, browser, Path(tmp), throttle=args.throttle)
            n = r["count"]
            print(f"{n:>10,} {r['first_bytes']:>13,.0f} {r['first_requests']:>8.0f} {r['first_bytes'] / n:>6.0f} {r['index_raw']:>14,}"
                  f" {r['detail_bytes']:>10,.0f} {r['detail_bytes'] / n:>6.0f} {r['requested_ms']:>9.0f} {r['fetch_ms']:>8.0f}"
                  f" {r['load_ms']:>9.0f} {r['ready_ms']:>8.0f}"
                  f" {r['first_ms']:>13.0f} {r['after_load_ms']:>13.0f} {r['floor_ms']:>8.0f} {r['over_floor_ms']:>10.0f} {r['blank_ms']:>8.0f}"
                  f" {r['typed_ms']:>8.1f} {r['build_s']:>7.1f}",
                  flush=True)
        browser.close()


if __name__ == "__main__":
    main()
