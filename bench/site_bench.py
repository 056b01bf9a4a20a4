"""Time `mkdocs build` of the site: the embedded catalogue, then a synthetic larger one.

Prints the median of 3 builds each and the per-procedure cost, to show that
page rendering grows linearly (no per-page list grows with the catalogue,
and procedure pages stay out of the navigation).

    .venv/bin/python bench/site_bench.py [N_SYNTHETIC ...]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
EMBEDDED = ROOT / "catalogue"

RUNS = 3


def build_seconds(catalogue: Path, target: Path) -> float:
    """Wall time of one strict build of `catalogue` into `target`."""
    env = os.environ | {"SOURCE_DATE_EPOCH": "1790000000", "NO_MKDOCS_2_WARNING": "1",
                        "CATALOGUE_DIR": str(catalogue)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "--strict", "-d", str(target)],
                   cwd=ROOT, env=env, check=True)
    return time.perf_counter() - start


def report(label: str, catalogue: Path, work: Path) -> None:
    count = sum(1 for _ in (catalogue / "procedures").rglob("*.yaml"))
    times = sorted(build_seconds(catalogue, work / "site") for _ in range(RUNS))
    median = statistics.median(times)
    print(f"{label}: {count} procedures, median {median:.1f} s of {RUNS} "
          f"(min {times[0]:.1f}, max {times[-1]:.1f}), {1000 * median / max(count, 1):.1f} ms per procedure")


def synthesise(out: Path, count: int) -> Path:
    """A valid catalogue of `count` procedures: the embedded ones again under new codes and names."""
    shutil.copytree(EMBEDDED, out, ignore=shutil.ignore_patterns("procedures"))
    originals = sorted((EMBEDDED / "procedures").rglob("*.yaml"))
    records = [(p.parent.name, p.stem, yaml.safe_load(p.read_text(encoding="utf-8"))) for p in originals]
    for i in range(count):
        agency, stem, record = records[i % len(records)]
        copy = dict(record, code=f"9.{i:06d}", name=f"{record['name']} (bản {i // len(records) + 1})")
        folder = out / "procedures" / agency
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{stem}-{i}.yaml").write_text(yaml.safe_dump(copy, allow_unicode=True, sort_keys=False),
                                                 encoding="utf-8")
    return out


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory(prefix="site-bench-") as tmp:
        work = Path(tmp)
        report("embedded", EMBEDDED, work)
        for size in sizes:
            report(f"synthetic {size}", synthesise(work / f"cat-{size}", size), work)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]])
