"""No markup from catalogue data reaches a page: an attack payload in every text field.

The catalogue of tests/fixtures/injection (an overlay on the valid
fixture) carries markers in every text field of one procedure, of an
agency, a field, a life event and a target. The site is built twice: with
the markers replaced by the payload, and by harmless text of the same shape
(the reference). Each HTML page of the two builds is read with the stdlib's
HTML parser; the payload build may not hold one element, attribute, event
handler or URL scheme more than the reference, and no chart one SVG
element more. The payload is then loaded in Chromium, finder included, and
must not run.
"""

from __future__ import annotations

import json
import re
import shutil
import types
import typing
from collections import Counter
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

import pytest
import yaml
from pydantic import BaseModel

from generator import models

from .conftest import serve

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid" / "catalogue"
OVERLAY = FIXTURES / "injection"
PROCEDURE_FILE = "procedures/ubnd-xa/dang-ky-khai-sinh.yaml"
PROCEDURE_URL = "thu-tuc/1.001193/"
MARKER = re.compile(r"\bPAYLOAD(?:-URL|-EMAIL)?\b")

# Each piece tries one way out of the text: an element, an event handler, the end of a
# <script> (JSON-LD) or of an attribute, a template, a Markdown link, a comment. Every
# script sets window.__xss, which the browser test looks for.
PAYLOAD = (
    'Thủ tục <script>window.__xss="script"</script>'
    '<img src=x onerror="window.__xss=\'img\'">'
    '"><svg onload="window.__xss=\'svg\'"></svg>'
    "'><b data-injected>b</b>"
    '</script><script>window.__xss="script-close"</script>'
    " {{ 7 + 7 }} {% if true %}jinja{% endif %}"
    ' [x](javascript:window.__xss="markdown")'
    ' <a href="javascript:window.__xss=\'a\'">a</a>'
    " <!--"
)
# URL and e-mail fields allow no space and only https?: a payload that stays valid tries to
# leave its attribute instead (validation refuses javascript: and data:, see test_validate).
PAYLOAD_URL = 'https://example.gov.vn/x"><svg/onload=window.__xss="url">'
PAYLOAD_EMAIL = 'x"><svg/onload=window.__xss="mail">@example.vn'
PAYLOADS = {"PAYLOAD": PAYLOAD, "PAYLOAD-URL": PAYLOAD_URL, "PAYLOAD-EMAIL": PAYLOAD_EMAIL}
HARMLESS = {"PAYLOAD": "Thủ tục an toàn", "PAYLOAD-URL": "https://example.gov.vn/x",
            "PAYLOAD-EMAIL": "x@example.vn"}
# Attributes whose value a browser follows or runs as a URL.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset"}
Builder = Callable[..., Path]


def catalogue(target: Path, values: dict[str, str]) -> Path:
    """The valid fixture with the overlay, its markers replaced by `values` (as YAML strings)."""
    shutil.copytree(VALID, target)
    for source in sorted(OVERLAY.rglob("*.yaml")):
        text = source.read_text(encoding="utf-8")
        filled = MARKER.sub(lambda m: json.dumps(values[m.group(0)], ensure_ascii=False), text)
        (target / source.relative_to(OVERLAY)).write_text(filled, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, site_builder: Builder) -> dict[str, Path]:
    """The payload site and its harmless reference, built from the same overlay."""
    tmp = tmp_path_factory.mktemp("injection")
    return {name: site_builder(tmp / name / "site", catalogue=catalogue(tmp / name / "catalogue", values))
            for name, values in (("payload", PAYLOADS), ("reference", HARMLESS))}


# ------------------------------------------------------------------ reading HTML


class Markup(HTMLParser):
    """What a page's markup is made of: elements with their attribute names, and some values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: Counter[tuple[str, tuple[str, ...]]] = Counter()
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.handlers: list[tuple[str, str]] = []
        self.comments: list[str] = []
        self.texts: dict[str, list[str]] = {}  # text inside <title> and the header topic
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements[tag, tuple(sorted(name for name, _ in attrs))] += 1
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name in URL_ATTRIBUTES and value is not None:
                self.urls.append((tag, name, value))
        classes = dict(attrs).get("class") or ""
        if tag == "title" or "md-header__topic" in classes.split():
            self._open.append("title" if tag == "title" else "header")

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag in ("title", "div"):
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for where in self._open:
            self.texts.setdefault(where, []).append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def parse(path: Path) -> Markup:
    parser = Markup()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def html_pages(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))


# ------------------------------------------------------------------ the fixture is complete

# (model, where its records sit in the overlay's files)
RECORDS: dict[type[BaseModel], tuple[str, ...]] = {
    models.Procedure: (PROCEDURE_FILE,),
    models.Agency: ("agencies.yaml", "agencies", "2"),
    models.FieldOfWork: ("fields.yaml", "fields", "0"),
    models.LifeEvent: ("life_events.yaml", "life_events", "0"),
    models.Target: ("targets.yaml", "targets", "0"),
    models.Retirement: ("procedures/ubnd-xa/thu-tuc-cu.yaml", "retired"),
}
# Nested models whose payload sits in another record (a retired procedure replaced by the one above).
ELSEWHERE = {"Procedure.retired"}
# Text fields that cannot hold the payload: a form file is a path checked to name a file
# under forms/ (its URL is built by site_urls.form_url and autoescaped like any other);
# the capture date is a pattern of digits and dashes.
NOT_TEXT = {"Form.file", "Procedure.captured"}


def text_fields(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Dotted paths of every free-text, URL and e-mail field of a model, nested models included."""
    found: set[str] = set()
    for name, info in model.model_fields.items():
        if f"{model.__name__}.{name}" in ELSEWHERE:
            continue
        for kind in _leaf_types(info.annotation, info.metadata):
            path = f"{prefix}{name}"
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                found |= text_fields(kind, f"{path}.")
            elif kind == "text" and f"{model.__name__}.{name}" not in NOT_TEXT:
                found.add(path)
    return found


def _leaf_types(annotation: Any, metadata: list[Any]) -> Iterator[Any]:
    """'text' for a str that may hold free text (no pattern, or a URL or e-mail pattern), models as they are."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from _leaf_types(typing.get_args(annotation)[0], [*metadata, *annotation.__metadata__])
    elif origin in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            yield from _leaf_types(arg, metadata)
    elif annotation is str:
        patterns = {getattr(m, "pattern", None) for m in metadata} - {None}
        if not patterns & {models.SLUG_PATTERN, models.CODE_PATTERN}:
            yield "text"
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation


def marked_fields(data: Any, prefix: str = "") -> set[str]:
    """Dotted paths (list indexes dropped) of the overlay's values that are markers."""
    if isinstance(data, dict):
        return {path for key, value in data.items() for path in marked_fields(value, f"{prefix}{key}.")}
    if isinstance(data, list):
        return {path for value in data for path in marked_fields(value, prefix)}
    return {prefix.rstrip(".")} if isinstance(data, str) and MARKER.fullmatch(data) else set()


def record(where: tuple[str, ...]) -> Any:
    data = yaml.safe_load((OVERLAY / where[0]).read_text(encoding="utf-8"))
    for key in where[1:]:
        data = data[int(key)] if isinstance(data, list) else data[key]
    return data


@pytest.mark.parametrize("model", list(RECORDS), ids=lambda m: m.__name__)
def test_every_text_field_of_the_model_carries_the_payload_in_the_fixture(model: type[BaseModel]) -> None:
    missing = text_fields(model) - marked_fields(record(RECORDS[model]))
    assert not missing, f"add a PAYLOAD marker to tests/fixtures/injection for: {sorted(missing)}"


# ------------------------------------------------------------------ the built pages


def test_both_builds_have_the_same_pages(sites: dict[str, Path]) -> None:
    assert html_pages(sites["payload"]) == html_pages(sites["reference"])
    assert len(html_pages(sites["payload"])) > 20


def test_the_payload_makes_no_element_attribute_handler_or_comment_on_any_page(sites: dict[str, Path]) -> None:
    made: list[str] = []
    for page in html_pages(sites["payload"]):
        attacked, reference = parse(sites["payload"] / page), parse(sites["reference"] / page)
        made += [f"{page}: <{tag} {' '.join(attrs)}> ×{n}"
                 for (tag, attrs), n in (attacked.elements - reference.elements).items()]
        made += [f"{page}: handler {h}" for h in sorted(set(attacked.handlers) - set(reference.handlers))]
        made += [f"{page}: comment {c!r}" for c in attacked.comments if c not in reference.comments]
        made += [f"{page}: {tag} {name}={value!r}" for tag, name, value in attacked.urls
                 if urlsplit(value.strip()).scheme.lower() not in ("", "http", "https", "mailto")]
    assert not made, "\n".join(made)


def test_the_payload_is_a_string_in_the_json_ld_and_the_script_element_is_whole(sites: dict[str, Path]) -> None:
    html = (sites["payload"] / PROCEDURE_URL / "index.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["name"] == PAYLOAD
    assert data["provider"]["name"] == PAYLOAD


# Each page family: a page whose title is the payload (the agency's, field's and life event's
# names are the payload), and the statistics page and finder whose bodies list them.
TITLED = ("thu-tuc/1.001193/", "co-quan/ubnd-xa/", "linh-vuc/ho-tich/", "su-kien/sinh-con/")
FAMILIES = (*TITLED, "muc-do/4/", "co-quan/", "linh-vuc/", "su-kien/", "thong-ke/", "tra-cuu/", "")


@pytest.mark.parametrize("url", TITLED)
def test_a_title_from_data_is_text_in_the_title_element_and_the_header(sites: dict[str, Path], url: str) -> None:
    page = parse(sites["payload"] / url / "index.html")
    assert "".join(page.texts["title"]) == f"{PAYLOAD} - Danh mục thủ tục hành chính"
    assert " ".join("".join(page.texts["header"]).split()) == f"Danh mục thủ tục hành chính {PAYLOAD}"


def test_the_charts_hold_no_svg_element_or_attribute_the_payload_made(sites: dict[str, Path]) -> None:
    charts = sorted(p.name for p in (sites["payload"] / "thong-ke").glob("*.svg"))
    assert len(charts) >= 2
    made = []
    for name in charts:
        attacked, reference = (_svg_elements(sites[s] / "thong-ke" / name) for s in ("payload", "reference"))
        # Kinds of element, not how many: a longer name takes more label lines (<text>).
        made += [f"{name}: {element}" for element in attacked.keys() - reference.keys()]
    assert not made, made
    chart = ElementTree.parse(sites["payload"] / "thong-ke" / "muc-do-theo-co-quan.svg")
    lines = "".join(e.text or "" for e in chart.iter() if e.get("class") == "label")
    assert "".join(PAYLOAD.split()) in "".join(lines.split()), lines  # the whole name, as text, over its lines


def _svg_elements(path: Path) -> Counter[tuple[str, tuple[str, ...]]]:
    """(tag, attribute names) of every element; ElementTree refuses a file that is not well-formed XML."""
    root = ElementTree.parse(path).getroot()
    return Counter((e.tag, tuple(sorted(e.attrib))) for e in root.iter())


# ------------------------------------------------------------------ in the browser


@pytest.fixture(scope="module")
def payload_server(sites: dict[str, Path]) -> Iterator[str]:
    with serve(sites["payload"]) as url:
        yield url


def injected(page: Any) -> dict[str, Any]:
    """What the payload would have left in the page had it run or been parsed as markup."""
    return page.evaluate("""() => ({
        xss: window.__xss === undefined ? null : String(window.__xss),
        elements: [...document.querySelectorAll('[data-injected], svg[onload], img[onerror], a[href^="javascript:"]')]
            .map(e => e.outerHTML.slice(0, 80)),
    })""")


@pytest.mark.browser
@pytest.mark.parametrize("url", FAMILIES)
def test_no_script_of_the_payload_runs_on_a_page(page: Any, payload_server: str, url: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(payload_server + url)
    page.wait_for_load_state("load")
    assert injected(page) == {"xss": None, "elements": []}
    assert not errors


@pytest.mark.browser
def test_the_finder_shows_the_payload_procedure_as_text(page: Any, payload_server: str) -> None:
    page.goto(f"{payload_server}tra-cuu/?q={quote('thủ tục')}")
    page.wait_for_selector(".dm-result", state="attached")
    names = page.locator(".dm-result__name").all_text_contents()
    assert PAYLOAD in names
    assert page.locator("#dm-finder-agency option", has_text="Thủ tục <script>").count() == 1
    assert injected(page) == {"xss": None, "elements": []}
