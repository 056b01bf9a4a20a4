"""Fees that cannot be misread, on real portal records."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from generator.importers import channels
from generator.importers.parsed import Parsed
from generator.models import Channel, ChannelKind, Currency, Fee
from generator.wording import fee_text

FIXTURES = Path(__file__).parent / "fixtures" / "dichvucong"


def rows(code: str) -> Parsed[Channel]:
    path = next(FIXTURES.glob(f"*/{code}.json"))
    return channels.parse(json.loads(path.read_text(encoding="utf-8"))["cach_thuc_thuc_hien"])


def test_a_vnd_cell_whose_note_says_usd_is_shown_in_the_source_wording() -> None:
    parsed = rows("1.003358")
    in_person = parsed.items[2]
    assert in_person.kind is ChannelKind.TRUC_TIEP
    assert in_person.fees[0].amount is None and in_person.fees[0].source_text == "155 VNĐ"
    assert fee_text(in_person.fees[0]) == "Nguồn ghi “155 VNĐ”, xem ghi chú"
    assert parsed.items[3].fees[0].amount == 155 and parsed.items[3].fees[0].currency is Currency.USD
    assert "Đơn vị tiền trong ô phí khác với ghi chú" in [r.reason for r in parsed.reviews]


@pytest.mark.parametrize("code", ["1.001766", "1.004746", "1.013067"])
def test_mien_phi_is_not_free_when_its_row_says_a_fee_is_charged(code: str) -> None:
    parsed = rows(code)
    fees = [f for c in parsed.items for f in c.fees]
    assert fees and all(f.amount is None and f.source_text == "Miễn phí" for f in fees)
    assert all(fee_text(f).endswith("xem ghi chú") for f in fees)
    assert len([r for r in parsed.reviews if r.field.endswith(".fees")]) == len(fees)


def test_a_vnd_amount_its_note_gives_in_thousands_is_never_a_figure() -> None:
    # "135 VNĐ" in the cell, "135.000 đồng/lần" in the note.
    fees = [f for c in rows("3.000349").items for f in c.fees]
    assert not [f for f in fees if f.currency is Currency.VND and f.amount is not None and 0 < f.amount < 1000]
    assert any(f.source_text == "135 VNĐ" for f in fees)


def test_a_reduction_until_31_12_2026_is_kept_with_its_period() -> None:
    # TT 64/2025/TT-BTC: half the fee from 01/7/2025 to 31/12/2026.
    fee = rows("1.001979").items[0].fees[0]
    assert (fee.amount, fee.reduced_amount, fee.reduced_until) == (20_000_000, 10_000_000, dt.date(2026, 12, 31))
    assert fee_text(fee) == "10.000.000 đồng đến hết 31/12/2026; sau đó 20.000.000 đồng"


def test_a_dated_rate_the_note_does_not_state_plainly_is_the_source_wording() -> None:
    parsed = rows("1.000757")
    assert parsed.items[1].fees[0].amount is None
    assert parsed.reviews[0].reason == "Ghi chú nêu mức thu có thời hạn mà không đọc được rõ ràng"


def test_stage_rows_are_stages_of_one_channel_not_channels() -> None:
    parsed = rows("1.012538")
    assert [c.kind for c in parsed.items] == [ChannelKind.TRUC_TUYEN, ChannelKind.BUU_CHINH, ChannelKind.TRUC_TIEP]
    in_person = parsed.items[2].note or ""
    assert "Giai đoạn (5 ngày làm việc): - Cơ quan chuyên môn thuộc Ủy ban nhân dân cấp xã" in in_person


def test_a_fee_needs_a_sure_amount_or_the_source_wording() -> None:
    with pytest.raises(ValidationError, match="amount"):
        Fee()
    with pytest.raises(ValidationError, match="reduced"):
        Fee(amount=100_000, reduced_amount=50_000)
    assert Fee(source_text="Miễn phí").amount is None
