"""JSON Schemas generated from the models, for editors and for the feed.

pydantic writes a constraint it cannot place on a union (`int | float`
with ge/le) as its own keywords "ge"/"le", which JSON Schema validators
ignore. `ContractSchema` writes every bound as minimum/maximum on each
numeric branch, gives dates a pattern (validators skip `format` unless
asked), and fills a property's description from the model it refers to,
so that what a validator enforces is what the models enforce.

Two flavours come from the same models: the authoring schemas under
schema/ are closed (`additionalProperties: false`, a typo in a YAML file
is an error) and the published feed schemas are open (a 1.0 consumer
reads 1.x records that carry fields added later).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import core_schema

from . import models

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DATE_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
# pydantic's names for bounds it leaves on a node → the JSON Schema keyword.
BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def _given(*names: str, kind: str) -> dict[str, Any]:
    return {"required": list(names), "properties": {n: {"type": kind} for n in names}}


def _absent(*names: str) -> dict[str, Any]:
    return {"properties": {n: {"type": "null"} for n in names}}


# Rules a model checks across fields (its model_validator), as JSON Schema, by $defs name.
CROSS_FIELD: dict[str, dict[str, Any]] = {
    "Fee": {"allOf": [
        {"anyOf": [_given("amount", kind="integer"), _given("source_text", kind="string")]},
        {"anyOf": [_given("amount", kind="integer"), _absent("max_amount", "reduced_amount")]},
        {"anyOf": [_absent("reduced_amount", "reduced_until"),
                   {"required": ["reduced_amount", "reduced_until"],
                    "properties": {"reduced_amount": {"type": "integer"}, "reduced_until": {"type": "string"}}}]},
    ]},
    "Retirement": {"allOf": [
        {"if": {"properties": {"kind": {"const": "thay-the"}}},
         "then": {"required": ["successor"], "properties": {"successor": {"type": "string"}}}},
        {"if": {"properties": {"kind": {"const": "bai-bo"}}}, "then": _absent("successor")},
    ]},
}

# File name → the model of a whole YAML file of that kind.
SOURCE_SCHEMAS: dict[str, type[BaseModel]] = {
    "procedure.schema.json": models.Procedure,
    "agencies.schema.json": models.AgenciesFile,
    "fields.schema.json": models.FieldsFile,
    "life_events.schema.json": models.LifeEventsFile,
    "targets.schema.json": models.TargetsFile,
    "usage.schema.json": models.UsageFile,
    "synonyms.schema.json": models.SynonymsFile,
}


class ContractSchema(GenerateJsonSchema):
    """pydantic's generator, writing only keywords JSON Schema validators know."""

    def date_schema(self, schema: core_schema.DateSchema) -> JsonSchemaValue:
        return {"type": "string", "format": "date", "pattern": DATE_PATTERN}

    def generate(self, schema: core_schema.CoreSchema, mode: JsonSchemaMode = "validation") -> JsonSchemaValue:
        result = super().generate(schema, mode)
        defs = result.get("$defs", {})
        _walk(result, defs)
        for name, rule in CROSS_FIELD.items():
            if name in defs:
                defs[name].update(rule)
        return result


def _walk(node: Any, defs: dict[str, Any]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, defs)
        return
    if not isinstance(node, dict):
        return
    _move_bounds(node)
    for prop in node.get("properties", {}).values():
        if "description" not in prop:
            description = _referred_description(prop, defs)
            if description:
                prop["description"] = description
    for value in node.values():
        _walk(value, defs)


def _move_bounds(node: dict[str, Any]) -> None:
    """ge/le beside an anyOf of numbers → minimum/maximum inside each numeric branch."""
    bounds = {BOUNDS[k]: node.pop(k) for k in list(node) if k in BOUNDS}
    if not bounds:
        return
    branches = node.get("anyOf", [node])
    numeric = [b for b in branches if b.get("type") in ("integer", "number")]
    if not numeric:
        raise ValueError(f"bound without a numeric type: {node}")
    for branch in numeric:
        branch.update(bounds)


def _referred_description(prop: dict[str, Any], defs: dict[str, Any]) -> str | None:
    """The description of the model a property refers to (directly, in a list, or nullable)."""
    candidates = [prop, prop.get("items", {}), *prop.get("anyOf", [])]
    candidates += [c.get("items", {}) for c in prop.get("anyOf", [])]
    for candidate in candidates:
        ref = candidate.get("$ref", "")
        if ref.startswith("#/$defs/"):
            description = defs.get(ref.removeprefix("#/$defs/"), {}).get("description")
            if description:
                return str(description)
    return None


def open_schema(schema: Any) -> Any:
    """The same schema without `additionalProperties: false`: unknown fields are allowed."""
    if isinstance(schema, list):
        return [open_schema(item) for item in schema]
    if isinstance(schema, dict):
        return {k: open_schema(v) for k, v in schema.items() if not (k == "additionalProperties" and v is False)}
    return schema


def model_schema(model: type[BaseModel], schema_id: str, *, closed: bool = True,
                 extra: dict[str, Any] | None = None) -> dict[str, Any]:
    schema = model.model_json_schema(schema_generator=ContractSchema)
    if not closed:
        schema = open_schema(schema)
    return {"$schema": DRAFT, "$id": schema_id, **(extra or {}), **schema}


def schema_json(schema: dict[str, Any]) -> str:
    """A schema as stable, pretty JSON text (byte-identical across runs)."""
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def schema_text(model: type[BaseModel], name: str) -> str:
    """An authoring schema (closed) as text."""
    return schema_json(model_schema(model, name))


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


def properties_without_description(schema: Any, where: str = "") -> list[str]:
    """Paths of properties that carry no description (each must say what it holds)."""
    found: list[str] = []
    if isinstance(schema, dict):
        for name, prop in schema.get("properties", {}).items():
            if "description" not in prop:
                found.append(f"{where}/{name}")
        for key, value in schema.items():
            if key != "allOf":  # the cross-field rules restate properties already described
                found += properties_without_description(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for i, item in enumerate(schema):
            found += properties_without_description(item, f"{where}/{i}")
    return found
