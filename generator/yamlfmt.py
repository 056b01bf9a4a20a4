"""One canonical YAML form for catalogue files, keeping every comment.

Canonical means: keys in the order of the model's fields (unknown keys after
them, as written), two-space indentation with indented sequences, short
all-scalar mappings and lists in flow style (`{value: 1, unit: days}`),
multi-line text as literal blocks, long one-line text folded (`>-`) at 100
columns, strings that would read as something else (`"1.001193"`) in double
quotes, blank lines only before a comment block.

Why not ruamel.yaml's round trip, the usual tool for keeping comments?
Two reasons, both about data, not taste. (1) ruamel attaches a full-line
comment to the node *before* it, so reordering keys carries "# Lệ phí" away
with the wrong key; keeping comments through a reorder needs our own
anchoring either way. (2) ruamel speaks YAML 1.2 while the loader
(source.py, PyYAML) reads YAML 1.1: `yes`, `8:00` or `010` written plain by
ruamel would come back as true, 480 or 8. So the data is written by PyYAML,
the same YAML dialect that reads it, and comments are re-inserted by anchor:
a full-line comment belongs to the key or item below it, an end-of-line
comment to the key or item on its line. Every result is loaded again and
compared with the input; a difference is an error, never a silent change.
"""

from __future__ import annotations

import bisect
import datetime as dt
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from . import models
from .problems import Problem, Severity
from .source import load_bytes

try:  # libyaml scans and composes ~10x faster; the pure-Python one is equivalent.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the platform's PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FLOW = 100  # a flow mapping or list longer than this (with its indent) goes block
FOLD_OVER = 80  # one-line text longer than this is written folded (`>-`), wrapped at WIDTH
WIDTH = 100
_STR = "tag:yaml.org,2002:str"
Loc = tuple[str | int, ...]

# File name → model of the whole file; anything under procedures/ is a Procedure.
_FILE_MODELS: dict[str, type[BaseModel]] = {
    "agencies.yaml": models.AgenciesFile,
    "fields.yaml": models.FieldsFile,
    "life_events.yaml": models.LifeEventsFile,
    "targets.yaml": models.TargetsFile,
    "usage.yaml": models.UsageFile,
}
# Deprecated keys are placed where their successor goes.
_SUCCESSOR = models.DEPRECATED_KEYS


class FormatError(Exception):
    """A file that cannot be formatted without changing its data."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line, self.column = line, column


def model_for(path: Path) -> type[BaseModel] | None:
    """The model that fixes the key order of a catalogue file, if any."""
    if "procedures" in path.parts[:-1]:
        return models.Procedure
    return _FILE_MODELS.get(path.name)


# -- key order -------------------------------------------------------------------


def ordered(value: Any, model: type[BaseModel] | None) -> Any:
    """`value` with every mapping's keys in its model's field order."""
    if isinstance(value, list):
        return [ordered(item, model) for item in value]
    if not isinstance(value, dict):
        return value
    if model is None:
        return {k: ordered(v, None) for k, v in value.items()}
    rank = {name: i for i, name in enumerate(model.model_fields)}
    last = len(rank)

    def key(item: tuple[int, Any]) -> tuple[int, int]:
        i, name = item
        return (rank.get(_field_name(model, name) or "", last), i)

    keys = [name for _, name in sorted(enumerate(value), key=key)]
    return {k: ordered(value[k], _submodel(model, k)) for k in keys}


def _field_name(model: type[BaseModel], name: Any) -> str | None:
    """The model field a key stands for: itself, or the successor of a deprecated key."""
    if not isinstance(name, str) or name in model.model_fields:
        return name if isinstance(name, str) else None
    return _SUCCESSOR.get(name)


def _submodel(model: type[BaseModel], name: Any) -> type[BaseModel] | None:
    info = model.model_fields.get(_field_name(model, name) or "")
    return model_in(info.annotation) if info is not None else None


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The model inside `X | None`, `list[X]` or `Annotated[X, ...]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = model_in(arg)
            if found is not None:
                return found
    return None


# -- comments ----------------------------------------------------------------------


@dataclass
class Comments:
    """Comments of a file, each anchored to the path of a key or list item."""

    start: list[str] = field(default_factory=list)  # above the first key
    before: dict[Loc, list[str]] = field(default_factory=dict)  # full lines above an entry
    eol: dict[Loc, str] = field(default_factory=dict)  # at the end of an entry's line
    end: list[str] = field(default_factory=list)  # below the last entry

    def anchors(self) -> set[Loc]:
        return set(self.before) | set(self.eol)


def _entries(node: yaml.Node, loc: Loc = ()) -> Iterator[tuple[int, int, Loc]]:
    """(line, column, path) of every key and list item, in document order."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*loc, key.value)
            yield key.start_mark.line, key.start_mark.column, here
            yield from _entries(value, here)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield item.start_mark.line, item.start_mark.column, (*loc, i)
            yield from _entries(item, (*loc, i))


def _comment_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) character offsets of every comment: '#' in the gaps between tokens."""
    previous = 0
    for token in yaml.scan(text, Loader=_Loader):
        gap = text[previous:token.start_mark.index]
        offset = 0
        while (hash_at := gap.find("#", offset)) >= 0:
            newline = gap.find("\n", hash_at)
            stop = len(gap) if newline < 0 else newline
            yield previous + hash_at, previous + stop
            offset = stop
        previous = max(previous, token.end_mark.index)


def extract_comments(text: str, root: yaml.Node | None) -> Comments:
    """Anchor each comment of `text` (whose node tree is `root`) to an entry path."""
    comments = Comments()
    entries = list(_entries(root)) if root is not None else []
    lines = [line for line, _, _ in entries]
    source_lines = text.split("\n")
    line_starts = [0]
    for row in source_lines[:-1]:
        line_starts.append(line_starts[-1] + len(row) + 1)
    for start, stop in _comment_spans(text):
        line = bisect.bisect_right(line_starts, start) - 1
        body = text[start:stop].rstrip()
        if text[line_starts[line]:start].strip():
            _attach_eol(comments, entries, lines, line, body)
            continue
        blank = line > 0 and not source_lines[line - 1].strip()
        after = bisect.bisect_right(lines, line)
        if not entries or after == 0:
            target = comments.start
        elif after == len(entries):
            target = comments.end
        else:
            target = comments.before.setdefault(entries[after][2], [])
        if blank and (target or target is not comments.start):
            target.append("")  # keep one blank line where the author left some
        target.append(body)
    return comments


def _attach_eol(comments: Comments, entries: list[tuple[int, int, Loc]], lines: list[int],
                line: int, body: str) -> None:
    """An end-of-line comment belongs to the innermost entry that starts on its line."""
    index = bisect.bisect_right(lines, line) - 1
    if index < 0:
        comments.start.append(body)
        return
    loc = entries[index][2]
    previous = comments.eol.get(loc)
    comments.eol[loc] = f"{previous} {body}" if previous else body


# -- writing -----------------------------------------------------------------------


class _FlowDict(dict[Any, Any]):
    pass


class _FlowList(list[Any]):
    pass


class _Dumper(yaml.SafeDumper):
    """SafeDumper that indents lists inside mappings (`key:\\n  - item`)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_RESOLVER = yaml.resolver.Resolver()


def _plain_reads_as_other(text: str) -> bool:
    """True when `text` written plain would be read back as a number, date, bool or null."""
    return bool(_RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) != _STR)  # type: ignore[no-untyped-call]


def _is_long_prose(text: str) -> bool:
    """Long text with spaces is folded; a long single token (a URL) stays on its line."""
    return len(text) > FOLD_OVER and " " in text


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    if "\n" in text:
        style: str | None = "|"
    elif _is_long_prose(text):
        style = ">"  # long prose stays readable; PyYAML quotes it instead when folding cannot keep it exact
    elif _plain_reads_as_other(text):
        style = '"'  # "1.001193", "true", "2026-01-01" stay strings, quoted one way
    else:
        style = None
    return dumper.represent_scalar(_STR, text, style=style)


def _represent_flow_dict(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _represent_flow_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_FlowDict, _represent_flow_dict)
_Dumper.add_representer(_FlowList, _represent_flow_list)


def _styled(value: Any, loc: Loc, block: set[Loc]) -> Any:
    """Mark short all-scalar mappings and lists for flow style, unless they hold comments."""
    if isinstance(value, dict):
        inner = {k: _styled(v, (*loc, k), block) for k, v in value.items()}
        if value and loc and loc not in block and _fits_flow(value.items(), loc):
            return _FlowDict(inner)
        return inner
    if isinstance(value, list):
        items = [_styled(v, (*loc, i), block) for i, v in enumerate(value)]
        if value and loc and loc not in block and _fits_flow(((None, v) for v in value), loc):
            return _FlowList(items)
        return items
    return value


def _fits_flow(pairs: Iterable[tuple[Any, Any]], loc: Loc) -> bool:
    width = 2 * len(loc) + len(str(loc[-1]) if loc else "") + 4
    for key, value in pairs:
        if isinstance(value, (dict, list)) or (isinstance(value, str) and ("\n" in value or _is_long_prose(value))):
            return False
        width += len(str(value)) + (len(str(key)) + 2 if key is not None else 0) + 2
    return width <= MAX_FLOW


def _emit(data: Any, block: set[Loc]) -> str:
    return yaml.dump(_styled(data, (), block), Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=WIDTH)


def _with_comments(body: str, comments: Comments) -> str:
    """Insert comments above and beside the lines of their anchors in `body`."""
    root = yaml.compose(body, Loader=_Loader)
    entries = _entries(root) if root is not None else iter(())
    where = {loc: (line, column, isinstance(loc[-1], int)) for line, column, loc in entries}
    rows = body.rstrip("\n").split("\n") if body.strip() not in ("", "{}") else []
    above: dict[int, list[str]] = {}
    end = list(comments.end)
    for loc, texts in sorted(comments.before.items(), key=lambda kv: _order(kv[0], where)):
        found = _nearest(loc, where)
        if found is None:
            end.extend(t for t in texts if t)
            continue
        line, column, item = where[found]
        indent = " " * (column - 2 if item else column)
        above.setdefault(line, []).extend(f"{indent}{t}" if t else "" for t in texts)
    for loc, text in sorted(comments.eol.items(), key=lambda kv: _order(kv[0], where)):
        found = _nearest(loc, where)
        if found is None:
            end.append(text)
        else:
            rows[where[found][0]] += f"  {text}"
    out = list(comments.start)
    for i, row in enumerate(rows):
        out.extend(above.get(i, []))
        out.append(row)
    out.extend(end)
    return "\n".join(out) + "\n"


def _order(loc: Loc, where: dict[Loc, tuple[int, int, bool]]) -> tuple[int, str]:
    found = _nearest(loc, where)
    return (where[found][0] if found is not None else 1 << 30, repr(loc))


def _nearest(loc: Loc, where: dict[Loc, tuple[int, int, bool]]) -> Loc | None:
    """The anchor itself, or its closest ancestor present in the output."""
    while loc and loc not in where:
        loc = loc[:-1]
    return loc or None


# -- public entry points -------------------------------------------------------------


def dump(data: Any, model: type[BaseModel] | None = models.Procedure, header: Iterable[str] = ()) -> str:
    """Canonical YAML for `data` (plain dicts, lists, scalars), with optional header comment lines.

    Importers write through this, so that what they write is already formatted.
    """
    comments = Comments(start=[f"# {line}" if line else "#" for line in header])
    return _with_comments(_emit(ordered(data, model), set()), comments)


def format_text(text: str, model: type[BaseModel] | None, name: str = "<text>",
                updated: dt.date | None = None) -> str:
    """The canonical form of YAML `text`; raises FormatError if it cannot be read or kept equal.

    `updated`: a procedure's new `updated` date (catalogue fmt --set-updated), its comments kept.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    doc = load_bytes(text.encode("utf-8"), name)
    # Text in a legacy encoding (E106) is still text; any other loader problem
    # (syntax, duplicate key, odd tag, bad date) means the data cannot be trusted.
    errors = [p for p in doc.problems if p.level is Severity.ERROR and p.code != "E106"]
    if doc.data is None or errors:
        first = errors[0] if errors else Problem(name, 1, 1, "E107", "", "tệp rỗng")
        raise FormatError(f"{first.code} {first.message}", first.line, first.column)
    if not isinstance(doc.data, dict):  # every catalogue file is a mapping (E108 in validate)
        raise FormatError("E108 gốc tệp phải là một mapping YAML")
    if updated is not None and model is models.Procedure:
        doc.data["updated"] = updated
    comments = extract_comments(text, doc.root)
    block = {loc[:i] for loc in comments.anchors() for i in range(len(loc))}
    result = _with_comments(_emit(ordered(doc.data, model), block), comments)
    again = load_bytes(result.encode("utf-8"), name)
    if again.data != doc.data:  # pragma: no cover - a guard: formatting must never change data
        raise FormatError("định dạng lại sẽ làm thay đổi dữ liệu; hãy báo lỗi này cho nhóm phát triển")
    return result


@dataclass(frozen=True)
class FileResult:
    """What formatting did (or would do) to one file."""

    path: Path
    changed: bool
    problem: Problem | None = None


def yaml_files(paths: Iterable[Path]) -> list[Path]:
    """The .yaml/.yml files named or found under `paths`, sorted; form files are skipped."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
                         and "forms" not in p.relative_to(path).parts)
        else:
            found.add(path)
    return sorted(found)


def format_file(path: Path, *, write: bool, updated: dt.date | None = None) -> FileResult:
    """Format one file (a procedure with `updated` as its date, when given); write it only when `write`
    and it changed."""
    try:
        original = path.read_text(encoding="utf-8")
    except OSError as exc:
        return FileResult(path, False, Problem(str(path), 1, 1, "E105", "", f"không đọc được tệp: {exc.strerror}"))
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        return FileResult(path, False, Problem(str(path), line, 1, "E105", "",
                                               "tệp không phải UTF-8; hãy lưu lại với mã hóa UTF-8"))
    try:
        formatted = format_text(original, model_for(path), str(path), updated)
    except FormatError as exc:
        return FileResult(path, False, Problem(str(path), exc.line, exc.column, "E100", "",
                                               f"không định dạng được: {exc}"))
    changed = formatted != original
    if changed and write:
        path.write_text(formatted, encoding="utf-8")
    return FileResult(path, changed)
