"""The one mechanism for parallel work: what forked workers see, and when forking is allowed."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from generator import parallel

# Run in a fresh interpreter: the suite's own process already runs threads (servers,
# pools), and forking is refused there, so the check would otherwise never run.
_FORK_CHECK = """
import gc, multiprocessing
from generator import parallel

def shared_in_child(queue):
    queue.put(parallel.shared())

if __name__ == "__main__":
    assert parallel.may_fork()
    queue = multiprocessing.get_context("fork").Queue()
    with parallel.forking({"catalogue": [1, 2, 3]}):
        assert gc.get_freeze_count() > 0
        child = multiprocessing.get_context("fork").Process(target=shared_in_child, args=(queue,))
        child.start()
    child.join(timeout=30)
    assert queue.get(timeout=5) == {"catalogue": [1, 2, 3]}
    assert gc.get_freeze_count() == 0
    try:
        parallel.shared()
    except AssertionError:
        print("ok")
"""


def run_fresh(tmp_path: Path, source: str) -> None:
    """Run `source` as a script in a fresh interpreter; it must print "ok" and exit 0."""
    script = tmp_path / "check.py"
    script.write_text(source, encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False)
    assert (run.returncode, run.stdout.strip()) == (0, "ok"), run.stderr


def test_a_process_forked_inside_forking_sees_the_shared_object_and_the_parent_forgets_it(tmp_path: Path) -> None:
    run_fresh(tmp_path, _FORK_CHECK)


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


_IN_ORDER_CHECK = """
import multiprocessing, time
from generator import parallel

def work(task):
    started, offset = parallel.shared()
    with started.get_lock():
        started.value += 1
    return task * 2 + offset

if __name__ == "__main__":
    started = multiprocessing.get_context("fork").Value("i", 0)
    window = parallel.WINDOW_PER_WORKER * 2
    results = parallel.in_order(work, range(40), (started, 100), workers=2)
    time.sleep(1.5)  # nothing taken yet: the workers ran what was handed out, no more
    assert started.value == window, started.value
    assert list(results) == [(task, task * 2 + 100) for task in range(40)]
    assert started.value == 40

    started.value = 0
    results = parallel.in_order(work, range(40), (started, 0), workers=2)
    assert next(results) == (0, 0)
    results.close()  # the pool stops; what was not handed out never runs
    time.sleep(0.5)
    assert started.value <= window + 1, started.value
    print("ok")
"""


def test_in_order_gives_results_in_task_order_with_a_bounded_window_and_stops_when_closed(tmp_path: Path) -> None:
    run_fresh(tmp_path, _IN_ORDER_CHECK)
