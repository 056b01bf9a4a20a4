"""What a change does to the catalogue, procedure by procedure, for review.

Two sides (git refs, folders, or the working tree) are read into snapshots:
each procedure file becomes its normalised data, keyed by code. The diff
lists procedures added, removed and changed, and calls out first what
citizens feel: fees, processing times, service level, documents to bring
and ways to submit. A git ref is read with `git archive` into a temporary
folder: local objects only, no network, the working tree untouched.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from . import models, wording
from .problems import Problem, Severity
from .source import load_file
from .validate import procedure_files, validate

Status = Literal["added", "removed", "changed"]
MARKER = "<!-- catalogue-diff -->"  # lets a workflow find and update its own comment
MAX_ROWS = 300  # a pull-request comment stays under GitHub's 65,536 characters
_CHANNELS = {k.value: v for k, v in models.CHANNEL_LABELS.items()}
_CITIZEN_KEYS = ("service_level", "channels", "document_cases", "retired")


class DiffError(Exception):
    """A side of the diff cannot be read (unknown ref, not a git repository...)."""


class InvalidTree(DiffError):
    """A side does not validate: a diff of it would show misread values as changes."""

    def __init__(self, side: str, files: list[str]) -> None:
        self.files = files
        super().__init__(f"{side}: catalogue không hợp lệ, không so sánh; chạy 'catalogue validate'. "
                         f"Tệp có lỗi: {', '.join(files)}")


@dataclass(frozen=True)
class Change:
    """One difference in one procedure, in words a reviewer reads at a glance."""

    field: str
    label: str
    before: str
    after: str
    citizen: bool


@dataclass(frozen=True)
class ProcedureDiff:
    code: str
    name: str
    status: Status
    path: str
    changes: tuple[Change, ...] = ()
    stale: bool = False  # content changed while `updated` did not move forward


@dataclass
class CatalogueDiff:
    base: str
    head: str
    procedures: list[ProcedureDiff] = field(default_factory=list)

    def with_status(self, status: str) -> list[ProcedureDiff]:
        return [p for p in self.procedures if p.status == status]

    def citizen_rows(self) -> list[tuple[ProcedureDiff, Change]]:
        return [(p, c) for p in self.procedures for c in p.changes if c.citizen]

    def stale_updated(self) -> list[ProcedureDiff]:
        """Changed procedures whose `updated` did not move: a modified-since importer would miss them."""
        return [p for p in self.with_status("changed") if p.stale]


@dataclass(frozen=True)
class Entry:
    path: str
    data: dict[str, Any]


# -- reading the two sides ------------------------------------------------------------


def snapshot(root: Path) -> dict[str, Entry]:
    """Every procedure under `root`, by code (or by path when it has none), normalised."""
    out: dict[str, Entry] = {}
    for path in procedure_files(root):
        # A file that does not load still counts: added, removed or changed by path.
        loaded = load_file(path).data
        data = loaded if isinstance(loaded, dict) else {}
        rel = path.relative_to(root).as_posix()
        key = data["code"] if isinstance(data.get("code"), str) else rel
        out.setdefault(key, Entry(rel, _normalised(data)))
    return out


def _normalised(data: dict[str, Any]) -> dict[str, Any]:
    """The model's view (defaults filled, old keys renamed) when valid; the raw data otherwise."""
    data = models.upgraded(data)
    try:
        return models.Procedure.model_validate(data).model_dump(mode="json")
    except ValidationError:
        return data


@contextmanager
def side(spec: str | None, catalogue: Path) -> Iterator[Path]:
    """The catalogue folder for `spec`: the working tree (None), a folder, or a git ref."""
    if spec is None:
        yield catalogue
        return
    folder = Path(spec)
    if folder.is_dir():
        # A catalogue folder itself, or a repository folder that holds one.
        is_catalogue = (folder / "agencies.yaml").exists() or (folder / "procedures").is_dir()
        yield folder if is_catalogue or not (folder / catalogue.name).is_dir() else folder / catalogue.name
        return
    with tempfile.TemporaryDirectory(prefix="catalogue-diff-") as tmp:
        yield _extract_ref(spec, catalogue, Path(tmp))


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise DiffError(f"không chạy được git: {exc}") from None
    if done.returncode != 0:
        raise DiffError(done.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} thất bại")
    return done.stdout


def _extract_ref(ref: str, catalogue: Path, dest: Path) -> Path:
    """Write the catalogue as it is at `ref` into `dest`; an absent folder gives an empty one."""
    where = catalogue.resolve()
    cwd = where if where.is_dir() else Path.cwd()
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], cwd).decode().strip()).resolve()
    except DiffError:
        raise DiffError(f"'{ref}' không phải thư mục, và {cwd} không nằm trong kho git "
                        "nên không đọc được phiên bản git") from None
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd)
    except DiffError:
        raise DiffError(f"'{ref}' không phải thư mục hay phiên bản git (ref) đã biết") from None
    if not where.is_relative_to(top):
        raise DiffError(f"thư mục catalogue {catalogue} không nằm trong kho git {top}")
    rel = where.relative_to(top).as_posix() if where != top else "."
    listed = _git(["ls-tree", "-d", "--name-only", ref, "--", rel], top).strip()
    target = dest / rel
    target.mkdir(parents=True, exist_ok=True)
    if rel != "." and not listed:
        return target
    archive = _git(["archive", "--format=tar", ref, "--", rel], top)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return target


def diff_refs(base: str, head: str | None, catalogue: Path) -> CatalogueDiff:
    """Compare the catalogue at `base` with `head` (a ref or folder; None = working tree).

    Both sides must validate (InvalidTree otherwise): an invalid value read
    raw (a fee of 5.5) would be reported as a real change.
    """
    head_name = head or "thư mục làm việc"
    with side(base, catalogue) as old_root, side(head, catalogue) as new_root:
        for name, root in ((base, old_root), (head_name, new_root)):
            check_valid(name, root)
        return compare(snapshot(old_root), snapshot(new_root), base, head_name)


def check_valid(name: str, root: Path) -> None:
    """Raise InvalidTree naming the files with errors when the catalogue at `root` does not validate."""
    if not any(root.iterdir()):
        return  # before the catalogue existed: everything is added
    catalogue, found = validate(root, base=root)
    if catalogue is None:
        files = sorted({p.path for p in found if p.level is Severity.ERROR}) or [str(root)]
        raise InvalidTree(name, files)


# -- `updated` must move with the content -----------------------------------------------


@dataclass(frozen=True)
class Stale:
    """A procedure whose content differs from the base while its `updated` did not move past the base's."""

    code: str
    path: Path  # the file in the working tree
    was: str
    now: str


def stale_updated(base: str, catalogue: Path) -> list[Stale]:
    """Procedures of the working tree at `catalogue` changed since `base` (a ref or folder) with an old `updated`."""
    with side(base, catalogue) as old_root:
        old = snapshot(old_root)
    new = snapshot(catalogue)
    return [Stale(p.code, catalogue / p.path, _updated(old[p.code].data), _updated(new[p.code].data))
            for p in compare(old, new).stale_updated()]


def _updated(data: dict[str, Any]) -> str:
    return str(data.get("updated") or "")


def is_stale(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Content (the record as the model reads it, `updated` aside: not comments nor formatting) changed,
    and `updated` is not later than before (ISO dates order as text)."""
    content_changed = {k: v for k, v in old.items() if k != "updated"} != {k: v for k, v in new.items() if k != "updated"}
    return content_changed and not _updated(new) > _updated(old)


def stale_problems(base: str, catalogue: Path, shown_from: Path) -> list[Problem]:
    """E317 at the `updated` key of each stale procedure, its path shown relative to `shown_from`."""
    problems = []
    for stale in stale_updated(base, catalogue):
        resolved = stale.path.resolve()
        shown = resolved.relative_to(shown_from.resolve()).as_posix() \
            if resolved.is_relative_to(shown_from.resolve()) else str(stale.path)
        earlier = f" (trước đó {stale.was})" if stale.now < stale.was else ""
        message = (f"nội dung thủ tục {stale.code} đã đổi so với {base} nhưng updated vẫn là {stale.now or '—'}"
                   f"{earlier}; hệ thống nhập theo ngày sẽ bỏ sót: đặt ngày sửa, ví dụ "
                   f"catalogue fmt --set-updated --base {base} --date YYYY-MM-DD")
        problems.append(load_file(stale.path, shown).problem(("updated",), "E317", message))
    return problems


# -- comparing ------------------------------------------------------------------------


def compare(old: dict[str, Entry], new: dict[str, Entry], base: str = "", head: str = "") -> CatalogueDiff:
    """Procedure by procedure: added, removed, changed (in code order)."""
    result = CatalogueDiff(base, head)
    for code in sorted(old.keys() | new.keys()):
        before, after = old.get(code), new.get(code)
        if before is None and after is not None:
            result.procedures.append(ProcedureDiff(code, _name(after.data), "added", after.path))
        elif after is None and before is not None:
            result.procedures.append(ProcedureDiff(code, _name(before.data), "removed", before.path))
        elif before is not None and after is not None and before.data != after.data:
            changes = tuple(citizen_changes(before.data, after.data) + other_changes(before.data, after.data))
            result.procedures.append(ProcedureDiff(code, _name(after.data), "changed", after.path, changes,
                                                   is_stale(before.data, after.data)))
    return result


def citizen_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Changes to level, ways to submit, times, fees and documents."""
    changes: list[Change] = []
    if old.get("service_level") != new.get("service_level"):
        changes.append(Change("service_level", "Mức độ", _text(old.get("service_level")),
                              _text(new.get("service_level")), True))
    if old.get("retired") != new.get("retired"):
        changes.append(Change("retired", "Hết hiệu lực", _retirement(old.get("retired")),
                              _retirement(new.get("retired")), True))
    changes.extend(_channel_changes(_by_kind(old), _by_kind(new)))
    changes.extend(_document_changes(_documents(old), _documents(new)))
    return changes


def _retirement(raw: Any) -> str:
    """'Bãi bỏ từ 15/11/2026' or 'Thay thế bởi 1.001193 từ …'; '—' while in force."""
    if raw is None:
        return "—"
    text = json.dumps(raw, ensure_ascii=False, default=str)  # snapshots hold dates as JSON text
    try:  # a side of the diff may not be valid: then its text as written
        retired = models.Retirement.model_validate_json(text)
    except ValidationError:
        return _short(text)
    since = f"từ {wording.date_text(retired.date)}"
    return f"Thay thế bởi {retired.successor} {since}" if retired.successor else f"Bãi bỏ {since}"


def _by_kind(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    channels = data.get("channels")
    out: dict[str, dict[str, Any]] = {}
    for channel in channels if isinstance(channels, list) else []:
        if isinstance(channel, dict):
            out.setdefault(str(channel.get("kind")), channel)
    return out


def _channel_changes(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[Change]:
    changes: list[Change] = []
    added, removed = sorted(new.keys() - old.keys()), sorted(old.keys() - new.keys())
    if added or removed:
        changes.append(Change("channels", "Cách thức nộp", _kinds(old), _kinds(new), True))
    for kind in sorted(old.keys() | new.keys()):
        before, after = old.get(kind, {}), new.get(kind, {})
        label = _CHANNELS.get(kind, kind)
        pairs = [("processing_time", "Thời hạn", _time(before), _time(after)),
                 ("fees", "Phí, lệ phí", _fees(before), _fees(after)),
                 ("url", "Địa chỉ nộp", _text(before.get("url")), _text(after.get("url")))]
        for key, what, was, now in pairs:
            if was != now and (before or key != "url") and (after or key != "url"):
                changes.append(Change(f"channels.{kind}.{key}", f"{what} ({label})", was, now, True))
    return changes


def _kinds(channels: dict[str, dict[str, Any]]) -> str:
    return ", ".join(_CHANNELS.get(k, k) for k in sorted(channels)) or "—"


def _time(channel: dict[str, Any]) -> str:
    if not channel:
        return "—"
    raw = channel.get("processing_time")
    if not isinstance(raw, dict):
        return "không ghi"
    try:  # a side of the diff may not be valid: then its text as written
        time = models.ProcessingTime.model_validate(raw)
    except ValidationError:
        return _short(json.dumps(raw, ensure_ascii=False))
    if time.note:
        time = time.model_copy(update={"note": _short(time.note)})
    return wording.duration_line(time) or "không ghi"


def _fees(channel: dict[str, Any]) -> str:
    if not channel:
        return "—"
    fees = channel.get("fees")
    if not isinstance(fees, list) or not fees:
        return "không ghi phí"
    return "; ".join(_fee(f) for f in fees if isinstance(f, dict)) or "không ghi phí"


def _fee(raw: dict[str, Any]) -> str:
    try:  # a side of the diff may not be valid: then its text as written
        fee = models.Fee.model_validate(raw)
    except ValidationError:
        return _short(json.dumps(raw, ensure_ascii=False), 60)
    return wording.fee_line(fee.model_copy(update={"note": _short(fee.note, 60)}) if fee.note else fee)


def _documents(data: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(case, document name) → counts, for every document of every case."""
    out: dict[tuple[str, str], str] = {}
    cases = data.get("document_cases")
    for case in cases if isinstance(cases, list) else []:
        if not isinstance(case, dict):
            continue
        label = str(case.get("case") or "")
        docs = case.get("documents")
        for doc in docs if isinstance(docs, list) else []:
            if isinstance(doc, dict):
                out[(label, str(doc.get("name")))] = _counts(doc)
    return out


def _counts(doc: dict[str, Any]) -> str:
    parts = [f"{doc['originals']} bản chính" if doc.get("originals") is not None else "",
             f"{doc['copies']} bản sao" if doc.get("copies") is not None else "",
             "bắt buộc" if doc.get("required") else "", f"mẫu {doc['form']}" if doc.get("form") else ""]
    return ", ".join(p for p in parts if p) or "không ghi số bản"


def _document_changes(old: dict[tuple[str, str], str], new: dict[tuple[str, str], str]) -> list[Change]:
    changes: list[Change] = []
    for case, name in sorted(old.keys() | new.keys()):
        was, now = old.get((case, name)), new.get((case, name))
        if was == now:
            continue
        where = f" — {_short(case, 50)}" if case else ""
        label = f"Hồ sơ{where}: {_short(name, 80)}"
        changes.append(Change("document_cases", label, "—" if was is None else was,
                              "—" if now is None else now, True))
    return changes


def other_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every other top-level field that changed, summarised."""
    changes: list[Change] = []
    for key in _field_order(old.keys() | new.keys()):
        if key in _CITIZEN_KEYS or old.get(key) == new.get(key):
            continue
        changes.append(Change(key, _label(key), _summary(old.get(key)), _summary(new.get(key)), False))
    return changes


def _field_order(keys: set[str]) -> list[str]:
    rank = {name: i for i, name in enumerate(models.Procedure.model_fields)}
    return sorted(keys, key=lambda k: (rank.get(k, len(rank)), k))


_LABELS = {
    "name": "Tên thủ tục", "description": "Mô tả", "forms": "Mẫu đơn, tờ khai", "results": "Kết quả",
    "legal_basis": "Căn cứ pháp lý", "online": "Kết nối trực tuyến", "roadmap": "Kế hoạch nâng cấp",
    "life_events": "Sự kiện cuộc sống", "keywords": "Từ khóa", "updated": "Ngày cập nhật",
}


def _label(key: str) -> str:
    """'Mô tả (description)': the Vietnamese name first, the key for those who edit the file."""
    info = models.Procedure.model_fields.get(key)
    text = _LABELS.get(key) or (info.description if info is not None else None)
    return f"{text} ({key})" if text else key


def _summary(value: Any) -> str:
    if value is None or value in ([], {}):
        return "—"
    if isinstance(value, list):
        return f"{len(value)} mục"
    if isinstance(value, dict):
        return "đã ghi"
    return _short(_text(value), 80)


# -- small text helpers ---------------------------------------------------------------


def _name(data: dict[str, Any]) -> str:
    return _short(str(data.get("name") or ""), 120)


def _text(value: Any) -> str:
    return "—" if value is None else str(value)


def _short(text: str, limit: int = 100) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1].rstrip() + "…"


# -- rendering ------------------------------------------------------------------------


_STATUS_VI = {"added": "thêm mới", "removed": "bỏ", "changed": "sửa"}


STALE_HINT = ("hệ thống nhập theo ngày sẽ bỏ sót; hãy đặt `updated` là ngày sửa "
              "(importers that go by date would miss these)")


def headline(diff: CatalogueDiff) -> str:
    counts = {s: len(diff.with_status(s)) for s in ("added", "removed", "changed")}
    if not any(counts.values()):
        return "Không có thay đổi nào về thủ tục."
    return ", ".join(f"{n} thủ tục {_STATUS_VI[s]}" for s, n in counts.items() if n)


def render(diff: CatalogueDiff, fmt: str) -> str:
    """The diff as text, markdown (a pull-request comment) or json."""
    if fmt == "json":
        return json.dumps(_as_json(diff), ensure_ascii=False, indent=2, sort_keys=True)
    if fmt == "markdown":
        return render_markdown(diff)
    return render_text(diff)


def _as_json(diff: CatalogueDiff) -> dict[str, Any]:
    return {"base": diff.base, "head": diff.head, "stale_updated": [p.code for p in diff.stale_updated()],
            "summary": {s: len(diff.with_status(s)) for s in ("added", "removed", "changed")},
            "procedures": [asdict(p) for p in diff.procedures]}


def render_text(diff: CatalogueDiff) -> str:
    lines = [f"So sánh {diff.base} → {diff.head}: {headline(diff)}"]
    rows = diff.citizen_rows()
    if rows:
        lines += ["", "Thay đổi người dân cần biết:"]
        lines += [f"  {p.code} {c.label}: {c.before} → {c.after}" for p, c in rows]
    for status in ("added", "removed"):
        found = diff.with_status(status)
        if found:
            lines += ["", f"Thủ tục {_STATUS_VI[status]}:"]
            lines += [f"  {p.code} {p.name} ({p.path})" for p in found]
    others = [(p, c) for p in diff.procedures for c in p.changes if not c.citizen]
    if others:
        lines += ["", "Thay đổi khác:"]
        lines += [f"  {p.code} {c.label}: {c.before} → {c.after}" for p, c in others]
    stale = diff.stale_updated()
    if stale:
        lines += ["", f"Nội dung đổi nhưng ngày cập nhật (updated) giữ nguyên — {STALE_HINT}:"]
        lines += [f"  {p.code} ({p.path})" for p in stale]
    return "\n".join(lines)


def render_markdown(diff: CatalogueDiff) -> str:
    """A pull-request comment: headline, then citizen-facing changes first, as tables."""
    out = [MARKER, "## Thay đổi danh mục thủ tục", "",
           f"**{headline(diff)}** (so sánh `{_cell(diff.base)}` → `{_cell(diff.head)}`)"]
    rows = diff.citizen_rows()
    if rows:
        out += ["", "### Thay đổi người dân cần biết", "",
                "| Thủ tục | Nội dung | Trước | Sau |", "|---|---|---|---|"]
        out += [f"| `{p.code}` {_cell(p.name)} | {_cell(c.label)} | {_cell(c.before)} | **{_cell(c.after)}** |"
                for p, c in rows[:MAX_ROWS]]
        out += _more(len(rows))
    for status, title in (("added", "Thủ tục thêm mới"), ("removed", "Thủ tục bị bỏ")):
        found = diff.with_status(status)
        if found:
            out += ["", f"### {title}", ""]
            out += [f"- `{p.code}` {_cell(p.name)} — `{_cell(p.path)}`" for p in found[:MAX_ROWS]]
            out += _more(len(found))
    others = [p for p in diff.with_status("changed") if any(not c.citizen for c in p.changes)]
    if others:
        out += ["", "### Sửa khác", ""]
        out += [f"- `{p.code}` {_cell(p.name)}: " + ", ".join(_cell(c.label) for c in p.changes if not c.citizen)
                for p in others[:MAX_ROWS]]
        out += _more(len(others))
    stale = diff.stale_updated()
    if stale:
        out += ["", "### ⚠️ Nội dung đổi nhưng `updated` giữ nguyên", "", STALE_HINT.capitalize() + ".", ""]
        out += [f"- `{p.code}` {_cell(p.name)} — `{_cell(p.path)}`" for p in stale[:MAX_ROWS]]
        out += _more(len(stale))
    return "\n".join(out) + "\n"


def _more(count: int) -> list[str]:
    return ["", f"… và {count - MAX_ROWS} mục khác (xem `catalogue diff`)."] if count > MAX_ROWS else []


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell or inline code."""
    return " ".join(text.split()).replace("|", "\\|").replace("`", "'")
