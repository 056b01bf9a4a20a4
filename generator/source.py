"""YAML → plain Python values, keeping the node tree for positions.

PyYAML's safe constructor keeps the last of two duplicate keys silently and
throws line numbers away. Here the C-accelerated parser composes the node
tree, and a small walk of our own builds the values: it rejects duplicate
keys and non-standard tags, bounds alias expansion, normalises text to NFC
and flags legacy Vietnamese encodings. The node tree is kept so a problem
found later (by pydantic, or a cross-reference) can be pointed at the line
and column of the offending key or value.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem
from .wording import group_digits

try:  # The C parser is ~10× faster; fall back where libyaml is missing.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the platform's PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64
_STD = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ, _MERGE = _STD + "str", _STD + "map", _STD + "seq", _STD + "merge"
# First characters with which a plain scalar may resolve to something other than
# str under YAML 1.1 (yes/No/true/False/on/Off, null/~, numbers, .inf, dates, '<<', '=').
_MAYBE_TYPED = frozenset("yYnNtTfFoO~-+.0123456789<=!&*")
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}

# Characters that TCVN3 (ABC) and VNI fonts put where Vietnamese letters
# belong; none of them occurs in Vietnamese written in Unicode.
_LEGACY = frozenset("¡¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º¼½¾¿ÆÇËÎÏÐÑÖ×ØÛÜÞßäåæçëîïðñöøûüþÿ")
# VNI writes a vowel's marks as a second Latin-1 letter ("aê" for ă, "yù" for
# ý); these pairs never occur in Vietnamese written in Unicode. "»" is left
# out of the set above: pages use it as a breadcrumb separator ("TTHC»Bộ").
_VNI_PAIR = re.compile("[aeiouyAEIOUY][ùøÙØ]|[aeoAEO][âÂ]|[aA][êÊ]")
# The quick test is the character class alone (a pair pattern scans ~6× slower).
# VNI text of any length carries its hỏi/huyền/nặng marks and đ as û, ø, ï,
# ñ, all in the class; only a few words with none of them would slip by.
_TRIGGER = re.compile(f"[{re.escape(''.join(sorted(_LEGACY)))}]")

Path_ = tuple[str | int, ...]


class SourceError(Exception):
    """A file that cannot become a value at all; carries its problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class LoadedFile:
    """A loaded YAML file: its value, its node tree, and problems met on the way."""

    path: str
    data: Any
    root: yaml.Node | None
    problems: list[Problem] = field(default_factory=list)

    def text_at(self, loc: Path_) -> str | None:
        """The YAML text of the plain scalar at `loc` as written (1.999010, not 1.99901), if there is one."""
        node = self.root
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if k.value == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
            else:
                return None
        if isinstance(node, yaml.ScalarNode) and not node.style:  # plain: None, or "" from libyaml
            return str(node.value)
        return None

    def position(self, loc: Path_, *, key: bool = False) -> tuple[int, int]:
        """1-based line and column of the node at `loc` (or of its key).

        Walks as deep as the path exists, so a missing field points at the
        mapping that should hold it.
        """
        node = self.root
        if node is None:
            return (1, 1)
        mark = node.start_mark
        for i, part in enumerate(loc):
            last = i == len(loc) - 1
            if isinstance(node, yaml.MappingNode):
                pair = next((kv for kv in node.value if kv[0].value == part), None)
                if pair is None:
                    break
                node = pair[1]
                mark = pair[0].start_mark if (last and key) else node.start_mark
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        return (mark.line + 1, mark.column + 1)

    def problem(self, loc: Path_, code: str, message: str, *, key: bool = False, **kw: Any) -> Problem:
        line, column = self.position(loc, key=key)
        return Problem(self.path, line, column, code, dotted(loc), message, **kw)


def dotted(loc: Path_) -> str:
    """('channels', 0, 'fees') → 'channels[0].fees'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_file(path: Path, display: str | None = None) -> LoadedFile:
    """Read and parse one YAML file; never raises for bad content."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _failed(name, "E103", _too_large(size))
        raw = path.read_bytes()
    except OSError as exc:
        return _failed(name, "E105", f"không đọc được tệp: {exc.strerror}")
    return load_bytes(raw, name)


def _too_large(size: int) -> str:
    return (f"tệp {group_digits(size)} byte, vượt giới hạn {group_digits(MAX_FILE_BYTES)} byte; "
            "mỗi thủ tục một tệp, và để tệp mẫu (forms) trong thư mục forms/")


def load_bytes(raw: bytes, name: str) -> LoadedFile:
    """Parse YAML bytes (UTF-8, optional BOM, LF or CRLF) into a LoadedFile."""
    if len(raw) > MAX_FILE_BYTES:
        return _failed(name, "E103", _too_large(len(raw)))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return _failed(name, "E105", "tệp không phải UTF-8; hãy lưu lại với mã hóa UTF-8", line)
    if "\x00" in text:
        return _failed(name, "E105", "tệp chứa ký tự NUL, có lẽ là tệp nhị phân")
    if not text.strip():
        return _failed(name, "E107", "tệp rỗng; cần một mapping YAML")
    try:
        # The bytes, not the text: libyaml reads UTF-8 (and a BOM) itself, and composes
        # ~20 % faster from bytes than from a str it must encode again.
        root = _compose(raw)
    except SourceError as exc:
        return LoadedFile(name, None, None, [_renamed(_tab_hint(exc.problem, text), name)])
    # One scan of the whole file decides whether any scalar needs the
    # legacy-encoding check: far cheaper than a regex call per scalar.
    builder = _Builder(name, suspicious=_TRIGGER.search(text) is not None)
    try:
        data = builder.build(root)
    except SourceError as exc:
        return LoadedFile(name, None, root, [_renamed(exc.problem, name)])
    if data is None and not builder.problems:  # '---' or '~' alone: nothing in it
        return _failed(name, "E107", "tệp rỗng; cần một mapping YAML")
    return LoadedFile(name, data, root, builder.problems)


class _FastLoader(_Loader):
    """The C loader with a cheaper resolver.

    libyaml parses in C but calls back into Python to resolve the type of
    every node, and that is most of the loading time. We use no path
    resolvers, so a sequence is a seq and a mapping a map, a quoted or block
    scalar is a str, and a plain scalar's type depends on its text alone:
    text that cannot start a bool, number, null or date is a str, and the
    rest (keys such as `name`, values such as `true`) are looked up once.
    """

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return _STR
            if value and value[0] not in _MAYBE_TYPED:
                return _STR
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]
                if len(_PLAIN_TAGS) < 50_000:
                    _PLAIN_TAGS[value] = tag
            return tag
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        """Path resolvers are not used: nothing to track."""

    def ascend_resolver(self) -> None:
        """Path resolvers are not used: nothing to track."""


_PLAIN_TAGS: dict[str, str] = {}
# Only its scalar constructors are used, and they keep no state: one for every file
# (a SafeLoader per file, reader and scanner included, cost ~0.1 ms).
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _compose(source: str | bytes) -> yaml.Node:
    loader = _FastLoader(source)
    try:
        root = loader.get_single_node()
    except yaml.composer.ComposerError as exc:
        if "expected a single document" in str(exc):
            raise SourceError(_mark_problem(exc, "E109", "mỗi tệp chỉ chứa một tài liệu YAML")) from None
        raise SourceError(_mark_problem(exc, "E100", _yaml_message(exc))) from None
    except yaml.MarkedYAMLError as exc:
        if "maximum nesting depth" in (exc.problem or ""):
            # libyaml (PyYAML ≥ 6.0.4) stops deep nesting itself, before our builder's own limit.
            raise SourceError(_mark_problem(exc, "E104", f"cấu trúc lồng sâu quá {MAX_DEPTH} cấp")) from None
        raise SourceError(_mark_problem(exc, "E100", _yaml_message(exc))) from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise SourceError(Problem("", 1, 1, "E100", "", f"YAML không hợp lệ: {exc}")) from None
    finally:
        loader.dispose()
    if root is None:
        raise SourceError(Problem("", 1, 1, "E107", "", "tệp rỗng; cần một mapping YAML"))
    return root


TAB_MESSAGE = ("dòng này thụt lề bằng ký tự tab; YAML không cho phép tab để thụt lề: "
               "hãy thay tab bằng dấu cách (space), 2 dấu cách cho mỗi cấp")


def _tab_hint(problem: Problem, text: str) -> Problem:
    """A syntax error at or just after a tab in a line's indent is E110, pointed at the tab.

    PyYAML words it "found character '\\t' that cannot start any token" or
    "found a tab character that violates indentation", a line or two after it.
    """
    if problem.code != "E100":
        return problem
    lines = text.split("\n")
    for number in range(problem.line, max(problem.line - 3, 0), -1):
        line = lines[number - 1] if number <= len(lines) else ""
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            return Problem(problem.path, number, indent.index("\t") + 1, "E110", "", TAB_MESSAGE)
    return problem


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    detail = " ".join(x for x in (exc.context, exc.problem) if x)
    return f"cú pháp YAML không hợp lệ (syntax error): {detail}"


def _mark_problem(exc: yaml.MarkedYAMLError, code: str, message: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem("", line, col, code, "", message)


def _renamed(problem: Problem, name: str) -> Problem:
    return Problem(name, problem.line, problem.column, problem.code, problem.field, problem.message)


def _failed(name: str, code: str, message: str, line: int = 1) -> LoadedFile:
    return LoadedFile(name, None, None, [Problem(name, line, 1, code, "", message)])


class _Builder:
    """Turns a node tree into dicts, lists and scalars, collecting problems."""

    def __init__(self, name: str, *, suspicious: bool = True) -> None:
        self.name = name
        self.suspicious = suspicious
        self.problems: list[Problem] = []
        self.nodes = 0
        self.constructor = _CONSTRUCTOR

    def build(self, node: yaml.Node, loc: Path_ = ()) -> Any:
        # The hottest loop of a build: one call per YAML node, so it compares
        # classes and tags directly instead of going through isinstance.
        self.nodes += 1
        if self.nodes > MAX_NODES or len(loc) > MAX_DEPTH:
            raise SourceError(self._too_big(node))
        cls, tag = node.__class__, node.tag
        if cls is yaml.ScalarNode:
            return self._text(node.value, node, loc) if tag == _STR else self._scalar(node, loc)
        if cls is yaml.MappingNode and tag == _MAP:
            return self._mapping(node, loc)  # type: ignore[arg-type]  # the class was just checked
        if cls is yaml.SequenceNode and tag == _SEQ:
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        return self._bad_tag(node, loc)

    def _too_big(self, node: yaml.Node) -> Problem:
        if self.nodes > MAX_NODES:
            return self._at(node, "E104", f"quá {group_digits(MAX_NODES)} nút sau khi mở rộng bí danh (alias)")
        return self._at(node, "E104", f"cấu trúc lồng sâu quá {MAX_DEPTH} cấp")

    def _mapping(self, node: yaml.MappingNode, loc: Path_) -> Any:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self.problems.append(self._at(key_node, "E102", "không dùng khóa gộp '<<' (merge key)",
                                              field=_field(loc, "<<")))
                continue
            key = self.build(key_node, loc)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                key = str(key)
            if key in out:
                self.problems.append(self._duplicate(node, key_node, key, loc))
                continue
            out[key] = self.build(value_node, (*loc, key))
        return out

    def _duplicate(self, node: yaml.MappingNode, key_node: yaml.Node, key: Any, loc: Path_) -> Problem:
        first = next(k for k, _ in node.value if k.value == key_node.value)
        message = f"khóa '{key}' bị lặp (duplicate key), đã có ở dòng {first.start_mark.line + 1}"
        return self._at(key_node, "E101", message, field=_field(loc, key))

    def _scalar(self, node: yaml.Node, loc: Path_) -> Any:
        if node.tag not in _SCALAR_TAGS:
            return self._bad_tag(node, loc)
        try:
            value = self.constructor.yaml_constructors[node.tag](self.constructor, node)
        except (ValueError, TypeError, OverflowError, yaml.YAMLError):
            # e.g. 2026-13-45 matches the timestamp pattern but is no date
            self.problems.append(self._at(node, "E206", f"ngày không hợp lệ: '{node.value}' (YYYY-MM-DD)",
                                          field=_field(loc)))
            return node.value
        if isinstance(value, str):
            return self._text(value, node, loc)
        if isinstance(value, dt.datetime):
            value = value.date() if value.time() == dt.time(0) and value.tzinfo is None else value
        return value

    def _text(self, value: str, node: yaml.Node, loc: Path_) -> str:
        value = unicodedata.normalize("NFC", value)
        if self.suspicious and looks_legacy(value):
            self.problems.append(self._at(node, "E106", _LEGACY_HINT, field=_field(loc)))
        return value

    def _bad_tag(self, node: yaml.Node, loc: Path_) -> None:
        self.problems.append(self._at(node, "E102", f"thẻ YAML không được phép: {node.tag}", field=_field(loc)))

    def _at(self, node: yaml.Node, code: str, message: str, field: str = "") -> Problem:
        mark = node.start_mark
        return Problem(self.name, mark.line + 1, mark.column + 1, code, field, message)


def _field(loc: Path_, key: Any = None) -> str:
    return dotted((*loc, key) if key is not None else loc)


_LEGACY_HINT = (
    "văn bản có vẻ dùng mã tiếng Việt cũ TCVN3/VNI (legacy encoding, ví dụ '§¨ng ký'); "
    "hãy chuyển sang Unicode, chẳng hạn bằng Unikey → Công cụ → chuyển mã sang Unicode dựng sẵn"
)


def looks_legacy(text: str) -> bool:
    """True when at least two legacy-font characters sit inside or beside words.

    One stray '°' in '5°C' is not enough; '§¨ng' (TCVN3 for 'Đăng') is, and
    so is 'Ñaêng' (VNI).
    """
    if _TRIGGER.search(text) is None:  # the common case, decided in C
        return False
    hits = len(_VNI_PAIR.findall(text))
    for i, ch in enumerate(text):
        if ch in _LEGACY:
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            if before.isalpha() or after.isalpha() or before in _LEGACY or after in _LEGACY:
                hits += 1
                if hits >= 2:
                    return True
    return False
