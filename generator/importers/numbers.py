"""The grammar of Vietnamese document numbers: số[/năm]/ký hiệu.

Issuer and type codes are editorial data (document_codes.yaml), so a new
ministry's abbreviation is a one-line change a pull request can make.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml


@cache
def number_pattern() -> re.Pattern[str]:
    """The grammar of a document number, built from document_codes.yaml."""
    data = yaml.safe_load(resources.files(__package__).joinpath("document_codes.yaml").read_text("utf-8"))
    first, last = data["legislatures"]["first"], data["legislatures"]["last"]
    # Longest khóa first, so QH13 wins over QH1 and QH1354 splits after QH13.
    khoa = "|".join(str(n) for n in sorted(range(first, last + 1), key=lambda n: (-len(str(n)), -n)))
    bodies = "|".join(sorted(data["legislature_bodies"], key=len, reverse=True))
    issuer_names = "|".join(sorted(data["issuers"], key=len, reverse=True))
    issuer = rf"(?:(?:{bodies})(?:{khoa})|{issuer_names})"
    types = "|".join(sorted(data["types"], key=len, reverse=True))
    symbol = rf"(?:(?:{types})[-_/]{issuer}(?:-{issuer})*|{issuer})"
    so = r"\d+(?:\.\d+|\.?[a-z])?"
    return re.compile(rf"(?P<so>{so})/(?:(?P<year>\d{{4}})/)?(?P<symbol>{symbol})")
