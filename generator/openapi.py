"""openapi.json: an OpenAPI 3.1 description of the static feed under api/v1/.

The feed is files, not an API with parameters, but portals' tooling reads
OpenAPI: each file is a GET path, each JSON body a schema by reference.
The components are the published feed schemas themselves (open, as a 1.x
consumer needs), their $defs lifted into components/schemas so every
reference resolves inside this one document.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from . import changes, csv_tables, feed, portal
from .feed import SCHEMA_VERSION, Links, dumps
from .schema import model_schema

OPENAPI_FILE = "openapi.json"
# Path under api/v1/ → (summary, component(s) of its JSON body: one of them when several).
JSON_PATHS: dict[str, tuple[str, str]] = {
    "/manifest.json": ("Mã băm và ngày của mọi tệp: bắt đầu nhập gia tăng từ đây (start here)", "ManifestFeed"),
    "/catalogue.json": ("Toàn bộ danh mục (whole catalogue)", "CatalogueFeed"),
    "/procedures/{code}.json": ("Một thủ tục, hoặc tombstone của thủ tục đã hết hiệu lực (one procedure)",
                                "ProcedureFile TombstoneFile"),
    "/agencies.json": ("Các cơ quan (agencies)", "AgenciesFeed"),
    "/agencies/{id}.json": ("Một cơ quan và các thủ tục của nó (one agency)", "AgencyFeed"),
    "/fields.json": ("Các lĩnh vực (fields)", "FieldsFeed"),
    "/changelog.json": ("Lịch sử định dạng (format changelog)", "ChangelogFeed"),
    "/changes.json": ("Thay đổi của lần dựng này (this build's changes)", "ChangesFeed"),
    "/portal.json": ("Dạng Cổng DVC quốc gia (national-portal shape)", "PortalFeed"),
}
PARAMETERS = {
    "code": {"name": "code", "in": "path", "required": True, "description": "Mã thủ tục, dạng D.DDDDDD",
             "schema": {"type": "string", "pattern": r"^\d\.\d{6}$"}},
    "id": {"name": "id", "in": "path", "required": True, "description": "Mã định danh cơ quan",
           "schema": {"type": "string", "pattern": r"^[a-z0-9]+(?:-[a-z0-9]+)*$"}},
}


def models() -> dict[str, type[BaseModel]]:
    return {**{m.__name__: m for m in feed.FEED_SCHEMAS.values()}, "PortalFeed": portal.PortalFeed}


def components() -> dict[str, Any]:
    """Every feed schema and every model it uses, once, referenced as #/components/schemas/<name>."""
    out: dict[str, Any] = {}
    for name, model in models().items():
        schema = model_schema(model, name, closed=False)
        for key in ("$schema", "$id"):
            schema.pop(key)
        for def_name, raw in {**schema.pop("$defs", {}), name: schema}.items():
            definition = _rewrite_refs(raw)
            if out.setdefault(def_name, definition) != definition:
                raise ValueError(f"two feed schemas define {def_name} differently")
    return dict(sorted(out.items()))


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" else _rewrite_refs(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def _get(summary: str, content: dict[str, Any], path: str) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "operationId": "get_" + "".join(c if c.isalnum() else "_" for c in path.strip("/")),
        "responses": {"200": {"description": summary, "content": content}},
    }
    params = [PARAMETERS[p] for p in PARAMETERS if "{" + p + "}" in path]
    if params:
        operation["parameters"] = params
    return {"get": operation}


def _body(refs: str) -> dict[str, Any]:
    schemas = [{"$ref": f"#/components/schemas/{ref}"} for ref in refs.split()]
    return schemas[0] if len(schemas) == 1 else {"anyOf": schemas}


def document(links: Links) -> dict[str, Any]:
    paths = {path: _get(summary, {"application/json": {"schema": _body(refs)}}, path)
             for path, (summary, refs) in JSON_PATHS.items()}
    for name, title in csv_tables.TABLE_TITLES.items():
        paths[f"/{name}"] = _get(title, {"text/csv": {"schema": {"type": "string"}}}, f"/{name}")
    paths["/datapackage.json"] = _get("Frictionless Data Package: cột và kiểu của mọi CSV",
                                      {"application/json": {"schema": {"type": "object"}}}, "/datapackage.json")
    paths[f"/{changes.ATOM}"] = _get("Thay đổi gần đây, Atom 1.0 (RFC 4287) cho trình đọc tin",
                                     {"application/atom+xml": {"schema": {"type": "string"}}}, f"/{changes.ATOM}")
    paths["/catalogue.jsonld"] = _get("CPSV-AP 3.2.0, JSON-LD",
                                      {"application/ld+json": {"schema": {"type": "object"}}}, "/catalogue.jsonld")
    return {
        "openapi": "3.1.0",
        "info": {"title": "Danh mục thủ tục hành chính: feed dữ liệu v1 (static JSON feed)",
                 "version": SCHEMA_VERSION,
                 "description": "Tệp tĩnh dưới api/v1/, chỉ GET. Xem docs/api/ (static files; GET only)."},
        "servers": [{"url": links.url(feed.FEED_DIR) if links.site_url else "."}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": components()},
    }


def openapi_files(links: Links) -> dict[str, bytes]:
    return {OPENAPI_FILE: dumps(document(links))}
