"""Thành phần hồ sơ: documents grouped by case, with counts and the forms they name.

The flat text is, per case: an optional case title ("* Giấy tờ phải nộp:",
"--" for none), the header "Tên giấy tờMẫu đơn, tờ khaiSố lượng", then rows
of name + attached form file names + count ("1 bản chính", "0 bản chính,1
bản sao"), all glued together. Every row ends with a count cell, which is
what the parser splits on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..models import Document, DocumentCase, Form
from .parsed import Parsed
from .text import LOWER, NO_INFO, clean, slugify

HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_EXT = r"\.(?:docx?|pdf|xlsx?|rtf|odt)"
# The count cell; not inside parentheses ("(01 bản chính)") and not running
# on into a lowercase word ("01 bản chính hoặc ..."), which are name text.
_COUNT = re.compile(
    rf"(?<![(\d])(\d+) bản chính(?:,(\d+) bản sao)?(?!\))(?! ?[{LOWER}](?![).]))"
)
_ATTACHMENT = re.compile(rf"{_EXT}$", re.IGNORECASE)
# "Mẫu số 01/TK", "mẫu NA5", "Mẫu TP-TSCC-10": ASCII code characters, at least one digit.
_FORM_CODE = re.compile(
    r"\b[Mm]ẫu(?: số)?[ :]+(?=[A-Za-zĐ0-9./-]*\d)[A-ZĐ0-9](?:[A-Za-zĐ0-9./-]*[A-Za-zĐ0-9])?(?![\wĐđ])"
)
MAX_COUNT = 20
_BULLET = re.compile(r"^(?:[-+•]\s*)+")
_NAMED_FILE_START = re.compile(r"(?:Mẫu|Mau|Phụ lục|\d+[.-])")


@dataclass
class DocumentsResult:
    """Cases with their documents, and the forms the documents name."""

    cases: Parsed[DocumentCase] = field(default_factory=Parsed)
    forms: list[Form] = field(default_factory=list)
    attachments: int = 0


def parse(text: str) -> DocumentsResult:
    """Document cases and forms; text outside any counted row is flagged."""
    result = DocumentsResult()
    body = clean(text).replace("\n", " ")
    if body in ("", NO_INFO):
        return result
    chunks = body.split(HEADER)
    if len(chunks) == 1:
        result.cases.rows, result.cases.flagged_rows = 1, 1
        result.cases.flag("document_cases", "Không nhận ra bảng thành phần hồ sơ", body)
        return result
    title = chunks[0]
    for i, chunk in enumerate(chunks[1:], start=1):
        last = i == len(chunks) - 1
        rows, tail = _rows(chunk)
        _add_case(result, _case_title(title), rows)
        if last and tail.strip():
            result.cases.flag(f"document_cases[{len(result.cases.items) - 1}]",
                              "Có văn bản sau dòng cuối không có số lượng", tail.strip())
        title = tail
    return result


def _rows(chunk: str) -> tuple[list[tuple[str, int, int | None]], str]:
    """(text, originals, copies) per counted row, and the text after the last count."""
    rows, start = [], 0
    for match in _COUNT.finditer(chunk):
        copies = int(match.group(2)) if match.group(2) else None
        rows.append((chunk[start:match.start()], int(match.group(1)), copies))
        start = match.end()
    return rows, chunk[start:]


def _case_title(text: str) -> str | None:
    title = text.strip().strip("-").strip()
    title = re.sub(r"^\*\s*", "", title).rstrip(":").strip()
    return title or None


def _add_case(result: DocumentsResult, title: str | None, rows: list[tuple[str, int, int | None]]) -> None:
    index = len(result.cases.items)
    documents: list[Document] = []
    for text, originals_cell, copies_cell in rows:
        originals: int | None = originals_cell
        copies: int | None = copies_cell
        result.cases.rows += 1
        name, files = _split_attachments(_BULLET.sub("", text.strip()))
        if not name:
            result.cases.flagged_rows += 1
            result.cases.flag(f"document_cases[{index}]", "Dòng có số lượng nhưng không có tên giấy tờ",
                              text.strip() or f"{originals_cell} bản chính")
            continue
        result.attachments += len(files)
        form = _form(result, name, files)
        if originals_cell > MAX_COUNT or (copies_cell or 0) > MAX_COUNT:
            result.cases.flagged_rows += 1
            result.cases.flag(f"document_cases[{index}].documents[{len(documents)}]",
                              "Số lượng dính liền với chữ số của tên giấy tờ, không đọc được",
                              f"{text.strip()}{originals_cell} bản chính")
            originals, copies = None, None
        documents.append(Document(name=name, form=form, originals=originals, copies=copies))
    result.cases.items.append(DocumentCase(case=title, documents=documents))


def _split_attachments(text: str) -> tuple[str, list[str]]:
    """The document name, and the attached file names glued to its end."""
    files: list[str] = []
    while _ATTACHMENT.search(text):
        start = _file_start(text)
        if start is None:
            break
        files.insert(0, text[start:])
        text = text[:start].rstrip()
    return text, files


def _file_start(text: str) -> int | None:
    """Where a glued file name begins: the leftmost boundary that leaves a plausible name.

    A boundary is a point with no space on either side, after sentence
    punctuation, or before "Mẫu…"/"Mau…"/"12." after a letter. The file name
    after it must not contain a sentence break ('. ', '; ').
    """
    ext = _ATTACHMENT.search(text)
    assert ext is not None
    for i in range(1, ext.start()):
        before, here = text[i - 1], text[i]
        if before.isspace() or here.isspace():
            continue
        punct = before in ".;:)" and here.isalnum()
        glued = before.isalpha() and _NAMED_FILE_START.match(text, i) is not None and before.islower()
        if not (punct or glued):
            continue
        candidate = text[i:]
        if ". " in candidate or "; " in candidate or len(candidate) > 160:
            continue
        return i
    return None


def _form(result: DocumentsResult, name: str, files: list[str]) -> str | None:
    """The id of the form this document names (creating it), or None."""
    code = _code(name) or next((c for c in (_code(_ATTACHMENT.sub("", f)) for f in files) if c), None)
    if code is None and not files:
        return None
    for form in result.forms:
        if form.title == name and form.code == code:
            return form.id
    base = slugify(code or name, 50) or "mau"
    ids = {form.id for form in result.forms}
    form_id, n = base, 2
    while form_id in ids:
        form_id, n = f"{base}-{n}", n + 1
    result.forms.append(Form(id=form_id, title=name, code=code, file_names=files))
    return form_id


def _code(text: str) -> str | None:
    """"Mẫu số 01/TK", "Mẫu TP-TSCC-10", "mẫu NA5" → the code as written, capitalised."""
    match = _FORM_CODE.search(text)
    if match is None:
        return None
    code = re.sub(r"(?<=\d)[a-z]{3,}$", "", match.group(0))  # "TP-CC-01ban hành" ran together
    return code[0].upper() + code[1:]
