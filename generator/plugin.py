"""The MkDocs plugin: a thin adapter from MkDocs' events to the core.

Everything of value lives in the core modules; moving to another site
generator means rewriting this module only. The plugin

- validates the catalogue in `on_config` (an invalid catalogue stops the
  build before MkDocs cleans or writes anything);
- builds into a temporary folder beside `site_dir` and swaps it in at the
  very end, so a build that fails half-way leaves the previous site intact;
- walks the site plan (generator/site_plan.py): adds the pages MkDocs
  renders, form files and assets as virtual files (`File.generated`) and
  fills each page's body from `generator.pages`; renders one frame per
  page shape (procedure pages; browse lists' pages) through
  MkDocs' own context and the theme's main.html, and hands it to our page
  writer (generator/page_writer.py), which fills and writes those pages
  without MkDocs' per-page work (option `page_writer: false` sends them
  through MkDocs as before);
- hands MkDocs every title as escaped text (`as_html`): MkDocs and
  Material print titles as HTML, ours come from the catalogue;
- watches catalogue/ under `mkdocs serve`, and goes on serving the last
  good site while a rebuild fails (the problems are printed once).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future
from importlib.resources import files as package_files
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2.bccache import Bucket, BytecodeCache, FileSystemBytecodeCache
from markupsafe import Markup, escape
from mkdocs.commands.build import get_context
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_build_date

from . import beside, exports, merge, page_bodies, parallel, result_cache, search_index, site_plan
from . import charts as charts_mod
from . import stats as stats_mod
from .beside import Beside
from .catalogue import Catalogue
from .exports import DOCS_PAGE, fill_examples, read_manifest
from .feed import FEED_DIR
from .page_writer import BODY_MARK, TITLE_MARK, Frame, FrameError, Job, PageWriter, cut, source, values
from .pages import CHANGES_PAGE, CHANGES_TITLE, HOME_MARKER, SitePages
from .problems import Problem, Severity, render, summary
from .reference import reference_pages
from .search_index import FINDER_SRC, FINDER_TITLE, STYLE, finder_html, search_asset_files
from .site_plan import Shape, SitePlan, Toc, family
from .site_urls import Kind, form_url
from .stats_page import PAGE_DIR, PAGE_TITLE, agency_section, statistics_page
from .validate import Memory, validate

log = logging.getLogger(f"mkdocs.plugins.{__name__}")
ASSETS = ("catalogue.css", "catalogue.js")
ASSET_DIR = "assets/danh-muc"
BODY_PENDING = "<!-- danh-muc:noi-dung -->"  # a procedure page's body until MkDocs writes the page
KEPT = "Vẫn đang phục vụ bản trang hợp lệ gần nhất; sửa lỗi rồi lưu tệp, trang sẽ tự dựng lại."  # mkdocs serve
GENERATED_TITLES = {FINDER_SRC: FINDER_TITLE, f"{PAGE_DIR}/index.md": PAGE_TITLE,  # pages not in SitePages' specs
                    CHANGES_PAGE: CHANGES_TITLE}


class CatalogueConfig(Config):
    path = opt.Type(str, default="catalogue")
    # Keep validation results and rendered procedure bodies between builds
    # (in the user's cache folder, keyed by content hash; output unchanged).
    cache = opt.Type(bool, default=False)
    # The previous build's api/v1/manifest.json: changes.json lists this build's changes against it.
    previous_manifest = opt.Type(str, default="")
    # Site folders of shards built on their own (one source catalogue each), separated by ':'
    # (os.pathsep): their procedure pages are taken as they are, not rendered again (generator.merge).
    shards = opt.Type(str, default="")
    # Procedure pages filled into a frame by our page writer (generator/page_writer.py);
    # false sends each through MkDocs' page build, the reference the tests compare with.
    page_writer = opt.Type(bool, default=True)


class CataloguePlugin(BasePlugin[CatalogueConfig]):
    catalogue: Catalogue | None = None
    pages: SitePages | None = None
    plan: SitePlan | None = None
    nav: Any = None
    fork = False
    writer: PageWriter | None = None
    kept: tuple[dict[Shape, Frame], dict[str, str]] | None = None  # frames and pages of the last build (serve)
    pending: tuple[dict[Shape, Frame], dict[str, str]] | None = None
    moved: list[tuple[Path, Path]] | None = None  # the kept pages' folders: where each is now, where it was
    later: BaseProcess | None = None  # search and feed made after a serve build (see _deferred)
    dirty = False
    serving = False
    memory: Memory
    listings: page_bodies.Listings
    compiled: _CompiledTemplates
    final_dir: Path | None = None
    building_dir: Path | None = None
    stats: stats_mod.Stats | None = None
    charts: list[charts_mod.Chart] | None = None
    bodies: page_bodies.Bodies | None = None
    beside: Beside | None = None
    search: Future[dict[str, bytes]] | None = None
    feed: Future[None] | None = None
    helping: Future[int] | None = None  # the search lane making feed pieces (Beside.help_feed)
    reported: str | None = None  # the errors a failed build printed last (mkdocs serve)
    shard_pages: dict[str, Path] | None = None  # code → page built by a shard (option `shards`)

    def __init__(self) -> None:
        super().__init__()
        self.memory = Memory()  # each procedure file's validation result, by content hash, kept between builds
        self.listings = page_bodies.Listings()  # browse pages' bodies, kept between builds likewise
        self.compiled = _CompiledTemplates()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Having on_startup keeps this plugin object across the rebuilds of one `mkdocs serve`,
        # and with it what the last build learnt (see `memory`).
        self.dirty = dirty
        self.serving = command == "serve"

    def on_config(self, config: Any) -> Any:
        root = Path(config["config_file_path"]).parent / self.config.path
        fork = self.fork = parallel.may_fork()  # asked before any process pool of ours starts a thread
        self._stop_later()  # the last serve build's search and feed: this build makes its own
        catalogue, problems = validate(root, cache_path=self._cache(result_cache.default_path), memory=self.memory)
        if catalogue is None:
            raise PluginError(self._invalid(problems))
        self.reported = None
        self.catalogue = catalogue
        self.pages = SitePages(catalogue)
        stats = self.stats = stats_mod.compute(catalogue)
        self.pages.agency_extra = lambda agency, base: agency_section(stats, agency, base)
        # Our theme overrides come first, before any custom_dir and Material itself.
        config["theme"].dirs.insert(0, str(package_files("generator") / "templates" / "theme"))
        config["extra_css"].append(f"{ASSET_DIR}/catalogue.css")
        config["extra_javascript"].append(f"{ASSET_DIR}/catalogue.js")
        config["extra_css"].append(STYLE)  # the finder's style, and the header's search box on every page
        if not self.dirty:
            self._build_aside(config)
            if self.kept is None and not self.serving:
                self.kept = self._load_kept()
        self.beside = Beside(catalogue, fork=fork)  # forks first: a pool starts a thread
        self.shard_pages = self._shard_pages(Path(config["config_file_path"]).parent, config.get("site_url"))
        # Procedure pages: copied from shards (option `shards`), written by the page writer, or built by MkDocs.
        self.plan = site_plan.plan(self.pages, writer=self.config.page_writer and self.shard_pages is None)
        if not self.config.page_writer and self.shard_pages is None:
            # Procedure bodies start rendering now, in worker processes for a large catalogue.
            self.bodies = page_bodies.Bodies(self.pages, self._cache(page_bodies.default_path), fork=fork)
        return config

    def _cache(self, default_path: Callable[[], Path]) -> Path | None:
        """A stage's cache file (its module's `default_path`), when the `cache` option is on."""
        return default_path() if self.config.cache else None

    def _shard_pages(self, config_dir: Path, config_site_url: str | None) -> dict[str, Path] | None:
        """The procedure pages the `shards` option's site folders hold, or None without the option."""
        if not self.config.shards.strip() or self.catalogue is None:
            return None
        shards = [config_dir / s for s in self.config.shards.split(os.pathsep) if s.strip()]
        found, errors = merge.shard_pages(shards, self.catalogue, config_site_url)
        if errors:
            raise PluginError("Phân mảnh không khớp với catalogue đã gộp:\n" + "\n".join(errors))
        return found

    def _invalid(self, problems: list[Problem]) -> str:
        """The message of a failed build: the errors, or one line when they are those just printed.

        Under `mkdocs serve` every save in catalogue/ rebuilds; a contributor
        sees the same list once, not again for each file saved meanwhile.
        """
        errors = render([p for p in problems if p.level is Severity.ERROR], "text")
        if errors == self.reported:
            return f"Catalogue vẫn không hợp lệ: {summary(problems)}, như đã in ở trên."
        self.reported = errors
        return f"Catalogue không hợp lệ: {summary(problems)}\n{errors}"

    def _build_aside(self, config: Any) -> None:
        """Point site_dir at a fresh temporary folder; on_post_build swaps it in."""
        final = Path(config["site_dir"])
        final.parent.mkdir(parents=True, exist_ok=True)
        self.final_dir = final
        self.building_dir = Path(tempfile.mkdtemp(prefix=f".{final.name}-build-", dir=final.parent))
        self.building_dir.chmod(0o755)  # mkdtemp makes it private; a site is public
        config["site_dir"] = str(self.building_dir)

    def on_files(self, files: Files, *, config: Any) -> Files:
        assert self.pages is not None and self.plan is not None
        for spec in (planned.spec for planned in self.plan.rendered()):
            if self.shard_pages is not None and spec.kind is Kind.PROCEDURE:
                continue  # copied from the shards in on_post_build
            # Only browse indexes are listed in mkdocs.yml's nav; the rest are reached by links.
            inclusion = InclusionLevel.UNDEFINED if spec.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, spec.src_uri, content="", inclusion=inclusion))
        for path, data in self.pages.list_files().items():  # the filter box's data for each paged list
            files.append(File.generated(config, path, content=data))
        for path in self.plan.forms:
            target = form_url(path)
            files.append(File.generated(config, target, abs_src_path=str(self.pages.catalogue.root / path)))
        self._add_statistics(files, config)
        # Search index and feed are made beside the page build (generator.beside); the
        # index files join `files` in on_env, before MkDocs copies static files.
        assert self.beside is not None
        self._keep_feed()
        if not self._deferred():
            self.search = self.beside.search(self._cache(search_index.default_path))
            feed_cache = self._cache(exports.default_path)
            self.feed = self.beside.feed(Path(config["site_dir"]), config.get("site_url"),
                                         self._previous_manifest(), feed_cache,
                                         self._feed_record(self.final_dir or Path(config["site_dir"])))
            self.helping = self.beside.help_feed(config.get("site_url"), feed_cache)
        for path, data in search_asset_files().items():
            files.append(File.generated(config, path, content=data))
        files.append(File.generated(config, FINDER_SRC, content=""))
        files.append(File.generated(config, CHANGES_PAGE, content=""))
        for uri, markdown in reference_pages().items():  # field and error references for contributors
            files.append(File.generated(config, uri, content=markdown))
        assets = package_files("generator") / "assets"
        for name in ASSETS:
            files.append(File.generated(config, f"{ASSET_DIR}/{name}", content=(assets / name).read_bytes()))
        return files

    def _keep_feed(self) -> None:
        """The last site's api/v1/, moved into the new build (moved back should the build fail), so the
        feed writes only the files whose bytes change. Only with the feed's record: without it every
        file would be read back, and a file the last export wrote but this one does not would stay."""
        if self.final_dir is None or self.building_dir is None or not (self.final_dir / FEED_DIR).is_dir():
            return
        record = self._feed_record(self.final_dir)
        if record is None or not record.is_file():
            return
        self._move_in([(self.building_dir / FEED_DIR, self.final_dir / FEED_DIR)])

    def _feed_record(self, site_dir: Path) -> Path | None:
        """Where the feed of the site at `site_dir` records its files (streams.FolderSink), with the `cache` option."""
        return self._site_record(site_dir, "-feed")

    def _site_record(self, site_dir: Path, part: str = "") -> Path | None:
        """A record of what a build wrote into the site at `site_dir` (`part`: which writer's), in the cache folder."""
        if not self.config.cache:
            return None
        site = hashlib.sha256(str(site_dir.resolve()).encode()).hexdigest()[:32]
        return result_cache.default_path().parent / "sites" / f"{site}{part}.pickle"

    def _previous_manifest(self) -> dict[str, Any] | None:
        if not self.config.previous_manifest:
            return None
        try:
            return read_manifest(Path(self.config.previous_manifest))
        except ValueError as exc:
            raise PluginError(str(exc)) from None

    def _add_statistics(self, files: Files, config: Any) -> None:
        """The statistics page (in the nav, see mkdocs.yml) and its SVG charts beside it."""
        assert self.stats is not None
        self.charts = charts_mod.charts(self.stats)
        files.append(File.generated(config, f"{PAGE_DIR}/index.md", content=""))
        for chart in self.charts:
            files.append(File.generated(config, f"{PAGE_DIR}/{chart.name}", content=chart.svg.encode("utf-8")))

    def on_pre_page(self, page: Any, *, config: Any, files: Files) -> Any:
        if self.pages is not None and page.file.src_uri in self.pages.by_uri:
            # A generated page's Markdown is empty: skip building a Markdown converter for it.
            page.render = functools.partial(_render_empty, page)
        return page

    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Files) -> str:
        spec = self.pages.by_uri.get(page.file.src_uri) if self.pages else None
        title = spec.title if spec is not None else GENERATED_TITLES.get(page.file.src_uri)
        if title is not None:
            page.meta["title"] = as_html(title)
        if page.file.src_uri == DOCS_PAGE and self.catalogue is not None:
            markdown = fill_examples(markdown, self.catalogue, config.get("site_url"))
        return markdown

    def on_page_content(self, html: str, *, page: Any, config: Any, files: Files) -> str:
        assert self.pages is not None
        spec = self.pages.by_uri.get(page.file.src_uri)
        if spec is not None:
            page.toc = _toc(self.pages.headings(spec))
            if self.bodies is not None and spec.kind is Kind.PROCEDURE:
                return BODY_PENDING  # filled in on_page_context, see page_bodies
            return self.listings.render(self.pages, spec)
        if page.file.src_uri == FINDER_SRC:
            return finder_html(self.pages.catalogue, "../" * page.url.count("/"))
        if page.file.src_uri == CHANGES_PAGE:
            return self.pages.render_changes("../" * page.url.count("/"))
        if page.file.src_uri == f"{PAGE_DIR}/index.md" and self.stats is not None:
            return statistics_page(self.stats, self.charts or [])
        if HOME_MARKER in html:
            base = "../" * page.url.count("/")
            return html.replace(HOME_MARKER, self.pages.render_home(base))
        return html

    def on_nav(self, nav: Any, *, config: Any, files: Files) -> Any:
        self.nav = nav  # the frames are rendered with it (on_env)
        return nav

    def on_env(self, env: Any, *, config: Any, files: Files) -> Any:
        # MkDocs makes a new Jinja environment each build; under serve, keep the theme's
        # compiled templates from one rebuild to the next (~0.5 s each).
        if self.config.cache and self.compiled.disk is None:
            folder = result_cache.default_path().parent / "templates"
            with contextlib.suppress(OSError):  # a read-only home: compiled in memory only
                folder.mkdir(parents=True, exist_ok=True)
                self.compiled.disk = FileSystemBytecodeCache(str(folder))
        env.bytecode_cache = self.compiled
        assert self.plan is not None
        if self.plan.written():  # every page's content is known now: frame them, and write
            self._start_writer(env, config, files)
        if self.search is not None:  # waited for after the writer starts: its workers use the cores meanwhile
            assert self.beside is not None
            for path, data in self.beside.wait(self.search).items():
                files.append(File.generated(config, path, content=data))
            self.search = None
        return env

    def _start_writer(self, env: Any, config: Any, files: Files) -> None:
        """Cut one frame per page shape, check it against MkDocs' own page, start the writer."""
        assert self.plan is not None and self.pages is not None
        mkdocs = _PageBuild(env, config, files, self.nav)
        frames: dict[Shape, Frame] = {}
        dests: dict[tuple[Kind, bool], str] = {}
        for shape, model in self.plan.shapes().items():
            spec, toc = model.spec, model.toc
            try:
                frames[shape] = cut(mkdocs.render(source(spec), TITLE_MARK, toc, BODY_MARK))
                body = self.pages.render(spec) if spec.kind is Kind.PROCEDURE else self.listings.render(self.pages, spec)
                filled = frames[shape].fill(values(model.title, model.key, body, spec.page))
            except FrameError as exc:
                raise PluginError(f"{exc} (page_writer: false để MkDocs dựng từng trang)") from exc
            if filled != mkdocs.render(spec.src_uri, model.title, toc, body):
                raise PluginError(f"Trang {model.url} do trình ghi trang viết khác trang MkDocs dựng "
                                  "(một plugin hay giao diện thay đổi từng trang?); đặt page_writer: false.")
            dests[family(spec)] = File.generated(config, source(spec), content="").dest_uri
        job = Job(page_bodies.Renderer(self.pages, self._cache(page_bodies.default_path)), frames, Path(config["site_dir"]), dests,
                  self._keep_written(frames), listings=self.listings)
        self.writer = PageWriter(job, self.plan.written(), fork=self.fork and parallel.may_fork())
        self.pending = (frames, job.written)  # kept once this build's site is in place (complete after close)

    def _kept_record(self) -> Path | None:
        """Where the written pages of the site in `final_dir` are recorded, for the next build in a fresh process."""
        return None if self.final_dir is None else self._site_record(self.final_dir)

    def _save_kept(self, targets: dict[str, str]) -> None:
        """The frames and page keys of the site just put in place, with each page file's size and time."""
        record = self._kept_record()
        if record is None or self.kept is None or self.final_dir is None:
            return
        frames, written = self.kept
        pages: dict[str, tuple[str, str, int, int]] = {}
        try:
            for uri, key in written.items():
                stat = (self.final_dir / targets[uri]).stat()
                pages[uri] = (key, targets[uri], stat.st_size, stat.st_mtime_ns)
            record.parent.mkdir(parents=True, exist_ok=True)
            partial = record.with_suffix(".partial")
            partial.write_bytes(pickle.dumps((frames, pages), protocol=pickle.HIGHEST_PROTOCOL))
            partial.replace(record)
        except (OSError, KeyError):
            record.unlink(missing_ok=True)  # no record is only slower; a wrong one must never be read

    def _load_kept(self) -> tuple[dict[Shape, Frame], dict[str, str]] | None:
        """The last build's written pages of this site, as `mkdocs serve` keeps them in memory.

        Trusted as the validation cache is (the user's own cache folder), and only
        when every recorded page is still the file that build wrote (size and
        time): a site changed since by anything else is written whole.
        """
        record = self._kept_record()
        if record is None or self.final_dir is None or not record.is_file():
            return None
        try:
            frames, pages = pickle.loads(record.read_bytes())
            for _key, target, size, mtime in pages.values():
                stat = (self.final_dir / target).stat()
                if (stat.st_size, stat.st_mtime_ns) != (size, mtime):
                    return None
        except (OSError, pickle.UnpicklingError, ValueError, TypeError, EOFError, AttributeError):
            return None
        return frames, {uri: key for uri, (key, *_rest) in pages.items()}

    def _keep_written(self, frames: dict[Shape, Frame]) -> dict[str, str]:
        """The last build's written pages (under `mkdocs serve`, or recorded), when their frames are unchanged.

        The procedure pages' folder, and each list page's file, are moved into
        the new build (moved back should the build fail); the writer then writes
        only the pages that changed. A list page no more planned is not moved: it
        goes with the old site.
        """
        if self.kept is None or self.kept[0] != frames or self.final_dir is None or self.building_dir is None:
            return {}
        assert self.plan is not None
        planned = {p.spec.src_uri: p.spec for p in self.plan.written()}
        previous: dict[str, str] = {}
        moved: list[tuple[Path, Path]] = []
        procedures = Kind.PROCEDURE.value
        if (self.final_dir / procedures).is_dir():
            moved.append((self.building_dir / procedures, self.final_dir / procedures))
            previous |= {uri: key for uri, key in self.kept[1].items() if uri.startswith(f"{procedures}/")}
        for uri, key in self.kept[1].items():
            spec = planned.get(uri)
            page = f"{spec.url}index.html" if spec is not None else ""
            if spec is not None and spec.kind is not Kind.PROCEDURE and (self.final_dir / page).is_file():
                moved.append((self.building_dir / page, self.final_dir / page))
                previous[uri] = key
        self._move_in(moved)
        return previous

    def _move_in(self, moved: list[tuple[Path, Path]]) -> None:
        """Move each (now, was) of the last site into the new build; on_build_error moves them back."""
        for now, was in moved:
            now.parent.mkdir(parents=True, exist_ok=True)
            was.rename(now)
        self.moved = [*(self.moved or []), *moved]

    def on_template_context(self, context: Any, *, template_name: str, config: Any) -> Any:
        """The sitemap lists the written pages where MkDocs would have listed them."""
        if template_name == "sitemap.xml" and self.plan is not None and self.plan.written():
            context["pages"] = _with_written(list(context["pages"]), self.plan, config.get("site_url"))
        return context

    def on_page_context(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        """A procedure body goes into its page only now, just before MkDocs writes the page."""
        spec = self.pages.by_uri.get(page.file.src_uri) if self.pages else None
        if self.bodies is not None and spec is not None and spec.kind is Kind.PROCEDURE:
            page.content = self.bodies.get(spec)
        return context

    def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
        if page.content is not None and self.pages is not None and page.file.src_uri in self.pages.by_uri:
            page.content = BODY_PENDING  # written: MkDocs needs it no more, and 50,000 bodies weigh GBs
        return output

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        server.watch(str(Path(config["config_file_path"]).parent / self.config.path))
        # After a failed rebuild MkDocs holds every page request until a build succeeds
        # ("The server will appear stuck"); a slip in a catalogue file must not freeze
        # the preview. The build aside left the last good site in place: serve it.
        server.builder = functools.partial(_keep_last_site, server.builder)
        return server

    @event_priority(-100)  # after every other plugin has written its outputs
    def on_post_build(self, *, config: Any) -> None:
        self._close_bodies()
        targets: dict[str, str] = {}
        if self.writer is not None:
            self.writer.close()
            targets = {p.spec.src_uri: self.writer.job.target(p.spec) for p in self.plan.written()} if self.plan else {}
            self.writer = None
        if self.feed is not None:  # JSON feed, JSON-LD, portal shape and CSV under api/v1/, written beside
            assert self.beside is not None
            self.beside.wait(self.feed)
            self.feed = None
        if self.helping is not None:  # it stops at the first chunk the feed made: at once, now
            assert self.beside is not None
            self.beside.wait(self.helping)
            self.helping = None
        self._close_beside()
        if self.stats is not None:
            stats_mod.write_json(self.stats, Path(config["site_dir"]))
        if self.shard_pages is not None:
            self._add_shard_pages(config)
        if self.final_dir is not None and self.building_dir is not None:
            _swap(self.building_dir, self.final_dir)
            config["site_dir"] = str(self.final_dir)
            self.kept, self.pending, self.moved = self.pending, None, None
            self._save_kept(targets)
            self.final_dir = self.building_dir = None
        if self._deferred():
            assert self.catalogue is not None
            self.later = beside.later(self.catalogue.root, self._cache(result_cache.default_path), Path(config["site_dir"]),
                                      config.get("site_url"), self._previous_manifest(),
                                      feed_cache=self._cache(exports.default_path),
                                      search_cache=self._cache(search_index.default_path),
                                      feed_record=self._feed_record(Path(config["site_dir"])))

    def _deferred(self) -> bool:
        """Under `mkdocs serve` with a large catalogue, search and feed are made after the pages are served.

        They are a full build's largest part after the pages (~30 s at 10,000
        procedures) and under serve (threads: no fork) would run here; a saved
        edit shows on its page first, the finder and api/v1/ follow.
        """
        return self.serving and self.catalogue is not None and len(self.catalogue.procedures) >= parallel.PARALLEL_MIN

    def _stop_later(self) -> None:
        if self.later is not None:
            self.later.kill()
            self.later.join()
            self.later = None

    def on_shutdown(self) -> None:
        self._stop_later()

    def _add_shard_pages(self, config: Any) -> None:
        """The shards' procedure pages and their sitemap entries, into the merged site."""
        assert self.shard_pages is not None and self.pages is not None
        site_dir = Path(config["site_dir"])
        merge.copy_pages(self.shard_pages, site_dir)
        root = urlsplit(config.get("site_url") or "/").path.rstrip("/")
        listed = {f"{root}/{s.url}" for s in self.pages.specs() if s.kind is not Kind.PROCEDURE}
        shards = {page.parents[2] for page in self.shard_pages.values()}  # <shard>/thu-tuc/<code>/index.html
        merge.merge_sitemap(site_dir, sorted(shards), listed)

    def _close_bodies(self) -> None:
        if self.bodies is not None:
            self.bodies.close()
            self.bodies = None

    def _close_beside(self) -> None:
        if self.beside is not None:
            self.beside.close()
            self.beside = None
        self.search = self.feed = self.helping = None

    def on_build_error(self, *, error: Exception) -> None:
        """A failed build leaves the previous site as it was and no temporary folder."""
        self._close_bodies()
        if self.writer is not None:
            self.writer.cancel()
            self.writer = None
        self.pending = None
        self._close_beside()  # the feed is written no more into what goes back
        if self.moved is not None:  # the last site gets its pages back, some maybe rewritten: keep none
            for now, was in self.moved:
                if now.exists() and not was.exists():
                    now.rename(was)
            self.kept = self.moved = None
        if self.building_dir is not None:
            shutil.rmtree(self.building_dir, ignore_errors=True)
        self.final_dir = self.building_dir = None


def _keep_last_site(rebuild: Callable[[], None]) -> None:
    """Rebuild; when the build fails, say so and go on serving the last good site."""
    try:
        rebuild()
    except Abort:  # MkDocs has printed the build's error: for us, the catalogue's problems
        log.warning(KEPT)


def as_html(text: str) -> Markup:
    """Text from data as the HTML MkDocs expects of a page title or a TOC entry.

    MkDocs and Material print titles unescaped (theirs come from Markdown they
    rendered); ours come from the catalogue. Escaped Markup prints as text
    where a template writes `{{ page.title }}` and is not escaped twice where
    it writes `{{ page.title | e }}`.
    """
    return escape(text)


def _toc(headings: Any) -> Any:
    """A table of contents of (anchor, title) sections, as MkDocs builds it from headings."""
    return get_toc([{"level": 2, "id": anchor, "name": as_html(title), "children": []} for anchor, title in headings])


class _CompiledTemplates(BytecodeCache):
    """Compiled Jinja templates in memory, by Jinja's key (template name and source checksum).

    With `disk` (the plugin's `cache` option), also in the user's cache folder, so a
    fresh `mkdocs build` does not compile the theme's ~45 templates again. Jinja checks
    each entry against the template's source and its own bytecode version: a stale or
    foreign entry is a miss.
    """

    def __init__(self) -> None:
        self.held: dict[str, bytes] = {}
        self.disk: FileSystemBytecodeCache | None = None

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key not in self.held and self.disk is not None:
            self.disk.load_bytecode(bucket)
            if bucket.code is not None:
                self.held[bucket.key] = bucket.bytecode_to_string()
        if bucket.key in self.held:
            bucket.bytecode_from_string(self.held[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.held[bucket.key] = bucket.bytecode_to_string()
        if self.disk is not None:
            with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
                self.disk.dump_bytecode(bucket)


class _PageBuild:
    """Renders a page as MkDocs' own page build does: context, page hooks, the theme's main.html."""

    def __init__(self, env: Any, config: Any, files: Files, nav: Any) -> None:
        self.env, self.config, self.files, self.nav = env, config, files, nav

    def render(self, src_uri: str, title: str, toc: Toc, content: str) -> str:
        config = self.config
        page = Page(None, File.generated(config, src_uri, content="", inclusion=InclusionLevel.NOT_IN_NAV), config)
        page.markdown, page.meta, page.content, page.toc = "", {"title": as_html(title)}, content, _toc(toc)
        config._current_page, page.active = page, True
        try:
            context = get_context(self.nav, self.files, config, page)
            context = config.plugins.on_page_context(context, page=page, config=config, nav=self.nav)
            output = self.env.get_template("main.html").render(context)
            return str(config.plugins.on_post_page(output, page=page, config=config))
        finally:
            config._current_page, page.active = None, False


class _Listed:
    """A written page as MkDocs' sitemap template reads a page (it is no MkDocs page)."""

    is_link = False

    def __init__(self, canonical_url: str, abs_url: str, update_date: str) -> None:
        self.page = self
        self.canonical_url, self.abs_url, self.update_date = canonical_url, abs_url, update_date


def _with_written(pages: list[Any], plan: SitePlan, site_url: str | None) -> list[Any]:
    """The sitemap's pages with the plan's in plan order, as the reference build lists them."""
    by_uri = {f.src_uri: f for f in pages}
    planned = {p.spec.src_uri for p in plan.rendered()}
    rendered = [i for i, f in enumerate(pages) if f.src_uri in planned]
    # As MkDocs' Page._set_canonical_url: urljoin(base, url); a page's URL is a relative path of
    # its own (no scheme, no '..'), so joined it is the base and the URL, and the path likewise.
    base = site_url if not site_url or site_url.endswith("/") else site_url + "/"
    if not base:
        return pages  # without site_url the sitemap lists no page
    path, date = urlsplit(base).path, get_build_date()
    listed = [by_uri[p.spec.src_uri] if not p.written else _Listed(base + p.url, path + p.url, date)
              for p in plan.pages]
    if not rendered:
        return pages + listed
    return pages[:rendered[0]] + listed + pages[rendered[-1] + 1:]


def _render_empty(page: Any, config: Any, files: Files) -> None:
    """What MkDocs' Page.render sets for an empty Markdown source, at a fraction of its cost.

    MkDocs makes a new Markdown converter, with every extension, for each
    page: about a millisecond, times every procedure of the catalogue.
    """
    page.content = ""
    page.toc = get_toc([])
    page._title_from_render = None  # the attribute Page.render sets
    page.present_anchor_ids = set()
    page.links_to_anchors = {}


def _swap(built: Path, final: Path) -> None:
    """Replace `final` by `built` with two renames; the old site is removed last."""
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}-old-", dir=final.parent))
        final.rename(old / final.name)
    built.rename(final)
    if old is not None:
        shutil.rmtree(old)
