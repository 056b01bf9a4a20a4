"""Retired procedures on the site: the page says so first, links the successor and back, and the
code leaves browse lists, search and statistics of procedures in force (tests/fixtures/retired)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from generator import search_index
from generator.exports import export_files
from generator.pages import SitePages
from generator.site_urls import Kind, url_of

from .catalogues import FEED_FIXTURE, RETIRED_FIXTURE, load
from .conftest import SiteBuildError, serve

ABOLISHED, REPLACED, SUCCESSOR = "1.000001", "1.900001", "1.001193"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, site_builder: Callable[..., Path]) -> Path:
    return site_builder(tmp_path_factory.mktemp("retired") / "site", catalogue=RETIRED_FIXTURE)


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def text(html: str) -> str:
    """The page's words, tags dropped and spaces folded, to read sentences across elements."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_an_abolished_procedure_says_so_first_and_offers_no_online_submission(site: Path) -> None:
    html = page(site, url_of(Kind.PROCEDURE, ABOLISHED))
    body = html[html.index('id="ten-thu-tuc"'):]
    notice = body.index("dm-retired")
    assert notice < body.index('id="tom-tat"')
    assert ("Thủ tục này đã bị bãi bỏ từ ngày 15/11/2026 theo Quyết định (dữ liệu thử nghiệm) công bố thủ tục "
            "hành chính bị bãi bỏ số 01/2026/QĐ-THU ngày 01/11/2026.") in text(body)
    assert "dm-submit" not in body
    replaced = page(site, url_of(Kind.PROCEDURE, REPLACED))  # its channels carry an online address
    assert "https://dichvucong.gov.vn/" not in replaced[replaced.index('id="ten-thu-tuc"'):replaced.index("<footer")]
    assert "https://dichvucong.gov.vn/" in page(site, url_of(Kind.PROCEDURE, SUCCESSOR))


def test_a_replaced_procedure_links_its_successor_and_the_successor_links_back(site: Path) -> None:
    replaced = page(site, url_of(Kind.PROCEDURE, REPLACED))
    assert f'href="../../{url_of(Kind.PROCEDURE, SUCCESSOR)}">Đăng ký khai sinh</a>' in replaced
    assert f"Thủ tục này đã được thay thế bởi Đăng ký khai sinh (mã {SUCCESSOR}) từ ngày 20/10/2026" in text(replaced)
    successor = page(site, url_of(Kind.PROCEDURE, SUCCESSOR))
    assert f'href="../../{url_of(Kind.PROCEDURE, REPLACED)}">' in successor
    assert f"Thay thế thủ tục Đăng ký khai sinh (thủ tục cũ, dữ liệu thử) (mã {REPLACED}) từ ngày 20/10/2026" in text(successor)
    assert "dm-retired" not in successor


def test_retired_codes_leave_browse_lists_but_keep_their_pages(site: Path) -> None:
    catalogue = load(RETIRED_FIXTURE)
    for kind, key in ((Kind.AGENCY, "bo-cong-an"), (Kind.FIELD, "xuat-nhap-canh"), (Kind.LEVEL, "3"),
                      (Kind.AGENCY, "ubnd-xa"), (Kind.FIELD, "ho-tich")):
        html = page(site, url_of(kind, key))
        assert ABOLISHED not in html and REPLACED not in html, (kind, key)
    assert SUCCESSOR in page(site, url_of(Kind.FIELD, "ho-tich"))
    pages = SitePages(catalogue)
    assert {s.key for s in pages.specs() if s.kind is Kind.PROCEDURE} == set(catalogue.by_code)


def test_statistics_count_only_procedures_in_force_and_search_marks_retired_rows(site: Path) -> None:
    catalogue = load(RETIRED_FIXTURE)
    files = search_index.search_files(catalogue)
    rows = [row for name, data in sorted(files.items()) if name.startswith("search/r/") for row in json.loads(data)]
    assert sorted(row[0] for row in rows if len(row) == 11 and row[10] == 1) == sorted([ABOLISHED, REPLACED])
    retired = json.loads(files["search/f/da-bai-bo/1.json"])  # the rows the finder leaves out unless asked
    assert len(retired) == 2 and len(rows) == len(catalogue.by_code)
    assert all(len(row) == 10 for row in rows if row[0] not in (ABOLISHED, REPLACED))
    stats = json.loads((site / "api" / "v1" / "stats.json").read_text(encoding="utf-8"))
    assert len(catalogue.by_code) == 5
    assert stats["overall"]["procedures"] == len(catalogue.procedures) == 3


def test_the_changes_page_lists_retirements_and_every_page_names_the_atom_feed(site: Path) -> None:
    html = page(site, "thay-doi")
    words = text(html)
    assert "15/11/2026: Cấp hộ chiếu phổ thông (mã 1.000001) — bãi bỏ" in words
    assert "20/10/2026: Đăng ký khai sinh (thủ tục cũ, dữ liệu thử) (mã 1.900001) — thay thế bởi Đăng ký khai sinh" in words
    assert 'href="../api/v1/changes.atom"' in html
    for url in ("thay-doi", url_of(Kind.PROCEDURE, SUCCESSOR)):
        assert re.search(r'<link rel="alternate feed" type="application/atom\+xml" title="Thay đổi gần đây" '
                         r'href="[./]*/?api/v1/changes\.atom">', page(site, url)), url
    assert (site / "api" / "v1" / "changes.atom").is_file()


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


def finder_codes(page: Any, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_selector("#dm-finder[data-searches]", state="attached")
    page.wait_for_selector(".dm-result", state="attached")
    codes: list[str] = page.locator(".dm-result .dm-code").all_inner_texts()
    return codes


@pytest.mark.browser
def test_the_finder_leaves_retired_procedures_out_unless_asked(page: Any, server: str) -> None:
    codes = finder_codes(page, f"{server}tra-cuu/?q=khai+sinh")
    assert SUCCESSOR in codes and REPLACED not in codes
    codes = finder_codes(page, f"{server}tra-cuu/?q=khai+sinh&da-bai-bo=1")
    assert SUCCESSOR in codes and REPLACED in codes
    assert page.locator(".dm-result", has_text=REPLACED).locator(".dm-result__retired").inner_text() == \
        "Đã bãi bỏ, thay thế"
    assert page.is_checked("#dm-finder-retired")


def test_a_site_build_lists_changes_against_the_previous_manifest_it_is_given(
        tmp_path: Path, site_builder: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    previous = tmp_path / "manifest.json"
    previous.write_bytes(export_files(load(FEED_FIXTURE), ["json"])["manifest.json"])
    monkeypatch.setenv("PREVIOUS_MANIFEST", str(previous))
    site = site_builder(tmp_path / "site", catalogue=RETIRED_FIXTURE)
    document = json.loads((site / "api" / "v1" / "changes.json").read_bytes())
    assert document["basis"] == "manifest"
    assert [(c["kind"], c["code"]) for c in document["changes"]] == [
        ("het-hieu-luc", ABOLISHED), ("het-hieu-luc", REPLACED)]
    previous.write_text("không phải JSON", encoding="utf-8")
    with pytest.raises(SiteBuildError, match="không đọc được manifest trước"):
        site_builder(tmp_path / "site-2", catalogue=RETIRED_FIXTURE)


def test_a_chain_of_replacements_names_the_procedure_in_force_at_its_end(tmp_path: Path) -> None:
    root = tmp_path / "catalogue"
    shutil.copytree(RETIRED_FIXTURE, root)
    older = (root / "procedures" / "ubnd-xa" / "dang-ky-khai-sinh-cu.yaml").read_text(encoding="utf-8")
    older = older.replace('code: "1.900001"', 'code: "1.900002"').replace("(thủ tục cũ,", "(thủ tục cũ hơn,")
    (root / "procedures" / "ubnd-xa" / "dang-ky-khai-sinh-cu-hon.yaml").write_text(
        older.replace('successor: "1.001193"', f'successor: "{REPLACED}"'), encoding="utf-8")
    catalogue = load(root)
    pages = SitePages(catalogue)
    oldest = text(pages.render(next(s for s in pages.specs() if s.key == "1.900002")))
    assert f"Thủ tục này đã được thay thế bởi Đăng ký khai sinh (thủ tục cũ, dữ liệu thử) (mã {REPLACED})" in oldest
    assert f"Thủ tục đang có hiệu lực: Đăng ký khai sinh (mã {SUCCESSOR})." in oldest
    middle = text(pages.render(next(s for s in pages.specs() if s.key == REPLACED)))
    assert "Thay thế thủ tục Đăng ký khai sinh (thủ tục cũ hơn, dữ liệu thử) (mã 1.900002)" in middle
    assert "Thủ tục đang có hiệu lực" not in middle  # its successor is the one in force
