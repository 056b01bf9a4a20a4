"""Procedure bodies rendered in workers or read from the cache are the bodies a plain serial build makes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import page_bodies
from generator.pages import SitePages
from generator.result_cache import code_fingerprint
from generator.site_urls import Kind
from generator.validate import validate

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "valid" / "catalogue"
SOURCE_DATE_EPOCH = "1790000000"

# Builds the site in a fresh interpreter (no other thread, so the fork path
# is allowed), with the parallel threshold given, with the cache or without,
# or plain (no cache, and MkDocs renders the generated pages' empty Markdown
# itself), procedure pages through MkDocs (page_writer off) or the page writer;
# says whether the bodies and the feed were made in other processes.
BUILD = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
from generator import beside, page_bodies, page_writer, parallel, plugin

parallel.PARALLEL_MIN = int(sys.argv[2])
page_bodies.CHUNK = page_writer.CHUNK = 3
workers, helper = [], []
in_order = parallel.in_order
parallel.in_order = lambda work, *a, **k: (workers.append(work), in_order(work, *a, **k))[1]
write = page_writer.PageWriter.__init__
page_writer.PageWriter.__init__ = lambda self, *a, **k: (write(self, *a, **k), self.pool and workers.append(1))[0]
init = beside.Beside.__init__
beside.Beside.__init__ = lambda self, *a, **k: (init(self, *a, **k), helper.append(bool(self.lanes)))[0]
if sys.argv[4] == "plain":  # MkDocs' own Markdown rendering of the generated pages, too
    plugin.CataloguePlugin.on_pre_page = lambda self, page, **_: page
config = load_config(sys.argv[1], site_dir=sys.argv[3])
config.plugins["catalogue"].config.cache = sys.argv[4] == "cache"
config.plugins["catalogue"].config.page_writer = sys.argv[5] == "writer"
config.plugins.on_startup(command="build", dirty=False)
build(config)
config.plugins.on_shutdown()
print("parallel" if workers and helper == [True] else "serial" if helper == [False] else "mixed")
"""


def small_catalogue(target: Path, count: int) -> Path:
    """The embedded catalogue's shared files and its first `count` procedures."""
    embedded = ROOT / "catalogue"
    shutil.copytree(embedded, target, ignore=shutil.ignore_patterns("procedures"))
    for path in sorted((embedded / "procedures").rglob("*.yaml"))[:count]:
        copy = target / path.relative_to(embedded)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
    return target


def build(catalogue: Path, target: Path, cache_home: Path, *, parallel_min: int, mode: str,
          pages: str = "mkdocs") -> str:
    env = os.environ | {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1",
                        "CATALOGUE_DIR": str(catalogue), "XDG_CACHE_HOME": str(cache_home)}
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(ROOT / "mkdocs.yml"), str(parallel_min), str(target),
         mode, pages],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_site_built_by_workers_and_from_the_cache_is_byte_identical_to_a_serial_build(tmp_path: Path) -> None:
    catalogue = small_catalogue(tmp_path / "catalogue", 20)
    cache_home = tmp_path / "cache"
    assert build(catalogue, tmp_path / "serial", cache_home, parallel_min=10**9, mode="plain") == "serial"
    assert build(catalogue, tmp_path / "cold", cache_home, parallel_min=1, mode="cache") == "parallel"
    assert (cache_home / "catalogue-generator" / code_fingerprint()[:16] / "pages.sqlite").is_file()
    assert build(catalogue, tmp_path / "warm", cache_home, parallel_min=1, mode="cache") == "parallel"
    serial = tree(tmp_path / "serial")
    assert any(name.startswith("thu-tuc/") for name in serial)
    assert tree(tmp_path / "cold") == serial
    assert tree(tmp_path / "warm") == serial
    # The page writer's workers, cold and from the same cache, write the same pages.
    assert build(catalogue, tmp_path / "wcold", tmp_path / "wcache", parallel_min=1, mode="cache",
                 pages="writer") == "parallel"
    assert build(catalogue, tmp_path / "wwarm", tmp_path / "wcache", parallel_min=1, mode="cache",
                 pages="writer") == "parallel"
    assert tree(tmp_path / "wcold") == serial
    assert tree(tmp_path / "wwarm") == serial


@pytest.fixture
def pages() -> SitePages:
    catalogue, problems = validate(FIXTURE)
    assert catalogue is not None, problems
    return SitePages(catalogue)


def test_a_body_read_back_from_the_cache_equals_the_rendered_one(pages: SitePages, tmp_path: Path) -> None:
    specs = [s for s in pages.specs() if s.kind is Kind.PROCEDURE and s.key]
    first = page_bodies.Bodies(pages, tmp_path / "pages.sqlite")
    fresh = [first.get(s) for s in specs]
    first.close()
    again = page_bodies.Bodies(pages, tmp_path / "pages.sqlite")
    results = [again.renderer.render(s) for s in specs]
    again.close()
    assert [body for _, body, _ in results] == fresh == [pages.render(s) for s in specs]
    assert not any(rendered_now for _, _, rendered_now in results)


def test_bodies_found_in_the_cache_read_no_model(pages: SitePages, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    specs = [s for s in pages.specs() if s.kind is Kind.PROCEDURE and s.key]
    renderer = page_bodies.Renderer(pages, tmp_path / "pages.sqlite")
    renderer.open()
    assert renderer.cache is not None
    fresh = renderer.render_many(specs[1:])  # the first one is left out of the cache
    renderer.cache.put_many({key: body.encode() for key, body, _ in fresh})
    read: list[str] = []
    each = pages.catalogue.each
    monkeypatch.setattr(pages.catalogue, "each", lambda codes=None: (read.extend(codes or []), each(codes))[1])
    results = renderer.render_many(specs)
    renderer.cache.close()
    assert read == [specs[0].key]  # only the body the cache lacks is rendered from its model
    assert [now for _, _, now in results] == [True] + [False] * (len(specs) - 1)
    assert [body for _, body, _ in results] == [pages.render(s) for s in specs]


def test_the_cache_key_changes_with_the_procedure_file_and_with_the_agencies(tmp_path: Path) -> None:
    root = shutil.copytree(FIXTURE, tmp_path / "catalogue")

    def key() -> str:
        catalogue, problems = validate(root)
        assert catalogue is not None, problems
        pages = SitePages(catalogue)
        spec = next(s for s in pages.specs() if s.kind is Kind.PROCEDURE and s.key)
        return page_bodies.Renderer(pages, None).key(spec)

    before = key()
    assert key() == before
    procedure = sorted((root / "procedures").rglob("*.yaml"))[0]
    procedure.write_bytes(procedure.read_bytes() + b"# a comment changes the bytes\n")
    edited = key()
    agencies = root / "agencies.yaml"
    agencies.write_bytes(agencies.read_bytes() + b"\n")
    assert len({before, edited, key()}) == 3


def test_a_catalogue_without_digests_is_keyed_by_its_models(pages: SitePages) -> None:
    spec = next(s for s in pages.specs() if s.kind is Kind.PROCEDURE and s.key)
    renderer = page_bodies.Renderer(pages, None)
    with_digest = renderer.key(spec)
    pages.catalogue.held.update((code, pages.catalogue.full(code)) for code in pages.catalogue.by_code)  # made in code
    pages.catalogue.digests.clear()
    before = renderer.key(spec)
    procedure = pages.catalogue.full(spec.key)
    pages.catalogue.held[spec.key] = procedure.model_copy(update={"name": procedure.name + " (sửa)"})
    assert len({with_digest, before, renderer.key(spec)}) == 3


def test_a_browse_page_is_rendered_again_only_when_a_procedure_it_lists_changed(pages: SitePages) -> None:
    spec = next(s for s in pages.specs() if s.kind is Kind.FIELD and s.key and pages.listing(s).items)
    listings, rendered = page_bodies.Listings(), []
    render = pages.render
    pages.render = lambda s: (rendered.append(s.key), render(s))[1]  # type: ignore[method-assign]
    first = listings.render(pages, spec)
    assert listings.render(pages, spec) == first == render(spec)
    assert rendered == [spec.key]
    code = pages.listing(spec).items[0].code
    pages.catalogue.digests[code] += "-changed"
    assert listings.render(pages, spec) == first
    assert rendered == [spec.key, spec.key]
