"""The statistics as tables of display strings, shared by the page and the terminal.

The page (HTML) and `catalogue stats` (text) both render these tables, so
what a reader sees on the site and in the terminal is the same, cell for
cell. Numbers are written the Vietnamese way: 1.234 and 33,3 %.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .site_urls import procedure_url
from .stats import (
    METRIC_LABELS,
    PLAN_LABELS,
    TARGET_LABELS,
    Figures,
    Flag,
    Group,
    Plan,
    PlanStatus,
    Stats,
    TargetResult,
    TargetStatus,
    percent,
)
from .wording import NO_AGENCY, date_text, group_digits

NONE = "—"


@dataclass(frozen=True)
class Row:
    """One row of display strings.

    `links` maps a column to a URL or a site path; `note` is a longer remark
    shown under the row; `tone` (success, warning, failure, question) says how
    good the row's news is.
    """

    cells: tuple[str, ...]
    links: dict[int, str] = field(default_factory=dict)
    note: str | None = None
    tone: str = ""


@dataclass(frozen=True)
class Table:
    """A titled table; `empty` is said instead when there are no rows."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    empty: str = "Không có dữ liệu."
    numeric: frozenset[int] = frozenset()  # columns aligned right


def fmt_percent(value: Decimal | None) -> str:
    """Decimal('33.3') → '33,3 %'; None → '—'."""
    return NONE if value is None else f"{value:.1f}".replace(".", ",") + " %"


def fmt_threshold(value: float) -> str:
    return f"{value:g}".replace(".", ",") + " %"


def fmt_flag(flag: Flag) -> str:
    """'45,0 % (9/20)', with '; 3 chưa rõ' when the source leaves some unsaid."""
    text = f"{fmt_percent(flag.percent)} ({group_digits(flag.yes)}/{group_digits(flag.total)})"
    return text + (f"; {group_digits(flag.unknown)} chưa rõ" if flag.unknown else "")


# -- the tables ----------------------------------------------------------------------


def tables(stats: Stats) -> list[Table]:
    """Every table of the statistics page, in page order."""
    scopes = [Group("all", "Toàn bộ danh mục", stats.overall), *stats.tiers]
    return [
        targets_table(stats.targets),
        levels_table("muc-do-theo-cap", "Mức độ dịch vụ theo cấp thực hiện", scopes),
        online_table("truc-tuyen-theo-cap", "Kết nối trực tuyến theo cấp thực hiện", scopes),
        levels_table("muc-do-theo-co-quan", "Mức độ dịch vụ theo cơ quan", stats.agencies),
        online_table("truc-tuyen-theo-co-quan", "Kết nối trực tuyến theo cơ quan", stats.agencies),
        applications_table([*scopes, *stats.agencies]),
        plans_summary_table([Group("all", "Toàn bộ danh mục", stats.overall), *stats.agencies]),
        plans_table(stats.overall.plans, stats),
    ]


def agency_tables(stats: Stats, agency_id: str) -> list[Table]:
    """The tables an agency page shows: its own figures and upgrade plan."""
    group = stats.agency(agency_id)
    if group is None:
        return []
    return [
        levels_table("muc-do", "Mức độ dịch vụ", [group]),
        online_table("truc-tuyen", "Kết nối trực tuyến", [group]),
        applications_table([group]),
        plans_table(group.figures.plans, stats),
    ]


def targets_table(results: Iterable[TargetResult]) -> Table:
    rows = []
    for r in results:
        t = r.target
        current = NONE if r.part is None else f"{fmt_percent(r.value)} ({group_digits(r.part)}/{group_digits(r.whole or 0)})"
        current += f"; {group_digits(r.unknown)} chưa rõ" if r.unknown and not r.levels_derived else ""
        current += f"; {group_digits(r.levels_derived)} mức độ suy ra" if r.levels_derived else ""
        links = {6: t.source_url} if t.source_url else {}
        rows.append(Row((METRIC_LABELS[t.metric], r.scope_name, f"≥ {fmt_threshold(t.threshold)}",
                         date_text(t.deadline), current, _target_status(r), t.source), links, t.note, _tone(r)))
    return Table("chi-tieu", "Chỉ tiêu", ("Chỉ tiêu", "Phạm vi", "Ngưỡng", "Hạn", "Hiện tại", "Đánh giá", "Nguồn"),
                 tuple(rows), empty="Chưa có chỉ tiêu nào (catalogue/targets.yaml).", numeric=frozenset({2, 4}))


def _target_status(r: TargetResult) -> str:
    label = TARGET_LABELS[r.status]
    if r.status is TargetStatus.NOT_MET and r.deadline_passed:
        return f"{label} (đã quá hạn)"
    if r.status is TargetStatus.UNDECIDED and r.levels_derived:
        return f"{label}: {group_digits(r.levels_derived)} mức độ do quy tắc suy ra, nguồn không ghi"
    return label


def _tone(r: TargetResult) -> str:
    if r.status is TargetStatus.MET:
        return "success"
    if r.status in (TargetStatus.NO_DATA, TargetStatus.UNDECIDED):
        return "question"
    return "failure" if r.deadline_passed else "warning"


def levels_table(key: str, title: str, groups: Sequence[Group]) -> Table:
    rows = tuple(Row((g.name, *_level_cells(g.figures))) for g in groups)
    headers = ("Phạm vi", "Số thủ tục", "Mức 1", "Mức 2", "Mức 3", "Mức 4", "Mức 3–4", "Mức 4 (toàn trình)")
    return Table(key, title, headers, rows, numeric=frozenset(range(1, 8)))


def _level_cells(f: Figures) -> tuple[str, ...]:
    return (group_digits(f.total), *(group_digits(n) for n in f.levels),
            fmt_percent(percent(f.level_3_plus, f.total)), fmt_percent(percent(f.level_4, f.total)))


def online_table(key: str, title: str, groups: Sequence[Group]) -> Table:
    rows = tuple(Row((g.name, fmt_flag(g.figures.national_portal), fmt_flag(g.figures.online_payment),
                      fmt_flag(g.figures.postal))) for g in groups)
    headers = ("Phạm vi", "Tích hợp Cổng DVC quốc gia", "Thanh toán trực tuyến", "Bưu chính công ích")
    return Table(key, title, headers, rows, numeric=frozenset({1, 2, 3}))


def applications_table(groups: Sequence[Group]) -> Table:
    rows = tuple(
        Row((g.name, str(a.year), group_digits(a.received), group_digits(a.received_online), fmt_percent(a.percent)))
        for g in groups for a in g.figures.applications
    )
    return Table("ho-so-truc-tuyen", "Hồ sơ tiếp nhận trực tuyến",
                 ("Phạm vi", "Năm", "Hồ sơ tiếp nhận", "Tiếp nhận trực tuyến", "Tỷ lệ trực tuyến"), rows,
                 empty="Chưa có số liệu hồ sơ: cơ quan ghi số hồ sơ tiếp nhận trong catalogue/usage.yaml.",
                 numeric=frozenset({2, 3, 4}))


def plans_summary_table(groups: Sequence[Group]) -> Table:
    rows = tuple(
        Row((g.name, group_digits(len(g.figures.plans)),
             *(group_digits(g.figures.plan_count(s)) for s in (PlanStatus.DONE, PlanStatus.PENDING, PlanStatus.OVERDUE))))
        for g in groups if g.figures.plans
    )
    return Table("ke-hoach-tong-hop", "Kế hoạch nâng cấp mức độ",
                 ("Phạm vi", "Có kế hoạch", "Đã hoàn thành", "Đang thực hiện", "Quá hạn"), rows,
                 empty="Chưa có kế hoạch nâng cấp nào được ghi trong danh mục.", numeric=frozenset({1, 2, 3, 4}))


def plans_table(plans: Iterable[Plan], stats: Stats) -> Table:
    names = {g.key: g.name for g in stats.agencies}
    rows = tuple(
        Row((p.code, p.name, names.get(p.agency, p.agency) if p.agency else NO_AGENCY, f"Mức {p.level}", f"Mức {p.target_level}",
             date_text(p.due), PLAN_LABELS[p.status]), {0: procedure_url(p.code)})
        for p in plans
    )
    return Table("ke-hoach", "Danh sách kế hoạch nâng cấp",
                 ("Mã", "Thủ tục", "Cơ quan", "Mức hiện tại", "Mức mục tiêu", "Hạn", "Trạng thái"), rows,
                 empty="Chưa có kế hoạch nâng cấp nào được ghi trong danh mục.")


# -- text for the terminal -------------------------------------------------------------


def render_text(stats: Stats, selected: Iterable[Table] | None = None) -> str:
    """The tables as aligned plain text, as `catalogue stats` prints them."""
    parts = [f"Số liệu tính đến ngày {date_text(stats.as_of)}"]
    for table in selected if selected is not None else tables(stats):
        parts.append(text_table(table))
    return "\n\n".join(parts) + "\n"


def text_table(table: Table) -> str:
    """One table as a title, a header, a rule and aligned rows."""
    if not table.rows:
        return f"{table.title}\n{table.empty}"
    widths = [max(_width(r[i]) for r in [table.headers, *(row.cells for row in table.rows)])
              for i in range(len(table.headers))]
    lines = [table.title, _text_row(table.headers, widths, table.numeric),
             "  ".join("-" * w for w in widths)]
    lines += [_text_row(row.cells, widths, table.numeric) for row in table.rows]
    notes = [f"* {row.cells[0]} — {row.cells[1]}: {row.note}" for row in table.rows if row.note]
    lines += ["", "Ghi chú:", *notes] if notes else []
    return "\n".join(line.rstrip() for line in lines)


def _text_row(cells: Sequence[str], widths: Sequence[int], numeric: frozenset[int]) -> str:
    out = []
    for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
        pad = " " * (width - _width(cell))
        out.append(pad + cell if i in numeric else cell + pad)
    return "  ".join(out)


def _width(text: str) -> int:
    """Display width: combining marks take no column."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)
