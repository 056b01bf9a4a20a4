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

import functools
import hashlib
import os
import pickle
import sqlite3
from collections.abc import Iterable
from dataclasses import astuple
from pathlib import Path

from pydantic import ValidationError

from . import models
from .catalogue import Located
from .problems import Problem, Severity


def default_path() -> Path:
    """$XDG_CACHE_HOME/catalogue-generator/validate.sqlite (or ~/.cache/…)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "catalogue-generator" / "validate.sqlite"


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


def encode(procedure: Located[models.Procedure] | None, problems: list[Problem],
           code: tuple[str, str, int, int] | None) -> bytes:
    # The model is stored as the plain values it was validated from and is
    # validated again when read: pydantic from Python values is several times
    # faster than unpickling nested models or parsing JSON back.
    stored = None if procedure is None else (
        procedure.value.model_dump(exclude_unset=True), procedure.path, procedure.line, procedure.column)
    return pickle.dumps((stored, [astuple(p) for p in problems], code), protocol=pickle.HIGHEST_PROTOCOL)


def decode(blob: bytes) -> tuple[Located[models.Procedure] | None, list[Problem], tuple[str, str, int, int] | None]:
    """The stored result, or a ValueError when the entry is unusable."""
    try:
        stored, problems, code = pickle.loads(blob)
        procedure = None
        if stored is not None:
            data, where, at_line, at_column = stored
            procedure = Located(models.Procedure.model_validate(data), where, at_line, at_column)
        found = [Problem(path, line, column, code_, field, message, Severity(level))
                 for path, line, column, code_, field, message, level in problems]
        return procedure, found, code
    except (pickle.UnpicklingError, ValueError, TypeError, IndexError, EOFError, ValidationError) as exc:
        raise ValueError("unusable cache entry") from exc
