"""catalogue.jsonld against the official CPSV-AP 3.2.0 SHACL shapes (pyshacl), and its mapping."""

from __future__ import annotations

import json
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import pyshacl
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from generator import cpsv, feed, models

from .catalogues import load

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "feed" / "catalogue"
EMBEDDED = ROOT / "catalogue"
SHAPES = ROOT / "standards" / "cpsv-ap-3.2.0" / "cpsv-ap-SHACL.ttl"
# Where the file would be served; relative IRIs resolve against it.
BASE = "https://tthc.example.gov.vn/api/v1/catalogue.jsonld"
CPSV = Namespace("http://purl.org/vocab/cpsv#")
CV = Namespace("http://data.europa.eu/m8g/")
DCT = Namespace("http://purl.org/dc/terms/")
SH = Namespace("http://www.w3.org/ns/shacl#")


@cache
def shapes() -> Graph:
    """The official shapes, parsed once per test session."""
    return Graph().parse(SHAPES, format="turtle")


def export(root: Path, site_url: str | None = None) -> bytes:
    return cpsv.jsonld_files(load(root), feed.Links(site_url))[cpsv.JSONLD_FILE]


def graph_of(data: bytes | str, base: str | None = BASE) -> Graph:
    # rdflib's own JSON-LD parser builds a ConjunctiveGraph, which rdflib 7.6 deprecates;
    # nothing in our code can change that, so only that warning is silenced, only here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=data, format="json-ld", publicID=base)


def violations(graph: Graph) -> list[str]:
    conforms, report, text = pyshacl.validate(graph, shacl_graph=shapes())
    assert isinstance(report, Graph)
    found = sorted(f"{report.value(r, SH.focusNode)} {report.value(r, SH.resultPath)}: {report.value(r, SH.resultMessage)}"
                   for r in report.subjects(RDF.type, SH.ValidationResult))
    assert conforms == (found == []), text
    return found


@pytest.mark.parametrize("root", [FIXTURE, EMBEDDED], ids=["fixture", "embedded"])
def test_the_whole_export_conforms_to_the_cpsv_ap_shapes(root: Path) -> None:
    graph = graph_of(export(root))
    assert violations(graph) == []
    services = set(graph.subjects(RDF.type, CPSV.PublicService))
    assert len(services) == len(load(root).procedures)


def test_the_shapes_do_report_a_broken_export() -> None:
    """A cost without identifier and a service without competent authority are violations."""
    document = json.loads(export(FIXTURE))
    for node in document["@graph"]:
        if node.get("@type") == "Cost":
            del node["identifier"]
        if node.get("@type") == "PublicService" and node["identifier"] == "1.001193":
            del node["hasCompetentAuthority"]
    found = violations(graph_of(json.dumps(document)))
    assert any("hasCompetentAuthority" in v and "thu-tuc/1.001193/" in v for v in found)
    assert sum("dc/terms/identifier" in v for v in found) == 7  # the fixture has seven fees


def test_the_context_is_inline_so_nothing_is_fetched() -> None:
    document = json.loads(export(FIXTURE))
    assert isinstance(document["@context"], dict)
    assert "@base" not in document["@context"]
    assert not any(isinstance(v, str) and v.endswith(".jsonld") for v in document["@context"].values())


def test_service_iris_are_the_procedure_pages_wherever_the_file_is_served() -> None:
    graph = graph_of(export(FIXTURE))
    service = URIRef("https://tthc.example.gov.vn/thu-tuc/1.001193/")
    assert (service, DCT.identifier, Literal("1.001193")) in graph
    assert (service, DCT.title, Literal("Đăng ký khai sinh", lang="vi")) in graph
    assert (service, CV.hasCompetentAuthority, URIRef("https://tthc.example.gov.vn/co-quan/ubnd-xa/")) in graph


def test_a_known_site_url_sets_the_base_so_iris_resolve_anywhere() -> None:
    document = json.loads(export(FIXTURE, "https://tthc.example.gov.vn/"))
    assert document["@context"]["@base"] == BASE
    graph = graph_of(json.dumps(document), base=None)
    assert (URIRef("https://tthc.example.gov.vn/thu-tuc/1.001193/"), RDF.type, CPSV.PublicService) in graph


def node(code: str, fragment: str = "") -> dict[str, Any]:
    iri = f"../../thu-tuc/{code}/{fragment}"
    document = json.loads(export(FIXTURE))
    return next(n for n in document["@graph"] if n["@id"] == iri)


def linked(code: str, link: str, index: int) -> dict[str, Any]:
    """The index-th node the service links under `link` (hasChannel, hasCost, ...)."""
    target = node(code)[link][index]
    return node(code, target.removeprefix(f"../../thu-tuc/{code}/"))


def test_fees_are_costs_of_their_channel_with_value_and_currency() -> None:
    cost = linked("2.000488", "hasCost", 0)
    assert cost["hasValue"] == 200000.0
    assert cost["currency"] == "http://publications.europa.eu/resource/authority/currency/VND"
    assert cost["ifAccessedThrough"] == linked("2.000488", "hasChannel", 0)["@id"]
    assert cost["@id"] == f"{cost['ifAccessedThrough']}-phi-{cost['@id'].rsplit('-phi-', 1)[1]}"
    assert cost["description"] == "Phí: 200.000 đồng/lần"


def test_a_fee_range_has_no_single_value_but_says_the_range() -> None:
    cost = linked("2.000488", "hasCost", 2)
    assert "hasValue" not in cost
    assert cost["description"] == "Giá: 5.000 – 20.000 đồng/trang (=Bản in thêm)"


def test_documents_results_conditions_and_laws_are_their_cpsv_classes() -> None:
    service = node("2.000488")
    assert len(service["hasInput"]) == 3
    assert all(iri.startswith("../../thu-tuc/2.000488/#ho-so-") for iri in service["hasInput"])
    evidence = linked("2.000488", "hasInput", 1)
    assert evidence["description"] == "Trường hợp: Trường hợp cá nhân tự nộp. Bản sao: 1. Không bắt buộc. " \
        "Xuất trình bản chính để đối chiếu"
    assert linked("2.000488", "produces", 0)["@type"] == "Output"
    assert linked("2.000488", "holdsRequirement", 0)["title"] == "Người yêu cầu từ đủ 14 tuổi trở lên."
    law = linked("2.000488", "hasLegalResource", 0)
    assert (law["@type"], law["identifier"], law["dateDocument"]) == ("LegalResource", "28/2009/QH12", "2009-06-17")
    assert linked("2.000488", "hasLegalResource", 1)["identifier"].startswith("2.000488-can-cu-")


def test_a_service_without_description_is_described_from_its_record() -> None:
    assert node("2.000999")["description"] == (
        "Cung cấp thông tin về mẫu giấy tờ. Thủ tục hành chính mã 2.000999, lĩnh vực Hộ tịch, do Bộ Tư pháp thực hiện."
    )


def test_working_days_are_kept_in_the_channel_description() -> None:
    channel = linked("2.000488", "hasChannel", 0)
    assert "processingTime" not in channel
    assert channel["description"] == (
        "Trực tiếp. Thời hạn giải quyết: 10 – 15 ngày làm việc (Trường hợp phải xác minh thì không quá 15 ngày)"
    )
    assert linked("2.000488", "hasChannel", 1)["processingTime"] == "PT1H30M"


def test_a_fee_the_source_does_not_call_phi_or_le_phi_gets_no_type_and_says_both() -> None:
    node = cpsv.cost_node("../../thu-tuc/1.000001/", "1.000001", 1, 1, models.Fee(amount=5000))
    assert "type" not in node
    assert node["description"] == "Phí, lệ phí: 5.000 đồng"


def test_sub_entity_iris_survive_inserting_a_row() -> None:
    procedure = load(FIXTURE).full("2.000488")
    before = {n["@id"] for n in cpsv.service_nodes(procedure, load(FIXTURE))}
    case = procedure.document_cases[0]
    inserted = models.Document(name="Giấy tờ mới chèn lên đầu")
    changed = procedure.model_copy(update={
        "document_cases": [case.model_copy(update={"documents": [inserted, *case.documents]}),
                           *procedure.document_cases[1:]],
        "legal_basis": [models.LegalBasis(title="Văn bản mới chèn lên đầu"), *procedure.legal_basis],
    })
    after = {n["@id"] for n in cpsv.service_nodes(changed, load(FIXTURE))}
    assert before <= after
    assert len(after - before) == 2
