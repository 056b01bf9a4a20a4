"""Cách thức thực hiện: the portal's table of submission channels, run together.

The flat text is a header, then for each row: the channel ("Trực tuyến",
"Trực tiếp", "Dịch vụ bưu chính"), the time ("5 Ngày làm việc", "7", or
"Không có thông tin"), the fee ("Miễn phí", "1,200,000 Việt Nam Đồng",
"10 USD", or "Không có thông tin") with an optional note in parentheses,
then a free description up to the next row.
"""

from __future__ import annotations

import re

from ..models import Channel, ChannelKind, Currency, Fee, ProcessingTime, TimeUnit
from .parsed import Parsed
from .text import LOWER, NO_INFO, clean

HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"

KINDS = {
    "Trực tuyến": ChannelKind.TRUC_TUYEN,
    "Trực tiếp": ChannelKind.TRUC_TIEP,
    "Dịch vụ bưu chính": ChannelKind.BUU_CHINH,
}
UNITS = {
    "Ngày làm việc": TimeUnit.WORKING_DAYS,
    "Ngày": TimeUnit.DAYS,
    "Giờ": TimeUnit.HOURS,
    "Tháng": TimeUnit.MONTHS,
    "Năm": TimeUnit.YEARS,
}
CURRENCIES = {"Việt Nam Đồng": Currency.VND, "VNĐ": Currency.VND, "USD": Currency.USD}

# A row starts where a channel name is directly followed by its time cell.
_ROW = re.compile(rf"({'|'.join(KINDS)})(?=\d|{NO_INFO})")
_TIME = re.compile(rf"{NO_INFO}|(\d+(?:[.,]\d+)?)(?: ({'|'.join(UNITS)}))?")
_FEE = re.compile(rf"Miễn phí|{NO_INFO}|(\d[\d,]*) ({'|'.join(CURRENCIES)})")
_NOTE_MONEY = re.compile(rf"(\d{{1,3}}(?:[.,]\d{{3}})+|\d+)\s*(?:đồng|VNĐ|USD|đ(?![{LOWER}]))")
_PER_TAIL = re.compile(r"^\s*(?:1\s+)?([^().;,]+)")
_PER_AFTER_AMOUNT = re.compile(r"^(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:đồng|VNĐ|USD|đ)?\s*/")
SMALLEST_VND_FEE = 1000


def parse(text: str) -> Parsed[Channel]:
    """Channels with their time and fees; rows not read with confidence are flagged."""
    out: Parsed[Channel] = Parsed()
    body = clean(text)
    if body in ("", NO_INFO):
        return out
    if not body.startswith(HEADER):
        out.rows, out.flagged_rows = 1, 1
        out.flag("channels", "Không nhận ra bảng cách thức thực hiện", body)
        return out
    parts = _ROW.split(body[len(HEADER):])
    if parts[0].strip():
        out.flag("channels", "Có văn bản trước dòng đầu tiên của bảng", parts[0].strip())
    for kind_text, rest in zip(parts[1::2], parts[2::2], strict=True):
        _row(out, KINDS[kind_text], kind_text, rest)
    return out


def _row(out: Parsed[Channel], kind: ChannelKind, kind_text: str, rest: str) -> None:
    where = f"channels[{len(out.items)}]"
    original = kind_text + rest
    before = len(out.reviews)
    out.rows += 1
    time_match = _TIME.match(rest)
    assert time_match is not None  # the row pattern guarantees a time cell
    fee_match = _FEE.match(rest, time_match.end())
    if fee_match is None:
        out.items.append(Channel(kind=kind))
        out.flag(where, "Không tách được thời hạn và phí (các số dính liền nhau)", original)
        out.flagged_rows += 1
        return
    time = _time(out, where, time_match, original)
    note, description = _split_note(rest[fee_match.end():])
    if note is None:
        out.flag(f"{where}.fees", "Không tách được ghi chú phí và mô tả (thiếu dấu ngoặc đóng)", original)
        note, description = description.removeprefix("(").strip(), ""
    fees = _fees(out, where, fee_match, note, original)
    out.items.append(Channel(kind=kind, processing_time=time, fees=fees, note=_text(description)))
    if len(out.reviews) > before:
        out.flagged_rows += 1


def _time(out: Parsed[Channel], where: str, match: re.Match[str], original: str) -> ProcessingTime | None:
    if match.group(1) is None:
        return None
    number = float(match.group(1).replace(",", "."))
    amount: int | float = int(number) if number.is_integer() else number
    if match.group(2) is None:
        out.flag(f"{where}.processing_time", "Thời hạn không ghi đơn vị (ngày, ngày làm việc…)", original)
        return ProcessingTime(value=amount)
    return ProcessingTime(value=amount, unit=UNITS[match.group(2)])


def _split_note(text: str) -> tuple[str | None, str]:
    """The fee note in balanced parentheses, and the description after it.

    Returns (None, text) when the parentheses never close.
    """
    if not text.startswith("("):
        return "", text
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return _unwrap(text[1:i]), text[i + 1:]
    return None, text


def _unwrap(note: str) -> str:
    """"((x))" and "(x)" notes both become "x"."""
    note = note.strip()
    while note.startswith("(") and note.endswith(")") and _split_note(note)[1] == "":
        note = note[1:-1].strip()
    return note


def _fees(out: Parsed[Channel], where: str, match: re.Match[str], note: str, original: str) -> list[Fee]:
    token = match.group(0)
    if token == NO_INFO:
        return []
    if token == "Miễn phí":
        fee = Fee(amount=0, note=_text(note))
        if any(v > 0 for v in _note_amounts(note)):
            out.flag(f"{where}.fees", "Ghi 'Miễn phí' nhưng ghi chú nêu mức thu", original)
        return [fee]
    amount = int(match.group(1).replace(",", ""))
    currency = CURRENCIES[match.group(2)]
    fee = Fee(amount=amount, currency=currency, per=_per(note, amount), note=_text(note))
    noted = _note_amounts(note)
    if currency is Currency.VND and amount < SMALLEST_VND_FEE:
        out.flag(f"{where}.fees", f"Số tiền {amount} đồng nhỏ bất thường, có thể nguồn ghi theo nghìn đồng",
                 original)
    elif noted and amount not in noted:
        out.flag(f"{where}.fees", "Số tiền không khớp với mức ghi trong ghi chú", original)
    return [fee]


def _note_amounts(note: str) -> set[int]:
    return {int(re.sub(r"[.,]", "", m.group(1))) for m in _NOTE_MONEY.finditer(note)}


def _per(note: str, amount: int) -> str | None:
    """The unit a fee is charged per, only where the note states it next to the amount."""
    if note.startswith("/"):
        tail = note[1:]
    else:
        match = _PER_AFTER_AMOUNT.match(note)
        if match is None or int(re.sub(r"[.,]", "", match.group(1))) != amount:
            return None
        tail = note[match.end():]
    unit = _PER_TAIL.match(tail)
    if unit is None:
        return None
    words = unit.group(1).strip()
    return words if words and len(words.split()) <= 4 else None


def _text(text: str) -> str | None:
    text = text.strip()
    return None if text in ("", NO_INFO) else text
