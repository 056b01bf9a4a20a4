"""Outputs made beside the page build, in a forked process: the feed and the search index.

MkDocs writes pages on one thread. The feed (api/v1/) and the search files
need only the catalogue, so a second process makes them while MkDocs
works; on a machine with a second core they then cost next to no wall
time. The bytes written are the same as when made inline (each output's
own functions do the work; only where they run changes).

The catalogue reaches the process by fork, never by pickling: it is put in
a module global just before the fork. A threaded process (mkdocs serve)
must not fork, and a small catalogue is not worth a process: both run the
same functions inline instead.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import traceback
from concurrent.futures import Future
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from . import parallel
from .catalogue import Catalogue
from .exports import FORMATS, write_export, write_files
from .feed import FEED_DIR
from .search_index import PROCEDURE_URL, search_files
from .validate import validate


class BesideError(Exception):
    """A job failed in the helper process; the message carries its traceback."""


class Beside:
    """One helper process for a build (or none), and the jobs given to it, one at a time.

    A plain forked process fed through a pipe, not a pool: a pool starts a
    thread in this process, and a later fork (page_bodies' workers) must
    not happen beside a thread.
    """

    def __init__(self, catalogue: Catalogue, *, fork: bool) -> None:
        """`fork`: whether this process may fork (it has no thread of its own, see parallel.may_fork)."""
        self.catalogue = catalogue
        self.process: multiprocessing.process.BaseProcess | None = None
        self.pipe: Connection | None = None
        self.waiting: list[Future[Any]] = []
        if len(catalogue.procedures) >= parallel.PARALLEL_MIN and fork:
            self.pipe, child = multiprocessing.Pipe()
            with parallel.forking(catalogue):
                self.process = multiprocessing.get_context("fork").Process(target=_serve, args=(child,), daemon=True)
                self.process.start()
            child.close()

    def _submit(self, name: str, *args: Any) -> Future[Any]:
        result: Future[Any] = Future()
        if self.pipe is None:
            result.set_result(JOBS[name](self.catalogue, *args))
            return result
        self.pipe.send((name, args))
        self.waiting.append(result)
        return result

    def wait(self, future: Future[Any]) -> Any:
        """The job's result; reads the pipe in order up to it. Raises BesideError when it failed."""
        while not future.done():
            assert self.pipe is not None
            failed, value = self.pipe.recv()
            first = self.waiting.pop(0)
            if failed:
                first.set_exception(BesideError(value))
            else:
                first.set_result(value)
        return future.result()

    def search(self, cache_path: Path | None = None) -> Future[dict[str, bytes]]:
        """The finder's index files (generator.search_index.search_files), through the search cache when given."""
        return self._submit("search", PROCEDURE_URL, cache_path)

    def feed(self, site_dir: Path, site_url: str | None, previous: dict[str, Any] | None = None,
             cache_path: Path | None = None, record: Path | None = None) -> Future[None]:
        """Every export (generator.exports.FORMATS) written under site_dir/api/v1/; changes against `previous`;
        each procedure's pieces kept in the cache at `cache_path`; the files written recorded at `record`."""
        return self._submit("feed", site_dir, site_url, previous, cache_path, record)

    def close(self) -> None:
        if self.pipe is not None:
            # Said, not left to the pipe's end: processes forked later (the page writer's
            # workers) hold a copy of this end, so closing it alone never reaches the helper.
            with contextlib.suppress(OSError):  # the helper is gone already
                self.pipe.send(None)
            self.pipe.close()
            self.pipe = None
        if self.process is not None:
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
            self.process = None


def _write_feed(catalogue: Catalogue, site_dir: Path, site_url: str | None,  # noqa: PLR0917 - a job's arguments
                previous: dict[str, Any] | None = None, cache_path: Path | None = None,
                record: Path | None = None) -> None:
    """Every export format's files into site_dir/api/v1/ (generator.exports.write_export).

    Written as streams from each procedure's pieces, made in workers or read
    from the cache at `cache_path`; nothing is sent back to the build. With
    `record`, files the last export left unchanged are known without reading them.
    """
    write_export(catalogue, site_dir / FEED_DIR, FORMATS, site_url, previous, cache_path=cache_path, record=record)


JOBS: dict[str, Any] = {"search": search_files, "feed": _write_feed}


def later(root: Path, cache_path: Path | None, site_dir: Path, site_url: str | None,
          previous: dict[str, Any] | None = None, *, feed_cache: Path | None = None,
          search_cache: Path | None = None, feed_record: Path | None = None) -> BaseProcess:
    """The search files and the feed of the catalogue at `root`, written into site_dir by a fresh process.

    For `mkdocs serve`, after the pages are in place: the process shares
    nothing with the server (which has threads, so no fork), reads the
    catalogue back through the validation cache, and is killed when the next
    build starts.
    """
    return parallel.spawn(_write_later, root, cache_path, site_dir, site_url, previous, feed_cache, search_cache,
                          feed_record)


def _write_later(root: Path, cache_path: Path | None, site_dir: Path, site_url: str | None,  # noqa: PLR0917 - spawn's target
                 previous: dict[str, Any] | None, feed_cache: Path | None, search_cache: Path | None,
                 feed_record: Path | None) -> None:
    catalogue, _ = validate(root, cache_path=cache_path)
    if catalogue is not None:
        write_files(site_dir, search_files(catalogue, cache_path=search_cache))
        _write_feed(catalogue, site_dir, site_url, previous, feed_cache, feed_record)


def _serve(pipe: Connection) -> None:
    """The helper process: run each job it is sent, answer (failed, result), until the pipe closes."""
    catalogue: Catalogue = parallel.shared()
    while True:
        try:
            job = pipe.recv()
        except EOFError:
            return
        if job is None:  # Beside.close
            return
        name, args = job
        try:
            pipe.send((False, JOBS[name](catalogue, *args)))
        except Exception:
            pipe.send((True, traceback.format_exc()))
