"""Models → YAML files of the catalogue, in one readable, stable style."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel


class _Dumper(yaml.SafeDumper):
    """Block style, no aliases; multi-line text as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write them.
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str)


def plain(model: BaseModel) -> dict[str, Any]:
    """The model as plain data in field order, without defaults: what a person would write."""
    return _plain(model.model_dump(mode="python", exclude_defaults=True))  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | str | int | float | bool) or value is None:
        return value
    raise TypeError(f"không ghi được giá trị kiểu {type(value).__name__}")


def dump_yaml(data: dict[str, Any], schema: str) -> str:
    """The one place YAML text is made; `schema` is the relative path for editors."""
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=100, indent=2)
    return f"# yaml-language-server: $schema={schema}\n{body}"


def write(path: Path, data: dict[str, Any], schema: str) -> None:
    """Write one catalogue file (UTF-8, LF), creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_yaml(data, schema), encoding="utf-8", newline="\n")
