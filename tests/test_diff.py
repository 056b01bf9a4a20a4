"""`catalogue diff`: what a change does, procedure by procedure, citizen-facing first."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.diff import MARKER, Entry, compare, diff_refs, render

AGENCIES = "agencies:\n  - {id: ubnd-xa, name: UBND xã, tier: xa}\n"
FIELDS = "fields:\n  - {id: ho-tich, name: Hộ tịch}\n"
BIRTH = """\
code: "1.001193"
name: Đăng ký khai sinh
agency: ubnd-xa
tiers: [xa]
field: ho-tich
service_level: 3
channels:
  - kind: truc-tiep
    processing_time: {value: 3, unit: working_days}
    fees:
      - {kind: le-phi, amount: 0}
document_cases:
  - case: null
    documents:
      - {name: Tờ khai đăng ký khai sinh, originals: 1}
description: Đăng ký việc sinh.
updated: 2026-01-01
"""
DEATH = BIRTH.replace("1.001193", "1.000656").replace("Đăng ký khai sinh", "Đăng ký khai tử")
GIT_ENV = {"GIT_AUTHOR_NAME": "Cán bộ", "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": "Cán bộ",
           "GIT_COMMITTER_EMAIL": "a@example.org", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


def write_catalogue(root: Path, procedures: dict[str, str]) -> Path:
    base = root / "catalogue"
    (base / "procedures" / "ubnd-xa").mkdir(parents=True, exist_ok=True)
    (base / "agencies.yaml").write_text(AGENCIES, encoding="utf-8")
    (base / "fields.yaml").write_text(FIELDS, encoding="utf-8")
    for old in (base / "procedures" / "ubnd-xa").glob("*.yaml"):
        old.unlink()
    for name, text in procedures.items():
        (base / "procedures" / "ubnd-xa" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return base


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


CHANGED_BIRTH = (BIRTH.replace("service_level: 3", "service_level: 4")
                 .replace("{kind: le-phi, amount: 0}", "{kind: le-phi, amount: 50000}")
                 .replace("{value: 3, unit: working_days}", "{value: 1, unit: working_days}")
                 .replace("      - {name: Tờ khai đăng ký khai sinh, originals: 1}\n",
                          "      - {name: Tờ khai đăng ký khai sinh, originals: 1}\n      - {name: Giấy chứng sinh}\n")
                 .replace("Đăng ký việc sinh.", "Đăng ký việc sinh cho trẻ em.")
                 + "").replace("  - kind: truc-tiep\n", "  - kind: truc-tuyen\n    url: https://dichvucong.gov.vn/\n"
                               "  - kind: truc-tiep\n", 1)


@pytest.fixture
def data_repo(tmp_path: Path) -> Path:
    """A separate agency data repository with two commits: one procedure, then a change and an addition."""
    repo = tmp_path / "du-lieu-tthc"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    write_catalogue(repo, {"dang-ky-khai-sinh": BIRTH})
    git(repo, "add", "catalogue")
    git(repo, "commit", "--quiet", "-m", "Thêm thủ tục đăng ký khai sinh")
    write_catalogue(repo, {"dang-ky-khai-sinh": CHANGED_BIRTH, "dang-ky-khai-tu": DEATH})
    git(repo, "add", "catalogue")
    git(repo, "commit", "--quiet", "-m", "Nâng mức độ, thu lệ phí, thêm khai tử")
    return repo


def run_in(repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", *args])
    return result.exit_code, result.output


def test_diff_between_two_commits_of_a_data_repository_calls_out_citizen_changes_first(
        data_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run_in(data_repo, monkeypatch, "HEAD~1", "HEAD", "--format", "markdown")
    assert code == 0, out
    assert out.startswith(MARKER)
    assert "**1 thủ tục thêm mới, 1 thủ tục sửa**" in out
    citizen = out.index("### Thay đổi người dân cần biết")
    assert citizen < out.index("### Thủ tục thêm mới") < out.index("### Sửa khác")
    table = out[citizen:out.index("### Thủ tục thêm mới")]
    assert "| `1.001193` Đăng ký khai sinh | Mức độ | 3 | **4** |" in table
    assert "| Phí, lệ phí (Trực tiếp) | Lệ phí: Miễn phí | **Lệ phí: 50.000 đồng** |" in table
    assert "| Thời hạn (Trực tiếp) | 3 ngày làm việc | **1 ngày làm việc** |" in table
    assert "| Cách thức nộp | Trực tiếp | **Trực tiếp, Trực tuyến** |" in table
    assert "| Hồ sơ: Giấy chứng sinh | — | **không ghi số bản** |" in table
    assert "- `1.000656` Đăng ký khai tử — `procedures/ubnd-xa/dang-ky-khai-tu.yaml`" in out
    assert "Mô tả" not in table and "(description)" in out[out.index("### Sửa khác"):]


def test_diff_without_head_compares_with_the_working_tree(data_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_catalogue(data_repo, {"dang-ky-khai-sinh": CHANGED_BIRTH})
    code, out = run_in(data_repo, monkeypatch, "HEAD")
    assert code == 0
    assert out.startswith("So sánh HEAD → thư mục làm việc: 1 thủ tục bỏ")
    assert "1.000656 Đăng ký khai tử (procedures/ubnd-xa/dang-ky-khai-tu.yaml)" in out


def test_diff_reads_a_ref_without_touching_the_working_tree(data_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_in(data_repo, monkeypatch, "HEAD~1", "HEAD")
    assert git(data_repo, "status", "--porcelain") == ""


def test_json_format_lists_each_procedure_with_structured_changes(
        data_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run_in(data_repo, monkeypatch, "HEAD~1", "HEAD", "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert data["summary"] == {"added": 1, "removed": 0, "changed": 1}
    changed = next(p for p in data["procedures"] if p["status"] == "changed")
    fee = next(c for c in changed["changes"] if c["field"] == "channels.truc-tiep.fees")
    assert fee == {"field": "channels.truc-tiep.fees", "label": "Phí, lệ phí (Trực tiếp)",
                   "before": "Lệ phí: Miễn phí", "after": "Lệ phí: 50.000 đồng", "citizen": True}


def test_a_ref_before_the_catalogue_existed_shows_everything_added(
        data_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (data_repo / "README.md").write_text("x", encoding="utf-8")
    git(data_repo, "checkout", "--quiet", "--orphan", "trong")
    git(data_repo, "rm", "-r", "--quiet", "--cached", "catalogue")
    git(data_repo, "add", "README.md")
    git(data_repo, "commit", "--quiet", "-m", "trống")
    code, out = run_in(data_repo, monkeypatch, "trong", "main", "--format", "json")
    assert code == 0, out
    assert json.loads(out)["summary"] == {"added": 2, "removed": 0, "changed": 0}


def test_two_folders_can_be_compared(tmp_path: Path) -> None:
    old = write_catalogue(tmp_path / "a", {"dang-ky-khai-sinh": BIRTH})
    new = write_catalogue(tmp_path / "b", {"dang-ky-khai-sinh": BIRTH.replace("service_level: 3", "service_level: 2")})
    result = diff_refs(str(old), str(new.parent), Path("catalogue"))
    assert [(p.code, p.status) for p in result.procedures] == [("1.001193", "changed")]
    assert [(c.label, c.before, c.after) for c in result.procedures[0].changes] == [("Mức độ", "3", "2")]


def test_an_unknown_ref_is_a_usage_error(data_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run_in(data_repo, monkeypatch, "khong-co-nhanh-nay")
    assert code == 2
    assert "không phải thư mục hay phiên bản git" in out


def test_a_catalogue_folder_outside_the_repository_is_a_usage_error(
        data_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = write_catalogue(tmp_path / "ngoai", {"dang-ky-khai-sinh": BIRTH})
    code, out = run_in(data_repo, monkeypatch, "HEAD", "--catalogue", str(outside))
    assert code == 2
    assert "không nằm trong kho git" in out


def test_a_ref_outside_any_repository_is_a_usage_error_in_vietnamese(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, out = run_in(tmp_path, monkeypatch, "HEAD")
    assert code == 2
    assert "không nằm trong kho git" in out
    assert "fatal" not in out


def test_diff_refuses_an_invalid_tree_naming_its_files_with_exit_2(tmp_path: Path) -> None:
    old = write_catalogue(tmp_path / "a", {"khai-sinh": BIRTH})
    new = write_catalogue(tmp_path / "b", {"khai-sinh": BIRTH.replace("amount: 0}", "amount: 5.5}"),
                                           "hong": "name: [Đăng ký"})
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 2
    assert "procedures/ubnd-xa/hong.yaml" in result.output
    assert "procedures/ubnd-xa/khai-sinh.yaml" in result.output
    assert "5.5" not in result.output and "So sánh" not in result.output


def test_a_change_without_a_new_updated_date_is_called_out(tmp_path: Path) -> None:
    old = write_catalogue(tmp_path / "a", {"khai-sinh": BIRTH})
    new = write_catalogue(tmp_path / "b", {"khai-sinh": BIRTH.replace("amount: 0}", "amount: 150000}")})
    result = diff_refs(str(old), str(new), Path("catalogue"))
    assert [p.code for p in result.stale_updated()] == ["1.001193"]
    assert "`updated` giữ nguyên" in render(result, "markdown")
    bumped = write_catalogue(tmp_path / "c", {"khai-sinh": CHANGED_BIRTH.replace("updated: 2026-01-01", "updated: 2026-02-01")})
    assert diff_refs(str(old), str(bumped), Path("catalogue")).stale_updated() == []


def test_identical_sides_say_so() -> None:
    entries = {"1.001193": Entry("a.yaml", {"code": "1.001193", "name": "A"})}
    assert render(compare(entries, dict(entries), "a", "b"), "text") == "So sánh a → b: Không có thay đổi nào về thủ tục."


def test_fee_ranges_units_and_documents_are_described_in_words() -> None:
    before = {"code": "1.000001", "name": "A", "channels": [{"kind": "buu-chinh", "fees": [], "processing_time": None}],
              "document_cases": [{"case": "Người nước ngoài", "documents": [{"name": "Hộ chiếu", "copies": 1}]}]}
    after = {"code": "1.000001", "name": "A",
             "channels": [{"kind": "buu-chinh", "processing_time": {"value": 2, "max_value": 3, "unit": "months"},
                           "fees": [{"kind": "phi", "amount": 1000, "max_amount": 2000, "currency": "USD",
                                     "per": "bản"}]}],
             "document_cases": [{"case": "Người nước ngoài", "documents": [{"name": "Hộ chiếu", "copies": 2}]}]}
    result = compare({"1.000001": Entry("a.yaml", before)}, {"1.000001": Entry("a.yaml", after)})
    assert [(c.label, c.before, c.after) for c in result.procedures[0].changes] == [
        ("Thời hạn (Dịch vụ bưu chính)", "không ghi", "2 – 3 tháng"),
        ("Phí, lệ phí (Dịch vụ bưu chính)", "không ghi phí", "Phí: 1.000 – 2.000 USD/bản"),
        ("Hồ sơ — Người nước ngoài: Hộ chiếu", "1 bản sao", "2 bản sao"),
    ]


def test_a_fee_without_a_kind_is_named_as_the_source_names_the_column() -> None:
    before = {"code": "1.000001", "name": "A", "channels": [{"kind": "truc-tiep", "fees": []}]}
    after = {"code": "1.000001", "name": "A", "channels": [{"kind": "truc-tiep", "fees": [{"kind": None, "amount": 5000}]}]}
    change = compare({"1.000001": Entry("a.yaml", before)}, {"1.000001": Entry("a.yaml", after)}).procedures[0].changes[0]
    assert (change.before, change.after) == ("không ghi phí", "Phí, lệ phí: 5.000 đồng")


def test_a_retirement_is_a_change_citizens_need_to_know(tmp_path: Path) -> None:
    old = write_catalogue(tmp_path / "a", {"khai-sinh": BIRTH})
    retired = BIRTH.replace("updated: 2026-01-01", "retired:\n  date: 2026-11-15\n  kind: bai-bo\n"
                            "  decided_by: {number: 01/2026/QĐ-THU, title: Quyết định (dữ liệu thử)}\n"
                            "updated: 2026-11-15")
    new = write_catalogue(tmp_path / "b", {"khai-sinh": retired})
    result = diff_refs(str(old), str(new), Path("catalogue"))
    assert [(c.label, c.before, c.after) for _, c in result.citizen_rows()] == [
        ("Hết hiệu lực", "—", "Bãi bỏ từ 15/11/2026")]
    assert result.stale_updated() == []
