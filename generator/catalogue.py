"""The validated catalogue as one indexed whole, which every output reads.

Indexes (by agency, field, level, life event) are built once here so that
no output rebuilds a list per page. They hold procedure summaries
(models.ProcedureSummary), not full models: 100,000 full models weigh
several GB, their summaries ~100 MB. A full model is read when an output
needs one, from the store validation left it in (`full`, `each`), in
whatever process asks, and dropped after use.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from .models import (
    Agency,
    FieldOfWork,
    LifeEvent,
    Procedure,
    ProcedureSummary,
    Synonym,
    Target,
    UsageRecord,
    summarise,
)
from .wording import NO_AGENCY

T = TypeVar("T")
BATCH = 200  # models read from the store at a time by `each`


class ModelStore(Protocol):
    """Where the full models wait (result_cache.Results): models by validation key."""

    def procedures(self, keys: Iterable[str]) -> dict[str, Procedure]: ...


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
    procedures: list[ProcedureSummary] = field(default_factory=list)  # in force; every output's default
    retired: list[ProcedureSummary] = field(default_factory=list)  # bãi bỏ or thay thế: own page, tombstone in the feed
    sources: dict[str, str] = field(default_factory=dict)  # code → file path
    # code → hash of the procedure file's bytes and of what it may refer to (validate's cache key):
    # what a cache of anything made from one procedure keys on, instead of re-serialising its model.
    digests: dict[str, str] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    usage: list[UsageRecord] = field(default_factory=list)
    synonyms: list[Synonym] = field(default_factory=list)
    by_code: dict[str, ProcedureSummary] = field(default_factory=dict)  # every code, retired ones too
    predecessors: dict[str, list[ProcedureSummary]] = field(default_factory=dict)  # successor → what it replaced
    by_agency: dict[str, list[ProcedureSummary]] = field(default_factory=dict)
    by_field: dict[str, list[ProcedureSummary]] = field(default_factory=dict)
    by_level: dict[int, list[ProcedureSummary]] = field(default_factory=dict)
    by_life_event: dict[str, list[ProcedureSummary]] = field(default_factory=dict)
    # Where `full` reads models, by digest (validation's store); models added whole stay in `held`.
    store: ModelStore | None = field(default=None, repr=False, compare=False)
    held: dict[str, Procedure] = field(default_factory=dict, repr=False, compare=False)

    def add(self, located: Located[Procedure], digest: str = "") -> None:
        """Add a whole model, held in memory (tests, small catalogues made in code)."""
        if located.value.code not in self.by_code:
            self.held[located.value.code] = located.value
        self.add_summary(summarise(located.value), located.path, digest)

    def add_summary(self, summary: ProcedureSummary, path: str, digest: str) -> None:
        """Add a procedure whose model is in `store` under `digest`; a second file with the same code
        is reported by validation."""
        if summary.code not in self.by_code:
            self.by_code[summary.code] = summary
            self.sources[summary.code] = path
            self.digests[summary.code] = digest

    def finish(self) -> None:
        """Sort and index once, after every procedure is in."""
        every = sorted(self.by_code.values(), key=lambda p: p.code)
        # Browse lists, search, statistics and exports read `procedures`: only those in force.
        self.procedures = [p for p in every if p.retired is None]
        self.retired = [p for p in every if p.retired is not None]
        predecessors: dict[str, list[ProcedureSummary]] = defaultdict(list)
        for p in self.retired:
            if p.retired is not None and p.retired.successor is not None:
                predecessors[p.retired.successor].append(p)
        self.predecessors = dict(predecessors)
        by_agency: dict[str, list[ProcedureSummary]] = defaultdict(list)
        by_field: dict[str, list[ProcedureSummary]] = defaultdict(list)
        by_level: dict[int, list[ProcedureSummary]] = defaultdict(list)
        by_event: dict[str, list[ProcedureSummary]] = defaultdict(list)
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
        """The whole validated model of one procedure (retired ones too), read now; KeyError for no such code.

        What outputs read beyond a procedure's summary (documents, fees, steps,
        legal basis, forms, channels, text…) comes through here or `each`, one
        procedure at a time: use the model and let it go.
        """
        return next(self._read([code]))

    def each(self, codes: Iterable[str] | None = None) -> Iterator[Procedure]:
        """The whole models of `codes` (default: the procedures in force, in code order), one at a time.

        Read from the store in batches. Use each model and let it go: do not gather the models in a list.
        """
        wanted = iter([p.code for p in self.procedures] if codes is None else codes)
        while batch := [code for _, code in zip(range(BATCH), wanted, strict=False)]:
            yield from self._read(batch)

    def _read(self, codes: list[str]) -> Iterator[Procedure]:
        stored = [c for c in codes if c not in self.held]
        keys = {c: self.digests[c] for c in stored if c in self.by_code}
        found = self.store.procedures(set(keys.values())) if self.store is not None and keys else {}
        for code in codes:
            model = self.held.get(code) or found.get(keys.get(code, ""))
            if model is None:
                raise KeyError(code)  # not a code of this catalogue, or its stored model is gone
            yield model

    def newest_update(self) -> dt.date | None:
        return max((p.updated for p in self.by_code.values()), default=None)

    def build_date(self) -> dt.date:
        """The date outputs are 'as of': SOURCE_DATE_EPOCH, else the newest `updated`.

        Never the clock, so two builds of the same input are byte-identical.
        """
        return source_date() or self.newest_update() or dt.date(1970, 1, 1)

    def successor_of(self, procedure: Procedure | ProcedureSummary) -> ProcedureSummary | None:
        """The procedure in force that replaces a retired one, following a chain of replacements.

        Validation refuses unknown successors, chains ending in a bãi bỏ, and cycles.
        """
        seen: set[str] = set()
        current: Procedure | ProcedureSummary = procedure
        while current.retired is not None and current.retired.successor is not None and current.code not in seen:
            seen.add(current.code)
            current = self.by_code[current.retired.successor]
        return current if current.code != procedure.code and current.retired is None else None  # type: ignore[return-value]

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
