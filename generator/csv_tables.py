"""The catalogue for spreadsheets: procedures.csv, its child tables, datapackage.json.

UTF-8 with a byte-order mark, so spreadsheet programs show Vietnamese
correctly; CRLF line ends (RFC 4180); columns in a fixed order named like
the JSON feed's fields. procedures.csv has one row per procedure;
channels.csv one row per fee of each channel (a channel without fees still
has one row, with empty fee columns); documents.csv, legal_basis.csv,
forms.csv and results.csv one row per item, keyed by code and position,
so no list of free text is ever joined (a title may itself hold "; ").
procedures.csv keeps its joined columns of 1.0 for compatibility.

Formula injection (OWASP "CSV Injection"): a text cell starting with
= + - @, a tab or a carriage return is prefixed with an apostrophe, so a
spreadsheet shows it instead of running it. Numbers are written as
numbers and are not prefixed. datapackage.json (Frictionless Data Package)
gives every column's type, so `code` reads as text (1.000080 stays).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from . import models
from .catalogue import Catalogue
from .feed import Links, dumps, sha256
from .site_urls import procedure_url

PROCEDURE_COLUMNS: tuple[str, ...] = (
    "code", "name", "agency", "agency_name", "other_agencies", "field", "field_name", "tiers", "service_level",
    "service_level_derived", "category", "subjects", "channels", "national_portal", "online_payment",
    "postal", "decision", "procedure_type", "competent_authority", "documents", "forms", "results",
    "legal_basis", "life_events", "keywords", "roadmap_target_level", "roadmap_due", "review",
    "updated", "url", "source_url",
)
CHANNEL_COLUMNS: tuple[str, ...] = (
    "code", "name", "channel", "kind", "processing_time", "processing_time_max", "processing_time_unit",
    "processing_time_note", "channel_url", "channel_note", "fee", "fee_kind", "amount", "max_amount",
    "currency", "per", "fee_note",
)
Cell = str | int | float | bool | None
DOCUMENT_COLUMNS: tuple[str, ...] = (
    "code", "case_item", "case", "item", "document_name", "form", "originals", "copies", "required", "note",
)
LEGAL_BASIS_COLUMNS: tuple[str, ...] = ("code", "item", "number", "title", "issued", "issuer")
FORM_COLUMNS: tuple[str, ...] = ("code", "item", "form_id", "title", "form_code", "form_url", "form_source")
RESULT_COLUMNS: tuple[str, ...] = ("code", "item", "result_name", "result_code")
# OWASP CSV Injection: the leading characters a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATA_PACKAGE = "datapackage.json"


def csv_files(catalogue: Catalogue, links: Links) -> dict[str, bytes]:
    """Every table and the data package describing them, by path inside api/v1/."""
    tables: dict[str, tuple[Sequence[str], list[Sequence[Cell]]]] = {
        "procedures.csv": (PROCEDURE_COLUMNS, []), "channels.csv": (CHANNEL_COLUMNS, []),
        "documents.csv": (DOCUMENT_COLUMNS, []), "legal_basis.csv": (LEGAL_BASIS_COLUMNS, []),
        "forms.csv": (FORM_COLUMNS, []), "results.csv": (RESULT_COLUMNS, []),
    }
    for p in catalogue.each():  # one read of each model for all six tables
        tables["procedures.csv"][1].append(procedure_row(p, catalogue, links))
        tables["channels.csv"][1].extend(channel_rows(p))
        tables["documents.csv"][1].extend(document_rows(p))
        tables["legal_basis.csv"][1].extend(legal_basis_rows(p))
        tables["forms.csv"][1].extend(form_rows(p))
        tables["results.csv"][1].extend(result_rows(p))
    files = {name: table(columns, rows) for name, (columns, rows) in tables.items()}
    files[DATA_PACKAGE] = data_package(files)
    return files


def table(columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def cell(value: Cell) -> str:
    """None → empty, booleans → true/false, text guarded against formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str):
        return str(value)  # a number: never a formula, and a prefix would make it text
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def joined(values: Iterable[str]) -> str:
    return "; ".join(values)


def procedure_row(p: models.Procedure, catalogue: Catalogue, links: Links) -> list[Cell]:
    documents = sum(len(case.documents) for case in p.document_cases)
    roadmap = p.roadmap
    return [
        p.code, p.name, p.agency, catalogue.agency_name(p.agency) if p.agency else None, joined(p.other_agencies), p.field, catalogue.fields[p.field].name,
        joined(t.value for t in p.tiers), p.service_level, p.service_level_derived, p.category.value,
        joined(s.value for s in p.subjects), joined(c.kind.value for c in p.channels),
        p.online.national_portal, p.online.online_payment, p.online.postal,
        p.decision, p.procedure_type, p.competent_authority, documents, joined(f.title for f in p.forms),
        joined(r.name for r in p.results), joined(b.number or b.title for b in p.legal_basis),
        joined(p.life_events), joined(p.keywords),
        roadmap.target_level if roadmap else None, roadmap.due.isoformat() if roadmap else None,
        joined(r.field for r in p.review), p.updated.isoformat(), links.url(procedure_url(p.code)), p.source_url,
    ]


def channel_rows(p: models.Procedure) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for number, channel in enumerate(p.channels, 1):
        time = channel.processing_time or models.ProcessingTime()
        head: list[Cell] = [
            p.code, p.name, number, channel.kind.value, time.value, time.max_value,
            time.unit.value if time.unit else None, time.note, channel.url, channel.note,
        ]
        fees: list[list[Cell]] = [
            [n, f.kind.value if f.kind else None, f.amount, f.max_amount, f.currency.value, f.per, f.note]
            for n, f in enumerate(channel.fees, 1)
        ]
        rows.extend(head + fee for fee in fees or [[None] * 7])
    return rows


def document_rows(p: models.Procedure) -> list[list[Cell]]:
    return [
        [p.code, c, case.case, d, doc.name, doc.form, doc.originals, doc.copies, doc.required, doc.note]
        for c, case in enumerate(p.document_cases, 1) for d, doc in enumerate(case.documents, 1)
    ]


def legal_basis_rows(p: models.Procedure) -> list[list[Cell]]:
    return [[p.code, n, b.number, b.title, b.issued.isoformat() if b.issued else None, b.issuer]
            for n, b in enumerate(p.legal_basis, 1)]


def form_rows(p: models.Procedure) -> list[list[Cell]]:
    return [[p.code, n, f.id, f.title, f.code, f.url, f.source] for n, f in enumerate(p.forms, 1)]


def result_rows(p: models.Procedure) -> list[list[Cell]]:
    return [[p.code, n, r.name, r.code] for n, r in enumerate(p.results, 1)]


# --- datapackage.json (Frictionless Data Package v1 with Table Schema), written by hand:
# https://specs.frictionlessdata.io/data-package/ and /table-schema/

# Column names mean one thing in every table; `item` (and `case_item`) is the position in the record's list.
INTEGER = ("service_level", "documents", "roadmap_target_level", "channel", "fee", "amount", "max_amount",
           "case_item", "item", "originals", "copies")
NUMBER = ("processing_time", "processing_time_max")
BOOLEAN = ("service_level_derived", "national_portal", "online_payment", "postal", "required")
DATE = ("roadmap_due", "updated", "issued")
TITLES = {"code": "Mã thủ tục, dạng D.DDDDDD: đọc như văn bản, không phải số (text, keep 1.000080)"}
TABLE_TITLES = {
    "procedures.csv": "Mỗi thủ tục một dòng (one row per procedure)",
    "channels.csv": "Mỗi khoản phí của mỗi cách thức nộp một dòng (one row per channel fee)",
    "documents.csv": "Mỗi giấy tờ của mỗi trường hợp một dòng (one row per document)",
    "legal_basis.csv": "Mỗi căn cứ pháp lý một dòng (one row per legal basis)",
    "forms.csv": "Mỗi mẫu đơn một dòng (one row per form)",
    "results.csv": "Mỗi kết quả một dòng (one row per result)",
}


def field_schema(column: str) -> dict[str, Any]:
    kind = ("integer" if column in INTEGER else "number" if column in NUMBER
            else "boolean" if column in BOOLEAN else "date" if column in DATE else "string")
    field: dict[str, Any] = {"name": column, "type": kind}
    if kind == "boolean":
        field |= {"trueValues": ["true"], "falseValues": ["false"]}
    if column == "code":
        field |= {"description": TITLES["code"], "constraints": {"required": True, "pattern": r"\d\.\d{6}"}}
    return field


def data_package(files: dict[str, bytes]) -> bytes:
    """Every CSV as a tabular resource: path, dialect, encoding and each column's type."""
    resources = []
    for name, data in files.items():
        header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        keys = ["code"] if name == "procedures.csv" else [c for c in header if c in ("code", "case_item", "item")]
        keys = keys if name != "channels.csv" else []  # a channel row is keyed by channel and fee together
        schema: dict[str, Any] = {"fields": [field_schema(c) for c in header], "missingValues": [""]}
        if keys:
            schema["primaryKey"] = keys
        if name != "procedures.csv":
            schema["foreignKeys"] = [{"fields": "code", "reference": {"resource": "procedures", "fields": "code"}}]
        resources.append({
            "name": name.removesuffix(".csv"), "path": name, "title": TABLE_TITLES[name],
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "hash": f"sha256:{sha256(data)}",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"", "doubleQuote": True,
                        "header": True},
            "schema": schema,
        })
    return dumps({"profile": "tabular-data-package", "name": "danh-muc-thu-tuc",
                  "title": "Danh mục thủ tục hành chính (CSV)", "resources": resources})
