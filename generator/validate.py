"""Raw documents → models, and the checks that need the whole catalogue.

Every problem is collected; nothing stops at the first. The entry point is
`validate(root)`, which returns the catalogue (or None when any error was
found) and the full, sorted list of problems.
"""

from __future__ import annotations

import datetime as dt
import difflib
import gc
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TypeGuard, TypeVar

from pydantic import BaseModel, ValidationError

from . import models, parallel, result_cache
from .catalogue import Catalogue, Located
from .problems import Problem, Severity, sort_key
from .result_cache import Results
from .source import MAX_FILE_BYTES, LoadedFile, load_bytes, load_file
from .wording import number

FORM_EXTENSIONS = frozenset({".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".rtf"})
MAX_FORM_BYTES = 20 * 1024 * 1024
M = TypeVar("M", bound=BaseModel)


def validate(root: Path, base: Path | None = None, cache_path: Path | None = None,
             memory: Memory | None = None) -> tuple[Catalogue | None, list[Problem]]:
    """Load and check the catalogue under `root`; return it only when error-free.

    Paths in problems are shown relative to `base` (the CLI passes the working
    directory, so GitHub annotations land on repository paths), else to the
    catalogue's parent folder. With `cache_path`, unchanged files are not
    parsed again (see result_cache). With `memory` (a dict kept by the caller
    between runs, as `mkdocs serve` does), an unchanged file's result is taken
    as it is, not even read back from the cache: only the files that changed
    are checked again. It is left holding this run's results.

    The catalogue holds summaries; the full models stay in a store it reads
    them from (Catalogue.full): the cache when there is one, else a
    temporary file of this run (or of `memory`'s runs), removed with the
    last catalogue that reads it.
    """
    shared = b"".join(p.read_bytes() for p in _shared_files(root))
    salt = result_cache.code_fingerprint() + hashlib.sha256(shared).hexdigest()
    store, reuse = _store(cache_path, memory)
    checker = _Checker(root, base, store, salt, memory, reuse=reuse)
    try:
        catalogue = checker.run()
    finally:
        store.close()  # this process's connection; a reader opens its own
    problems = sorted(checker.problems, key=sort_key)
    if any(p.level is Severity.ERROR for p in problems):
        return None, problems
    return catalogue, problems


@dataclass
class Memory:
    """What `mkdocs serve` keeps between validations: each file's result by key, and the models' store."""

    results: dict[str, FileResult] = field(default_factory=dict)
    store: Results | None = None


def _store(cache_path: Path | None, memory: Memory | None) -> tuple[Results, bool]:
    """Where this run's models go, and whether results found there may be reused (only a cache's)."""
    if cache_path is not None:
        cache = Results(cache_path)
        if cache.db() is not None:
            return cache, True
    if memory is None:
        return Results.temporary(), False
    if memory.store is None or memory.store.db() is None:
        memory.store = Results.temporary()
    return memory.store, False


def _shared_files(root: Path) -> list[Path]:
    """The files whose ids procedure files refer to: any change there invalidates the cache."""
    return [p for p in (root / n for n in ("agencies.yaml", "fields.yaml", "life_events.yaml")) if p.is_file()]


def procedure_files(root: Path) -> list[Path]:
    """Every procedure file, in a stable order."""
    base = root / "procedures"
    if not base.is_dir():
        return []
    # Strings, sorted part by part as Paths sort: making and comparing 10,000 Paths cost ~0.5 s.
    found = [os.path.join(d, f)  # noqa: PTH118
             for d, _, files in os.walk(base) for f in files if f.endswith((".yaml", ".yml"))]
    return [Path(f) for f in sorted(found, key=lambda f: f.split(os.sep))]  # noqa: PTH206


class _Base:
    """Where the catalogue is, how its paths are shown, and the problems found."""

    def __init__(self, root: Path, base: Path | None) -> None:
        self.root = root
        self.base = base
        self.forms_dir = (root / "forms").resolve()
        # Shown paths are prefix + path inside the catalogue: one resolve, not one per file.
        resolved, shown_base = root.resolve(), (base or root.parent).resolve()
        self.prefix = resolved.relative_to(shown_base).as_posix() if resolved.is_relative_to(shown_base) else str(root)
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        inside = path.relative_to(self.root).as_posix()
        return inside if self.prefix == "." else f"{self.prefix}/{inside}"

    def _load(self, path: Path, raw: bytes | None = None) -> LoadedFile | None:
        doc = load_file(path, self.rel(path)) if raw is None else load_bytes(raw, self.rel(path))
        self.problems.extend(doc.problems)
        if doc.data is None:
            return None
        if not isinstance(doc.data, dict):
            self.problems.append(Problem(doc.path, 1, 1, "E108", "",
                                         f"gốc tệp phải là mapping, không phải {_kind(doc.data)}"))
            return None
        return doc

    def _model(self, doc: LoadedFile, model: type[M]) -> M | None:
        try:
            return model.model_validate(doc.data)
        except ValidationError as exc:
            # The loader may already have reported a node (an impossible date);
            # pydantic seeing the same raw value there adds nothing.
            known = {(p.line, p.column) for p in doc.problems}
            self.problems.extend(p for p in pydantic_problems(doc, exc) if (p.line, p.column) not in known)
            return None


@dataclass(frozen=True)
class FileResult:
    """What checking one procedure file gives: its summary (if valid; the model is in the store) and problems."""

    summary: models.ProcedureSummary | None
    problems: list[Problem]
    code: tuple[str, str, int, int] | None  # code as written, path, line, column
    key: str = ""  # hash of the file's bytes, shown path, the ids it may refer to and the code (result_cache.key)
    path: str = ""  # the file's shown path


def _result(head: bytes, key: str) -> FileResult:
    problems, code, summary, _, _ = result_cache.decode_head(head)
    return FileResult(summary, problems, code, key, code[1] if code is not None else "")


class _Checker(_Base):
    def __init__(self, root: Path, base: Path | None, store: Results, salt: str,
                 memory: Memory | None, *, reuse: bool) -> None:
        super().__init__(root, base)
        self.store, self.reuse, self.salt, self.memory = store, reuse, salt, memory
        self.code_places: dict[str, list[tuple[str, int, int]]] = {}

    def run(self) -> Catalogue:
        agencies = self._collection("agencies.yaml", models.AgenciesFile, "agencies", required=True)
        fields = self._collection("fields.yaml", models.FieldsFile, "fields", required=True)
        events = self._collection("life_events.yaml", models.LifeEventsFile, "life_events")
        self._check_parents(agencies)
        catalogue = Catalogue(
            root=self.root,
            agencies={a.value.id: a.value for a in agencies},
            fields={f.value.id: f.value for f in fields},
            life_events={e.value.id: e.value for e in events},
            store=self.store,
        )
        procedures = self.root / "procedures"
        if procedures.exists() and not procedures.is_dir():
            self.problems.append(Problem(self.rel(procedures), 1, 1, "E314", "",
                                         "procedures phải là một thư mục (procedures/<cơ-quan>/<tên>.yaml)"))
        files = _FileChecker(self.root, self.base, catalogue)
        paths = procedure_files(self.root)
        file_of: dict[str, Path] = {}
        results = check_files(files, paths, self.store, self.salt, self.memory, reuse=self.reuse)
        for path, result in zip(paths, results, strict=True):
            self.problems.extend(result.problems)
            if result.code is not None:
                code, shown, line, column = result.code
                self.code_places.setdefault(code, []).append((shown, line, column))
            if result.summary is not None:
                catalogue.add_summary(result.summary, result.path, result.key)
                file_of.setdefault(result.summary.code, path)
        self._check_unique_codes()
        self._check_successors(catalogue, file_of)
        targets = self._collection("targets.yaml", models.TargetsFile, "targets")
        catalogue.targets = [t.value for t in targets if self._target_ok(t, catalogue)]
        usage = self._collection("usage.yaml", models.UsageFile, "usage")
        catalogue.usage = [u.value for u in usage if self._usage_ok(u, catalogue)]
        catalogue.synonyms = [s.value for s in self._collection("synonyms.yaml", models.SynonymsFile, "synonyms")]
        catalogue.finish()
        return catalogue

    # -- files of the whole catalogue ---------------------------------------

    def _collection(self, name: str, model: type[BaseModel], key: str, *, required: bool = False
                    ) -> list[Located[Any]]:
        path = self.root / name
        if not path.exists():
            if required:
                self.problems.append(Problem(self.rel(path), 1, 1, "E314", "",
                                             f"thiếu tệp {name} (missing catalogue file)"))
            return []
        doc = self._load(path)
        if doc is None:
            return []
        parsed = self._model(doc, model)
        if parsed is None:
            return []
        items = [Located(item, doc.path, *doc.position((key, i))) for i, item in enumerate(getattr(parsed, key))]
        if key not in ("usage", "synonyms"):  # their rows have no id of their own
            self._check_unique_ids(doc, key, items)
        return items

    def _check_unique_ids(self, doc: LoadedFile, key: str, items: list[Located[Any]]) -> None:
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            ident = item.value.id
            if ident in seen:
                self.problems.append(doc.problem((key, i, "id"), "E310",
                                                 f"mã '{ident}' đã dùng ở dòng {seen[ident]}"))
            else:
                seen[ident] = item.line

    def _check_parents(self, agencies: list[Located[models.Agency]]) -> None:
        by_id = {a.value.id: a.value for a in agencies}
        for item in agencies:
            parent, hops = item.value.parent, 0
            while parent is not None and parent in by_id and hops <= len(by_id):
                parent, hops = by_id[parent].parent, hops + 1
            if item.value.parent is None:
                continue
            if item.value.parent not in by_id:
                message = f"cơ quan cấp trên '{item.value.parent}' không có trong agencies.yaml"
            elif hops > len(by_id):
                message = f"cơ quan cấp trên của '{item.value.id}' tạo thành vòng (cycle)"
            else:
                continue
            self.problems.append(Problem(item.path, item.line, item.column, "E312", "parent", message))

    def _check_unique_codes(self) -> None:
        for code, places in self.code_places.items():
            if len(places) < 2:
                continue
            for path, line, column in places:
                others = ", ".join(f"{p}:{ln}" for p, ln, _ in places if (p, ln) != (path, line))
                self.problems.append(Problem(path, line, column, "E303", "code",
                                             f"mã thủ tục {code} cũng được dùng trong {others}"))

    # -- retired procedures -------------------------------------------------

    def _check_successors(self, catalogue: Catalogue, file_of: dict[str, Path]) -> None:
        """A replaced procedure names one in the catalogue, reached without a bãi bỏ or a cycle."""
        for code, procedure in sorted(catalogue.by_code.items()):
            if procedure.retired is None or procedure.retired.successor is None:
                continue
            message = _successor_problem(code, catalogue.by_code)
            if message is not None:
                doc = load_file(file_of[code], self.rel(file_of[code]))
                self.problems.append(doc.problem(("retired", "successor"), *message))

    # -- targets and usage --------------------------------------------------

    def _target_ok(self, item: Located[models.Target], catalogue: Catalogue) -> bool:
        scope = item.value.scope
        if scope.tier is not None and scope.agency is not None:
            message = "chỉ chọn một trong tier hoặc agency"
        elif scope.agency is not None and scope.agency not in catalogue.agencies:
            message = f"cơ quan '{scope.agency}' không tồn tại"
        else:
            return True
        self.problems.append(Problem(item.path, item.line, item.column, "E313", "scope", message))
        return False

    def _usage_ok(self, item: Located[models.UsageRecord], catalogue: Catalogue) -> bool:
        record = item.value
        if (record.procedure is None) == (record.agency is None):
            code, field, message = "E313", "procedure", "ghi đúng một trong procedure hoặc agency"
        elif record.procedure is not None and record.procedure not in catalogue.by_code:
            code, field, message = "E209", "procedure", f"thủ tục {record.procedure} không có trong catalogue"
        elif record.agency is not None and record.agency not in catalogue.agencies:
            code, field, message = "E300", "agency", f"cơ quan '{record.agency}' không tồn tại"
        elif record.received_online > record.received:
            code, field, message = "E205", "received_online", "received_online lớn hơn received"
        else:
            return True
        self.problems.append(Problem(item.path, item.line, item.column, code, field, message))
        return False


_Checked = tuple[Located[models.Procedure] | None, list[Problem], tuple[str, str, int, int] | None]


class _FileChecker(_Base):
    """The checks of one procedure file, given the ids the whole catalogue defines.

    Holds no state across files, so files can be checked in worker processes.
    """

    def __init__(self, root: Path, base: Path | None, catalogue: Catalogue) -> None:
        super().__init__(root, base)
        self.agencies = frozenset(catalogue.agencies)
        self.fields = frozenset(catalogue.fields)
        self.life_events = frozenset(catalogue.life_events)
        self.code: tuple[str, str, int, int] | None = None

    def check(self, path: Path, raw: bytes | None = None) -> _Checked:
        """Check one procedure file (its bytes, when already read); independent of every other file."""
        self.problems, self.code = [], None
        located = self._procedure(path, raw)
        return located, self.problems, self.code

    def _procedure(self, path: Path, raw: bytes | None) -> Located[models.Procedure] | None:
        doc = self._load(path, raw)
        self._check_file_name(path)
        if doc is None:
            return None
        if "tier" in doc.data and "tiers" not in doc.data:
            # `tier` (one value) was the design's first name; keep old files valid.
            self.problems.append(doc.problem(("tier",), "W401", "khóa 'tier' đã lỗi thời, dùng 'tiers: [...]'",
                                             key=True, level=Severity.WARNING))
            doc.data = models.upgraded(doc.data)
        # Cross-references are checked on the raw data, so that a file with a
        # type error still gets its unknown agency or missing form reported.
        self._check_references(doc, path)
        if isinstance(doc.data.get("code"), str):
            self.code = (doc.data["code"], doc.path, *doc.position(("code",)))
        procedure = self._model(doc, models.Procedure)
        if procedure is None:
            return None
        for i, review in enumerate(procedure.review):
            self.problems.append(doc.problem(("review", i), "W400",
                                             f"cần rà soát '{review.field}': {review.reason}", level=Severity.WARNING))
        line, column = doc.position(("code",))
        return Located(procedure, doc.path, line, column)

    def _check_file_name(self, path: Path) -> None:
        if not models.is_slug(path.stem) or path.suffix != ".yaml":
            self.problems.append(Problem(self.rel(path), 1, 1, "E309", "",
                                         "tên tệp phải là slug .yaml: chữ thường không dấu, số, nối bằng '-'"))
        if not models.is_slug(path.parent.name):
            self.problems.append(Problem(self.rel(path), 1, 1, "E309", "",
                                         f"tên thư mục '{path.parent.name}' phải là mã cơ quan (slug)"))

    def _check_references(self, doc: LoadedFile, path: Path) -> None:
        data = doc.data

        def unknown(loc: tuple[str | int, ...], code: str, what: str, value: str, known: Iterable[str]) -> None:
            hint = _did_you_mean(value, known)
            self.problems.append(doc.problem(loc, code, f"{what} '{value}' không tồn tại{hint}"))

        # A value that is not even a slug already has its E204; don't pile on.
        agency = data.get("agency")
        if _is_ref(agency) and agency not in self.agencies:
            unknown(("agency",), "E300", "cơ quan", agency, self.agencies)
        elif _is_ref(agency) and path.parent.name != agency and path.parent.parent == self.root / "procedures":
            self.problems.append(doc.problem(("agency",), "E311",
                                             f"tệp nằm trong procedures/{path.parent.name}/ nhưng agency là '{agency}'"))
        for i, other in _items(data.get("other_agencies")):
            if _is_ref(other) and other not in self.agencies:
                unknown(("other_agencies", i), "E300", "cơ quan", other, self.agencies)
        field_id = data.get("field")
        if _is_ref(field_id) and field_id not in self.fields:
            unknown(("field",), "E301", "lĩnh vực", field_id, self.fields)
        for i, event in _items(data.get("life_events")):
            if _is_ref(event) and event not in self.life_events:
                unknown(("life_events", i), "E302", "sự kiện cuộc sống", event, self.life_events)
        self._check_forms(doc)

    def _check_forms(self, doc: LoadedFile) -> None:
        form_ids: set[str] = set()
        for i, form in _items(doc.data.get("forms")):
            if not isinstance(form, dict):
                continue
            form_id = form.get("id")
            if isinstance(form_id, str) and form_id in form_ids:
                self.problems.append(doc.problem(("forms", i, "id"), "E310", f"mã mẫu '{form_id}' bị trùng"))
            if isinstance(form_id, str):
                form_ids.add(form_id)
            if isinstance(form.get("file"), str):
                self._check_form_file(doc, ("forms", i, "file"), form["file"])
        for c, case in _items(doc.data.get("document_cases")):
            for d, document in _items(case.get("documents") if isinstance(case, dict) else None):
                ref = document.get("form") if isinstance(document, dict) else None
                if isinstance(ref, str) and ref not in form_ids:
                    self.problems.append(doc.problem(
                        ("document_cases", c, "documents", d, "form"), "E304",
                        f"mẫu '{ref}' không có trong forms{_did_you_mean(ref, form_ids)}"))

    def _check_form_file(self, doc: LoadedFile, loc: tuple[str | int, ...], file: str) -> None:
        try:
            self._check_form_path(doc, loc, file)
        except (OSError, ValueError):  # a NUL byte, a name longer than the file system allows
            shown = file if len(file) <= 80 else file[:77] + "…"
            self.problems.append(doc.problem(loc, "E306", f"'{shown}' không phải đường dẫn tệp hợp lệ trong forms/"))

    def _check_form_path(self, doc: LoadedFile, loc: tuple[str | int, ...], file: str) -> None:
        pure = PurePosixPath(file)
        target = (self.root / pure).resolve()
        inside = target.is_relative_to(self.forms_dir) and pure.parts[:1] == ("forms",)
        if pure.is_absolute() or ".." in pure.parts or "\\" in file or not inside:
            self.problems.append(doc.problem(loc, "E306", f"'{file}' phải nằm trong forms/"))
        elif pure.suffix.lower() not in FORM_EXTENSIONS:
            allowed = ", ".join(sorted(FORM_EXTENSIONS))
            self.problems.append(doc.problem(loc, "E307", f"đuôi '{pure.suffix}' không được phép ({allowed})"))
        elif not target.is_file():
            self.problems.append(doc.problem(loc, "E305", f"không tìm thấy tệp catalogue/{file}"))
        elif target.stat().st_size > MAX_FORM_BYTES:
            self.problems.append(doc.problem(loc, "E308", f"tệp lớn hơn {MAX_FORM_BYTES // 2**20} MB"))
        elif not models.is_slug(pure.stem):
            self.problems.append(doc.problem(loc, "E309", f"tên tệp mẫu '{pure.name}' phải là slug"))


# Below this many files, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 1500  # files; measured for validation alone, above parallel.PARALLEL_MIN (a pool per run)
_WORKER: _FileChecker | None = None


def check_files(checker: _FileChecker, paths: list[Path], store: Results, salt: str = "",
                memory: Memory | None = None, *, reuse: bool = False) -> list[FileResult]:
    """Check procedure files, reusing remembered and (with `reuse`) stored results; in the order of `paths`.

    A file checked now has its model put in `store`, where the catalogue reads it. Files are
    read, checked and stored a WINDOW at a time: memory holds two windows' bytes, not the catalogue's.
    The next window is read and handed to the workers before this one's results are taken and
    stored, so the workers do not wait for the reading and storing between windows.
    """
    known = memory.results if memory is not None else {}
    done: list[FileResult] = []
    checking = _Checking(checker, many=len(paths) >= PARALLEL_MIN_FILES)
    try:
        ahead: _Window | None = None
        for start in range(0, len(paths), WINDOW):
            window = _Window(checker, paths[start:start + WINDOW], store, salt, known, checking=checking, reuse=reuse)
            if ahead is not None:
                done += ahead.finish(store)
            ahead = window
        if ahead is not None:
            done += ahead.finish(store)
    finally:
        checking.close()
    if memory is not None:  # this run's results only: a removed or changed file's old one goes
        memory.results = {r.key: r for r in done if r.key and _reusable(r)}
    return done


WINDOW = 2000  # files; a window's bytes and results are ~40 MB


class _Window:
    """One window of files: read, reused results found, the rest handed to `checking` (see finish)."""

    def __init__(self, checker: _FileChecker, paths: list[Path], store: Results, salt: str,
                 known: dict[str, FileResult], *, checking: _Checking, reuse: bool) -> None:
        raws = [_read_small(path) for path in paths]
        self.keys = [None if raw is None else result_cache.key(salt, checker.rel(path), raw)
                     for path, raw in zip(paths, raws, strict=True)]
        results: list[FileResult | None] = [known.get(k) if k else None for k in self.keys]
        wanted = [k for k, r in zip(self.keys, results, strict=True) if k is not None and r is None]
        heads = store.heads(wanted) if reuse and wanted else {}
        self.results = [r or (_decoded(heads.get(k), k) if k else None) for k, r in zip(self.keys, results, strict=True)]
        self.missing = [i for i, result in enumerate(self.results) if result is None]
        self.checked = checking([(paths[i], raws[i]) for i in self.missing])

    def finish(self, store: Results) -> list[FileResult]:
        """The window's results in order, once its checked files' results are in and stored."""
        rows: list[tuple[str, bytes, bytes | None, bool]] = []
        for i, (head, model) in zip(self.missing, self.checked, strict=True):
            key = self.keys[i]
            result = self.results[i] = _result(head, key or "")
            if key is not None:  # a file the loader read itself (too big, unreadable) has no model
                rows.append((key, head, model, _reusable(result)))
        if rows and not store.put_many(rows):
            raise OSError(f"không ghi được kết quả kiểm tra vào {store.path}")
        return [r for r in self.results if r is not None]


def _read_small(path: Path) -> bytes | None:
    """The file's bytes, or None when the loader must see it itself (too big, unreadable)."""
    try:
        return path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else None
    except OSError:
        return None


def _decoded(head: bytes | None, key: str) -> FileResult | None:
    if head is None:
        return None
    try:
        return _result(head, key)
    except ValueError:
        return None


def _reusable(result: FileResult) -> bool:
    # Whether a form file exists can change without the YAML changing.
    return result.summary is not None and not result.summary.form_files


class _Checking:
    """(head, model) of each file (result_cache.encode): checked here, or in worker processes
    when the catalogue is large and a window has many files to check (the pool starts on first need)."""

    def __init__(self, checker: _FileChecker, *, many: bool) -> None:
        self.checker = checker
        self.workers = parallel.worker_count() if many else 1
        self.pool: ProcessPoolExecutor | None = None

    def __call__(self, items: list[tuple[Path, bytes | None]]) -> Iterator[tuple[bytes, bytes | None]]:
        """Each item's (head, model), in order: from the workers, which start on them now, or made
        here as they are taken."""
        if self.workers < 2 or len(items) < parallel.PARALLEL_MIN:
            return (_encoded(self.checker.check(path, raw)) for path, raw in items)
        if self.pool is None:
            # The checker goes as an initializer argument: under forkserver (a threaded process) it is pickled.
            self.pool = parallel.pool(self.workers, initializer=_init_worker, initargs=(self.checker,))
        chunk = max(16, len(items) // (self.workers * 8))
        return self.pool.map(_check_in_worker, items, chunksize=chunk)  # every chunk handed out now

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None


def _encoded(result: _Checked) -> tuple[bytes, bytes | None]:
    return result_cache.encode(*result)


def _init_worker(checker: _FileChecker) -> None:
    global _WORKER  # noqa: PLW0603 - one checker per worker process, set once
    _WORKER = checker
    # What a worker allocates is short-lived and acyclic (nodes, values, models): the collector's
    # passes over it were ~20 % of checking a file. Collect seldom, and never the inherited heap.
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)


def _check_in_worker(item: tuple[Path, bytes | None]) -> tuple[bytes, bytes | None]:
    """Check one file; the result travels as plain values (see result_cache.encode).

    Pickling pydantic models across processes cost more than parsing saved.
    The parent stores the model's bytes as they are and reads only the head:
    it never builds the model.
    """
    assert _WORKER is not None
    return _encoded(_WORKER.check(*item))


def _successor_problem(code: str, by_code: dict[str, models.ProcedureSummary]) -> tuple[str, str] | None:
    """(code, message) when the chain of successors from `code` is broken, else None."""
    chain = [code]
    current = by_code[code]
    while current.retired is not None and current.retired.successor is not None:
        successor = current.retired.successor
        if successor in chain:
            loop = " → ".join([*chain[chain.index(successor):], successor])
            return "E316", f"chuỗi thay thế tạo thành vòng: {loop}"
        if successor not in by_code:
            hint = _did_you_mean(successor, by_code)
            return "E315", f"thủ tục thay thế {successor} không có trong catalogue{hint}"
        chain.append(successor)
        current = by_code[successor]
    if current.retired is not None:
        return "E315", (f"thủ tục thay thế {chain[1]} đã bị bãi bỏ mà không có thủ tục nào thay"
                        f"{'' if len(chain) == 2 else ' (qua ' + ' → '.join(chain[1:]) + ')'}; "
                        "ghi mã của thủ tục đang có hiệu lực")
    return None


def _is_ref(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and models.is_slug(value)


def _items(value: object) -> list[tuple[int, Any]]:
    """Index and item of a raw list; nothing for anything else."""
    return list(enumerate(value)) if isinstance(value, list) else []


_KIND_VI: dict[type, str] = {list: "danh sách (list)", str: "chuỗi (string)", dict: "mapping"}


def _kind(value: object) -> str:
    return _KIND_VI.get(type(value), type(value).__name__)


def _did_you_mean(value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.75)
    return f"; có phải '{close[0]}'?" if close else ""


# -- pydantic errors → problems ----------------------------------------------

_CODE_BY_TYPE = {
    "extra_forbidden": "E200",
    "missing": "E201",
    "enum": "E203",
    "literal_error": "E203",
    "string_pattern_mismatch": "E204",
    "greater_than_equal": "E205",
    "less_than_equal": "E205",
    "greater_than": "E205",
    "less_than": "E205",
    "too_short": "E205",
    "too_long": "E205",
    "string_too_short": "E208",
    "string_too_long": "E208",
}


def pydantic_problems(doc: LoadedFile, exc: ValidationError) -> Iterator[Problem]:
    """One problem per pydantic error, pointed at the YAML node it concerns."""
    seen: set[tuple[str, ...]] = set()
    for error in exc.errors(include_url=False):
        loc = _clean_loc(error["loc"])
        code, message = _hint(error, loc, doc.text_at(loc)) or _describe(error, loc)
        # A union (int | float, X | None) reports each arm; say it once.
        dedupe = (code, *map(str, loc))
        if dedupe in seen:
            continue
        seen.add(dedupe)
        yield doc.problem(loc, code, message, key=error["type"] == "extra_forbidden")


def _clean_loc(loc: tuple[int | str, ...]) -> tuple[str | int, ...]:
    # Union arms and constrained types add their own names to the location
    # ("int", "function-after[...]"); keep only the keys and indexes of the data.
    return tuple(p for p in loc if isinstance(p, int) or not (p.startswith(("function-", "constrained-"))
                                                                or p in _TYPE_NAMES))


_TYPE_NAMES = frozenset({"int", "float", "str", "bool", "date", "none", "list", "dict"})


_THOUSANDS = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")


def _hint(error: Any, loc: tuple[str | int, ...], written: str | None) -> tuple[str, str] | None:
    """The fix for the mistakes people make most, said with the value as they wrote it."""
    kind, given = error["type"], error.get("input")
    key = str(loc[-1]) if loc else "giá trị"
    if kind == "string_type" and written is not None and isinstance(given, (int, float, dt.date)):
        what = "một ngày" if isinstance(given, dt.date) else "một số"
        lost = " (mất số 0 ở cuối)" if isinstance(given, float) and str(given) != written else ""
        return "E210", (f"YAML đọc {written} là {what}{lost}, không phải chữ; "
                        f"hãy đặt trong dấu ngoặc kép: {key}: \"{written}\"")
    if kind in ("int_type", "int_from_float") and written is not None and _THOUSANDS.fullmatch(written):
        read = f"được đọc là {number(given)}" if isinstance(given, float) else "bị đọc thành chữ (text), không phải số"
        return "E211", (f"trong YAML dấu chấm là dấu thập phân, nên {written} {read}; "
                        f"viết số không có dấu chấm phân cách: {key}: {written.replace('.', '')}")
    if kind.startswith("date") and isinstance(given, str):
        if _ISO_DATE.fullmatch(given):
            return "E206", (f"ngày '{given}' nằm trong dấu ngoặc kép nên là chữ (text); "
                            f"bỏ dấu ngoặc: {key}: {given}")
        dmy = _DMY.fullmatch(given)
        if dmy:
            day, month, year = dmy.groups()
            return "E206", (f"ngày phải viết năm-tháng-ngày (YYYY-MM-DD), không viết '{given}': "
                            f"{key}: {year}-{int(month):02}-{int(day):02}")
    return None


def _describe(error: Any, loc: tuple[str | int, ...]) -> tuple[str, str]:
    kind = error["type"]
    given = error.get("input")
    if kind == "extra_forbidden":
        return "E200", f"khóa '{loc[-1]}' không được phép (unknown key){_hint_key(error)}"
    if kind == "missing":
        return "E201", f"thiếu trường bắt buộc '{loc[-1]}' (missing required field)"
    if kind == "value_error" and "url_scheme" in str(error.get("msg", "")):
        return "E207", f"'{given}' không phải địa chỉ http/https"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "E206", f"'{given}' không phải ngày; viết năm-tháng-ngày (YYYY-MM-DD), ví dụ 2026-10-01"
    if kind == "string_pattern_mismatch" and loc and loc[-1] in ("url", "website", "source_url"):
        return "E207", f"'{given}' không phải địa chỉ http/https"
    if kind == "string_pattern_mismatch" and loc and loc[-1] in ("code", "procedure"):
        return "E204", f"mã thủ tục '{given}' phải có dạng D.DDDDDD, ví dụ 1.001193"
    if kind == "string_pattern_mismatch":
        return "E204", f"'{given}' sai định dạng; mã định danh viết thường không dấu, nối bằng '-'"
    if kind in ("enum", "literal_error"):
        expected = str(error.get("ctx", {}).get("expected", "")).replace(" or ", ", ")
        return "E203", f"'{given}' không được phép; chọn một trong: {expected}"
    if kind in _CODE_BY_TYPE:
        return _CODE_BY_TYPE[kind], _range_message(kind, error)
    if kind.endswith("_type") or kind.endswith("_parsing") or kind == "is_instance_of":
        return "E202", f"sai kiểu dữ liệu: cần {_TYPE_VI.get(kind, kind)}, nhận {_kind(given)} '{given}'"
    # A model's own rule (ValueError in a model_validator) is already a Vietnamese sentence.
    return "E209", f"giá trị không hợp lệ: {str(error.get('msg', kind)).removeprefix('Value error, ')}"


_TYPE_VI = {
    "int_type": "số nguyên (integer)",
    "float_type": "số (number)",
    "bool_type": "true/false",
    "string_type": "chuỗi (string)",
    "list_type": "danh sách (list)",
    "model_type": "mapping",
    "dict_type": "mapping",
    "model_attributes_type": "mapping",
}


def _range_message(kind: str, error: Any) -> str:
    ctx = error.get("ctx", {})
    given = error.get("input")
    if kind in ("greater_than_equal", "greater_than"):
        return f"{_figure(given)} nhỏ hơn giá trị tối thiểu {_figure(ctx.get('ge', ctx.get('gt')))}"
    if kind in ("less_than_equal", "less_than"):
        return f"{_figure(given)} lớn hơn giá trị tối đa {_figure(ctx.get('le', ctx.get('lt')))}"
    if kind == "string_too_short":
        return "chuỗi rỗng; hãy ghi giá trị hoặc bỏ khóa này"
    if kind == "string_too_long":
        return f"chuỗi dài quá {ctx.get('max_length')} ký tự"
    return f"số phần tử không hợp lệ: {error.get('msg', '')}"


def _figure(value: Any) -> str:
    """Numbers the Vietnamese way (1.000.000; 0,5); anything else as it is."""
    return number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _hint_key(error: Any) -> str:
    return _did_you_mean(str(error["loc"][-1]), _all_field_names())


def _all_field_names() -> set[str]:
    names: set[str] = set()
    for value in vars(models).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            names.update(value.model_fields)
    return names
