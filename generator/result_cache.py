"""A cache of per-file validation results, keyed by content hash.

Parsing YAML is most of what validation costs (PyYAML builds a Python node
with marks for every scalar), so a rebuild under `mkdocs serve` or a second
`catalogue validate` re-parses only the files that changed.

Safety: the cache lives in the user's cache folder, never in the data
repository, so a pull request cannot plant entries (it is trusted like
Python's own bytecode cache); the model is validated again by pydantic when
read, so a damaged entry can only be a miss. The key covers the file's bytes and shown path, the ids the file
may refer to, and the source of the validating code itself.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import shutil
import sqlite3
import tempfile
import time
import weakref
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from . import models
from .catalogue import Located
from .problems import Problem, Severity

STALE_AFTER = 24 * 3600  # seconds unused after which another code version's cache is removed
_tidied: set[Path] = set()  # cache folders this process has tidied already


def default_path() -> Path:
    """$XDG_CACHE_HOME/catalogue-generator/<code>/validate.sqlite (or ~/.cache/…); see `folder`."""
    return folder() / "validate.sqlite"


def folder() -> Path:
    """This code's cache folder, named by its fingerprint; every cache of ours lives in it.

    Every entry is keyed by `code_fingerprint`, so another version's entries
    are never read: without tidying, each upgrade of the generator would add
    a whole catalogue's worth (~640 MB at 10,000 procedures) for good. Asking
    marks the folder used; the first ask in a process removes whatever else
    is under catalogue-generator/ (other versions' folders, files of the
    earlier flat layout) unused for STALE_AFTER, which no running build holds.
    """
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "catalogue-generator"
    mine = base / code_fingerprint()[:16]
    with contextlib.suppress(OSError):  # a read-only home: each cache opens itself, or goes without
        mine.mkdir(parents=True, exist_ok=True)
        os.utime(mine)
        if mine not in _tidied:
            _tidied.add(mine)
            _remove_stale(base, keep=mine)
    return mine


def _remove_stale(base: Path, keep: Path) -> None:
    now = time.time()
    for entry in base.iterdir():
        with contextlib.suppress(OSError):  # gone already, or another process's to remove
            if entry == keep or now - entry.lstat().st_mtime < STALE_AFTER:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()


@functools.cache
def code_fingerprint() -> str:
    """Hash of the package's modules and templates, the one salt of every cache of ours.

    Every module, not only the ones that seem to matter: what a validated
    value or a body shows comes from helpers that move between modules
    (wording, site_urls…), and a stale entry must never be read.
    """
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in [*sorted(package.glob("*.py")), *sorted((package / "templates").rglob("*.html"))]:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def key(salt: str, shown_path: str, raw: bytes) -> str:
    """The key of one input file: its bytes and shown path under `salt` (the code, and what it may refer to)."""
    return hashlib.sha256(salt.encode() + shown_path.encode() + b"\0" + raw).hexdigest()


def derived_key(what: str, digest: str, *inputs: str) -> str:
    """The key of something made from one procedure (`what`: its kind, e.g. "feed"), from the procedure's
    digest (Catalogue.digests: its file's bytes and the shared files it refers to), this code's
    fingerprint and any other input it depends on (the site's URL…)."""
    text = "\0".join([code_fingerprint(), what, digest, *inputs])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ResultCache:
    """Stored FileResults by key; every failure to read or write is a miss."""

    def __init__(self, path: Path, salt: str) -> None:
        self.salt = salt.encode()
        self.db: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path)
            self.db.execute("CREATE TABLE IF NOT EXISTS entry (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
        except (OSError, sqlite3.Error):
            self.db = None  # a read-only home or a locked file: validate without a cache

    def key(self, shown_path: str, raw: bytes) -> str:
        return key(self.salt.decode(), shown_path, raw)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        if self.db is None:
            return {}
        wanted = list(keys)
        found: dict[str, bytes] = {}
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(self.db.execute(f"SELECT key, value FROM entry WHERE key IN ({marks})", chunk))
        except sqlite3.Error:
            return {}
        return found

    def present(self, keys: Iterable[str]) -> set[str]:
        """Which of `keys` are stored, without reading their values."""
        if self.db is None:
            return set()
        wanted = list(keys)
        found: set[str] = set()
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(k for (k,) in self.db.execute(f"SELECT key FROM entry WHERE key IN ({marks})", chunk))
        except sqlite3.Error:
            return set()
        return found

    def put_many(self, entries: dict[str, bytes]) -> None:
        if self.db is None or not entries:
            return
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO entry VALUES (?, ?)", entries.items())
        except sqlite3.Error:
            pass  # a cache that cannot be written is only slower

    def close(self) -> None:
        if self.db is not None:
            self.db.close()


class Results:
    """Validation results by key in one sqlite file: the user's cache, or a store of this run only.

    Each file's result is two parts: its head (problems, the code as written,
    the summary: what validation and the catalogue's lists need) and its model
    (what `Catalogue.full` reads, one procedure at a time). A warm run reads
    heads only; a head is reused only when `reusable` (a result that depends
    on form files existing is stored for this run's readers, never reused).

    Connections are made per process, on first use: a forked worker reads
    the store itself, never through its parent's connection.
    """

    def __init__(self, path: Path, *, temporary: bool = False) -> None:
        self.path, self.temporary_file = path, temporary
        self._db: tuple[int, sqlite3.Connection] | None = None
        self.broken = False
        if temporary:  # removed when the catalogue that reads it goes, by the process that made it
            weakref.finalize(self, _remove, path, os.getpid())

    @classmethod
    def temporary(cls) -> Results:
        handle, name = tempfile.mkstemp(prefix="catalogue-models-", suffix=".sqlite")
        os.close(handle)
        return cls(Path(name), temporary=True)

    def db(self) -> sqlite3.Connection | None:
        if self.broken:
            return None
        if self._db is None or self._db[0] != os.getpid():
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # Builds under `mkdocs serve` run on the server's threads, one at a time.
                db = sqlite3.connect(self.path, check_same_thread=False)
                if self.temporary_file:  # read back within this run only: nothing to keep safe across a crash
                    db.execute("PRAGMA synchronous=OFF")
                    db.execute("PRAGMA journal_mode=MEMORY")
                db.execute("CREATE TABLE IF NOT EXISTS result (key TEXT PRIMARY KEY, head BLOB NOT NULL,"
                           " model BLOB, reusable INTEGER NOT NULL)")
            except (OSError, sqlite3.Error):
                self.broken = True  # a read-only home or a locked file: validate without a cache
                return None
            self._db = (os.getpid(), db)
        return self._db[1]

    def _select(self, what: str, keys: Iterable[str], where: str = "") -> dict[str, bytes]:
        db = self.db()
        wanted = list(keys)
        found: dict[str, bytes] = {}
        if db is None:
            return found
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(db.execute(f"SELECT key, {what} FROM result WHERE key IN ({marks}){where}", chunk))
        except sqlite3.Error:
            return {}
        return found

    def heads(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The reusable heads of `keys` that are stored."""
        return self._select("head", keys, " AND reusable")

    def model_blobs(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The stored models of `keys` (reusable or not)."""
        return {k: v for k, v in self._select("model", keys).items() if v is not None}

    def put_many(self, rows: Iterable[tuple[str, bytes, bytes | None, bool]]) -> bool:
        """Store (key, head, model, reusable) rows; False when the store cannot be written."""
        db = self.db()
        if db is None:
            return False
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO result VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error:
            return False
        return True

    def procedures(self, keys: Iterable[str]) -> dict[str, models.Procedure]:
        return procedures(self, keys)

    def close(self) -> None:
        if self._db is not None and self._db[0] == os.getpid():
            self._db[1].close()
        self._db = None


def _remove(path: Path, owner: int) -> None:
    if os.getpid() == owner:  # a forked child dropping its copy must not remove its parent's store
        for name in (path, path.with_name(path.name + "-journal")):
            name.unlink(missing_ok=True)


Head = tuple[list[Problem], tuple[str, str, int, int] | None, "models.ProcedureSummary | None", int, int]


def encode(procedure: Located[models.Procedure] | None, problems: list[Problem],
           code: tuple[str, str, int, int] | None) -> tuple[bytes, bytes | None]:
    """(head, model) of one file's result, as plain values.

    The model is stored as the plain values it was validated from and is
    validated again when read: pydantic from Python values is several times
    faster than unpickling nested models or parsing JSON back.
    """
    summary = None if procedure is None else models.summary_values(models.summarise(procedure.value))
    where = (0, 0) if procedure is None else (procedure.line, procedure.column)
    # Field by field: dataclasses.astuple deep-copies, ~0.3 ms a file with a few warnings.
    rows = [(p.path, p.line, p.column, p.code, p.field, p.message, p.level.value) for p in problems]
    head = pickle.dumps((rows, code, summary, *where), protocol=pickle.HIGHEST_PROTOCOL)
    model = None if procedure is None else pickle.dumps(procedure.value.model_dump(exclude_unset=True),
                                                        protocol=pickle.HIGHEST_PROTOCOL)
    return head, model


def decode_head(blob: bytes) -> Head:
    """(problems, code as written, summary, line, column) of a stored head; ValueError when unusable."""
    try:
        problems, code, summary, line, column = pickle.loads(blob)
        found = [Problem(path, at_line, at_column, code_, field, message, Severity(level))
                 for path, at_line, at_column, code_, field, message, level in problems]
        return found, code, None if summary is None else models.summary_of(summary), line, column
    except (pickle.UnpicklingError, ValueError, TypeError, IndexError, EOFError, AttributeError) as exc:
        raise ValueError("unusable cache entry") from exc


def decode_model(blob: bytes) -> models.Procedure:
    """The stored model, validated again; ValueError when the entry is unusable."""
    try:
        return models.Procedure.model_validate(pickle.loads(blob))
    except (pickle.UnpicklingError, ValueError, TypeError, IndexError, EOFError, ValidationError) as exc:
        raise ValueError("unusable cache entry") from exc


def procedures(store: Results, keys: Iterable[str]) -> dict[str, models.Procedure]:
    """The stored models of `keys`, validated again; a missing or unusable one is left out."""
    found: dict[str, models.Procedure] = {}
    for key, blob in store.model_blobs(keys).items():
        try:
            found[key] = decode_model(blob)
        except ValueError:
            continue
    return found
