"""portal.json: our model with camelCase keys of our own (not the national portal's API), field for field, valid against its schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from generator import feed, models, portal

from .catalogues import load

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "feed" / "catalogue"
EMBEDDED = ROOT / "catalogue"


def exported(root: Path = FIXTURE) -> dict[str, Any]:
    files = portal.portal_files(load(root), feed.Links())
    return {name: json.loads(data) for name, data in files.items()}


# Each field of our procedure → the portal keys that carry it ("field for field").
FIELD_MAP: dict[str, str] = {
    "code": "code", "name": "name", "decision": "decisionNumber", "procedure_type": "procedureType",
    "agency": "agency", "other_agencies": "otherAgencies", "tiers": "implementationLevels", "field": "field",
    "service_level": "serviceLevel", "service_level_derived": "serviceLevelDerived", "subjects": "subjects",
    "description": "description", "channels": "executionMethods", "document_cases": "executionCases",
    "forms": "forms", "steps": "steps", "results": "results", "requirements": "requirements",
    "legal_basis": "legalBases", "online": "nationalPortal, onlinePayment, postal", "roadmap": "roadmap",
    "life_events": "lifeEvents", "keywords": "keywords", "competent_authority": "competentAuthority",
    "source_url": "sourceUrl", "review": "reviewNeeded", "updated": "updated",
    "coordinating_agencies": "coordinatingAgencies", "authorised_agencies": "authorisedAgencies",
    "reception_address": "receptionAddress", "related_procedures": "relatedProcedures", "captured": "captured",
}


def record(code: str) -> dict[str, Any]:
    return next(p for p in exported()[portal.PORTAL_FILE]["procedures"] if p["code"] == code)


@pytest.mark.parametrize("root", [FIXTURE, EMBEDDED], ids=["fixture", "embedded"])
def test_portal_json_is_valid_against_its_published_schema(root: Path) -> None:
    files = exported(root)
    document = files[portal.PORTAL_FILE]
    assert document["$schema"] == feed.schema_path("portal.schema.json")
    validator = Draft202012Validator(files[feed.schema_path("portal.schema.json")],
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(document)] == []
    assert len(document["procedures"]) == len(load(root).procedures)


ONLINE_KEYS = {"national_portal": "nationalPortal", "online_payment": "onlinePayment", "postal": "postal"}


def filled_pairs(procedure: models.Procedure) -> list[tuple[str, str]]:
    """(model field, portal key) for each value this procedure gives."""
    pairs = [(name, key) for name, keys in FIELD_MAP.items() if name != "online"
             for key in keys.split(", ") if getattr(procedure, name) not in (None, [], "")]
    return pairs + [("online", key) for part, key in ONLINE_KEYS.items() if getattr(procedure.online, part) is not None]


def test_every_field_of_the_model_that_a_procedure_fills_reaches_its_portal_keys() -> None:
    # portal.json holds procedures in force only: `retired` never has a value there.
    assert set(FIELD_MAP) == set(models.Procedure.model_fields) - {"retired"}
    filled: set[str] = set()
    for root in (FIXTURE, EMBEDDED):
        records = {r["code"]: r for r in exported(root)[portal.PORTAL_FILE]["procedures"]}
        for procedure in load(root).each():
            for name, key in filled_pairs(procedure):
                filled.add(name)
                assert records[procedure.code][key] not in (None, [], ""), (procedure.code, name, key)
    assert filled == set(FIELD_MAP)  # the two catalogues fill every field somewhere, so none goes unchecked


def test_channels_become_execution_methods_with_portal_codes() -> None:
    methods = record("2.000488")["executionMethods"]
    assert [m["submissionMethod"] for m in methods] == ["DIRECT", "ONLINE", "POSTAL"]
    assert (methods[0]["processingTime"], methods[0]["processingTimeMax"], methods[0]["processingTimeUnit"]) == \
        (10, 15, "WORKING_DAY")
    assert (methods[1]["processingTime"], methods[1]["processingTimeUnit"]) == (1.5, "HOUR")
    assert methods[2]["processingTimeUnit"] == "MONTH"
    assert methods[1]["url"] == "https://lltptructuyen.moj.gov.vn/"
    assert methods[0]["fees"] == [
        {"type": "SERVICE_FEE", "amount": 200000, "maxAmount": None, "currency": "VND", "unit": "lần",
         "description": None},
        {"type": "SERVICE_FEE", "amount": 100000, "maxAmount": None, "currency": "VND", "unit": None,
         "description": "Sinh viên, người có công với cách mạng"},
        {"type": "PRICE_LEVEL", "amount": 5000, "maxAmount": 20000, "currency": "VND", "unit": "trang",
         "description": "=Bản in thêm"},
    ]


def test_fee_kinds_and_currencies_map_to_the_portal_codes() -> None:
    fees = record("1.000001")["executionMethods"][0]["fees"]
    assert [(f["type"], f["amount"], f["currency"]) for f in fees] == [("FEE", 200000, "VND"), ("FEE", 10, "USD")]


def test_same_day_has_no_portal_unit_and_says_so_in_the_note() -> None:
    direct = record("1.001193")["executionMethods"][1]
    assert (direct["processingTime"], direct["processingTimeUnit"], direct["processingTimeNote"]) == \
        (None, None, "Trong ngày")


def test_a_time_given_only_as_a_note_stays_a_note() -> None:
    method = record("2.000999")["executionMethods"][0]
    assert (method["processingTime"], method["processingTimeUnit"], method["processingTimeNote"]) == \
        (None, None, "Theo lịch tiếp công dân")


def test_document_cases_become_execution_cases_with_profile_components() -> None:
    cases = record("2.000488")["executionCases"]
    assert [c["name"] for c in cases] == ["Trường hợp cá nhân tự nộp", "Trường hợp ủy quyền"]
    first, second = cases[0]["profileComponents"]
    assert (first["originalQty"], first["copyQty"], first["required"]) == (1, None, True)
    assert first["attachments"] == [{
        "name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "code": "Mẫu số 03/2013/TT-LLTP", "url": None,
        "fileUrl": "../../bieu-mau/bo-tu-phap/to-khai-ly-lich-tu-phap.docx", "fileNames": [],
    }]
    assert (second["originalQty"], second["copyQty"], second["required"], second["attachments"]) == (None, 1, False, [])
    assert second["description"] == "Xuất trình bản chính để đối chiếu"


def test_legal_bases_results_and_header_fields_are_carried_over() -> None:
    item = record("2.000488")
    assert item["legalBases"] == [
        {"number": "28/2009/QH12", "name": "Luật Lý lịch tư pháp", "issuedDate": "2009-06-17", "issuer": "Quốc hội"},
        {"number": None, "name": "Thông tư hướng dẫn về lý lịch tư pháp", "issuedDate": None, "issuer": None},
    ]
    assert item["results"] == [{"name": "Phiếu lý lịch tư pháp số 1", "code": None}]
    assert item["agency"] == {"code": "bo-tu-phap", "name": "Bộ Tư pháp"}
    assert item["onlineServiceType"] == {"code": "mot-phan", "name": "Dịch vụ công trực tuyến một phần"}
    assert (item["nationalPortal"], item["onlinePayment"], item["postal"]) == (True, False, None)
    assert item["decisionNumber"] == "2048/QĐ-BTP"
    assert item["reviewNeeded"] == ["channels"]
    assert [f["name"] for f in item["forms"]] == ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Hướng dẫn điền tờ khai"]


def test_every_channel_fee_and_document_of_the_catalogue_is_in_the_export() -> None:
    catalogue = load(FIXTURE)
    procedures = {p["code"]: p for p in exported()[portal.PORTAL_FILE]["procedures"]}
    for p in catalogue.each():
        item = procedures[p.code]
        assert [len(m["fees"]) for m in item["executionMethods"]] == [len(c.fees) for c in p.channels]
        assert [len(c["profileComponents"]) for c in item["executionCases"]] == [len(c.documents) for c in p.document_cases]


def test_a_fee_the_source_does_not_call_phi_or_le_phi_has_no_portal_type() -> None:
    channel = models.Channel(kind=models.ChannelKind.TRUC_TIEP, fees=[models.Fee(amount=5000)])
    assert portal.execution_method(channel)["fees"][0]["type"] is None


def test_each_record_is_exactly_its_model_dumped() -> None:
    # The records are built as plain values for speed: they must be what the published model gives.
    for catalogue in (load(), load(FIXTURE)):
        for p in catalogue.each():
            record = portal.procedure(p, catalogue, feed.Links("https://example.test/"))
            assert portal.PortalProcedure.model_validate(record).model_dump(mode="json") == record
