"""The statistics page and each agency's figures, as HTML from the shared tables.

Every cell comes from `stats_tables`, which `catalogue stats` prints too, and
is escaped here; charts are separate SVG files shown with <img> beside the
table that holds their numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from .charts import WIDTH, Chart
from .stats import JSON_PATH, Stats
from .stats_tables import Row, Table, agency_tables, tables
from .wording import date_text, group_digits

PAGE_DIR = "thong-ke"
PAGE_TITLE = "Thống kê mức độ dịch vụ công"
# Which chart goes above which table.
CHART_FOR_TABLE = {
    "chi-tieu": "chi-tieu.svg",
    "muc-do-theo-cap": "muc-do-theo-cap.svg",
    "muc-do-theo-co-quan": "muc-do-theo-co-quan.svg",
}
CHART_WIDTH = WIDTH
AS_CARDS = frozenset({"chi-tieu"})  # tables shown as one card per row


def statistics_page(stats: Stats, charts: Sequence[Chart], base: str = "../") -> str:
    """The body of /thong-ke/: what the figures mean, then charts and tables."""
    by_name = {c.name: c for c in charts}
    parts = [
        f"<h1>{escape(PAGE_TITLE)}</h1>",
        _intro(stats, base),
    ]
    for table in tables(stats):
        chart = by_name.get(CHART_FOR_TABLE.get(table.key, ""))
        parts.append(_table_html(table, base, level=2, chart=chart))
    return "\n".join(parts) + "\n"


def agency_section(stats: Stats, agency_id: str, base: str) -> Markup:
    """An agency's own figures and upgrade plan, for its page; empty when it has no procedures."""
    found = agency_tables(stats, agency_id)
    if not found:
        return Markup("")
    head = (f'<h2 id="so-lieu">Số liệu mức độ dịch vụ</h2>\n<p class="dm-meta">Tính đến ngày '
            f'{escape(date_text(stats.as_of))}, gồm cả cơ quan trực thuộc. '
            f'<a href="{escape(base)}{PAGE_DIR}/">Xem thống kê toàn bộ danh mục</a>.</p>')
    body = [_table_html(t, base, level=3) for t in found]
    return Markup("\n".join([head, *body]) + "\n")


def _intro(stats: Stats, base: str) -> str:
    derived = stats.overall.levels_derived
    caveat = (f"<p>Mức độ của {escape(group_digits(derived))}/{escape(group_digits(stats.overall.total))} thủ tục "
              "được suy ra theo quy tắc khi nhập dữ liệu, không do nguồn ghi; các con số về mức độ "
              "vì vậy cần được cơ quan rà soát.</p>\n") if derived else ""
    return caveat + (
        f'<p class="dm-meta">Số liệu tính đến ngày {escape(date_text(stats.as_of))}, '
        f'tính trực tiếp từ danh mục ở mỗi lần xây dựng trang. '
        f'Dữ liệu máy đọc: <a href="{escape(base)}{JSON_PATH}">{escape(JSON_PATH)}</a>.</p>\n'
        "<p>Mức độ 4 là dịch vụ công trực tuyến toàn trình, mức độ 3 là một phần, mức độ 2 và 1 chỉ cung cấp "
        "thông tin (Nghị định 42/2022/NĐ-CP). Chỉ tiêu về mức độ chỉ tính mức độ do nguồn ghi; mức độ suy ra "
        "được coi là chưa rõ. Tỷ lệ tính trên mọi thủ tục trong phạm vi; số liệu của một cơ quan "
        "gồm cả cơ quan trực thuộc. «Chưa rõ» là thủ tục mà nguồn không ghi thông tin này: "
        "không được tính là có.</p>"
    )


def _figure(chart: Chart) -> str:
    """The chart at its drawn size; catalogue.css lets it grow on a wide screen and shrink on a phone."""
    height = _svg_height(chart.svg)
    return (f'<figure class="dm-chart"><img src="{escape(chart.name)}" alt="{escape(chart.title)}" '
            f'width="{CHART_WIDTH}" height="{height}">'
            f"<figcaption>{escape(chart.title)}</figcaption></figure>")


def _svg_height(svg: str) -> int:
    """The chart's height from its viewBox, so the page reserves its space before it loads."""
    start = svg.index('viewBox="') + len('viewBox="')
    return int(float(svg[start:svg.index('"', start)].split()[3]))


def _table_html(table: Table, base: str, *, level: int, chart: Chart | None = None) -> str:
    heading = f'<h{level} id="{escape(table.key)}">{escape(table.title)}</h{level}>'
    figure = _figure(chart) if chart is not None and table.rows else ""
    if not table.rows:
        return f'{heading}\n<p class="dm-empty">{escape(table.empty)}</p>'
    if table.key in AS_CARDS:
        return "\n".join([heading, figure, *(_card_html(table, row, base) for row in table.rows)])
    head = "".join(f'<th scope="col"{_align(i, table)}>{escape(h)}</th>' for i, h in enumerate(table.headers))
    rows = "\n".join(_row_html(table, r, base) for r in table.rows)
    # Our own box, labelled by the heading and focusable, that scrolls sideways on its own
    # when the table is wider than the page (a phone); the class keeps Material from
    # wrapping the table a second time.
    html = (f'<div class="dm-table-wrap" role="region" aria-labelledby="{escape(table.key)}" tabindex="0">'
            f'<table class="dm-stats" aria-labelledby="{escape(table.key)}">'
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody></table></div>")
    return "\n".join(part for part in (heading, figure, html) if part)


def _card_html(table: Table, row: Row, base: str) -> str:
    """A row as a Material admonition: readable on a phone where seven columns are not."""
    title = f"{escape(row.cells[5])} — {escape(row.cells[0])}"
    facts = " · ".join(f"{escape(h)}: {_cell(row, i, base)}" for i, h in enumerate(table.headers) if i not in (0, 5))
    note = f"\n<p>{escape(row.note)}</p>" if row.note else ""
    return (f'<div class="admonition {escape(row.tone or "note")}"><p class="admonition-title">{title}</p>'
            f"\n<p>{facts}</p>{note}</div>")


def _cell(row: Row, column: int, base: str) -> Markup:
    text = escape(row.cells[column])
    if column not in row.links:
        return text
    link = row.links[column]
    href = link if link.startswith(("http://", "https://")) else base + link
    return Markup(f'<a href="{escape(href)}">{text}</a>')


def _row_html(table: Table, row: Row, base: str) -> str:
    out = []
    for i in range(len(row.cells)):
        text = _cell(row, i, base)
        if i in table.numeric and i not in row.links:
            text = _unbroken(text)
        tag = "th" if i == 0 else "td"
        scope = ' scope="row"' if i == 0 else ""
        out.append(f"<{tag}{scope}{_align(i, table)}>{text}</{tag}>")
    return "<tr>" + "".join(out) + "</tr>"


def _unbroken(cell: Markup) -> Markup:
    """A figure such as '11,3 % (69/610); 541 chưa rõ' may break after ';' only, so a table fits at 1280 px."""
    return Markup("; ").join(Markup('<span class="dm-nowrap">{}</span>').format(part) for part in cell.split("; "))


def _align(column: int, table: Table) -> str:
    return ' style="text-align:right"' if column in table.numeric else ""
