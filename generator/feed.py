"""The JSON feed v1 (site/api/v1/): the catalogue as portals import it.

Each procedure is the model's own JSON (`model_dump(mode="json")`), so a
portal loads it back with the same models, plus one `derived` object of
values computed from the record (category, page URL) that loading ignores.
A manifest gives each procedure's SHA-256 and `updated` date so a portal
re-fetches only what changed; every file names its JSON Schema in
`$schema`, and the schemas are published beside the files.

Paths here are relative to the feed folder (api/v1/). Every URL inside
every file is relative to the feed folder, the manifest's own address, so
`urljoin(manifest_url, url)` finds it; once the site's URL is known, every
URL is absolute. The manifest (made in exports, after every format) lists
every file with its hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from . import models
from .catalogue import Catalogue
from .schema import model_schema, schema_json
from .site_urls import procedure_url, url_of

FEED_DIR = "api/v1"
SCHEMA_DIR = "schema"
SCHEMA_VERSION = "1.1.0"
MANIFEST = "manifest.json"
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
        """A site path as written in exports: absolute under the site's URL, else relative to api/v1/."""
        return f"{self.site_url.rstrip('/')}/{path}" if self.site_url else "../../" + path

    def feed_url(self, name: str) -> str:
        """A file of the feed: absolute under the site's URL, else its path inside api/v1/."""
        return self.url(f"{FEED_DIR}/{name}") if self.site_url else name


# --- The feed's own models: the published JSON Schemas are generated from them.


class ProcedureDerived(models.Strict):
    """Giá trị suy ra (derived): computed from the record; ignored when loading it back."""

    category: models.Category = Field(description="Loại DVCTT theo Nghị định 42/2022 (category), suy từ mức độ")
    url: str = Field(description="Trang thủ tục trên site, tương đối với api/v1/ (page URL)")


class ProcedureRecord(models.Procedure):
    """Một thủ tục: the source record exactly, plus `derived`."""

    derived: ProcedureDerived = Field(description="Giá trị suy ra từ bản ghi (derived)")


class CountDerived(models.Strict):
    """Giá trị suy ra cho cơ quan, lĩnh vực, sự kiện: page URL and number of procedures."""

    procedures: int = Field(ge=0, description="Số thủ tục (procedure count)")
    url: str = Field(description="Trang trên site, tương đối với api/v1/ (page URL)")


DERIVED = "Giá trị suy ra: số thủ tục và trang (derived)"


class AgencyRecord(models.Agency):
    """Cơ quan, cộng `derived`."""

    derived: CountDerived = Field(description=DERIVED)


class FieldRecord(models.FieldOfWork):
    """Lĩnh vực, cộng `derived`."""

    derived: CountDerived = Field(description=DERIVED)


class LifeEventRecord(models.LifeEvent):
    """Sự kiện cuộc sống, cộng `derived`."""

    derived: CountDerived = Field(description=DERIVED)


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
    """Số mục (counts)."""

    procedures: int = Field(ge=0, description="Số thủ tục")
    agencies: int = Field(ge=0, description="Số cơ quan")
    fields: int = Field(ge=0, description="Số lĩnh vực")
    life_events: int = Field(ge=0, description="Số sự kiện cuộc sống")


PROCEDURES = "Các thủ tục (procedures)"
AGENCIES = "Các cơ quan (agencies)"
FIELDS = "Các lĩnh vực (fields)"


class CatalogueFeed(Envelope):
    """catalogue.json: the whole catalogue in one file."""

    counts: Counts = Field(description="Số mục của từng loại (counts)")
    agencies: list[AgencyRecord] = Field(description=AGENCIES)
    fields: list[FieldRecord] = Field(description=FIELDS)
    life_events: list[LifeEventRecord] = Field(description="Các sự kiện cuộc sống (life events)")
    procedures: list[ProcedureRecord] = Field(description=PROCEDURES)


class AgenciesFeed(Envelope):
    """agencies.json"""

    agencies: list[AgencyRecord] = Field(description=AGENCIES)


class FieldsFeed(Envelope):
    """fields.json"""

    fields: list[FieldRecord] = Field(description=FIELDS)


class AgencyFeed(Envelope):
    """agencies/<id>.json: one agency and the procedures it carries out, for a portal that imports one agency."""

    agency: AgencyRecord = Field(description="Cơ quan (agency)")
    procedures: list[ProcedureRecord] = Field(description="Thủ tục mà cơ quan này thực hiện (field `agency`)")


Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class ManifestEntry(models.Strict):
    """Một thủ tục trong manifest."""

    code: models.Code = Field(description="Mã thủ tục")
    url: str = Field(description="URL của tệp JSON của thủ tục, tương đối với manifest (relative to this file)")
    sha256: Sha256Hex = Field(description="SHA-256 của tệp JSON đó")
    updated: models.Date = Field(description="Ngày cập nhật của thủ tục")


class FileEntry(models.Strict):
    """Một tệp của feed trong manifest."""

    name: str = Field(description="Tên tệp trong thư mục feed (api/v1/)")
    url: str = Field(description="URL của tệp, tương đối với manifest (relative to this file)")
    sha256: Sha256Hex = Field(description="SHA-256 của tệp")
    updated: models.Date = Field(description="Ngày cập nhật mới nhất của nội dung tệp (data date of its content)")


class ManifestFeed(Envelope):
    """manifest.json: what to re-fetch. Compare sha256 with your copy; fetch only what differs."""

    build: Sha256Hex = Field(description="Mã lần dựng: SHA-256 của mọi tên tệp và mã băm (same content, same id)")
    procedures: list[ManifestEntry] = Field(description=PROCEDURES)
    files: list[FileEntry] = Field(description="Mọi tệp khác của feed, trừ manifest (every other file)")


class FormatChange(models.Strict):
    """Một phiên bản định dạng."""

    version: str = Field(pattern=r"^\d+\.\d+\.\d+$", description="Phiên bản định dạng (semver)")
    date: models.Date = Field(description="Ngày phát hành phiên bản (release date)")
    changes: list[str] = Field(description="Thay đổi, tiếng Việt (English)")


class ChangelogFeed(Envelope):
    """changelog.json: the history of the feed format (not of the data)."""

    deprecation_months: int = Field(ge=0, description="Số tháng v1 còn được phát hành sau khi có v2")
    versions: list[FormatChange] = Field(description="Các phiên bản, cũ trước (versions, oldest first)")


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
            "Schema công bố là schema mở: không còn additionalProperties false, nên hệ thống viết cho 1.0 đọc "
            "được bản ghi 1.x có trường mới (published schemas are open; the 1.0.0 ones were closed by mistake).",
            "Ràng buộc là từ khóa JSON Schema thật (minimum, maximum, pattern cho ngày); mỗi thuộc tính có "
            "mô tả; $id có phiên bản: schema/1.1.0/<tên> (bounds validators enforce; versioned $id).",
            "Mọi URL tương đối với thư mục api/v1/, tức địa chỉ của manifest, nên urljoin(manifest_url, url) "
            "đúng (all URLs relative to the manifest's address).",
            "manifest.json: thêm build, và mọi tệp của api/v1/ (CSV, JSON-LD, portal, schema, theo cơ quan) "
            "với sha256 và updated (every file hashed, a build id).",
            "Thêm agencies/<id>.json: một cơ quan và các thủ tục của nó (per-agency files).",
            "CSV: thêm bảng con documents.csv, legal_basis.csv, forms.csv, results.csv và datapackage.json "
            "(Frictionless, kiểu của từng cột); ô văn bản bắt đầu bằng - cũng được thêm ' như = + @ tab CR "
            "(child tables, a data package, OWASP escaping of every risky leading character).",
            "Thêm openapi.json: mô tả OpenAPI 3.1 của feed tĩnh, schema theo $ref (an OpenAPI 3.1 description).",
            "portal.json được gọi đúng tên: khóa camelCase do dự án đặt, không phải API của Cổng DVC quốc gia "
            "(no published document of that API; the file keeps its name for v1 consumers).",
            "catalogue.jsonld: IRI của kênh, phí, giấy tờ, kết quả, điều kiện, căn cứ lấy từ nội dung định danh "
            "(#kenh-truc-tiep, #ho-so-<băm>), không từ vị trí (IRIs survive inserting a row).",
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
    "agency.schema.json": AgencyFeed,
    "procedure.schema.json": ProcedureFile,
    "agencies.schema.json": AgenciesFeed,
    "fields.schema.json": FieldsFeed,
    "manifest.schema.json": ManifestFeed,
    "changelog.schema.json": ChangelogFeed,
}


def schema_path(name: str) -> str:
    """Where a published schema lives inside api/v1/: one folder per format version."""
    return f"{SCHEMA_DIR}/{SCHEMA_VERSION}/{name}"


def schema_ref(name: str, depth: int = 0) -> str:
    """The `$schema` value of a file `depth` folders below the feed root."""
    return "../" * depth + schema_path(name)


def schema_files(schemas: dict[str, type[BaseModel]], links: Links) -> dict[str, bytes]:
    """Published schemas: open (unknown fields allowed), `$id` naming the version.

    Without a site URL the `$id` is the file's own name, which resolves to
    its versioned address; with one it is that address, absolute.
    """
    return {
        schema_path(name): schema_json(model_schema(
            model, links.url(f"{FEED_DIR}/{schema_path(name)}") if links.site_url else name,
            closed=False, extra={"version": SCHEMA_VERSION},
        )).encode("utf-8")
        for name, model in schemas.items()
    }


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


def envelope(catalogue: Catalogue, links: Links, schema: str, depth: int = 0) -> dict[str, Any]:
    """The header every whole-catalogue file starts with."""
    return {
        "$schema": schema_ref(schema, depth),
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
    by_code = {r["code"]: r for r in records}
    for agency in agencies:
        codes = [p.code for p in catalogue.by_agency.get(agency["id"], [])]
        files[agency_file(agency["id"])] = dumps({
            **envelope(catalogue, links, "agency.schema.json", 1), "agency": agency,
            "procedures": [by_code[c] for c in sorted(codes)],
        })
    files.update(schema_files(FEED_SCHEMAS, links))
    return files


def agency_file(agency: str) -> str:
    return f"agencies/{quote(agency)}.json"


def changelog(catalogue: Catalogue, links: Links) -> dict[str, Any]:
    return {
        **envelope(catalogue, links, "changelog.schema.json"),
        "deprecation_months": DEPRECATION_MONTHS,
        "versions": [c.model_dump(mode="json") for c in CHANGELOG],
    }


def manifest(catalogue: Catalogue, links: Links, hashes: dict[str, Sha256]) -> bytes:
    """manifest.json: each procedure's code, URL, hash and `updated`; every other file's hash; a build id.

    `hashes` holds the SHA-256 of every file written beside the manifest,
    whatever formats were exported.
    """
    data_date = max((p.updated for p in catalogue.procedures), default=catalogue.build_date())
    procedure_files = {procedure_file(p.code): p for p in catalogue.procedures}
    entries = [
        ManifestEntry(code=p.code, url=links.feed_url(name), sha256=hashes[name], updated=p.updated)
        .model_dump(mode="json")
        for name, p in procedure_files.items() if name in hashes
    ]
    others = [
        FileEntry(name=name, url=links.feed_url(name), sha256=digest,
                  updated=CHANGELOG[-1].date if name.startswith(f"{SCHEMA_DIR}/") else data_date)
        .model_dump(mode="json")
        for name, digest in sorted(hashes.items()) if name not in procedure_files and name != MANIFEST
    ]
    build = sha256("".join(f"{name} {digest}\n" for name, digest in sorted(hashes.items())).encode("utf-8"))
    return dumps({**envelope(catalogue, links, "manifest.schema.json"), "build": build,
                  "procedures": entries, "files": others})
