"""Outputs made beside the page build, in forked processes: the feed and the search index.

The feed (api/v1/) and the search files need only the catalogue, so two
more processes make them while the pages are written. The bytes written are the same as when made inline (each output's
own functions do the work; only where they run changes).

The catalogue reaches the processes by fork, never by pickling: it is put in
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
from .exports import FORMATS, help_pieces, write_export, write_files
from .feed import FEED_DIR
from .search_index import PROCEDURE_URL, search_files
from .validate import validate


class BesideError(Exception):
    """A job failed in the helper process; the message carries its traceback."""


class Beside:
    """Helper processes for a build (or none): one per kind of job, each running its jobs in order.

    The search index and the feed each get a process of their own (a lane),
    so the feed does not wait for the search files: on two cores the page
    writer's workers and both lanes share the cores to the end, where one
    helper running both used to finish alone on one core for several seconds.
    Plain forked processes fed through pipes, not a pool: a pool starts a
    thread in this process, and a later fork (the page writer's workers)
    must not happen beside a thread.
    """

    def __init__(self, catalogue: Catalogue, *, fork: bool) -> None:
        """`fork`: whether this process may fork (it has no thread of its own, see parallel.may_fork)."""
        self.catalogue = catalogue
        self.lanes: dict[str, _Lane] = {}
        if len(catalogue.procedures) >= parallel.PARALLEL_MIN and fork:
            with parallel.forking(catalogue):
                self.lanes = {lane: _Lane() for lane in dict.fromkeys(LANES.values())}

    def _submit(self, name: str, *args: Any) -> Future[Any]:
        lane = self.lanes.get(LANES[name])
        if lane is None:
            result: Future[Any] = Future()
            result.set_result(JOBS[name](self.catalogue, *args))
            return result
        return lane.submit(name, args)

    def wait(self, future: Future[Any]) -> Any:
        """The job's result; reads its lane's pipe in order up to it. Raises BesideError when it failed.

        A lane that has answered every job sent to it is closed: a build
        sends each kind of job once, and the search lane's process gives its
        memory back while the feed's still works (at 100,000 procedures the
        two at once went past 2 GB). A job sent to a closed lane runs here.
        """
        for name, lane in list(self.lanes.items()):
            if future in lane.waiting:
                lane.wait(future)
                if not lane.waiting:
                    lane.close()
                    del self.lanes[name]
        return future.result()

    def search(self, cache_path: Path | None = None) -> Future[dict[str, bytes]]:
        """The finder's index files (generator.search_index.search_files), through the search cache when given."""
        return self._submit("search", PROCEDURE_URL, cache_path)

    def feed(self, site_dir: Path, site_url: str | None, previous: dict[str, Any] | None = None,
             cache_path: Path | None = None, record: Path | None = None) -> Future[None]:
        """Every export (generator.exports.FORMATS) written under site_dir/api/v1/; changes against `previous`;
        each procedure's pieces kept in the cache at `cache_path`; the files written recorded at `record`."""
        return self._submit("feed", site_dir, site_url, previous, cache_path, record)

    def help_feed(self, site_url: str | None, cache_path: Path | None) -> Future[int] | None:
        """Once its files are made, the search lane makes feed pieces from the last code backwards into the
        feed's cache (exports.help_pieces), for the feed lane to find; None without lanes or a cache (here, it
        would be the feed's work done twice, one after the other)."""
        if cache_path is None or LANES["help_feed"] not in self.lanes:
            return None
        return self._submit("help_feed", site_url, cache_path)

    def close(self) -> None:
        for lane in self.lanes.values():
            lane.close()
        self.lanes = {}


class _Lane:
    """One helper process, forked now (under parallel.forking), and the jobs sent to it not yet answered."""

    def __init__(self) -> None:
        self.pipe, child = multiprocessing.Pipe()
        self.process: BaseProcess = multiprocessing.get_context("fork").Process(target=_serve, args=(child,),
                                                                                daemon=True)
        self.process.start()
        child.close()
        self.waiting: list[Future[Any]] = []

    def submit(self, name: str, args: tuple[Any, ...]) -> Future[Any]:
        result: Future[Any] = Future()
        self.pipe.send((name, args))
        self.waiting.append(result)
        return result

    def wait(self, future: Future[Any]) -> None:
        while not future.done():
            failed, value = self.pipe.recv()
            first = self.waiting.pop(0)
            if failed:
                first.set_exception(BesideError(value))
            else:
                first.set_result(value)

    def close(self) -> None:
        # Said, not left to the pipe's end: processes forked later (the page writer's
        # workers) hold a copy of this end, so closing it alone never reaches the helper.
        with contextlib.suppress(OSError):  # the helper is gone already
            self.pipe.send(None)
        self.pipe.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _write_feed(catalogue: Catalogue, site_dir: Path, site_url: str | None,  # noqa: PLR0917 - a job's arguments
                previous: dict[str, Any] | None = None, cache_path: Path | None = None,
                record: Path | None = None) -> None:
    """Every export format's files into site_dir/api/v1/ (generator.exports.write_export).

    Written as streams from each procedure's pieces, made in workers or read
    from the cache at `cache_path`; nothing is sent back to the build. With
    `record`, files the last export left unchanged are known without reading them.
    """
    write_export(catalogue, site_dir / FEED_DIR, FORMATS, site_url, previous, cache_path=cache_path, record=record)


JOBS: dict[str, Any] = {"search": search_files, "feed": _write_feed, "help_feed": help_pieces}
# The process (lane) each job runs in. The search files are done long before the feed; their lane then helps it.
LANES = {"search": "search", "feed": "feed", "help_feed": "search"}


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
