"""generator.plugin: real MkDocs builds of small catalogues, read back from disk."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from generator.plugin import CataloguePlugin

FIXTURE = Path(__file__).parent / "fixtures" / "pages" / "catalogue"
Builder = Callable[..., Path]
# src/href of elements that make the browser fetch something (not plain <a> links).
FETCHED = re.compile(r"<(?:script|img|link|iframe|source|audio|video)\b[^>]*?\b(?:src|href)=\"([^\"]*)\"")


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory, site_builder: Builder) -> Path:
    return site_builder(tmp_path_factory.mktemp("plugin") / "site", catalogue=FIXTURE)


def test_generated_pages_are_written_at_their_stable_urls(fixture_site: Path) -> None:
    for url in ("thu-tuc/2.000488", "thu-tuc/1.001193", "co-quan/bo-tu-phap", "co-quan", "linh-vuc/ho-tich",
                "muc-do/4", "muc-do", "su-kien/sinh-con", "su-kien"):
        assert (fixture_site / url / "index.html").is_file(), url
    page = (fixture_site / "thu-tuc/2.000488/index.html").read_text(encoding="utf-8")
    assert "<title>Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" in page
    assert 'lang="vi"' in page


def test_form_files_are_copied_byte_for_byte(fixture_site: Path) -> None:
    source = FIXTURE / "forms/bo-tu-phap/to-khai-ly-lich.pdf"
    copy = fixture_site / "bieu-mau/bo-tu-phap/to-khai-ly-lich.pdf"
    assert hashlib.sha256(copy.read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()


def test_navigation_lists_browse_pages_but_no_procedure(fixture_site: Path) -> None:
    home = (fixture_site / "index.html").read_text(encoding="utf-8")
    nav = home[home.index('<nav class="md-nav md-nav--primary"'):home.index("</nav>", home.index("md-nav--primary"))]
    assert "co-quan/" in nav and "linh-vuc/" in nav and "muc-do/" in nav
    assert re.search(r'href="[^"]*thu-tuc/\d\.\d{6}/', nav) is None  # no procedure page in the nav


def test_home_page_carries_the_generated_search_and_browse_block(fixture_site: Path) -> None:
    home = (fixture_site / "index.html").read_text(encoding="utf-8")
    assert 'action="tra-cuu/" method="get"' in home
    assert 'href="linh-vuc/ho-tich/"' in home


def test_site_assets_are_served_from_the_site(fixture_site: Path) -> None:
    page = (fixture_site / "thu-tuc/2.000488/index.html").read_text(encoding="utf-8")
    assert "assets/danh-muc/catalogue.css" in page and "assets/danh-muc/catalogue.js" in page
    assert (fixture_site / "assets/danh-muc/catalogue.css").is_file()


def test_no_page_fetches_anything_from_another_host(fixture_site: Path) -> None:
    for html in fixture_site.rglob("*.html"):
        for url in FETCHED.findall(html.read_text(encoding="utf-8")):
            assert not re.match(r"(?i)(https?:)?//", url), f"{html}: {url}"


def test_two_builds_of_the_same_input_are_byte_identical(fixture_site: Path, tmp_path: Path,
                                                          site_builder: Builder) -> None:
    again = site_builder(tmp_path / "again", catalogue=FIXTURE)
    first = {p.relative_to(fixture_site): p.read_bytes() for p in fixture_site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_an_invalid_catalogue_fails_the_build_and_keeps_the_previous_site(
        fixture_site: Path, tmp_path: Path, site_builder: Builder) -> None:
    from tests.conftest import SiteBuildError  # noqa: PLC0415

    target = tmp_path / "site"
    shutil.copytree(fixture_site, target)
    before = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    broken = tmp_path / "catalogue"
    shutil.copytree(FIXTURE, broken)
    procedure = broken / "procedures/ubnd-xa/dang-ky-khai-sinh.yaml"
    procedure.write_text(procedure.read_text(encoding="utf-8").replace("field: ho-tich", "field: ho-tch"),
                         encoding="utf-8")
    with pytest.raises(SiteBuildError) as failure:
        site_builder(target, catalogue=broken)
    assert "procedures/ubnd-xa/dang-ky-khai-sinh.yaml:" in str(failure.value)
    assert "E30" in str(failure.value) and "ho-tch" in str(failure.value)
    after = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == []


def test_serve_watches_the_catalogue_folder(tmp_path: Path) -> None:
    watched: list[str] = []
    server = SimpleNamespace(watch=watched.append, builder=lambda: None)
    plugin = CataloguePlugin()
    plugin.load_config({"path": "catalogue"})
    plugin.on_serve(server, config={"config_file_path": str(tmp_path / "mkdocs.yml")}, builder=None)
    assert watched == [str(tmp_path / "catalogue")]
