"""The National Public Service Portal's records → catalogue procedures.

One record is one JSON file named by its code, inside a folder named after
the ministry that published it (bo-tu-phap/1.001193.json). Header fields
map directly; the four flat-text sections go through their own parsers;
what no parser reads with confidence stays as original text in `review`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..models import (
    Channel,
    ChannelKind,
    FieldOfWork,
    Online,
    Procedure,
    Review,
    Subject,
    Tier,
)
from . import channels, curation, directory, documents, legal, results, writer
from .directory import MINISTER, SUBJECTS, TIERS, field_id, split_agencies, split_labels
from .parsed import Parsed
from .text import fold, lines, one_line, slugify, value
from .writer import plain

# SOURCE.md: the records were captured in July 2026; the last day of that
# month is the newest date they can stand for. Never the clock.
CAPTURED = dt.date(2026, 7, 31)
SECTIONS = ("channels", "document_cases", "legal_basis", "results", "header")
_NO_REQUIREMENTS = {"không", "không."}


class RecordError(Exception):
    """A record file that is not a portal record at all (bad JSON, missing code)."""


@dataclass
class SectionCount:
    """Parse quality of one section: records and rows, clean or flagged."""

    records: int = 0
    records_flagged: int = 0
    rows: int = 0
    rows_flagged: int = 0

    def add(self, rows: int, flagged_rows: int, flagged: bool) -> None:
        self.records += 1
        self.records_flagged += flagged
        self.rows += rows
        self.rows_flagged += flagged_rows


@dataclass
class Imported:
    """Procedures read from the records, the fields they use, and the parse-quality report."""

    procedures: list[Procedure] = field(default_factory=list)
    fields: dict[str, FieldOfWork] = field(default_factory=dict)
    report: dict[str, SectionCount] = field(default_factory=lambda: {s: SectionCount() for s in SECTIONS})
    errors: list[str] = field(default_factory=list)


def record_files(paths: Iterable[Path]) -> list[Path]:
    """Every *.json record under the given files and folders, sorted."""
    found: set[Path] = set()
    for path in paths:
        found.update(path.rglob("*.json") if path.is_dir() else [path])
    return sorted(found)


def import_files(paths: Iterable[Path]) -> Imported:
    """Read every record; a file that cannot be read is reported, never raised."""
    out = Imported()
    for path in record_files(paths):
        try:
            record = _load(path)
        except RecordError as exc:
            out.errors.append(f"{path}: {exc}")
            continue
        out.procedures.append(convert(record, ministry=path.parent.name, out=out))
    out.procedures.sort(key=lambda p: p.code)
    return out


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RecordError(f"không đọc được tệp ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise RecordError("tệp không phải văn bản UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise RecordError(f"JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("ma_thu_tuc"), str):
        raise RecordError("không phải bản ghi thủ tục (thiếu ma_thu_tuc)")
    return {k: v if isinstance(v, str) else "" for k, v in data.items()}


def convert(record: dict[str, str], ministry: str, out: Imported | None = None) -> Procedure:
    """One record → one Procedure; `ministry` is the publishing ministry's agency id."""
    out = out if out is not None else Imported()
    reviews: list[Review] = []
    channel_part = channels.parse(record.get("cach_thuc_thuc_hien", ""))
    document_part = documents.parse(record.get("thanh_phan_ho_so", ""))
    legal_part = legal.parse(record.get("can_cu_phap_ly", ""))
    result_part = results.parse(record.get("ket_qua_xu_ly", ""))
    for section, part in (("channels", channel_part), ("document_cases", document_part.cases),
                          ("legal_basis", legal_part), ("results", result_part.results)):
        _count(out, section, part)
        reviews.extend(part.reviews)
    header: Parsed[None] = Parsed()
    agency, others = _agency(record, ministry, header)
    tiers = _labels(record, "cap_thuc_hien", TIERS, "tiers", header) or [_ministry_tier(agency)]
    subjects = _labels(record, "doi_tuong_thuc_hien", SUBJECTS, "subjects", header)
    _count(out, "header", header)
    reviews.extend(header.reviews)
    name = one_line(record.get("ten_thu_tuc")) or record["ma_thu_tuc"]
    field_name = one_line(record.get("linh_vuc")) or "Chưa phân loại"
    out.fields.setdefault(field_id(field_name), FieldOfWork(id=field_id(field_name), name=field_name))
    extra = curation.for_code(record["ma_thu_tuc"])
    return Procedure(
        code=record["ma_thu_tuc"],
        name=name,
        decision=value(record.get("so_quyet_dinh")),
        procedure_type=value(record.get("loai_thu_tuc")),
        agency=extra.agency or agency,
        other_agencies=[a for a in others if a != (extra.agency or agency)],
        tiers=[Tier(t) for t in tiers],
        field=field_id(field_name),
        service_level=service_level(channel_part.items, document_part.attachments),
        service_level_derived=True,
        subjects=[Subject(s) for s in subjects],
        description=result_part.description,
        channels=channel_part.items,
        document_cases=document_part.cases.items,
        forms=document_part.forms,
        steps=lines(record.get("trinh_tu_thuc_hien")),
        results=result_part.results.items,
        requirements=_requirements(record.get("yeu_cau_dieu_kien")),
        legal_basis=legal_part.items,
        online=_online(channel_part.items),
        life_events=extra.life_events,
        keywords=_keywords(result_part.keywords, extra.keywords),
        competent_authority=_short(value(record.get("co_quan_co_tham_quyen"))),
        source_url=value(record.get("detail_url")),
        review=reviews,
        updated=CAPTURED,
    )


def service_level(channel_list: list[Channel], attachments: int) -> int:
    """The conservative level rule (docs/huong-dan/muc-do-dich-vu.md).

    3 when the record lists an online channel; 2 when it offers a form file
    to download; else 1. Never 4: the records state neither online payment
    nor an online result, and a level must not be claimed on a guess.
    """
    if any(c.kind is ChannelKind.TRUC_TUYEN for c in channel_list):
        return 3
    if attachments:
        return 2
    return 1


def _online(channel_list: list[Channel]) -> Online:
    """Only what the record states: a postal channel; the national portal named for online."""
    postal = True if any(c.kind is ChannelKind.BUU_CHINH for c in channel_list) else None
    portal = any(c.kind is ChannelKind.TRUC_TUYEN and "cong dich vu cong quoc gia" in fold(c.note or "")
                 for c in channel_list)
    return Online(national_portal=True if portal else None, postal=postal)


def _agency(record: dict[str, str], ministry: str, header: Parsed[None]) -> tuple[str, list[str]]:
    text = record.get("co_quan_thuc_hien", "")
    header.rows += 1
    if value(text) is None:
        return ministry, []  # the record names none: the ministry that published it
    found, rest = split_agencies(text)
    if rest and rest != MINISTER:
        header.flagged_rows += 1
        header.flag("agency", "Không nhận ra cơ quan thực hiện; tạm ghi bộ đã công bố thủ tục",
                    one_line(text))
    return (found[0], found[1:]) if found else (ministry, [])


def _labels(record: dict[str, str], key: str, labels: dict[str, Any], where: str, header: Parsed[None]) -> list[str]:
    text = record.get(key, "")
    if value(text) is None:
        return []
    header.rows += 1
    found, rest = split_labels(text, labels)
    if rest:
        header.flagged_rows += 1
        header.flag(where, f"Không nhận ra giá trị '{rest}'", one_line(text))
    return found


def _ministry_tier(agency: str) -> str:
    return Tier.BO.value if agency.startswith("bo-") else Tier.KHAC.value


def _count(out: Imported, section: str, part: Parsed[Any]) -> None:
    out.report[section].add(part.rows, part.flagged_rows, bool(part.reviews))


def _requirements(text: str | None) -> list[str]:
    found = lines(text)
    return [] if len(found) == 1 and found[0].lower() in _NO_REQUIREMENTS else found


def _keywords(portal: str | None, curated: list[str]) -> list[str]:
    words = [portal] if portal and "»" not in portal and len(portal) <= 1000 else []
    return sorted(set(words) | set(curated))


def _short(text: str | None) -> str | None:
    return text if text is None or len(text) <= 1000 else None


def file_names(procedures: list[Procedure]) -> dict[str, Path]:
    """procedures/<agency>/<slug>.yaml per code; clashing slugs all get their code appended."""
    slugs = {p.code: slugify(p.name, 60) or p.code.replace(".", "-") for p in procedures}
    counts: dict[tuple[str, str], int] = {}
    for p in procedures:
        counts[(p.agency, slugs[p.code])] = counts.get((p.agency, slugs[p.code]), 0) + 1
    names = {}
    for p in procedures:
        slug = slugs[p.code]
        if counts[(p.agency, slug)] > 1:
            slug = f"{slug}-{p.code.replace('.', '-')}"
        names[p.code] = Path("procedures") / p.agency / f"{slug}.yaml"
    return names


def write_catalogue(imported: Imported, root: Path) -> list[Path]:
    """Replace root's agencies, fields, life events and procedures with the import."""
    for old in sorted((root / "procedures").rglob("*.yaml")) if (root / "procedures").is_dir() else []:
        old.unlink()
    written = []
    agency_list = [plain(a) for a in directory.agencies()]
    writer.write(root / "agencies.yaml", {"agencies": agency_list}, "../schema/agencies.schema.json")
    field_list = [plain(f) for f in sorted(imported.fields.values(), key=lambda f: f.id)]
    writer.write(root / "fields.yaml", {"fields": field_list}, "../schema/fields.schema.json")
    events = [plain(e) for e in curation.LIFE_EVENTS]
    writer.write(root / "life_events.yaml", {"life_events": events}, "../schema/life_events.schema.json")
    by_code = {p.code: p for p in imported.procedures}
    for code, relative in sorted(file_names(imported.procedures).items()):
        procedure = by_code[code]
        writer.write(root / relative, plain(procedure), "../../../schema/procedure.schema.json")
        written.append(relative)
    _remove_empty_dirs(root / "procedures")
    return written


def _remove_empty_dirs(base: Path) -> None:
    if not base.is_dir():
        return
    for folder in sorted((p for p in base.iterdir() if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


SECTION_LABELS = {
    "channels": "Cách thức thực hiện (channels)",
    "document_cases": "Thành phần hồ sơ (document_cases)",
    "legal_basis": "Căn cứ pháp lý (legal_basis)",
    "results": "Kết quả (results)",
    "header": "Cơ quan, cấp, đối tượng (header)",
}


def report_text(imported: Imported) -> str:
    """The parse-quality report: per section, records and rows read cleanly or flagged."""
    head = f"{'Phần':<36} {'bản ghi sạch':>12} {'cần rà soát':>12} {'dòng sạch':>10} {'cần rà soát':>12}"
    rows = [f"Đã đọc {len(imported.procedures)} bản ghi, lỗi đọc tệp: {len(imported.errors)}", head]
    for section, count in imported.report.items():
        rows.append(f"{SECTION_LABELS[section]:<36} {count.records - count.records_flagged:>12} "
                    f"{count.records_flagged:>12} {count.rows - count.rows_flagged:>10} {count.rows_flagged:>12}")
    flagged = sum(1 for p in imported.procedures if p.review)
    markers = sum(len(p.review) for p in imported.procedures)
    rows.append(f"Thủ tục có dấu cần rà soát: {flagged}/{len(imported.procedures)} ({markers} dấu)")
    levels = {n: sum(1 for p in imported.procedures if p.service_level == n) for n in (1, 2, 3, 4)}
    rows.append("Mức độ suy ra: " + ", ".join(f"mức {n}: {c}" for n, c in levels.items()))
    return "\n".join(rows)
