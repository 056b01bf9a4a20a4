"""The helper process's jobs write what the stages' own functions write."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest

from generator import beside, exports, parallel, search_index
from generator.feed import FEED_DIR
from generator.validate import validate

FIXTURE = Path(__file__).parent / "fixtures" / "valid" / "catalogue"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_feed_written_one_format_at_a_time_equals_all_formats_written_at_once(tmp_path: Path) -> None:
    catalogue, problems = validate(FIXTURE)
    assert catalogue is not None, problems
    whole = exports.export_files(catalogue, exports.FORMATS, "https://example.test/")
    exports.write_files(tmp_path / "whole" / FEED_DIR, whole)
    helper = beside.Beside(catalogue, fork=False)
    helper.wait(helper.feed(tmp_path / "beside", "https://example.test/"))
    helper.close()
    assert tree(tmp_path / "beside") == tree(tmp_path / "whole")
    assert "api/v1/catalogue.json" in tree(tmp_path / "whole")


def test_jobs_in_the_helper_process_return_results_and_report_failures(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue, problems = validate(FIXTURE)
    assert catalogue is not None, problems
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 0)  # the fixture's two procedures get a process too
    (tmp_path / "file").write_text("not a folder")
    helper = beside.Beside(catalogue, fork=True)
    try:
        assert set(helper.lanes) == {"search", "feed"}  # a process each
        assert helper.wait(helper.search()) == search_index.search_files(catalogue)
        with pytest.raises(beside.BesideError, match="Traceback"):
            helper.wait(helper.feed(tmp_path / "file", None))
    finally:
        helper.close()


def test_a_lane_that_answered_its_job_ends_while_the_other_still_works(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The search lane's memory goes back to the system as soon as its files are in: the feed lane goes on."""
    catalogue, problems = validate(FIXTURE)
    assert catalogue is not None, problems
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 0)
    helper = beside.Beside(catalogue, fork=True)
    try:
        search_process = helper.lanes["search"].process
        feed = helper.feed(tmp_path / "beside", None)
        assert helper.wait(helper.search()) == search_index.search_files(catalogue)
        assert search_process.exitcode == 0  # ended on its own, not killed
        assert set(helper.lanes) == {"feed"}
        assert helper.lanes["feed"].process.is_alive()
        helper.wait(feed)
        assert not helper.lanes
    finally:
        helper.close()
    assert "catalogue.json" in tree(tmp_path / "beside" / FEED_DIR)


def test_the_helper_process_writes_the_whole_feed_of_a_large_catalogue(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A daemon may not have worker processes: the helper makes the pieces itself."""
    catalogue, problems = validate(FIXTURE)
    assert catalogue is not None, problems
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 0)
    helper = beside.Beside(catalogue, fork=True)
    try:
        assert helper.lanes
        helper.wait(helper.feed(tmp_path / "beside", None, None, tmp_path / "feed.sqlite"))
    finally:
        helper.close()
    exports.write_files(tmp_path / "whole" / FEED_DIR, exports.export_files(catalogue))
    assert tree(tmp_path / "beside") == tree(tmp_path / "whole")


def test_the_helper_ends_when_closed_though_a_later_fork_holds_its_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page writer's workers are forked after the helper and inherit its pipe's end: close must still end it."""
    catalogue, problems = validate(FIXTURE)
    assert catalogue is not None, problems
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 0)
    helper = beside.Beside(catalogue, fork=True)
    later = multiprocessing.get_context("fork").Process(target=time.sleep, args=(30,), daemon=True)
    later.start()
    try:
        processes = [lane.process for lane in helper.lanes.values()]
        assert len(processes) == 2
        helper.close()
        assert [p.exitcode for p in processes] == [0, 0]  # they returned; a helper that had to be killed has -9
    finally:
        later.kill()
        later.join()
