"""JSON Schemas generated from the models, for editors and for the feed."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from . import models

# File name → the model of a whole YAML file of that kind.
SOURCE_SCHEMAS: dict[str, type[BaseModel]] = {
    "procedure.schema.json": models.Procedure,
    "agencies.schema.json": models.AgenciesFile,
    "fields.schema.json": models.FieldsFile,
    "life_events.schema.json": models.LifeEventsFile,
    "targets.schema.json": models.TargetsFile,
    "usage.schema.json": models.UsageFile,
}


def schema_text(model: type[BaseModel], name: str) -> str:
    """The schema as stable, pretty JSON text (byte-identical across runs)."""
    schema = model.model_json_schema()
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": name, **schema}
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def expected_schemas() -> dict[str, str]:
    return {name: schema_text(model, name) for name, model in SOURCE_SCHEMAS.items()}


def write_schemas(out: Path) -> list[str]:
    """Write every schema into `out`; return the names that changed."""
    out.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in expected_schemas().items():
        target = out / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed.append(name)
    return changed


def stale_schemas(out: Path) -> list[str]:
    """Names of committed schemas that differ from what the models give."""
    return [
        name for name, text in expected_schemas().items()
        if not (out / name).exists() or (out / name).read_text(encoding="utf-8") != text
    ]
