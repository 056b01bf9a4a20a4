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
  heap page by page when it runs;
- results wanted in order, without holding the catalogue's worth at once
  (feed pieces, procedure bodies), come through `in_order`: a few tasks per
  worker run ahead of the one taken.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

PARALLEL_MIN = 300  # procedures (or files); below this, work stays in this process
WINDOW_PER_WORKER = 4  # tasks in flight per worker in `in_order`: what bounds the results held at once
T = TypeVar("T")
R = TypeVar("R")
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


def in_order(work: Callable[[T], R], tasks: Iterable[T], shared: Any, workers: int,
             initializer: Callable[[], None] | None = None) -> Generator[tuple[T, R]]:
    """(task, work(task)) for each task, in order, from `workers` forked workers that see `shared`.

    The workers start, and the first WINDOW_PER_WORKER tasks per worker are
    handed out, now, before the first result is asked for; each result taken
    hands out one more. Closing the iterator (or dropping it) stops the pool.
    """
    waiting = deque(tasks)
    with forking(shared):  # the workers are forked by the first submit
        executor = pool(workers, initializer=initializer)
        running = deque((task, executor.submit(work, task))
                        for task in [waiting.popleft() for _ in range(min(len(waiting), WINDOW_PER_WORKER * workers))])
    return _taken(executor, work, waiting, running)


def _taken(executor: ProcessPoolExecutor, work: Callable[[T], R], waiting: deque[T],
           running: deque[tuple[T, Future[R]]]) -> Generator[tuple[T, R]]:
    try:
        while running:
            task, future = running.popleft()
            if waiting:
                more = waiting.popleft()
                running.append((more, executor.submit(work, more)))
            yield task, future.result()
    finally:
        executor.shutdown(cancel_futures=True)
