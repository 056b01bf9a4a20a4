"""The site's URL scheme, in one place below every output.

Pages, the feed, the search index, the statistics and the CPSV-AP export all
link to the same pages; they take the paths from here so they cannot drift.
Paths are relative to the site root and end in '/' (directory URLs).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import PurePosixPath
from urllib.parse import quote


class Kind(StrEnum):
    """The kinds of generated page, each under its own URL folder."""

    PROCEDURE = "thu-tuc"
    AGENCY = "co-quan"
    FIELD = "linh-vuc"
    LEVEL = "muc-do"
    LIFE_EVENT = "su-kien"


def url_of(kind: Kind | str, key: str = "") -> str:
    """Directory URL of a page, e.g. `thu-tuc/1.001193/`; the kind's index without a key."""
    folder = Kind(kind).value
    return f"{folder}/{quote(key)}/" if key else f"{folder}/"


def list_page_url(kind: Kind | str, key: str, page: int) -> str:
    """Page `page` of a browse list: the list's own URL for page 1, then `trang-2/`, `trang-3/`…"""
    return url_of(kind, key) + (f"trang-{page}/" if page > 1 else "")


def procedure_url(code: str) -> str:
    return url_of(Kind.PROCEDURE, code)


def form_url(path: str) -> str:
    """Stable URL of a form file: forms/<agency>/<file> → bieu-mau/<agency>/<file>."""
    return "bieu-mau/" + quote(PurePosixPath(path).relative_to("forms").as_posix())
