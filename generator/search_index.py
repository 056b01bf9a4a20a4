"""The search index: procedures found the way Vietnamese people type them.

Built once per build with the Python `lunr` package and read in the browser
by lunr.js (generator/assets/search/), so no server and no index building in
the browser. Two files are written:

- `search/index.json`, loaded first: a lunr index of names and keywords
  (no positions, refs are row numbers) and a summary row per procedure,
  enough to draw a result and to filter it;
- `search/detail.json`, loaded after the first results: a lunr index of
  descriptions, results and steps, less the words found in most
  procedures (listed as `common`), whose weights the finder adds.

The finder (/tra-cuu/, `finder_html()` and assets/search/finder.js) takes
the AND of the query's words on these indexes first and scores only the
procedures that hold them all, with the BM25 weights lunr stored. The
header's search box on every page sends to the finder; Material's own
search plugin stays off, because it indexes in the browser without folding
("dang ky" would find nothing there while the finder finds it): one search,
one index, for the whole site.

Both sides fold text with the same function, registered under the same
pipeline name (`FOLD`), and checked against one shared table of cases
(tests/fixtures/search_cases.json). The fold:

1. lowercase, then Unicode NFD, then drop nonspacing marks (category Mn):
   "Đăng ký" → "đang ky";
2. đ → d;
3. split into terms: runs of a-z0-9, or digit groups joined by dots so a
   procedure code ("1.001193") or an amount ("50.000") stays one term;
4. the i/y spelling variant: a term of two or more letters that ends in
   "y" right after a consonant ends in "i" instead ("ky" → "ki", "ly" →
   "li", "my" → "mi"), and the term "qui" is "quy". Both spellings are in
   use for these syllables (ký/kí, lý/lí, quý/quí). A "y" after a vowel is
   left alone, because there it is a different sound and word: "quy",
   "tuy", "thuy", "huy", "ngay", "may" never change, and "y" alone
   ("y tế") stays.

lunr.js skips the pipeline for wildcard terms, so the finder folds the
query itself and queries with `usePipeline: false`.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from lunr.pipeline import Pipeline
from lunr.token import Token

from . import lunr_index
from .catalogue import Catalogue
from .models import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    SUBJECT_LABELS,
    ChannelKind,
    Currency,
    Fee,
    Procedure,
    Subject,
    Synonym,
    category_of,
)
from .site_urls import Kind
from .wording import NO_AGENCY, SEE_NOTE, duration_figure, money_range

FOLD = "vi-fold"
FINDER_SRC = "tra-cuu/index.md"
FINDER_TITLE = "Tra cứu thủ tục hành chính"
ASSET_DIR = "assets/search"
ASSETS = ("lunr.min.js", "fold.js", "finder.js", "finder.css")
STYLE = f"{ASSET_DIR}/finder.css"  # site-wide: the header's search box is on every page
INDEX_FILE = "search/index.json"
DETAIL_FILE = "search/detail.json"
PROCEDURE_URL = Kind.PROCEDURE.value + "/{code}/"  # filled in by finder.js
STORE_VERSION = 1

# Field name → build-time boost. Short names: they repeat in every posting.
# Name and keywords weigh most; in the lazy index, description and results
# weigh more than steps.
PRIMARY_FIELDS: dict[str, int] = {"n": 10, "k": 6}
DETAIL_FIELDS: dict[str, int] = {"d": 3, "r": 3, "s": 1}
COMMON_SHARE = 0.5
COMMON_MIN_PROCEDURES = 100

_TERM = re.compile(r"[0-9]+(?:\.[0-9]+)+|[a-z0-9]+")
_CONSONANT_Y = re.compile(r"(?<=[bcdfghjklmnpqrstvwxz])y$")
CHANNEL_BITS: dict[ChannelKind, int] = {
    ChannelKind.TRUC_TUYEN: 1, ChannelKind.TRUC_TIEP: 2, ChannelKind.BUU_CHINH: 4,
}
SUBJECT_ORDER: tuple[Subject, ...] = tuple(Subject)


# ---------------------------------------------------------------- folding


def fold_text(text: str) -> str:
    """Lowercase, strip diacritics (NFD, drop Mn) and map đ → d."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d")


def fold_term(term: str) -> str:
    """The i/y rule on one folded term: 'ky' → 'ki', 'qui' → 'quy', 'quy' unchanged."""
    if term == "qui":
        return "quy"
    return _CONSONANT_Y.sub("i", term) if len(term) >= 2 else term


def fold(text: str) -> list[str]:
    """Text → the terms the index holds, in order: 'Đăng ký' → ['dang', 'ki']."""
    return [fold_term(t) for t in _TERM.findall(fold_text(text))]


@functools.lru_cache(maxsize=1 << 16)
def _fold_word(word: str) -> tuple[str, ...]:
    """fold() of one whitespace-free word, cached: a catalogue repeats few words many times."""
    return tuple(fold(word))


def fold_token(token: Token, i: int, tokens: list[Token]) -> list[Token]:
    """lunr pipeline function: one token → its folded terms (none, one or several)."""
    return [Token(term, token.metadata) for term in _fold_word(str(token))]


Pipeline.register_function(fold_token, FOLD)


# ---------------------------------------------------------------- summaries


def time_summary(p: Procedure) -> str:
    """One line of processing time; channels that differ are named as such."""
    texts = list(dict.fromkeys(t for t in (duration_figure(c.processing_time) for c in p.channels) if t))
    if len(texts) <= 1:
        return "".join(texts)
    return "Tùy cách nộp: " + " / ".join(texts[:3])


def is_free(p: Procedure) -> bool | None:
    """True when fees are stated and every one is a sure 0; None when no fee is stated.

    A fee kept in the source's wording (amount unknown) is never free.
    """
    fees = [f for c in p.channels for f in c.fees]
    if not fees:
        return None
    return all(f.amount == 0 and not f.max_amount for f in fees)


def fee_summary(p: Procedure) -> str:
    """'Miễn phí', '50.000 đồng', '0–1.000.000 đồng'; '' when no fee is stated."""
    fees = [f for c in p.channels for f in c.fees]
    free = is_free(p)
    if free is None:
        return ""
    if free:
        return "Miễn phí"
    sure = [f for f in fees if f.amount is not None]
    parts = [_fee_range(cur, [f for f in sure if f.currency is cur]) for cur in Currency
             if any(f.currency is cur for f in sure)]
    if len(sure) < len(fees):
        parts.append(f"nguồn ghi chưa rõ, {SEE_NOTE}")
    return "; ".join(parts)


def _fee_range(currency: Currency, fees: list[Fee]) -> str:
    amounts = [f.amount for f in fees if f.amount is not None]
    return money_range(min(amounts), max(f.max_amount or f.amount or 0 for f in fees), currency)


def channel_mask(p: Procedure) -> int:
    """Bits of the ways to submit; the postal flag counts as post."""
    mask = 0
    for c in p.channels:
        mask |= CHANNEL_BITS[c.kind]
    if p.online.postal:
        mask |= CHANNEL_BITS[ChannelKind.BUU_CHINH]
    return mask


def subject_mask(p: Procedure) -> int:
    return sum(1 << SUBJECT_ORDER.index(s) for s in set(p.subjects))


@dataclass(frozen=True)
class Tables:
    """Row numbers of agencies and fields in the store, so a summary row holds small integers."""

    agencies: dict[str, int]
    fields: dict[str, int]

    @classmethod
    def of(cls, catalogue: Catalogue) -> Tables:
        retired_agencies = {p.agency for p in catalogue.retired if p.agency is not None}
        return cls(
            {a: i for i, a in enumerate(sorted(catalogue.by_agency.keys() | retired_agencies))},
            {f: i for i, f in enumerate(sorted(catalogue.by_field.keys() | {p.field for p in catalogue.retired}))},
        )


def searchable(catalogue: Catalogue) -> list[Procedure]:
    """The finder's rows: procedures in force, then retired ones, which it shows only when asked."""
    return [*catalogue.procedures, *catalogue.retired]


def summary_row(p: Procedure, tables: Tables) -> list[Any]:
    """[code, name, agency, field, level, channels, subjects, free (1/0/null), time, fee], and 1 for a retired one."""
    free = is_free(p)
    row = [
        p.code, p.name, None if p.agency is None else tables.agencies[p.agency], tables.fields[p.field],
        p.service_level,
        channel_mask(p), subject_mask(p), None if free is None else int(free), time_summary(p), fee_summary(p),
    ]
    return row if p.retired is None else [*row, 1]


def store(catalogue: Catalogue, url_template: str = PROCEDURE_URL) -> dict[str, Any]:
    """What the finder draws results and filter choices from; rows in code order, row = lunr ref."""
    tables = Tables.of(catalogue)
    return {
        "v": STORE_VERSION,
        "url": url_template,
        "agencies": [[a, catalogue.agencies[a].name] for a in tables.agencies],
        "no_agency": NO_AGENCY,
        "fields": [[f, catalogue.fields[f].name] for f in tables.fields],
        "subjects": [[s.value, SUBJECT_LABELS[s]] for s in SUBJECT_ORDER],
        "channels": [[k.value, CHANNEL_LABELS[k], bit] for k, bit in CHANNEL_BITS.items()],
        "levels": {str(n): CATEGORY_LABELS[category_of(n)] for n in range(1, 5)},
        "docs": [summary_row(p, tables) for p in searchable(catalogue)],
    }


# ---------------------------------------------------------------- indexes


def primary_fields(p: Procedure, synonyms: Iterable[Synonym] = ()) -> dict[str, str]:
    """What the first index holds: the name and the keywords, plus the synonyms they call for."""
    keywords = " ".join(p.keywords)
    return {"n": p.name, "k": " ".join([keywords, *synonym_terms(f"{p.name} {keywords}", synonyms)]).strip()}


def synonym_terms(text: str, synonyms: Iterable[Synonym]) -> list[str]:
    """The `terms` of every synonym whose `means` occurs in the text, compared folded, as whole words."""
    folded = f" {' '.join(fold(text))} "
    found: list[str] = []
    for synonym in synonyms:
        if any(f" {' '.join(fold(m))} " in folded for m in synonym.means):
            found += synonym.terms
    return found


def detail_fields(p: Procedure) -> dict[str, str]:
    """What the lazy index holds: description, results and steps."""
    return {
        "d": p.description or "",
        "r": " ".join(r.name for r in p.results),
        "s": " ".join(p.steps),
    }


def build_index(docs: Iterable[dict[str, str]], boosts: dict[str, int]) -> dict[str, Any]:
    """A serialised lunr index: folded terms, no positions, refs are row numbers.

    Two changes to lunr's JSON, both for the browser's parse time (at
    10,000 procedures lunr's own shape takes seven times longer to parse):
    a posting lists its refs as a sorted array of row numbers instead of
    lunr's {ref: metadata} object, whose metadata is always empty here
    (metadataWhitelist is empty); and empty field vectors are dropped.
    lunr.Index.load reads the result as it is (the finder scores with the
    postings and vectors itself); `lunr_shape()` gives lunr's exact shape.
    """
    # lunr_index builds what lunr's Builder would, with fold_token as its pipeline, ~10× faster.
    data = lunr_index.build(({k: _terms(v) for k, v in doc.items()} for doc in docs), boosts, [FOLD])
    data["fieldVectors"] = [pair for pair in data["fieldVectors"] if pair[1]]
    for _, posting in data["invertedIndex"]:
        for name in boosts:
            posting[name] = sorted(int(ref) for ref in posting[name])
    return data


def _terms(text: str) -> list[str]:
    """What lunr's tokenizer and fold_token make of a field: its words, lowercased, then folded."""
    return [term for word in text.split() for term in _fold_word(word.lower())]


def lunr_shape(index: dict[str, Any]) -> dict[str, Any]:
    """The same index with lunr's own postings ({ref: {}}), for lunr's query() and Index.load readers."""
    fields = index["fields"]
    inverted = [[term, {k: ({str(r): {} for r in v} if k in fields else v) for k, v in posting.items()}]
                for term, posting in index["invertedIndex"]]
    return index | {"invertedIndex": inverted}


def drop_common_terms(index: dict[str, Any], count: int) -> list[str]:
    """Remove terms found in more than COMMON_SHARE of the procedures; return them, sorted.

    In steps, words such as "nộp", "hồ sơ", "cơ quan" are in nearly every
    procedure: they hold half the postings of the detail index yet narrow
    nothing down and weigh next to nothing (low idf). The finder counts a
    query word in this list as matched. Small catalogues keep every term.
    """
    if count < COMMON_MIN_PROCEDURES:
        return []
    fields = index["fields"]
    common = {term for term, posting in index["invertedIndex"]
              if len({ref for f in fields for ref in posting[f]}) > COMMON_SHARE * count}
    dropped = {posting["_index"] for term, posting in index["invertedIndex"] if term in common}
    index["invertedIndex"] = [pair for pair in index["invertedIndex"] if pair[0] not in common]
    for pair in index["fieldVectors"]:
        elements = pair[1]
        pair[1] = [x for i in range(0, len(elements), 2) if elements[i] not in dropped for x in elements[i:i + 2]]
    index["fieldVectors"] = [pair for pair in index["fieldVectors"] if pair[1]]
    return sorted(common)


def _dumps(data: Any) -> bytes:
    """Compact, sorted, UTF-8 JSON: the same input gives the same bytes."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def search_files(catalogue: Catalogue, url_template: str = PROCEDURE_URL) -> dict[str, bytes]:
    """Site-relative path → bytes of every file the finder reads."""
    procedures = searchable(catalogue)
    primary = {
        "store": store(catalogue, url_template),
        "index": build_index((primary_fields(p, catalogue.synonyms) for p in procedures), PRIMARY_FIELDS),
    }
    detail = build_index(map(detail_fields, procedures), DETAIL_FIELDS)
    common = drop_common_terms(detail, len(procedures))
    return {INDEX_FILE: _dumps(primary), DETAIL_FILE: _dumps({"index": detail, "common": common})}




# ---------------------------------------------------------------- finder page


@functools.cache
def _environment() -> Environment:
    """Templates compiled once, autoescaped."""
    return Environment(
        loader=PackageLoader("generator", "templates"), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, auto_reload=False,
    )


def _by_name(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Vietnamese names in the order a reader expects: folded first, then exact."""
    return sorted(pairs, key=lambda pair: (fold_text(pair[1]), pair[1], pair[0]))


def finder_html(catalogue: Catalogue, base: str = "../") -> str:
    """The finder page's body: search box, filters (choices from the catalogue), scripts.

    `base` is the way from the finder page up to the site root ('../' for
    the directory URL tra-cuu/).
    """
    used_subjects = {s for p in catalogue.procedures for s in p.subjects}
    return _environment().get_template("finder.html").render(
        base=base,
        assets=f"{base}{ASSET_DIR}/",
        index_file=INDEX_FILE,
        detail_file=DETAIL_FILE,
        agencies=_by_name((a, catalogue.agencies[a].name) for a in catalogue.by_agency),
        fields=_by_name((f, catalogue.fields[f].name) for f in catalogue.by_field),
        levels=[(n, CATEGORY_LABELS[category_of(n)]) for n in range(1, 5)],
        channels=[(k.value, CHANNEL_LABELS[k]) for k in CHANNEL_BITS],
        subjects=[(s.value, SUBJECT_LABELS[s]) for s in SUBJECT_ORDER if s in used_subjects],
        retired=len(catalogue.retired),
    )


def search_asset_files() -> dict[str, bytes]:
    """Site-relative path → bytes of the finder's scripts and style, served from this package."""
    folder = resources.files("generator") / "assets" / "search"
    return {f"{ASSET_DIR}/{name}": (folder / name).read_bytes() for name in ASSETS}

