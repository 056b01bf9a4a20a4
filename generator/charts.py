"""SVG charts of the statistics, drawn at build time with pygal.

Each chart is a standalone SVG file shown with <img> beside a table that
holds the same numbers (the table is the accessible version). The SVGs load
nothing from outside (no pygal tooltip script), carry no random id and no
creation date, so two builds give the same bytes. They are drawn narrow
(420 units) with large type, so that they stay legible when a phone shrinks
them to the width of its screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

import pygal
from pygal.style import Style

from .stats import Group, Stats, TargetResult, TargetStatus, percent
from .stats_tables import fmt_percent

WIDTH = 420
ROW_HEIGHT = 40
LABEL_CHARS = 18  # longer labels squeeze the plot to nothing at phone width
AXIS = [{"value": v, "label": f"{v} %"} for v in (0, 50, 100)]
LEVEL_COLOURS = ("#bdbdbd", "#90caf9", "#1e88e5", "#0d47a1")  # level 1 → 4, darker = more online
TARGET_COLOURS = ("#1565c0", "#9e9e9e")  # current value, threshold


@dataclass(frozen=True)
class Chart:
    """One chart: its file name (under the statistics page), its alt text and its SVG."""

    name: str
    title: str
    svg: str


def charts(stats: Stats) -> list[Chart]:
    """Every chart of the statistics page; none for a scope with nothing to show."""
    found = [_levels_chart("muc-do-theo-cap.svg", "Tỷ lệ thủ tục theo mức độ, theo cấp thực hiện",
                           [Group("all", "Toàn bộ", stats.overall), *stats.tiers])]
    # Only agencies at the top (each with its subordinates): dozens of bars with cut names
    # would be unreadable on a phone; the table below the chart lists every agency.
    tops = [g for g in stats.agencies if g.parent is None or stats.agency(g.parent) is None]
    if tops:
        found.append(_levels_chart("muc-do-theo-co-quan.svg",
                                   "Tỷ lệ thủ tục theo mức độ, theo cơ quan (gồm cơ quan trực thuộc)", tops))
    if stats.targets:
        found.append(_targets_chart(stats.targets))
    return found


def _style() -> Style:
    return Style(
        font_family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#212121",
        foreground_strong="#212121",
        foreground_subtle="#e0e0e0",
        colors=LEVEL_COLOURS,
        label_font_size=17,
        major_label_font_size=17,
        legend_font_size=17,
        value_font_size=16,
        tooltip_font_size=14,
    )


def _chart(kind: type[Any], name: str, title: str, rows: int, **options: Any) -> Any:
    """A pygal chart configured for phones and for reproducible, offline SVG."""
    config = {
        "style": _style(),
        "width": WIDTH,
        "height": 90 + ROW_HEIGHT * max(rows, 1),
        "js": [],  # no tooltip script from kozea.github.io: a page makes no outside request
        "legend_at_bottom": True,
        "legend_box_size": 14,
        "truncate_label": -1,  # pygal does not truncate labels of horizontal charts; _short does
        "truncate_legend": -1,
        "margin_right": 30,  # room for the last axis label, "100 %"
        "margin": 12,
        "spacing": 12,
        "show_x_guides": True,
        "show_y_guides": False,
        "range": (0, 100),
        "value_formatter": _percent_label,
        **options,
    }
    chart = kind(**config)
    chart.uuid = name.removesuffix(".svg")  # pygal draws a random uuid4 otherwise
    chart.add_xml_filter(_strip)
    chart.add_xml_filter(lambda root: _set_title(root, title))  # the title is the page's caption
    return chart


def _render(chart: Any, name: str, title: str) -> Chart:
    svg = chart.render(is_unicode=True)
    return Chart(name, title, svg if svg.endswith("\n") else svg + "\n")


def _strip(root: ElementTree.Element) -> ElementTree.Element:
    """Drop pygal's comments (one carries today's date) and its inline config script.

    The script only feeds the tooltip code we do not load, and an <img> never runs it.
    """
    for parent in [root, *root.iter()]:
        for child in list(parent):
            if child.tag is ElementTree.Comment or child.tag in ("script", "{http://www.w3.org/2000/svg}script"):  # type: ignore[comparison-overlap]
                parent.remove(child)
    return root


def _set_title(root: ElementTree.Element, title: str) -> ElementTree.Element:
    element = root.find("{http://www.w3.org/2000/svg}title")
    if element is None:
        element = root.find("title")
    if element is not None:
        element.text = title
    return root


def _percent_label(value: float | None) -> str:
    return "" if value is None else fmt_percent(Decimal(str(value)).quantize(Decimal("0.1")))


def _levels_chart(name: str, title: str, groups: Sequence[Group]) -> Chart:
    """Share of procedures at each level, one 100 % bar per scope."""
    # Two legend columns: four squeeze into each other once long names narrow the plot.
    chart = _chart(pygal.HorizontalStackedBar, name, title, len(groups) + 1, legend_at_bottom_columns=2)
    ordered = list(reversed(groups))  # pygal draws the first bar at the bottom
    chart.x_labels = [_short(g.name) for g in ordered]
    chart.y_labels = AXIS
    for level in (1, 2, 3, 4):
        values = [_share(g.figures.levels[level - 1], g.figures.total) for g in ordered]
        chart.add(f"Mức {level}", values)
    return _render(chart, name, title)


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    """A label cut to `limit` characters, keeping whole words from both ends.

    Names such as "Ủy ban nhân dân cấp tỉnh" and "… cấp xã" differ at the end, so
    the middle goes; the table beside the chart has the full name.
    """
    if len(label) <= limit:
        return label
    words = label.replace(",", "").split()
    head = _words_within(words, limit // 2)
    tail = _words_within(words[::-1], limit - len(" ".join(head)) - 1)[::-1]
    if not head or not tail or len(head) + len(tail) >= len(words):
        return label[: limit - 1].rstrip(" ,") + "…"
    return " ".join(head) + "…" + " ".join(tail)


def _words_within(words: list[str], limit: int) -> list[str]:
    """The leading words whose text fits in `limit` characters."""
    taken: list[str] = []
    for word in words:
        if len(" ".join([*taken, word])) > limit:
            break
        taken.append(word)
    return taken


def _share(part: int, whole: int) -> float | None:
    value = percent(part, whole)
    return None if value is None else float(value)


def _targets_chart(results: Sequence[TargetResult]) -> Chart:
    """Each target: its current value beside its threshold."""
    name, title = "chi-tieu.svg", "Chỉ tiêu: hiện tại so với ngưỡng"
    chart = _chart(pygal.HorizontalBar, name, title, 2 * len(results), print_values=True,
                   print_values_position="top", legend_at_bottom_columns=2,
                   style=_style_with(TARGET_COLOURS), range=(0, 125))
    ordered = list(reversed(results))  # pygal draws the first bar at the bottom
    chart.x_labels = [_target_label(r) for r in ordered]
    chart.y_labels = AXIS
    chart.add("Hiện tại", [None if r.value is None else float(r.value) for r in ordered])
    chart.add("Ngưỡng", [float(r.target.threshold) for r in ordered])
    return _render(chart, name, title)


def _style_with(colours: tuple[str, ...]) -> Style:
    style = _style()
    style.colors = colours
    return style


SHORT_METRICS = {
    "share_level_3_plus": "Mức 3–4",
    "share_level_4": "Mức 4",
    "share_national_portal": "Tích hợp",
    "share_online_payment": "Thanh toán",
    "share_postal": "Bưu chính",
    "share_applications_online": "Hồ sơ TT",
}


def _target_label(r: TargetResult) -> str:
    mark = {TargetStatus.MET: "✓", TargetStatus.NOT_MET: "✗"}.get(r.status, "?")
    return f"{mark} {SHORT_METRICS[r.target.metric]} {r.target.deadline.year}"
