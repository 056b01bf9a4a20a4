"""Problems are values: a sortable record of where, what code, and why.

Every code is stable and documented here with a bad and a good example;
the error reference page (dong-gop/ma-loi.md, made by generator/reference.py
when the site is built) is generated from this table so it never drifts.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum

from .wording import group_digits


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one file, at the line and column of the offending node."""

    path: str
    line: int
    column: int
    code: str
    field: str
    message: str
    level: Severity = Severity.ERROR

    def as_text(self) -> str:
        where = f" {self.field}:" if self.field else ""
        return f"{self.path}:{self.line}:{self.column}: {self.code}{where} {self.message}"

    def as_github(self) -> str:
        # Workflow commands must not contain raw newlines or '%'.
        text = f"{self.code} {self.field}: {self.message}" if self.field else f"{self.code} {self.message}"
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        kind = "error" if self.level is Severity.ERROR else "warning"
        return f"::{kind} file={self.path},line={self.line},col={self.column}::{text}"

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["level"] = self.level.value
        return data


@dataclass(frozen=True)
class CodeDoc:
    """What a code means, with a YAML example that triggers it and one that does not."""

    code: str
    title: str
    level: Severity
    bad: str
    good: str
    more: tuple[tuple[str, str], ...] = ()  # further (bad, good) pairs, one per message of the code


def _doc(code: str, title: str, bad: str, good: str, level: Severity = Severity.ERROR, *,
         more: tuple[tuple[str, str], ...] = ()) -> CodeDoc:
    return CodeDoc(code, title, level, bad.strip("\n"), good.strip("\n"), more)


_P = "code: \"1.001193\"\nname: Đăng ký khai sinh\n"

CODES: dict[str, CodeDoc] = {
    d.code: d
    for d in [
        _doc("E100", "Lỗi cú pháp YAML (YAML syntax error)", "name: [Đăng ký", "name: Đăng ký"),
        _doc("E101", "Khóa bị lặp trong cùng một mapping (duplicate key)",
             _P + "name: Đăng ký kết hôn", _P),
        _doc("E102", "Thẻ YAML không chuẩn (non-standard tag)",
             "name: !!python/object:os.system ls", "name: Đăng ký khai sinh"),
        _doc("E103", "Tệp quá lớn (file too large)", "# một tệp YAML lớn hơn 2 MB",
             "# mỗi thủ tục một tệp nhỏ"),
        _doc("E104", "Bí danh YAML mở rộng quá mức (alias expansion too large)",
             "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
             "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]", "a: [x]"),
        _doc("E105", "Tệp không phải văn bản UTF-8 (not UTF-8 text)",
             "# tệp lưu bằng mã TCVN3 hoặc Windows-1258", "# tệp lưu bằng UTF-8"),
        _doc("E106", "Văn bản có dấu hiệu mã tiếng Việt cũ TCVN3/VNI (legacy encoding)",
             "name: §¨ng ký kÕt h«n", "name: Đăng ký kết hôn"),
        _doc("E107", "Tệp rỗng (empty file)", "", _P),
        _doc("E108", "Gốc tệp phải là một mapping (top level must be a mapping)",
             "- code: \"1.001193\"", _P),
        _doc("E109", "Tệp chứa nhiều tài liệu YAML (more than one document)",
             _P + "---\n" + _P, _P),
        _doc("E110", "Thụt lề bằng ký tự tab (tab indentation)",
             "channels:\n\t- kind: truc-tiep  # dòng này bắt đầu bằng một ký tự tab",
             "channels:\n  - kind: truc-tiep  # hai dấu cách"),
        _doc("E200", "Khóa không được phép (unknown key)", _P + "nmae: Đăng ký", _P),
        _doc("E201", "Thiếu trường bắt buộc (missing required field)",
             "code: \"1.001193\"", _P + "agency: ubnd-xa"),
        _doc("E202", "Sai kiểu dữ liệu (wrong type)", "service_level: \"4\"", "service_level: 4"),
        _doc("E203", "Giá trị không nằm trong danh sách cho phép (value not allowed)",
             "channels:\n  - kind: online", "channels:\n  - kind: truc-tuyen"),
        _doc("E204", "Sai định dạng (pattern mismatch)", "code: \"1001193\"", "code: \"1.001193\""),
        _doc("E205", "Giá trị ngoài khoảng cho phép (out of range)",
             "service_level: 5", "service_level: 4"),
        _doc("E206", "Ngày không hợp lệ, dùng YYYY-MM-DD (invalid date)",
             "updated: 01/10/2026", "updated: 2026-10-01",
             more=(("issued: \"2014-11-20\"", "issued: 2014-11-20"), ("updated: mùng 1 tháng 10", "updated: 2026-10-01"))),
        _doc("E207", "Địa chỉ web phải là http hoặc https (invalid URL)",
             "url: javascript:alert(1)", "url: https://dichvucong.gov.vn/"),
        _doc("E208", "Chuỗi rỗng hoặc quá dài (empty or too long)", "name: \"\"", "name: Đăng ký"),
        _doc("E209", "Giá trị không hợp lệ (invalid value)", "amount: -5", "amount: 5000"),
        _doc("E210", "Chữ bị YAML đọc thành số hoặc ngày: đặt trong dấu ngoặc kép (text read as a number or date)",
             "code: 1.999010", "code: \"1.999010\"", more=(("name: 2026-01-01", "name: \"2026-01-01\""),)),
        _doc("E211", "Dấu chấm trong số là dấu thập phân (dot read as a decimal point)",
             "amount: 50.000", "amount: 50000"),
        _doc("E300", "Cơ quan không có trong agencies.yaml (unknown agency)",
             "agency: ubnd-xaa", "agency: ubnd-xa"),
        _doc("E301", "Lĩnh vực không có trong fields.yaml (unknown field)",
             "field: hotich", "field: ho-tich"),
        _doc("E302", "Sự kiện cuộc sống không có trong life_events.yaml (unknown life event)",
             "life_events: [sinh]", "life_events: [sinh-con]"),
        _doc("E303", "Mã thủ tục bị trùng giữa hai tệp (duplicate procedure code)",
             "# a.yaml và b.yaml cùng code: \"1.001193\"", "# mỗi mã chỉ ở một tệp"),
        _doc("E304", "Giấy tờ tham chiếu mẫu không có trong forms (unknown form id)",
             "document_cases:\n  - documents:\n      - {name: Tờ khai, form: to-khai}\nforms: []",
             "document_cases:\n  - documents:\n      - {name: Tờ khai, form: to-khai}\n"
             "forms:\n  - {id: to-khai, title: Tờ khai}"),
        _doc("E305", "Không tìm thấy tệp mẫu (form file missing)",
             "file: forms/ubnd-xa/khong-co.docx", "file: forms/ubnd-xa/to-khai.docx"),
        _doc("E306", "Đường dẫn mẫu ra ngoài catalogue/forms (path escapes forms/)",
             "file: ../../etc/passwd", "file: forms/ubnd-xa/to-khai.docx"),
        _doc("E307", "Đuôi tệp mẫu không được phép (extension not allowed)",
             "file: forms/ubnd-xa/to-khai.exe", "file: forms/ubnd-xa/to-khai.pdf"),
        _doc("E308", "Tệp mẫu quá lớn (form file too large)",
             "file: forms/ubnd-xa/ban-scan-50mb.pdf", "file: forms/ubnd-xa/to-khai.pdf"),
        _doc("E309", "Tên tệp sai quy tắc slug (file name not a slug)",
             "# procedures/ubnd-xa/Dang Ky.yaml", "# procedures/ubnd-xa/dang-ky.yaml"),
        _doc("E310", "Mã định danh bị trùng (duplicate id)",
             "agencies:\n  - {id: ubnd-xa, name: UBND xã, tier: xa}\n"
             "  - {id: ubnd-xa, name: UBND phường, tier: xa}",
             "agencies:\n  - {id: ubnd-xa, name: UBND xã, tier: xa}"),
        _doc("E311", "Thư mục của tệp không khớp với cơ quan (folder does not match agency)",
             "# procedures/bo-cong-an/x.yaml\nagency: bo-tu-phap",
             "# procedures/bo-tu-phap/x.yaml\nagency: bo-tu-phap"),
        _doc("E312", "Cơ quan cấp trên không tồn tại hoặc tạo vòng (bad parent)",
             "agencies:\n  - {id: a, name: A, tier: bo, parent: a}",
             "agencies:\n  - {id: a, name: A, tier: bo}"),
        _doc("E313", "Phạm vi chỉ tiêu không hợp lệ (bad target scope)",
             "scope: {tier: bo, agency: bo-tu-phap}", "scope: {agency: bo-tu-phap}"),
        _doc("E314", "Thiếu tệp bắt buộc của catalogue (missing catalogue file)",
             "# catalogue/ không có agencies.yaml", "# catalogue/agencies.yaml"),
        _doc("E315", "Thủ tục thay thế không có trong catalogue hoặc đã bị bãi bỏ (unknown or abolished successor)",
             "retired:\n  date: 2026-07-01\n  kind: thay-the\n  decided_by: {number: 123/QĐ-BTP, title: Quyết định công bố}\n"
             "  successor: \"1.999998\"  # không có tệp nào mang mã này",
             "retired:\n  date: 2026-07-01\n  kind: thay-the\n  decided_by: {number: 123/QĐ-BTP, title: Quyết định công bố}\n"
             "  successor: \"1.001193\"  # thủ tục đang có hiệu lực"),
        _doc("E316", "Chuỗi thay thế tạo thành vòng (replacement cycle)",
             "# 1.000001: successor \"1.000002\"; 1.000002: successor \"1.000001\"",
             "# 1.000001: successor \"1.000002\"; 1.000002 đang có hiệu lực (không có retired)"),
        _doc("E317", "Nội dung đổi nhưng ngày cập nhật giữ nguyên (updated did not move)",
             "# so với nhánh gốc: amount 100 → 150000\nupdated: 2026-10-01  # như nhánh gốc",
             "# so với nhánh gốc: amount 100 → 150000\nupdated: 2026-12-02  # ngày sửa; catalogue fmt --set-updated"),
        _doc("E318", "Hai kho dữ liệu khai báo khác nhau cùng một mã (conflict between merged catalogues)",
             "# kho-a/agencies.yaml: {id: ubnd-xa, name: UBND xã, tier: xa}\n"
             "# kho-b/agencies.yaml: {id: ubnd-xa, name: Ủy ban nhân dân xã, tier: xa}",
             "# cả hai kho: {id: ubnd-xa, name: Ủy ban nhân dân xã, tier: xa}"),
        _doc("W400", "Giá trị cần rà soát (marked for review)",
             "review:\n  - {field: channels, reason: Không đọc được phí}", "review: []",
             Severity.WARNING),
        _doc("W401", "Khóa đã lỗi thời (deprecated key)", "tier: xa", "tiers: [xa]", Severity.WARNING),
    ]
}


def sort_key(problem: Problem) -> tuple[str, int, int, str, str]:
    return (problem.path, problem.line, problem.column, problem.code, problem.field)


def render(problems: list[Problem], fmt: str) -> str:
    """Render problems as text, json or GitHub workflow annotations."""
    ordered = sorted(problems, key=sort_key)
    if fmt == "json":
        return json.dumps([p.as_dict() for p in ordered], ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(p.as_github() for p in ordered)
    return "\n".join(p.as_text() for p in ordered)


def summary(problems: list[Problem], hidden: int = 0) -> str:
    """'13 lỗi (errors), 570 cảnh báo (warnings)', saying how many were not printed."""
    errors = sum(1 for p in problems if p.level is Severity.ERROR)
    warnings = len(problems) - errors
    text = f"{group_digits(errors)} lỗi (errors), {group_digits(warnings)} cảnh báo (warnings)"
    return f"{text}; {group_digits(hidden)} cảnh báo không in (--errors-only)" if hidden else text
