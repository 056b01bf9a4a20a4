"""Shared by tests/test_validate.py: apply an invalid fixture to a copy of the valid catalogue.

A fixture is either `tests/fixtures/invalid/<case>.yaml` (placed as a
procedure file of agency ubnd-xa) or a folder `tests/fixtures/invalid/<case>/`
whose files overlay the catalogue (and whose delete.txt lists files to
remove). Beside each case, `<case>.expected` (or `<case>/expected.txt`) lists
the exact problems as `path:line:column: CODE field`, paths relative to the
catalogue root.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.problems import Problem
from generator.validate import validate

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid" / "catalogue"
INVALID = FIXTURES / "invalid"


def cases() -> list[str]:
    names = {p.stem for p in INVALID.glob("*.yaml")} | {p.name for p in INVALID.iterdir() if p.is_dir()}
    return sorted(names)


def expected_path(case: str) -> Path:
    folder = INVALID / case
    return folder / "expected.txt" if folder.is_dir() else INVALID / f"{case}.expected"


def build(case: str, tmp: Path) -> Path:
    """A copy of the valid catalogue with the case applied; returns its root."""
    root = tmp / "catalogue"
    shutil.copytree(VALID, root)
    folder = INVALID / case
    if folder.is_dir():
        for source in sorted(folder.rglob("*")):
            rel = source.relative_to(folder)
            if source.is_file() and rel.name not in ("expected.txt", "delete.txt"):
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, root / rel)
        deletions = folder / "delete.txt"
        for name in deletions.read_text().split() if deletions.exists() else []:
            (root / name).unlink()
    else:
        shutil.copyfile(INVALID / f"{case}.yaml", root / "procedures" / "ubnd-xa" / f"{case}.yaml")
    return root


def observed(case: str, tmp: Path) -> list[str]:
    root = build(case, tmp)
    _, problems = validate(root, base=root)
    return [line(p) for p in problems]


def line(problem: Problem) -> str:
    return f"{problem.path}:{problem.line}:{problem.column}: {problem.code} {problem.field}".rstrip()
