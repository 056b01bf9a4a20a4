"""Where export files go: into memory (a dict) or straight into a folder, written as streams.

Exporters (generator.exports.FORMATS) write each file through a sink, in
pieces: a whole-catalogue file (catalogue.json, catalogue.jsonld, a CSV)
is its head, then one piece per procedure, then its tail, so a folder
sink never holds more than one piece of it. Each sink keeps every file's
SHA-256 for the manifest, so the bytes are hashed as they are written.
"""

from __future__ import annotations

import contextlib
import filecmp
import hashlib
import json
import os
import pickle
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

import orjson

if TYPE_CHECKING:
    from .catalogue import Catalogue

_MARK = "\0piece\0"  # stands in a document for a list written from pieces (see `placeholder`)
_EXPONENT = re.compile(rb"e-\d")  # orjson's writing of a float under 1e-4: 2.5e-7, or 0.00001 (see `encode`)
_NUMBER = frozenset(b"0123456789.-")  # what a number's writing is made of before its "e-"
_BEFORE_VALUE = frozenset(b":,[")  # what precedes a value in compact JSON, where it does not start the text


class Stream(Protocol):
    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...


class Sink(Protocol):
    hashes: dict[str, str]

    def put(self, name: str, data: bytes, digest: str | None = None) -> None:
        """One whole file (`digest`: its SHA-256, when known already)."""

    def open(self, name: str) -> Stream:
        """A file written in pieces; it is in place (and hashed) once closed."""

    def read(self, name: str) -> bytes:
        """A file already put or written."""

    def kept(self, name: str, inputs: str) -> bool:
        """True when `name` is still the file the previous export made from the same `inputs` (a key of
        everything its bytes are made of): it stays as it is, hashed. False: write it (then under `inputs`)."""


# A file as an export left it: SHA-256, size, modification time (ns), and its inputs' key ("" when put).
Entry = tuple[str, int, int, str]


class MemorySink:
    """Files into a dict, by path inside the feed folder."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.hashes: dict[str, str] = {}

    def put(self, name: str, data: bytes, digest: str | None = None) -> None:
        self.files[name] = data
        self.hashes[name] = digest or hashlib.sha256(data).hexdigest()

    def open(self, name: str) -> _Buffer:
        return _Buffer(self, name)

    def read(self, name: str) -> bytes:
        return self.files[name]

    def kept(self, name: str, inputs: str) -> bool:
        return False


class _Buffer:
    def __init__(self, sink: MemorySink, name: str) -> None:
        self.sink, self.name, self.parts = sink, name, list[bytes]()

    def write(self, data: bytes) -> None:
        self.parts.append(data)

    def close(self) -> None:
        self.sink.put(self.name, b"".join(self.parts))


class FolderSink:
    """Files written under `out` as they come, leaving a file whose bytes are unchanged untouched.

    `finish` removes files of `folders` (procedures/, agencies/) left from an
    earlier export that this one did not write, so the folder matches its manifest.

    With `record` (a file outside `out`), what the previous export into `out`
    left is known without reading it: each file's SHA-256, size and time.
    A file whose size and time are still those is trusted to hold those
    bytes, so one stat tells that a procedure file is unchanged, or that a
    whole-catalogue file differs; a file changed since by anything else is
    compared or written as without a record. `finish` also removes what the
    previous export wrote and this one did not, and saves the new record.
    """

    def __init__(self, out: Path, folders: tuple[str, ...] = (), record: Path | None = None) -> None:
        self.out, self.folders, self.record = out, folders, record
        self.hashes: dict[str, str] = {}
        self.made: set[str] = set()
        self.before: dict[str, Entry] = _read_record(record)
        self.after: dict[str, Entry] = {}
        self.inputs: dict[str, str] = {}  # the inputs' key of each file being written (see `kept`)

    def _target(self, name: str) -> str:
        """The file's path, its folder made. Strings, not Paths: 10,000 Paths cost a second."""
        folder, _, _ = name.rpartition("/")
        if folder not in self.made:
            (self.out / folder).mkdir(parents=True, exist_ok=True)
            self.made.add(folder)
        return f"{self.out}/{name}"

    def put(self, name: str, data: bytes, digest: str | None = None) -> None:
        digest = self.hashes[name] = digest or hashlib.sha256(data).hexdigest()
        known = self._trusted(name)
        if known is not None and known[0] == digest:  # the previous export's file, the same bytes
            self.after[name] = known
            return
        target = self._target(name)
        if known is not None:  # the previous export's file, other bytes: nothing to read
            with open(target, "wb") as handle:  # noqa: PTH123
                handle.write(data)
        else:
            _write_new(target, data)
        self._note(name, digest)

    def open(self, name: str) -> _FileStream:
        return _FileStream(self, name, Path(self._target(name)))

    def read(self, name: str) -> bytes:
        with open(f"{self.out}/{name}", "rb") as handle:  # noqa: PTH123
            return handle.read()

    def kept(self, name: str, inputs: str) -> bool:
        known = self._trusted(name)
        if known is not None and known[3] == inputs:
            self.hashes[name], self.after[name] = known[0], known
            return True
        self.inputs[name] = inputs
        return False

    def _trusted(self, name: str) -> Entry | None:
        """The record's entry of `name` when the file is still the one it describes (same size and time)."""
        known = self.before.get(name)
        if known is None:
            return None
        try:
            stat = os.stat(f"{self.out}/{name}")  # noqa: PTH116 - a string, as in _target
        except OSError:
            return None
        return known if (stat.st_size, stat.st_mtime_ns) == known[1:3] else None

    def _note(self, name: str, digest: str) -> None:
        """`name` is in place with these bytes: into the record (when kept), with its size and time."""
        if self.record is not None:
            stat = os.stat(f"{self.out}/{name}")  # noqa: PTH116
            self.after[name] = (digest, stat.st_size, stat.st_mtime_ns, self.inputs.pop(name, ""))

    def finish(self) -> None:
        for folder in self.folders:
            if any(name.startswith(folder) for name in self.hashes):
                for stale in sorted((self.out / folder).glob("*.json")):
                    if f"{folder}{stale.name}" not in self.hashes:
                        stale.unlink()
        for gone in self.before.keys() - self.after.keys():  # the previous export's, made no more (a format's file)
            Path(self.out, gone).unlink(missing_ok=True)
        if self.record is not None:
            _write_record(self.record, self.after)


def _write_new(target: str, data: bytes) -> None:
    """`data` into `target`, left untouched when it holds those bytes already."""
    try:
        with open(target, "xb") as handle:  # noqa: PTH123 - the common case, a new file: nothing read
            handle.write(data)
    except FileExistsError:
        with open(target, "r+b") as handle:  # noqa: PTH123
            if handle.read() != data:
                handle.seek(0)
                handle.write(data)
                handle.truncate()


def _read_record(record: Path | None) -> dict[str, Entry]:
    """A FolderSink's record; empty when there is none or it cannot be read (then every file is compared)."""
    try:
        entries = pickle.loads(record.read_bytes()) if record is not None else {}
    except (OSError, pickle.UnpicklingError, ValueError, TypeError, EOFError, AttributeError):
        return {}
    return entries if isinstance(entries, dict) else {}


def _write_record(record: Path, entries: dict[str, Entry]) -> None:
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        partial = record.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(record)
    except OSError:
        with contextlib.suppress(OSError):
            record.unlink(missing_ok=True)  # no record is only slower


class _FileStream:
    """Written to a temporary name beside the target, moved in place unless the bytes are the same."""

    def __init__(self, sink: FolderSink, name: str, target: Path) -> None:
        self.sink, self.name, self.target = sink, name, target
        self.temporary = target.with_name(f".{target.name}.part")
        self.digest = hashlib.sha256()
        self.handle: IO[bytes] = self.temporary.open("wb", buffering=1 << 20)

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.handle.write(data)

    def close(self) -> None:
        self.handle.close()
        digest = self.sink.hashes[self.name] = self.digest.hexdigest()
        known = self.sink._trusted(self.name)
        if known is not None:  # the previous export's file: its digest tells, nothing read back
            same = known[0] == digest
        else:
            same = self.target.is_file() and filecmp.cmp(self.temporary, self.target, shallow=False)
        if same:
            self.temporary.unlink()
        else:
            self.temporary.replace(self.target)
        self.sink._note(self.name, digest)


def encode(value: Any) -> bytes:
    """The one JSON encoding of every export (sorted keys, fixed separators, UTF-8), without the final newline.

    The bytes are json.dumps(sort_keys, ensure_ascii=False, compact); orjson
    writes the same ~6 times faster (a third of the feed's time was encoding),
    but for floats under 1e-4 (0.00001 or 2.5e-7 where Python writes 1e-05,
    2.5e-07), whose writing is a number holding "e-" and a digit, or starting
    "0.0000" (`_small_float`): then (or when text looks so), and for what
    orjson refuses (integers past 64 bits), json.dumps writes it.
    """
    try:
        data = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError is one
        data = b"0.0000"
    if _small_float(data):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return data


def _small_float(data: bytes) -> bool:
    """Whether orjson's `data` may hold a float under 1e-4: a number (at the start, or after : , or [)
    whose writing holds "e-" and a digit, or starts "0.0000" (10.00001 too: then json.dumps writes it).

    Text is not numbers: "le-phi" or a UUID's "766e-8604" inside a string is passed over, so
    those records keep orjson's speed. Two plain searches first, found in most records, then a
    short walk back from each "e-<digit>" or "0.0000" to where its number starts.
    """
    starts = [m.start() for m in _EXPONENT.finditer(data)] if b"e-" in data else []
    at = data.find(b"0.0000")
    while at >= 0:
        starts.append(at)
        at = data.find(b"0.0000", at + 1)
    for found in starts:
        start = found
        while start and data[start - 1] in _NUMBER:
            start -= 1
        if start == 0 or data[start - 1] in _BEFORE_VALUE:
            return True
    return False


def placeholder(key: str) -> str:
    """What stands in a document for a list written in pieces (see `ListFile`)."""
    return f"{_MARK}{key}"


class ListFile:
    """A JSON file whose list `key` is written item by item: `encode(document)` and a newline, where
    the document holds `placeholder(key)` in place of the list.

    json.dumps writes a nested value exactly as it writes it alone, so the
    file is the document's head, the items' encodings joined by commas, and
    its tail: byte for byte what encoding the whole document would give.
    """

    def __init__(self, sink: Sink, name: str, document: dict[str, Any], key: str) -> None:
        mark = encode(placeholder(key))
        self.head, found, self.tail = encode(document).partition(mark)
        assert found and mark not in self.tail, f"{name}: the placeholder of {key} not once in the document"
        self.stream = sink.open(name)
        self.stream.write(self.head + b"[")
        self.first = True

    def add(self, item: bytes) -> None:
        """One item of the list, encoded (`encode`)."""
        self.stream.write(item if self.first else b"," + item)
        self.first = False

    def close(self) -> None:
        self.stream.write(b"]" + self.tail + b"\n")
        self.stream.close()


def write_list(sink: Sink, name: str, document: dict[str, Any], key: str, items: Iterable[bytes],
               *, inputs: Iterable[str] | None = None) -> None:
    """A `ListFile` written at once from `items`; with `inputs` (the SHA-256 of what each item is
    made from), not even made when the previous export made it of the same (`Sink.kept`)."""
    if inputs is not None:
        made_of = hashlib.sha256(encode(document))
        for digest in inputs:
            made_of.update(digest.encode("ascii"))
        if sink.kept(name, made_of.hexdigest()):
            return
    out = ListFile(sink, name, document, key)
    for item in items:
        out.add(item)
    out.close()


class Exporter(Protocol):
    """One export format written through a sink: `piece` of each procedure in force (in code order)
    to `add`, then `close`. `piece` depends on the procedure alone (and the names of what it refers
    to), so pieces can be made in other processes or read from a cache (generator.exports)."""

    def __init__(self, catalogue: Catalogue, links: Any, sink: Sink) -> None: ...

    @staticmethod
    def piece(procedure: Any, catalogue: Catalogue, links: Any) -> Any: ...

    def add(self, code: str, piece: Any) -> None: ...

    def close(self) -> None: ...


def collect(make: type[Exporter], catalogue: Catalogue, links: Any) -> dict[str, bytes]:
    """One format's files in memory, its pieces made here."""
    sink = MemorySink()
    exporter = make(catalogue, links, sink)
    for procedure in catalogue.each():
        exporter.add(procedure.code, exporter.piece(procedure, catalogue, links))
    exporter.close()
    return sink.files
