"""Models → YAML files of the catalogue, in one readable, stable style."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .. import yamlfmt


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


def dump_yaml(data: dict[str, Any], schema: str, model: type[BaseModel] | None = None) -> str:
    """The one place YAML text is made; `schema` is the relative path for editors.

    Written in the canonical form of `catalogue fmt` (generator.yamlfmt), so an
    import never needs reformatting and `catalogue fmt --check` passes on it.
    """
    return yamlfmt.dump(data, model, header=[f"yaml-language-server: $schema={schema}"])


def write(path: Path, data: dict[str, Any], schema: str) -> None:
    """Write one catalogue file (UTF-8, LF), creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_yaml(data, schema, yamlfmt.model_for(path)), encoding="utf-8", newline="\n")
