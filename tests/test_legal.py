"""Legal bases read by the grammar of document numbers, on real portal records."""

from __future__ import annotations

import json
from pathlib import Path

from generator.importers import legal
from generator.importers.numbers import number_pattern
from generator.importers.parsed import Parsed
from generator.models import LegalBasis

FIXTURES = Path(__file__).parent / "fixtures" / "dichvucong"


def bases(code: str) -> Parsed[LegalBasis]:
    path = next(FIXTURES.glob(f"*/{code}.json"))
    return legal.parse(json.loads(path.read_text(encoding="utf-8"))["can_cu_phap_ly"])


def numbers(code: str) -> list[str | None]:
    return [b.number for b in bases(code).items]


def test_a_number_ends_where_the_issuer_code_ends_not_at_the_next_capital() -> None:
    # "…53/2025/TT-BCAThông tư…" was cut to TT-BC; "09/2023/QĐ-TTg" to QĐ-T + a row "Tg".
    assert "53/2025/TT-BCA" in numbers("1.000757")
    assert numbers("1.000811") == ["25/2021/TT-BTC", "49/2019/QH14", "09/2023/QĐ-TTg"]


def test_a_glued_repeat_splits_after_the_two_digit_legislature() -> None:
    parsed = bases("1.003523")
    assert parsed.items[0].number == "03/2011/QH13"
    assert parsed.items[0].title == "Luật 03/2011/QH13"


def test_a_number_glued_to_the_next_row_title_that_starts_with_a_number_is_kept() -> None:
    # 1.004089 lost 04/2012/UBTVQH13 and 31/2013/NĐ-CP into other titles.
    assert numbers("1.004089") == ["04/2012/UBTVQH13", "26/2005/PL-UBTVQH11", "31/2013/NĐ-CP",
                                   "05/2013/TT-BLĐTBXH"]
    assert bases("1.004089").reviews == []


def test_a_title_ending_with_its_year_gives_the_year_back_to_the_title() -> None:
    parsed = bases("2.001247")
    assert (parsed.items[0].title, parsed.items[0].number) == ("Luật Đấu giá tài sản năm 2016", "01/2016/QH14")
    assert [b.number for b in parsed.items] == ["01/2016/QH14", "19/2024/TT-BTP", "37/2024/QH15"]
    assert parsed.items[1].title.endswith("theo Luật số 37/2024/QH15")
    assert parsed.reviews == []


def test_a_number_glued_to_ngay_inside_a_title_is_cited_not_a_row() -> None:
    parsed = bases("1.000757")
    row = next(b for b in parsed.items if b.number == "53/2025/TT-BCA")
    assert row.title.startswith("Thông tư số 53/2025/TT-BCAngày 01/7/2025 của Bộ Công an")


def test_what_the_grammar_cannot_settle_is_flagged_with_the_reason() -> None:
    # "…VIỆT NAM61Thông tư…": the source gives the bare "61" as a number cell.
    parsed = bases("3.000374")
    reasons = [r.reason for r in parsed.reviews]
    assert any("dính liền hai chữ" in r for r in reasons)
    assert any("không có số hiệu đủ dạng" in r for r in reasons)
    assert all(number_pattern().fullmatch(b.number or "") for b in parsed.items)


def test_the_grammar_reads_old_forms_and_joint_circulars_whole() -> None:
    for number in ("179/QĐ-TTg", "59/CP", "01/2016/QH14", "04/2012/UBTVQH13", "02/2015/TTLT-BTP-BCA",
                   "08.a/2010/TT-BTP", "190/2025/NQ-QH15", "12/2020/NQ-HĐND"):
        assert number_pattern().fullmatch(number), number
    match = number_pattern().match("54/2014/QH1354/2014/QH13")
    assert match is not None and match.group(0) == "54/2014/QH13"
    assert number_pattern().fullmatch("53/2025/TT-BC") is None
