"""Kết quả xử lý: "NameMã: KQ.G15.000031" rows, with the page's chrome glued after.

The crawler ran the rest of the page into this cell: "Từ khóa…Mô tả…Chọn cơ
quan thực hiện…Nộp hồ sơ". That chrome is cut off; its "Từ khóa" (keywords)
and "Mô tả" (description) values are returned apart, as the portal's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..models import Result
from .parsed import Parsed
from .text import LOWER, NO_INFO, UPPER, clean

_CHROME = re.compile(r"Từ khóa(?P<keywords>.*?)Mô tả(?P<description>.*?)(?:Chọn cơ quan thực hiện.*)?$", re.DOTALL)
_CODE = re.compile(r"Mã: ?")
# Codes as the portal issues them: KQ.G15.000031, 000.00.00.G11-KQ1711, G15-TP05.00001
_KNOWN_CODE = re.compile(r"KQ\.G\d+\.\d{6}|\d{3}\.\d{2}\.\d{2}\.G\d+-KQ\d{4}|G\d+-TP\d+\.\d{5}")
_UNKNOWN_CODE = re.compile(rf"[^\s]*?(?=[{UPPER}][{LOWER}]|-|$)")


@dataclass
class ResultsResult:
    """Results, and the keywords and description found in the page chrome."""

    results: Parsed[Result] = field(default_factory=Parsed)
    keywords: str | None = None
    description: str | None = None


def parse(text: str) -> ResultsResult:
    """Results as name and code; unexpected codes are flagged, chrome is stripped."""
    out = ResultsResult()
    body = clean(text)
    chrome = body.find("Từ khóa")
    if chrome >= 0:
        match = _CHROME.match(body, chrome)
        if match is not None:
            out.keywords = _value(match.group("keywords"))
            out.description = _value(match.group("description"))
        body = body[:chrome]
    body = body.strip()
    if body in ("", NO_INFO):
        return out
    _rows(out.results, body)
    return out


def _rows(out: Parsed[Result], body: str) -> None:
    position = 0
    while position < len(body):
        marker = _CODE.search(body, position)
        out.rows += 1
        if marker is None:
            out.items.append(Result(name=body[position:].strip()))
            return
        name = body[position:marker.start()].strip()
        code = _KNOWN_CODE.match(body, marker.end())
        if code is None:
            code = _UNKNOWN_CODE.match(body, marker.end())
            assert code is not None  # the pattern can match the empty string
            out.flagged_rows += 1
            out.flag(f"results[{len(out.items)}]", "Mã kết quả không đúng dạng của Cổng (KQ.Gxx.xxxxxx)",
                     body[position:code.end()].strip())
            out.items.append(Result(name=name or body[position:code.end()].strip()))
        else:
            out.items.append(Result(name=name, code=code.group(0)) if name else Result(name=code.group(0)))
        position = code.end()


def _value(text: str) -> str | None:
    text = text.strip()
    return None if text in ("", NO_INFO) else text
