"""SVG charts of the statistics, drawn at build time.

Each chart is a standalone SVG file shown with <img> beside a table that
holds the same numbers (the table is the accessible version). The SVG loads
nothing, carries no random id and no date, so two builds give the same bytes.

Drawn here rather than with a chart library: Vietnamese names of agencies and
targets are long, and beside a bar they either squeeze the plot to nothing at
phone width or are cut ("Bảo hiểm…Việt Nam"). Each name goes on its own lines
above its bar instead, in full, and a printed value sits past the end of its
bar, so no text overlaps a bar at any width. The drawing is narrow (WIDTH
units) with large type, so it stays legible when a phone shrinks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from .stats import METRIC_LABELS, TARGET_LABELS, Group, Stats, TargetResult, percent
from .stats_tables import fmt_percent

WIDTH = 420
PAD = 12
FONT = 16  # the smallest text of every chart (labels, values, axis, legend)
LINE = 20  # one line of a label
LABEL_CHARS = 40  # a label's line at FONT within WIDTH - 2 * PAD, with room for a wide system font
BAR = 22
BAR_GAP = 3  # between the bars of one row (current value, threshold)
ROW_GAP = 12
VALUE_ROOM = 88  # right of the plot: a printed value, "≥ 100,0 %"
AXIS = (0, 50, 100)
LEVEL_COLOURS = ("#bdbdbd", "#90caf9", "#1e88e5", "#0d47a1")  # level 1 → 4, darker = more online
TARGET_COLOURS = ("#1565c0", "#9e9e9e")  # current value, threshold
TEXT = "#212121"
GRID = "#bdbdbd"


@dataclass(frozen=True)
class Chart:
    """One chart: its file name (under the statistics page), its alt text and its SVG."""

    name: str
    title: str
    svg: str


@dataclass(frozen=True)
class Row:
    """One labelled row: its bars, each a list of (share in %, colour) segments laid end to end."""

    label: str
    bars: list[list[tuple[float, str]]]
    values: list[str]  # printed past the end of each bar; '' for none


def charts(stats: Stats) -> list[Chart]:
    """Every chart of the statistics page; none for a scope with nothing to show."""
    found = [_levels_chart("muc-do-theo-cap.svg", "Tỷ lệ thủ tục theo mức độ, theo cấp thực hiện",
                           [Group("all", "Toàn bộ danh mục", stats.overall), *stats.tiers])]
    # Only agencies at the top (each with its subordinates): the table below lists every agency.
    tops = [g for g in stats.agencies if g.parent is None or stats.agency(g.parent) is None]
    if tops:
        found.append(_levels_chart("muc-do-theo-co-quan.svg",
                                   "Tỷ lệ thủ tục theo mức độ, theo cơ quan (gồm cơ quan trực thuộc)", tops))
    if stats.targets:
        found.append(_targets_chart(stats.targets))
    return found


def _levels_chart(name: str, title: str, groups: Sequence[Group]) -> Chart:
    """Share of procedures at each level, one 100 % bar per scope, in the table's order."""
    rows = [Row(g.name, [_stack(g)], [""]) for g in groups]
    legend = [(f"Mức {n}", colour) for n, colour in enumerate(LEVEL_COLOURS, start=1)]
    return Chart(name, title, _svg(name, title, rows, legend, value_room=PAD))


def _stack(g: Group) -> list[tuple[float, str]]:
    shares = [percent(n, g.figures.total) for n in g.figures.levels]
    return [(float(s), colour) for s, colour in zip(shares, LEVEL_COLOURS, strict=True) if s]


def _targets_chart(results: Sequence[TargetResult]) -> Chart:
    """Each target: its current value above its threshold, both printed."""
    name, title = "chi-tieu.svg", "Chỉ tiêu: hiện tại so với ngưỡng"
    rows = []
    for r in results:
        t = r.target
        label = f"{METRIC_LABELS[t.metric]}, {r.scope_name}, hạn {t.deadline.year}: {TARGET_LABELS[r.status].lower()}"
        now = [] if r.value is None else [(float(r.value), TARGET_COLOURS[0])]
        rows.append(Row(label, [now, [(float(t.threshold), TARGET_COLOURS[1])]],
                        [_value(r.value), f"≥ {_value(Decimal(str(t.threshold)))}"]))
    legend = [("Hiện tại", TARGET_COLOURS[0]), ("Ngưỡng", TARGET_COLOURS[1])]
    return Chart(name, title, _svg(name, title, rows, legend, value_room=VALUE_ROOM))


def _value(value: Decimal | None) -> str:
    """A printed value; none without data (the label says "chưa có số liệu")."""
    return "" if value is None else fmt_percent(value.quantize(Decimal("0.1")))


def wrap(text: str, limit: int = LABEL_CHARS) -> list[str]:
    """Text in lines of at most `limit` characters, broken between words (a longer word is cut)."""
    lines: list[str] = []
    words = [w[i:i + limit] for w in text.split() for i in range(0, len(w), limit)]
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


# ---------------------------------------------------------------- drawing


def _svg(name: str, title: str, rows: Sequence[Row], legend: Sequence[tuple[str, str]], *, value_room: int) -> str:
    """The whole chart: labelled rows of bars over a 0–100 % grid, then the axis and the legend."""
    plot_width = WIDTH - PAD - value_room
    body: list[str] = []
    y = PAD
    for row in rows:
        y = _row(body, row, y, plot_width)
    bottom = y - ROW_GAP
    grid = [_axis_label(PAD + plot_width * v / 100, bottom, v) for v in AXIS]
    y = _legend(body, legend, bottom + 2 * LINE + 14)  # below the axis labels
    return (f'<svg xmlns="http://www.w3.org/2000/svg" id="chart-{name.removesuffix(".svg")}" '
            f'viewBox="0 0 {WIDTH} {y + PAD}" width="{WIDTH}" height="{y + PAD}" '
            f'font-family="system-ui, -apple-system, \'Segoe UI\', Roboto, Arial, sans-serif" font-size="{FONT}">\n'
            f"<title>{escape(title)}</title>\n"
            f'<rect width="{WIDTH}" height="{y + PAD}" fill="#ffffff"/>\n'
            + "".join(grid) + "".join(body) + "</svg>\n")


def _row(out: list[str], row: Row, y: int, plot_width: int) -> int:
    """A row's label lines, then its bars; the y below it."""
    for line in wrap(row.label):
        y += LINE
        out.append(_text(PAD, y - 5, line, klass="label"))
    y += 4
    # The grid behind the bars only, so it never runs through a label.
    span = len(row.bars) * (BAR + BAR_GAP) - BAR_GAP
    out.extend(f'<line x1="{x:.1f}" y1="{y - 2}" x2="{x:.1f}" y2="{y + span + 2}" stroke="{GRID}"/>\n'
               for x in (PAD + plot_width * v / 100 for v in AXIS))
    for bar, value in zip(row.bars, row.values, strict=True):
        x = float(PAD)
        for share, colour in bar:
            width = plot_width * min(share, 100) / 100
            out.append(f'<rect class="bar" x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{colour}"/>\n')
            x += width
        if value:
            out.append(_text(round(x) + 6, y + BAR - 6, value, klass="value", halo=True))
        y += BAR + BAR_GAP
    return y - BAR_GAP + ROW_GAP


def _axis_label(x: float, bottom: int, value: int) -> str:
    anchor = "start" if value == AXIS[0] else "end" if value == AXIS[-1] else "middle"
    return _text(x, bottom + LINE, f"{value} %", klass="axis", anchor=anchor)


def _legend(out: list[str], legend: Sequence[tuple[str, str]], y: int) -> int:
    """Legend entries in a row, wrapping to the next line; the y below them."""
    x = PAD
    for label, colour in legend:
        width = 14 + 6 + round(len(label) * FONT * 0.55) + 18
        if x + width > WIDTH - PAD and x > PAD:
            x, y = PAD, y + LINE + 4
        out.append(f'<rect class="key" x="{x}" y="{y - 13}" width="14" height="14" fill="{colour}"/>\n')
        out.append(_text(x + 20, y, label, klass="legend"))
        x += width
    return y + 6


def _text(x: float, y: float, text: str, *, klass: str, anchor: str = "start", halo: bool = False) -> str:
    """A text; with a white halo where a grid line may cross it (a printed value)."""
    ring = ' stroke="#ffffff" stroke-width="4" paint-order="stroke"' if halo else ""
    return (f'<text class={quoteattr(klass)} x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
            f'fill="{TEXT}"{ring}>{escape(text)}</text>\n')
