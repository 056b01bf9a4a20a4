"""Every constraint the models enforce, the published JSON Schemas enforce too.

Each mutation in fixtures/schema_bounds/mutations.yaml takes a valid record
past one constraint; the models, the authoring schema (schema/) and the
published feed schema (api/v1/schema/) must all refuse it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from generator import feed, models
from generator.exports import export_files
from generator.schema import SOURCE_SCHEMAS, model_schema, properties_without_description

from .catalogues import load

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "feed" / "catalogue"
MUTATIONS = yaml.safe_load((ROOT / "tests" / "fixtures" / "schema_bounds" / "mutations.yaml").read_text("utf-8"))
CODE = "1.001193"
# Keywords of JSON Schema 2020-12 (core, applicator, validation, meta-data, format, content) and our own "version".
KEYWORDS = {
    "$schema", "$id", "$ref", "$defs", "$comment", "anyOf", "allOf", "oneOf", "not", "items", "prefixItems",
    "properties", "additionalProperties", "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "required",
    "title", "description", "default", "examples", "format", "version", "if", "then",
}


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return export_files(load(FIXTURE), ["json"])


def record(files: dict[str, bytes]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(files[feed.procedure_file(CODE)])
    return data


def mutated(data: dict[str, Any], mutation: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    *parents, last = mutation["path"]
    target: Any = data
    for key in parents:
        target = target[key]
    if mutation.get("delete"):
        del target[last]
    else:
        target[last] = mutation["value"]
    return data


def source_part(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("$schema", "derived")}


def validators(files: dict[str, bytes]) -> dict[str, Draft202012Validator]:
    published = json.loads(files[feed.schema_path("procedure.schema.json")])
    authoring = json.loads((ROOT / "schema" / "procedure.schema.json").read_text("utf-8"))
    return {"published": Draft202012Validator(published), "authoring": Draft202012Validator(authoring)}


def test_the_unmutated_record_passes_everything(files: dict[str, bytes]) -> None:
    data = record(files)
    models.Procedure.model_validate_json(json.dumps(source_part(data)))
    schemas = validators(files)
    assert list(schemas["published"].iter_errors(data)) == []
    assert list(schemas["authoring"].iter_errors(source_part(data))) == []


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m["constraint"] for m in MUTATIONS])
def test_a_record_past_a_constraint_is_refused_by_models_and_schemas(
        files: dict[str, bytes], mutation: dict[str, Any]) -> None:
    data = mutated(record(files), mutation)
    with pytest.raises(ValidationError):
        models.Procedure.model_validate_json(json.dumps(source_part(data)))
    schemas = validators(files)
    assert list(schemas["published"].iter_errors(data)), "published schema accepted it"
    assert list(schemas["authoring"].iter_errors(source_part(data))), "authoring schema accepted it"


def test_schemas_use_only_json_schema_keywords(files: dict[str, bytes]) -> None:
    def keywords(node: Any, inside_properties: bool = False) -> set[str]:
        found: set[str] = set()
        if isinstance(node, dict):
            for key, value in node.items():
                if not inside_properties:
                    found.add(key)
                found |= keywords(value, key in ("properties", "$defs"))
        elif isinstance(node, list):
            for item in node:
                found |= keywords(item)
        return found

    schemas = [json.loads(d) for n, d in files.items() if n.startswith(f"{feed.SCHEMA_DIR}/")]
    schemas += [model_schema(m, n) for n, m in SOURCE_SCHEMAS.items()]
    for schema in schemas:
        assert keywords(schema) - KEYWORDS == set(), schema["$id"]


def test_every_property_of_every_schema_has_a_description(files: dict[str, bytes]) -> None:
    for name, data in files.items():
        if name.startswith(f"{feed.SCHEMA_DIR}/{feed.SCHEMA_VERSION}/"):  # earlier versions are frozen
            assert properties_without_description(json.loads(data)) == [], name
    for name, model in SOURCE_SCHEMAS.items():
        assert properties_without_description(model_schema(model, name)) == [], name
