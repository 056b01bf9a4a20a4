"""What changed in this build: api/v1/changes.json and the Atom feed api/v1/changes.atom.

Two bases, both functions of their inputs only, so the same input gives the
same bytes:

- with the previous build's manifest (`previous`), each code is compared by
  its file's SHA-256: added, changed, retired since, removed. Exact, and what
  a portal or newsroom wants per build;
- without one, the records' own dates: each procedure in force at its
  `updated` date (kind `cap-nhat`: added or changed, the data cannot tell
  which), each retired one at its `retired.date`; the newest MAX_BY_DATE.

Entries come newest first, then by code. The Atom feed says the same in
words for people; each entry's id is a UUID made from the code, kind, date
and file hash, so a reader sees an event once and a new change as new.
"""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET
from typing import Any

from . import models
from .catalogue import Catalogue
from .feed import ChangeEntry, ChangeKind, Links, dumps, envelope, procedure_file
from .site_urls import procedure_url
from .wording import date_text, document_text

CHANGES = "changes.json"
ATOM = "changes.atom"
ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MAX_BY_DATE = 100  # entries when there is no previous manifest to compare with
TITLE = "Danh mục thủ tục hành chính: thay đổi gần đây"
# Ids of Atom entries: UUIDs under a namespace of this catalogue's own.
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:danh-muc-thu-tuc:thay-doi")


KIND_LABELS: dict[ChangeKind, str] = {
    ChangeKind.THEM_MOI: "Thêm mới",
    ChangeKind.SUA_DOI: "Sửa đổi",
    ChangeKind.CAP_NHAT: "Cập nhật",
    ChangeKind.HET_HIEU_LUC: "Hết hiệu lực",
    ChangeKind.GO_BO: "Gỡ khỏi danh mục",
}


def change_entries(catalogue: Catalogue, links: Links, hashes: dict[str, str],
                   previous: dict[str, Any] | None) -> list[ChangeEntry]:
    entries = _against(catalogue, links, hashes, previous) if previous is not None else _by_date(catalogue, links, hashes)
    return sorted(entries, key=lambda e: (-e.date.toordinal(), e.code, e.kind.value))


def _entry(kind: ChangeKind, p: models.ProcedureSummary, links: Links, hashes: dict[str, str]) -> ChangeEntry:
    name = procedure_file(p.code)
    retired = p.retired if kind is ChangeKind.HET_HIEU_LUC else None
    return ChangeEntry(kind=kind, code=p.code, name=p.name, date=retired.date if retired else p.updated,
                       retired=retired, url=links.feed_url(name), sha256=hashes.get(name),
                       page_url=links.url(procedure_url(p.code)))


def _by_date(catalogue: Catalogue, links: Links, hashes: dict[str, str]) -> list[ChangeEntry]:
    kinds = [(ChangeKind.CAP_NHAT, p) for p in catalogue.procedures]
    kinds += [(ChangeKind.HET_HIEU_LUC, p) for p in catalogue.retired]
    entries = sorted((_entry(k, p, links, hashes) for k, p in kinds), key=lambda e: (-e.date.toordinal(), e.code))
    return entries[:MAX_BY_DATE]


def _listed(manifest: dict[str, Any], key: str) -> dict[str, str]:
    """code → sha256 of a manifest's list (`retired` is absent before 1.2.0)."""
    return {str(e["code"]): str(e["sha256"]) for e in manifest.get(key, []) if isinstance(e, dict)}


def _against(catalogue: Catalogue, links: Links, hashes: dict[str, str],
             previous: dict[str, Any]) -> list[ChangeEntry]:
    was_active, was_retired = _listed(previous, "procedures"), _listed(previous, "retired")
    entries = []
    for p in catalogue.by_code.values():
        digest = hashes.get(procedure_file(p.code))
        before = was_active.get(p.code) or was_retired.get(p.code)
        if p.retired is not None and p.code not in was_retired:
            entries.append(_entry(ChangeKind.HET_HIEU_LUC, p, links, hashes))
        elif before is None:
            entries.append(_entry(ChangeKind.THEM_MOI, p, links, hashes))
        elif before != digest:
            entries.append(_entry(ChangeKind.SUA_DOI, p, links, hashes))
    for code in sorted((was_active.keys() | was_retired.keys()) - catalogue.by_code.keys()):
        # A manifest names no procedure: a code removed outright is known by its code only.
        entries.append(ChangeEntry(kind=ChangeKind.GO_BO, code=code, name="", date=catalogue.build_date(),
                                   retired=None, url=None, sha256=None, page_url=None))
    return entries


def change_files(catalogue: Catalogue, links: Links, hashes: dict[str, str],
                 previous: dict[str, Any] | None = None) -> dict[str, bytes]:
    """changes.json and changes.atom, from the hashes of the procedure files already made."""
    entries = change_entries(catalogue, links, hashes, previous)
    document = {
        **envelope(catalogue, links, "changes.schema.json"),
        "basis": "manifest" if previous is not None else "dates",
        "previous_build": previous.get("build") if previous is not None else None,
        "changes": [e.model_dump(mode="json") for e in entries],
    }
    return {CHANGES: dumps(document), ATOM: atom(catalogue, links, entries)}


# --- Atom 1.0 (RFC 4287), written with ElementTree: it escapes every text and attribute.


def _summary(entry: ChangeEntry) -> str:
    retired = entry.retired
    if entry.kind is ChangeKind.HET_HIEU_LUC and retired is not None:
        decision = document_text(retired.decided_by)
        if retired.successor:
            return (f"Thủ tục {entry.code} đã được thay thế bởi thủ tục {retired.successor} "
                    f"từ ngày {date_text(retired.date)} theo {decision}.")
        return f"Thủ tục {entry.code} đã bị bãi bỏ từ ngày {date_text(retired.date)} theo {decision}."
    if entry.kind is ChangeKind.GO_BO:
        return f"Thủ tục {entry.code} không còn trong danh mục."
    return f"Thủ tục {entry.code}: {KIND_LABELS[entry.kind].lower()} ngày {date_text(entry.date)}."


def _stamp(date: dt.date) -> str:
    return f"{date.isoformat()}T00:00:00Z"


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    element.text = text
    return element


def atom(catalogue: Catalogue, links: Links, entries: list[ChangeEntry]) -> bytes:
    """changes.atom: the same changes for feed readers. Links are relative to api/v1/ (resolved
    against the feed's own address) until the site's URL is known."""
    ET.register_namespace("", ATOM_NS)
    root = ET.Element(f"{{{ATOM_NS}}}feed", {f"{{{XML_NS}}}lang": "vi"})
    _text(root, "title", TITLE)
    _text(root, "id", f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, links.site_url or 'catalogue')}")
    _text(root, "updated", _stamp(catalogue.build_date()))
    author = ET.SubElement(root, f"{{{ATOM_NS}}}author")
    _text(author, "name", "Danh mục thủ tục hành chính")
    ET.SubElement(root, f"{{{ATOM_NS}}}link", {"rel": "self", "href": links.feed_url(ATOM)})
    ET.SubElement(root, f"{{{ATOM_NS}}}link", {"rel": "alternate", "href": links.url("thay-doi/")})
    for entry in entries:
        item = ET.SubElement(root, f"{{{ATOM_NS}}}entry")
        label = "Bãi bỏ" if entry.retired and not entry.retired.successor else \
            "Thay thế" if entry.retired else KIND_LABELS[entry.kind]
        _text(item, "title", f"{label}: {entry.name or entry.code}")
        key = f"{entry.code}/{entry.kind.value}/{entry.date.isoformat()}/{entry.sha256 or ''}"
        _text(item, "id", f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, key)}")
        _text(item, "updated", _stamp(entry.date))
        if entry.page_url:
            ET.SubElement(item, f"{{{ATOM_NS}}}link", {"rel": "alternate", "href": entry.page_url})
        ET.SubElement(item, f"{{{ATOM_NS}}}category", {"term": entry.kind.value, "label": KIND_LABELS[entry.kind]})
        _text(item, "summary", _summary(entry))
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
