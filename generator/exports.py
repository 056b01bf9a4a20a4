"""All machine-readable exports at once: what the site build and `catalogue export` write.

JSON feed, CPSV-AP JSON-LD, the camelCase view (portal.json) and CSV each come from
their own module; this one only gathers their files under api/v1/ and
fills the feed's docs page with real examples, so the examples never drift.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import changes, cpsv, csv_tables, feed, models, openapi, portal
from .catalogue import Catalogue
from .feed import Links

Exporter = Callable[[Catalogue, Links], dict[str, bytes]]
FORMATS: dict[str, Exporter] = {
    "json": lambda catalogue, links: {**feed.feed_files(catalogue, links), **openapi.openapi_files(links)},
    "jsonld": cpsv.jsonld_files,
    "csv": csv_tables.csv_files,
    "portal": portal.portal_files,
}
PROCEDURE_DIR = "procedures/"
AGENCY_DIR = "agencies/"
DOCS_PAGE = "api/index.md"  # the feed's docs page, under docs/
EXAMPLE_MARK = re.compile(r"^<!-- feed-example (\w+)(?: (\S+))? -->$", re.MULTILINE)


def export_files(catalogue: Catalogue, formats: Iterable[str] = FORMATS, site_url: str | None = None,
                 previous: dict[str, Any] | None = None) -> dict[str, bytes]:
    """Files of the chosen formats, by path inside the feed folder.

    `previous`: the previous build's manifest, to list this build's changes against it.
    """
    links = Links(site_url or None)
    files: dict[str, bytes] = {}
    for name in formats:
        files.update(FORMATS[name](catalogue, links))
    hashes = {n: feed.sha256(d) for n, d in files.items()}
    files.update(closing_files(catalogue, links, hashes, previous))
    return files


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


def format_files(catalogue: Catalogue, fmt: str, site_url: str | None = None) -> dict[str, bytes]:
    """The files of one format, without the manifest (written once all formats are)."""
    return FORMATS[fmt](catalogue, Links(site_url or None))


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
