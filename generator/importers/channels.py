"""Cách thức thực hiện: the portal's table of submission channels, run together.

The flat text is a header, then for each row: the channel ("Trực tuyến",
"Trực tiếp", "Dịch vụ bưu chính"), the time ("5 Ngày làm việc", "7", or
"Không có thông tin"), the fee ("Miễn phí", "1,200,000 Việt Nam Đồng",
"10 USD", or "Không có thông tin") with an optional note in parentheses,
then a free description up to the next row.
"""

from __future__ import annotations

import datetime as dt
import re

from ..models import Channel, ChannelKind, Currency, Fee, ProcessingTime, TimeUnit
from ..wording import duration_figure
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
_NOTE_MONEY = re.compile(rf"(\d{{1,3}}(?:[.,]\d{{3}})+|\d+)\s*(đồng|VNĐ|USD|đ(?![{LOWER}]))")
_CURRENCY_WORDS = {"đồng": Currency.VND, "VNĐ": Currency.VND, "USD": Currency.USD, "đ": Currency.VND}
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})*")
_HDND = re.compile(r"Hội đồng nhân dân|HĐND")
# "…chủ xe hoàn thành việc nộp lệ phí", "quy định mức thu … lệ phí đăng ký": a fee is charged.
_CHARGED = re.compile(r"(?i)nộp (?:lệ )?phí|mức thu(?:,| phí| lệ phí)? [^.]{0,80}?lệ phí (?!trong)")
_DATE = r"(?:(\d{1,2})/(\d{1,2})/(\d{4})|(\d{1,2}) tháng (\d{1,2}) năm (\d{4}))"
_UNTIL = re.compile(rf"đến hết ngày {_DATE}")
# "25.000đ/tem “AB” (áp dụng đến hết ngày 31/12/2026 …)", "mức phí 10.000.000 đồng/hồ sơ
# kể từ ngày 01/7/2025 đến hết ngày 31/12/2026": an amount, then its end date, one clause.
_REDUCED = re.compile(rf"(\d{{1,3}}(?:[.,]\d{{3}})+|\d+)\s*(?:đồng|VNĐ|đ(?![{LOWER}]))[^;]{{0,90}}?đến hết ngày {_DATE}")
_PER_TAIL = re.compile(r"^\s*(?:1\s+)?([^().;,]+)")
_PER_AFTER_AMOUNT = re.compile(r"^(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:đồng|VNĐ|USD|đ)?\s*/")
SMALLEST_VND_FEE = 1000
# A repeated channel row that is a stage: "Bước 2…", "- Trong thời hạn 05 ngày làm việc: …",
# "- Chủ tịch Ủy ban nhân dân cấp xã: …", "- Cơ quan chuyên môn thuộc …: thẩm định …".
_STAGE = re.compile(r"[-+*•\s]*(?:Bước\b|Trong thời hạn \d|Chủ tịch |Cơ quan chuyên môn |Công an cấp [^:]{1,40}:"
                    r"|Cục [^:]{1,60}:)")


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
    first: dict[ChannelKind, int] = {}
    for kind_text, rest in zip(parts[1::2], parts[2::2], strict=True):
        _row(out, KINDS[kind_text], kind_text, rest)
        row = out.items[-1]
        if row.kind in first and not row.fees and row.note and _STAGE.match(row.note):
            _as_stage(out, first[row.kind], out.items.pop())
        first.setdefault(row.kind, len(out.items) - 1)
    return out


def _as_stage(out: Parsed[Channel], index: int, stage: Channel) -> None:
    """A row that is a stage of the procedure ("- Chủ tịch UBND cấp xã: trong 03 ngày…").

    The portal repeats the channel for each stage with that stage's time; it
    is one channel, so the stage is added to that channel's description.
    """
    channel = out.items[index]
    figure = duration_figure(stage.processing_time)
    line = f"Giai đoạn{f' ({figure})' if figure else ''}: {stage.note}"
    out.items[index] = channel.model_copy(update={"note": f"{channel.note}\n{line}" if channel.note else line})


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
    fees = _fees(out, where, fee_match, note, original, description=description)
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


def _fees(out: Parsed[Channel], where: str, match: re.Match[str], note: str, original: str, *,
          description: str) -> list[Fee]:
    token = match.group(0)
    if token == NO_INFO:
        return []
    reason = _doubt(match, note, description)
    if reason is not None:
        # Never a bare figure: the page shows the source's words and "xem ghi chú".
        out.flag(f"{where}.fees", reason, original)
        return [Fee(source_text=token, note=_text(note))]
    if token == "Miễn phí":
        return [Fee(amount=0, note=_text(note))]
    amount = int(match.group(1).replace(",", ""))
    currency = CURRENCIES[match.group(2)]
    reduced = _reduction(note, amount)
    return [Fee(amount=amount, currency=currency, per=_per(note, amount), note=_text(note),
                reduced_amount=reduced[0] if reduced else None, reduced_until=reduced[1] if reduced else None)]


def _doubt(match: re.Match[str], note: str, description: str) -> str | None:
    """Why the fee cell cannot be shown as a figure, or None when its row agrees with it."""
    noted = _note_amounts(note)
    if _HDND.search(note):
        return "Ghi chú nói mức thu do Hội đồng nhân dân quy định"
    if match.group(0) == "Miễn phí":
        if any(v > 0 for v in noted):
            return "Ghi 'Miễn phí' nhưng ghi chú nêu mức thu"
        if _CHARGED.search(f"{note} {description}"):
            return "Ghi 'Miễn phí' nhưng dòng này nói có thu phí, lệ phí"
        return None
    digits, currency = match.group(1), CURRENCIES[match.group(2)]
    if not _GROUPED.fullmatch(digits):
        return f"Số tiền '{digits}' dính liền hoặc sai cách nhóm chữ số"
    amount = int(digits.replace(",", ""))
    stated = {_CURRENCY_WORDS[m.group(2)] for m in _NOTE_MONEY.finditer(note)}
    if stated and currency not in stated:
        return "Đơn vị tiền trong ô phí khác với ghi chú"
    if currency is Currency.VND and amount < SMALLEST_VND_FEE:
        return f"Số tiền {amount} đồng nhỏ bất thường, có thể nguồn ghi theo nghìn đồng"
    if _reduction(note, amount) is not None:
        return None
    if noted and amount not in noted:
        return "Số tiền không khớp với mức ghi trong ghi chú"
    if _UNTIL.search(note):
        return "Ghi chú nêu mức thu có thời hạn mà không đọc được rõ ràng"
    return None


def _reduction(note: str, amount: int) -> tuple[int, dt.date] | None:
    """A lower amount "đến hết ngày D" where the note states it plainly, and nothing else."""
    found = set()
    for m in _REDUCED.finditer(note):
        reduced = int(re.sub(r"[.,]", "", m.group(1)))
        day, month, year = (int(g) for g in (m.group(2) or m.group(5), m.group(3) or m.group(6),
                                               m.group(4) or m.group(7)))
        try:
            found.add((reduced, dt.date(year, month, day)))
        except ValueError:
            return None
    if len(found) != 1:
        return None
    reduced, until = found.pop()
    if not reduced < amount or not _note_amounts(note) <= {amount, reduced}:
        return None
    return reduced, until


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
