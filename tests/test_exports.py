"""All exports together: the site build and `catalogue export` write them, and the docs show real ones."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin

import pytest
from click.testing import CliRunner

from generator import exports, feed, models, portal, streams
from generator.cli import main

from .catalogues import load
from .conftest import SOURCE_DATE_EPOCH

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "feed" / "catalogue"
DOCS = ROOT / "docs" / exports.DOCS_PAGE


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_format_is_written_under_api_v1_identically_twice(tmp_path: Path) -> None:
    written = exports.export_files(load(), exports.FORMATS)
    exports.write_files(tmp_path / "a" / "api" / "v1", written)
    exports.write_files(tmp_path / "b" / "api" / "v1", exports.export_files(load(), exports.FORMATS))
    first, second = tree(tmp_path / "a" / "api" / "v1"), tree(tmp_path / "b" / "api" / "v1")
    assert first == second == written
    for name in ("catalogue.json", "manifest.json", "catalogue.jsonld", "portal.json", "procedures.csv",
                 "channels.csv", "procedures/2.000488.json", "schema/1.2.0/portal.schema.json",
                 "schema/1.1.0/portal.schema.json", "changes.json", "changes.atom"):
        assert name in first


def test_the_site_build_publishes_the_same_exports(
    site_builder: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = site_builder(tmp_path / "site", catalogue=FIXTURE)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    expected = exports.export_files(load())
    published = tree(site / "api" / "v1")
    assert {name: published.get(name) for name in expected} == expected
    page = (site / "api" / "index.html").read_text(encoding="utf-8")
    assert "feed-example" not in page
    assert "executionMethods" in page and "cpsv:PublicService" in page and "procedures.csv" in page


def fenced(markdown: str) -> list[str]:
    return re.findall(r"```\w+\n(.*?)\n```", markdown, flags=re.DOTALL)


def test_docs_examples_are_the_real_exports_of_the_named_procedure() -> None:
    links = feed.Links()
    text = exports.fill_examples("<!-- feed-example json 2.000488 -->\n<!-- feed-example portal 2.000488 -->\n", load())
    json_block, portal_block = (json.loads(block) for block in fenced(text))
    procedure = load().full("2.000488")
    assert json_block == feed.procedure_record(procedure, links)
    assert portal_block == portal.procedure(procedure, load(), links)


def test_a_docs_example_of_a_code_not_in_the_catalogue_shows_the_first_procedure() -> None:
    text = exports.fill_examples("<!-- feed-example jsonld 9.999999 -->", load())
    graph = json.loads(fenced(text)[0])["@graph"]
    assert graph[0]["identifier"] == load().procedures[0].code


def test_the_docs_page_has_an_example_of_every_format_and_names_every_field() -> None:
    markdown = DOCS.read_text(encoding="utf-8")
    marks = {m.group(1) for m in exports.EXAMPLE_MARK.finditer(markdown)}
    assert marks == {"json", "portal", "jsonld", "csv", "changelog"}
    filled = exports.fill_examples(markdown, load())
    assert exports.EXAMPLE_MARK.search(filled) is None
    for name in models.Procedure.model_fields:
        assert f"`{name}`" in markdown, name
    for name in ("submissionMethod", "processingTimeUnit", "originalQty", "copyQty", "WORKING_DAY", "SERVICE_FEE"):
        assert f"`{name}`" in markdown, name
    assert "12 tháng" in markdown


def test_export_command_writes_only_the_chosen_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--format", "csv", "--out", str(tmp_path), str(FIXTURE)])
    assert result.exit_code == 0, result.output
    assert sorted(tree(tmp_path)) == ["channels.csv", "datapackage.json", "documents.csv", "forms.csv", "legal_basis.csv", "manifest.json", "procedures.csv", "results.csv"]


def test_export_command_with_every_format_matches_the_site_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--out", str(tmp_path), str(FIXTURE)])
    assert result.exit_code == 0, result.output
    assert tree(tmp_path) == exports.export_files(load())


def test_an_export_over_an_older_one_removes_procedures_no_longer_in_the_catalogue(tmp_path: Path) -> None:
    (tmp_path / "procedures").mkdir()
    (tmp_path / "procedures" / "9.999999.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "ghi-chu.txt").write_text("của người dùng\n", encoding="utf-8")
    exports.write_files(tmp_path, exports.export_files(load(), ["json"]))
    assert not (tmp_path / "procedures" / "9.999999.json").exists()
    assert (tmp_path / "ghi-chu.txt").exists()
    assert len(list((tmp_path / "procedures").iterdir())) == len(load().procedures)


def test_export_command_refuses_an_invalid_catalogue_and_writes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "catalogue"
    broken.mkdir()
    (broken / "agencies.yaml").write_text("agencies: []\n", encoding="utf-8")
    (broken / "fields.yaml").write_text("fields: [{id: Sai Hoa}]\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", "--out", str(out), str(broken)])
    assert result.exit_code == 1
    assert "fields.yaml" in result.output
    assert not out.exists()


def test_export_to_a_file_instead_of_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "ra.json"
    out.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "--out", str(out), str(FIXTURE)])
    assert result.exit_code == 2
    assert "cần một thư mục" in result.output
    assert out.read_text(encoding="utf-8") == "{}"


def test_the_manifest_lists_every_file_written_with_its_hash_and_urls_resolve_from_its_address(
        tmp_path: Path) -> None:
    exports.write_files(tmp_path, exports.export_files(load(FIXTURE)))
    manifest_path = tmp_path / feed.MANIFEST
    manifest = json.loads(manifest_path.read_bytes())
    listed = {e["url"]: e["sha256"] for e in [*manifest["procedures"], *manifest["files"]]}
    base = manifest_path.as_uri()
    resolved = {urljoin(base, url): digest for url, digest in listed.items()}
    on_disk = {p.as_uri(): feed.sha256(p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file()
               and p != manifest_path}
    assert resolved == on_disk
    assert len(manifest["build"]) == 64


def _edited(tmp_path: Path, source: Path) -> Path:
    """A copy of the catalogue at `source` with one procedure renamed."""
    import shutil  # noqa: PLC0415

    root = tmp_path / "edited"
    shutil.copytree(source, root)
    first = sorted((root / "procedures").rglob("*.yaml"))[0]
    first.write_text(re.sub(r"(?m)^name: (.*)$", r"name: \1 (đã sửa)", first.read_text(encoding="utf-8"), count=1),
                     encoding="utf-8")
    return root


def test_written_from_workers_and_from_cached_pieces_the_feed_is_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.validate import validate  # noqa: PLC0415

    monkeypatch.setattr(exports.parallel, "PARALLEL_MIN", 1)  # the fixture's few procedures go to workers
    cache = tmp_path / "feed.sqlite"
    url = "https://example.test/"
    for n, (root, site_url) in enumerate([(FIXTURE, None), (FIXTURE, None), (FIXTURE, url),
                                          (_edited(tmp_path, FIXTURE), url)]):
        catalogue, problems = validate(root)
        assert catalogue is not None, problems
        exports.write_export(catalogue, tmp_path / str(n), site_url=site_url, cache_path=cache)
        # Cold, warm, another site URL (other keys), one procedure edited (one key changed).
        assert tree(tmp_path / str(n)) == exports.export_files(catalogue, site_url=site_url)
    assert cache.is_file()


def test_pieces_a_helper_made_from_the_last_code_backwards_are_taken_and_the_feed_is_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """exports.help_pieces, as the search lane runs it beside the feed lane: it stops at the first chunk the
    cache holds, and the export makes only what it did not find there."""
    import sqlite3  # noqa: PLC0415

    from generator.validate import validate  # noqa: PLC0415

    catalogue, problems = validate(FIXTURE)
    assert catalogue is not None, problems
    codes = [p.code for p in catalogue.procedures]
    assert len(codes) >= 3
    monkeypatch.setattr(exports, "CHUNK", 1)
    cache = tmp_path / "feed.sqlite"
    keys = exports.Pieces(catalogue, feed.Links(None), list(exports.FORMATS), cache).keys
    assert exports.help_pieces(catalogue, None, cache) == len(codes)  # an empty cache: it made every one
    assert exports.help_pieces(catalogue, None, cache) == 0  # the last chunk is there: it stops at once
    with sqlite3.connect(cache) as db:  # the export has made the first ones; the helper, the last one
        db.executemany("DELETE FROM entry WHERE key = ?", [(keys[c],) for c in codes[1:-1]])
    assert exports.help_pieces(catalogue, None, cache) == 0
    with sqlite3.connect(cache) as db:
        db.executemany("DELETE FROM entry WHERE key = ?", [(keys[c],) for c in codes[:-1]])
    # As if the export had started before the helper stored the last one: it must ask again, chunk by chunk.
    monkeypatch.setattr(exports.ResultCache, "present", lambda self, keys: set())
    made: list[str] = []
    blob = exports._blob
    monkeypatch.setattr(exports, "_blob", lambda p, *rest: made.append(p.code) or blob(p, *rest))
    exports.write_export(catalogue, tmp_path / "out", cache_path=cache)
    assert made == codes[:-1]  # the last one was taken from the cache, found there when its chunk came
    assert tree(tmp_path / "out") == exports.export_files(catalogue)


def test_an_export_with_its_record_reads_nothing_back_and_rewrites_only_a_file_changed_by_something_else(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, record = tmp_path / "v1", tmp_path / "ghi" / "feed.pickle"
    exports.write_export(load(), out, record=record)
    changed = out / "procedures" / "2.000488.json"
    data = changed.read_bytes()
    changed.write_bytes(data.replace(b'"code"', b'"cOde"', 1))  # same size, other bytes, by another hand
    os.utime(changed, ns=(changed.stat().st_atime_ns, changed.stat().st_mtime_ns - 10**9))
    times = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("a file the record vouches for was read back")

    monkeypatch.setattr(streams.filecmp, "cmp", no_reading)
    monkeypatch.setattr(streams.FolderSink, "read", no_reading)
    exports.write_export(load(), out, record=record)
    assert tree(out) == exports.export_files(load())
    assert [p for p, t in times.items() if p.stat().st_mtime_ns != t] == [changed]


def test_a_rebuild_after_one_edit_writes_only_the_feed_files_that_change_and_gives_a_clean_builds_feed(
        tmp_path: Path) -> None:
    """The previous api/v1 is moved into the new build (generator.plugin) and its record tells what is unchanged."""
    shutil.copytree(ROOT / "catalogue", tmp_path / "catalogue")
    plain = re.compile(r"^name: (?![>|'\"])", re.MULTILINE)  # a plain one-line name, renamed below
    edited = next(f for f in sorted((tmp_path / "catalogue" / "procedures").rglob("*.yaml"))
                  if plain.search(f.read_text(encoding="utf-8")))

    def mkdocs_build(site: Path, cache: str) -> dict[str, tuple[bytes, int]]:
        env = os.environ | {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1",
                            "XDG_CACHE_HOME": str(tmp_path / cache), "CATALOGUE_DIR": str(tmp_path / "catalogue")}
        done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "mkdocs.yml"),
                               "-d", str(site)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
                              check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        feed_dir = site / feed.FEED_DIR
        return {p.relative_to(feed_dir).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
                for p in sorted(feed_dir.rglob("*")) if p.is_file()}

    before = mkdocs_build(tmp_path / "site", "cache")
    edited.write_text(plain.sub("name: Sửa thử ", edited.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    after = mkdocs_build(tmp_path / "site", "cache")
    clean = mkdocs_build(tmp_path / "clean", "fresh-cache")
    assert {n: data for n, (data, _) in after.items()} == {n: data for n, (data, _) in clean.items()}
    changed = sorted(n for n in after if n not in before or after[n][0] != before[n][0])
    rewritten = sorted(n for n in after if n not in before or after[n][1] != before[n][1])
    assert rewritten == changed
    assert "catalogue.json" in changed and len([n for n in changed if n.startswith("procedures/")]) == 1


def test_an_export_with_its_record_removes_what_the_previous_one_wrote_and_it_does_not(tmp_path: Path) -> None:
    out, record = tmp_path / "v1", tmp_path / "feed.pickle"
    exports.write_export(load(), out, record=record)
    (out / "ghi-chu.txt").write_text("của người dùng\n", encoding="utf-8")
    exports.write_export(load(), out, ["json"], record=record)  # as a build that no longer makes the other formats
    assert tree(out) == {**exports.export_files(load(), ["json"]), "ghi-chu.txt": "của người dùng\n".encode()}
