"""The JSON feed v1 (site/api/v1/): the catalogue as portals import it.

Each procedure is the model's own JSON (`model_dump(mode="json")`), so a
portal loads it back with the same models, plus one `derived` object of
values computed from the record (category, page URL) that loading ignores.
A manifest gives each procedure's SHA-256 and `updated` date so a portal
re-fetches only what changed; every file names its JSON Schema in
`$schema`, and the schemas are published beside the files.

Paths here are relative to the feed folder (api/v1/). URLs inside the files
are relative to the site root, or absolute when the site's URL is known.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from . import models
from .catalogue import Catalogue
from .schema import schema_text
from .site_urls import procedure_url, url_of

FEED_DIR = "api/v1"
SCHEMA_DIR = "schema"
SCHEMA_VERSION = "1.1.0"
# Months v1 keeps being produced after v2 appears (stated on the docs page).
DEPRECATION_MONTHS = 12
Sha256 = str


def dumps(value: Any) -> bytes:
    """The one JSON encoding of every feed file: sorted keys, fixed separators, UTF-8, final newline."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def sha256(data: bytes) -> Sha256:
    return hashlib.sha256(data).hexdigest()


def procedure_file(code: str) -> str:
    """Path of one procedure's JSON inside the feed folder."""
    return f"procedures/{quote(code)}.json"


@dataclass(frozen=True)
class Links:
    """Turns site paths into the URLs written in exports."""

    site_url: str | None = None

    def url(self, path: str) -> str:
        """Absolute under the site's URL when known, else relative to the site root."""
        return f"{self.site_url.rstrip('/')}/{path}" if self.site_url else path


# --- The feed's own models: the published JSON Schemas are generated from them.


class ProcedureDerived(models.Strict):
    """Giá trị suy ra (derived): computed from the record; ignored when loading it back."""

    category: models.Category = Field(description="Loại DVCTT theo Nghị định 42/2022 (category), suy từ mức độ")
    url: str = Field(description="Trang thủ tục trên site (page URL)")


class ProcedureRecord(models.Procedure):
    """Một thủ tục: the source record exactly, plus `derived`."""

    derived: ProcedureDerived


class CountDerived(models.Strict):
    """Giá trị suy ra cho cơ quan, lĩnh vực, sự kiện: page URL and number of procedures."""

    procedures: int = Field(ge=0, description="Số thủ tục (procedure count)")
    url: str = Field(description="Trang trên site (page URL)")


class AgencyRecord(models.Agency):
    derived: CountDerived


class FieldRecord(models.FieldOfWork):
    derived: CountDerived


class LifeEventRecord(models.LifeEvent):
    derived: CountDerived


class _Document(models.Strict):
    model_config = ConfigDict(populate_by_name=True)

    schema_: str = Field(alias="$schema", description="JSON Schema của tệp này")


class ProcedureFile(ProcedureRecord, _Document):
    """procedures/<code>.json. No build date inside, so its hash changes only when the record does."""


class Envelope(_Document):
    schema_version: str = Field(description="Phiên bản định dạng feed (semver), ví dụ 1.0.0")
    generated: models.Date = Field(description="Ngày dữ liệu (SOURCE_DATE_EPOCH hoặc `updated` mới nhất)")
    site_url: str | None = Field(description="Địa chỉ gốc của site; null: URL tương đối với gốc site")


class Counts(models.Strict):
    procedures: int = Field(ge=0)
    agencies: int = Field(ge=0)
    fields: int = Field(ge=0)
    life_events: int = Field(ge=0)


class CatalogueFeed(Envelope):
    """catalogue.json: the whole catalogue in one file."""

    counts: Counts
    agencies: list[AgencyRecord]
    fields: list[FieldRecord]
    life_events: list[LifeEventRecord]
    procedures: list[ProcedureRecord]


class AgenciesFeed(Envelope):
    """agencies.json"""

    agencies: list[AgencyRecord]


class FieldsFeed(Envelope):
    """fields.json"""

    fields: list[FieldRecord]


class ManifestEntry(models.Strict):
    code: models.Code = Field(description="Mã thủ tục")
    url: str = Field(description="URL của tệp JSON của thủ tục")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 của tệp JSON đó")
    updated: models.Date = Field(description="Ngày cập nhật của thủ tục")


class FileEntry(models.Strict):
    name: str = Field(description="Tên tệp trong thư mục feed")
    url: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class ManifestFeed(Envelope):
    """manifest.json: what to re-fetch. Compare sha256 with your copy; fetch only what differs."""

    procedures: list[ManifestEntry]
    files: list[FileEntry]


class FormatChange(models.Strict):
    version: str = Field(description="Phiên bản định dạng (semver)")
    date: models.Date
    changes: list[str] = Field(description="Thay đổi, tiếng Việt (English)")


class ChangelogFeed(Envelope):
    """changelog.json: the history of the feed format (not of the data)."""

    deprecation_months: int = Field(description="Số tháng v1 còn được phát hành sau khi có v2")
    versions: list[FormatChange]


CHANGELOG: tuple[FormatChange, ...] = (
    FormatChange(
        version="1.0.0",
        date=dt.date(2026, 11, 23),
        changes=[
            "Phát hành feed v1: catalogue.json, procedures/<mã>.json, agencies.json, fields.json, "
            "manifest.json, JSON Schema cho từng tệp (first release of the v1 feed).",
            "Xuất thêm catalogue.jsonld (CPSV-AP 3.2.0), portal.json (dạng Cổng DVC quốc gia), "
            "procedures.csv và channels.csv (CPSV-AP, national-portal and CSV exports).",
            "Loại phí (fees[].kind; portal: fees[].type; CSV: fee_kind) là null khi nguồn không phân biệt "
            "phí hay lệ phí, không đoán là lệ phí (null when the source does not say).",
        ],
    ),
    FormatChange(
        version="1.1.0",
        date=dt.date(2026, 12, 1),
        changes=[
            "`agency` có thể vắng khi nguồn không ghi cơ quan thực hiện (absent when the source names none).",
            "Thêm `coordinating_agencies`, `authorised_agencies`, `reception_address`, `related_procedures`, "
            "`captured` (ngày hoặc tháng lấy dữ liệu) và `forms[].file_names` (added, as the source gives them).",
            "`derived.category`: mức 2 (chỉ tải mẫu) là `thong-tin`, không phải `mot-phan` (Nghị định 42/2022).",
        ],
    ),
)

# File name under schema/ → the model of a feed file. The portal export adds its own.
FEED_SCHEMAS: dict[str, type[BaseModel]] = {
    "catalogue.schema.json": CatalogueFeed,
    "procedure.schema.json": ProcedureFile,
    "agencies.schema.json": AgenciesFeed,
    "fields.schema.json": FieldsFeed,
    "manifest.schema.json": ManifestFeed,
    "changelog.schema.json": ChangelogFeed,
}


def schema_ref(name: str, depth: int = 0) -> str:
    """The `$schema` value of a file `depth` folders below the feed root."""
    return "../" * depth + f"{SCHEMA_DIR}/{name}"


def schema_files(schemas: dict[str, type[BaseModel]]) -> dict[str, bytes]:
    """Published schemas, generated by the same code as the source-file schemas."""
    return {f"{SCHEMA_DIR}/{name}": schema_text(model, name).encode("utf-8") for name, model in schemas.items()}


# --- Records


def procedure_record(procedure: models.Procedure, links: Links) -> dict[str, Any]:
    """The model's JSON plus `derived`."""
    record = procedure.model_dump(mode="json")
    derived = ProcedureDerived(category=procedure.category, url=links.url(procedure_url(procedure.code)))
    record["derived"] = derived.model_dump(mode="json")
    return record


def _counted(item: BaseModel, kind: str, count: int, links: Links) -> dict[str, Any]:
    record = item.model_dump(mode="json")
    key = str(record["id"])
    record["derived"] = CountDerived(procedures=count, url=links.url(url_of(kind, key))).model_dump()
    return record


def agency_records(catalogue: Catalogue, links: Links) -> list[dict[str, Any]]:
    return [
        _counted(a, "co-quan", len(catalogue.by_agency.get(key, [])), links)
        for key, a in sorted(catalogue.agencies.items())
    ]


def field_records(catalogue: Catalogue, links: Links) -> list[dict[str, Any]]:
    return [
        _counted(f, "linh-vuc", len(catalogue.by_field.get(key, [])), links)
        for key, f in sorted(catalogue.fields.items())
    ]


def life_event_records(catalogue: Catalogue, links: Links) -> list[dict[str, Any]]:
    return [
        _counted(e, "su-kien", len(catalogue.by_life_event.get(key, [])), links)
        for key, e in sorted(catalogue.life_events.items())
    ]


def envelope(catalogue: Catalogue, links: Links, schema: str) -> dict[str, Any]:
    """The header every whole-catalogue file starts with."""
    return {
        "$schema": schema_ref(schema),
        "schema_version": SCHEMA_VERSION,
        "generated": catalogue.build_date().isoformat(),
        "site_url": links.site_url,
    }


# --- Files


def feed_files(catalogue: Catalogue, links: Links) -> dict[str, bytes]:
    """Every file of the JSON feed, by path inside api/v1/."""
    records = [procedure_record(p, links) for p in catalogue.procedures]
    files = {procedure_file(r["code"]): dumps({"$schema": schema_ref("procedure.schema.json", 1), **r})
             for r in records}
    agencies, fields = agency_records(catalogue, links), field_records(catalogue, links)
    events = life_event_records(catalogue, links)
    counts = Counts(procedures=len(records), agencies=len(agencies), fields=len(fields), life_events=len(events))
    files["catalogue.json"] = dumps({
        **envelope(catalogue, links, "catalogue.schema.json"), "counts": counts.model_dump(),
        "agencies": agencies, "fields": fields, "life_events": events, "procedures": records,
    })
    files["agencies.json"] = dumps({**envelope(catalogue, links, "agencies.schema.json"), "agencies": agencies})
    files["fields.json"] = dumps({**envelope(catalogue, links, "fields.schema.json"), "fields": fields})
    files["changelog.json"] = dumps(changelog(catalogue, links))
    files["manifest.json"] = dumps(manifest(catalogue, links, files))
    files.update(schema_files(FEED_SCHEMAS))
    return files


def changelog(catalogue: Catalogue, links: Links) -> dict[str, Any]:
    return {
        **envelope(catalogue, links, "changelog.schema.json"),
        "deprecation_months": DEPRECATION_MONTHS,
        "versions": [c.model_dump(mode="json") for c in CHANGELOG],
    }


def manifest(catalogue: Catalogue, links: Links, files: dict[str, bytes]) -> dict[str, Any]:
    """Code, URL, content hash and `updated` of every procedure, and hashes of the whole files."""
    entries = [
        ManifestEntry(code=p.code, url=links.url(f"{FEED_DIR}/{procedure_file(p.code)}"),
                      sha256=sha256(files[procedure_file(p.code)]), updated=p.updated).model_dump(mode="json")
        for p in catalogue.procedures
    ]
    whole = [
        FileEntry(name=name, url=links.url(f"{FEED_DIR}/{name}"), sha256=sha256(files[name])).model_dump()
        for name in sorted(("catalogue.json", "agencies.json", "fields.json", "changelog.json"))
    ]
    return {**envelope(catalogue, links, "manifest.schema.json"), "procedures": entries, "files": whole}
