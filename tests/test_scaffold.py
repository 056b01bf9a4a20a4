"""`catalogue new`: a template that fails clearly until filled in, then validates."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import models
from generator.cli import main
from generator.importers.text import slugify
from generator.scaffold import ScaffoldError, new_procedure, template
from generator.validate import validate
from generator.yamlfmt import format_text

# What an agency writes in place of each "" of the template, line by line.
FILLED = {
    "name: \"\"": "name: Đăng ký khai sinh",
    "decision: \"\"": "decision: 1085/QĐ-BTP",
    "field: \"\"": "field: ho-tich",
    "service_level: \"\"": "service_level: 4",
    "description: \"\"": "description: Đăng ký việc sinh cho trẻ em",
    "processing_time: {value: \"\", unit: working_days}": "processing_time: {value: 1, unit: working_days}",
    "- {kind: le-phi, amount: \"\"}": "- {kind: le-phi, amount: 0}",
    "- {name: \"\", originals: 1, copies: 0}": "- {name: Tờ khai đăng ký khai sinh, originals: 1, copies: 0}",
    "steps: [\"\"]": "steps: [Nộp hồ sơ tại UBND xã]",
    "- {name: \"\"}": "- {name: Giấy khai sinh}",
    "- {number: \"\", title: \"\", issued: \"\"}": "- {number: 60/2014/QH13, title: Luật Hộ tịch, issued: 2014-11-20}",
    "updated: \"\"": "updated: 2026-10-01",
}


def fill(text: str, prefilled: tuple[str, ...] = ()) -> str:
    """Replace each placeholder line (matched whole, indentation kept) by its filled value."""
    lines = text.split("\n")
    for placeholder, value in FILLED.items():
        at = [i for i, line in enumerate(lines) if line.strip() == placeholder]
        if placeholder.split(":")[0] in prefilled:
            continue
        assert len(at) == 1, placeholder
        lines[at[0]] = lines[at[0]].replace(placeholder, value)
    return "\n".join(lines)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "catalogue"
    base.mkdir()
    (base / "agencies.yaml").write_text("agencies:\n  - {id: ubnd-xa, name: UBND xã, tier: xa}\n", encoding="utf-8")
    (base / "fields.yaml").write_text("fields:\n  - {id: ho-tich, name: Hộ tịch}\n", encoding="utf-8")
    return base


def test_the_unfilled_template_fails_with_one_clear_message_per_placeholder(root: Path) -> None:
    path = new_procedure(root, "ubnd-xa", "1.001193")
    catalogue, problems = validate(root)
    assert catalogue is None
    by_field = {p.field: (p.code, p.message) for p in problems if p.level.value == "error"}
    assert by_field["name"] == ("E208", "chuỗi rỗng; hãy ghi giá trị hoặc bỏ khóa này")
    assert by_field["service_level"][0] == "E202" and "số nguyên" in by_field["service_level"][1]
    assert by_field["updated"][0] == "E206"
    assert by_field["channels[0].fees[0].amount"][0] == "E202"
    assert {"field", "description", "steps[0]", "legal_basis[0].issued"} <= by_field.keys()
    assert all(p.path.endswith(path.name) for p in problems)


def test_filling_every_placeholder_gives_a_valid_procedure(root: Path) -> None:
    path = new_procedure(root, "ubnd-xa", "1.001193")
    path.write_text(fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    catalogue, problems = validate(root)
    assert problems == []
    assert catalogue is not None
    assert catalogue.full("1.001193").tiers == [models.Tier.XA]


def test_the_template_is_already_in_canonical_form_and_keeps_its_comments() -> None:
    text = template("1.001193", "ubnd-xa", "xa")
    assert format_text(text, models.Procedure) == text
    assert text.startswith("# yaml-language-server: $schema=../../../schema/procedure.schema.json\n")
    assert text.count("\n#") >= 15


def test_a_name_fills_the_name_and_the_file_name(root: Path) -> None:
    path = new_procedure(root, "ubnd-xa", "1.001193", name="Đăng ký khai sinh")
    assert path == root / "procedures" / "ubnd-xa" / "dang-ky-khai-sinh.yaml"
    assert "\nname: Đăng ký khai sinh\n" in path.read_text(encoding="utf-8")


def test_the_file_name_slug_strips_vietnamese_marks() -> None:
    assert slugify("Cấp Giấy phép lái xe (đổi)", 80) == "cap-giay-phep-lai-xe-doi"


def test_a_name_with_no_letters_names_the_file_after_the_code(tmp_path: Path) -> None:
    root = tmp_path / "catalogue"
    root.mkdir()
    (root / "agencies.yaml").write_text("agencies:\n  - {id: ubnd-xa, name: UBND xã, tier: xa}\n", encoding="utf-8")
    assert new_procedure(root, "ubnd-xa", "1.000009", "!!!").name == "1-000009.yaml"


@pytest.mark.parametrize(("agency", "code", "message"), [
    ("ubnd-xa", "1001193", "phải có dạng D.DDDDDD"),
    ("ubnd-huyen", "1.001193", "cơ quan 'ubnd-huyen' chưa có trong"),
])
def test_bad_code_or_unknown_agency_is_refused(root: Path, agency: str, code: str, message: str) -> None:
    with pytest.raises(ScaffoldError, match=message):
        new_procedure(root, agency, code)


def test_a_code_already_in_the_catalogue_is_refused(root: Path) -> None:
    first = new_procedure(root, "ubnd-xa", "1.001193")
    with pytest.raises(ScaffoldError, match=f"đã có trong {first}"):
        new_procedure(root, "ubnd-xa", "1.001193", name="Khác")


def test_the_new_command_prints_the_path_and_exits_zero(root: Path) -> None:
    result = CliRunner().invoke(main, ["new", "--agency", "ubnd-xa", "--code", "1.001193", str(root)])
    assert result.exit_code == 0, result.output
    assert "procedures/ubnd-xa/1-001193.yaml" in result.output


def test_the_new_command_reports_a_refusal_as_a_usage_error(root: Path) -> None:
    result = CliRunner().invoke(main, ["new", "--agency", "khong-co", "--code", "1.001193", str(root)])
    assert result.exit_code == 2
    assert "chưa có trong" in result.output
