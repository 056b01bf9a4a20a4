"""Procedure pages from our page writer are the pages MkDocs writes itself, byte for byte."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from markupsafe import Markup, escape

from generator.page_bodies import Renderer
from generator.page_writer import (
    BODY_MARK,
    KEY_MARK,
    PAGE_MARK,
    TITLE_MARK,
    FrameError,
    Job,
    PageWriter,
    cut,
    source,
    target,
    values,
)
from generator.pages import PageSpec, SitePages
from generator.site_plan import plan, writable
from generator.site_urls import Kind
from generator.validate import validate

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DATE_EPOCH = "1790000000"
SITE_URL = "https://dichvucong.example/danh-muc/"

# Builds the site in a fresh interpreter (one thread, so the writer may fork its
# workers), with the page writer on or off; says how the procedure pages were made.
BUILD = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
from generator import page_writer

forked = []
init = page_writer.PageWriter.__init__
page_writer.PageWriter.__init__ = lambda self, *a, **k: (init(self, *a, **k), forked.append(self.pool is not None))[0]
config = load_config(sys.argv[1], site_dir=sys.argv[2])
config.plugins["catalogue"].config.page_writer = sys.argv[3] == "writer"
config.plugins.on_startup(command="build", dirty=False)
build(config)
config.plugins.on_shutdown()
print({(): "mkdocs", (True,): "writer-workers", (False,): "writer-inline"}[tuple(forked)])
"""


def build(target_dir: Path, mode: str, cache_home: Path) -> str:
    env = os.environ | {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": SITE_URL,
                        "XDG_CACHE_HOME": str(cache_home)}
    env.pop("CATALOGUE_DIR", None)  # the embedded catalogue
    done = subprocess.run([sys.executable, "-c", BUILD, str(ROOT / "mkdocs.yml"), str(target_dir), mode],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def test_the_embedded_catalogue_written_by_the_page_writer_is_byte_identical_to_mkdocs_own(tmp_path: Path) -> None:
    assert build(tmp_path / "mkdocs", "mkdocs", tmp_path / "cache") == "mkdocs"
    assert build(tmp_path / "writer", "writer", tmp_path / "cache") == "writer-workers"
    reference = {p.relative_to(tmp_path / "mkdocs"): p for p in (tmp_path / "mkdocs").rglob("*") if p.is_file()}
    written = {p.relative_to(tmp_path / "writer"): p for p in (tmp_path / "writer").rglob("*") if p.is_file()}
    assert sorted(written) == sorted(reference)
    procedures = [name for name in reference if name.parts[0] == "thu-tuc"]
    assert len(procedures) == len(list((ROOT / "catalogue" / "procedures").rglob("*.yaml")))
    later = [name for name in reference if len(name.parts) == 4 and name.parts[2].startswith("trang-")]
    assert {name.parts[0] for name in later} >= {"co-quan", "muc-do"}  # browse lists' later pages, written too
    different = [str(n) for n in procedures + later if written[n].read_bytes() != reference[n].read_bytes()]
    assert different == []
    page = (tmp_path / "writer" / procedures[0]).read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{SITE_URL}{procedures[0].parent.as_posix()}/">' in page
    sitemap = (tmp_path / "writer" / "sitemap.xml").read_bytes()
    assert sitemap == (tmp_path / "mkdocs" / "sitemap.xml").read_bytes()
    assert f"<loc>{SITE_URL}{procedures[0].parent.as_posix()}/</loc>".encode() in sitemap
    assert gzip.decompress((tmp_path / "writer" / "sitemap.xml.gz").read_bytes()) == sitemap


FRAME = f"<title>dmkhe tieude - Site</title><link href=\"https://x/thu-tuc/{KEY_MARK}/\"><b>{TITLE_MARK}</b>{BODY_MARK}"


def test_a_frame_is_filled_with_escaped_title_address_and_body() -> None:
    name = 'Cấp  giấy <b>phép</b> & "mẫu" \'A\''
    page = cut(FRAME).fill(values(name, "1.001193", '<h1 id="t">x</h1>'))
    shown = str(escape(name))
    collapsed = str(escape(str(Markup(shown).striptags())))
    assert page == (f"<title>{collapsed} - Site</title><link href=\"https://x/thu-tuc/1.001193/\">"
                    f"<b>{shown}</b><h1 id=\"t\">x</h1>")
    assert "<b>phép" not in page and "Cấp giấy &lt;b&gt;" in collapsed


def test_a_frame_without_its_body_or_with_a_marker_changed_is_refused() -> None:
    with pytest.raises(FrameError):
        cut(FRAME.replace(BODY_MARK, ""))
    with pytest.raises(FrameError):
        cut(FRAME + BODY_MARK)
    with pytest.raises(FrameError):
        cut(FRAME.replace(TITLE_MARK, TITLE_MARK.upper().lower().replace("  ", "\n")))


def test_a_body_without_its_own_heading_is_refused() -> None:
    with pytest.raises(FrameError):
        values("Tên", "1.001193", "<p>không tiêu đề</p>")


def test_a_page_goes_where_the_frame_page_would_go() -> None:
    assert target(f"thu-tuc/{KEY_MARK}/index.html", "1.001193") == "thu-tuc/1.001193/index.html"
    assert target(f"co-quan/{KEY_MARK}/trang-{PAGE_MARK}/index.html", "bo-y-te", 12) == "co-quan/bo-y-te/trang-12/index.html"


def test_a_later_list_page_is_written_from_a_frame_at_its_own_depth_with_its_page_number_as_a_slot() -> None:
    later, first = PageSpec(Kind.AGENCY, "bo-y-te", "Bộ Y tế — trang 3", 3), PageSpec(Kind.AGENCY, "bo-y-te", "Bộ Y tế")
    assert writable(later) and writable(first) and not writable(PageSpec(Kind.AGENCY, "", "Cơ quan"))
    assert source(later) == f"co-quan/{KEY_MARK}/trang-{PAGE_MARK}.md"
    assert source(PageSpec(Kind.PROCEDURE, "1.001193", "Tên")) == f"thu-tuc/{KEY_MARK}.md"
    frame = cut(f'<link href="https://x/co-quan/{KEY_MARK}/trang-{PAGE_MARK}/"><b>{TITLE_MARK}</b>{BODY_MARK}')
    assert frame.fill(values(later.title, later.key, "<h1>B</h1>", later.page)) == (
        '<link href="https://x/co-quan/bo-y-te/trang-3/"><b>Bộ Y tế — trang 3</b><h1>B</h1>')


def test_pages_kept_from_the_last_build_are_not_written_again_and_gone_ones_are_removed(tmp_path: Path) -> None:
    catalogue, problems = validate(ROOT / "tests" / "fixtures" / "valid" / "catalogue")
    assert catalogue is not None, problems
    pages = SitePages(catalogue)
    written = plan(pages, writer=True).written()
    written = [p for p in written if p.spec.kind is Kind.PROCEDURE]
    frames = {page.shape: cut(FRAME) for page in written}
    dest = f"thu-tuc/{KEY_MARK}/index.html"
    first = Job(Renderer(pages, None), frames, tmp_path, {(Kind.PROCEDURE, False): dest})
    PageWriter(first, written, fork=False).close()
    assert sorted(first.written) == sorted(p.spec.src_uri for p in written)
    rendered: list[str] = []
    again = Job(Renderer(pages, None), frames, tmp_path, {(Kind.PROCEDURE, False): dest},
                {**first.written, "thu-tuc/9.999999.md": "gone"})
    render = again.renderer.render_many
    again.renderer.render_many = lambda specs: (rendered.extend(s.key for s in specs), render(specs))[1]  # type: ignore[method-assign]
    (tmp_path / target(dest, "9.999999")).parent.mkdir(parents=True)
    (tmp_path / target(dest, "9.999999")).write_text("cũ", encoding="utf-8")
    (tmp_path / target(dest, written[0].key)).unlink()  # a kept page that is missing is written again
    PageWriter(again, written, fork=False).close()
    assert rendered == [written[0].key]
    assert again.written == first.written
    assert not (tmp_path / target(dest, "9.999999")).exists()
    assert all((tmp_path / target(dest, p.key)).is_file() for p in written)


# Two builds of one `mkdocs serve` (one plugin object); between them every later list page
# is marked, and one procedure's file gets a comment (its digest changes, its name and order do not).
SERVE = """
import sys
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
from generator import parallel

parallel.may_fork = lambda: False  # as under mkdocs serve, whose server's threads rule out fork
config = load_config(sys.argv[1], site_dir=sys.argv[2])
site, edited = Path(sys.argv[2]), Path(sys.argv[3])
config.plugins.on_startup(command="serve", dirty=False)
build(config)
later = sorted(site.glob("*/*/trang-*/index.html"))
for page in later:
    page.write_text(page.read_text(encoding="utf-8") + "<!--giu-->", encoding="utf-8")
edited.write_text(edited.read_text(encoding="utf-8") + "# sửa thử\\n", encoding="utf-8")
config = load_config(sys.argv[1], site_dir=sys.argv[2])
build(config)
config.plugins.on_shutdown()
print(len(later))
"""


def test_under_serve_only_the_later_list_pages_showing_an_edited_procedure_are_written_again(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "catalogue", tmp_path / "catalogue")
    catalogue, problems = validate(tmp_path / "catalogue")
    assert catalogue is not None, problems
    pages = SitePages(catalogue)
    code = pages.listing(next(s for s in pages.specs() if s.page > 1)).items[0].code  # on a later list page
    edited = next(f for f in sorted((tmp_path / "catalogue" / "procedures").rglob("*.yaml"))
                  if yaml.safe_load(f.read_text(encoding="utf-8"))["code"] == code)
    env = os.environ | {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1",
                        "XDG_CACHE_HOME": str(tmp_path / "cache"), "CATALOGUE_DIR": str(tmp_path / "catalogue")}
    done = subprocess.run([sys.executable, "-c", SERVE, str(ROOT / "mkdocs.yml"), str(tmp_path / "site"), str(edited)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    later = sorted((tmp_path / "site").glob("*/*/trang-*/index.html"))
    assert len(later) == int(done.stdout.strip().splitlines()[-1]) > 0
    showing = [p for p in later if f"thu-tuc/{code}/" in p.read_text(encoding="utf-8")]
    kept = [p for p in later if p.read_text(encoding="utf-8").endswith("<!--giu-->")]
    assert sorted(set(later) - set(kept)) == showing


def test_a_fresh_build_after_one_edit_rewrites_that_page_only_and_gives_the_site_of_a_clean_build(
        tmp_path: Path) -> None:
    """The written pages' record (in the cache folder) lets a new `mkdocs build` keep what did not change."""
    shutil.copytree(ROOT / "catalogue", tmp_path / "catalogue")
    plain = re.compile(r"^name: (?![>|'\"])", re.MULTILINE)  # a plain one-line name, renamed below
    files = [f for f in sorted((tmp_path / "catalogue" / "procedures").rglob("*.yaml"))
             if plain.search(f.read_text(encoding="utf-8"))]
    edited = files[len(files) // 2]
    code = yaml.safe_load(edited.read_text(encoding="utf-8"))["code"]
    env = os.environ | {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1",
                        "XDG_CACHE_HOME": str(tmp_path / "cache"), "CATALOGUE_DIR": str(tmp_path / "catalogue")}

    def mkdocs_build(site: Path) -> None:
        done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "mkdocs.yml"),
                               "-d", str(site)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
                              check=False)
        assert done.returncode == 0, done.stderr[-3000:]

    site = tmp_path / "site"
    mkdocs_build(site)
    pages = {p: p.stat().st_mtime_ns for p in (site / "thu-tuc").rglob("index.html")}
    edited.write_text(plain.sub("name: Sửa thử ", edited.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    mkdocs_build(site)
    page = site / "thu-tuc" / code / "index.html"
    assert "Sửa thử" in page.read_text(encoding="utf-8")
    again = {p: p.stat().st_mtime_ns for p in (site / "thu-tuc").rglob("index.html")}
    assert sorted(again) == sorted(pages)
    rewritten = [p.parent.name for p in again if again[p] != pages[p]]
    assert rewritten == [code]
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache-clean")
    mkdocs_build(tmp_path / "clean")
    built = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    clean = {p.relative_to(tmp_path / "clean"): p.read_bytes() for p in (tmp_path / "clean").rglob("*") if p.is_file()}
    assert sorted(built) == sorted(clean)
    assert [str(n) for n in built if built[n] != clean[n]] == []
