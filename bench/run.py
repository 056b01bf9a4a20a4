"""The scale benchmark (issue 10): validate, full build and a bare MkDocs build at 1k, 10k, 50k.

Usage: make bench    (or .venv/bin/python bench/run.py [--sizes 1000,10000,50000] [--runs 3])

For each size it synthesises a catalogue from the embedded one (bench/synth.py;
kept under bench/out/ and reused while synth.py and the embedded catalogue are
unchanged) and measures, as real commands in child processes:

- `catalogue validate` cold (--no-cache) and warm (result cache filled by a
  previous run; the cache lives in bench/out/cache, not in ~/.cache);
- the full `mkdocs build` with the project's mkdocs.yml (site, feed, search,
  stats) cold (empty caches) and warm (caches filled by the previous build);
- a bare MkDocs + Material build of the same number of plain Markdown pages of
  about the same content (each procedure's own text), kept out of the
  navigation (`not_in_nav`), with the same theme settings and no plugin;
- a Hugo build (Debian's `hugo`, when installed) of the same Markdown pages
  with a minimal layout of its own: the floor a static generator written for
  speed sets for the same page count, on the same machine, in the same run.

Each figure is the median of --runs runs (--runs-large at sizes ≥ 50,000):
wall seconds and user+sys CPU seconds (the machine is shared, so CPU seconds
are the steadier figure), and peak memory: the largest resident set of any
one process of the run (wait4's ru_maxrss) and the largest sum over the
process tree of proportional set sizes (PSS: memory shared by forked workers
counted once), sampled every 0.25 s. Raw runs go to bench/out/results-<time>.json.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml
from synth import EMBEDDED, synthesise

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
SOURCE_DATE_EPOCH = "1790000000"
HUGO = shutil.which("hugo")  # Debian's package; without it the Hugo columns stay empty


@dataclass
class Run:
    """One timed command: wall and CPU seconds, peak memory in MB."""

    wall: float
    cpu: float
    max_rss_mb: float  # the largest single process (wait4 ru_maxrss)
    tree_mb: float  # the largest sampled sum of PSS over the process tree


# ---------------------------------------------------------------- running


def timed(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> Run:
    """Run `command` to its end; fail loudly when it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree_peak = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        tree_peak = max(tree_peak, tree_rss(proc.pid))
        time.sleep(0.25)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    errors = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({proc.returncode}):\n{errors[-3000:]}")
    rss = usage.ru_maxrss / 1024
    return Run(wall, usage.ru_utime + usage.ru_stime, rss, tree_peak / 2**20 or rss)


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants, now."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    family, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    total = 0
    for pid in family:  # proportional set size: pages shared after a fork count once in all
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += sum(int(line.split()[1]) * 1024 for line in rollup.splitlines() if line.startswith("Pss:"))
    return total


def environment(cache: Path, catalogue: Path | None = None) -> dict[str, str]:
    env = os.environ | {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1",
                        "XDG_CACHE_HOME": str(cache), "PYTHONDONTWRITEBYTECODE": "1"}
    if catalogue is not None:
        env["CATALOGUE_DIR"] = str(catalogue)
    return env


# ---------------------------------------------------------------- inputs


def fingerprint() -> str:
    """What a synthesised catalogue depends on: synth.py and the embedded catalogue's files."""
    digest = hashlib.sha256((ROOT / "bench" / "synth.py").read_bytes())
    for path in sorted(EMBEDDED.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(EMBEDDED).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def catalogue_of(size: int, stamp: str) -> Path:
    """The synthetic catalogue of `size` procedures, made again only when its inputs changed."""
    root = OUT / "catalogues" / str(size)
    mark = root / ".stamp"
    if not (mark.is_file() and mark.read_text() == stamp):
        synthesise(root, size)
        (root / ".stamp").write_text(stamp)
    return root


BARE_CONFIG = {
    "site_name": "Bare",
    "docs_dir": "docs",
    "use_directory_urls": True,
    "plugins": [],  # as mkdocs.yml: only our plugin, so no search plugin here either
    "nav": [{"Trang chủ": "index.md"}],
    "not_in_nav": "/thu-tuc/\n",
}


def current(root: Path, stamp: str) -> bool:
    """Whether the project under `root` was made from these inputs; if not, clear it for making again."""
    mark = root / ".stamp"
    if mark.is_file() and mark.read_text() == stamp:
        return True
    shutil.rmtree(root, ignore_errors=True)
    return False


def bare_site_of(size: int, catalogue: Path, stamp: str) -> Path:
    """A plain MkDocs project: one Markdown page per procedure, out of the nav, our theme settings."""
    root = OUT / "bare" / str(size)
    if current(root, stamp):
        return root
    docs = root / "docs" / "thu-tuc"
    docs.mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Trang chủ\n\nTrang chủ.\n", encoding="utf-8")
    for path in sorted((catalogue / "procedures").rglob("*.yaml")):
        record = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        (docs / f"{record['code']}.md").write_text(plain_page(record), encoding="utf-8")
    project = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", ""))
    config = BARE_CONFIG | {"theme": project["theme"]}
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (root / ".stamp").write_text(stamp)
    return root


HUGO_CONFIG = """\
baseURL = "/"
title = "Bare"
disableKinds = ["taxonomy", "term"]
[markup.goldmark.renderer]
unsafe = false
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1"><title>{{ .Title }} - {{ site.Title }}'
        '</title></head><body><header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>'
        '<main>{{ block "main" . }}{{ end }}</main><footer>{{ site.Title }}</footer></body></html>\n'),
    "_default/single.html": '{{ define "main" }}{{ .Content }}{{ end }}\n',
    "_default/list.html": '{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n',
    "index.html": '{{ define "main" }}<h1>{{ site.Title }}</h1>{{ .Content }}{{ end }}\n',
}


def hugo_site_of(size: int, bare: Path, stamp: str) -> Path:
    """The bare site's Markdown pages as a Hugo project: same text, a title in front matter."""
    root = OUT / "hugo" / str(size)
    if current(root, stamp):
        return root
    content = root / "content" / "thu-tuc"
    content.mkdir(parents=True)
    for page in sorted((bare / "docs" / "thu-tuc").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        title = text.split("\n", 1)[0].removeprefix("# ")
        (content / page.name).write_text(f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n{text}",
                                         encoding="utf-8")
    (root / "content" / "_index.md").write_text("Trang chủ.\n", encoding="utf-8")
    for name, body in HUGO_LAYOUTS.items():
        (root / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "layouts" / name).write_text(body, encoding="utf-8")
    (root / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (root / ".stamp").write_text(stamp)
    return root


def plain_page(record: dict[str, Any]) -> str:
    """The procedure's own text as plain Markdown: headings, paragraphs, lists, a table."""
    lines = [f"# {record['name']}", "", str(record.get("description") or ""), "", "## Cách nộp", "",
             "| Cách | Thời hạn | Phí |", "| --- | --- | --- |"]
    for channel in record.get("channels") or []:
        time_ = channel.get("processing_time") or {}
        fees = "; ".join(f"{f.get('amount')} {f.get('currency', 'VND')} {f.get('note') or ''}"
                         for f in channel.get("fees") or [])
        lines.append(f"| {channel.get('kind')} | {time_.get('value', '')} {time_.get('unit', '')} | {fees} |")
    lines += ["", "## Giấy tờ", ""]
    for case in record.get("document_cases") or []:
        if case.get("case"):
            lines += ["", f"**{case['case']}**", ""]
        lines += [f"- {d.get('name')} ({d.get('originals', 0)} bản chính)" for d in case.get("documents") or []]
    lines += ["", "## Trình tự", ""]
    lines += [f"1. {step}" for step in record.get("steps") or []]
    lines += ["", "## Căn cứ pháp lý", ""]
    lines += [f"- {b.get('number')} {b.get('title', '')}" for b in record.get("legal_basis") or []]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- measuring


def measure(size: int, runs: int, stamp: str, skip_bare: bool) -> dict[str, Any]:
    catalogue = catalogue_of(size, stamp)
    cache = OUT / "cache" / str(size)
    site = OUT / "site" / str(size)
    env = environment(cache, catalogue)
    validate = [str(BIN / "catalogue"), "validate", str(catalogue)]
    build = [str(BIN / "mkdocs"), "build", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)]
    result: dict[str, Any] = {"size": size, "runs": runs}
    result["validate_cold"] = [timed([*validate, "--no-cache"], env) for _ in range(runs)]
    timed(validate, env)  # fill the cache
    result["validate_warm"] = [timed(validate, env) for _ in range(runs)]
    cold = []
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(timed(build, env))
    result["build_cold"] = cold
    result["build_warm"] = [timed(build, env) for _ in range(runs)]
    result["site_bytes"] = page_bytes(site)
    if not skip_bare:
        bare = bare_site_of(size, catalogue, stamp)
        bare_site = OUT / "bare-site" / str(size)
        command = [str(BIN / "mkdocs"), "build", "-q", "-f", str(bare / "mkdocs.yml"), "-d", str(bare_site)]
        result["bare"] = [timed(command, environment(cache), cwd=bare) for _ in range(runs)]
        result["bare_bytes"] = page_bytes(bare_site)
        shutil.rmtree(bare_site, ignore_errors=True)
        if HUGO:
            hugo = hugo_site_of(size, bare, stamp)
            hugo_site = OUT / "hugo-site" / str(size)
            command = [HUGO, "--quiet", "--source", str(hugo), "--destination", str(hugo_site)]
            result["hugo"] = [timed(command, environment(cache), cwd=hugo) for _ in range(runs)]
            shutil.rmtree(hugo_site, ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    return result


def page_bytes(site: Path) -> int:
    """Median size of a built procedure page (its index.html)."""
    sizes = [p.stat().st_size for p in (site / "thu-tuc").glob("*/index.html")]
    return int(statistics.median(sizes)) if sizes else 0


# ---------------------------------------------------------------- report


def med(runs: list[Run] | None, attribute: str) -> float:
    return statistics.median(getattr(r, attribute) for r in runs) if runs else float("nan")


def table(results: list[dict[str, Any]]) -> str:
    """Medians per size; ratios to bare MkDocs and to Hugo; the growth from one size to the next."""
    head = (f"{'size':>7} {'runs':>4} | {'validate s':>10} {'(cpu)':>6} {'warm s':>6} | {'build s':>7} {'(cpu)':>6} "
            f"{'warm s':>6} {'(cpu)':>6} | {'bare s':>6} {'(cpu)':>6} | {'hugo s':>6} {'(cpu)':>6} | "
            f"{'cold/bare':>9} {'warm/bare':>9} {'cpu/bare':>8} {'cold/hugo':>9} | {'cpu ms/proc':>11} | "
            f"{'peak MB':>7} {'tree MB':>7} {'bare MB':>7}")
    lines = [head, "-" * len(head)]
    for r in results:
        cold, warm, bare, hugo = r["build_cold"], r["build_warm"], r.get("bare"), r.get("hugo")
        b = med(bare, "wall")
        lines.append(
            f"{r['size']:>7,} {r['runs']:>4} | {med(r['validate_cold'], 'wall'):>10.2f} "
            f"{med(r['validate_cold'], 'cpu'):>6.1f} {med(r['validate_warm'], 'wall'):>6.2f} | "
            f"{med(cold, 'wall'):>7.1f} {med(cold, 'cpu'):>6.1f} {med(warm, 'wall'):>6.1f} {med(warm, 'cpu'):>6.1f} | "
            f"{b:>6.1f} {med(bare, 'cpu'):>6.1f} | {med(hugo, 'wall'):>6.2f} {med(hugo, 'cpu'):>6.2f} | "
            f"{med(cold, 'wall') / b:>9.2f} {med(warm, 'wall') / b:>9.2f} "
            f"{med(warm, 'cpu') / med(bare, 'cpu'):>8.2f} {med(cold, 'wall') / med(hugo, 'wall'):>9.1f} | "
            f"{1000 * med(cold, 'cpu') / r['size']:>11.2f} | "
            f"{max(x.max_rss_mb for x in cold + warm):>7.0f} {max(x.tree_mb for x in cold + warm):>7.0f} "
            f"{max((x.tree_mb for x in bare or []), default=float('nan')):>7.0f}")
    lines.append("")
    for small, large in itertools.pairwise(results):
        k = large["size"] / small["size"]
        parts = [f"{large['size']:,}/{small['size']:,} (×{k:g}):"]
        for label, key in (("build cold", "build_cold"), ("build warm", "build_warm"), ("bare", "bare"),
                           ("hugo", "hugo")):
            if large.get(key) and small.get(key):
                parts.append(f"{label} {med(large[key], 'wall') / med(small[key], 'wall'):.2f}×")
        lines.append(" ".join(parts))
    sizes = ", ".join(f"{r['size']:,}: ours {r['site_bytes'] / 1024:.0f} KB, bare {r.get('bare_bytes', 0) / 1024:.0f} KB"
                      for r in results)
    lines.append(f"median procedure page (index.html) — {sizes}")
    return "\n".join(lines)


def markdown(results: list[dict[str, Any]]) -> str:
    """The medians as a Markdown table, for the docs (Vietnamese number format)."""
    def n(value: float, digits: int = 1) -> str:
        if math.isnan(value):  # the figure was not measured
            return "–"
        return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")

    def both(runs: list[Run] | None) -> str:
        return f"{n(med(runs, 'wall'))} s ({n(med(runs, 'cpu'))} s)" if runs else "–"

    lines = ["| Thủ tục | Lần | Kiểm tra (nguội / ấm) | Dựng nguội: thực (CPU) | Dựng ấm: thực (CPU) "
             "| CPU ms / thủ tục (nguội) | MkDocs trần: thực (CPU) | Hugo: thực (CPU) "
             "| Nguội / MkDocs trần | Nguội / Hugo | Đỉnh bộ nhớ: 1 tiến trình, cả cây (PSS) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        cold, warm, bare, hugo = r["build_cold"], r["build_warm"], r.get("bare"), r.get("hugo")
        lines.append(
            f"| {n(r['size'], 0)} | {r['runs']} | {n(med(r['validate_cold'], 'wall'))} s / "
            f"{n(med(r['validate_warm'], 'wall'))} s | {both(cold)} | {both(warm)} | "
            f"{n(1000 * med(cold, 'cpu') / r['size'], 2)} | {both(bare)} | {both(hugo)} | "
            f"{n(med(cold, 'wall') / med(bare, 'wall'), 2)}× | {n(med(cold, 'wall') / med(hugo, 'wall'), 1)}× | "
            f"{n(max(x.max_rss_mb for x in cold + warm), 0)} MB, {n(max(x.tree_mb for x in cold + warm), 0)} MB |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated catalogue sizes")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--runs-large", type=int, default=1, help="runs per figure at sizes ≥ 50,000")
    parser.add_argument("--skip-bare", action="store_true", help="leave out the bare MkDocs build")
    parser.add_argument("--report", type=Path, help="print the tables of a saved results-*.json; measure nothing")
    args = parser.parse_args()
    if args.report:
        saved = json.loads(args.report.read_text(encoding="utf-8"))
        results = [{k: ([Run(**x) for x in v] if isinstance(v, list) else v) for k, v in r.items()}
                   for r in saved["results"]]
        print(table(results) + "\n\n" + markdown(results))
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = fingerprint()
    load_before = os.getloadavg()
    name = OUT / f"results-{time.strftime('%Y%m%d-%H%M%S')}"
    results = []
    for size in sizes:
        runs = args.runs_large if size >= 50_000 else args.runs
        results.append(measure(size, runs, stamp, args.skip_bare))
        print(f"… {size:,} done (load {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
        save(name, results, load_before)  # after each size: a long run stopped half-way keeps its figures
    report = table(results)
    print(report + "\n\n" + markdown(results))
    print(f"load average (1 min) before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}; "
          f"{os.cpu_count()} cores; medians of {args.runs} runs ({args.runs_large} at ≥ 50,000)")


def save(name: Path, results: list[dict[str, Any]], load_before: tuple[float, float, float]) -> None:
    """Raw runs as JSON and the table as text, under bench/out/."""
    raw = {"load_before": load_before, "load_after": os.getloadavg(), "cores": os.cpu_count(),
           "results": [{k: ([asdict(x) for x in v] if isinstance(v, list) else v) for k, v in r.items()}
                       for r in results]}
    name.with_suffix(".json").write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
    name.with_suffix(".txt").write_text(table(results) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
