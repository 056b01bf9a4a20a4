"""Figures, targets and upgrade plans from tests/fixtures/stats, and the agreement of page, JSON and CLI.

The fixture's newest `updated` is 2026-01-15, which is the build date when
SOURCE_DATE_EPOCH is unset; plans due before it and not reached are overdue.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import stats as stats_mod
from generator.catalogue import Catalogue
from generator.cli import main
from generator.stats import PlanStatus, Stats, TargetStatus, compute, percent
from generator.stats_page import agency_section, statistics_page
from generator.stats_tables import fmt_flag, fmt_percent, group_digits, render_text, tables
from generator.validate import validate

FIXTURE = Path(__file__).parent / "fixtures" / "stats"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def catalogue(monkeypatch: pytest.MonkeyPatch) -> Catalogue:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    found, problems = validate(FIXTURE)
    assert found is not None, problems
    return found


@pytest.fixture
def stats(catalogue: Catalogue) -> Stats:
    return compute(catalogue)


def test_figures_are_as_of_the_newest_update_without_source_date_epoch(stats: Stats) -> None:
    assert stats.as_of == dt.date(2026, 1, 15)


def test_source_date_epoch_sets_the_date_plans_are_judged_on(catalogue: Catalogue,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2027, 6, 1, tzinfo=dt.UTC).timestamp())))
    later = compute(catalogue)
    assert later.as_of == dt.date(2027, 6, 1)
    assert {p.code: p.status for p in later.overall.plans}["1.000003"] is PlanStatus.OVERDUE


def test_overall_counts_each_level_once(stats: Stats) -> None:
    assert stats.overall.levels == (1, 1, 1, 3)
    assert (stats.overall.total, stats.overall.level_3_plus, stats.overall.level_4) == (6, 4, 3)


def test_a_procedure_at_two_tiers_counts_in_both(stats: Stats) -> None:
    tiers = {g.key: g.figures for g in stats.tiers}
    assert tiers["tinh"].levels == (0, 1, 0, 1)
    assert tiers["huyen"].levels == (0, 1, 0, 0)
    assert "khac" not in tiers  # no procedure at that tier


def test_an_agency_counts_its_subordinates(stats: Stats) -> None:
    ministry = stats.agency("bo-tu-phap")
    assert ministry is not None
    assert ministry.figures.levels == (0, 0, 1, 1)  # its own 1.000001 and the Cục's 1.000002
    assert stats.agency("bo-ngoai-giao") is None  # no procedures: no figures


def test_unknown_online_flags_are_counted_apart_and_never_as_yes(stats: Stats) -> None:
    portal = stats.overall.national_portal
    assert (portal.yes, portal.no, portal.unknown) == (3, 1, 2)
    assert portal.percent == Decimal("50.0")  # 3 of all 6, not 3 of the 4 known
    postal = stats.overall.postal
    assert (postal.yes, postal.no, postal.unknown) == (1, 0, 5)


def test_upgrade_plans_are_done_pending_or_overdue(stats: Stats) -> None:
    status = {p.code: p.status for p in stats.overall.plans}
    assert status == {"1.000004": PlanStatus.DONE, "1.000002": PlanStatus.OVERDUE, "1.000003": PlanStatus.PENDING}
    ministry = stats.agency("bo-tu-phap")
    assert ministry is not None and ministry.figures.plan_count(PlanStatus.OVERDUE) == 1


def test_agency_usage_record_wins_over_its_procedure_records(stats: Stats) -> None:
    department = stats.agency("so-tu-phap")
    assert department is not None
    assert [(a.year, a.received, a.received_online) for a in department.figures.applications] == [(2025, 1000, 300)]


def test_applications_add_up_per_year_overall(stats: Stats) -> None:
    assert [(a.year, a.received, a.received_online) for a in stats.overall.applications] == [
        (2024, 50, 10), (2025, 1500, 450)]
    latest = stats.overall.latest_applications
    assert latest is not None and latest.percent == Decimal("30.0")


def test_targets_are_judged_in_their_scope(stats: Stats) -> None:
    results = {r.target.id: r for r in stats.targets}
    assert results["muc-4-toan-bo"].status is TargetStatus.MET
    assert results["muc-4-bo"].status is TargetStatus.NOT_MET and results["muc-4-bo"].deadline_passed
    assert results["ho-so"].status is TargetStatus.NOT_MET and not results["ho-so"].deadline_passed
    assert results["buu-chinh-khac"].status is TargetStatus.NO_DATA


def test_levels_inferred_by_a_rule_are_counted_and_shown_beside_level_targets(catalogue: Catalogue) -> None:
    code = "1.000001"
    catalogue.by_code[code] = dataclasses.replace(catalogue.by_code[code], service_level_derived=True)
    catalogue.finish()
    derived = compute(catalogue)
    assert derived.overall.levels_derived == 1
    result = next(r for r in derived.targets if r.target.id == "muc-4-toan-bo")
    assert result.levels_derived == 1
    assert "1 mức độ suy ra" in render_text(derived)
    assert "được suy ra theo quy tắc" in statistics_page(derived, [])


def test_a_threshold_reached_exactly_is_met(stats: Stats) -> None:
    result = next(r for r in stats.targets if r.target.id == "cong-xa")
    assert (result.part, result.whole, result.status) == (1, 2, TargetStatus.MET)


def test_a_target_that_depends_on_unknown_flags_is_undecided(stats: Stats) -> None:
    result = next(r for r in stats.targets if r.target.id == "thanh-toan-huyen")
    assert (result.part, result.whole, result.unknown) == (0, 1, 1)
    assert result.status is TargetStatus.UNDECIDED


def test_percentages_round_half_up_to_one_decimal() -> None:
    assert percent(1, 3) == Decimal("33.3")
    assert percent(1, 8) == Decimal("12.5")
    assert percent(1, 16) == Decimal("6.3")  # 6.25 → 6.3, not banker's 6.2
    assert percent(0, 0) is None


def test_stats_json_is_byte_identical_for_the_same_input(catalogue: Catalogue) -> None:
    assert stats_mod.json_text(compute(catalogue)) == stats_mod.json_text(compute(catalogue))


def test_stats_json_carries_sources_and_unknown_counts(stats: Stats) -> None:
    data = json.loads(stats_mod.json_text(stats))
    assert data["as_of"] == "2026-01-15"
    assert data["overall"]["national_portal"] == {"yes": 3, "no": 1, "unknown": 2, "percent": 50.0}
    target = next(t for t in data["targets"] if t["id"] == "muc-4-bo")
    assert (target["source"], target["source_url"], target["status"]) == (
        "Văn bản B", "https://example.org/van-ban-b", "not_met")
    assert [p["status"] for p in data["plans"]] == ["done", "overdue", "pending"]


def test_embedded_targets_each_name_their_source_document() -> None:
    found, problems = validate(ROOT / "catalogue")
    assert found is not None, problems
    assert found.targets, "catalogue/targets.yaml holds the targets from the sources"
    for target in found.targets:
        assert "/NQ-CP" in target.source or "/QĐ-TTg" in target.source, target.id
        assert target.note, f"{target.id}: say how the catalogue's figure maps onto the document's wording"


def test_embedded_catalogue_invents_no_usage_nor_upgrade_plans() -> None:
    assert not (ROOT / "catalogue" / "usage.yaml").exists()
    found, _ = validate(ROOT / "catalogue")
    assert found is not None
    for procedure in found.procedures:
        assert procedure.roadmap is None or procedure.roadmap.source, procedure.code


# -- page, stats.json and CLI agree -------------------------------------------------


class _Tables(HTMLParser):
    """Every table's cells and every card's title, as text, from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cards: list[str] = []
        self._cell: list[str] | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "p" and ("class", "admonition-title") in attrs:
            self._in_title = True
            self.cards.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        elif tag == "p":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_title:
            self.cards[-1] += data


def _page_rows(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    return parser


def _overall_row(rows: list[list[str]], name: str = "Toàn bộ danh mục") -> list[str]:
    return next(r for r in rows if r and r[0] == name)


def test_page_json_and_cli_show_the_same_figures(catalogue: Catalogue, stats: Stats,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    runner = CliRunner()
    cli_json = json.loads(runner.invoke(main, ["stats", str(FIXTURE), "--format", "json"]).output)
    cli_text = runner.invoke(main, ["stats", str(FIXTURE)]).output
    assert cli_json == json.loads(stats_mod.json_text(stats))  # the CLI prints stats.json

    page = _page_rows(statistics_page(stats, []))
    overall = cli_json["overall"]
    expected = [
        "Toàn bộ danh mục", group_digits(overall["procedures"]), *(group_digits(overall["levels"][k]) for k in "1234"),
        fmt_percent(Decimal(str(overall["level_3_plus"]["percent"]))),
        fmt_percent(Decimal(str(overall["level_4"]["percent"]))),
    ]
    assert _overall_row(page.rows) == expected  # the levels table's first row
    for agency in cli_json["agencies"]:
        row = _overall_row(page.rows, agency["name"])
        assert row[1] == group_digits(agency["procedures"])
        assert row[7] == fmt_percent(Decimal(str(agency["level_4"]["percent"])))
    portal = stats.overall.national_portal
    assert fmt_flag(portal) == "50,0 % (3/6); 2 chưa rõ"
    assert fmt_flag(portal) in _rows_with(page.rows, "Toàn bộ danh mục")
    # Every table row of the page is a line of the CLI's text, cell for cell.
    text_lines = [" ".join(line.split()) for line in cli_text.splitlines()]
    for table in tables(stats):
        for row in table.rows:
            assert " ".join(" ".join(row.cells).split()) in text_lines, row.cells
    # Each target's verdict on the page is the one in stats.json.
    for target, title in zip(cli_json["targets"], page.cards, strict=True):
        assert title.startswith(stats_mod.TARGET_LABELS[TargetStatus(target["status"])])


def _rows_with(rows: list[list[str]], name: str) -> list[str]:
    return [cell for row in rows if row and row[0] == name for cell in row]


def test_cli_text_starts_with_the_build_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    result = CliRunner().invoke(main, ["stats", str(FIXTURE)])
    assert result.exit_code == 0
    assert result.output.startswith("Số liệu tính đến ngày 15/01/2026\n")


def test_cli_reports_an_invalid_catalogue_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "agencies.yaml").write_text("agencies: [{id: a}]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["stats", str(tmp_path)])
    assert result.exit_code == 1
    assert "agencies.yaml" in result.output and "Traceback" not in result.output


def test_text_tables_say_when_there_is_no_usage(stats: Stats, catalogue: Catalogue) -> None:
    catalogue.usage = []
    text = render_text(compute(catalogue))
    assert "Chưa có số liệu hồ sơ" in text


def test_agency_section_shows_its_figures_and_plan(stats: Stats) -> None:
    html = str(agency_section(stats, "so-tu-phap", "../../"))
    rows = _page_rows(html).rows
    assert _overall_row(rows, "Sở Tư pháp")[1] == "2"
    assert any(r[0] == "1.000003" and r[-1] == "Đang thực hiện" for r in rows)
    assert 'href="../../thu-tuc/1.000003/"' in html
    assert str(agency_section(stats, "bo-ngoai-giao", "../../")) == ""


def test_names_from_the_data_are_escaped_on_the_page(catalogue: Catalogue) -> None:
    agency = catalogue.agencies["so-tu-phap"]
    catalogue.agencies["so-tu-phap"] = agency.model_copy(update={"name": "<script>alert(1)</script>"})
    html = statistics_page(compute(catalogue), [])
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_built_site_has_the_page_the_json_and_agency_figures(site_builder: Callable[..., Path],
                                                            tmp_path: Path) -> None:
    site = site_builder(tmp_path / "site", catalogue=FIXTURE)
    data = json.loads((site / "api/v1/stats.json").read_text(encoding="utf-8"))
    page = (site / "thong-ke/index.html").read_text(encoding="utf-8")
    assert data["overall"]["procedures"] == 6
    assert "Thống kê mức độ dịch vụ công" in page and 'href="../api/v1/stats.json"' in page
    for name in ("chi-tieu.svg", "muc-do-theo-cap.svg", "muc-do-theo-co-quan.svg"):
        assert (site / "thong-ke" / name).is_file() and f'src="{name}"' in page
    agency = (site / "co-quan/so-tu-phap/index.html").read_text(encoding="utf-8")
    assert "Số liệu mức độ dịch vụ" in agency and "Đang thực hiện" in agency
    rows = _page_rows(page).rows
    assert _overall_row(rows)[1] == group_digits(data["overall"]["procedures"])
