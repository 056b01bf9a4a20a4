"""How long the exports take, how big they are, and how long the CPSV-AP SHACL check takes.

Usage: .venv/bin/python bench/feed_bench.py [CATALOGUE] [--runs N] [--no-shacl]
Prints the median of N runs of each exporter on the validated catalogue (in
this process), the CPU seconds and peak memory of the whole feed written to a
folder as the site build does (exports.write_export: workers for a large
catalogue) with no cache, a cold cache and a warm one, the size of each whole
file and of the per-procedure files, and the time to parse catalogue.jsonld
and check it with pyshacl (what tests/test_cpsv.py does).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from generator import exports, feed, streams
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "standards" / "cpsv-ap-3.2.0" / "cpsv-ap-SHACL.ttl"


def timed(runs: int, work: object) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def sizes(files: dict[str, bytes]) -> None:
    per = sorted(len(v) for k, v in files.items() if k.startswith("procedures/"))
    for name in ("catalogue.json", "manifest.json", "changes.json", "changes.atom", "portal.json", "catalogue.jsonld",
                 "procedures.csv", "channels.csv"):
        print(f"  {name:<18} {len(files[name]):>12,} bytes")
    if per:
        print(f"  procedures/*.json  {len(per):>5} files, median {per[len(per) // 2]:,}, min {per[0]:,}, "
              f"max {per[-1]:,}, total {sum(per):,} bytes")


def cpu() -> float:
    """CPU seconds of this process and its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def written(catalogue: object) -> None:
    """The whole feed written to a folder: no cache, then a cold cache, then a warm one."""
    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(scratch) / "feed.sqlite"
        for n, (label, path) in enumerate([("no cache", None), ("cold cache", cache), ("warm cache", cache)]):
            start, wall = cpu(), time.perf_counter()
            exports.write_export(catalogue, Path(scratch) / str(n), cache_path=path)  # type: ignore[arg-type]
            print(f"  written, {label:<10} {cpu() - start:6.2f} s CPU (with workers), {time.perf_counter() - wall:6.2f} s wall")
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"  peak RSS: this process {own.ru_maxrss / 1024:.0f} MB, largest worker {children.ru_maxrss / 1024:.0f} MB")


def shacl(data: bytes) -> None:
    import pyshacl  # noqa: PLC0415 - only when asked
    from rdflib import Graph  # noqa: PLC0415

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = Graph().parse(data=data, format="json-ld", publicID="https://example.test/api/v1/catalogue.jsonld")
    parsed = time.perf_counter()
    conforms, _, _ = pyshacl.validate(graph, shacl_graph=Graph().parse(SHAPES))
    done = time.perf_counter()
    print(f"  SHACL: {len(graph):,} triples, parse {parsed - start:.2f} s, validate {done - parsed:.2f} s, "
          f"conforms={conforms}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("catalogue", nargs="?", type=Path, default=ROOT / "catalogue")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-shacl", action="store_true")
    args = parser.parse_args()
    catalogue, problems = validate(args.catalogue)
    if catalogue is None:
        sys.exit(f"catalogue không hợp lệ: {len(problems)} vấn đề")
    print(f"{len(catalogue.procedures)} procedures")
    files: dict[str, bytes] = {}
    for name, exporter in exports.FORMATS.items():
        median, result = timed(args.runs, lambda e=exporter: streams.collect(e, catalogue, feed.Links()))
        assert isinstance(result, dict)
        files.update(result)
        print(f"  export {name:<7} median {median:.3f} s ({1000 * median / max(1, len(catalogue.procedures)):.2f} "
              "ms/procedure)")
    hashes = {n: feed.sha256(d) for n, d in files.items()}
    median, closing = timed(args.runs, lambda: exports.closing_files(catalogue, feed.Links(), dict(hashes), None))
    assert isinstance(closing, dict)
    files.update(closing)
    print(f"  change list and manifest median {median:.3f} s")
    written(catalogue)
    sizes(files)
    if not args.no_shacl:
        shacl(files["catalogue.jsonld"])


if __name__ == "__main__":
    main()
