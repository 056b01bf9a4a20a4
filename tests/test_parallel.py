"""The one mechanism for parallel work: what forked workers see, and when forking is allowed."""

from __future__ import annotations

import gc
import multiprocessing
import threading

import pytest

from generator import parallel


def _shared_in_child(queue: multiprocessing.Queue[object]) -> None:
    queue.put(parallel.shared())


def test_a_process_forked_inside_forking_sees_the_shared_object_and_the_parent_forgets_it() -> None:
    if not parallel.may_fork():
        pytest.skip("this test process already runs a thread")
    queue: multiprocessing.Queue[object] = multiprocessing.get_context("fork").Queue()
    with parallel.forking({"catalogue": [1, 2, 3]}):
        assert gc.get_freeze_count() > 0
        child = multiprocessing.get_context("fork").Process(target=_shared_in_child, args=(queue,))
        child.start()
    child.join(timeout=30)
    assert queue.get(timeout=5) == {"catalogue": [1, 2, 3]}
    assert gc.get_freeze_count() == 0
    with pytest.raises(AssertionError):
        parallel.shared()


def test_a_process_with_a_second_thread_may_not_fork() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.may_fork()
        assert parallel.context().get_start_method() == "forkserver"
    finally:
        stop.set()
        thread.join()


def test_a_pool_has_at_least_one_worker_and_at_most_its_limit() -> None:
    assert 1 <= parallel.worker_count(leave_one=True, limit=4) <= 4
    assert parallel.worker_count(limit=1) == 1
