"""How long `catalogue validate` takes on a synthesised catalogue (issue 3 target: 10,000 in ≤ 5 s).

Usage: .venv/bin/python bench/validate_bench.py [COUNT ...] [--runs N]
Prints the median and spread of several runs of the real command.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synth import synthesise

CATALOGUE = Path(sys.executable).parent / "catalogue"


def time_validate(root: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([str(CATALOGUE), "validate", str(root)], capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"validate failed:\n{done.stdout.decode()[-2000:]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("counts", nargs="*", type=int, default=[1_000, 10_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", type=Path, default=None, help="catalogue to copy from (default: embedded)")
    args = parser.parse_args()
    print(f"{'procedures':>10}  {'median s':>8}  {'min s':>6}  {'max s':>6}  {'ms/procedure':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.counts:
            root = synthesise(Path(tmp) / f"c{count}", count, *([args.source] if args.source else []))
            times = time_validate(root, args.runs)
            median = statistics.median(times)
            print(f"{count:>10,}  {median:>8.2f}  {min(times):>6.2f}  {max(times):>6.2f}  {1000 * median / count:>12.3f}")


if __name__ == "__main__":
    main()
