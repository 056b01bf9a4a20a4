"""All machine-readable exports at once: what the site build and `catalogue export` write.

JSON feed, CPSV-AP JSON-LD, the camelCase view (portal.json) and CSV each come from
their own module; this one only gathers their files under api/v1/ and
fills the feed's docs page with real examples, so the examples never drift.
"""

from __future__ import annotations

import json
import pickle
import re
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

from . import changes, cpsv, csv_tables, feed, models, openapi, parallel, portal, result_cache
from .catalogue import Catalogue
from .feed import Links
from .result_cache import ResultCache
from .streams import Exporter, FolderSink, MemorySink, Sink


class _JsonFeed(feed.JsonFeed):
    """The JSON feed and the OpenAPI description of it."""

    def close(self) -> None:
        super().close()
        for name, data in openapi.openapi_files(self.links).items():
            self.sink.put(name, data)


FORMATS: dict[str, type[Exporter]] = {
    "json": _JsonFeed,
    "jsonld": cpsv.JsonLd,
    "csv": csv_tables.Tables,
    "portal": portal.Portal,
}
PROCEDURE_DIR = "procedures/"
AGENCY_DIR = "agencies/"
DOCS_PAGE = "api/index.md"  # the feed's docs page, under docs/
EXAMPLE_MARK = re.compile(r"^<!-- feed-example (\w+)(?: (\S+))? -->$", re.MULTILINE)
CHUNK = 64  # procedures per worker task
STORE_BATCH = 500  # fresh pieces written to the cache at a time


def default_path() -> Path:
    """Beside the validation cache: $XDG_CACHE_HOME/catalogue-generator/<code>/feed.sqlite."""
    return result_cache.default_path().with_name("feed.sqlite")


def export_files(catalogue: Catalogue, formats: Iterable[str] = FORMATS, site_url: str | None = None,
                 previous: dict[str, Any] | None = None) -> dict[str, bytes]:
    """Files of the chosen formats, by path inside the feed folder.

    `previous`: the previous build's manifest, to list this build's changes against it.
    """
    sink = MemorySink()
    export(catalogue, sink, formats, site_url, previous)
    return sink.files


def write_export(catalogue: Catalogue, out: Path, formats: Iterable[str] = FORMATS, site_url: str | None = None,
                 previous: dict[str, Any] | None = None, *, cache_path: Path | None = None,
                 record: Path | None = None) -> int:
    """The files of `export_files`, written under `out` as they are made (only pieces are in memory); their number.

    A file whose bytes are unchanged is left untouched; a procedure or agency
    file left from an earlier export whose code is gone is removed. `record`:
    where what the export left in `out` is recorded, so the next one into `out`
    knows unchanged files without reading them (streams.FolderSink).
    """
    sink = FolderSink(out, (PROCEDURE_DIR, AGENCY_DIR), record)
    export(catalogue, sink, formats, site_url, previous, cache_path=cache_path)
    sink.finish()
    return len(sink.hashes)


def export(catalogue: Catalogue, sink: Sink, formats: Iterable[str] = FORMATS, site_url: str | None = None,
           previous: dict[str, Any] | None = None, *, cache_path: Path | None = None) -> None:
    """Every file of the chosen formats through `sink`, in one pass over the procedures.

    Each procedure's pieces (its record, JSON-LD nodes, camelCase record, CSV
    rows) are made once, in worker processes for a large catalogue, or read
    from the cache at `cache_path`; every format's whole files take them in
    code order, then the manifest closes the export.
    """
    links, names = Links(site_url or None), list(formats)
    exporters = [FORMATS[name](catalogue, links, sink) for name in names]
    for code, pieces in Pieces(catalogue, links, names, cache_path).each():
        for exporter, piece in zip(exporters, pieces, strict=True):
            exporter.add(code, piece)
    for exporter in exporters:
        exporter.close()
    hashes = dict(sink.hashes)
    for name, data in closing_files(catalogue, links, hashes, previous).items():
        sink.put(name, data)


class Pieces:
    """Each procedure's pieces for the chosen formats, in code order: cached, or made here or in workers.

    Cached only for a full export (every format), keyed by
    result_cache.derived_key of the procedure's digest and the site's URL.
    """

    def __init__(self, catalogue: Catalogue, links: Links, names: list[str], cache_path: Path | None) -> None:
        self.catalogue, self.links, self.names = catalogue, links, tuple(names)
        whole = self.names == tuple(FORMATS)
        self.cache = ResultCache(cache_path, "") if cache_path is not None and whole else None
        self.keys: dict[str, str] = {}
        if self.cache is not None:
            self.keys = {code: result_cache.derived_key("feed", digest, links.site_url or "")
                         for code, digest in catalogue.digests.items() if digest}

    def each(self) -> Iterator[tuple[str, tuple[Any, ...]]]:
        codes = [p.code for p in self.catalogue.procedures]
        present = self.cache.present(self.keys.values()) if self.cache is not None else set()
        ahead = _ahead(self.catalogue, self.links, self.names, [c for c in codes if self.keys.get(c) not in present])
        fresh: dict[str, bytes] = {}
        try:
            for start in range(0, len(codes), CHUNK):
                chunk = codes[start:start + CHUNK]
                blobs = self._chunk(chunk, present, ahead)
                for code in chunk:
                    key = self.keys.get(code)
                    if key is not None and key not in present:
                        fresh[key] = blobs[code]
                    yield code, pickle.loads(blobs[code])
                if len(fresh) >= STORE_BATCH:
                    self._store(fresh)
            self._store(fresh)
        finally:
            if ahead is not None:
                ahead.close()
            if self.cache is not None:
                self.cache.close()

    def _chunk(self, chunk: list[str], present: set[str], ahead: Generator[bytes] | None) -> dict[str, bytes]:
        """code → pickled pieces of one chunk: from the cache, from the workers, or made here.

        Made here, the cache is asked again first: beside a site build,
        another process makes pieces from the last code backwards into it
        (help_pieces) while this one goes forwards.
        """
        keys = [self.keys[c] for c in chunk if c in self.keys and (ahead is None or self.keys[c] in present)]
        stored = self._stored(keys)
        blobs: dict[str, bytes] = {}
        missing: list[str] = []
        for code in chunk:
            key = self.keys.get(code)
            if key in stored:
                blobs[code] = stored[key]
            elif ahead is not None and key not in present:
                blobs[code] = next(ahead)
            else:  # not in the cache, or listed but unreadable
                missing.append(code)
        blobs.update(zip(missing, (_blob(p, self.catalogue, self.links, self.names)
                                   for p in self.catalogue.each(missing)), strict=True))
        return blobs

    def _stored(self, keys: list[str]) -> dict[str, bytes]:
        return self.cache.get_many(keys) if self.cache is not None and keys else {}

    def _store(self, fresh: dict[str, bytes]) -> None:
        if self.cache is not None:
            self.cache.put_many(fresh)
        fresh.clear()


def help_pieces(catalogue: Catalogue, site_url: str | None, cache_path: Path) -> int:
    """Each procedure's pieces for a full export, made from the last code backwards into the cache at
    `cache_path`, until a chunk is all there; how many were made.

    Run beside an export that makes them forwards through the same cache
    (Pieces.each takes what it finds): the two meet in the middle, so on
    two cores the feed no longer finishes alone on one of them.
    """
    pieces = Pieces(catalogue, Links(site_url or None), list(FORMATS), cache_path)
    assert pieces.cache is not None
    codes = [p.code for p in catalogue.procedures if p.code in pieces.keys]
    made = 0
    try:
        for start in reversed(range(0, len(codes), CHUNK)):
            chunk = codes[start:start + CHUNK]
            there = pieces.cache.present(pieces.keys[c] for c in chunk)
            missing = [c for c in chunk if pieces.keys[c] not in there]
            if not missing:
                break  # the export got here
            pieces.cache.put_many({pieces.keys[p.code]: _blob(p, catalogue, pieces.links, pieces.names)
                                   for p in catalogue.each(missing)})
            made += len(missing)
    finally:
        pieces.cache.close()
    return made


def _blob(procedure: models.Procedure, catalogue: Catalogue, links: Links, names: tuple[str, ...]) -> bytes:
    """A procedure's pieces of `names`, pickled: what a worker sends back and the cache keeps."""
    pieces = tuple(FORMATS[name].piece(procedure, catalogue, links) for name in names)
    return pickle.dumps(pieces, protocol=pickle.HIGHEST_PROTOCOL)


def _ahead(catalogue: Catalogue, links: Links, names: tuple[str, ...], codes: list[str]) -> Generator[bytes] | None:
    """The pieces of `codes`, in order, made ahead in worker processes when there are many and this process
    may fork; else None, and Pieces makes them a chunk at a time (so does the site build's helper process,
    a daemon, which runs beside the pages on a core of its own).

    At most parallel.WINDOW_PER_WORKER tasks per worker run ahead of what is
    taken, so memory holds a few hundred procedures' pieces, not the catalogue's.
    """
    if len(codes) < parallel.PARALLEL_MIN or not parallel.may_fork():
        return None
    return _in_workers(catalogue, links, names, codes)


def _in_workers(catalogue: Catalogue, links: Links, names: tuple[str, ...], codes: list[str]) -> Generator[bytes]:
    chunks = (codes[i:i + CHUNK] for i in range(0, len(codes), CHUNK))
    results = parallel.in_order(_blobs_in_worker, chunks, (catalogue, links, names), parallel.worker_count())
    try:
        for _, blobs in results:
            yield from blobs
    finally:
        results.close()


def _blobs_in_worker(codes: list[str]) -> list[bytes]:
    catalogue, links, names = parallel.shared()
    return [_blob(procedure, catalogue, links, names) for procedure in catalogue.each(codes)]


def closing_files(catalogue: Catalogue, links: Links, hashes: dict[str, str],
                  previous: dict[str, Any] | None) -> dict[str, bytes]:
    """The files made from every other file's hash, last: the change list (with the JSON feed)
    and the manifest. `hashes` gains theirs."""
    files: dict[str, bytes] = {}
    if feed.CHANGELOG_FILE in hashes:  # the JSON feed is among the formats: its procedure files are hashed
        files = changes.change_files(catalogue, links, hashes, previous)
        hashes.update((n, feed.sha256(d)) for n, d in files.items())
    files[feed.MANIFEST] = feed.manifest(catalogue, links, hashes)
    return files


def read_manifest(path: Path) -> dict[str, Any]:
    """A previous build's manifest.json, to list changes against; ValueError (in Vietnamese) if it is none."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ValueError(f"không đọc được manifest trước {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("procedures"), list):
        raise ValueError(f"{path} không phải manifest.json của feed (thiếu danh sách procedures)")
    return data


def write_files(out: Path, files: dict[str, bytes]) -> None:
    """Write each file under `out`, leaving unchanged files untouched.

    A procedure or agency file left from an earlier export whose code is
    gone is removed, so the folder matches its manifest.
    """
    for name, data in sorted(files.items()):
        target = out / name
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for folder in (PROCEDURE_DIR, AGENCY_DIR):
        if any(name.startswith(folder) for name in files):
            for stale in sorted((out / folder).glob("*.json")):
                if f"{folder}{stale.name}" not in files:
                    stale.unlink()


# --- Examples for docs/api/index.md, made from a real record at build time


def fill_examples(markdown: str, catalogue: Catalogue, site_url: str | None = None) -> str:
    """Replace each `<!-- feed-example FORMAT [CODE] -->` line with that record in that format.

    FORMAT is json, portal, jsonld, csv or changelog; CODE falls back to the
    first procedure when the catalogue does not hold it.
    """
    if not catalogue.procedures:
        return markdown
    links = Links(site_url or None)

    def example(match: re.Match[str]) -> str:
        code = match.group(2)
        procedure = catalogue.by_code.get(code or "") or catalogue.procedures[0]
        return example_block(match.group(1), procedure.code, catalogue, links)

    return EXAMPLE_MARK.sub(example, markdown)


def example_block(fmt: str, code: str, catalogue: Catalogue, links: Links) -> str:
    """One fenced block showing procedure `code` as the export writes it."""
    procedure = catalogue.full(code)
    if fmt == "json":
        return _fence("json", feed.procedure_record(procedure, links))
    if fmt == "portal":
        return _fence("json", portal.procedure(procedure, catalogue, links))
    if fmt == "jsonld":
        graph = cpsv.service_nodes(procedure, catalogue)
        return _fence("json", {"@context": cpsv.CONTEXT, "@graph": graph})
    if fmt == "csv":
        return csv_example(procedure, catalogue, links)
    if fmt == "changelog":
        return _fence("json", feed.changelog(catalogue, links)["versions"])
    raise ValueError(f"định dạng ví dụ không rõ: {fmt}")


def csv_example(procedure: models.Procedure, catalogue: Catalogue, links: Links) -> str:
    """Header and the procedure's row of each CSV file, as they appear in the files."""
    rows = [csv_tables.procedure_row(procedure, catalogue, links)]
    first = csv_tables.table(csv_tables.PROCEDURE_COLUMNS, rows).decode("utf-8-sig")
    second = csv_tables.table(csv_tables.CHANNEL_COLUMNS, csv_tables.channel_rows(procedure)).decode("utf-8-sig")
    return "procedures.csv:\n\n```text\n" + first.replace("\r\n", "\n") + "```\n\nchannels.csv:\n\n```text\n" \
        + second.replace("\r\n", "\n") + "```"


def _fence(language: str, value: object) -> str:
    return f"```{language}\n{json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)}\n```"
