"""Federated catalogues: several data repositories (ministries, provinces) as one catalogue and one site.

Two steps, each simple and always correct:

1. `merge_catalogues(sources, out)` writes one catalogue folder from several:
   every procedure file and form file copied, and the union of the small
   editorial files (agencies, fields, life events, targets, synonyms,
   usage). A code in two catalogues, an id defined differently in two,
   or two different form files at one path is an error naming both files;
   the union is then validated as one catalogue, and its problems are
   reported at the files of the source catalogues they came from.
2. Built shards: each source catalogue is built on its own CI runner
   (`mkdocs build` over it). A procedure page depends only on its
   procedure, its agency chain, field, life events and form files, so the
   page a shard builds is the page the union's build would write. The
   union's build then takes those pages from the shards (`shard_pages`,
   the plugin's `shards` option) instead of rendering them, and makes
   the rest as usual: browse pages, statistics, the feed and its
   manifest, the search files.
"""

from __future__ import annotations

import gzip
import html
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .catalogue import Catalogue
from .problems import Problem, Severity
from .site_urls import Kind, procedure_url
from .source import load_file
from .validate import procedure_files, validate

# Editorial file → its list key; entries of a keyed list have an `id`.
EDITORIAL: dict[str, str] = {
    "agencies.yaml": "agencies", "fields.yaml": "fields", "life_events.yaml": "life_events",
    "targets.yaml": "targets", "synonyms.yaml": "synonyms", "usage.yaml": "usage",
}
UNKEYED = frozenset({"synonyms", "usage"})
KIND_WORDS = {"agencies": "cơ quan", "fields": "lĩnh vực", "life_events": "sự kiện cuộc sống", "targets": "chỉ tiêu"}
MARKER = ".catalogue-merge"  # in a folder `merge` wrote, so it may replace it next time
CONFLICT = "E318"
PAGE = "index.html"


class MergeError(Exception):
    """The merge cannot start (an output folder that is not ours, a source that is no catalogue)."""


@dataclass
class _Union:
    """What the merge collects: editorial entries with where they came from, files to copy."""

    entries: dict[str, list[Any]] = field(default_factory=dict)
    places: dict[tuple[str, str], tuple[str, int, Any]] = field(default_factory=dict)  # (key, id) → path, line, item
    procedures: dict[str, Path] = field(default_factory=dict)  # path inside the union → source file
    forms: dict[str, Path] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)  # union file as shown → source file as shown
    problems: list[Problem] = field(default_factory=list)


def merge_catalogues(sources: list[Path], out: Path, base: Path | None = None,
                     cache_path: Path | None = None) -> tuple[Catalogue | None, list[Problem]]:
    """Write the union of `sources` into `out` and validate it; `out` is left untouched on any error.

    Problems are shown relative to `base` (the working directory for the CLI)
    and point at the source catalogues' files.
    """
    base = base or Path.cwd()
    _check_folders(sources, out)
    union = _Union()
    for source in sources:
        _collect(union, source, base)
    if any(p.level is Severity.ERROR for p in union.problems):
        return None, sorted(union.problems)
    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{out.name}-merge-", dir=out.parent))
    try:
        _write(union, building)
        catalogue, problems = validate(building, base=base, cache_path=cache_path)
        problems = [_from_source(p, _shown(building, base), union.shown) for p in problems]
        if catalogue is None:
            shutil.rmtree(building)
            return None, sorted(problems)
        _replace(building, out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    catalogue.root = out
    return catalogue, sorted(problems)


def _check_folders(sources: list[Path], out: Path) -> None:
    if not sources:
        raise MergeError("cần ít nhất một thư mục catalogue để gộp")
    for source in sources:
        if not (source / "agencies.yaml").is_file():
            raise MergeError(f"{source} không phải thư mục catalogue (không có agencies.yaml)")
        if out.resolve() == source.resolve() or source.resolve().is_relative_to(out.resolve()):
            raise MergeError(f"--out {out} trùng với (hoặc chứa) catalogue nguồn {source}")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise MergeError(f"--out {out} đã có nội dung không do 'catalogue merge' ghi; hãy chọn thư mục khác")


def _shown(path: Path, base: Path) -> str:
    resolved = path.resolve()
    return resolved.relative_to(base.resolve()).as_posix() if resolved.is_relative_to(base.resolve()) else str(path)


# ---------------------------------------------------------------- collecting


def _collect(union: _Union, source: Path, base: Path) -> None:
    prefix = _shown(source, base)
    for name, key in EDITORIAL.items():
        if (source / name).is_file():
            _collect_entries(union, source / name, f"{prefix}/{name}", key)
    for path in procedure_files(source):
        inside = _free_name(union.procedures, path.relative_to(source).as_posix())
        union.procedures[inside] = path
        union.shown[inside] = f"{prefix}/{path.relative_to(source).as_posix()}"
    forms = source / "forms"
    for path in sorted(p for p in forms.rglob("*") if p.is_file()) if forms.is_dir() else []:
        _collect_form(union, path, path.relative_to(source).as_posix(), f"{prefix}/{path.relative_to(source).as_posix()}")


def _collect_entries(union: _Union, path: Path, shown: str, key: str) -> None:
    doc = load_file(path, shown)
    union.problems.extend(doc.problems)
    items = doc.data.get(key) if isinstance(doc.data, dict) else None
    if not isinstance(items, list):
        return  # validation of the union reports a malformed file
    kept = union.entries.setdefault(key, [])
    for i, item in enumerate(items):
        line = doc.position((key, i))[0]
        ident = item.get("id") if isinstance(item, dict) and key not in UNKEYED else None
        if ident is None:
            if item not in kept:
                kept.append(item)
            continue
        earlier = union.places.get((key, str(ident)))
        if earlier is None:
            union.places[(key, str(ident))] = (shown, line, item)
            kept.append(item)
        elif earlier[2] != item:
            union.problems.append(Problem(
                shown, line, doc.position((key, i))[1], CONFLICT, "id",
                f"{KIND_WORDS[key]} '{ident}' được khai báo khác với {earlier[0]}:{earlier[1]}; "
                "hai kho phải khai báo giống hệt nhau (hoặc đổi mã)"))


def _collect_form(union: _Union, path: Path, inside: str, shown: str) -> None:
    earlier = union.forms.get(inside)
    if earlier is None:
        union.forms[inside] = path
        union.shown[inside] = shown
    elif earlier.read_bytes() != path.read_bytes():
        union.problems.append(Problem(shown, 1, 1, CONFLICT, "",
                                      f"tệp mẫu {inside} khác với tệp cùng đường dẫn {union.shown[inside]}"))


def _free_name(taken: dict[str, Path], inside: str) -> str:
    """`inside`, or `<stem>-2.yaml`, `-3`… when another catalogue already has a file there."""
    stem, dot, ext = inside.rpartition(".")
    candidate, n = inside, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}{dot}{ext}"
    return candidate


# ---------------------------------------------------------------- writing


def _write(union: _Union, folder: Path) -> None:
    (folder / MARKER).write_text("Thư mục do 'catalogue merge' ghi; lần gộp sau sẽ ghi đè.\n", encoding="utf-8")
    for name, key in EDITORIAL.items():
        if key in union.entries:
            text = yaml.safe_dump({key: union.entries[key]}, allow_unicode=True, sort_keys=False, width=120)
            header = f"# yaml-language-server: $schema=../schema/{name.removesuffix('.yaml')}.schema.json\n"
            (folder / name).write_text(header + text, encoding="utf-8")
    for inside, path in (union.procedures | union.forms).items():
        (folder / inside).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / inside)


def _replace(built: Path, out: Path) -> None:
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
        out.rename(old / out.name)
        built.rename(out)
        shutil.rmtree(old)
    else:
        built.rename(out)
    out.chmod(0o755)  # mkdtemp makes it private


_UNION_PATH = re.compile(r"\S+?\.(?:ya?ml|pdf|docx?|odt|xlsx?|ods|rtf)")


def _from_source(problem: Problem, union_prefix: str, shown: dict[str, str]) -> Problem:
    """A problem of the union as found in the source catalogue's file, its message's paths too."""

    def source_of(path: str) -> str:
        inside = path.removeprefix(f"{union_prefix}/")
        return shown.get(inside, path)

    message = _UNION_PATH.sub(lambda m: source_of(m.group(0)), problem.message)
    return Problem(source_of(problem.path), problem.line, problem.column, problem.code, problem.field,
                   message, problem.level)


# ---------------------------------------------------------------- built shards


def shard_pages(shards: Iterable[Path], catalogue: Catalogue, site_url: str | None = None
                ) -> tuple[dict[str, Path], list[str]]:
    """Code → the page a shard built for it, and what is wrong (a code with no page, pages in two
    shards, a shard built for another address).

    Shards are site folders (`mkdocs build` of one source catalogue).
    """
    found: dict[str, Path] = {}
    errors: list[str] = []
    for shard in shards:
        errors += _address_errors(shard, site_url)
        folder = shard / Kind.PROCEDURE.value
        if not folder.is_dir():
            errors.append(f"{shard}: không có thư mục {Kind.PROCEDURE.value}/ (chưa dựng phân mảnh này?)")
            continue
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            page = Path(entry.path) / PAGE
            if not page.is_file():
                continue
            earlier = found.setdefault(entry.name, page)
            if earlier != page:
                errors.append(f"thủ tục {entry.name} có trang trong hai phân mảnh: {earlier} và {page}")
    codes = sorted(catalogue.by_code)  # retired procedures keep their page too
    missing = [code for code in codes if _page_name(code) not in found]
    errors += [f"thủ tục {code} không có trang trong phân mảnh nào" for code in missing[:20]]
    if len(missing) > 20:
        errors.append(f"… và {len(missing) - 20} thủ tục khác")
    extra = sorted(set(found) - {_page_name(code) for code in codes})
    errors += [f"{found[name]}: thủ tục {name} không có trong catalogue đã gộp (phân mảnh cũ?)" for name in extra[:20]]
    return {code: found[_page_name(code)] for code in codes
            if _page_name(code) in found}, errors


def _address_errors(shard: Path, site_url: str | None) -> list[str]:
    """A shard built with another site_url has other canonical links in its pages: its sitemap tells."""
    sitemap = shard / SITEMAP
    locs = _LOC.findall(sitemap.read_text(encoding="utf-8")) if sitemap.is_file() else []
    if not locs or (site_url and html.unescape(locs[0]).startswith(site_url)):
        return []
    wanted = f"SITE_URL {site_url}" if site_url else "không có SITE_URL"
    return [f"{shard}: phân mảnh được dựng cho địa chỉ {html.unescape(locs[0])}, còn site gộp {wanted}; "
            "hãy dựng mọi phân mảnh với cùng SITE_URL"]


def _page_name(code: str) -> str:
    """The folder name of a procedure's page (its URL's last part)."""
    return procedure_url(code).rstrip("/").rsplit("/", 1)[-1]


def copy_pages(pages: dict[str, Path], site_dir: Path) -> None:
    """Each shard page to its place in the site."""
    for code, page in pages.items():
        target = site_dir / procedure_url(code) / PAGE
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target)


SITEMAP = "sitemap.xml"
_ENTRY = re.compile(r"\n    <url>\n.*?</url>", re.DOTALL)
_LOC = re.compile(r"<loc>([^<]*)</loc>")


def merge_sitemap(site_dir: Path, shards: Iterable[Path], listed_before: set[str]) -> None:
    """Put the shards' procedure entries into the merged site's sitemap, where one build would list them.

    MkDocs lists pages in the order the plugin adds them: a procedure's
    entry (as the shard wrote it, same site_url and build date) comes after
    the other generated pages, whose URLs are `listed_before`. Without a
    site_url MkDocs writes no entry, and there is nothing to merge.
    """
    path = site_dir / SITEMAP
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    entries = _ENTRY.findall(text)
    procedures = sorted(
        (e for shard in shards if (shard / SITEMAP).is_file()
         for e in _ENTRY.findall((shard / SITEMAP).read_text(encoding="utf-8")) if _is_procedure(e)),
        key=_path_of)
    if not entries or not procedures:
        return
    after = max((i for i, e in enumerate(entries) if _path_of(e) in listed_before), default=len(entries) - 1)
    head, tail = text.split(entries[0], 1)[0], text.rsplit(entries[-1], 1)[1]
    merged = head + "".join(entries[:after + 1] + procedures + entries[after + 1:]) + tail
    path.write_text(merged, encoding="utf-8")
    _gzip_like(path.with_name(SITEMAP + ".gz"), merged.encode("utf-8"))


def _path_of(entry: str) -> str:
    found = _LOC.search(entry)
    return urlsplit(html.unescape(found.group(1))).path if found else ""


def _is_procedure(entry: str) -> bool:
    return f"/{Kind.PROCEDURE.value}/" in _path_of(entry)


def _gzip_like(path: Path, data: bytes) -> None:
    """Rewrite a .gz file MkDocs wrote, keeping its header's time (bytes 4–8), so builds stay reproducible."""
    mtime = int.from_bytes(path.read_bytes()[4:8], "little") if path.is_file() else 0
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, filename=str(path), mode="wb", mtime=mtime) as out:
        out.write(data)
