"""The site plan: every page of the site, its address, title and table of contents, and who renders it.

The core describes the site; the adapter for a site generator (generator/plugin.py
for MkDocs) only walks the plan. A page is either *rendered* by the site generator
(hand-written pages are not in the plan; browse indexes and the pages listing
procedures are), or *written* by our own page writer (generator/page_writer.py):
a page family of catalogue size, all at the same depth, whose pages differ only in
a few slots of one frame per shape (kind of page, depth and table of contents).
Written are procedure pages and every page of the browse lists (`co-quan/<id>/`,
`co-quan/<id>/trang-2/`…): at national scale there are thousands of agencies. The
browse indexes, which the navigation lists, stay the site generator's.
"""

from __future__ import annotations

from dataclasses import dataclass

from .pages import PageSpec, SitePages
from .site_urls import Kind

Toc = tuple[tuple[str, str], ...]  # (anchor, title) of each section, in page order
Shape = tuple[Kind, bool, Toc]  # pages of one shape share one frame; the bool: a list's page beyond the first


@dataclass(frozen=True)
class PlannedPage:
    """One generated page of the site."""

    spec: PageSpec
    toc: Toc
    written: bool  # True: filled into a frame by the page writer; False: rendered by the site generator

    @property
    def url(self) -> str:
        return self.spec.url

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def shape(self) -> Shape:
        return (*family(self.spec), self.toc)


@dataclass(frozen=True)
class SitePlan:
    """The generated pages of one build, sorted by source URI, and the form files the site serves."""

    pages: tuple[PlannedPage, ...]
    forms: tuple[str, ...]  # paths relative to the catalogue root (forms/<agency>/<file>)

    def rendered(self) -> list[PlannedPage]:
        return [p for p in self.pages if not p.written]

    def written(self) -> list[PlannedPage]:
        return [p for p in self.pages if p.written]

    def shapes(self) -> dict[Shape, PlannedPage]:
        """The first written page of each shape: the model its frame is cut from."""
        found: dict[Shape, PlannedPage] = {}
        for page in self.written():
            found.setdefault(page.shape, page)
        return found


def family(spec: PageSpec) -> tuple[Kind, bool]:
    """Pages written to one address pattern: a kind, and whether the page is a list's beyond the first
    (its address has one folder more, `trang-N/`)."""
    return spec.kind, spec.page > 1


def writable(spec: PageSpec) -> bool:
    """Whether the page writer may write a page: a procedure's or a browse list's, not an index in the nav."""
    return bool(spec.key)


def plan(pages: SitePages, *, writer: bool) -> SitePlan:
    """The plan of a build; with `writer`, the writable pages are written by the page writer."""
    planned = tuple(PlannedPage(spec, tuple(pages.headings(spec)), writer and writable(spec))
                    for spec in pages.by_uri.values())
    return SitePlan(planned, tuple(pages.forms))
