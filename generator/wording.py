"""Values as Vietnamese readers read them: numbers, money, fees, times, dates.

One place for the words, so the procedure page, the finder's result list,
the statistics and the review diff say "5 – 7 ngày" the same way.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from typing import Any

from .models import FEE_LABELS, TIME_UNIT_LABELS, Currency, Fee, LegalBasis, ProcessingTime, TimeUnit

NO_UNIT = "(nguồn không ghi đơn vị)"
# A procedure whose record names no implementing body: said so, never filled with a guess.
NO_AGENCY = "Nguồn chưa ghi cơ quan thực hiện"


def group_digits(value: int) -> str:
    """1750000 → '1.750.000' (Vietnamese thousands separator)."""
    return f"{value:,}".replace(",", ".")


def number(value: float) -> str:
    """Whole numbers with thousands dots, fractions with a decimal comma: '1.000', '0,5'."""
    if float(value).is_integer():
        return group_digits(int(value))
    return f"{value:g}".replace(".", ",")


def currency_unit(currency: Currency) -> str:
    return "đồng" if currency is Currency.VND else currency.value


def money(amount: int, currency: Currency = Currency.VND) -> str:
    """An amount as a citizen reads it: '1.750.000 đồng', '50 USD'."""
    return f"{group_digits(amount)} {currency_unit(currency)}"


def money_range(low: int, high: int, currency: Currency) -> str:
    """'50.000 đồng', or '0 – 1.000.000 đồng' when the bounds differ."""
    if low == high:
        return money(low, currency)
    return f"{group_digits(low)} – {money(high, currency)}"


SEE_NOTE = "xem ghi chú"


def fee_text(fee: Fee) -> str:
    """Amount, range and unit of one fee; 'Miễn phí' when it costs nothing.

    A fee the source states ambiguously is its own wording, never a figure:
    'Nguồn ghi “135 Việt Nam Đồng”, xem ghi chú'. A reduction with an end
    date comes first, as it is what a citizen pays until then.
    """
    if fee.amount is None:
        return f"Nguồn ghi “{fee.source_text}”, {SEE_NOTE}"
    if fee.amount == 0 and not fee.max_amount:
        return "Miễn phí"
    text = _per(money_range(fee.amount, fee.max_amount or fee.amount, fee.currency), fee.per)
    if fee.reduced_amount is not None and fee.reduced_until is not None:
        reduced = _per(money(fee.reduced_amount, fee.currency), fee.per)
        return f"{reduced} đến hết {date_text(fee.reduced_until)}; sau đó {text}"
    return text


def _per(text: str, per: str | None) -> str:
    return f"{text}/{per}" if per else text


def fee_line(fee: Fee) -> str:
    """Kind, amount and note, for text without a table: 'Lệ phí: 200.000 đồng/hộ chiếu (ghi chú)'."""
    text = f"{FEE_LABELS[fee.kind]}: {fee_text(fee)}"
    return f"{text} ({fee.note})" if fee.note else text


def duration_figure(time: ProcessingTime | None) -> str | None:
    """'3 ngày làm việc', '5 – 7 ngày', 'Trong ngày'; None when the source gives no figure."""
    if time is None:
        return None
    if time.unit is TimeUnit.SAME_DAY:
        return "Trong ngày"
    if time.value is None:
        return None
    amount = number(time.value)
    if time.max_value is not None:
        amount = f"{amount} – {number(time.max_value)}"
    return f"{amount} {TIME_UNIT_LABELS[time.unit] if time.unit else NO_UNIT}"


def duration_text(time: ProcessingTime | None) -> str:
    """The figure, else the source's note, else 'Chưa có thông tin'."""
    figure = duration_figure(time)
    if figure is not None:
        return figure
    return (time.note if time is not None else None) or "Chưa có thông tin"


_SECONDS = {TimeUnit.DAYS: 86_400, TimeUnit.HOURS: 3_600}


def iso_duration(time: ProcessingTime | None) -> str | None:
    """The longest time as an ISO 8601 duration that is also a valid xsd:duration; None when it cannot be said.

    For schema.org and CPSV-AP alike. Working days have no ISO form, and
    calendar days would promise less time than the source gives, so they are
    left to the text; so is a fraction of a month or year (months differ in
    length). Digits are never grouped (1500 hours is PT1500H), and a fraction
    becomes smaller units, as xsd allows a fraction only in seconds:
    0.5 days is PT12H, 1.5 hours PT1H30M.
    """
    if time is None or time.unit is None:
        return None
    value = time.max_value if time.max_value is not None else time.value
    if value is None:
        return None
    if time.unit in (TimeUnit.MONTHS, TimeUnit.YEARS):
        letter = "M" if time.unit is TimeUnit.MONTHS else "Y"
        return f"P{int(value)}{letter}" if float(value).is_integer() else None
    if time.unit not in _SECONDS:
        return None
    seconds = round(value * _SECONDS[time.unit])
    days, rest = divmod(seconds, 86_400) if time.unit is TimeUnit.DAYS else (0, seconds)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    clock = "".join(f"{n}{letter}" for n, letter in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    if not days and not clock:
        return "P0D" if time.unit is TimeUnit.DAYS else "PT0H"
    return f"P{f'{days}D' if days else ''}{'T' + clock if clock else ''}"


def duration_line(time: ProcessingTime) -> str:
    """Figure and note, for text without a table: '10 – 15 ngày làm việc (ghi chú)'; '' when neither is given."""
    figure = duration_figure(time)
    if figure and time.note:
        return f"{figure} ({time.note})"
    return figure or time.note or ""


def captured_text(value: str) -> str:
    """'2026-07' → 'tháng 7/2026'; '2026-07-14' → '14/07/2026': no more precise than the source."""
    parts = value.split("-")
    if len(parts) == 2:
        return f"tháng {int(parts[1])}/{parts[0]}"
    return f"{parts[2]}/{parts[1]}/{parts[0]}"


def date_text(value: dt.date) -> str:
    """dd/mm/yyyy, as Vietnamese documents write dates."""
    return value.strftime("%d/%m/%Y")


def document_text(doc: LegalBasis) -> str:
    """A legal document as a sentence names it: 'Quyết định … số 1234/QĐ-BTP ngày 15/06/2026 của …'."""
    parts = [doc.title, f"số {doc.number}" if doc.number else "",
             f"ngày {date_text(doc.issued)}" if doc.issued else "", f"của {doc.issuer}" if doc.issuer else ""]
    return " ".join(part for part in parts if part)


# Letter modifiers that make a separate letter of the Vietnamese alphabet
# (a ă â, e ê, o ô ơ, u ư, d đ); tone marks only break ties.
_LETTER_MARKS = {"\u0306": "1", "\u0302": "2", "\u031b": "3"}


def vi_key(text: str) -> tuple[str, str]:
    """Sort key in Vietnamese alphabetical order: 'Đăng ký' after 'Dữ liệu', before 'Giám định'.

    Each letter is written as two characters, itself and its modifier's rank
    (0 none, 1 ă, 2 â ê ô, 3 ơ ư, 4 đ), so the key compares as one string, a
    few times faster than tuples of pairs and in the same order; tones follow.
    """
    letters: list[str] = []
    tones = []
    for char in unicodedata.normalize("NFD", text.casefold()):
        if char in _LETTER_MARKS and letters:
            letters[-1] = letters[-1][0] + _LETTER_MARKS[char]
        elif unicodedata.combining(char):
            tones.append(char)
        elif char == "đ":
            letters.append("d4")
        else:
            letters.append(char + "0")
    return "".join(letters), "".join(tones)


def vi_sorted(items: Iterable[Any], attribute: str = "name") -> list[Any]:
    """Items sorted by one text attribute in Vietnamese order."""
    return sorted(items, key=lambda item: vi_key(getattr(item, attribute)))


def document_count_text(count: int) -> str:
    """How many papers to bring: '3 giấy tờ'."""
    return f"{count} giấy tờ" if count else "Chưa có thông tin"


def channel_fee_text(fees: list[Fee]) -> str:
    """All fees of one channel on one line, as the summary and the fee table say them."""
    if not fees:
        return "Chưa có thông tin"
    return "; ".join(fee_text(f) for f in fees)
