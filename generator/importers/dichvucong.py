"""The National Public Service Portal's records → catalogue procedures.

One record is one JSON file named by its code, inside a folder named after
the ministry that published it (bo-tu-phap/1.001193.json). Header fields
map directly; the four flat-text sections go through their own parsers;
what no parser reads with confidence stays as original text in `review`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import yamlfmt
from ..models import (
    AgenciesFile,
    Channel,
    ChannelKind,
    FieldOfWork,
    Online,
    Procedure,
    Review,
    Subject,
    Tier,
)
from . import channels, documents, legal, results, writer
from .directory import EDITORIAL, SUBJECTS, TIERS, Directory, field_id, split_labels
from .parsed import Parsed
from .text import fold, lines, one_line, slugify, value
from .writer import plain

# "Toàn trình" stated by the record itself (name, steps, channel text), not negated just before.
_TOAN_TRINH = re.compile(r"(?<!không phải )(?<!không )(?:dịch vụ công\s+(?:trực\s+tuyến\s+)?|trực tuyến\s+)toàn\s+trình")
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
    directory: Directory = field(default_factory=Directory)
    report: dict[str, SectionCount] = field(default_factory=lambda: {s: SectionCount() for s in SECTIONS})
    errors: list[str] = field(default_factory=list)


def record_files(paths: Iterable[Path]) -> list[Path]:
    """Every *.json record under the given files and folders, sorted."""
    found: set[Path] = set()
    for path in paths:
        found.update(path.rglob("*.json") if path.is_dir() else [path])
    return sorted(found)


def import_files(paths: Iterable[Path], catalogue: Path | None = None, captured: str | None = None) -> Imported:
    """Read every record; a file that cannot be read is reported, never raised.

    `catalogue` is the folder imported into: its agencies.yaml and
    import/dichvucong.yaml are the editorial data the import builds on.
    `captured` is the date (or month) the records were taken from the portal.
    """
    out = Imported(directory=Directory.load(catalogue))
    for path in record_files(paths):
        try:
            record = _load(path)
        except RecordError as exc:
            out.errors.append(f"{path}: {exc}")
            continue
        out.procedures.append(convert(record, out=out, captured=captured))
    out.procedures.sort(key=lambda p: p.code)
    return out


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_CAPTURED = re.compile(rf"captured\s+(?:on\s+(\d{{1,2}})\s+|in\s+)({'|'.join(_MONTHS)})\s+(\d{{4}})", re.IGNORECASE)


def captured_from_source(paths: Iterable[Path]) -> str | None:
    """The capture date SOURCE.md beside the records states ("captured in July 2026" → "2026-07").

    Only as precise as the text: a month stays a month, never an assumed day.
    """
    for path in paths:
        folder = path if path.is_dir() else path.parent
        for candidate in (folder / "SOURCE.md", folder.parent / "SOURCE.md"):
            if candidate.is_file():
                match = _CAPTURED.search(" ".join(candidate.read_text(encoding="utf-8").split()))
                if match is not None:
                    month = _MONTHS.index(match.group(2).lower()) + 1
                    day = f"-{int(match.group(1)):02d}" if match.group(1) else ""
                    return f"{match.group(3)}-{month:02d}{day}"
    return None


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


def convert(record: dict[str, str], out: Imported | None = None, captured: str | None = None) -> Procedure:
    """One record → one Procedure. The agency is the body the record names, never its publisher."""
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
    tiers = _labels(record, "cap_thuc_hien", TIERS, "tiers", header)
    extra = out.directory.curation.get(record["ma_thu_tuc"], {})
    bodies = _agencies(record, out.directory, tiers, header, extra.get("agency"))
    agency = bodies[0] if bodies else None
    tiers = tiers or _agency_tier(agency, out.directory, header)
    subjects = _labels(record, "doi_tuong_thuc_hien", SUBJECTS, "subjects", header)
    _count(out, "header", header)
    reviews.extend(header.reviews)
    name = one_line(record.get("ten_thu_tuc")) or record["ma_thu_tuc"]
    field_name = one_line(record.get("linh_vuc")) or "Chưa phân loại"
    out.fields.setdefault(field_id(field_name), FieldOfWork(id=field_id(field_name), name=field_name))
    level, stated = service_level(record, channel_part.items, document_part.attachments)
    return Procedure(
        code=record["ma_thu_tuc"],
        name=name,
        decision=value(record.get("so_quyet_dinh")),
        procedure_type=value(record.get("loai_thu_tuc")),
        agency=agency,
        other_agencies=bodies[1:],
        tiers=[Tier(t) for t in tiers],
        field=field_id(field_name),
        service_level=level,
        service_level_derived=not stated,
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
        life_events=list(extra.get("life_events") or []),
        keywords=_keywords(result_part.keywords, list(extra.get("keywords") or [])),
        competent_authority=_short(one_line(value(record.get("co_quan_co_tham_quyen"))) or None),
        coordinating_agencies=_names(record.get("co_quan_phoi_hop")),
        authorised_agencies=_names(record.get("co_quan_duoc_uy_quyen")),
        reception_address=value(record.get("dia_chi_tiep_nhan")),
        related_procedures=_names(record.get("thu_tuc_lien_quan")),
        source_url=value(record.get("detail_url")),
        captured=captured,
        review=reviews,
        updated=import_date(),
    )


def service_level(record: dict[str, str], channel_list: list[Channel], attachments: int) -> tuple[int, bool]:
    """The level and whether the record states it (docs/huong-dan/muc-do-dich-vu.md).

    4, stated, when the record's name or text says the service is "toàn
    trình" (Decree 42/2022). Otherwise derived by rule: 3 when the record
    lists an online channel; 2 when it offers a form file to download (still
    information only under the decree); else 1. A derived level is never 4.
    """
    if toan_trinh(record):
        return 4, True
    if any(c.kind is ChannelKind.TRUC_TUYEN for c in channel_list):
        return 3, False
    if attachments:
        return 2, False
    return 1, False


def toan_trinh(record: dict[str, str]) -> bool:
    """Whether the record states "toàn trình" (its name, steps, channels or conditions)."""
    keys = ("ten_thu_tuc", "trinh_tu_thuc_hien", "cach_thuc_thuc_hien", "yeu_cau_dieu_kien")
    return any(_TOAN_TRINH.search(one_line(record.get(k)).lower()) for k in keys)


def _online(channel_list: list[Channel]) -> Online:
    """Only what the record states: a postal channel; the national portal named for online."""
    postal = True if any(c.kind is ChannelKind.BUU_CHINH for c in channel_list) else None
    portal = any(c.kind is ChannelKind.TRUC_TUYEN and "cong dich vu cong quoc gia" in fold(c.note or "")
                 for c in channel_list)
    return Online(national_portal=True if portal else None, postal=postal)


def _agencies(record: dict[str, str], directory: Directory, tiers: list[str], header: Parsed[None],
              curated: str | None) -> list[str]:
    """Implementing bodies: co_quan_thuc_hien, else co_quan_co_tham_quyen; none is flagged, not filled."""
    header.rows += 1
    if curated is not None and curated in directory.agencies:
        return [curated]  # hand-checked: the record's own steps name the body (import/dichvucong.yaml)
    texts = [value(record.get(k)) for k in ("co_quan_thuc_hien", "co_quan_co_tham_quyen")]
    for text in (t for t in texts if t is not None):
        if _names_bodies(text):
            return directory.bodies(text, tiers)
        header.flag("agency", "Ô cơ quan của nguồn chứa một đoạn không phải tên cơ quan", text)
    header.flagged_rows += 1
    header.flag("agency", "Nguồn chưa ghi cơ quan thực hiện (cả cơ quan có thẩm quyền)", "")
    return []


def _names_bodies(text: str) -> bool:
    """Whether a header cell reads as names of bodies, not a paragraph the crawler put there."""
    return "\n" not in text and len(text) <= 400 and text[:1].isupper()


def _agency_tier(agency: str | None, directory: Directory, header: Parsed[None]) -> list[str]:
    """Tiers when the record gives none: the agency's own tier, flagged for review; khac without one."""
    header.flag("tiers", "Nguồn không ghi cấp thực hiện; tạm lấy cấp của cơ quan thực hiện", "")
    entry = directory.agencies.get(agency or "")
    return [str(entry["tier"]) if entry else Tier.KHAC.value]


def _names(text: str | None) -> list[str]:
    """A header list of names ("A, B") as the source writes them; [] when the portal has none."""
    found = value(text)
    return [n for n in (one_line(part).rstrip(".") for part in re.split(r",\s*(?=[A-ZĐÂĂÊÔƠƯ])", found)) if n] \
        if found else []


def import_date() -> dt.date:
    """The day the import writes the entries: SOURCE_DATE_EPOCH when set (reproducible runs), else today.

    It is when the catalogue entry changed, a true fact; when the source's data
    was captured is `captured`, as precise as the source gives it.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()


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


NO_AGENCY_FOLDER = "chua-ghi-co-quan"


def file_names(procedures: list[Procedure]) -> dict[str, Path]:
    """procedures/<folder>/<slug>.yaml per code; clashing slugs all get their code appended.

    The folder is the agency; a procedure whose record names no agency is stored
    under procedures/chua-ghi-co-quan/: a storage place that claims nothing (the
    records' folder, often named after a ministry, may not even be the publisher:
    3.000285 sits among Bộ Công an's records but was published by a province).
    """
    slugs = {p.code: slugify(p.name, 60) or p.code.replace(".", "-") for p in procedures}
    where = {p.code: p.agency or NO_AGENCY_FOLDER for p in procedures}
    counts: dict[tuple[str, str], int] = {}
    for p in procedures:
        counts[(where[p.code], slugs[p.code])] = counts.get((where[p.code], slugs[p.code]), 0) + 1
    names = {}
    for p in procedures:
        slug = slugs[p.code]
        if counts[(where[p.code], slug)] > 1:
            slug = f"{slug}-{p.code.replace('.', '-')}"
        names[p.code] = Path("procedures") / where[p.code] / f"{slug}.yaml"
    return names


def write_catalogue(imported: Imported, root: Path) -> list[Path]:
    """Replace root's procedures and fields with the import; add new agencies and spellings.

    Editorial files are kept: agencies.yaml entries and import/dichvucong.yaml
    are only added to, life_events.yaml is never written. A procedure whose
    content did not change keeps its `updated` date.
    """
    previous = _previous_updates(root)
    agency_list = [plain(a) for a in imported.directory.agency_list()]  # before anything is removed
    for old in sorted((root / "procedures").rglob("*.yaml")) if (root / "procedures").is_dir() else []:
        old.unlink()
    written = []
    _write_agencies(root / "agencies.yaml", agency_list, imported.directory.added)
    _write_editorial(root / EDITORIAL, imported.directory)
    field_list = [plain(f) for f in sorted(imported.fields.values(), key=lambda f: f.id)]
    writer.write(root / "fields.yaml", {"fields": field_list}, "../schema/fields.schema.json")
    by_code = {p.code: p for p in imported.procedures}
    for code, relative in sorted(file_names(imported.procedures).items()):
        data = plain(by_code[code])
        kept = previous.get(code)
        if kept is not None and {**kept, "updated": data["updated"]} == data:
            data["updated"] = kept["updated"]
        writer.write(root / relative, data, "../../../schema/procedure.schema.json")
        written.append(relative)
    _remove_empty_dirs(root / "procedures")
    return written


def _previous_updates(root: Path) -> dict[str, dict[str, Any]]:
    """The procedures already in the catalogue, by code, as plain data (to keep unchanged `updated`)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((root / "procedures").rglob("*.yaml")) if (root / "procedures").is_dir() else []:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and isinstance(data.get("code"), str):
            found[data["code"]] = data
    return found


_EDITORIAL_HEADER = [
    "Biên tập cho việc nhập bản ghi Cổng Dịch vụ công quốc gia (catalogue import dichvucong).",
    "A pull request may edit anything here; a re-import only adds spellings it meets for the first time.",
    "spellings: the portal's spelling of a body → agency id in agencies.yaml (case, diacritics and a",
    "  final full stop ignored). procedures: per code, hand-checked keywords, life events, and `agency`",
    "  only where the record names no body and its own steps (trinh_tu_thuc_hien) name it.",
]


def _write_agencies(path: Path, agency_list: list[dict[str, Any]], added: list[str]) -> None:
    """agencies.yaml: written whole the first time; after that new agencies are appended, edits kept."""
    if not path.is_file():
        writer.write(path, {"agencies": agency_list}, "../schema/agencies.schema.json")
        return
    new = [a for a in agency_list if a["id"] in added]
    if not new:
        return
    text = writer.dump_yaml({"agencies": new}, "../schema/agencies.schema.json", AgenciesFile)
    entries = text.split("\nagencies:\n", 1)[1]
    current = path.read_text(encoding="utf-8")
    text = yamlfmt.format_text(current + ("" if current.endswith("\n") else "\n") + entries, AgenciesFile, str(path))
    path.write_text(text, encoding="utf-8", newline="\n")


def _write_editorial(path: Path, directory: Directory) -> None:
    """Add the spellings learnt in this import; an existing file is only added to, comments and all."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if "\nspellings:\n" not in f"\n{text}":
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yamlfmt.dump(directory.editorial(), None, header=_EDITORIAL_HEADER)
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    new = [name for name, agency in directory.spellings.items() if agency in directory.added]
    if not new:
        return
    lines = "".join(f"  {json.dumps(name, ensure_ascii=False)}: {directory.spellings[name]}\n" for name in new)
    head, _, tail = f"\n{text}".partition("\nspellings:\n")
    text = yamlfmt.format_text(f"{head}\nspellings:\n{lines}{tail}"[1:], None, str(path))  # comments kept
    path.write_text(text, encoding="utf-8", newline="\n")


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
    rows.extend(_truth_lines(imported.procedures, imported.directory))
    return "\n".join(rows)


def _truth_lines(procedures: list[Procedure], directory: Directory) -> list[str]:
    """What the import says about agencies, levels and kept fields (docs/dong-gop/lenh.md)."""
    def count(test: Any) -> int:
        return sum(1 for p in procedures if test(p))

    stated = {n: count(lambda p, n=n: p.service_level == n and not p.service_level_derived) for n in (1, 2, 3, 4)}
    derived = {n: count(lambda p, n=n: p.service_level == n and p.service_level_derived) for n in (1, 2, 3, 4)}
    return [
        f"Nguồn không ghi cơ quan thực hiện (không gán cơ quan, gắn dấu rà soát): {count(lambda p: p.agency is None)}",
        f"Cơ quan gặp lần đầu, thêm vào agencies.yaml: {len(directory.added)}"
        + (f" ({', '.join(directory.added)})" if directory.added else ""),
        "Mức độ nguồn ghi ('toàn trình'): " + ", ".join(f"mức {n}: {c}" for n, c in stated.items() if c)
        + "; suy ra theo quy tắc: " + ", ".join(f"mức {n}: {c}" for n, c in derived.items()),
        f"Giữ từ bản ghi: tên tệp mẫu {sum(len(f.file_names) for p in procedures for f in p.forms)}, "
        f"địa chỉ tiếp nhận {count(lambda p: p.reception_address)}, "
        f"cơ quan phối hợp {count(lambda p: p.coordinating_agencies)}, "
        f"cơ quan được ủy quyền {count(lambda p: p.authorised_agencies)}, "
        f"thủ tục liên quan {count(lambda p: p.related_procedures)}",
        "Ngày lấy dữ liệu: " + (", ".join(sorted({p.captured for p in procedures if p.captured})) or "nguồn không ghi"),
    ]
