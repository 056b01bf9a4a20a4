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
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Annotated, Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from . import models
from .catalogue import Catalogue
from .schema import model_schema, schema_json
from .site_urls import procedure_url, url_of
from .streams import ListFile, Sink, collect, encode, placeholder, write_list

FEED_DIR = "api/v1"
SCHEMA_DIR = "schema"
SCHEMA_VERSION = "1.2.0"
MANIFEST = "manifest.json"
CHANGELOG_FILE = "changelog.json"
# Months v1 keeps being produced after v2 appears (stated on the docs page).
DEPRECATION_MONTHS = 12
Sha256 = str


def dumps(value: Any) -> bytes:
    """The one JSON encoding of every feed file: sorted keys, fixed separators, UTF-8, final newline."""
    return encode(value) + b"\n"


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


class Tombstone(models.Strict):
    """Thủ tục đã bãi bỏ hoặc bị thay thế: a small record instead of the full one (tombstone)."""

    code: models.Code = Field(description="Mã thủ tục (vẫn giữ, không dùng lại cho thủ tục khác)")
    name: models.Text = Field(description="Tên thủ tục")
    retired: models.Retirement = Field(description="Ngày, loại (bai-bo | thay-the), văn bản quyết định, mã thủ tục thay thế")
    updated: models.Date = Field(description="Ngày cập nhật của bản ghi")
    url: str = Field(description="Trang thủ tục trên site (vẫn còn, ghi rõ đã bãi bỏ), tương đối với api/v1/")
    successor_url: str | None = Field(
        description="URL tệp JSON của thủ tục thay thế (procedures/<mã>.json), tương đối với api/v1/; null khi bãi bỏ"
    )


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


class TombstoneFile(Tombstone, _Document):
    """procedures/<code>.json of a retired code: the tombstone, at the address the full record had."""


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
    retired: int = Field(0, ge=0, description="Số thủ tục đã bãi bỏ hoặc bị thay thế (từ 1.2.0)")


PROCEDURES = "Các thủ tục (procedures)"
AGENCIES = "Các cơ quan (agencies)"
FIELDS = "Các lĩnh vực (fields)"
RETIRED = "Thủ tục đã bãi bỏ hoặc bị thay thế, dạng tombstone (từ 1.2.0); không có trong `procedures`"


class CatalogueFeed(Envelope):
    """catalogue.json: the whole catalogue in one file."""

    counts: Counts = Field(description="Số mục của từng loại (counts)")
    agencies: list[AgencyRecord] = Field(description=AGENCIES)
    fields: list[FieldRecord] = Field(description=FIELDS)
    life_events: list[LifeEventRecord] = Field(description="Các sự kiện cuộc sống (life events)")
    procedures: list[ProcedureRecord] = Field(description=PROCEDURES)
    retired: list[Tombstone] = Field(default_factory=list, description=RETIRED)


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
    retired: list[Tombstone] = Field(default_factory=list, description=RETIRED)


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
    procedures: list[ManifestEntry] = Field(description="Các thủ tục đang có hiệu lực (procedures in force)")
    retired: list[ManifestEntry] = Field(
        default_factory=list,
        description="Thủ tục đã bãi bỏ hoặc bị thay thế: url là tệp tombstone của nó (từ 1.2.0)",
    )
    files: list[FileEntry] = Field(description="Mọi tệp khác của feed, trừ manifest (every other file)")


class ChangeKind(StrEnum):
    """Loại thay đổi."""

    THEM_MOI = "them-moi"  # added: not in the previous build
    SUA_DOI = "sua-doi"  # changed: its file's hash differs from the previous build's
    CAP_NHAT = "cap-nhat"  # by dates only: added or changed at `updated`
    HET_HIEU_LUC = "het-hieu-luc"  # retired (bãi bỏ, thay thế) since the previous build, or at retired.date
    GO_BO = "go-bo"  # removed from the catalogue without a tombstone


class ChangeEntry(models.Strict):
    """Một thay đổi của một thủ tục."""

    kind: ChangeKind = Field(description="them-moi | sua-doi | cap-nhat (chỉ theo ngày) | het-hieu-luc | go-bo")
    code: models.Code = Field(description="Mã thủ tục")
    name: str = Field(description="Tên thủ tục; rỗng khi go-bo (manifest trước không ghi tên)")
    date: models.Date = Field(description="Ngày của thay đổi: `updated`, hoặc `retired.date` khi hết hiệu lực")
    retired: models.Retirement | None = Field(description="Bãi bỏ hay thay thế, khi kind là het-hieu-luc")
    url: str | None = Field(description="Tệp JSON (bản ghi hoặc tombstone), tương đối với api/v1/; null khi go-bo")
    sha256: Sha256Hex | None = Field(description="SHA-256 của tệp ấy, như trong manifest")
    page_url: str | None = Field(description="Trang thủ tục trên site, tương đối với api/v1/")


class ChangesFeed(Envelope):
    """changes.json: what changed in this build, newest first."""

    basis: Literal["manifest", "dates"] = Field(description="manifest: so với manifest của lần dựng trước; dates: theo ngày của bản ghi")
    previous_build: Sha256Hex | None = Field(description="`build` của manifest trước khi basis là manifest")
    changes: list[ChangeEntry] = Field(description="Các thay đổi, mới nhất trước (newest first)")


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
    FormatChange(
        version="1.2.0",
        date=dt.date(2026, 12, 2),
        changes=[
            "Thủ tục đã bãi bỏ hoặc bị thay thế là dữ liệu: procedures/<mã>.json của nó là một tombstone "
            "(code, name, retired {date, kind bai-bo | thay-the, decided_by, successor}, updated, url, "
            "successor_url; schema tombstone.schema.json); manifest.json thêm `retired`, catalogue.json và "
            "agencies/<id>.json thêm `retired`, counts thêm `retired`. Thủ tục ấy không còn trong `procedures`, "
            "CSV, portal.json, catalogue.jsonld: hệ thống viết cho 1.1 thấy nó như đã gỡ (retired procedures "
            "as tombstones; a 1.1 consumer sees them as removed).",
            "Thêm changes.json (thêm mới, sửa đổi, hết hiệu lực, gỡ bỏ của lần dựng; schema changes.schema.json) "
            "và changes.atom (Atom 1.0, cho người dân và báo chí theo dõi) (a change list per build and an "
            "Atom feed).",
            "Schema 1.1.0 vẫn được công bố nguyên như cũ ở schema/1.1.0/; bản ghi 1.2 hợp lệ với chúng "
            "(the 1.1.0 schemas stay published, frozen; 1.2 records validate against them).",
            "Bản ghi đang có hiệu lực không đổi nội dung; chỉ `$schema` chỉ tới schema/1.2.0/, nên mã băm của "
            "mọi tệp đổi một lần (records in force are unchanged but for `$schema`: every hash changes once).",
        ],
    ),
)

# File name under schema/ → the model of a feed file. The portal export adds its own.
FEED_SCHEMAS: dict[str, type[BaseModel]] = {
    "catalogue.schema.json": CatalogueFeed,
    "agency.schema.json": AgencyFeed,
    "procedure.schema.json": ProcedureFile,
    "tombstone.schema.json": TombstoneFile,
    "agencies.schema.json": AgenciesFeed,
    "fields.schema.json": FieldsFeed,
    "manifest.schema.json": ManifestFeed,
    "changelog.schema.json": ChangelogFeed,
    "changes.schema.json": ChangesFeed,
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
    # `retired` is always null here (a retired code is a tombstone): left out, so a record in force reads as in 1.1.
    record = procedure.model_dump(mode="json", exclude={"retired"})
    derived = ProcedureDerived(category=procedure.category, url=links.url(procedure_url(procedure.code)))
    record["derived"] = derived.model_dump(mode="json")
    return record


def tombstone(procedure: models.ProcedureSummary, links: Links) -> dict[str, Any]:
    """The small record a retired code leaves in the feed."""
    assert procedure.retired is not None
    successor = procedure.retired.successor
    return Tombstone(
        code=procedure.code, name=procedure.name, retired=procedure.retired, updated=procedure.updated,
        url=links.url(procedure_url(procedure.code)),
        successor_url=links.feed_url(procedure_file(successor)) if successor else None,
    ).model_dump(mode="json")


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


def record_bytes(procedure: models.Procedure, links: Links) -> bytes:
    """A procedure's record as catalogue.json and agencies/<id>.json hold it: made once, written three times."""
    return encode(procedure_record(procedure, links))


_PROCEDURE_HEAD = encode({"$schema": schema_ref("procedure.schema.json", 1)})[:-1] + b","


def procedure_file_bytes(record: bytes) -> bytes:
    """procedures/<code>.json from the record's bytes: `$schema` sorts before every key of a record."""
    return _PROCEDURE_HEAD + record[1:] + b"\n"


def record_of_file(data: bytes) -> bytes:
    """The record inside procedures/<code>.json (what `procedure_file_bytes` added, taken off)."""
    assert data.startswith(_PROCEDURE_HEAD)
    return b"{" + data[len(_PROCEDURE_HEAD):-1]


class JsonFeed:
    """The JSON feed's files, written as the procedures' records come (see generator.exports)."""

    def __init__(self, catalogue: Catalogue, links: Links, sink: Sink) -> None:
        self.catalogue, self.links, self.sink = catalogue, links, sink
        self.tombstones = [tombstone(p, links) for p in catalogue.retired]
        self.agencies, self.fields = agency_records(catalogue, links), field_records(catalogue, links)
        events = life_event_records(catalogue, links)
        counts = Counts(procedures=len(catalogue.procedures), agencies=len(self.agencies), fields=len(self.fields),
                        life_events=len(events), retired=len(self.tombstones))
        self.whole = ListFile(sink, "catalogue.json", {
            **envelope(catalogue, links, "catalogue.schema.json"), "counts": counts.model_dump(),
            "agencies": self.agencies, "fields": self.fields, "life_events": events,
            "procedures": placeholder("procedures"), "retired": self.tombstones,
        }, "procedures")

    @staticmethod
    def piece(procedure: models.Procedure, catalogue: Catalogue, links: Links) -> tuple[bytes, str]:
        """The record, and the SHA-256 of its procedure file (hashed where the piece is made)."""
        record = record_bytes(procedure, links)
        return record, sha256(procedure_file_bytes(record))

    def add(self, code: str, piece: tuple[bytes, str]) -> None:
        record, digest = piece
        self.sink.put(procedure_file(code), procedure_file_bytes(record), digest)
        self.whole.add(record)

    def close(self) -> None:
        catalogue, links, sink = self.catalogue, self.links, self.sink
        self.whole.close()
        for t in self.tombstones:
            sink.put(procedure_file(t["code"]), dumps({"$schema": schema_ref("tombstone.schema.json", 1), **t}))
        sink.put("agencies.json", dumps({**envelope(catalogue, links, "agencies.schema.json"), "agencies": self.agencies}))
        sink.put("fields.json", dumps({**envelope(catalogue, links, "fields.schema.json"), "fields": self.fields}))
        sink.put(CHANGELOG_FILE, dumps(changelog(catalogue, links)))
        for agency in self.agencies:
            self._agency_file(agency)
        for name, data in {**schema_files(FEED_SCHEMAS, links), **frozen_schemas()}.items():
            sink.put(name, data)

    def _agency_file(self, agency: dict[str, Any]) -> None:
        """agencies/<id>.json: its records read back from the procedure files just written, in code order
        (not when the file is the previous export's of the same procedure files: see Sink.kept)."""
        codes = sorted(p.code for p in self.catalogue.by_agency.get(agency["id"], []))
        retired = [t for t, p in zip(self.tombstones, self.catalogue.retired, strict=True) if p.agency == agency["id"]]
        document = {**envelope(self.catalogue, self.links, "agency.schema.json", 1), "agency": agency,
                    "procedures": placeholder("procedures"), "retired": retired}
        records = (record_of_file(self.sink.read(procedure_file(code))) for code in codes)
        made_of = [self.sink.hashes[procedure_file(code)] for code in codes]
        write_list(self.sink, agency_file(agency["id"]), document, "procedures", records, inputs=made_of)


def feed_files(catalogue: Catalogue, links: Links) -> dict[str, bytes]:
    """Every file of the JSON feed, by path inside api/v1/."""
    return collect(JsonFeed, catalogue, links)


def frozen_schemas() -> dict[str, bytes]:
    """The schemas of earlier minor versions, as published then (generator/published/): a consumer
    pinned to one keeps finding it at its address."""
    root = resources.files("generator") / "published"
    return {
        f"{SCHEMA_DIR}/{version.name}/{item.name}": item.read_bytes()
        for version in sorted(root.iterdir(), key=lambda v: v.name) if version.is_dir()
        for item in sorted(version.iterdir(), key=lambda i: i.name) if item.name.endswith(".schema.json")
    }


def agency_file(agency: str) -> str:
    return f"agencies/{quote(agency)}.json"


def changelog(catalogue: Catalogue, links: Links) -> dict[str, Any]:
    return {
        **envelope(catalogue, links, "changelog.schema.json"),
        "deprecation_months": DEPRECATION_MONTHS,
        "versions": [c.model_dump(mode="json") for c in CHANGELOG],
    }


def _release_date(schema_name: str) -> dt.date:
    """The release date of the format version a schema file belongs to (schema/<version>/<name>)."""
    version = schema_name.split("/")[1]
    return next((c.date for c in CHANGELOG if c.version == version), CHANGELOG[-1].date)


def manifest(catalogue: Catalogue, links: Links, hashes: dict[str, Sha256]) -> bytes:
    """manifest.json: each procedure's code, URL, hash and `updated`; every other file's hash; a build id.

    `hashes` holds the SHA-256 of every file written beside the manifest,
    whatever formats were exported.
    """
    data_date = catalogue.newest_update() or catalogue.build_date()
    procedure_files = {procedure_file(p.code): p for p in catalogue.by_code.values()}

    def entries(procedures: list[models.ProcedureSummary]) -> list[dict[str, Any]]:
        named = ((procedure_file(p.code), p) for p in procedures)
        return [ManifestEntry(code=p.code, url=links.feed_url(name), sha256=hashes[name], updated=p.updated)
                .model_dump(mode="json") for name, p in named if name in hashes]

    others = [
        FileEntry(name=name, url=links.feed_url(name), sha256=digest,
                  updated=_release_date(name) if name.startswith(f"{SCHEMA_DIR}/") else data_date)
        .model_dump(mode="json")
        for name, digest in sorted(hashes.items()) if name not in procedure_files and name != MANIFEST
    ]
    build = sha256("".join(f"{name} {digest}\n" for name, digest in sorted(hashes.items())).encode("utf-8"))
    return dumps({**envelope(catalogue, links, "manifest.schema.json"), "build": build,
                  "procedures": entries(catalogue.procedures), "retired": entries(catalogue.retired),
                  "files": others})
