"""The JSON feed v1: round trip into the models, published schemas, manifest, determinism."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator

from generator import feed, models
from generator.exports import export_files
from generator.validate import validate

from .catalogues import RETIRED_FIXTURE, load

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "feed" / "catalogue"
EMBEDDED = ROOT / "catalogue"


def files_of(root: Path, site_url: str | None = None) -> dict[str, bytes]:
    """The JSON feed and its manifest."""
    return export_files(load(root), ["json"], site_url)


def parsed(data: bytes) -> Any:
    return json.loads(data.decode("utf-8"))


def load_procedures(records: list[dict[str, Any]]) -> list[models.Procedure]:
    """What a consumer does: read feed records back into the models, without what the feed added."""
    return [
        models.Procedure.model_validate_json(json.dumps({k: v for k, v in r.items() if k not in ("derived", "$schema")}))
        for r in records
    ]


@pytest.mark.parametrize("root", [FIXTURE, EMBEDDED], ids=["fixture", "embedded"])
def test_catalogue_json_loads_back_into_the_same_catalogue(root: Path) -> None:
    catalogue = load(root)
    whole = parsed(files_of(root)["catalogue.json"])
    assert load_procedures(whole["procedures"]) == list(catalogue.each())

    def strip(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in item.items() if k != "derived"} for item in items]

    assert [models.Agency.model_validate_json(json.dumps(a)) for a in strip(whole["agencies"])] == \
        sorted(catalogue.agencies.values(), key=lambda a: a.id)
    assert [models.FieldOfWork.model_validate_json(json.dumps(f)) for f in strip(whole["fields"])] == \
        sorted(catalogue.fields.values(), key=lambda f: f.id)
    assert [models.LifeEvent.model_validate_json(json.dumps(e)) for e in strip(whole["life_events"])] == \
        sorted(catalogue.life_events.values(), key=lambda e: e.id)
    assert whole["counts"]["procedures"] == len(catalogue.procedures)


@pytest.mark.parametrize("root", [FIXTURE, EMBEDDED], ids=["fixture", "embedded"])
def test_each_procedure_file_loads_back_into_its_procedure(root: Path) -> None:
    files = files_of(root)
    for procedure in load(root).each():
        record = parsed(files[feed.procedure_file(procedure.code)])
        assert load_procedures([record]) == [procedure]


def test_the_record_is_the_models_own_json_plus_derived() -> None:
    procedure = load(FIXTURE).full("2.000488")
    record = parsed(files_of(FIXTURE)[feed.procedure_file("2.000488")])
    # `retired` is null in every record in force (a retired code is a tombstone), so it is left out.
    assert set(record) == set(models.Procedure.model_fields) - {"retired"} | {"$schema", "derived"}
    assert record["derived"] == {"category": "mot-phan", "url": "../../thu-tuc/2.000488/"}
    assert record["channels"][0]["fees"][2] == procedure.channels[0].fees[2].model_dump(mode="json")


@pytest.mark.parametrize("root", [FIXTURE, EMBEDDED, RETIRED_FIXTURE], ids=["fixture", "embedded", "retired"])
def test_every_feed_file_is_valid_against_the_schema_its_dollar_schema_names(root: Path) -> None:
    files = files_of(root)
    validators: dict[str, Draft202012Validator] = {}
    checked = 0
    for name, data in sorted(files.items()):
        if not name.endswith(".json") or name.startswith(f"{feed.SCHEMA_DIR}/") or name == "openapi.json":
            continue
        document = parsed(data)
        schema_name = posixpath.normpath(posixpath.join(posixpath.dirname(name), document["$schema"]))
        if schema_name not in validators:
            schema = parsed(files[schema_name])
            Draft202012Validator.check_schema(schema)
            validators[schema_name] = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors = [f"{name}: {e.json_path}: {e.message}" for e in validators[schema_name].iter_errors(document)]
        assert errors == []
        checked += 1
    catalogue = load(root)
    assert checked == len(catalogue.by_code) + len(catalogue.agencies) + 6
    # Every schema of the current version is used, but the tombstone's only when a code is retired.
    assert len(validators) == len(feed.FEED_SCHEMAS) - (not catalogue.retired)


def test_a_schema_catches_a_record_that_breaks_the_contract() -> None:
    files = files_of(FIXTURE)
    schema = parsed(files[feed.schema_path("procedure.schema.json")])
    record = parsed(files[feed.procedure_file("1.001193")])
    record["service_level"] = 5
    record["channels"][0]["kind"] = "fax"
    errors = {e.json_path for e in Draft202012Validator(schema).iter_errors(record)}
    assert errors == {"$.service_level", "$.channels[0].kind"}


def test_manifest_gives_the_url_sha256_and_updated_of_every_procedure_file() -> None:
    files = files_of(FIXTURE)
    manifest = parsed(files["manifest.json"])
    catalogue = load(FIXTURE)
    assert [e["code"] for e in manifest["procedures"]] == [p.code for p in catalogue.procedures]
    for entry in manifest["procedures"]:
        name = feed.procedure_file(entry["code"])
        assert entry["url"] == name
        assert entry["sha256"] == feed.sha256(files[name])
        assert entry["updated"] == catalogue.by_code[entry["code"]].updated.isoformat()
    assert {f["name"]: f["sha256"] for f in manifest["files"]}["catalogue.json"] == feed.sha256(files["catalogue.json"])


def test_two_builds_of_the_same_catalogue_are_byte_identical() -> None:
    first = files_of(FIXTURE)
    again, problems = validate(FIXTURE)
    assert again is not None, problems
    assert export_files(again, ["json"]) == first


def test_every_json_file_is_sorted_compact_utf8_with_a_final_newline() -> None:
    for name, data in files_of(FIXTURE).items():
        if name.startswith(f"{feed.SCHEMA_DIR}/") or not name.endswith(".json"):
            continue
        assert data == feed.dumps(parsed(data)), name
        assert "Đăng ký khai sinh".encode() in data or name != "catalogue.json"


def test_build_date_is_source_date_epoch_else_the_newest_updated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert parsed(files_of(FIXTURE)["catalogue.json"])["generated"] == "2026-10-01"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    assert parsed(files_of(FIXTURE)["manifest.json"])["generated"] == "2026-09-21"


def test_procedure_files_do_not_change_when_only_the_build_date_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    early = files_of(FIXTURE)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    late = files_of(FIXTURE)
    changed = {name for name in early if early[name] != late[name]}
    agency_files = {feed.agency_file(a) for a in load(FIXTURE).agencies}
    assert changed == {"catalogue.json", "agencies.json", "fields.json", "changelog.json", "manifest.json",
                       "changes.json", "changes.atom"} | agency_files


def test_urls_are_site_relative_and_absolute_once_the_site_url_is_known() -> None:
    files = files_of(FIXTURE, "https://tthc.example.gov.vn/")
    record = parsed(files[feed.procedure_file("1.001193")])
    assert record["derived"]["url"] == "https://tthc.example.gov.vn/thu-tuc/1.001193/"
    manifest = parsed(files["manifest.json"])
    assert manifest["site_url"] == "https://tthc.example.gov.vn/"
    assert manifest["procedures"][0]["url"] == "https://tthc.example.gov.vn/api/v1/procedures/1.000001.json"


def test_agencies_fields_and_life_events_count_their_procedures() -> None:
    whole = parsed(files_of(FIXTURE)["catalogue.json"])
    agencies = {a["id"]: a["derived"] for a in whole["agencies"]}
    assert agencies["bo-tu-phap"] == {"procedures": 2, "url": "../../co-quan/bo-tu-phap/"}
    assert {f["id"]: f["derived"]["procedures"] for f in whole["fields"]} == {"ho-tich": 3, "xuat-nhap-canh": 1}
    assert whole["life_events"][0]["derived"] == {"procedures": 1, "url": "../../su-kien/sinh-con/"}


def test_changelog_states_the_versions_and_the_deprecation_period() -> None:
    changelog = parsed(files_of(FIXTURE)["changelog.json"])
    assert changelog["deprecation_months"] == 12
    assert changelog["versions"][-1]["version"] == feed.SCHEMA_VERSION == changelog["schema_version"]


SMALL_FLOATS = [0.00001, 2.5e-7, -3e-9, 9.99e-5, -0.0000999, 5e-324, [1, 2, 1e-7], {"a": {"b": [0.5, "x", -4e-5]}},
                {"le-phi": 1.5e-9}, ["766e-8604", 3e-6], [[1e-300]], 10.00001, 1e-4]
FLOAT_LOOKING_TEXT = ["e-mail 1e-5 0.00001", "019d2bf7-766e-8604", {"url": "a/1e-5", "tỷ lệ": "0.00001%"},
                      ["le-phi", "x1e-2"], {"k-0.0000": "-7e-3 là số"}]


@pytest.mark.parametrize("value", [0.5, 100.0, 1e15, 1e16, 10**30, "\x00\x1f\x7f\u2028đ\"\\",
                                   {"b": [1, None, True], "a": {"đ": 1, "d": 2}}, *SMALL_FLOATS, *FLOAT_LOOKING_TEXT])
def test_every_value_is_encoded_byte_for_byte_as_json_dumps_would(value: object) -> None:
    from generator.streams import encode  # noqa: PLC0415

    expected = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert encode(value) == expected


def test_only_numbers_not_text_that_looks_like_one_send_a_value_to_json_dumps() -> None:
    """orjson and json.dumps differ in small floats only; text such as a UUID's "766e-8604" keeps orjson's speed."""
    from generator.streams import _small_float  # noqa: PLC0415

    assert all(_small_float(orjson.dumps(v)) for v in SMALL_FLOATS if v not in (10.00001, 1e-4))
    assert _small_float(orjson.dumps(10.00001))  # looks like one: written by json.dumps, the same bytes
    assert not _small_float(orjson.dumps(1e-4))
    assert not any(_small_float(orjson.dumps(v)) for v in FLOAT_LOOKING_TEXT)
