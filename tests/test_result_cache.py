"""The validation result cache: same answers warm and cold, never a false 'valid'."""

from __future__ import annotations

import gc
import os
import pickle
import shutil
from pathlib import Path

import pytest

from generator import result_cache
from generator.validate import validate

from .invalid_cases import VALID, build


def test_warm_run_gives_the_same_catalogue_and_problems_as_a_cold_one(tmp_path: Path) -> None:
    root = build("review-marker", tmp_path)
    cache = tmp_path / "cache.sqlite"
    cold = validate(root, cache_path=cache)
    warm = validate(root, cache_path=cache)
    uncached = validate(root)
    assert cold[1] == warm[1] == uncached[1]
    assert cold[0] is not None and warm[0] is not None
    assert warm[0].procedures == cold[0].procedures == uncached[0].procedures  # type: ignore[union-attr]


def test_an_edited_file_is_checked_again(tmp_path: Path) -> None:
    root = tmp_path / "catalogue"
    shutil.copytree(VALID, root)
    cache = tmp_path / "cache.sqlite"
    assert validate(root, cache_path=cache)[1] == []
    target = root / "procedures" / "bo-cong-an" / "cap-ho-chieu.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("service_level: 3", "service_level: 9"),
                      encoding="utf-8")
    assert [p.code for p in validate(root, cache_path=cache)[1]] == ["E205"]


def test_a_removed_agency_invalidates_cached_results(tmp_path: Path) -> None:
    root = tmp_path / "catalogue"
    shutil.copytree(VALID, root)
    cache = tmp_path / "cache.sqlite"
    validate(root, cache_path=cache)
    agencies = root / "agencies.yaml"
    agencies.write_text(agencies.read_text(encoding="utf-8").replace("id: bo-cong-an", "id: bo-cong-an-2"),
                        encoding="utf-8")
    assert "E300" in [p.code for p in validate(root, cache_path=cache)[1]]


def test_a_deleted_form_file_is_noticed_although_the_yaml_is_unchanged(tmp_path: Path) -> None:
    root = tmp_path / "catalogue"
    shutil.copytree(VALID, root)
    cache = tmp_path / "cache.sqlite"
    validate(root, cache_path=cache)
    (root / "forms" / "ubnd-xa" / "to-khai-khai-sinh.pdf").unlink()
    assert [p.code for p in validate(root, cache_path=cache)[1]] == ["E305"]


def test_a_damaged_cache_is_only_a_miss(tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite"
    cache.write_bytes(b"this is not sqlite")
    catalogue, problems = validate(VALID, cache_path=cache)
    assert catalogue is not None and problems == []


def test_a_damaged_entry_is_refused() -> None:
    with pytest.raises(ValueError, match="unusable"):
        result_cache.decode_head(b"not a pickle")
    with pytest.raises(ValueError, match="unusable"):
        result_cache.decode_head(pickle.dumps(({"code": 1}, "x", 1, 1)))
    with pytest.raises(ValueError, match="unusable"):
        result_cache.decode_model(pickle.dumps({"code": 1}))


def test_warm_models_are_the_cold_ones(tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite"
    cold, _ = validate(VALID, cache_path=cache)
    warm, _ = validate(VALID, cache_path=cache)
    assert cold is not None and warm is not None
    assert [p.model_dump() for p in warm.each(warm.by_code)] == [p.model_dump() for p in cold.each(cold.by_code)]


def test_the_run_store_goes_with_the_catalogue() -> None:
    catalogue, _ = validate(VALID)
    assert catalogue is not None and isinstance(catalogue.store, result_cache.Results)
    path = catalogue.store.path
    assert path.is_file() and catalogue.full("1.001193").code == "1.001193"
    del catalogue
    gc.collect()
    assert not path.exists()


def test_a_forked_process_reads_the_models_itself() -> None:
    catalogue, _ = validate(VALID)
    assert catalogue is not None
    catalogue.full("1.001193")  # this process's connection is open when the child is forked
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(writer, ",".join(p.name for p in catalogue.each()).encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    assert os.read(reader, 10_000).decode() == ",".join(p.name for p in catalogue.procedures)
    assert catalogue.store is not None and catalogue.store.path.exists()  # the child left it in place
    os.close(reader)


def test_default_cache_lives_outside_the_data_repository_in_a_folder_of_this_code(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    version = result_cache.code_fingerprint()[:16]
    assert result_cache.default_path() == tmp_path / "catalogue-generator" / version / "validate.sqlite"


def test_other_code_versions_caches_unused_for_a_day_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(result_cache, "_tidied", set())
    base = tmp_path / "catalogue-generator"
    day_ago = result_cache.STALE_AFTER + 60
    old_version, recent_version = base / "0123456789abcdef", base / "fedcba9876543210"
    for folder in (old_version / "sites", recent_version):
        folder.mkdir(parents=True)
    (old_version / "feed.sqlite").write_bytes(b"x" * 1000)
    flat = base / "validate.sqlite"  # the layout before per-version folders
    flat.write_bytes(b"x")
    mine = result_cache.default_path().parent
    (mine / "pages.sqlite").write_bytes(b"mine")
    result_cache._tidied.clear()
    now = base.stat().st_mtime
    for path in (old_version, flat, mine):
        os.utime(path, (now - day_ago, now - day_ago))

    assert result_cache.default_path().parent == mine
    assert sorted(p.name for p in base.iterdir()) == sorted([mine.name, recent_version.name])
    assert (mine / "pages.sqlite").read_bytes() == b"mine"  # this code's own, however long unused: kept, marked used
    assert mine.stat().st_mtime > now - 60
    recent_version.rmdir()
    (base / "late.sqlite").write_bytes(b"x")
    os.utime(base / "late.sqlite", (now - day_ago, now - day_ago))
    result_cache.default_path()
    assert (base / "late.sqlite").exists()  # tidied once per process: later asks only mark the folder used
