"""Audit of an imported catalogue against the portal records it came from.

Counts, per defect class of issue 14, the procedures whose catalogue entry
says something the record does not (an agency it never names, a level that
contradicts "toàn trình") or drops what the record gives (form file names,
reception address, coordinating bodies, capture date). It reads the
catalogue's YAML as plain data, so an older catalogue can be audited too:

    python -m generator.importers.audit RECORDS_DIR CATALOGUE_DIR
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from . import documents
from .dichvucong import RecordError, _load, record_files, toan_trinh
from .directory import Directory
from .text import value

CLASSES = {
    "invented_agency": "Cơ quan thực hiện mà bản ghi không nêu (bịa)",
    "agency_without_body": "  trong đó: bản ghi không nêu cơ quan nào",
    "no_agency_flagged": "Không có cơ quan, đã gắn dấu rà soát",
    "toan_trinh_not_level_4": "Bản ghi ghi 'toàn trình' nhưng mức độ khác 4",
    "level_2": "Mức 2 (chỉ tải mẫu: 'chỉ cung cấp thông tin')",
    "form_names_dropped": "Tên tệp mẫu bản ghi nêu mà catalogue bỏ",
    "form_names_given": "  tên tệp mẫu bản ghi nêu",
    "address_dropped": "Địa chỉ tiếp nhận bị bỏ",
    "coordinating_dropped": "Cơ quan phối hợp bị bỏ",
    "authorised_dropped": "Cơ quan được ủy quyền bị bỏ",
    "related_dropped": "Thủ tục liên quan bị bỏ",
    "captured_missing": "Thiếu ngày/tháng lấy dữ liệu",
}


def catalogue_entries(root: Path) -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted((root / "procedures").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("code"), str):
            entries[data["code"]] = data
    return entries


def audit(records: Path, root: Path) -> Counter[str]:
    """Defect counts of the catalogue at `root` against the records under `records`."""
    directory = Directory.load(root)
    entries = catalogue_entries(root)
    counts: Counter[str] = Counter(dict.fromkeys(CLASSES, 0))
    for path in record_files([records]):
        try:
            record = _load(path)
        except RecordError:
            continue
        entry = entries.get(record["ma_thu_tuc"])
        if entry is not None:
            _audit_one(record, entry, directory, counts)
    return counts


def _audit_one(record: dict[str, str], entry: dict[str, Any], directory: Directory, counts: Counter[str]) -> None:
    text = value(record.get("co_quan_thuc_hien")) or value(record.get("co_quan_co_tham_quyen"))
    curated = directory.curation.get(record["ma_thu_tuc"], {}).get("agency")
    agency = entry.get("agency")
    named = set(_named(directory, text))
    if agency is not None and agency != curated and agency not in named:
        counts["invented_agency"] += 1
        counts["agency_without_body"] += text is None
    if agency is None:
        counts["no_agency_flagged"] += any(r.get("field") == "agency" for r in entry.get("review", []))
    counts["toan_trinh_not_level_4"] += toan_trinh(record) and entry.get("service_level") != 4
    counts["level_2"] += entry.get("service_level") == 2
    given = _file_names(record)
    kept = {n for f in entry.get("forms", []) for n in f.get("file_names", [])}
    counts["form_names_given"] += len(given)
    counts["form_names_dropped"] += len(given - kept)
    for key, field, cls in (("dia_chi_tiep_nhan", "reception_address", "address_dropped"),
                            ("co_quan_phoi_hop", "coordinating_agencies", "coordinating_dropped"),
                            ("co_quan_duoc_uy_quyen", "authorised_agencies", "authorised_dropped"),
                            ("thu_tuc_lien_quan", "related_procedures", "related_dropped")):
        counts[cls] += value(record.get(key)) is not None and not entry.get(field)
    counts["captured_missing"] += not entry.get("captured")


def _named(directory: Directory, text: str | None) -> list[str]:
    """Agencies the record's text names, by the catalogue's own spellings (nothing is added)."""
    if text is None:
        return []
    scratch = Directory(agencies=dict(directory.agencies), spellings=dict(directory.spellings))
    return [a for a in scratch.bodies(text, []) if a not in scratch.added]


def _file_names(record: dict[str, str]) -> set[str]:
    parsed = documents.parse(record.get("thanh_phan_ho_so", ""))
    return {n for f in parsed.forms for n in f.file_names}


def report(counts: Counter[str]) -> str:
    return "\n".join(f"{label:<52} {counts[key]:>6}" for key, label in CLASSES.items())


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("cách dùng: python -m generator.importers.audit THƯ_MỤC_BẢN_GHI THƯ_MỤC_CATALOGUE", file=sys.stderr)
        return 2
    print(report(audit(Path(argv[0]), Path(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
