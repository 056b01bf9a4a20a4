"""Federated catalogues (generator/merge.py): several data repositories merged into one, and built shards.

The embedded catalogue split by agency into three data repositories, each
carrying the shared editorial files, is the federation the tests build.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.merge import MARKER, MergeError, merge_catalogues, shard_pages
from generator.validate import procedure_files

from .catalogues import EMBEDDED, FEED_FIXTURE, load
from .conftest import SiteBuildError
from .test_docs import check_workflow, commands

SHARDS = 3
SITE_URL = "https://dichvucong.example/quoc-gia/"


def split(source: Path, out: Path, parts: int) -> list[Path]:
    """`source` as `parts` catalogues, agency folders dealt round by size; editorial files in each."""
    folders = sorted((source / "procedures").iterdir(), key=lambda d: (-len(list(d.iterdir())), d.name))
    shards = [out / f"kho-{i + 1}" for i in range(parts)]
    for shard in shards:
        shutil.copytree(source, shard, ignore=shutil.ignore_patterns("procedures", "forms", "import"))
    for i, folder in enumerate(folders):
        shutil.copytree(folder, shards[i % parts] / "procedures" / folder.name)
        forms = source / "forms" / folder.name
        if forms.is_dir():
            shutil.copytree(forms, shards[i % parts] / "forms" / folder.name)
    return shards


def copy(source: Path, out: Path) -> Path:
    shutil.copytree(source, out)
    return out


# ---------------------------------------------------------------- merging catalogues


def test_three_repositories_merge_into_the_catalogue_they_were_split_from(tmp_path: Path) -> None:
    shards = split(EMBEDDED, tmp_path / "kho", SHARDS)
    merged, problems = merge_catalogues(shards, tmp_path / "union", tmp_path)
    assert merged is not None, problems
    whole = load(EMBEDDED)
    assert [p.model_dump() for p in merged.each()] == [p.model_dump() for p in whole.each()]
    assert merged.agencies == whole.agencies and merged.fields == whole.fields
    assert merged.life_events == whole.life_events and merged.synonyms == whole.synonyms
    assert merged.targets == whole.targets


def test_a_code_in_two_repositories_is_an_error_naming_both_files(tmp_path: Path) -> None:
    a, b = copy(FEED_FIXTURE, tmp_path / "kho-a"), copy(FEED_FIXTURE, tmp_path / "kho-b")
    for path in procedure_files(b):
        if path.name != "dang-ky-khai-sinh.yaml":
            path.unlink()
    merged, problems = merge_catalogues([a, b], tmp_path / "union", tmp_path)
    assert merged is None and not (tmp_path / "union").exists()
    duplicates = [p for p in problems if p.code == "E303"]
    assert {p.path for p in duplicates} == {"kho-a/procedures/ubnd-xa/dang-ky-khai-sinh.yaml",
                                            "kho-b/procedures/ubnd-xa/dang-ky-khai-sinh.yaml"}
    first = next(p for p in duplicates if p.path.startswith("kho-a/"))
    assert "kho-b/procedures/ubnd-xa/dang-ky-khai-sinh.yaml" in first.message
    assert first.message.startswith("mã thủ tục 1.001193 cũng được dùng trong")


def test_an_agency_defined_differently_in_two_repositories_is_an_error_naming_both_files(tmp_path: Path) -> None:
    a, b = copy(FEED_FIXTURE, tmp_path / "kho-a"), copy(FEED_FIXTURE, tmp_path / "kho-b")
    shutil.rmtree(b / "procedures")
    text = (b / "agencies.yaml").read_text(encoding="utf-8")
    (b / "agencies.yaml").write_text(text.replace("name: Bộ Công an", "name: Bộ Công an (tên khác)"), encoding="utf-8")
    merged, problems = merge_catalogues([a, b], tmp_path / "union", tmp_path)
    assert merged is None
    [conflict] = problems
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "id: bo-cong-an" in row)
    assert (conflict.path, conflict.line, conflict.code) == ("kho-b/agencies.yaml", line, "E318")
    assert conflict.message.startswith(f"cơ quan 'bo-cong-an' được khai báo khác với kho-a/agencies.yaml:{line}")


def test_the_same_agency_declared_alike_in_two_repositories_is_kept_once(tmp_path: Path) -> None:
    a, b = copy(FEED_FIXTURE, tmp_path / "kho-a"), copy(FEED_FIXTURE, tmp_path / "kho-b")
    shutil.rmtree(b / "procedures")
    merged, problems = merge_catalogues([a, b], tmp_path / "union", tmp_path)
    assert merged is not None, problems
    assert list(merged.agencies) == list(load(FEED_FIXTURE).agencies)
    assert len(merged.procedures) == len(load(FEED_FIXTURE).procedures)


def test_two_different_form_files_at_one_path_are_an_error_naming_both(tmp_path: Path) -> None:
    a, b = copy(FEED_FIXTURE, tmp_path / "kho-a"), copy(FEED_FIXTURE, tmp_path / "kho-b")
    shutil.rmtree(b / "procedures")
    (b / "forms" / "ubnd-xa" / "to-khai-khai-sinh.pdf").write_bytes(b"%PDF-1.4 khac\n")
    merged, problems = merge_catalogues([a, b], tmp_path / "union", tmp_path)
    assert merged is None
    assert [(p.path, p.code) for p in problems] == [("kho-b/forms/ubnd-xa/to-khai-khai-sinh.pdf", "E318")]
    assert "kho-a/forms/ubnd-xa/to-khai-khai-sinh.pdf" in problems[0].message


def test_merge_never_replaces_a_folder_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "union"
    out.mkdir()
    (out / "notes.txt").write_text("của người dùng", encoding="utf-8")
    with pytest.raises(MergeError):
        merge_catalogues([FEED_FIXTURE], out, tmp_path)
    assert (out / "notes.txt").is_file()
    shutil.rmtree(out)
    assert merge_catalogues([FEED_FIXTURE], out, tmp_path)[0] is not None
    assert (out / MARKER).is_file()
    assert merge_catalogues([FEED_FIXTURE], out, tmp_path)[0] is not None  # its own folder: replaced


def test_the_merge_command_exits_1_with_the_problems_and_0_when_merged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    copy(FEED_FIXTURE, tmp_path / "kho-a")
    copy(FEED_FIXTURE, tmp_path / "kho-b")
    runner = CliRunner()
    failed = runner.invoke(main, ["merge", "kho-a", "kho-b", "--out", "union", "--format", "text"])
    assert failed.exit_code == 1
    assert "kho-a/procedures/ubnd-xa/dang-ky-khai-sinh.yaml:" in failed.output and "E303" in failed.output
    done = runner.invoke(main, ["merge", "kho-a", "--out", "union"])
    assert done.exit_code == 0, done.output
    assert runner.invoke(main, ["validate", "union"]).exit_code == 0


# ---------------------------------------------------------------- built shards


def shard_env(shards: list[Path]) -> dict[str, str]:
    return {"CATALOGUE_SHARDS": os.pathsep.join(str(s.resolve()) for s in shards)}


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory, site_builder: Callable[..., Path]) -> dict[str, Path]:
    """Three repositories from the embedded catalogue, each built alone, their merged build, and one whole build.

    All with a site_url, so the sitemap lists every page and the merge must put the shards' entries in.
    """
    tmp = tmp_path_factory.mktemp("federation")
    sources = split(EMBEDDED, tmp / "kho", SHARDS)
    sites = [site_builder(tmp / "shard" / s.name, catalogue=s, site_url=SITE_URL) for s in sources]
    merged, problems = merge_catalogues(sources, tmp / "union", tmp)
    assert merged is not None, problems
    site = site_builder(tmp / "site", catalogue=tmp / "union", env=shard_env(sites), site_url=SITE_URL)
    whole = site_builder(tmp / "whole", site_url=SITE_URL)
    return {"site": site, "whole": whole, "union": tmp / "union", "shards": tmp / "shard"}


def procedure_files_of(site: Path, folder: str, pattern: str) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted((site / folder).glob(pattern))}


def test_merged_shards_give_the_procedure_pages_of_one_build_of_the_union(
        federation: dict[str, Path]) -> None:
    merged = procedure_files_of(federation["site"], "thu-tuc", "*/index.html")
    whole = procedure_files_of(federation["whole"], "thu-tuc", "*/index.html")
    assert len(whole) == len(load(EMBEDDED).procedures)
    assert merged.keys() == whole.keys()
    assert [name for name in whole if merged[name] != whole[name]] == []


def test_merged_shards_give_the_feed_records_of_one_build_of_the_union(
        federation: dict[str, Path]) -> None:
    merged = procedure_files_of(federation["site"], "api/v1/procedures", "*.json")
    whole = procedure_files_of(federation["whole"], "api/v1/procedures", "*.json")
    assert merged == whole and len(whole) == len(load(EMBEDDED).procedures)
    manifest = json.loads((federation["site"] / "api/v1/manifest.json").read_bytes())
    assert manifest == json.loads((federation["whole"] / "api/v1/manifest.json").read_bytes())


def test_the_merged_site_is_the_site_of_one_build_of_the_union_file_for_file(
        federation: dict[str, Path]) -> None:
    compared = filecmp.dircmp(federation["site"], federation["whole"], ignore=[])
    differing: list[str] = []

    def walk(c: filecmp.dircmp[str], prefix: str = "") -> None:
        differing.extend(prefix + n for n in c.left_only + c.right_only + c.diff_files + c.funny_files)
        for name, sub in c.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(compared)
    assert differing == []
    sitemap = (federation["site"] / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("/thu-tuc/") == len(load(EMBEDDED).procedures)


def test_a_shard_page_for_a_code_the_union_lacks_stops_the_build(
        federation: dict[str, Path], site_builder: Callable[..., Path], tmp_path: Path) -> None:
    stale = copy(federation["shards"] / "kho-1", tmp_path / "kho-1")
    shutil.copytree(stale / "thu-tuc" / next(p.name for p in (stale / "thu-tuc").iterdir() if p.is_dir()),
                    stale / "thu-tuc" / "9.999999")
    shards = [stale, *sorted(federation["shards"].iterdir())[1:]]
    with pytest.raises(SiteBuildError, match=r"9\.999999 không có trong catalogue đã gộp"):
        site_builder(tmp_path / "site", catalogue=federation["union"], env=shard_env(shards))


def test_a_missing_shard_stops_the_build_naming_the_procedures_without_a_page(
        federation: dict[str, Path], site_builder: Callable[..., Path], tmp_path: Path) -> None:
    shards = sorted(federation["shards"].iterdir())[:-1]
    with pytest.raises(SiteBuildError, match=r"không có trang trong phân mảnh nào"):
        site_builder(tmp_path / "site", catalogue=federation["union"], env=shard_env(shards))


# ---------------------------------------------------------------- the CI workflow

NATIONAL = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "national.yml"


def test_the_national_workflow_builds_shards_in_a_matrix_and_merges_them() -> None:
    check_workflow(NATIONAL)
    workflow = yaml.safe_load(NATIONAL.read_text(encoding="utf-8"))
    jobs = workflow["jobs"]
    assert "matrix" in jobs["shard"]["strategy"] and set(jobs["merge"]["needs"]) == {"plan", "shard"}
    runs = {job: "\n".join(s.get("run", "") for s in spec["steps"]) for job, spec in jobs.items()}
    known = {name.split()[1] for name, _ in commands(main)}
    assert set(re.findall(r"catalogue (\w+) ", "\n".join(runs.values()))) <= known
    assert "mkdocs build --strict" in runs["shard"] and "catalogue validate" in runs["shard"]
    assert "catalogue merge" in runs["merge"] and "CATALOGUE_SHARDS" in runs["merge"]
    # every job builds with the same date; the variables are those mkdocs.yml reads
    assert all("SOURCE_DATE_EPOCH" in jobs[j]["env"] for j in ("shard", "merge"))
    config = (NATIONAL.parents[2] / "mkdocs.yml").read_text(encoding="utf-8")
    assert "!ENV [CATALOGUE_SHARDS" in config and "!ENV [CATALOGUE_DIR" in config


def test_a_shard_built_for_another_address_is_named(federation: dict[str, Path]) -> None:
    shard = sorted(federation["shards"].iterdir())[0]
    _, errors = shard_pages([shard], load(EMBEDDED), "https://khac.example/")
    assert any(e.startswith(f"{shard}: phân mảnh được dựng cho địa chỉ {SITE_URL}") for e in errors)
    _, errors = shard_pages([shard], load(EMBEDDED), SITE_URL)
    assert not [e for e in errors if "địa chỉ" in e]


def test_a_retired_procedures_page_is_taken_from_its_shard_too(tmp_path: Path) -> None:
    catalogue = load(Path(__file__).parent / "fixtures" / "retired" / "catalogue")
    assert catalogue.retired
    for code in catalogue.by_code:
        (tmp_path / "thu-tuc" / code).mkdir(parents=True)
        (tmp_path / "thu-tuc" / code / "index.html").write_text(code, encoding="utf-8")
    pages, errors = shard_pages([tmp_path], catalogue)
    assert errors == [] and set(pages) == set(catalogue.by_code)
