"""procedures.csv and channels.csv: the catalogue for spreadsheets.

UTF-8 with a byte-order mark, so spreadsheet programs show Vietnamese
correctly; CRLF line ends (RFC 4180); columns in a fixed order named like
the JSON feed's fields. procedures.csv has one row per procedure;
channels.csv one row per fee of each channel (a channel without fees still
has one row, with empty fee columns). Lists are joined with "; ". A cell
that a spreadsheet would run as a formula (starting with = + @ or a tab)
is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from . import models
from .catalogue import Catalogue
from .feed import Links
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
FORMULA_STARTS = ("=", "+", "@", "\t", "\r")


def csv_files(catalogue: Catalogue, links: Links) -> dict[str, bytes]:
    """Both tables, by path inside api/v1/."""
    return {
        "procedures.csv": table(PROCEDURE_COLUMNS, (procedure_row(p, catalogue, links) for p in catalogue.procedures)),
        "channels.csv": table(CHANNEL_COLUMNS, (row for p in catalogue.procedures for row in channel_rows(p))),
    }


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
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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
