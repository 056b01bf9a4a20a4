"""Parallel work, in one place: when to fork, how many workers, what the workers share.

Validation (validate.py), procedure bodies (page_bodies.py) and the feed
and search helper (beside.py) all hand work to other processes. They ask
here, so the rules are kept once:

- fork only in a process with one thread (`may_fork`): forking a threaded
  process (mkdocs serve's server) can deadlock; a pool's own manager thread
  counts, so ask before the first pool starts;
- below `PARALLEL_MIN` procedures a process costs more than it saves;
- what the workers need reaches them by fork, never by pickling: it is
  `share`d in a module global just before the fork, and objects alive then
  are frozen out of the garbage collector so the children do not copy the
  heap page by page when it runs.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any

PARALLEL_MIN = 300  # procedures (or files); below this, work stays in this process
_SHARED: Any = None


def may_fork() -> bool:
    """True in a process with one thread: forking a threaded one (mkdocs serve) can deadlock.

    Never in a daemonic process (beside's helper): multiprocessing refuses it children.
    """
    return threading.active_count() == 1 and not multiprocessing.current_process().daemon


def worker_count(*, leave_one: bool = False, limit: int = 8) -> int:
    """Workers for a pool: one per core (less one when this process keeps working), at most `limit`."""
    cores = os.cpu_count() or 1
    return max(1, min(cores - 1 if leave_one else cores, limit))


def context() -> BaseContext:
    """fork where it is safe (cheapest start, shares memory); forkserver, which starts clean, elsewhere."""
    return multiprocessing.get_context("fork" if may_fork() else "forkserver")


@contextmanager
def forking(shared: Any) -> Iterator[None]:
    """Inside: processes forked now see `shared` (see `shared`), and inherit a frozen heap."""
    global _SHARED  # noqa: PLW0603 - read by forked children only
    _SHARED = shared
    gc.freeze()  # objects alive now are never collected in the children: fork copies less
    try:
        yield
    finally:
        gc.unfreeze()
        _SHARED = None


def shared() -> Any:
    """In a forked worker: the object `forking` shared with it."""
    assert _SHARED is not None, "parallel.shared() outside a worker forked under parallel.forking"
    return _SHARED


def spawn(target: Callable[..., None], *args: Any) -> BaseProcess:
    """`target(*args)` in a fresh interpreter: safe beside threads; it shares nothing, its arguments are pickled."""
    process = multiprocessing.get_context("spawn").Process(target=target, args=args, daemon=True)
    process.start()
    return process


def pool(workers: int, initializer: Callable[..., None] | None = None,
         initargs: tuple[Any, ...] = ()) -> ProcessPoolExecutor:
    """A process pool started the safe way for this process (see `context`)."""
    return ProcessPoolExecutor(workers, mp_context=context(), initializer=initializer, initargs=initargs)
