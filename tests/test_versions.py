"""The version policy in both directions, against the previous minor version's frozen schemas.

generator/published/<version>/ holds the schemas exactly as that version
published them. A consumer pinned to the previous minor version must read
every file of this build that existed then, and a record carrying a field
that a later 1.x adds.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from generator import feed
from generator.exports import export_files

from .catalogues import EMBEDDED, FEED_FIXTURE, RETIRED_FIXTURE, load

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "generator" / "published"


def previous_minor() -> str:
    """The newest frozen version below the current one (1.1.0 while 1.2.0 is current)."""
    current = tuple(map(int, feed.SCHEMA_VERSION.split(".")))
    versions = [tuple(map(int, d.name.split("."))) for d in PUBLISHED.iterdir() if d.is_dir()]
    older = sorted(v for v in versions if v[:1] == current[:1] and v < current)
    assert older, "no frozen schemas of an earlier 1.x version in generator/published/"
    return ".".join(map(str, older[-1]))


def frozen(name: str) -> Draft202012Validator:
    schema = json.loads((PUBLISHED / previous_minor() / name).read_bytes())
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def old_schema_of(name: str, document: dict[str, Any]) -> str | None:
    """The schema a file names, as a file name; None when the previous version had no such schema."""
    schema = posixpath.basename(document["$schema"])
    return schema if (PUBLISHED / previous_minor() / schema).is_file() else None


def test_the_frozen_schemas_are_published_unchanged_beside_the_current_ones() -> None:
    files = feed.feed_files(load(), feed.Links())
    version = previous_minor()
    frozen_files = {p.name: p.read_bytes() for p in (PUBLISHED / version).glob("*.schema.json")}
    assert frozen_files
    for name, data in frozen_files.items():
        assert files[f"{feed.SCHEMA_DIR}/{version}/{name}"] == data
        assert json.loads(data)["version"] == version


@pytest.mark.parametrize("root", [FEED_FIXTURE, EMBEDDED, RETIRED_FIXTURE], ids=["fixture", "embedded", "retired"])
def test_current_files_validate_against_the_previous_minor_versions_schemas(root: Path) -> None:
    checked = 0
    for name, data in sorted(export_files(load(root)).items()):
        if not name.endswith(".json") or name.startswith(f"{feed.SCHEMA_DIR}/") or name == "openapi.json":
            continue
        document = json.loads(data)
        if "$schema" not in document or (schema := old_schema_of(name, document)) is None:
            continue  # datapackage.json has none; tombstones and changes.json are new in 1.2.0
        errors = [f"{name}: {e.json_path}: {e.message}" for e in frozen(schema).iter_errors(document)]
        assert errors == []
        checked += 1
    catalogue = load(root)
    assert checked >= len(catalogue.procedures) + len(catalogue.agencies) + 5


def test_a_record_with_a_field_added_later_validates_against_the_previous_minor_versions_schema() -> None:
    record = json.loads(feed.feed_files(load(), feed.Links())[feed.procedure_file("1.001193")])
    record["future_field"] = {"note": "thêm trong một phiên bản 1.x sau"}
    record["channels"][0]["future_channel_field"] = True
    assert frozen("procedure.schema.json").is_valid(record)
    record["service_level"] = 9  # the old schema still enforces its constraints
    assert not frozen("procedure.schema.json").is_valid(record)
