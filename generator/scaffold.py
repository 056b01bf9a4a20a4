"""A commented template for a new procedure, ready to fill in.

Every value an agency must write is an empty string `""`. Left empty, each
one is a validation error that names its field ("chuỗi rỗng", "cần số
nguyên", "không phải ngày"), so an unfinished file can never be published by
accident; filled in, the file is valid. The template is written in the
canonical form of `yamlfmt`, so `catalogue fmt --check` passes on it too.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from . import models
from .importers.text import slugify
from .source import load_file
from .yamlfmt import format_text

SCHEMA_HEADER = "# yaml-language-server: $schema=../../../schema/procedure.schema.json"

_TEMPLATE = """\
{header}
# Thủ tục mới. Điền mọi chỗ "" rồi chạy: catalogue validate
# Khóa nào không áp dụng thì xóa cả dòng (hoặc cả mục). Ý nghĩa từng khóa:
# trang "Tham chiếu trường dữ liệu" trong phần Đóng góp của trang web.
# Mã thủ tục quốc gia (Mã TTHC), dạng D.DDDDDD
code: "{code}"
# Tên thủ tục, đúng như trong quyết định công bố
name: {name}
# Số quyết định công bố, ví dụ 1085/QĐ-BTP
decision: ""
# Cơ quan thực hiện: id trong agencies.yaml, trùng tên thư mục chứa tệp này
agency: {agency}
# Cấp thực hiện: bo | tinh | huyen | xa | khac
tiers: [{tier}]
# Lĩnh vực: một id trong fields.yaml
field: ""
# Mức độ dịch vụ công trực tuyến: 1, 2, 3 hoặc 4
service_level: ""
# Đối tượng thực hiện: cong-dan | doanh-nghiep | to-chuc | nguoi-nuoc-ngoai | ...
subjects: [cong-dan]
# Mô tả ngắn cho người dân: thủ tục này để làm gì
description: ""
# Cách thức thực hiện: mỗi cách nộp một mục, kind: truc-tiep | truc-tuyen | buu-chinh
channels:
  - kind: truc-tiep
    # Thời hạn giải quyết; unit: working_days | days | hours | months | years | same_day
    processing_time: {{value: "", unit: working_days}}
    # Phí, lệ phí: số nguyên, VND; 0 nếu miễn. kind: le-phi | phi | gia
    fees:
      - {{kind: le-phi, amount: ""}}
# Thành phần hồ sơ; case: null nghĩa là áp dụng cho mọi trường hợp
document_cases:
  - case: null
    documents:
      - {{name: "", originals: 1, copies: 0}}
# Trình tự thực hiện, mỗi bước một dòng
steps:
  - ""
# Kết quả thực hiện
results:
  - {{name: ""}}
# Căn cứ pháp lý; issued là ngày ban hành YYYY-MM-DD
legal_basis:
  - {{number: "", title: "", issued: ""}}
# Ngày cập nhật, dạng YYYY-MM-DD; đổi mỗi khi nội dung đổi (catalogue fmt --set-updated)
updated: {updated}
"""


class ScaffoldError(Exception):
    """A new procedure cannot be written; the message says why, in Vietnamese."""


def template(code: str, agency: str, tier: str, name: str | None = None, updated: dt.date | None = None) -> str:
    """The commented template for one procedure, in canonical form; `updated` empty when no date is given."""
    text = _TEMPLATE.format(header=SCHEMA_HEADER, code=code, agency=agency, tier=tier,
                            name=_quoted(name) if name else '""', updated=updated.isoformat() if updated else '""')
    return format_text(text, models.Procedure)


def new_procedure(root: Path, agency: str, code: str, name: str | None = None,
                  updated: dt.date | None = None) -> Path:
    """Write the template to procedures/<agency>/<slug>.yaml under `root`; return its path."""
    if re.fullmatch(models.CODE_PATTERN, code) is None:
        raise ScaffoldError(f"mã thủ tục '{code}' phải có dạng D.DDDDDD, ví dụ 1.001193")
    tier = _agency_tier(root, agency)
    if (where := _file_with_code(root, code)) is not None:
        raise ScaffoldError(f"mã thủ tục {code} đã có trong {where}")
    # The importer's slug of the name (whole words, at most 80 characters), else the code.
    slug = slugify(name or "", 80) or code.replace(".", "-")
    path = root / "procedures" / agency / f"{slug}.yaml"
    if path.exists():
        raise ScaffoldError(f"tệp {path} đã tồn tại")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(template(code, agency, tier, name, updated), encoding="utf-8")
    return path


def _agency_tier(root: Path, agency: str) -> str:
    """The tier of `agency` in agencies.yaml; an error if the agency is not there."""
    path = root / "agencies.yaml"
    if not path.is_file():
        raise ScaffoldError(f"chưa có {path}; hãy tạo tệp này và khai báo cơ quan '{agency}' trước")
    data = load_file(path).data
    rows = data.get("agencies") if isinstance(data, dict) else None
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict) and row.get("id") == agency:
            return str(row.get("tier") or "")
    raise ScaffoldError(f"cơ quan '{agency}' chưa có trong {path}; hãy thêm vào trước (id, name, tier)")


def _file_with_code(root: Path, code: str) -> Path | None:
    """A procedure file that already declares `code`, found by a text scan (no full validation)."""
    pattern = re.compile(rf"^code:\s*[\"']?{re.escape(code)}[\"']?\s*(#.*)?$", re.MULTILINE)
    for path in sorted((root / "procedures").rglob("*.yaml")):
        if pattern.search(path.read_text(encoding="utf-8", errors="replace")):
            return path
    return None


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
