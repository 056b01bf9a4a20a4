"""catalogue.jsonld: the catalogue in CPSV-AP 3.2.0, Europe's vocabulary for public services.

Each procedure is a cpsv:PublicService with its agency as competent
authority (cv:PublicOrganisation), its ways of submission (cv:Channel),
fees (cv:Cost), documents (cv:Evidence), results (cv:Output), conditions
(cv:Requirement), legal basis (eli:LegalResource) and life events
(cv:LifeEvent). The export conforms to the official SHACL shapes in
standards/cpsv-ap-3.2.0/ and carries its @context inline, so nothing is
fetched to read it.

Identifiers are IRIs relative to the file (api/v1/catalogue.jsonld): the
service IRI is its page, `../../thu-tuc/<code>/`, which resolves to the
page wherever the site is served. When the site's URL is known the context
sets @base, so they resolve even when the file is read elsewhere. Text is
Vietnamese (the context's default @language "vi").

What CPSV-AP cannot say exactly is kept as text: xsd:duration has no
working days, so such a processing time goes into the channel's
description only; a fee range has no single cv:hasValue.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from . import models, wording
from .catalogue import Catalogue
from .feed import FEED_DIR, Links, dumps
from .site_urls import Kind, procedure_url, url_of
from .wording import NO_AGENCY

JSONLD_FILE = "catalogue.jsonld"
# EU authority tables (Publications Office): real IRIs for the country and currencies.
VIET_NAM = "http://publications.europa.eu/resource/authority/country/VNM"
CURRENCY_IRI = "http://publications.europa.eu/resource/authority/currency/"
CURRENCY_LABELS = {models.Currency.VND: "Đồng Việt Nam", models.Currency.USD: "Đô la Mỹ"}
TO_SITE_ROOT = "../../"  # from api/v1/catalogue.jsonld to the site root

Node = dict[str, Any]
NO_AGENCY_IRI = "#co-quan-chua-ghi"  # stands for "the source names no implementing body", nothing more


def _ref(term: str, kind: str = "@id") -> dict[str, str]:
    return {"@id": term, "@type": kind}


CONTEXT: dict[str, Any] = {
    "@language": "vi",
    "cpsv": "http://purl.org/vocab/cpsv#",
    "cv": "http://data.europa.eu/m8g/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "PublicService": "cpsv:PublicService",
    "PublicOrganisation": "cv:PublicOrganisation",
    "Channel": "cv:Channel",
    "Cost": "cv:Cost",
    "Evidence": "cv:Evidence",
    "Output": "cv:Output",
    "Requirement": "cv:Requirement",
    "LegalResource": "eli:LegalResource",
    "Event": "cv:Event",
    "LifeEvent": "cv:LifeEvent",
    "Concept": "skos:Concept",
    "Location": "dct:Location",
    "identifier": {"@id": "dct:identifier", "@language": None},
    "title": "dct:title",
    "description": "dct:description",
    "keyword": "dcat:keyword",
    "prefLabel": "skos:prefLabel",
    "notation": {"@id": "skos:notation", "@language": None},
    "spatial": _ref("dct:spatial"),
    "type": _ref("dct:type"),
    "audience": _ref("dct:audience"),
    "hasCompetentAuthority": _ref("cv:hasCompetentAuthority"),
    "thematicArea": _ref("cv:thematicArea"),
    "isClassifiedBy": _ref("cv:isClassifiedBy"),
    "hasChannel": _ref("cv:hasChannel"),
    "hasCost": _ref("cv:hasCost"),
    "ifAccessedThrough": _ref("cv:ifAccessedThrough"),
    "currency": _ref("cv:currency"),
    "hasInput": _ref("cpsv:hasInput"),
    "produces": _ref("cpsv:produces"),
    "holdsRequirement": _ref("cv:holdsRequirement"),
    "hasLegalResource": _ref("cv:hasLegalResource"),
    "isGroupedBy": _ref("cv:isGroupedBy"),
    "landingPage": _ref("dcat:landingPage"),
    "processingTime": _ref("cv:processingTime", "xsd:duration"),
    "hasValue": _ref("cv:hasValue", "xsd:double"),
    "dateDocument": _ref("eli:date_document", "xsd:date"),
}


def jsonld_files(catalogue: Catalogue, links: Links) -> dict[str, bytes]:
    """The CPSV-AP export, by path inside api/v1/."""
    return {JSONLD_FILE: dumps(document(catalogue, links))}


def document(catalogue: Catalogue, links: Links) -> dict[str, Any]:
    """The whole JSON-LD document: vocabularies, agencies, life events, then each service's nodes."""
    context = dict(CONTEXT)
    if links.site_url:
        context["@base"] = links.url(f"{FEED_DIR}/{JSONLD_FILE}")
    graph: list[Node] = [*concepts(catalogue), *organisations(catalogue), *life_events(catalogue)]
    for procedure in catalogue.each():
        graph.extend(service_nodes(procedure, catalogue))
    return {"@context": context, "@graph": graph}


def service_nodes(procedure: models.Procedure, catalogue: Catalogue) -> list[Node]:
    """One procedure's nodes, the PublicService first: what a docs example shows.

    A sub-entity's fragment comes from what identifies it (a channel's kind,
    a document's case and name, a law's number), not from its position, so
    inserting a row renames nothing else.
    """
    iri = _site(procedure_url(procedure.code))
    code = procedure.code
    channel_keys = keyed("kenh", [c.kind.value for c in procedure.channels])
    channels = [channel_node(iri, code, key, c) for key, c in zip(channel_keys, procedure.channels, strict=True)]
    costs = [
        cost_node(iri, code, channel_key, fee_key, fee)
        for channel_key, channel in zip(channel_keys, procedure.channels, strict=True)
        for fee_key, fee in zip(keyed(f"{channel_key}-phi", [_fee_identity(f) for f in channel.fees]),
                                channel.fees, strict=True)
    ]
    pairs = [(case, doc) for case in procedure.document_cases for doc in case.documents]
    evidence = [
        evidence_node(iri, code, key, case, doc)
        for key, (case, doc) in zip(keyed("ho-so", [f"{c.case}\n{d.name}" for c, d in pairs]), pairs, strict=True)
    ]
    outputs = [_titled(iri, "Output", key, r.code or f"{code}-{key}", r.name)
               for key, r in zip(keyed("ket-qua", [r.code or r.name for r in procedure.results]),
                                 procedure.results, strict=True)]
    requirements = [_titled(iri, "Requirement", key, f"{code}-{key}", text)
                    for key, text in zip(keyed("yeu-cau", procedure.requirements), procedure.requirements, strict=True)]
    legal = [legal_node(iri, code, key, law)
             for key, law in zip(keyed("can-cu", [b.number or b.title for b in procedure.legal_basis]),
                                 procedure.legal_basis, strict=True)]
    service = service_node(procedure, catalogue, iri) | _links({
        "hasChannel": channels, "hasCost": costs, "hasInput": evidence, "produces": outputs,
        "holdsRequirement": requirements, "hasLegalResource": legal,
    })
    return [service, *channels, *costs, *evidence, *outputs, *requirements, *legal]


def keyed(prefix: str, identities: list[str]) -> list[str]:
    """Fragments from each item's identity: 'kenh-truc-tiep' when the identity is a slug,
    else prefix + 10 hex of its SHA-256; a repeated identity gets -2, -3 in order."""
    seen: dict[str, int] = {}
    out = []
    for identity in identities:
        base = f"{prefix}-{identity}" if models.is_slug(identity) and len(identity) <= 40 else \
            f"{prefix}-{hashlib.sha256(identity.encode('utf-8')).hexdigest()[:10]}"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return out


def _fee_identity(fee: models.Fee) -> str:
    """What names a fee (its kind, unit and note), so a new amount keeps its IRI."""
    return json.dumps([fee.kind.value if fee.kind else None, fee.currency.value, fee.per, fee.note],
                      ensure_ascii=False)


def service_node(procedure: models.Procedure, catalogue: Catalogue, iri: str) -> Node:
    node: Node = {
        "@id": iri,
        "@type": "PublicService",
        "identifier": procedure.code,
        "title": procedure.name,
        "description": procedure.description or fallback_description(procedure, catalogue),
        "thematicArea": _site(url_of(Kind.FIELD, procedure.field)),
        "isClassifiedBy": [_site(url_of(Kind.LEVEL, str(procedure.service_level))), f"#loai-{procedure.category.value}"],
        "landingPage": iri,
    }
    # CPSV-AP requires a competent authority: where the source names none, the one node saying so.
    node["hasCompetentAuthority"] = _site(url_of(Kind.AGENCY, procedure.agency)) if procedure.agency else NO_AGENCY_IRI
    if procedure.subjects:
        node["audience"] = [f"#doi-tuong-{s.value}" for s in procedure.subjects]
    if procedure.keywords:
        node["keyword"] = list(procedure.keywords)
    if procedure.life_events:
        node["isGroupedBy"] = [_site(url_of(Kind.LIFE_EVENT, e)) for e in procedure.life_events]
    return node


def fallback_description(procedure: models.Procedure, catalogue: Catalogue) -> str:
    """CPSV-AP requires a description; without one in the record, say what the record says."""
    field = catalogue.fields[procedure.field].name
    text = f"{procedure.name}. Thủ tục hành chính mã {procedure.code}, lĩnh vực {field}"
    if procedure.agency is None:
        return f"{text}. {NO_AGENCY}."
    return f"{text}, do {catalogue.agencies[procedure.agency].name} thực hiện."


def channel_node(service: str, code: str, key: str, channel: models.Channel) -> Node:
    node: Node = {
        "@id": f"{service}#{key}",
        "@type": "Channel",
        "identifier": f"{code}-{key}",
        "type": f"#kenh-{channel.kind.value}",
    }
    duration = wording.iso_duration(channel.processing_time)
    if duration is not None:
        node["processingTime"] = duration
    text = [models.CHANNEL_LABELS[channel.kind]]
    if channel.processing_time is not None:
        text.append(f"Thời hạn giải quyết: {wording.duration_line(channel.processing_time)}")
    text.extend(t for t in (channel.note, channel.url) if t)
    node["description"] = ". ".join(text)
    return node


def cost_node(service: str, code: str, channel: str, key: str, fee: models.Fee) -> Node:
    node: Node = {
        "@id": f"{service}#{key}",
        "@type": "Cost",
        "identifier": f"{code}-{key}",
        "currency": CURRENCY_IRI + fee.currency.value,
        "ifAccessedThrough": f"{service}#{channel}",
        "description": wording.fee_line(fee),
    }
    if fee.kind is not None:  # absent when the source does not say phí or lệ phí
        node["type"] = f"#phi-{fee.kind.value}"
    if fee.max_amount is None and fee.amount is not None:
        node["hasValue"] = float(fee.amount)
    return node


def evidence_node(service: str, code: str, key: str, case: models.DocumentCase, doc: models.Document) -> Node:
    """A document to bring, identified as '<code>-<key>'."""
    node = _titled(service, "Evidence", key, f"{code}-{key}", doc.name)
    text = [f"Trường hợp: {case.case}"] if case.case else []
    text += [f"{label}: {n}" for label, n in (("Bản chính", doc.originals), ("Bản sao", doc.copies)) if n is not None]
    if doc.required is not None:
        text.append("Bắt buộc" if doc.required else "Không bắt buộc")
    if doc.note:
        text.append(doc.note)
    if text:
        node["description"] = ". ".join(text)
    return node


def legal_node(service: str, code: str, key: str, law: models.LegalBasis) -> Node:
    node = _titled(service, "LegalResource", key, law.number or f"{code}-{key}", law.title)
    if law.issued is not None:
        node["dateDocument"] = law.issued.isoformat()
    if law.issuer:
        node["description"] = f"Cơ quan ban hành: {law.issuer}"
    return node


def _titled(service: str, kind: str, fragment: str, identifier: str, title: str) -> Node:
    return {"@id": f"{service}#{fragment}", "@type": kind, "identifier": identifier, "title": title}


def _links(groups: dict[str, list[Node]]) -> Node:
    return {key: [n["@id"] for n in nodes] for key, nodes in groups.items() if nodes}


def _site(path: str) -> str:
    return TO_SITE_ROOT + path


# --- Shared nodes: agencies, life events, and the concepts services point to


def organisations(catalogue: Catalogue) -> list[Node]:
    """Every agency as a PublicOrganisation in Viet Nam, and Viet Nam as its Location."""
    nodes: list[Node] = [{"@id": VIET_NAM, "@type": "Location", "prefLabel": "Việt Nam"}]
    for key, agency in sorted(catalogue.agencies.items()):
        nodes.append({
            "@id": _site(url_of(Kind.AGENCY, key)), "@type": "PublicOrganisation",
            "identifier": key, "prefLabel": agency.name, "spatial": VIET_NAM,
        })
    if any(p.agency is None for p in catalogue.procedures):
        nodes.append({"@id": NO_AGENCY_IRI, "@type": "PublicOrganisation", "prefLabel": NO_AGENCY,
                      "spatial": VIET_NAM})
    return nodes


def life_events(catalogue: Catalogue) -> list[Node]:
    return [
        {"@id": _site(url_of(Kind.LIFE_EVENT, key)), "@type": ["Event", "LifeEvent"], "identifier": key,
         "title": event.name} | ({"description": event.description} if event.description else {})
        for key, event in sorted(catalogue.life_events.items())
    ]


def concepts(catalogue: Catalogue) -> list[Node]:
    """The code lists services refer to, each value a skos:Concept with its Vietnamese label."""
    pairs: list[tuple[str, str, str]] = [
        *((f"#kenh-{k.value}", k.value, label) for k, label in models.CHANNEL_LABELS.items()),
        *((f"#phi-{k.value}", k.value, label) for k, label in models.FEE_LABELS.items() if k is not None),
        *((f"#doi-tuong-{k.value}", k.value, label) for k, label in models.SUBJECT_LABELS.items()),
        *((f"#loai-{k.value}", k.value, label) for k, label in models.CATEGORY_LABELS.items()),
        *((_site(url_of(Kind.LEVEL, str(n))), str(n), f"Mức độ {n}") for n in range(1, 5)),
        *((_site(url_of(Kind.FIELD, key)), key, f.name) for key, f in sorted(catalogue.fields.items())),
        *((CURRENCY_IRI + c.value, c.value, CURRENCY_LABELS[c]) for c in models.Currency),
    ]
    return [{"@id": iri, "@type": "Concept", "notation": code, "prefLabel": label} for iri, code, label in pairs]
