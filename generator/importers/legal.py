"""Căn cứ pháp lý: rows of title + number ("Luật Hộ tịch60/2014/QH13"), glued.

A row ends where a document number is directly followed by the next row's
capital letter, or by the end of the text. The title often repeats the
number; the lazy match takes the first place where that rule holds.
"""

from __future__ import annotations

import datetime as dt
import re

from ..models import LegalBasis
from .parsed import Parsed
from .text import LOWER, NO_INFO, UPPER, clean

HEADER = "Tên văn bản pháp lýMã văn bản"
# 60/2014/QH13, 123/2015/NĐ-CP, 66.7/2025/NQ-CP, 09/2023/QĐ-TTg, 2338/QĐ-BTP
_SEGMENT = r"(?:TTg|[A-ZĐƯƠ0-9]+)"
_NUMBER = (rf"\d{{1,3}}(?:\.\d+)?/\d{{4}}/{_SEGMENT}(?:-{_SEGMENT})*"
           rf"|\d{{1,5}}/{_SEGMENT}(?:-{_SEGMENT})+")
_UP, _LOW = UPPER, LOWER
# The next row starts with a capitalised word ("Luật", "Nghị định", "QUY ĐỊNH").
_NEXT = rf"(?= ?[{_UP}][{_LOW}]| ?[{_UP}]{{3,}} [{_UP}]|\s*$)"
_ROW = re.compile(
    rf"(.+?)(?:(?:Thông tư|Nghị định|Nghị quyết|Quyết định|Luật) số )?({_NUMBER}){_NEXT}", re.DOTALL)
_ISSUED = re.compile(r"ngày (\d{1,2})/(\d{1,2})/(\d{4})")


def parse(text: str) -> Parsed[LegalBasis]:
    """Legal bases as number and title; text no row pattern covers is flagged."""
    out: Parsed[LegalBasis] = Parsed()
    body = clean(text).replace("\n", " ")
    if body in ("", NO_INFO):
        return out
    if not body.startswith(HEADER):
        out.rows, out.flagged_rows = 1, 1
        out.flag("legal_basis", "Không nhận ra bảng căn cứ pháp lý", body)
        return out
    position, rest = len(HEADER), body
    while position < len(rest):
        match = _ROW.match(rest, position)
        out.rows += 1
        if match is None:
            out.flagged_rows += 1
            out.flag("legal_basis", "Không tách được tên và số hiệu văn bản", rest[position:].strip())
            break
        title, number = _regroup(match.group(1).strip(), match.group(2))
        if title and title[-1].isdigit() and not title.endswith(number):
            out.flagged_rows += 1
            out.flag(f"legal_basis[{len(out.items)}]", "Số hiệu văn bản dính liền với chữ số của tên",
                     match.group(0).strip())
        else:
            out.items.append(_basis(title, number))
        position = match.end()
    return out


def _regroup(title: str, number: str) -> tuple[str, str]:
    """Move leading digits of the number back to the title where that is certain.

    "Luật 60/2014/QH1" + "360/2014/QH13" → the title repeats the number;
    "…năm 2012" + "13/2012/QH13" → the title ends with a year. Otherwise unchanged.
    """
    if not (title and title[-1].isdigit()):
        return title, number
    for cut in range(1, len(number)):
        head, rest = title + number[:cut], number[cut:]
        if not re.fullmatch(_NUMBER, rest):
            continue
        if head.endswith(rest) or re.search(r"(?<!\d)(?:19|20)\d{2}$", head):
            return head, rest
    return title, number


def _basis(title: str, number: str) -> LegalBasis:
    title = title.rstrip(" ,;")
    return LegalBasis(number=number, title=title or number, issued=_issued(title, number))


def _issued(title: str, number: str) -> dt.date | None:
    """The date only where the title states it right after this very number."""
    at = title.find(number)
    if at < 0:
        return None
    match = _ISSUED.match(title, at + len(number) + 1)
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
