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
