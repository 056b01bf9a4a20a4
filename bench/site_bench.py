"""Time `mkdocs build` of the site: the embedded catalogue, synthetic larger ones, and a rebuild after one edit.

Prints the median of 3 builds each and the per-procedure cost, to show that
page rendering grows linearly (no per-page list grows with the catalogue,
and procedure pages stay out of the navigation). With --edit, for each size
it fills the caches with one build, renames one procedure, and times the
warm rebuild that follows (wall, CPU, peak memory summed over processes).
With --write-floor, for each size it times a cold build (empty caches and
site folder), then builds with every cache full into an empty site folder:
what writing the site costs when nothing is computed afresh, the floor
under any cold build that writes the same files.

    .venv/bin/python bench/site_bench.py [--edit | --write-floor] [N_SYNTHETIC ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

import yaml
from run import BIN, OUT, ROOT, catalogue_of, environment, fingerprint, timed
from serve_latency import _plain_name, rename

EMBEDDED = ROOT / "catalogue"
RUNS = 3


def build(catalogue: Path, target: Path, cache: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak MB (PSS summed over the process tree) of one strict build."""
    command = [str(BIN / "mkdocs"), "build", "-q", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(target)]
    run = timed(command, environment(cache, catalogue))
    return run.wall, run.cpu, run.tree_mb


def report(label: str, catalogue: Path) -> None:
    count = sum(1 for _ in (catalogue / "procedures").rglob("*.yaml"))
    cache = OUT / "cache" / f"site-{count}"
    times = sorted(build(catalogue, OUT / "site" / f"bench-{count}", cache)[0] for _ in range(RUNS))
    median = statistics.median(times)
    print(f"{label}: {count} procedures, median {median:.1f} s of {RUNS} "
          f"(min {times[0]:.1f}, max {times[-1]:.1f}), {1000 * median / max(count, 1):.1f} ms per procedure")


def edited_rebuild(size: int) -> None:
    """A warm build, one procedure renamed, and the rebuild timed (the site is built aside and swapped in)."""
    catalogue = catalogue_of(size, fingerprint())
    cache, site = OUT / "cache" / f"edit-{size}", OUT / "site" / f"edit-{size}"
    build(catalogue, site, cache)
    path = next(filter(_plain_name, sorted((catalogue / "procedures").rglob("*.yaml"))))
    original = path.read_bytes()
    code = yaml.load(original, Loader=yaml.CSafeLoader)["code"]
    try:
        marker = f"bench-{time.time_ns()}"
        rename(path, marker)
        wall, cpu, tree = build(catalogue, site, cache)
    finally:
        path.write_bytes(original)
    assert marker in (site / "thu-tuc" / code / "index.html").read_text(encoding="utf-8")
    print(f"{size:,} procedures: rebuild after editing {path.name}: {wall:.1f} s wall, {cpu:.1f} s CPU, "
          f"peak {tree:.0f} MB summed over processes")


def write_floor(size: int) -> None:
    """A cold build, then RUNS builds with full caches into an empty site folder; wall and CPU of each kind."""
    catalogue = catalogue_of(size, fingerprint())
    cache, site = OUT / "cache" / f"floor-{size}", OUT / "site" / f"floor-{size}"

    def fresh(*folders: Path) -> tuple[float, float, float]:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        os.sync()  # the deletions' disk work (discard on this VM's ext4) is done before the clock starts
        return build(catalogue, site, cache)

    cold = fresh(cache, site)
    floors = [fresh(site) for _ in range(RUNS)]
    written = sum(f.stat().st_size for f in site.rglob("*") if f.is_file()) / 1e6
    wall, cpu = statistics.median(f[0] for f in floors), statistics.median(f[1] for f in floors)
    print(f"{size:,} procedures: cold {cold[0]:.1f} s wall ({cold[1]:.1f} s CPU); full caches, empty site folder:"
          f" median {wall:.1f} s wall ({cpu:.1f} s CPU) of {RUNS}, {written:,.0f} MB written"
          f" ({wall / cold[0]:.0%} of the cold build's wall time)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edit", action="store_true", help="time a warm rebuild after editing one procedure")
    parser.add_argument("--write-floor", action="store_true",
                        help="time a cold build, then builds with full caches into an empty site folder")
    parser.add_argument("sizes", nargs="*", type=int)
    args = parser.parse_args()
    if args.write_floor:
        for size in args.sizes:
            write_floor(size)
        return
    if args.edit:
        for size in args.sizes:
            edited_rebuild(size)
        return
    report("embedded", EMBEDDED)
    for size in args.sizes:
        report(f"synthetic {size}", catalogue_of(size, fingerprint()))


if __name__ == "__main__":
    main()
