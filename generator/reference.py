"""Contributor reference pages, generated so they never drift from the code.

The field reference is read from the pydantic models (names, types,
constraints, descriptions); the error reference from `problems.CODES` (each
code with a YAML example that triggers it and one that does not). The MkDocs
plugin adds both as virtual pages; nothing here is committed under docs/.
"""

from __future__ import annotations

import html
from typing import Any

from pydantic import BaseModel

from . import models
from .problems import CODES, Severity
from .yamlfmt import model_in

FIELDS_PAGE = "dong-gop/truong-du-lieu.md"
ERRORS_PAGE = "dong-gop/ma-loi.md"

# The whole-file models, each with the file it describes.
_FILES: list[tuple[str, type[BaseModel]]] = [
    ("procedures/<cơ-quan>/<tên-tệp>.yaml", models.Procedure),
    ("agencies.yaml", models.AgenciesFile),
    ("fields.yaml", models.FieldsFile),
    ("life_events.yaml", models.LifeEventsFile),
    ("targets.yaml", models.TargetsFile),
    ("usage.yaml", models.UsageFile),
]


def reference_pages() -> dict[str, str]:
    """Page path under docs/ → Markdown, for the plugin to add."""
    return {FIELDS_PAGE: field_reference(), ERRORS_PAGE: error_reference()}


# -- fields ------------------------------------------------------------------------


def field_reference() -> str:
    """Every model of the data contract, as a table of its keys."""
    out = ["# Tham chiếu trường dữ liệu", "",
           "Trang này được sinh tự động từ mô hình dữ liệu (`generator/models.py`), nên luôn khớp với "
           "những gì `catalogue validate` kiểm tra. Khóa không có trong bảng là lỗi "
           "[E200](ma-loi.md#e200).", "",
           "| Tệp | Mô hình |", "|---|---|"]
    out += [f"| `{name}` | [{model.__name__}](#{model.__name__.lower()}) |" for name, model in _FILES]
    for model in _all_models():
        out += ["", *_model_section(model)]
    return "\n".join(out) + "\n"


def _all_models() -> list[type[BaseModel]]:
    """File models first, then every nested model in order of first appearance."""
    seen: list[type[BaseModel]] = []
    queue = [model for _, model in _FILES]
    while queue:
        model = queue.pop(0)
        if model in seen:
            continue
        seen.append(model)
        for info in model.model_fields.values():
            nested = model_in(info.annotation)
            if nested is not None and nested not in seen:
                queue.append(nested)
    return seen


def _model_section(model: type[BaseModel]) -> list[str]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    defs = schema.get("$defs", {})
    doc = _as_text(" ".join((model.__doc__ or "").split()))
    rows = ["| Khóa | Kiểu | Bắt buộc | Mô tả |", "|---|---|---|---|"]
    for name, prop in schema["properties"].items():
        info = model.model_fields[name]
        described = info.description or prop.get("description") or ""
        plain_default = not info.is_required() and info.default_factory is None and info.default is not None
        default = f" Mặc định: `{_yaml_value(info.default)}`." if plain_default else ""
        rows.append(f"| `{name}` | {_type(prop, defs)} | {'có' if name in required else 'không'} | "
                    f"{_cell(described)}{default} |")
    return [f"## {model.__name__}", "", doc, "", *rows]


def _type(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    """A JSON Schema property in words: 'danh sách [Fee](#fee)', 'số nguyên 1–4'."""
    if "anyOf" in prop:
        arms = [_type(arm, defs) for arm in prop["anyOf"] if arm.get("type") != "null"]
        return " hoặc ".join(dict.fromkeys(arms))
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        target = defs.get(name, {})
        return _enum(target["enum"]) if "enum" in target else f"[{name}](#{name.lower()})"
    if "enum" in prop or "const" in prop:
        return _enum(prop.get("enum", [prop.get("const")]))
    kind = prop.get("type")
    if kind == "array":
        least = f" (ít nhất {prop['minItems']})" if prop.get("minItems") else ""
        return f"danh sách {_type(prop.get('items', {}), defs)}{least}"
    if kind in ("integer", "number"):
        word = "số nguyên" if kind == "integer" else "số"
        low, high = prop.get("minimum", prop.get("ge")), prop.get("maximum", prop.get("le"))
        return f"{word} {low}–{high}" if low is not None and high is not None else word
    if kind == "boolean":
        return "`true` / `false`"
    if kind == "string":
        if prop.get("format") == "date":
            return "ngày `YYYY-MM-DD`"
        return f"chuỗi, mẫu `{prop['pattern']}`" if "pattern" in prop else "chuỗi"
    return "giá trị"


def _yaml_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _enum(values: list[Any]) -> str:
    return "một trong: " + ", ".join(f"`{v}`" for v in values)


def _cell(text: str) -> str:
    return _as_text(" ".join(text.split())).replace("|", "\\|")


def _as_text(text: str) -> str:
    """Docstrings and descriptions as Markdown text: '<agency-id>' outside `code` is escaped, not a tag."""
    parts = text.split("`")
    return "`".join(html.escape(part, quote=False) if i % 2 == 0 else part for i, part in enumerate(parts))


# -- errors ------------------------------------------------------------------------


def error_reference() -> str:
    """Every problem code with its meaning, a bad example and a good one."""
    out = ["# Mã lỗi và cảnh báo", "",
           "Trang này được sinh tự động từ `generator/problems.py`. Mỗi dòng `catalogue validate` in ra "
           "có dạng `tệp:dòng:cột: MÃ trường: thông báo`; tra mã ở đây. Mã **E** là lỗi (error): "
           "catalogue không được dựng. Mã **W** là cảnh báo (warning): không chặn, trừ khi chạy "
           "`catalogue validate --strict`.", "",
           "| Mã | Mức | Ý nghĩa |", "|---|---|---|"]
    out += [f"| [{d.code}](#{d.code.lower()}) | {_level(d.level)} | {_cell(d.title)} |" for d in CODES.values()]
    for doc in CODES.values():
        out += ["", f"## {doc.code}", "", f"**{doc.title}** — {_level(doc.level)}.", "",
                "Sai:", "", *_yaml_block(doc.bad or "# (tệp rỗng)"), "",
                "Đúng:", "", *_yaml_block(doc.good)]
        for bad, good in doc.more:
            out += ["", "Sai:", "", *_yaml_block(bad), "", "Đúng:", "", *_yaml_block(good)]
    return "\n".join(out) + "\n"


def _level(level: Severity) -> str:
    return "lỗi (error)" if level is Severity.ERROR else "cảnh báo (warning)"


def _yaml_block(text: str) -> list[str]:
    return ["```yaml", *text.split("\n"), "```"]
