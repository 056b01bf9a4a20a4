"""Synthesise a catalogue of N procedures from the embedded real ones.

Each real procedure file is copied with a new unique code, and with its name
varied (a numbered local variant, as when provinces publish their versions),
so sizes and text stay realistic. Used by every benchmark in bench/.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EMBEDDED = ROOT / "catalogue"
_CODE = re.compile(r'^code: .*$', re.MULTILINE)
# A name is a plain or quoted scalar on its line, or a folded block whose first
# content line follows; the variant goes at the end of that text line.
_NAME = re.compile(r'^name: (?:[>|][-+]?\n(\s+))?(.*)$', re.MULTILINE)
_PROVINCES = ["Hà Nội", "Huế", "Đà Nẵng", "Cần Thơ", "Hải Phòng", "Lào Cai", "Gia Lai", "Cà Mau", "An Giang"]


def synthesise(out: Path, count: int, source: Path = EMBEDDED) -> Path:
    """Write a catalogue of `count` procedures under `out`; return its root."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(source, out, ignore=shutil.ignore_patterns("procedures"))
    originals = sorted((source / "procedures").rglob("*.yaml"))
    texts = [(p.parent.name, p.stem, p.read_text(encoding="utf-8")) for p in originals]
    for i in range(count):
        agency, stem, text = texts[i % len(texts)]
        round_ = i // len(texts)
        text = _CODE.sub(f'code: "{5 + i // 1_000_000}.{i % 1_000_000:06d}"', text, count=1)
        if round_:
            variant = f"{_PROVINCES[round_ % len(_PROVINCES)]} {round_}"
            text = _NAME.sub(lambda m, v=variant: _renamed(m, v), text, count=1)
        target = out / "procedures" / agency / f"{stem}-{i}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return out


def _renamed(match: re.Match[str], variant: str) -> str:
    block_indent, name = match.group(1), match.group(2)
    if block_indent is not None:
        head = match.group(0)[: match.start(2) - match.start(0)]
        return f"{head}{name} ({variant})"
    return f"name: {_quoted(name, variant)}"


def _quoted(name: str, variant: str) -> str:
    """Append ' (variant)' to a YAML scalar, whether it was quoted or plain."""
    if name[:1] in "'\"":
        return f"{name[:-1]} ({variant}){name[-1]}"
    return f"{name} ({variant})"


if __name__ == "__main__":
    synthesise(Path(sys.argv[1]), int(sys.argv[2]))
