"""Our own page writer: procedure pages and browse lists' pages, filled into a frame rendered once.

Every procedure page sits at the same depth of the site, so the theme's page
around it (header, navigation, table of contents, footer) is the same string
for all of them but for a few slots: the title, the address and the body. The
table of contents has two shapes (with or without the forms section). A browse
list's pages are likewise one frame per kind of list and depth: its first page
(`co-quan/<id>/`), and those beyond (`co-quan/<id>/trang-2/`…), with the page
number as one more slot of the address. The site
generator's adapter (generator/plugin.py) renders one page per shape with the
markers below in the slots; `cut` makes a `Frame` of it, and the writer fills
it for every procedure page, in worker processes for a large catalogue
(generator/parallel.py), and writes the files itself. Filling costs ~0.02 ms
a page; the theme renders one in ~4 ms.

Every slot value is escaped here as the theme's template would have escaped
it (titles come from the catalogue). The adapter checks, once per shape, that
a filled frame is byte for byte the page the site generator renders itself.
Nothing here knows MkDocs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup, escape

from . import parallel
from .page_bodies import Listings, Renderer
from .pages import PageSpec
from .site_plan import PlannedPage, Shape, family
from .site_urls import Kind

# Markers the frame is rendered with. The title's has two spaces: where the theme's
# template collapses white space (Jinja's striptags, in <title>), it comes out with one.
TITLE_MARK = "dmkhe  tieude"
KEY_MARK = "dmkhe-ma"  # the page's key (a procedure code, an agency id…) and so its address
PAGE_MARK = "dmkhe-so"  # a browse list's page number, in its address
BODY_MARK = '<h1 class="dmkhe-noidung"></h1>'  # an <h1>: the theme adds none of its own
_SLOTS = {TITLE_MARK: "title", "dmkhe tieude": "title_collapsed", KEY_MARK: "key", PAGE_MARK: "page",
          BODY_MARK: "body"}
_SLOT = re.compile("|".join(re.escape(m) for m in _SLOTS))
CHUNK = 64  # pages per task given to a worker


class FrameError(Exception):
    """A rendered frame cannot be cut: a marker is missing, repeated or changed by the theme."""


@dataclass(frozen=True)
class Frame:
    """A page with slots: literal text between them, and each slot's name."""

    parts: tuple[str, ...]
    slots: tuple[str, ...]

    def fill(self, values: Mapping[str, str]) -> str:
        out = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:], strict=True):
            out += (values[slot], part)
        return "".join(out)


def cut(html: str) -> Frame:
    """The frame of a page rendered with the markers in its slots."""
    parts, slots, start = [], [], 0
    for match in _SLOT.finditer(html):
        parts.append(html[start:match.start()])
        slots.append(_SLOTS[match.group(0)])
        start = match.end()
    parts.append(html[start:])
    if slots.count("body") != 1 or "title" not in slots:
        raise FrameError(f"khung trang cần đúng 1 chỗ nội dung và ít nhất 1 chỗ tiêu đề; có {slots}")
    if "dmkhe" in "".join(parts):
        raise FrameError("giao diện đã biến đổi một dấu đánh chỗ (marker) thành dạng trình ghi trang không biết")
    return Frame(tuple(parts), tuple(slots))


def values(title: str, key: str, body: str, page: int = 1) -> dict[str, str]:
    """The slots of one page, escaped as the theme's template escapes them."""
    if "<h1" not in body:
        raise FrameError(f"nội dung trang {key} không có <h1>: giao diện sẽ thêm một tiêu đề khác")
    safe = escape(title)
    return {"title": str(safe), "title_collapsed": str(escape(Markup(safe).striptags())),
            "key": str(escape(quote(key))), "page": str(page), "body": body}


def source(spec: PageSpec) -> str:
    """The frame page's source file for pages like `spec`: its own, with the markers for key and page."""
    return PageSpec(spec.kind, KEY_MARK, spec.title, spec.page).src_uri.replace(f"trang-{spec.page}", f"trang-{PAGE_MARK}")


def target(dest_pattern: str, key: str, page: int = 1) -> str:
    """Where a page goes in the site, from the frame page's destination (which holds the markers)."""
    return dest_pattern.replace(KEY_MARK, quote(key)).replace(PAGE_MARK, str(page))


@dataclass(frozen=True)
class Job:
    """What every worker needs, shared with it by fork: bodies, frames, and where pages go."""

    renderer: Renderer
    frames: dict[Shape, Frame]
    site_dir: Path
    dests: Mapping[tuple[Kind, bool], str]  # each page family's frame page's destination (with the markers)
    # Pages already in site_dir, by source URI: the body key each was written with, in the same
    # frames (mkdocs serve keeps the last build's pages); such a page is not written again.
    previous: Mapping[str, str] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)  # what this job wrote or kept (all of it after close)
    listings: Listings = field(default_factory=Listings)  # browse bodies (under serve: the plugin's memo)

    def write(self, pages: list[PlannedPage]) -> dict[str, str]:
        """Fill and write `pages`; store the bodies rendered afresh in the body cache.

        Returns the key each page was written (or kept) with, by source URI.
        """
        fresh: dict[str, bytes] = {}
        pending = [page for page in pages if not (self.previous and self._kept(page))]
        procedures = [page.spec for page in pending if page.spec.kind is Kind.PROCEDURE]
        bodies = dict(zip((s.src_uri for s in procedures), self.renderer.render_many(procedures), strict=True))
        for page in pending:
            key, body, new = bodies.get(page.spec.src_uri) or self._listing(page.spec)
            html = self.frames[page.shape].fill(values(page.title, page.key, body, page.spec.page))
            path = self.site_dir / self.target(page.spec)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(html.encode("utf-8", errors="xmlcharrefreplace"))  # as MkDocs writes a page
            self.written[page.spec.src_uri] = key or self._key(page.spec)
            if new and key and page.spec.kind is Kind.PROCEDURE:
                fresh[key] = body.encode("utf-8")
        if fresh and self.renderer.cache is not None:
            self.renderer.cache.put_many(fresh)
        return {page.spec.src_uri: self.written[page.spec.src_uri] for page in pages}

    def target(self, spec: PageSpec) -> str:
        return target(self.dests[family(spec)], spec.key, spec.page)

    def _listing(self, spec: PageSpec) -> tuple[str, str, bool]:
        key, body = self.listings.keyed(self.renderer.pages, spec)
        return key or "", body, True

    def _key(self, spec: PageSpec) -> str:
        if spec.kind is Kind.PROCEDURE:
            return self.renderer.key(spec)
        return self.listings.key(self.renderer.pages, spec) or ""  # "": never kept

    def _kept(self, page: PlannedPage) -> bool:
        key = self._key(page.spec)
        where = f"{self.site_dir}/{self.target(page.spec)}"
        if not key or self.previous.get(page.spec.src_uri) != key or not os.path.isfile(where):  # noqa: PTH113
            return False
        self.written[page.spec.src_uri] = key
        return True

    def remove_stale(self, pages: list[PlannedPage]) -> None:
        """Remove the kept procedure pages whose procedure is gone (the plugin moves in no other stale page)."""
        wanted = {page.spec.src_uri for page in pages}
        for uri in set(self.previous) - wanted:
            spec = PageSpec(Kind.PROCEDURE, uri.removeprefix(f"{Kind.PROCEDURE.value}/").removesuffix(".md"), "")
            if uri == spec.src_uri:
                (self.site_dir / self.target(spec)).unlink(missing_ok=True)


class PageWriter:
    """Writes the planned pages: in forked workers for a large catalogue, else here at once."""

    def __init__(self, job: Job, pages: list[PlannedPage], *, fork: bool, workers: int | None = None) -> None:
        """`fork`: whether this process may fork (see parallel.may_fork)."""
        self.job, self.pages = job, pages
        self.pool: ProcessPoolExecutor | None = None
        self.running: list[Future[dict[str, str]]] = []
        if len(pages) >= parallel.PARALLEL_MIN and fork:
            # The main process only waits meanwhile (and renders the site generator's few pages).
            count = workers if workers is not None else parallel.worker_count(limit=4)
            with parallel.forking(job):
                self.pool = parallel.pool(count, initializer=_open_worker)
                self.running = [self.pool.submit(_write_in_worker, chunk) for chunk in _chunks(pages)]
        else:
            job.renderer.open()
            for chunk in _chunks(pages):
                job.write(chunk)
            job.remove_stale(pages)

    def close(self) -> None:
        """Wait for every page; a worker's error is raised here."""
        try:
            for future in self.running:
                self.job.written.update(future.result())
            if self.running:
                self.job.remove_stale(self.pages)
        finally:
            self.cancel()

    def cancel(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
        self.running = []
        if self.job.renderer.cache is not None:
            self.job.renderer.cache.close()
            self.job.renderer.cache = None


def _chunks(pages: list[PlannedPage]) -> Iterator[list[PlannedPage]]:
    for start in range(0, len(pages), CHUNK):
        yield pages[start:start + CHUNK]


def _open_worker() -> None:
    job: Job = parallel.shared()
    job.renderer.cache = None  # a connection inherited from the parent is never used
    job.renderer.open()


def _write_in_worker(pages: list[PlannedPage]) -> dict[str, str]:
    job: Job = parallel.shared()
    return job.write(pages)
