"""Procedure page bodies: rendered ahead in worker processes, kept between builds by content hash.

MkDocs renders pages on one thread, and a procedure body (generator.pages)
is a third of what a procedure page costs. `Bodies` starts rendering every
procedure body when the build starts, in worker processes, while MkDocs
works through its own part of each page; MkDocs then takes each body when
it writes the page. With a cache, a body whose inputs are unchanged since
an earlier build is read back instead of rendered.

The output does not depend on any of this: a body is the same string
whether rendered here or in a worker, fresh or cached (the cache key
covers every input of the procedure template, and the code and templates
that render it), and tests/test_page_bodies.py checks a whole site built
each way byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Generator
from dataclasses import asdict
from pathlib import Path

from . import parallel, result_cache
from .models import Procedure
from .pages import PageSpec, SitePages
from .result_cache import ResultCache
from .site_urls import Kind

CHUNK = 32
STORE_BATCH = 1000  # fresh bodies written to the cache at a time


def default_path() -> Path:
    """Beside the validation cache: $XDG_CACHE_HOME/catalogue-generator/<code>/pages.sqlite."""
    return result_cache.default_path().with_name("pages.sqlite")


class Renderer:
    """Renders one procedure body, through the cache when there is one."""

    def __init__(self, pages: SitePages, cache_path: Path | None) -> None:
        self.pages = pages
        self.cache_path = cache_path
        self.cache: ResultCache | None = None
        self.salt = result_cache.code_fingerprint()

    def open(self) -> None:
        """Open the cache here (in a worker: after the fork, never inherited)."""
        if self.cache_path is not None and self.cache is None:
            self.cache = ResultCache(self.cache_path, self.salt)

    def key(self, spec: PageSpec, p: Procedure | None = None) -> str:
        """Hash of everything the procedure template is given for this page.

        The procedure's file and the shared files it refers to (agencies, fields,
        life events) are in the catalogue's digest of it, from their raw bytes
        (hashed by validation anyway); re-serialising the models cost 0.65 ms a page.
        """
        catalogue = self.pages.catalogue
        source = catalogue.digests.get(spec.key) or self._model_inputs(p or catalogue.full(spec.key))
        # The rest from the summary: a page kept from the last build is keyed without reading its model.
        summary = catalogue.by_code[spec.key]
        files = [asdict(self.pages.forms[f]) for f in summary.form_files if f in self.pages.forms]
        lineage = self.pages.lineage(summary)  # other procedures' names: successor, replaced ones
        text = "\0".join([self.salt, spec.kind.value, spec.key, spec.title, spec.url, source,
                          json.dumps([files, lineage], ensure_ascii=False, sort_keys=True)])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _model_inputs(self, p: Procedure) -> str:
        """The models the page shows, serialised: for a catalogue not made by validation (no digest)."""
        catalogue = self.pages.catalogue
        inputs = {
            "p": p.model_dump(mode="json"),
            "agency": [a.model_dump(mode="json") for a in catalogue.agency_chain(p.agency)],
            "field": catalogue.fields[p.field].model_dump(mode="json"),
            "events": [catalogue.life_events[e].model_dump(mode="json") for e in p.life_events],
        }
        return json.dumps(inputs, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def render(self, spec: PageSpec) -> tuple[str, str, bool]:
        """(key, body, rendered now) of one procedure page."""
        return self.render_many([spec])[0]

    def render_many(self, specs: list[PageSpec]) -> list[tuple[str, str, bool]]:
        """(key, body, rendered now) of each procedure page: the cache asked once for them all, and
        only the models of bodies it lacks read from the store (in one batch; a hit reads none)."""
        cache = self.cache
        keys = [self.key(s) for s in specs] if cache is not None else [""] * len(specs)  # "": no cache, no key
        stored = cache.get_many(keys) if cache is not None else {}
        missing = [s.key for s, k in zip(specs, keys, strict=True) if k not in stored]
        models = dict(zip(missing, self.pages.catalogue.each(missing), strict=True))
        return [(k, stored[k].decode("utf-8"), False) if k in stored else (k, self.pages.render(s, models[s.key]), True)
                for s, k in zip(specs, keys, strict=True)]


class Bodies:
    """The bodies of a build's procedure pages, rendered ahead of MkDocs asking for them.

    Workers run a few chunks ahead of the page MkDocs writes (parallel.in_order), and
    bodies rendered fresh go to the cache in batches, so memory holds a few
    hundred bodies at a time, not the whole catalogue's.
    """

    def __init__(self, pages: SitePages, cache_path: Path | None = None, *, fork: bool = False,
                 workers: int | None = None) -> None:
        """`fork`: whether this process may fork workers (see parallel.may_fork)."""
        specs = [s for s in pages.by_uri.values() if s.kind is Kind.PROCEDURE and s.key]
        self.renderer = Renderer(pages, cache_path)
        self.ready: dict[str, str] = {}
        self.fresh: dict[str, bytes] = {}
        self.results: Generator[tuple[list[PageSpec], list[tuple[str, str, bool]]]] | None = None
        count = workers if workers is not None else parallel.worker_count(leave_one=True, limit=4)
        # fork shares the catalogue with the workers for free; where it may not be used, render here.
        if len(specs) >= parallel.PARALLEL_MIN and fork:
            chunks = (specs[i:i + CHUNK] for i in range(0, len(specs), CHUNK))
            self.results = parallel.in_order(_render_in_worker, chunks, self.renderer, count, initializer=_open_worker)
        else:
            self.renderer.open()

    def get(self, spec: PageSpec) -> str:
        """The body of one procedure page; waits for its worker when it is not ready yet."""
        if spec.key in self.ready:
            return self.ready.pop(spec.key)
        if self.results is None:
            return self._keep(self.renderer.render(spec))
        for chunk, rendered in self.results:  # MkDocs asks in the order the chunks were made
            for wanted, result in zip(chunk, rendered, strict=True):
                self.ready[wanted.key] = self._keep(result)
            if spec.key in self.ready:
                return self.ready.pop(spec.key)
        raise KeyError(spec.key)

    def _keep(self, result: tuple[str, str, bool]) -> str:
        key, body, fresh = result
        if fresh and key:
            self.fresh[key] = body.encode("utf-8")
            if len(self.fresh) >= STORE_BATCH:
                self._store()
        return body

    def _store(self) -> None:
        if self.fresh and self.renderer.cache_path is not None:
            cache = ResultCache(self.renderer.cache_path, self.renderer.salt)
            cache.put_many(self.fresh)
            cache.close()
        self.fresh = {}

    def close(self) -> None:
        """Stop the workers and store the bodies rendered since the last batch."""
        if self.results is not None:
            self.results.close()
            self.results = None
        self._store()
        if self.renderer.cache is not None:
            self.renderer.cache.close()
            self.renderer.cache = None


def _open_worker() -> None:
    parallel.shared().open()


def _render_in_worker(chunk: list[PageSpec]) -> list[tuple[str, str, bool]]:
    renderer: Renderer = parallel.shared()
    return renderer.render_many(chunk)


class Listings:
    """Browse pages' bodies (an agency's, a field's… procedures) kept in memory from one build to the next.

    Under `mkdocs serve` the plugin object lives across rebuilds; a browse page
    is rendered again only when something it shows changed: a procedure it
    lists (by the catalogue's digest of it, which covers the shared files), the
    agency's figures, or the code. The indexes of every agency, field… count
    the whole catalogue and are always rendered.
    """

    def __init__(self) -> None:
        self.held: dict[str, tuple[str, str]] = {}  # src_uri → (key, body)

    def key(self, pages: SitePages, spec: PageSpec) -> str | None:
        """Hash of what a browse page shows; None for a page always rendered afresh."""
        if not spec.key:
            return None
        shown = pages.listing(spec)  # this page's slice of the list; the pager counts the whole
        listed = [pages.catalogue.digests.get(p.code, "") for p in shown.items]
        if not listed or not all(listed):
            return None
        base = "../" * spec.url.count("/")
        extra = str(pages.agency_extra(spec.key, base)) if spec.kind is Kind.AGENCY else ""
        children = [a.model_dump_json() for a in pages.children.get(spec.key, [])] if spec.kind is Kind.AGENCY else []
        text = "\0".join([result_cache.code_fingerprint(), spec.kind.value, spec.key, spec.title, str(spec.page),
                          str(shown.total), extra, *children, *listed])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def render(self, pages: SitePages, spec: PageSpec) -> str:
        return self.keyed(pages, spec)[1]

    def keyed(self, pages: SitePages, spec: PageSpec) -> tuple[str | None, str]:
        """(key, body) of a browse page; the body is rendered only when its key changed."""
        key = self.key(pages, spec)
        if key is None:
            return None, pages.render(spec)
        held = self.held.get(spec.src_uri)
        if held is not None and held[0] == key:
            return held
        body = pages.render(spec)
        self.held[spec.src_uri] = (key, body)
        return key, body
