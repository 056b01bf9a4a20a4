"""What every section parser returns: items, review markers and row counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ..models import Review

T = TypeVar("T")

MAX_ORIGINAL = 20_000


@dataclass
class Parsed(Generic[T]):
    """Items read from one section, the markers for what was not, and row counts."""

    items: list[T] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    rows: int = 0
    flagged_rows: int = 0

    def flag(self, where: str, reason: str, original: str) -> None:
        """Keep the original text of a row the parser could not read with confidence."""
        self.reviews.append(review(where, reason, original))


def review(where: str, reason: str, original: str) -> Review:
    """A review marker; an over-long original is cut and says so (never silently)."""
    if len(original) > MAX_ORIGINAL:
        original = original[: MAX_ORIGINAL - 40] + " […] (văn bản gốc dài, đã cắt bớt)"
    return Review(field=where, reason=reason, original=original or None)
