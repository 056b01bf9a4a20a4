"""The `catalogue` command line: exit codes, output formats, usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import cli, exports
from generator.cli import main

from .invalid_cases import VALID, build


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def test_validate_exits_zero_on_a_valid_catalogue() -> None:
    code, _ = run("validate", str(VALID))
    assert code == 0


def test_validate_exits_one_and_prints_path_line_column_code_field(tmp_path: Path) -> None:
    root = build("unknown-key", tmp_path)
    code, out = run("validate", str(root), "--format", "text")
    assert code == 1
    assert "procedures/ubnd-xa/unknown-key.yaml:7:1: E200 nmae: khóa 'nmae' không được phép" in out


def test_validate_json_format_is_a_list_of_problems(tmp_path: Path) -> None:
    root = build("three-files", tmp_path)
    code, out = run("validate", str(root), "--format", "json")
    assert code == 1
    problems = json.loads(out)
    assert {p["code"] for p in problems} == {"E202", "E205", "E302"}
    assert all({"path", "line", "column", "code", "field", "message", "level"} <= p.keys() for p in problems)


def test_validate_github_format_is_detected_in_github_actions(tmp_path: Path) -> None:
    root = build("unknown-key", tmp_path)
    code, out = run("validate", str(root), env={"GITHUB_ACTIONS": "true"})
    assert code == 1
    assert "::error file=" in out and ",line=7,col=1::E200 nmae:" in out


@pytest.mark.parametrize(("case", "code"), [("review-marker", "W400"), ("deprecated-tier", "W401")])
def test_warnings_exit_zero_unless_strict(tmp_path: Path, case: str, code: str) -> None:
    root = build(case, tmp_path)
    lenient, out = run("validate", str(root), "--format", "text")
    assert (lenient, f": {code} " in out) == (0, True)
    strict, out = run("validate", str(root), "--format", "text", "--strict")
    assert (strict, f": {code} " in out) == (1, True)


@pytest.mark.parametrize("args", [["validate", "/khong/ton/tai"], ["validate", "--format", "xml"], ["khong-co-lenh"]])
def test_usage_errors_exit_two(args: list[str]) -> None:
    assert run(*args)[0] == 2


def test_fmt_without_paths_outside_a_data_repository_is_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run("fmt")
    assert code == 2
    assert "không tìm thấy thư mục catalogue" in out


def test_schema_check_reports_stale_schemas(tmp_path: Path) -> None:
    assert run("schema", "--out", str(tmp_path), "--check")[0] == 1
    assert run("schema", "--out", str(tmp_path))[0] == 0
    assert run("schema", "--out", str(tmp_path), "--check")[0] == 0


def test_export_choices_are_the_exporters_that_exist() -> None:
    assert set(cli.EXPORT_FORMATS) == set(exports.FORMATS)


def warnings_and_errors(tmp_path: Path) -> Path:
    """A catalogue with a review warning (W400) in one file and two errors (E211) in another."""
    root = build("review-marker", tmp_path)
    money = (Path(__file__).parent / "fixtures" / "invalid" / "money-with-dot.yaml").read_text(encoding="utf-8")
    (root / "procedures" / "ubnd-xa" / "money-with-dot.yaml").write_text(
        money.replace("1.009999", "1.009998"), encoding="utf-8")
    return root


@pytest.mark.parametrize("flag", ["--errors-only", "-q"])
def test_errors_only_prints_the_errors_and_counts_the_warnings_it_hid(tmp_path: Path, flag: str) -> None:
    root = warnings_and_errors(tmp_path)
    code, out = run("validate", str(root), "--format", "text", flag)
    assert code == 1
    assert [line.split(": ", 2)[1].split()[0] for line in out.splitlines()[:-1]] == ["E211", "E211"]
    assert out.splitlines()[-1] == "2 lỗi (errors), 1 cảnh báo (warnings); 1 cảnh báo không in (--errors-only)"
    assert run("validate", str(root), "--format", "text")[1].count(" W400 ") == 1


def test_a_file_inside_a_catalogue_is_checked_against_the_whole_and_only_its_problems_are_printed(
        tmp_path: Path) -> None:
    root = warnings_and_errors(tmp_path)
    code, out = run("validate", str(root / "procedures" / "ubnd-xa" / "review-marker.yaml"), "--format", "text")
    assert (code, out.count(" W400 "), "E211" in out) == (0, 1, False)
    code, out = run("validate", str(root / "procedures" / "ubnd-xa" / "money-with-dot.yaml"), "--format", "json")
    assert (code, {p["code"] for p in json.loads(out)}) == (1, {"E211"})
    # A code also used in another file is found although only one file was named.
    copy = root / "procedures" / "ubnd-xa" / "ban-sao.yaml"
    copy.write_bytes((root / "procedures" / "ubnd-xa" / "review-marker.yaml").read_bytes())
    code, out = run("validate", str(copy), "--format", "json")
    assert (code, [(p["path"].rsplit("/", 1)[1], p["code"]) for p in json.loads(out) if p["level"] == "error"]) == \
        (1, [("ban-sao.yaml", "E303")])
    assert run("validate", str(root / "procedures" / "bo-cong-an"))[0] == 0


def test_a_path_outside_any_catalogue_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "le.yaml").write_text("code: x\n", encoding="utf-8")
    code, out = run("validate", str(tmp_path / "le.yaml"))
    assert code == 2
    assert "không nằm trong thư mục catalogue nào" in out
