"""JSON Schemas for editors: committed, fresh, and usable by a standard validator."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from generator.schema import SOURCE_SCHEMAS, stale_schemas

from .invalid_cases import VALID

SCHEMA_DIR = Path(__file__).parents[1] / "schema"


def test_committed_schemas_match_the_models() -> None:
    assert stale_schemas(SCHEMA_DIR) == [], "chạy 'catalogue schema' để cập nhật schema/"


def test_valid_procedure_passes_the_published_schema() -> None:
    schema = json.loads((SCHEMA_DIR / "procedure.schema.json").read_text(encoding="utf-8"))
    path = VALID / "procedures" / "ubnd-xa" / "dang-ky-khai-sinh.yaml"
    data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
    jsonschema.validate(data, schema)


def test_schema_rejects_an_unknown_key() -> None:
    schema = json.loads((SCHEMA_DIR / "procedure.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = list(validator.iter_errors({"code": "1.000001", "nmae": "x"}))
    assert any("nmae" in e.message for e in errors)


def test_every_source_file_kind_has_a_schema() -> None:
    assert set(SOURCE_SCHEMAS) == {p.name for p in SCHEMA_DIR.glob("*.schema.json")}
