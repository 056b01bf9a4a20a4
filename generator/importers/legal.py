"""Căn cứ pháp lý: the portal's table "title | number", flattened and glued.

The flat text is "Tên văn bản pháp lýMã văn bảnTITLE1NUMBER1TITLE2NUMBER2…".
Where a number ends is decided by the grammar of Vietnamese document numbers
(số[/năm]/ký hiệu, issuer codes in document_codes.yaml), never by guessing
from the next letter: "53/2025/TT-BCAThông tư…" ends after BCA because BCA is
an issuer and BCAT is not; "54/2014/QH1354/2014/QH13" splits after QH13
because a legislature (khóa) has at most two digits.

A number is the row's number cell when nothing separates it from what
follows (glued to the next title, another number, or the end of the table);
a number followed by a space or punctuation, or glued to a lower-case word
right after "số"/"Thông tư"…, is cited inside a title. The
title is the text between two number cells.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..models import LegalBasis
from .numbers import number_pattern
from .parsed import Parsed
from .text import NO_INFO, clean

HEADER = "Tên văn bản pháp lýMã văn bản"
_ISSUED = re.compile(r"ngày (\d{1,2})/(\d{1,2})/(\d{4})")
_CITING = re.compile(r"(?:số|Luật|Nghị định|Thông tư|Quyết định|Nghị quyết|Pháp lệnh) ?$")
# "…VIỆT NAM61Thông tư…": a bare number cell ("61") glued between two titles.
_MERGED = re.compile(r"[^\W\d_]\d{1,4}(?=[A-ZĐ][^\W\d_])")
_YEAR = re.compile(r"(?:19[4-9]\d|20[0-4]\d)$")
# Title text that ends in this is a sentence still running, not a row's end.
_SEPARATOR_AFTER = ",.;:)]}\"'”’–-/"


@dataclass
class _Cell:
    start: int
    end: int
    number: str
    title_start: int


def parse(text: str) -> Parsed[LegalBasis]:
    """Legal bases as number and title; what the grammar cannot settle is flagged, with why."""
    out: Parsed[LegalBasis] = Parsed()
    body = clean(text).replace("\n", " ")
    if body in ("", NO_INFO):
        return out
    if not body.startswith(HEADER):
        out.rows, out.flagged_rows = 1, 1
        out.flag("legal_basis", "Không nhận ra bảng căn cứ pháp lý", body)
        return out
    cells = _cells(body, len(HEADER))
    for cell in cells:
        out.rows += 1
        number, reason = _settle(body[cell.title_start:cell.start], cell.number, body, cell)
        if reason:
            out.flagged_rows += 1
            out.flag(f"legal_basis[{len(out.items)}]", reason, body[cell.title_start:cell.end].strip())
            continue
        title = body[cell.title_start:cell.end - len(number)].strip(" ,;")
        if _MERGED.search(title):
            out.flagged_rows += 1
            out.flag(f"legal_basis[{len(out.items)}]", "Tên văn bản chứa một số dính liền hai chữ "
                     "(nguồn ghi số hiệu không đủ số/năm/ký hiệu, hai dòng có thể bị nhập làm một)",
                     body[cell.title_start:cell.end].strip())
            continue
        out.items.append(_basis(title, number))
    tail = body[cells[-1].end if cells else len(HEADER):].strip()
    if tail:
        out.rows += 1
        out.flagged_rows += 1
        out.flag("legal_basis", "Dòng cuối không có số hiệu đủ dạng số/năm/ký hiệu (nguồn ghi thiếu hoặc "
                 "ghi số hiệu trước tên văn bản)", tail)
    return out


def _cells(body: str, start: int) -> list[_Cell]:
    """Number cells in order; a cell glued to the next one belongs to the next one's title."""
    cells: list[_Cell] = []
    title_start = start
    for match in number_pattern().finditer(body, start):
        if not _is_cell(body, match.start(), match.end()):
            continue
        if cells and not body[cells[-1].end:match.start()].strip() and _cited(body, cells[-1], match.group(0)):
            title_start = cells.pop().title_start
        cells.append(_Cell(match.start(), match.end(), match.group(0), title_start))
        title_start = match.end()
    return cells


def _cited(body: str, previous: _Cell, number: str) -> bool:
    """Whether a number glued to the next one belongs to the title rather than being a cell.

    "Luật 51/2019/QH1451/2019/QH14" (the title repeats the number) and
    "…theo Luật số 37/2024/QH1519/2024/TT-BTP" (the title cites a law) are
    titles; "Thông tư 281/2016/TT-BTC281/2016/TT-BTC01/2013/TT-BVHTTDL…" is a
    cell followed by a row whose title is its number.
    """
    return previous.number == number or _CITING.search(body, previous.title_start, previous.start) is not None


def _is_cell(body: str, start: int, end: int) -> bool:
    if end == len(body):
        return True
    if body[end].islower():
        # "Thông tư số 53/2025/TT-BCAngày 01/7/2025…" cites; "…tư pháp.05/2020/TT-BTPsửa đổi…" is a cell.
        return _CITING.search(body, 0, start) is None
    if body[end] not in " " + _SEPARATOR_AFTER:
        return True
    # "31/2013/NĐ-CP\t05/2013/TT-BLĐTBXH - …": a tab (now a space) between cells.
    nxt = number_pattern().match(body, end + 1)
    return body[end] == " " and nxt is not None and not _is_cell(body, nxt.start(), nxt.end())


def _settle(title: str, number: str, body: str, cell: _Cell) -> tuple[str, str | None]:
    """The number once digits glued from the title are given back, or why that is unclear.

    "Luật Đấu giá tài sản năm 201601/2016/QH14": the title ends with the year
    2016, the number is 01/2016/QH14. Digits before a number can be split off
    only where the title ends with a year or cites the shorter number itself.
    """
    match = number_pattern().fullmatch(number)
    assert match is not None
    digits = re.match(r"\d+", match.group("so"))
    assert digits is not None
    run = digits.group(0)
    if len(run) <= 4:
        return number, None
    for cut in range(1, len(run)):
        head, rest = title + run[:cut], number[cut:]
        if re.search(rf"(?<![\d.]){re.escape(rest)}(?![\w])", body[:cell.start]) or (
                _YEAR.search(head) and len(run) - cut <= 4):
            return rest, None
    return number, f"Số hiệu '{number}' dính liền với chữ số của tên văn bản; không rõ số hiệu bắt đầu từ đâu"


def _basis(title: str, number: str) -> LegalBasis:
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
