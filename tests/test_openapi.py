"""openapi.json: an OpenAPI 3.1 description of the static feed that a validator accepts and the files match."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi

from generator import feed, openapi
from generator.exports import export_files

from .catalogues import RETIRED_FIXTURE, load

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "feed" / "catalogue"


def files(site_url: str | None = None) -> dict[str, bytes]:
    return export_files(load(FIXTURE), site_url=site_url)


def test_the_openapi_description_is_valid_openapi_3_1() -> None:
    for site_url in (None, "https://tthc.example.gov.vn/"):
        document = json.loads(files(site_url)[openapi.OPENAPI_FILE])
        assert document["openapi"] == "3.1.0"
        validate_openapi(document)


def test_every_file_of_the_feed_has_a_path_and_its_json_matches_the_schema_referenced() -> None:
    exported = files()
    document = json.loads(exported[openapi.OPENAPI_FILE])
    agency = next(iter(load(FIXTURE).agencies))
    concrete = {p.replace("{code}", "1.001193").replace("{id}", agency): p for p in document["paths"]}
    checked = 0
    for path, template in concrete.items():
        name = path.lstrip("/")
        assert name in exported, name
        content = document["paths"][template]["get"]["responses"]["200"]["content"]
        body = content.get("application/json", {}).get("schema", {})
        if "$ref" not in body and "anyOf" not in body:
            continue
        errors = list(Draft202012Validator({**body, "components": document["components"]})
                      .iter_errors(json.loads(exported[name])))
        assert errors == [], (name, errors[:1])
        checked += 1
    assert checked == len(openapi.JSON_PATHS)
    described = {p.lstrip("/") for p in concrete}
    kinds = {n for n in exported if "/" not in n or n.startswith(("procedures/", "agencies/"))}
    undescribed = {n for n in kinds - described if not n.startswith(("procedures/", "agencies/"))}
    assert undescribed == {openapi.OPENAPI_FILE}, undescribed


def test_the_description_is_in_the_manifest_with_its_hash() -> None:
    exported = files()
    manifest = json.loads(exported[feed.MANIFEST])
    hashes = {f["name"]: f["sha256"] for f in manifest["files"]}
    assert hashes[openapi.OPENAPI_FILE] == feed.sha256(exported[openapi.OPENAPI_FILE])


def test_a_tombstone_matches_the_procedure_path_and_a_record_in_force_is_no_tombstone() -> None:
    exported = export_files(load(RETIRED_FIXTURE))
    document = json.loads(exported[openapi.OPENAPI_FILE])
    body = document["paths"]["/procedures/{code}.json"]["get"]["responses"]["200"]["content"]["application/json"]
    procedure_schema = {**body["schema"], "components": document["components"]}
    tombstone_schema = {"$ref": "#/components/schemas/TombstoneFile", "components": document["components"]}
    tombstone = json.loads(exported[feed.procedure_file("1.000001")])
    assert list(Draft202012Validator(procedure_schema).iter_errors(tombstone)) == []
    in_force = json.loads(exported[feed.procedure_file("1.001193")])
    assert not Draft202012Validator(tombstone_schema).is_valid(in_force)
