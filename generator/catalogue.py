"""The validated catalogue as one indexed whole, which every output reads.

Indexes (by agency, field, level, life event) are built once here so that
no output rebuilds a list per page.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from .models import Agency, FieldOfWork, LifeEvent, Procedure, Synonym, Target, UsageRecord
from .wording import NO_AGENCY

T = TypeVar("T")


def source_date() -> dt.date | None:
    """The day of $SOURCE_DATE_EPOCH (UTC), when set: the one date from the environment any stage uses."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date() if epoch.isdigit() else None


@dataclass(frozen=True)
class Located(Generic[T]):
    """A model and the place in the sources it came from."""

    value: T
    path: str
    line: int
    column: int


@dataclass(frozen=True)
class FormFile:
    """A form file shipped with the catalogue, as the site serves it."""

    path: str  # relative to the catalogue root, e.g. forms/bo-tu-phap/x.pdf
    size: int
    sha256: str


@dataclass
class Catalogue:
    root: Path
    agencies: dict[str, Agency]
    fields: dict[str, FieldOfWork]
    life_events: dict[str, LifeEvent]
    procedures: list[Procedure] = field(default_factory=list)  # in force; every output's default
    retired: list[Procedure] = field(default_factory=list)  # bãi bỏ or thay thế: own page, tombstone in the feed
    sources: dict[str, str] = field(default_factory=dict)  # code → file path
    # code → hash of the procedure file's bytes and of what it may refer to (validate's cache key):
    # what a cache of anything made from one procedure keys on, instead of re-serialising its model.
    digests: dict[str, str] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    usage: list[UsageRecord] = field(default_factory=list)
    synonyms: list[Synonym] = field(default_factory=list)
    by_code: dict[str, Procedure] = field(default_factory=dict)  # every code, retired ones too
    predecessors: dict[str, list[Procedure]] = field(default_factory=dict)  # successor code → what it replaced
    by_agency: dict[str, list[Procedure]] = field(default_factory=dict)
    by_field: dict[str, list[Procedure]] = field(default_factory=dict)
    by_level: dict[int, list[Procedure]] = field(default_factory=dict)
    by_life_event: dict[str, list[Procedure]] = field(default_factory=dict)

    def add(self, located: Located[Procedure], digest: str = "") -> None:
        """Add a procedure; a second file with the same code is reported by validation."""
        code = located.value.code
        if code not in self.by_code:
            self.by_code[code] = located.value
            self.sources[code] = located.path
            self.digests[code] = digest

    def finish(self) -> None:
        """Sort and index once, after every procedure is in."""
        every = sorted(self.by_code.values(), key=lambda p: p.code)
        # Browse lists, search, statistics and exports read `procedures`: only those in force.
        self.procedures = [p for p in every if p.retired is None]
        self.retired = [p for p in every if p.retired is not None]
        predecessors: dict[str, list[Procedure]] = defaultdict(list)
        for p in self.retired:
            if p.retired is not None and p.retired.successor is not None:
                predecessors[p.retired.successor].append(p)
        self.predecessors = dict(predecessors)
        by_agency: dict[str, list[Procedure]] = defaultdict(list)
        by_field: dict[str, list[Procedure]] = defaultdict(list)
        by_level: dict[int, list[Procedure]] = defaultdict(list)
        by_event: dict[str, list[Procedure]] = defaultdict(list)
        for p in self.procedures:
            if p.agency is not None:
                by_agency[p.agency].append(p)
            by_field[p.field].append(p)
            by_level[p.service_level].append(p)
            for event in p.life_events:
                by_event[event].append(p)
        self.by_agency, self.by_field = dict(by_agency), dict(by_field)
        self.by_level, self.by_life_event = dict(by_level), dict(by_event)

    def full(self, code: str) -> Procedure:
        """The whole validated model of one procedure (retired ones too).

        What outputs read beyond a procedure's summary (name, agency, field,
        level, life events, dates, retirement) comes through here or `each`,
        one procedure at a time, so that the catalogue need not hold every
        full model at once (issue 17, a lean catalogue).
        """
        return self.by_code[code]

    def each(self, codes: Iterable[str] | None = None) -> Iterator[Procedure]:
        """The whole models of `codes` (default: the procedures in force, in code order), one at a time.

        Use the model and let it go: do not gather the models in a list.
        """
        for code in (p.code for p in self.procedures) if codes is None else codes:
            yield self.full(code)

    def newest_update(self) -> dt.date | None:
        return max((p.updated for p in self.by_code.values()), default=None)

    def build_date(self) -> dt.date:
        """The date outputs are 'as of': SOURCE_DATE_EPOCH, else the newest `updated`.

        Never the clock, so two builds of the same input are byte-identical.
        """
        return source_date() or self.newest_update() or dt.date(1970, 1, 1)

    def successor_of(self, procedure: Procedure) -> Procedure | None:
        """The procedure in force that replaces a retired one, following a chain of replacements.

        Validation refuses unknown successors, chains ending in a bãi bỏ, and cycles.
        """
        seen: set[str] = set()
        current = procedure
        while current.retired is not None and current.retired.successor is not None and current.code not in seen:
            seen.add(current.code)
            current = self.by_code[current.retired.successor]
        return current if current is not procedure and current.retired is None else None

    def captured(self) -> str | None:
        """The newest capture date of the procedures' data from their source (as precise as it is given)."""
        return max((p.captured for p in self.procedures if p.captured), default=None)

    def agency_name(self, agency_id: str | None) -> str:
        """The agency's name, or the words saying the source names none."""
        return self.agencies[agency_id].name if agency_id is not None else NO_AGENCY

    def agency_chain(self, agency_id: str | None) -> list[Agency]:
        """The agency and its parents, nearest first ([] when the procedure has none)."""
        chain: list[Agency] = []
        if agency_id is None:
            return chain
        current = self.agencies.get(agency_id)
        while current is not None and current not in chain:
            chain.append(current)
            current = self.agencies.get(current.parent) if current.parent else None
        return chain
