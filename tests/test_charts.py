"""Charts: standalone, offline, reproducible SVG, legible at phone width, names in full."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from generator.catalogue import Catalogue
from generator.charts import FONT, LABEL_CHARS, WIDTH, charts, wrap
from generator.stats import compute
from generator.validate import validate

from .conftest import local_only_context

FIXTURE = Path(__file__).parent / "fixtures" / "stats"
SVG_NS = "http://www.w3.org/2000/svg"
PHONE = {"width": 390, "height": 844}
SMALLEST_READABLE_PX = 12


@pytest.fixture
def catalogue(monkeypatch: pytest.MonkeyPatch) -> Catalogue:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    found, problems = validate(FIXTURE)
    assert found is not None, problems
    return found


def test_the_page_has_a_chart_of_levels_by_tier_by_agency_and_of_targets(catalogue: Catalogue) -> None:
    names = [c.name for c in charts(compute(catalogue))]
    assert names == ["muc-do-theo-cap.svg", "muc-do-theo-co-quan.svg", "chi-tieu.svg"]


def test_two_renders_of_the_same_catalogue_are_byte_identical(catalogue: Catalogue) -> None:
    first = [c.svg for c in charts(compute(catalogue))]
    second = [c.svg for c in charts(compute(catalogue))]
    assert first == second


def test_charts_carry_no_random_id_no_date_and_no_comment(catalogue: Catalogue) -> None:
    for chart in charts(compute(catalogue)):
        root = ElementTree.fromstring(chart.svg)
        assert root.get("id") == "chart-" + chart.name.removesuffix(".svg")
        assert "<!--" not in chart.svg
        assert not re.search(r"\d{4}-\d{2}-\d{2}", chart.svg), "a date would change every day"


def test_charts_load_nothing_from_outside(catalogue: Catalogue) -> None:
    for chart in charts(compute(catalogue)):
        assert "<script" not in chart.svg
        assert "kozea.github.io" not in chart.svg and "googleapis" not in chart.svg
        for url in re.findall(r"(?:https?:)?//[^\s\"'<>)]+", chart.svg):
            assert url in (f"{SVG_NS}", "http://www.w3.org/1999/xlink"), url
        assert "@import" not in chart.svg and "url(" not in chart.svg


def test_chart_title_is_the_caption(catalogue: Catalogue) -> None:
    for chart in charts(compute(catalogue)):
        title = ElementTree.fromstring(chart.svg).find(f"{{{SVG_NS}}}title")
        assert title is not None and title.text == chart.title


def _labels(svg: str) -> list[tuple[float, str]]:
    """(y, text) of each line of the chart's row labels."""
    return [(float(t.get("y", "0")), t.text or "") for t in ElementTree.fromstring(svg).iter(f"{{{SVG_NS}}}text")
            if t.get("class") == "label"]


def test_agency_chart_names_top_agencies_in_full_on_lines_above_their_bars(catalogue: Catalogue) -> None:
    chart = next(c for c in charts(compute(catalogue)) if c.name == "muc-do-theo-co-quan.svg")
    lines = [text for _, text in _labels(chart.svg)]
    assert "Ủy ban nhân dân cấp xã" in lines and "Bộ Tư pháp" in lines and "…" not in "".join(lines)
    assert not any(line.startswith("Cục Hộ tịch") for line in lines)  # under Bộ Tư pháp: in the table only
    assert all(len(line) <= LABEL_CHARS for line in lines)


def test_a_long_label_wraps_between_words() -> None:
    name = "Cơ quan giải quyết bồi thường nhà nước ở cấp trung ương"
    lines = wrap(name, 40)
    assert " ".join(lines) == name and len(lines) == 2 and all(len(line) <= 40 for line in lines)
    assert wrap("Bộ Tư pháp") == ["Bộ Tư pháp"]
    assert wrap("a" * 50, 40) == ["a" * 40, "a" * 10]  # no line runs out of the chart


def test_bars_read_top_down_in_table_order(catalogue: Catalogue) -> None:
    chart = next(c for c in charts(compute(catalogue)) if c.name == "muc-do-theo-cap.svg")
    assert [name for _, name in sorted(_labels(chart.svg))] == [
        "Toàn bộ danh mục", "Cấp bộ", "Cấp tỉnh", "Cấp huyện", "Cấp xã"]


@pytest.mark.browser
def test_charts_are_legible_at_phone_width(browser: Any, site_server: str, tmp_path: Path) -> None:
    """At 390 px every chart fits the screen and its smallest text stays ≥ 12 px."""
    outside: list[str] = []
    context = local_only_context(browser, outside, viewport=PHONE, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(site_server + "thong-ke/", wait_until="networkidle")
        images = page.eval_on_selector_all(
            "figure.dm-chart img",
            "els => els.map(e => ({src: e.getAttribute('src'), loaded: e.complete && e.naturalWidth > 0,"
            " width: e.getBoundingClientRect().width, right: e.getBoundingClientRect().right}))")
        page.screenshot(path=str(tmp_path / "thong-ke-390.png"), full_page=True)
    finally:
        context.close()
    assert outside == []
    assert len(images) >= 2
    for image in images:
        assert image["loaded"], image["src"]
        assert image["right"] <= PHONE["width"], f"{image['src']} overflows the screen"
        smallest_font = FONT * image["width"] / WIDTH  # every text of a chart is FONT units
        assert smallest_font >= SMALLEST_READABLE_PX, f"{image['src']}: text shrinks to {smallest_font:.1f} px"
