"""procedures.csv and channels.csv: BOM, CRLF, fixed columns, one row per procedure / channel fee."""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from pathlib import Path

from generator import csv_tables, feed, models

from .catalogues import load

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "feed" / "catalogue"


@cache
def files() -> dict[str, bytes]:
    return csv_tables.csv_files(load(), feed.Links())


def rows(name: str) -> list[dict[str, str]]:
    text = files()[name].decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_files_start_with_a_bom_and_end_lines_with_crlf() -> None:
    for name, data in files().items():
        if not name.endswith(".csv"):
            continue
        assert data.startswith(b"\xef\xbb\xbfcode,")
        assert data.endswith(b"\r\n")
        # The fixture has no line breaks inside cells: one CRLF per row and the header, no bare LF.
        assert data.count(b"\r\n") == data.count(b"\n") == len(rows(name)) + 1


def test_column_order_is_the_published_one() -> None:
    header = files()["procedures.csv"].decode("utf-8-sig").split("\r\n", 1)[0]
    assert header.split(",") == list(csv_tables.PROCEDURE_COLUMNS)
    assert csv_tables.PROCEDURE_COLUMNS[:4] == ("code", "name", "agency", "agency_name")
    assert csv_tables.CHANNEL_COLUMNS[:4] == ("code", "name", "channel", "kind")
    docs = (ROOT / "docs" / "api" / "index.md").read_text(encoding="utf-8")
    for column in (*csv_tables.PROCEDURE_COLUMNS, *csv_tables.CHANNEL_COLUMNS, *csv_tables.DOCUMENT_COLUMNS,
                   *csv_tables.LEGAL_BASIS_COLUMNS, *csv_tables.FORM_COLUMNS, *csv_tables.RESULT_COLUMNS):
        assert f"`{column}`" in docs, column


def test_one_row_per_procedure_with_vietnamese_intact() -> None:
    found = rows("procedures.csv")
    assert [r["code"] for r in found] == [p.code for p in load().procedures]
    birth = next(r for r in found if r["code"] == "1.001193")
    assert birth["name"] == "Đăng ký khai sinh"
    assert (birth["service_level"], birth["category"], birth["national_portal"]) == ("4", "toan-trinh", "true")
    assert birth["channels"] == "truc-tuyen; truc-tiep"
    assert birth["url"] == "../../thu-tuc/1.001193/"
    record = next(r for r in found if r["code"] == "2.000488")
    assert (record["postal"], record["online_payment"], record["review"]) == ("", "false", "channels")
    assert record["legal_basis"] == "28/2009/QH12; Thông tư hướng dẫn về lý lịch tư pháp"


def test_one_row_per_channel_fee_and_one_for_a_channel_without_fees() -> None:
    found = rows("channels.csv")
    expected = sum(max(1, len(c.fees)) for p in load().each() for c in p.channels)
    assert len(found) == expected
    khai_sinh = [r for r in found if r["code"] == "1.001193"]
    assert [(r["channel"], r["kind"], r["fee"]) for r in khai_sinh] == [("1", "truc-tuyen", "1"), ("2", "truc-tiep", "")]
    range_fee = next(r for r in found if r["code"] == "2.000488" and r["fee_kind"] == "gia")
    assert (range_fee["amount"], range_fee["max_amount"], range_fee["per"]) == ("5000", "20000", "trang")
    assert (range_fee["processing_time"], range_fee["processing_time_max"]) == ("10", "15")


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_defused() -> None:
    range_fee = next(r for r in rows("channels.csv") if r["fee_kind"] == "gia")
    assert range_fee["fee_note"] == "'=Bản in thêm"
    for start in ("=", "+", "-", "@", "\t", "\r"):  # OWASP CSV Injection, every risky leading character
        assert csv_tables.cell(f"{start}1+1") == f"'{start}1+1"
    assert csv_tables.cell(-5) == "-5"  # a number stays a number
    assert csv_tables.cell("5 ngày") == "5 ngày"


def test_the_data_package_describes_every_csv_column_with_a_type_every_cell_has() -> None:
    package = json.loads(files()[csv_tables.DATA_PACKAGE])
    tables = {name for name in files() if name.endswith(".csv")}
    assert {r["path"] for r in package["resources"]} == tables
    checks = {"integer": r"-?\d+", "number": r"-?\d+(\.\d+)?", "boolean": "true|false",
              "date": r"\d{4}-\d{2}-\d{2}", "string": r"(?s).*"}
    for resource in package["resources"]:
        assert resource["hash"] == f"sha256:{feed.sha256(files()[resource['path']])}"
        found = rows(resource["path"])
        header = files()[resource["path"]].decode("utf-8-sig").split("\r\n", 1)[0].split(",")
        assert [f["name"] for f in resource["schema"]["fields"]] == header
        for field in resource["schema"]["fields"]:
            for row in found:
                value = row[field["name"]]
                assert value == "" or re.fullmatch(checks[field["type"]], value), (resource["path"], field, value)
    code = next(f for f in package["resources"][0]["schema"]["fields"] if f["name"] == "code")
    assert code["type"] == "string"


def test_child_tables_keep_each_item_whole_instead_of_joining_them() -> None:
    procedure = load().full("2.000488")
    legal = [r for r in rows("legal_basis.csv") if r["code"] == "2.000488"]
    assert [r["title"] for r in legal] == [b.title for b in procedure.legal_basis]
    documents = [r for r in rows("documents.csv") if r["code"] == "2.000488"]
    assert len(documents) == sum(len(c.documents) for c in procedure.document_cases)
    assert [r["result_name"] for r in rows("results.csv") if r["code"] == "2.000488"] == \
        [r.name for r in procedure.results]


def test_two_exports_are_byte_identical() -> None:
    assert csv_tables.csv_files(load(), feed.Links()) == files()


def test_a_fee_the_source_does_not_call_phi_or_le_phi_has_an_empty_fee_kind() -> None:
    channel = models.Channel(kind=models.ChannelKind.TRUC_TIEP, fees=[models.Fee(amount=5000)])
    procedure = next(load().each()).model_copy(update={"channels": [channel]})
    assert csv_tables.channel_rows(procedure)[0][11] is None
