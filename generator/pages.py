"""The catalogue as site pages: which pages exist, at which URL, and their HTML.

This module knows nothing of MkDocs. `SitePages` is built once per build
from the validated catalogue; it lists every page (`specs`) and renders
one page's HTML body on demand (`render`) from Jinja2 templates compiled
once. Browse lists come from the catalogue's indexes, so rendering a page
costs the same however large the catalogue is.

URLs are directory URLs relative to the site root (`thu-tuc/1.001193/`);
each page links to others relative to itself so the site works under any
sub-path and from a file share.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, nodes
from jinja2.compiler import CodeGenerator, Frame
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup

from .catalogue import Catalogue, FormFile
from .models import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    FEE_LABELS,
    RETIREMENT_LABELS,
    SUBJECT_LABELS,
    TIER_LABELS,
    Agency,
    ChannelKind,
    Document,
    DocumentCase,
    Fee,
    Procedure,
    ProcedureSummary,
    category_of,
)
from .search_index import ASSET_DIR as SEARCH_ASSETS
from .site_urls import Kind, form_url, list_page_url, url_of
from .wording import (
    NO_AGENCY,
    captured_text,
    channel_fee_text,
    date_text,
    document_count_text,
    document_text,
    duration_text,
    fee_text,
    group_digits,
    iso_duration,
    money,
    vi_key,
    vi_sorted,
)

LEVEL_GUIDE = "huong-dan/muc-do-dich-vu/"
FINDER = "tra-cuu/"
CHANGES_PAGE = "thay-doi/index.md"
CHANGES_TITLE = "Thay đổi gần đây"
RECENT = 50  # procedures listed under "Cập nhật gần đây"
HOME_MARKER = "<!-- danh-muc:trang-chu -->"
# A browse list longer than this is paged (trang-2/, trang-3/…) and gets a filter box: a page of
# 40 is about five phone screens, and a page's work stays the same however large the list grows.
PAGE_SIZE = 40
LIST_DATA = "danh-sach.json"  # a paged list's procedures, beside its first page, for the filter box
PAGER_REACH = 2  # page numbers shown either side of the current one; the rest fold into "…"
HOME_TOP = 6  # fields and agencies the home page names, the largest first; "Xem tất cả" links the rest
LEVEL_NAMES: dict[int, str] = {
    1: "Mức độ 1 — cung cấp thông tin",
    2: "Mức độ 2 — tải mẫu đơn, tờ khai",
    3: "Mức độ 3 — nộp hồ sơ trực tuyến",
    4: "Mức độ 4 — nộp, thanh toán và nhận kết quả trực tuyến",
}
# The procedure page's sections, in the order a citizen needs them.
SECTIONS: dict[str, str] = {
    "doi-tuong": "Ai thực hiện",
    "cach-nop": "Cách nộp hồ sơ, thời hạn và phí",
    "giay-to": "Giấy tờ cần chuẩn bị",
    "bieu-mau": "Mẫu đơn, tờ khai",
    "trinh-tu": "Trình tự thực hiện",
    "ket-qua": "Kết quả",
    "yeu-cau": "Yêu cầu, điều kiện",
    "can-cu": "Căn cứ pháp lý",
    "noi-thuc-hien": "Nơi thực hiện và liên hệ",
    "thong-tin-khac": "Thông tin khác",
}
# Review markers name a field path such as "channels[0].fees"; a page
# section shows a marker when the first segment names it, and the summary
# at the top names the section (anchor) a citizen should double-check.
SECTION_FIELDS: dict[str, str] = {
    "name": "", "service_level": "", "description": "", "field": "",
    "subjects": "doi-tuong", "tiers": "doi-tuong", "channels": "cach-nop", "online": "cach-nop",
    "document_cases": "giay-to", "forms": "bieu-mau", "steps": "trinh-tu", "results": "ket-qua",
    "requirements": "yeu-cau", "legal_basis": "can-cu", "agency": "noi-thuc-hien",
}


@dataclass(frozen=True)
class PageSpec:
    """One generated page: its kind, its key (code, id, level; '' for an index), its page of a long list."""

    kind: Kind
    key: str
    title: str
    page: int = 1

    @property
    def url(self) -> str:
        return list_page_url(self.kind, self.key, self.page)

    @property
    def src_uri(self) -> str:
        """The virtual source file a site generator files the page under."""
        if self.page > 1:
            return f"{self.kind.value}/{self.key}/trang-{self.page}.md"
        return f"{self.kind.value}/{self.key or 'index'}.md"

    @property
    def in_nav(self) -> bool:
        """Only browse index pages belong in the navigation (it is rendered on every page)."""
        return self.key == ""


@dataclass(frozen=True)
class ListPage:
    """One page of a browse list: its procedures and where it sits among the list's pages."""

    kind: Kind
    key: str
    items: list[ProcedureSummary]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1

    @property
    def data_url(self) -> str:
        return url_of(self.kind, self.key) + LIST_DATA

    def url(self, page: int) -> str:
        return list_page_url(self.kind, self.key, page)

    def window(self) -> list[int | None]:
        """Page numbers to link: the first, the last and PAGER_REACH either side; None for a gap ("…")."""
        near = range(max(1, self.page - PAGER_REACH), min(self.pages, self.page + PAGER_REACH) + 1)
        shown = sorted({1, self.pages, *near})
        out: list[int | None] = []
        for n in shown:
            if out and n - (out[-1] or 0) == 2:
                out.append(n - 1)  # a gap of one page is shown as that page, not as "…"
            elif out and n - (out[-1] or 0) > 2:
                out.append(None)
            out.append(n)
        return out


def form_files(catalogue: Catalogue) -> dict[str, FormFile]:
    """Size and SHA-256 of every form file the procedures name, each read once."""
    paths = sorted({f for p in catalogue.by_code.values() for f in p.form_files})
    found: dict[str, FormFile] = {}
    for path in paths:
        data = (catalogue.root / path).read_bytes()
        found[path] = FormFile(path=path, size=len(data), sha256=hashlib.sha256(data).hexdigest())
    return found


# ---------------------------------------------------------------- formatting


def file_size(size: int) -> str:
    """Bytes in a short human form with a decimal comma: '48,2 KB'."""
    if size < 1024:
        return f"{size} B"
    for unit in ("KB", "MB", "GB"):
        size_f = size / 1024
        if size_f < 1024 or unit == "GB":
            return f"{size_f:.1f} {unit}".replace(".", ",")
        size = int(size_f)
    raise AssertionError("unreachable")


def file_type(path: str) -> str:
    return PurePosixPath(path).suffix.lstrip(".").upper()


# ------------------------------------------------------------- outlines

_BULLET = re.compile(r"^\s*([-+*•])\s+")
_STEP_HEAD = re.compile(r"^(Bước\s*\d+\s*[:.\-–]?)", re.IGNORECASE)


@dataclass(frozen=True)
class OutlineItem:
    """One line of steps or requirements: its text, nesting depth and step label."""

    text: str
    depth: int
    label: str


def outline(lines: list[str]) -> list[OutlineItem]:
    """Read the source's own bullets ('- ' top level, '+ ' nested) and 'Bước N:' labels.

    The portal writes steps as lines that start with their own markers; shown
    as Markdown they would become nested lists inside a numbered one.
    """
    items = []
    for line in lines:
        bullet = _BULLET.match(line)
        text = line[bullet.end():] if bullet else line.strip()
        depth = 1 if bullet and bullet.group(1) in "+*•" else 0
        head = _STEP_HEAD.match(text) if depth == 0 else None
        if head is not None:
            items.append(OutlineItem(text[head.end():].strip(), depth, head.group(1).strip()))
        else:
            items.append(OutlineItem(text, depth, ""))
    return items


# ------------------------------------------------------------- documents

_NOTE_HEAD = re.compile(r"^\W*Lưu ý", re.IGNORECASE)


def is_note(doc: Document) -> bool:
    """A 'document' the portal lists that is a remark, not a paper to bring.

    The source files legal remarks ("Lưu ý…", "Trường hợp gửi qua bưu chính…")
    as documents with 0 copies; shown as tick boxes they would ask for nothing.
    """
    if doc.form:
        return False
    counts = (doc.originals, doc.copies)
    zero = counts != (None, None) and all(not n for n in counts)
    return zero or bool(_NOTE_HEAD.match(doc.name))


@dataclass(frozen=True)
class CaseView:
    """One document case as the checklist shows it: forms first, then papers, then notes."""

    case: DocumentCase
    documents: list[Document]
    notes: list[Document]


def case_views(cases: list[DocumentCase]) -> list[CaseView]:
    views = []
    for case in cases:
        docs = [d for d in case.documents if not is_note(d)]
        docs.sort(key=lambda d: d.form is None)  # stable: the source's order otherwise
        views.append(CaseView(case, docs, [d for d in case.documents if is_note(d)]))
    return views


@dataclass(frozen=True)
class ChannelSummary:
    """One way to submit as the summary says it: the portal repeats a kind once per fee row."""

    label: str
    url: str | None
    online: bool
    times: list[str]
    fees: list[str]


def channel_summaries(p: Procedure) -> list[ChannelSummary]:
    """Channels grouped by kind, each time and fee once, in the words of the table below."""
    grouped: dict[ChannelKind, list[Any]] = {}
    for ch in p.channels:
        grouped.setdefault(ch.kind, []).append(ch)
    return [
        ChannelSummary(
            CHANNEL_LABELS[kind], next((c.url for c in chans if c.url), None), kind is ChannelKind.TRUC_TUYEN,
            list(dict.fromkeys(duration_text(c.processing_time) for c in chans)),
            list(dict.fromkeys(channel_fee_text(c.fees) for c in chans)),
        )
        for kind, chans in grouped.items()
    ]


# ------------------------------------------------------------- safe markdown


def _http_only(url: str) -> bool:
    """markdown-it link check: only absolute http/https links survive."""
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@functools.cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(["emphasis", "link", "list", "newline", "paragraph", "backticks"])
    md.validateLink = _http_only  # type: ignore[method-assign]
    return md


# A text none of the enabled rules can act on: one line, no emphasis, link or code
# character, no list marker at its start, no white space at its ends. It renders as
# one escaped paragraph (tests/test_pages.py checks this against markdown-it itself);
# ~96 % of the texts are so, and markdown-it takes ~0.08 ms for each.
_PLAIN = re.compile(r"[^\n\r\0*_\[\]`]*")
_LIST_START = re.compile(r"(?:[-+*]|[0-9]+[.)])(?:[ \t]|$)")


def markdown(text: str | None) -> Markup:
    """Render a small Markdown subset with raw HTML shown as text and non-http links dropped."""
    if not text:
        return Markup("")
    if _PLAIN.fullmatch(text) and text == text.strip() and not _LIST_START.match(text):
        return Markup(f"<p>{escapeHtml(text)}</p>\n")  # markdown-it's own escaping
    return Markup(markdown_it_html(text))  # markdown-it escaped every text node; raw HTML is off


def markdown_it_html(text: str) -> str:
    """`text` rendered by markdown-it, links marked nofollow."""
    html: str = _markdown().render(text)
    return html.replace('<a href="', '<a rel="nofollow noopener" href="')


# ------------------------------------------------------------- structured data


def json_ld(data: Mapping[str, Any]) -> Markup:
    """JSON for a <script> element: ASCII only, and no '<', '>' or '&' to end it early."""
    text = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # no markup-significant character is left


def government_service(p: Procedure, catalogue: Catalogue) -> dict[str, Any]:
    """schema.org GovernmentService for one procedure, with only what the record gives."""
    agency = catalogue.agencies[p.agency] if p.agency is not None else None
    provider: dict[str, Any] = {"@type": "GovernmentOrganization", "name": agency.name} if agency else {}
    if agency and agency.contact:
        provider |= _drop_none({
            "address": agency.contact.address, "telephone": agency.contact.phone,
            "email": agency.contact.email, "url": agency.contact.website,
        })
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "identifier": p.code,
        "name": p.name,
        "serviceType": catalogue.fields[p.field].name,
        "areaServed": {"@type": "Country", "name": "Việt Nam"},
        "dateModified": p.updated.isoformat(),
    }
    if provider:
        data["provider"] = provider
    if p.description:
        data["description"] = p.description
    if p.subjects:
        data["audience"] = [{"@type": "Audience", "audienceType": SUBJECT_LABELS[s]} for s in p.subjects]
    # A retired procedure offers no address to submit to (its page says so).
    channels = [_channel_ld(c.kind, None if p.retired else c.url, iso_duration(c.processing_time)) for c in p.channels]
    if channels:
        data["availableChannel"] = channels
    # A fee kept in the source's wording has no price to state.
    offers = [_offer_ld(f) for c in p.channels for f in c.fees if f.amount is not None]
    if offers:
        data["offers"] = offers
    return data


def _channel_ld(kind: ChannelKind, url: str | None, duration: str | None) -> dict[str, Any]:
    return _drop_none({
        "@type": "ServiceChannel", "name": CHANNEL_LABELS[kind], "serviceUrl": url, "processingTime": duration,
    })


def _offer_ld(fee: Fee) -> dict[str, Any]:
    offer: dict[str, Any] = {
        "@type": "Offer", "name": FEE_LABELS[fee.kind], "price": fee.amount, "priceCurrency": fee.currency.value,
    }
    if fee.max_amount:
        offer["priceSpecification"] = {
            "@type": "PriceSpecification", "minPrice": fee.amount, "maxPrice": fee.max_amount,
            "priceCurrency": fee.currency.value,
        }
    if fee.note or fee.per:
        offer["description"] = " — ".join(x for x in (fee.per and f"theo {fee.per}", fee.note) if x)
    return offer


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


# ------------------------------------------------------------------ rendering


def escaped_text(value: Any) -> str:
    """A template output as escaped text: markupsafe's `escape`, the same characters and entities,
    but a plain str. The outputs of a template are only joined into its text (a macro's are made
    Markup again by Jinja), and making a Markup of each was a fifth of a procedure page's time."""
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    text = value if type(value) is str else str(value)
    return (text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


class _TextOutput(CodeGenerator):
    """Compiles each autoescaped `{{ ... }}` to `environment.escaped_text(...)` instead of `escape(...)`."""

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.escaped_text(")
            if finalize.src is not None:
                self.write(finalize.src)
            return
        super()._output_child_pre(node, frame, finalize)


class _Environment(Environment):
    code_generator_class = _TextOutput
    escaped_text = staticmethod(escaped_text)


@functools.cache
def environment() -> Environment:
    """The one Jinja2 environment: autoescaped, strict, templates compiled once and cached."""
    env = _Environment(
        loader=PackageLoader("generator", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(
        money=money, fee=fee_text, duration=duration_text, date=date_text, md=markdown,
        size=file_size, filetype=file_type, digits=group_digits, outline=outline, channel_fees=channel_fee_text,
        vi_sorted=vi_sorted, captured=captured_text, document=document_text,
    )
    env.globals.update(
        CATEGORY_LABELS=CATEGORY_LABELS, CHANNEL_LABELS=CHANNEL_LABELS, FEE_LABELS=FEE_LABELS,
        SUBJECT_LABELS=SUBJECT_LABELS, TIER_LABELS=TIER_LABELS, LEVEL_NAMES=LEVEL_NAMES,
        category_of=category_of, url_of=url_of, form_url=form_url, Kind=Kind, SECTIONS=SECTIONS,
        NO_AGENCY=NO_AGENCY, RETIREMENT_LABELS=RETIREMENT_LABELS, SEARCH_ASSETS=SEARCH_ASSETS, PAGE_SIZE=PAGE_SIZE,
    )
    return env


def browse_lists(c: Catalogue) -> dict[tuple[Kind, str], list[ProcedureSummary]]:
    """Every browse list (agency, field, level, life event), sorted by name once per build.

    By name, not by code: a person scans a list for a name, and a page of the list
    (trang-2/…) then covers a stretch of the alphabet.
    """
    indexes: list[tuple[Kind, Mapping[Any, list[ProcedureSummary]]]] = [
        (Kind.AGENCY, c.by_agency), (Kind.FIELD, c.by_field), (Kind.LEVEL, c.by_level),
        (Kind.LIFE_EVENT, c.by_life_event),
    ]
    # A procedure is in four lists or more: its sort key is made once, not once per list.
    keys = {p.code: vi_key(p.name) for p in c.procedures}
    return {(kind, str(key)): sorted(items, key=lambda p: keys[p.code])
            for kind, index in indexes for key, items in index.items()}


def _list_json(items: list[ProcedureSummary]) -> bytes:
    """[{code, name, level, url}] in the list's order; the filter writes each as text, never as markup."""
    rows = [{"code": p.code, "name": p.name, "level": p.service_level, "url": url_of(Kind.PROCEDURE, p.code)}
            for p in items]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def largest(items: Iterable[Any], index: Mapping[str, list[ProcedureSummary]], n: int = HOME_TOP) -> list[Any]:
    """The `n` items (fields, agencies) with the most procedures; ties in Vietnamese order."""
    return sorted((i for i in vi_sorted(items) if index.get(i.id)), key=lambda i: -len(index[i.id]))[:n]


def _section_order(anchor: str) -> int:
    """Position of a section on the procedure page; the title block comes first."""
    return list(SECTIONS).index(anchor) if anchor in SECTIONS else -1


class SitePages:
    """The pages of one catalogue: computed once per build, rendered one at a time.
    """

    def __init__(self, catalogue: Catalogue, forms: Mapping[str, FormFile] | None = None) -> None:
        self.catalogue = catalogue
        self.forms = dict(forms) if forms is not None else form_files(catalogue)
        self.lists = browse_lists(catalogue)
        self.by_uri = {s.src_uri: s for s in self.specs()}
        # HTML an agency page shows above its list (agency id, base → HTML); the plugin
        # plugs in the agency's figures from generator.stats_page, so pages need not import stats.
        self.agency_extra: Callable[[str, str], Markup] = lambda _agency, _base: Markup("")
        self.children: dict[str, list[Agency]] = {}
        for agency in vi_sorted(catalogue.agencies.values()):
            if agency.parent:
                self.children.setdefault(agency.parent, []).append(agency)

    def specs(self) -> list[PageSpec]:
        """Every generated page, sorted by URL: indexes, then one per code, id or level."""
        c = self.catalogue
        specs = [
            PageSpec(Kind.AGENCY, "", "Cơ quan thực hiện"),
            PageSpec(Kind.FIELD, "", "Lĩnh vực"),
            PageSpec(Kind.LEVEL, "", "Mức độ dịch vụ công"),
            PageSpec(Kind.LIFE_EVENT, "", "Sự kiện cuộc sống"),
        ]
        # A retired code keeps its page (it says so at the top); only browse lists leave it out.
        specs += [PageSpec(Kind.PROCEDURE, p.code, p.name) for p in c.by_code.values()]
        specs += [PageSpec(Kind.AGENCY, a.id, a.name) for a in c.agencies.values()]
        specs += [PageSpec(Kind.FIELD, f.id, f.name) for f in c.fields.values()]
        specs += [PageSpec(Kind.LEVEL, str(n), LEVEL_NAMES[n]) for n in sorted(LEVEL_NAMES)]
        specs += [PageSpec(Kind.LIFE_EVENT, e.id, e.name) for e in c.life_events.values()]
        specs += [PageSpec(s.kind, s.key, f"{s.title} — trang {n}", n) for s in list(specs)
                  for n in range(2, self.page_count(s) + 1)]
        return sorted(specs, key=lambda s: s.src_uri)

    def page_count(self, spec: PageSpec) -> int:
        """How many pages the browse list of `spec` takes (1 for a page that is no list)."""
        return max(1, -(-len(self.lists.get((spec.kind, spec.key), [])) // PAGE_SIZE))

    def list_files(self) -> dict[str, bytes]:
        """A paged list's procedures as JSON beside its first page, for the filter box (catalogue.js).

        Written once per list, so each page's HTML holds only its own PAGE_SIZE procedures.
        """
        return {url_of(kind, key) + LIST_DATA: _list_json(items)
                for (kind, key), items in sorted(self.lists.items()) if len(items) > PAGE_SIZE}

    def render(self, spec: PageSpec, procedure: Procedure | None = None) -> str:
        """The HTML body of one page; a procedure's from its full model (`procedure`, else read here)."""
        base = "../" * spec.url.count("/")
        context: dict[str, Any] = {"spec": spec, "base": base, "c": self.catalogue}
        if spec.kind is Kind.PROCEDURE:
            context |= self._procedure_context(procedure or self.catalogue.full(spec.key))
        elif spec.key:
            context["listing"] = self.listing(spec)
            context["children"] = self.children.get(spec.key, []) if spec.kind is Kind.AGENCY else []
            if spec.kind is Kind.AGENCY:  # the agency's figures once, on its first page
                context["extra"] = self.agency_extra(spec.key, base) if spec.page == 1 else Markup("")
        name = f"{spec.kind.value}{'-index' if spec.in_nav else ''}.html"
        return environment().get_template(name).render(context)

    def render_home(self, base: str = "") -> str:
        """The home page's generated part: search box, life events, the largest fields and agencies, figures."""
        c = self.catalogue
        return environment().get_template("home.html").render(
            c=c, base=base, finder=FINDER,
            top_fields=largest(c.fields.values(), c.by_field), top_agencies=largest(c.agencies.values(), c.by_agency))

    def render_changes(self, base: str) -> str:
        """The 'Thay đổi gần đây' page: every retired procedure and the latest updates, newest first,
        by the records' own dates (the feed's changes.json may compare with the previous build)."""
        c = self.catalogue
        retired = sorted(c.retired, key=lambda p: (-(p.retired.date if p.retired else p.updated).toordinal(), p.code))
        updated = sorted(c.procedures, key=lambda p: (-p.updated.toordinal(), p.code))[:RECENT]
        return environment().get_template("thay-doi.html").render(
            c=c, base=base, title=CHANGES_TITLE, retired=retired, updated=updated)

    def headings(self, spec: PageSpec) -> list[tuple[str, str]]:
        """(anchor, title) of a procedure page's sections, for a table of contents."""
        if spec.kind is not Kind.PROCEDURE:
            return []
        has_forms = self.catalogue.by_code[spec.key].forms > 0  # the summary's count: no model read per page
        return [(anchor, title) for anchor, title in SECTIONS.items() if anchor != "bieu-mau" or has_forms]

    def listing(self, spec: PageSpec) -> ListPage:
        """The page of procedures a browse page lists: a slice of its list, in Vietnamese order."""
        items = self.lists.get((spec.kind, spec.key), [])
        start = (spec.page - 1) * PAGE_SIZE
        return ListPage(spec.kind, spec.key, items[start:start + PAGE_SIZE], len(items), spec.page)

    def lineage(self, p: Procedure | ProcedureSummary) -> dict[str, Any]:
        """What a procedure page says about replacements: its successor (and the one in force
        at the end of a chain), and the retired procedures it replaces. Plain values, so the
        body cache (page_bodies) can key on them."""
        c = self.catalogue

        def brief(q: ProcedureSummary | None) -> dict[str, str] | None:
            return None if q is None else {"code": q.code, "name": q.name, "url": url_of(Kind.PROCEDURE, q.code)}

        retired = p.retired
        successor = c.by_code.get(retired.successor) if retired and retired.successor else None
        final = c.successor_of(p)
        return {
            "successor": brief(successor),
            "in_force": brief(final) if final is not None and final is not successor else None,
            "replaces": [{**(brief(q) or {}), "date": date_text(q.retired.date)}
                         for q in c.predecessors.get(p.code, []) if q.retired is not None],
        }

    def _procedure_context(self, p: Procedure) -> dict[str, Any]:
        reviews: dict[str, list[Any]] = {}
        review_sections: dict[str, str] = {}
        for r in p.review:
            head = r.field.split(".")[0].split("[")[0]
            head = head if head in SECTION_FIELDS else "other"
            reviews.setdefault(head, []).append(r)
            anchor = SECTION_FIELDS.get(head, "thong-tin-khac") or "ten-thu-tuc"
            review_sections[anchor] = SECTIONS.get(anchor, "Thông tin chung")
        forms = {f.id: f for f in p.forms}
        cases = case_views(p.document_cases)
        agency = self.catalogue.agencies[p.agency] if p.agency is not None else None
        return {
            "cases": cases,
            "channel_summaries": channel_summaries(p),
            # (case, count) of every case that asks for papers; a case of notes only is no case
            "document_counts": [(v.case.case, document_count_text(len(v.documents))) for v in cases if v.documents],
            "agency_has_contact": agency is not None and agency.contact is not None,
            "p": p,
            "agency": agency,
            "agency_chain": self.catalogue.agency_chain(p.agency)[1:],
            "field": self.catalogue.fields[p.field],
            "events": [self.catalogue.life_events[e] for e in p.life_events],
            "reviews": reviews,
            "review_sections": sorted(review_sections.items(), key=lambda item: _section_order(item[0])),
            "forms": forms,
            "files": self.forms,
            "online_urls": sorted({ch.url for ch in p.channels if ch.url}),
            "level_guide": LEVEL_GUIDE,
            "json_ld": json_ld(government_service(p, self.catalogue)),
            "lineage": self.lineage(p),
        }

