"""Validation of whole catalogues, driven by fixture files with their exact expected problems."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import generator.validate as validate_module
from generator.problems import CODES, Severity
from generator.source import MAX_FILE_BYTES, load_bytes
from generator.validate import MAX_FORM_BYTES, validate

from .invalid_cases import VALID, build, cases, expected_path, line, observed


def test_valid_fixture_catalogue_has_no_problems() -> None:
    catalogue, problems = validate(VALID)
    assert problems == []
    assert catalogue is not None
    assert [p.code for p in catalogue.procedures] == ["1.000001", "1.001193"]


@pytest.mark.parametrize("case", cases())
def test_invalid_fixture_produces_exactly_its_expected_problems(case: str, tmp_path: Path) -> None:
    expected = expected_path(case).read_text(encoding="utf-8").split("\n")
    assert observed(case, tmp_path) == [e for e in expected if e]


def test_every_error_code_is_exercised_by_a_fixture_or_a_named_test() -> None:
    text = "".join(expected_path(c).read_text(encoding="utf-8") for c in cases())
    # E103, E308 need files too big to commit (see tests below); E317 needs a base (tests/test_updated.py);
    # E318 arises between catalogues (tests/test_merge.py)
    covered_elsewhere = {"E103", "E308", "E317", "E318"}
    missing = {code for code in CODES if f" {code}" not in text} - covered_elsewhere
    assert missing == set()


def test_errors_in_three_files_are_all_reported_in_one_run(tmp_path: Path) -> None:
    catalogue, problems = validate(build("three-files", tmp_path))
    assert catalogue is None
    assert {p.path.rsplit("/", 1)[-1] for p in problems} == {"mot.yaml", "hai.yaml", "ba.yaml"}


def test_problem_lines_point_at_the_offending_value_not_the_top_of_the_file(tmp_path: Path) -> None:
    _, problems = validate(build("out-of-range", tmp_path))
    assert [(p.line, p.field) for p in problems] == [
        (6, "service_level"),
        (10, "channels[0].fees[0].amount"),
        (13, "document_cases[0].documents[0].originals"),
    ]


def test_messages_are_in_vietnamese_and_suggest_the_closest_name(tmp_path: Path) -> None:
    _, problems = validate(build("unknown-key", tmp_path))
    assert problems[0].message == "khóa 'nmae' không được phép (unknown key); có phải 'name'?"
    _, problems = validate(build("unknown-references", tmp_path / "b"))
    assert "có phải 'ubnd-xa'?" in problems[0].message


def test_duplicate_code_names_both_files(tmp_path: Path) -> None:
    _, problems = validate(build("duplicate-code", tmp_path))
    first, second = problems
    assert "khai-sinh-lan-hai.yaml" in first.message
    assert "dang-ky-khai-sinh.yaml" in second.message


def test_warnings_alone_leave_the_catalogue_usable(tmp_path: Path) -> None:
    catalogue, problems = validate(build("review-marker", tmp_path))
    assert catalogue is not None
    assert [p.level for p in problems] == [Severity.WARNING]


def test_deprecated_tier_key_is_read_as_tiers(tmp_path: Path) -> None:
    catalogue, _ = validate(build("deprecated-tier", tmp_path))
    assert catalogue is not None
    assert catalogue.full("1.009999").tiers == ["xa"]


def test_oversized_form_file_is_reported(tmp_path: Path) -> None:
    root = build("form-references", tmp_path)
    big = root / "forms" / "ubnd-xa" / "khong-co.docx"
    with big.open("wb") as handle:  # sparse: no 20 MB written to disk
        handle.truncate(MAX_FORM_BYTES + 1)
    _, problems = validate(root)
    assert any(p.code == "E308" and p.field == "forms[1].file" for p in problems)


def test_fifty_megabyte_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    root = build("unknown-key", tmp_path)
    huge = root / "procedures" / "ubnd-xa" / "rat-lon.yaml"
    with huge.open("wb") as handle:
        handle.truncate(50 * 2**20)
    _, problems = validate(root)
    assert [p.code for p in problems if p.path.endswith("rat-lon.yaml")] == ["E103"]


def test_catalogue_folder_without_procedures_is_valid_but_empty(tmp_path: Path) -> None:
    root = tmp_path / "catalogue"
    shutil.copytree(VALID, root)
    shutil.rmtree(root / "procedures")
    catalogue, problems = validate(root)
    assert problems == [] and catalogue is not None and catalogue.procedures == []


def test_problem_paths_are_relative_to_the_given_base(tmp_path: Path) -> None:
    root = build("unknown-key", tmp_path)
    _, problems = validate(root, base=tmp_path)
    assert problems[0].path == "catalogue/procedures/ubnd-xa/unknown-key.yaml"
    assert line(problems[0]) .startswith("catalogue/procedures/ubnd-xa/unknown-key.yaml:7:1: E200")


def test_build_date_comes_from_source_date_epoch_else_newest_update(monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue, _ = validate(VALID)
    assert catalogue is not None
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert catalogue.build_date().isoformat() == "2026-10-01"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert catalogue.build_date().isoformat() == "2026-01-01"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225599")  # 2025-12-31 23:59:59 UTC, already 2026 in Hà Nội
    assert catalogue.build_date().isoformat() == "2025-12-31"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "không phải số")  # not an epoch: the data's date, not the clock
    assert catalogue.build_date().isoformat() == "2026-10-01"


def test_a_procedures_file_instead_of_a_folder_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "catalogue"
    shutil.copytree(VALID, root)
    shutil.rmtree(root / "procedures")
    (root / "procedures").write_text("code: 1\n", encoding="utf-8")
    catalogue, problems = validate(root, base=root)
    assert catalogue is None
    assert [(p.path, p.code) for p in problems] == [("procedures", "E314")]


def test_worker_processes_give_the_same_answer_as_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    invalid = build("three-files", tmp_path)
    serial = [validate(VALID), validate(invalid)]
    monkeypatch.setattr(validate_module, "PARALLEL_MIN_FILES", 1)
    parallel = [validate(VALID), validate(invalid)]
    assert [problems for _, problems in parallel] == [problems for _, problems in serial]
    assert parallel[0][0] is not None and serial[0][0] is not None
    assert parallel[0][0].procedures == serial[0][0].procedures


@pytest.mark.parametrize(("case", "expected"), [
    ("tab-indent", [("E110", 8, 1, ["tab", "dấu cách"])]),
    ("unquoted-code", [("E210", 1, 7, ["là một số", "mất số 0", 'code: "1.999010"']),
                       ("E210", 2, 7, ["là một ngày", 'name: "2026-01-01"'])]),
    ("money-with-dot", [("E211", 10, 32, ["dấu thập phân", "50.000 được đọc là 50", "amount: 50000"]),
                        ("E211", 10, 52, ["max_amount: 1500000"])]),
    ("date-as-text", [("E206", 8, 57, ["dấu ngoặc kép", "issued: 2014-11-20"]),
                      ("E206", 9, 33, ["'31/12/2026'", "due: 2026-12-31"]),
                      ("E206", 10, 10, ["'mùng 1 tháng 10'", "YYYY-MM-DD"])]),
])
def test_the_common_mistakes_get_a_message_that_gives_the_fix(
        case: str, expected: list[tuple[str, int, int, list[str]]], tmp_path: Path) -> None:
    root = build(case, tmp_path)
    _, problems = validate(root, base=root)
    assert [(p.code, p.line, p.column) for p in problems] == [(c, li, co) for c, li, co, _ in expected]
    for problem, (*_, words) in zip(problems, expected, strict=True):
        assert [w for w in words if w not in problem.message] == [], problem.message


def test_a_file_too_large_gives_its_size_with_vietnamese_thousands_dots() -> None:
    problem = load_bytes(b"#" * 6_829_897, "lon.yaml").problems[0]
    assert (problem.code, MAX_FILE_BYTES) == ("E103", 2_097_152)
    assert problem.message.startswith("tệp 6.829.897 byte, vượt giới hạn 2.097.152 byte")


def test_with_results_kept_in_memory_only_the_changed_file_is_checked_again(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Of the fixture's two procedures, the birth registration names a form file: its result is
    # never kept (whether the form file exists can change without the YAML changing).
    root = shutil.copytree(VALID, tmp_path / "catalogue")
    memory = validate_module.Memory()
    first, _ = validate(root, memory=memory)
    assert first is not None and len(first.procedures) == 2 and len(memory.results) == 1
    checked: list[str] = []
    check = validate_module._FileChecker.check
    monkeypatch.setattr(validate_module._FileChecker, "check",
                        lambda self, path, raw=None: (checked.append(path.name), check(self, path, raw))[1])
    assert validate(root, memory=memory)[0] is not None
    assert checked == ["dang-ky-khai-sinh.yaml"]
    edited = root / "procedures" / "bo-cong-an" / "cap-ho-chieu.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("\nname: ", "\nname: Sửa thử ", 1), encoding="utf-8")
    checked.clear()
    second, _ = validate(root, memory=memory)
    assert sorted(checked) == ["cap-ho-chieu.yaml", "dang-ky-khai-sinh.yaml"]
    assert second is not None and any(p.name.startswith("Sửa thử ") for p in second.procedures)
    assert [p.name for p in second.each()] == [p.name for p in second.procedures]  # models from the kept store
    assert len(memory.results) == 1


def test_windows_checked_by_workers_while_the_next_is_read_give_the_same_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    invalid = build("three-files", tmp_path)
    serial = [validate(VALID), validate(invalid)]
    monkeypatch.setattr(validate_module, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(validate_module.parallel, "PARALLEL_MIN", 1)
    monkeypatch.setattr(validate_module, "WINDOW", 2)  # several windows in flight through one pool
    pooled = [validate(VALID), validate(invalid)]
    assert [problems for _, problems in pooled] == [problems for _, problems in serial]
    assert pooled[0][0] is not None and serial[0][0] is not None
    assert pooled[0][0].procedures == serial[0][0].procedures
    assert [p.model_dump() for p in pooled[0][0].each()] == [p.model_dump() for p in serial[0][0].each()]


def test_files_checked_a_window_at_a_time_give_the_same_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    whole, problems = validate(VALID)
    monkeypatch.setattr(validate_module, "WINDOW", 1)
    windowed, again = validate(VALID)
    assert whole is not None and windowed is not None and again == problems
    assert windowed.procedures == whole.procedures
    assert [p.model_dump() for p in windowed.each()] == [p.model_dump() for p in whole.each()]
