"""A record's `updated` moves when its content moves: validate --base flags it (E317), fmt --set-updated
and new set it, from --date or SOURCE_DATE_EPOCH, never the clock."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main

from .catalogues import FEED_FIXTURE
from .test_diff import git

BIRTH = Path("catalogue/procedures/ubnd-xa/dang-ky-khai-sinh.yaml")
PASSPORT = Path("catalogue/procedures/bo-cong-an/cap-ho-chieu.yaml")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": "", **(env or {})})
    return result.exit_code, result.output


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data repository whose one commit holds the feed fixture; the working directory is its top."""
    shutil.copytree(FEED_FIXTURE, tmp_path / "catalogue")
    git(tmp_path, "init", "--quiet", "--initial-branch=main")
    git(tmp_path, "add", "catalogue")
    git(tmp_path, "commit", "--quiet", "-m", "Danh mục")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def raise_fee(path: Path, comment: str = "") -> None:
    """The issue's case: a fee raised, `updated` left as it was."""
    text = path.read_text(encoding="utf-8")
    assert "amount: 200000" in text
    path.write_text(text.replace("amount: 200000", "amount: 250000") + comment, encoding="utf-8")


def updated_of(path: Path) -> str:
    return str(yaml.safe_load(path.read_text(encoding="utf-8"))["updated"])


def test_a_change_without_a_new_updated_is_an_error_at_the_updated_line(repo: Path) -> None:
    raise_fee(PASSPORT)
    code, out = run("validate", "catalogue", "--base", "main", "--format", "text")
    line = PASSPORT.read_text(encoding="utf-8").splitlines().index("updated: 2026-07-31") + 1
    assert code == 1
    assert (f"{PASSPORT.as_posix()}:{line}:10: E317 updated: nội dung thủ tục 1.000001 đã đổi so với main "
            "nhưng updated vẫn là 2026-07-31") in out
    assert out.count("E317") == 1


def test_comments_and_formatting_are_not_content_and_a_later_date_clears_it(repo: Path) -> None:
    BIRTH.write_text(BIRTH.read_text(encoding="utf-8") + "# một chú thích\n", encoding="utf-8")
    assert run("validate", "catalogue", "--base", "main")[0] == 0
    raise_fee(PASSPORT)
    PASSPORT.write_text(PASSPORT.read_text(encoding="utf-8").replace("2026-07-31", "2026-12-02"), encoding="utf-8")
    assert run("validate", "catalogue", "--base", "main")[0] == 0


def test_an_earlier_updated_is_flagged_too(repo: Path) -> None:
    raise_fee(PASSPORT)
    PASSPORT.write_text(PASSPORT.read_text(encoding="utf-8").replace("2026-07-31", "2026-01-01"), encoding="utf-8")
    code, out = run("validate", "catalogue", "--base", "main", "--format", "github")
    assert code == 1 and "::error file=catalogue/procedures/bo-cong-an/cap-ho-chieu.yaml" in out
    assert "(trước đó 2026-07-31)" in out


def test_the_base_may_be_a_folder(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    before = tmp_path_factory.mktemp("base") / "catalogue"
    shutil.copytree(FEED_FIXTURE, before)
    raise_fee(PASSPORT)
    code, out = run("validate", "catalogue", "--base", str(before))
    assert code == 1 and "E317" in out


def test_fmt_set_updated_with_base_dates_only_the_changed_procedure_and_keeps_comments(repo: Path) -> None:
    raise_fee(PASSPORT, comment="# giữ chú thích này\n")
    code, out = run("fmt", "--set-updated", "--base", "main", "--date", "2026-12-02", "catalogue")
    assert code == 0, out
    assert updated_of(PASSPORT) == "2026-12-02" and updated_of(BIRTH) == "2026-10-01"
    assert "# giữ chú thích này" in PASSPORT.read_text(encoding="utf-8")
    assert run("validate", "catalogue", "--base", "main")[0] == 0


def test_fmt_set_updated_takes_source_date_epoch_and_refuses_to_guess_a_date(repo: Path) -> None:
    code, out = run("fmt", "--set-updated", str(BIRTH))
    assert code == 2 and "--date" in out
    assert updated_of(BIRTH) == "2026-10-01"
    code, _ = run("fmt", "--set-updated", str(BIRTH), env={"SOURCE_DATE_EPOCH": "1790000000"})
    assert code == 0 and updated_of(BIRTH) == "2026-09-21"
    assert updated_of(PASSPORT) == "2026-07-31"


def test_new_writes_the_given_date_or_source_date_epoch_else_leaves_it_to_fill(repo: Path) -> None:
    for code, env, expected in (("1.900001", {}, ""), ("1.900002", {"SOURCE_DATE_EPOCH": "1790000000"}, "2026-09-21")):
        status, out = run("new", "catalogue", "--agency", "ubnd-xa", "--code", code, env=env)
        assert status == 0, out
        written = Path(out.split("đã tạo ")[1].split()[0])
        assert updated_of(written) == expected
    status, out = run("new", "catalogue", "--agency", "ubnd-xa", "--code", "1.900003", "--date", "2026-12-02")
    assert updated_of(Path(out.split("đã tạo ")[1].split()[0])) == "2026-12-02"
