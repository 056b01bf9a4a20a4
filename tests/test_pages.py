"""generator.pages: URLs, formatting, safe Markdown, JSON-LD and the rendered pages."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from generator.catalogue import Catalogue, Located
from generator.models import Currency, Document, DocumentCase, Fee, FeeKind, ProcessingTime, TimeUnit
from generator.pages import (
    FINDER,
    PAGE_SIZE,
    ListPage,
    SitePages,
    case_views,
    environment,
    file_size,
    form_files,
    is_note,
    json_ld,
    markdown,
    markdown_it_html,
    outline,
)
from generator.site_urls import Kind, url_of
from generator.validate import validate
from generator.wording import duration_text, fee_text, iso_duration, money, vi_key
from tests import catalogues

FIXTURE = Path(__file__).parent / "fixtures" / "pages" / "catalogue"
RICH = "2.000488"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    found, problems = validate(FIXTURE)
    assert found is not None, problems
    return found


@pytest.fixture(scope="module")
def pages(catalogue: Catalogue) -> SitePages:
    return SitePages(catalogue)


@pytest.fixture(scope="module")
def rich_page(pages: SitePages) -> str:
    return pages.render(pages.by_uri[f"thu-tuc/{RICH}.md"])


# ------------------------------------------------------------------ formatting


def test_money_uses_dots_between_thousands_and_says_dong() -> None:
    assert money(1_750_000) == "1.750.000 đồng"
    assert money(50, Currency.USD) == "50 USD"


@pytest.mark.parametrize(("fee", "text"), [
    (Fee(amount=0), "Miễn phí"),
    (Fee(amount=200_000, per="lần"), "200.000 đồng/lần"),
    (Fee(amount=1_750_000, max_amount=2_500_000), "1.750.000 – 2.500.000 đồng"),
    (Fee(kind=FeeKind.LE_PHI, amount=50, currency=Currency.USD, per="bản"), "50 USD/bản"),
])
def test_a_fee_reads_as_a_citizen_expects(fee: Fee, text: str) -> None:
    assert fee_text(fee) == text


@pytest.mark.parametrize(("time", "text", "iso"), [
    (ProcessingTime(value=10, unit=TimeUnit.WORKING_DAYS), "10 ngày làm việc", None),
    (ProcessingTime(value=0.5, max_value=2, unit=TimeUnit.DAYS), "0,5 – 2 ngày", "P2D"),
    (ProcessingTime(value=4, unit=TimeUnit.HOURS), "4 giờ", "PT4H"),
    (ProcessingTime(unit=TimeUnit.SAME_DAY), "Trong ngày", None),
    (ProcessingTime(value=7), "7 (nguồn không ghi đơn vị)", None),
    (ProcessingTime(note="Theo thỏa thuận"), "Theo thỏa thuận", None),
    (None, "Chưa có thông tin", None),
])
def test_processing_time_reads_in_words_and_as_iso_duration(time: ProcessingTime | None, text: str,
                                                             iso: str | None) -> None:
    assert duration_text(time) == text
    assert iso_duration(time) == iso


def test_file_sizes_are_short_with_a_decimal_comma() -> None:
    assert file_size(33) == "33 B"
    assert file_size(49_357) == "48,2 KB"
    assert file_size(3 * 1024 * 1024) == "3,0 MB"


# ------------------------------------------------------------------ escaping


def test_markdown_keeps_emphasis_and_http_links() -> None:
    html = markdown("**đậm** và [luật](https://vbpl.vn/x)")
    assert "<strong>đậm</strong>" in html
    assert '<a rel="nofollow noopener" href="https://vbpl.vn/x">luật</a>' in html


# Characters the enabled rules act on (emphasis, links, code, lists, line breaks), white
# space markdown-it and Python treat differently, and plain Vietnamese text around them.
_MARKDOWN_CHARS = list("ab đẫ \t\n\r\0*_[]`()<>&\"'\\-+.)019#!:~|\u00a0\u2003\u2028\x0b\x1c;/")


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_MARKDOWN_CHARS), max_size=12).map("".join))
def test_markdown_shortcut_for_plain_text_is_what_markdown_it_renders(text: str) -> None:
    assert str(markdown(text)) == markdown_it_html(text)


@pytest.mark.parametrize("hostile", [
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    "[bấm](javascript:alert(1))",
    "[bấm](data:text/html;base64,PHNjcmlwdD4=)",
    "![ảnh](https://evil.example/a.png)",
    '<a href="https://x">y</a>',
])
def test_markdown_never_lets_markup_scripts_or_images_through(hostile: str) -> None:
    html = markdown(hostile)
    assert "<script" not in html
    assert "<img" not in html
    assert 'href="javascript' not in html and 'href="data' not in html
    assert "<a href" not in html


def test_json_ld_cannot_close_its_script_element() -> None:
    text = json_ld({"name": "</script><script>alert(1)</script> & <!--"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script> & <!--"


def test_no_html_from_the_yaml_reaches_the_procedure_page_as_markup(rich_page: str) -> None:
    body = rich_page.split('<script type="application/ld+json">', maxsplit=1)[0]
    assert "<script" not in body
    assert re.search(r"&lt;script&gt;alert\((&quot;|&#34;)xss-description", body)
    assert re.search(r"&lt;/script&gt;&lt;script&gt;alert\((&#39;|')doc", body)
    assert "<b>không đậm</b>" not in body and "&lt;b&gt;không đậm&lt;/b&gt;" in body
    assert 'href="javascript' not in body
    assert "<img" not in body


# ------------------------------------------------------------------ pages


def test_procedure_pages_live_at_their_code_and_stay_out_of_the_nav(pages: SitePages) -> None:
    spec = pages.by_uri[f"thu-tuc/{RICH}.md"]
    assert spec.url == f"thu-tuc/{RICH}/"
    assert not spec.in_nav
    in_nav = sorted(s.src_uri for s in pages.specs() if s.in_nav)
    assert in_nav == ["co-quan/index.md", "linh-vuc/index.md", "muc-do/index.md", "su-kien/index.md"]


def test_every_agency_field_level_and_life_event_has_a_page(pages: SitePages, catalogue: Catalogue) -> None:
    uris = set(pages.by_uri)
    assert {f"co-quan/{a}.md" for a in catalogue.agencies} <= uris
    assert {f"linh-vuc/{f}.md" for f in catalogue.fields} <= uris
    assert {f"muc-do/{n}.md" for n in range(1, 5)} <= uris
    assert {f"su-kien/{e}.md" for e in catalogue.life_events} <= uris


def test_procedure_sections_come_in_the_order_a_citizen_needs(rich_page: str) -> None:
    order = ["ten-thu-tuc", "doi-tuong", "cach-nop", "giay-to", "bieu-mau", "trinh-tu", "ket-qua",
             "yeu-cau", "can-cu", "noi-thuc-hien", "thong-tin-khac"]
    positions = [rich_page.index(f'id="{anchor}"') for anchor in order]
    assert positions == sorted(positions)


def test_level_badge_shows_the_level_and_its_decree_42_category(rich_page: str) -> None:
    assert '<a class="dm-level dm-level--3" href="../../muc-do/3/">Mức độ 3</a>' in rich_page
    assert "Dịch vụ công trực tuyến một phần" in rich_page


def test_a_derived_level_says_so_and_links_the_rule(rich_page: str) -> None:
    assert "Mức độ được suy ra theo quy tắc" in rich_page
    assert 'href="../../huong-dan/muc-do-dich-vu/"' in rich_page


def test_a_level_read_from_the_source_carries_no_derivation_note(pages: SitePages) -> None:
    assert "suy ra theo quy tắc" not in pages.render(pages.by_uri["thu-tuc/1.001193.md"])


def test_review_markers_are_shown_with_reason_and_original(rich_page: str) -> None:
    assert "Đang rà soát" in rich_page
    assert "Phí nộp trực tiếp chưa đọc được chắc chắn" in rich_page
    assert "Phí50 USD/bản&lt;i&gt;?&lt;/i&gt;" in rich_page


def test_channels_show_time_and_fees_per_row(rich_page: str) -> None:
    table = rich_page[rich_page.index('<table class="dm-channels">'):rich_page.index("</table>")]
    assert table.count('<th scope="row">') == 3
    for text in ("10 ngày làm việc", "200.000 đồng/lần", "1.750.000 – 2.500.000 đồng", "50 USD/bản",
                 "Miễn phí", "Trong ngày", "0,5 – 2 ngày"):
        assert text in table


def test_the_online_button_points_at_the_channel_url(rich_page: str) -> None:
    assert re.search(r'<a class="md-button md-button--primary dm-submit" '
                     r'href="https://dichvucong\.gov\.vn/[^"]*2\.000488" rel="noopener">Nộp trực tuyến</a>', rich_page)


def test_no_online_button_without_an_online_url(catalogue: Catalogue) -> None:
    p = catalogue.full("1.001193")
    bare = p.model_copy(update={"channels": []})
    other = Catalogue(root=catalogue.root, agencies=catalogue.agencies, fields=catalogue.fields,
                      life_events=catalogue.life_events)
    other.add(Located(bare, catalogue.sources[bare.code], 1, 1))
    other.finish()
    site = SitePages(other)
    assert "dm-submit" not in site.render(site.by_uri["thu-tuc/1.001193.md"])


def test_documents_are_a_checklist_per_case_with_counts_and_form_links(rich_page: str, pages: SitePages) -> None:
    assert rich_page.count('<input type="checkbox"') == 3
    assert "Trường hợp: Trường hợp ủy quyền" in rich_page
    assert "1 bản chính, 0 bản sao" in rich_page
    info = pages.forms["forms/bo-tu-phap/to-khai-ly-lich.pdf"]
    assert 'href="../../bieu-mau/bo-tu-phap/to-khai-ly-lich.pdf" download>' in rich_page
    assert f"(PDF, {info.size} B)" in rich_page


def test_form_files_carry_their_size_and_sha256(catalogue: Catalogue) -> None:
    data = (FIXTURE / "forms/bo-tu-phap/to-khai-ly-lich.pdf").read_bytes()
    info = form_files(catalogue)["forms/bo-tu-phap/to-khai-ly-lich.pdf"]
    assert (info.size, info.sha256) == (len(data), hashlib.sha256(data).hexdigest())


def test_agency_contact_legal_basis_and_last_update_are_shown(rich_page: str) -> None:
    for text in ("60 Trần Phú, Ba Đình, Hà Nội", "024 6273 9718", "mailto:vanphong@moj.gov.vn",
                 "28/2009/QH12", "Luật Lý lịch tư pháp", '<time datetime="2026-09-15">15/09/2026</time>'):
        assert text in rich_page


def test_json_ld_describes_a_government_service(rich_page: str) -> None:
    raw = rich_page.split('<script type="application/ld+json">')[1].split("</script>", maxsplit=1)[0]
    data = json.loads(raw)
    assert data["@type"] == "GovernmentService"
    assert data["provider"]["name"] == "Bộ Tư pháp"
    assert data["serviceType"] == "Lý lịch tư pháp"
    assert data["areaServed"]["name"] == "Việt Nam"
    assert [a["audienceType"] for a in data["audience"]] == ["Công dân Việt Nam", "Người nước ngoài"]
    online = data["availableChannel"][0]
    assert online["serviceUrl"].startswith("https://dichvucong.gov.vn/") and "processingTime" not in online  # working days
    assert {(o["price"], o["priceCurrency"]) for o in data["offers"]} >= {(200_000, "VND"), (50, "USD"), (0, "VND")}
    assert "<" not in raw


def test_browse_pages_list_their_procedures_from_the_indexes(pages: SitePages) -> None:
    agency = pages.render(pages.by_uri["co-quan/bo-tu-phap.md"])
    assert f'href="../../thu-tuc/{RICH}/"' in agency and "1.001193" not in agency
    level = pages.render(pages.by_uri["muc-do/4.md"])
    assert 'href="../../thu-tuc/1.001193/"' in level and RICH not in level
    event = pages.render(pages.by_uri["su-kien/sinh-con.md"])
    assert "Đăng ký khai sinh" in event


def test_agency_names_with_markup_are_escaped_everywhere(pages: SitePages) -> None:
    for uri in ("co-quan/ubnd-xa.md", "co-quan/index.md", "thu-tuc/1.001193.md"):
        html = pages.render(pages.by_uri[uri])
        assert "<b>đậm</b>" not in html and "&lt;b&gt;đậm&lt;/b&gt;" in html


def test_home_has_a_search_form_that_gets_the_finder(pages: SitePages) -> None:
    home = pages.render_home("")
    assert f'<form class="dm-search" action="{FINDER}" method="get" role="search">' in home
    assert 'name="q"' in home and '<label for="dm-q">' in home
    assert f'href="{url_of(Kind.FIELD, "ho-tich")}"' in home
    assert "<strong>2</strong> thủ tục" in home


def test_templates_are_compiled_once() -> None:
    assert environment() is environment()
    assert environment().get_template("thu-tuc.html") is environment().get_template("thu-tuc.html")


def test_rendering_is_deterministic(pages: SitePages, catalogue: Catalogue) -> None:
    again = SitePages(catalogue)
    for spec in pages.specs():
        assert pages.render(spec) == again.render(spec)


def test_steps_keep_the_sources_own_step_labels_and_bullets() -> None:
    items = outline(["- Bước 1: Chuẩn bị hồ sơ.", "+ Nếu hồ sơ hợp lệ", "Cơ quan tiếp nhận"])
    assert [(i.label, i.depth, i.text) for i in items] == [
        ("Bước 1:", 0, "Chuẩn bị hồ sơ."), ("", 1, "Nếu hồ sơ hợp lệ"), ("", 0, "Cơ quan tiếp nhận")]


def test_source_bullets_do_not_become_nested_markdown_lists(rich_page: str) -> None:
    steps = rich_page[rich_page.index('id="trinh-tu"'):rich_page.index('id="ket-qua"')]
    assert "<ol" not in steps and steps.count("<ul") == 1


def test_browse_lists_follow_vietnamese_alphabetical_order() -> None:
    names = ["Định danh", "Giám định", "Đăng ký", "Dữ liệu", "ăn", "an ninh", "Ưu tiên", "Ủy ban", "ân"]
    assert sorted(names, key=vi_key) == [
        "an ninh", "ăn", "ân", "Dữ liệu", "Đăng ký", "Định danh", "Giám định", "Ủy ban", "Ưu tiên"]


def test_table_of_contents_names_the_sections_the_page_has(pages: SitePages, rich_page: str) -> None:
    heads = pages.headings(pages.by_uri[f"thu-tuc/{RICH}.md"])
    assert heads[0] == ("doi-tuong", "Ai thực hiện") and ("bieu-mau", "Mẫu đơn, tờ khai") in heads
    for anchor, title in heads:
        assert f'<h2 id="{anchor}">{title}</h2>' in rich_page
    assert "bieu-mau" not in dict(pages.headings(pages.by_uri["thu-tuc/1.001193.md"]))


def test_the_review_summary_names_sections_in_words_and_links_them(rich_page: str) -> None:
    summary = rich_page[rich_page.index("dm-review-line"):rich_page.index("dm-summary")]
    assert '<a href="#cach-nop">Cách nộp hồ sơ, thời hạn và phí</a>' in summary
    assert "channels[1]" not in summary


def test_the_summary_comes_before_every_section_and_says_fee_and_time_as_the_table_does(rich_page: str) -> None:
    summary = rich_page[rich_page.index('<section class="dm-summary"'):rich_page.index("</section>")]
    assert rich_page.index("dm-summary") < rich_page.index('<h2 id="doi-tuong">')
    table = rich_page[rich_page.index('<table class="dm-channels">'):]
    for figure in re.findall(r"<strong>([^<]*đồng[^<]*|Miễn phí)</strong>", table):
        assert figure in summary
    assert "giấy tờ" in summary and "Nơi nộp" in summary


def test_a_zero_copy_remark_is_a_note_and_a_form_is_never_one() -> None:
    assert is_note(Document(name="Trường hợp gửi qua bưu chính thì gửi kèm bản sao.", originals=0))
    assert is_note(Document(name="Lưu ý: không yêu cầu nộp thêm giấy tờ."))
    assert not is_note(Document(name="Tờ khai", originals=0, form="to-khai"))
    assert not is_note(Document(name="Giấy tờ tùy thân"))  # counts unknown: the source is silent, not a note
    assert not is_note(Document(name="Giấy tờ tùy thân", originals=1))


def test_forms_to_fill_come_first_in_their_case() -> None:
    case = DocumentCase(documents=[Document(name="Bản sao hộ chiếu", copies=1),
                                   Document(name="Tờ khai", originals=1, form="to-khai"),
                                   Document(name="Lưu ý: nộp tại bộ phận một cửa", originals=0)])
    [view] = case_views([case])
    assert [d.name for d in view.documents] == ["Tờ khai", "Bản sao hộ chiếu"]
    assert [d.name for d in view.notes] == ["Lưu ý: nộp tại bộ phận một cửa"]


# ------------------------------------------------------------- long browse lists


def _list_page(total: int, page: int) -> ListPage:
    return ListPage(Kind.LEVEL, "3", [], total, page)


def test_a_pager_links_the_first_and_last_pages_and_two_either_side_of_the_current_one() -> None:
    pages = -(-480 // PAGE_SIZE)
    assert _list_page(480, 6).window() == [1, None, 4, 5, 6, 7, 8, None, pages]
    assert _list_page(480, 1).window() == [1, 2, 3, None, pages]
    assert _list_page(480, 4).window() == [1, 2, 3, 4, 5, 6, None, pages]  # no "…" for one page
    assert _list_page(PAGE_SIZE, 1).window() == [1] and _list_page(PAGE_SIZE + 1, 2).window() == [1, 2]


@pytest.fixture(scope="module")
def embedded_pages() -> SitePages:
    return SitePages(catalogues.load(catalogues.EMBEDDED))


def test_a_long_list_comes_in_pages_at_stable_urls_in_vietnamese_order_each_procedure_once(
        embedded_pages: SitePages) -> None:
    level = embedded_pages.catalogue.by_level[3]
    assert len(level) > 2 * PAGE_SIZE
    count = -(-len(level) // PAGE_SIZE)
    specs = sorted((s for s in embedded_pages.specs() if (s.kind, s.key) == (Kind.LEVEL, "3")), key=lambda s: s.page)
    assert [s.url for s in specs] == ["muc-do/3/", *(f"muc-do/3/trang-{n}/" for n in range(2, count + 1))]
    shown = [p for s in specs for p in embedded_pages.listing(s).items]
    assert shown == sorted(level, key=lambda p: vi_key(p.name)) and len({p.code for p in shown}) == len(level)
    second = embedded_pages.render(specs[1])
    assert 'href="../../../muc-do/3/" aria-label="Trang 1"' in second and 'rel="next"' in second
    assert f"Thủ tục {PAGE_SIZE + 1}–{2 * PAGE_SIZE} trong {len(level)}" in second
    assert second.count('<a href="../../../thu-tuc/') == PAGE_SIZE


def test_a_paged_list_has_its_whole_list_as_filter_data_and_a_short_list_has_none(embedded_pages: SitePages) -> None:
    files = embedded_pages.list_files()
    rows = json.loads(files["muc-do/3/danh-sach.json"])
    assert [r["code"] for r in rows] == [p.code for p in embedded_pages.lists[(Kind.LEVEL, "3")]]
    assert rows[0] == {"code": rows[0]["code"], "name": embedded_pages.catalogue.by_code[rows[0]["code"]].name,
                       "level": 3, "url": f"thu-tuc/{rows[0]['code']}/"}
    short = [key for key, items in embedded_pages.lists.items() if len(items) <= PAGE_SIZE]
    assert short and all(f"{url_of(*key)}danh-sach.json" not in files for key in short)
    page = embedded_pages.render(embedded_pages.by_uri["muc-do/3.md"])
    assert 'data-dm-filter="../../muc-do/3/danh-sach.json"' in page


def test_an_agency_shows_its_figures_on_its_first_page_only(embedded_pages: SitePages) -> None:
    agency = next(k for (kind, k), items in embedded_pages.lists.items() if kind is Kind.AGENCY and len(items) > PAGE_SIZE)
    embedded_pages.agency_extra = lambda _agency, _base: Markup('<p id="so-lieu">')
    try:
        assert 'id="so-lieu"' in embedded_pages.render(embedded_pages.by_uri[f"co-quan/{agency}.md"])
        assert 'id="so-lieu"' not in embedded_pages.render(embedded_pages.by_uri[f"co-quan/{agency}/trang-2.md"])
    finally:
        embedded_pages.agency_extra = lambda _agency, _base: Markup("")
