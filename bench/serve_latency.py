"""Seconds from saving one procedure's YAML to its new name on the page, under `mkdocs serve`.

Usage: .venv/bin/python bench/serve_latency.py [--size 10000] [--edits 3] [--dirty]

Starts `mkdocs serve` (the project's mkdocs.yml, cache on) on a copy of a
synthetic catalogue (bench/synth.py), waits until it serves, then edits one
procedure's name at a time and polls that procedure's page over plain HTTP
until the new name is in it. Prints each edit's seconds and their median,
and the load average. --dirty passes `--dirty` to mkdocs serve (MkDocs then
rebuilds only the pages whose source changed).
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml
from run import BIN, OUT, ROOT, SOURCE_DATE_EPOCH, catalogue_of, fingerprint

_NAME = re.compile(r"^name: (.*)$", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(url: str, text: str, limit: float) -> float:
    """Seconds until `url` serves a page containing `text`."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        page = fetch(url)
        if page is not None and text in page:
            return time.perf_counter() - start
        time.sleep(0.1)
    sys.exit(f"gave up after {limit:.0f} s waiting for {text!r} at {url}")


def rename(path: Path, marker: str) -> None:
    """Give the procedure a new plain name ending in `marker` (one line, no YAML quoting needed)."""
    text = path.read_text(encoding="utf-8")
    match = _NAME.search(text)
    assert match is not None and match.group(1) not in ("", ">-", "|"), path
    path.write_text(text[:match.start()] + f"name: Thủ tục sửa thử {marker}" + text[match.end():], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--dirty", action="store_true", help="run mkdocs serve --dirty")
    parser.add_argument("--start-limit", type=float, default=1800, help="seconds to wait for the first build")
    args = parser.parse_args()
    source = catalogue_of(args.size, fingerprint())
    work = OUT / "serve" / str(args.size)
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(source, work / "catalogue")
    port = free_port()
    env = os.environ | {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1",
                        "CATALOGUE_DIR": str(work / "catalogue"), "XDG_CACHE_HOME": str(OUT / "cache" / "serve")}
    command = [str(BIN / "mkdocs"), "serve", "-q", "-f", str(ROOT / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"]
    server = subprocess.Popen([*command, *(["--dirty"] if args.dirty else [])], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        candidates = sorted((work / "catalogue" / "procedures").rglob("*.yaml"))
        files = list(itertools.islice(filter(_plain_name, candidates), args.edits))
        code = yaml.load(files[0].read_bytes(), Loader=yaml.CSafeLoader)["code"]
        started = wait_for(f"http://127.0.0.1:{port}/thu-tuc/{code}/", str(code), args.start_limit)
        print(f"first build served after {started:.1f} s")
        times = []
        for i, path in enumerate(files):
            code = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)["code"]
            marker = f"{os.getpid()}-{i}"
            start = time.perf_counter()
            rename(path, marker)
            seconds = time.perf_counter() - start + wait_for(
                f"http://127.0.0.1:{port}/thu-tuc/{code}/", marker, 600)
            times.append(seconds)
            print(f"edit {i + 1}: {path.name} → shown after {seconds:.1f} s", flush=True)
            time.sleep(2)  # let the server settle before the next edit
        print(f"median {statistics.median(times):.1f} s over {len(times)} edits of a {args.size:,} catalogue "
              f"({'--dirty' if args.dirty else 'full rebuild'}); load average {os.getloadavg()[0]:.1f}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _plain_name(path: Path) -> bool:
    match = _NAME.search(path.read_text(encoding="utf-8"))
    return match is not None and match.group(1) not in ("", ">-", "|", ">")


if __name__ == "__main__":
    main()
