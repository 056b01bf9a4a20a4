"""Service-level figures against targets, computed once from the catalogue.

The statistics page, `api/v1/stats.json`, the agency pages and
`catalogue stats` all read the one `Stats` value built here, and the tables
they show come from `tables()`, so the three can never disagree.

Counting rules, stated once:

- An agency's figures cover its own procedures and those of the agencies
  under it (`parent`), because targets are set for a ministry or a province
  as a whole.
- A procedure carried out at several tiers counts once in each tier, and
  once overall.
- `online.*` flags count only `true` as yes; `null` (absent) means the source
  does not say and is reported as unknown, never as yes. Shares are over all
  procedures in scope, so unknown never inflates a figure.
- Applications (usage.yaml): for one agency and year, an agency-level record
  wins over the sum of its procedure-level records, so nothing is counted
  twice; groups then add their agencies' figures. The headline is the latest
  year on record. Usage is grouped by the agency's tier.
- Upgrade plans (`roadmap`) are *done* when the level has reached the target,
  *overdue* when not done and the due date is before the build date, and
  *pending* otherwise. The build date is `Catalogue.build_date()`, so the same
  input always gives the same figures.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from .catalogue import Catalogue
from .models import TIER_LABELS, Agency, ProcedureSummary, Target, Tier, UsageRecord

LEVELS = (1, 2, 3, 4)
LEVEL_METRICS = frozenset({"share_level_3_plus", "share_level_4"})
STATS_VERSION = 1
JSON_PATH = "api/v1/stats.json"


class PlanStatus(StrEnum):
    """Where an upgrade plan stands as of the build date."""

    DONE = "done"
    PENDING = "pending"
    OVERDUE = "overdue"


class TargetStatus(StrEnum):
    """Whether a target's metric has reached its threshold."""

    MET = "met"
    NOT_MET = "not_met"
    UNDECIDED = "undecided"  # met or not depends on procedures whose source does not say
    NO_DATA = "no_data"


PLAN_LABELS: dict[PlanStatus, str] = {
    PlanStatus.DONE: "Đã hoàn thành",
    PlanStatus.PENDING: "Đang thực hiện",
    PlanStatus.OVERDUE: "Quá hạn",
}

TARGET_LABELS: dict[TargetStatus, str] = {
    TargetStatus.MET: "Đạt",
    TargetStatus.NOT_MET: "Chưa đạt",
    TargetStatus.UNDECIDED: "Chưa xác định",
    TargetStatus.NO_DATA: "Chưa có số liệu",
}

METRIC_LABELS: dict[str, str] = {
    "share_level_3_plus": "Tỷ lệ thủ tục mức độ 3 trở lên",
    "share_level_4": "Tỷ lệ thủ tục mức độ 4 (toàn trình)",
    "share_national_portal": "Tỷ lệ tích hợp Cổng Dịch vụ công quốc gia",
    "share_online_payment": "Tỷ lệ có thanh toán trực tuyến",
    "share_postal": "Tỷ lệ nộp/trả kết quả qua bưu chính công ích",
    "share_applications_online": "Tỷ lệ hồ sơ tiếp nhận trực tuyến",
}


def percent(part: int, whole: int) -> Decimal | None:
    """part/whole as a percentage with one decimal, rounded half up; None when whole is 0."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Flag:
    """A yes/no property that the source may leave unsaid."""

    yes: int = 0
    no: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        return self.yes + self.no + self.unknown

    @property
    def percent(self) -> Decimal | None:
        return percent(self.yes, self.total)


@dataclass(frozen=True)
class Applications:
    """Applications received in one year, and how many of them online."""

    year: int
    received: int
    received_online: int

    @property
    def percent(self) -> Decimal | None:
        return percent(self.received_online, self.received)


@dataclass(frozen=True)
class Plan:
    """One procedure's upgrade plan and where it stands."""

    code: str
    name: str
    agency: str | None
    level: int
    target_level: int
    due: dt.date
    status: PlanStatus
    source: str | None


@dataclass(frozen=True)
class Figures:
    """Every figure for one scope: the whole catalogue, a tier or an agency."""

    levels: tuple[int, int, int, int]
    national_portal: Flag
    online_payment: Flag
    postal: Flag
    applications: tuple[Applications, ...]
    plans: tuple[Plan, ...]
    levels_derived: int = 0  # levels inferred by a rule (service_level_derived), not stated by the source
    stated: tuple[int, int, int, int] = (0, 0, 0, 0)  # per level, the procedures whose source states it

    @property
    def total(self) -> int:
        return sum(self.levels)

    @property
    def level_3_plus(self) -> int:
        return self.levels[2] + self.levels[3]

    @property
    def level_4(self) -> int:
        return self.levels[3]

    @property
    def latest_applications(self) -> Applications | None:
        return self.applications[-1] if self.applications else None

    def plan_count(self, status: PlanStatus) -> int:
        return sum(1 for p in self.plans if p.status is status)


@dataclass(frozen=True)
class Group:
    """Figures with the key and name of their scope."""

    key: str
    name: str
    figures: Figures
    parent: str | None = None  # agencies only: the agency above it


@dataclass(frozen=True)
class TargetResult:
    """A target and its metric's current value in its scope."""

    target: Target
    scope_name: str
    part: int | None
    whole: int | None
    unknown: int
    status: TargetStatus
    deadline_passed: bool
    levels_derived: int = 0  # level metrics only: how many levels in scope are inferred, not sourced

    @property
    def value(self) -> Decimal | None:
        return None if self.part is None or self.whole is None else percent(self.part, self.whole)


@dataclass(frozen=True)
class Stats:
    """All figures of a catalogue as of one date."""

    as_of: dt.date
    overall: Figures
    tiers: tuple[Group, ...]
    agencies: tuple[Group, ...]
    targets: tuple[TargetResult, ...]
    _by_agency: dict[str, Group] = field(default_factory=dict, repr=False, compare=False)

    def agency(self, agency_id: str) -> Group | None:
        """The figures of one agency (with its subordinates), or None if it has no procedures."""
        return self._by_agency.get(agency_id)


# -- computing ----------------------------------------------------------------


def compute(catalogue: Catalogue) -> Stats:
    """Compute every figure once: overall, per tier, per agency, and the targets."""
    as_of = catalogue.build_date()
    usage = _usage_by_agency(catalogue)
    everyone = list(catalogue.agencies)
    overall = _figures(catalogue.procedures, _sum_usage(usage, everyone), as_of)
    tiers = tuple(_tier_groups(catalogue, usage, as_of))
    agencies = tuple(_agency_groups(catalogue, usage, as_of))
    by_agency = {g.key: g for g in agencies}
    scopes = {"": Group("", "Toàn bộ danh mục", overall)}
    scopes |= {f"tier:{g.key}": g for g in tiers} | {f"agency:{g.key}": g for g in agencies}
    targets = tuple(
        _evaluate(t, scopes, _scope_name(t, catalogue), as_of)
        for t in sorted(catalogue.targets, key=lambda t: (t.deadline, t.id))
    )
    return Stats(as_of, overall, tiers, agencies, targets, by_agency)


def _figures(procedures: Iterable[ProcedureSummary], applications: tuple[Applications, ...], as_of: dt.date) -> Figures:
    levels = [0, 0, 0, 0]
    stated = [0, 0, 0, 0]
    derived = 0
    flags: dict[str, list[int]] = {name: [0, 0, 0] for name in ("national_portal", "online_payment", "postal")}
    plans: list[Plan] = []
    for p in procedures:
        levels[p.service_level - 1] += 1
        derived += p.service_level_derived
        stated[p.service_level - 1] += not p.service_level_derived
        for name, counts in flags.items():
            value = getattr(p.online, name)
            counts[0 if value is True else 1 if value is False else 2] += 1
        if p.roadmap is not None:
            plans.append(_plan(p, as_of))
    return Figures(
        levels=(levels[0], levels[1], levels[2], levels[3]),
        national_portal=Flag(*flags["national_portal"]),
        online_payment=Flag(*flags["online_payment"]),
        postal=Flag(*flags["postal"]),
        applications=applications,
        plans=tuple(sorted(plans, key=lambda plan: (plan.due, plan.code))),
        levels_derived=derived,
        stated=(stated[0], stated[1], stated[2], stated[3]),
    )


def _plan(p: ProcedureSummary, as_of: dt.date) -> Plan:
    assert p.roadmap is not None
    road = p.roadmap
    if p.service_level >= road.target_level:
        status = PlanStatus.DONE
    elif road.due < as_of:
        status = PlanStatus.OVERDUE
    else:
        status = PlanStatus.PENDING
    return Plan(p.code, p.name, p.agency, p.service_level, road.target_level, road.due, status, road.source)


def _tier_groups(catalogue: Catalogue, usage: dict[str, dict[int, tuple[int, int]]], as_of: dt.date
                 ) -> Iterable[Group]:
    for tier in Tier:
        procedures = [p for p in catalogue.procedures if tier in p.tiers]
        if not procedures:
            continue
        agencies = [a.id for a in catalogue.agencies.values() if a.tier is tier]
        yield Group(tier.value, TIER_LABELS[tier], _figures(procedures, _sum_usage(usage, agencies), as_of))


def _agency_groups(catalogue: Catalogue, usage: dict[str, dict[int, tuple[int, int]]], as_of: dt.date
                   ) -> Iterable[Group]:
    members: dict[str, set[str]] = defaultdict(set)  # agency → itself and every agency under it
    for agency_id in catalogue.agencies:
        for ancestor in catalogue.agency_chain(agency_id):
            members[ancestor.id].add(agency_id)
    for agency in sorted(catalogue.agencies.values(), key=_agency_sort_key):
        procedures = [p for a in sorted(members[agency.id]) for p in catalogue.by_agency.get(a, [])]
        if not procedures:
            continue
        procedures.sort(key=lambda p: p.code)
        applications = _sum_usage(usage, members[agency.id])
        yield Group(agency.id, agency.name, _figures(procedures, applications, as_of), agency.parent)


def _agency_sort_key(agency: Agency) -> tuple[int, str]:
    return (list(Tier).index(agency.tier), agency.id)


def _usage_by_agency(catalogue: Catalogue) -> dict[str, dict[int, tuple[int, int]]]:
    """agency → year → (received, received online), agency records winning over procedure records."""
    own: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    summed: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for record in catalogue.usage:
        agency = _usage_agency(record, catalogue)
        if agency is None:
            continue
        target = own if record.procedure is None else summed
        cell = target[agency][record.year]
        cell[0] += record.received
        cell[1] += record.received_online
    result: dict[str, dict[int, tuple[int, int]]] = {}
    for agency in sorted(set(own) | set(summed)):
        years = {**summed.get(agency, {}), **own.get(agency, {})}
        result[agency] = {year: (v[0], v[1]) for year, v in sorted(years.items())}
    return result


def _usage_agency(record: UsageRecord, catalogue: Catalogue) -> str | None:
    if record.agency is not None:
        return record.agency
    procedure = catalogue.by_code.get(record.procedure or "")
    return procedure.agency if procedure is not None else None  # None: the source names no agency


def _sum_usage(usage: dict[str, dict[int, tuple[int, int]]], agencies: Iterable[str]) -> tuple[Applications, ...]:
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for agency in agencies:
        for year, (received, online) in usage.get(agency, {}).items():
            totals[year][0] += received
            totals[year][1] += online
    return tuple(Applications(year, r, o) for year, (r, o) in sorted(totals.items()))


# -- targets --------------------------------------------------------------------


def metric_parts(figures: Figures, metric: str) -> tuple[int, int, int] | None:
    """Numerator, denominator and unknown count of a metric in one scope; None when there is no data."""
    if metric == "share_applications_online":
        latest = figures.latest_applications
        return None if latest is None or latest.received == 0 else (latest.received_online, latest.received, 0)
    if figures.total == 0:
        return None
    flags = {"share_national_portal": figures.national_portal, "share_online_payment": figures.online_payment,
             "share_postal": figures.postal}
    if metric in flags:
        return flags[metric].yes, figures.total, flags[metric].unknown
    # A level derived by rule never decides a verdict: only stated levels count, derived ones are unknown.
    part = figures.stated[2] + figures.stated[3] if metric == "share_level_3_plus" else figures.stated[3]
    return part, figures.total, figures.levels_derived


def _evaluate(target: Target, scopes: dict[str, Group], scope_name: str, as_of: dt.date) -> TargetResult:
    group = scopes.get(_scope_key(target))
    parts = metric_parts(group.figures, target.metric) if group is not None else None
    passed = target.deadline < as_of
    if parts is None:
        return TargetResult(target, scope_name, None, None, 0, TargetStatus.NO_DATA, passed)
    part, whole, unknown = parts
    if _reaches(part, whole, target.threshold):
        status = TargetStatus.MET
    elif _reaches(part + unknown, whole, target.threshold):
        status = TargetStatus.UNDECIDED  # the unknown procedures decide it; never count them as yes
    else:
        status = TargetStatus.NOT_MET
    derived = group.figures.levels_derived if group is not None and target.metric in LEVEL_METRICS else 0
    return TargetResult(target, scope_name, part, whole, unknown, status, passed, derived)


def _reaches(part: int, whole: int, threshold: float) -> bool:
    """part/whole ≥ threshold %, compared exactly, never through a rounded figure."""
    return Decimal(part) * 100 >= Decimal(str(threshold)) * whole


def _scope_key(target: Target) -> str:
    if target.scope.agency is not None:
        return f"agency:{target.scope.agency}"
    if target.scope.tier is not None:
        return f"tier:{target.scope.tier.value}"
    return ""


def _scope_name(target: Target, catalogue: Catalogue) -> str:
    """The name of a target's scope, even when the scope has no procedures."""
    if target.scope.agency is not None:
        agency = catalogue.agencies.get(target.scope.agency)
        return agency.name if agency is not None else target.scope.agency
    if target.scope.tier is not None:
        return TIER_LABELS[target.scope.tier]
    return "Toàn bộ danh mục"


# -- stats.json -------------------------------------------------------------------


def as_json(stats: Stats) -> dict[str, Any]:
    """The figures as plain JSON data, in a stable order, for api/v1/stats.json."""
    return {
        "stats_version": STATS_VERSION,
        "as_of": stats.as_of.isoformat(),
        "overall": _figures_json(stats.overall),
        "tiers": [{"tier": g.key, "name": g.name, **_figures_json(g.figures)} for g in stats.tiers],
        "agencies": [{"agency": g.key, "name": g.name, "parent": g.parent, **_figures_json(g.figures)}
                     for g in stats.agencies],
        "targets": [_target_json(r) for r in stats.targets],
        "plans": [_plan_json(p) for p in stats.overall.plans],
    }


def json_text(stats: Stats) -> str:
    """stats.json as text: UTF-8, indented, byte-identical for the same input."""
    return json.dumps(as_json(stats), ensure_ascii=False, indent=2) + "\n"


def write_json(stats: Stats, site_dir: Path) -> Path:
    """Write api/v1/stats.json under the built site and return its path; unchanged bytes are left untouched
    (a rebuild keeps the last api/v1, see generator.plugin)."""
    path = site_dir / JSON_PATH
    data = json_text(stats).encode("utf-8")
    if not (path.is_file() and path.read_bytes() == data):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return path


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _flag_json(flag: Flag) -> dict[str, Any]:
    return {"yes": flag.yes, "no": flag.no, "unknown": flag.unknown, "percent": _number(flag.percent)}


def _figures_json(f: Figures) -> dict[str, Any]:
    return {
        "procedures": f.total,
        "levels": {str(level): f.levels[level - 1] for level in LEVELS},
        "levels_derived": f.levels_derived,
        "level_3_plus": {"count": f.level_3_plus, "percent": _number(percent(f.level_3_plus, f.total))},
        "level_4": {"count": f.level_4, "percent": _number(percent(f.level_4, f.total))},
        "national_portal": _flag_json(f.national_portal),
        "online_payment": _flag_json(f.online_payment),
        "postal": _flag_json(f.postal),
        "applications": [
            {"year": a.year, "received": a.received, "received_online": a.received_online,
             "percent": _number(a.percent)}
            for a in f.applications
        ],
        "plans": {"total": len(f.plans), **{s.value: f.plan_count(s) for s in PlanStatus}},
    }


def _target_json(r: TargetResult) -> dict[str, Any]:
    t = r.target
    return {
        "id": t.id,
        "metric": t.metric,
        "threshold": t.threshold,
        "scope": t.scope.model_dump(mode="json", exclude_none=True),
        "scope_name": r.scope_name,
        "deadline": t.deadline.isoformat(),
        "value": _number(r.value),
        "part": r.part,
        "whole": r.whole,
        "unknown": r.unknown,
        "levels_derived": r.levels_derived,
        "status": r.status.value,
        "deadline_passed": r.deadline_passed,
        "source": t.source,
        "source_url": t.source_url,
        "note": t.note,
    }


def _plan_json(p: Plan) -> dict[str, Any]:
    return {
        "code": p.code, "name": p.name, "agency": p.agency, "level": p.level,
        "target_level": p.target_level, "due": p.due.isoformat(), "status": p.status.value, "source": p.source,
    }
