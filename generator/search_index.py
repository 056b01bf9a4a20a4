"""The search index: procedures found the way Vietnamese people type them.

Built once per build, in pieces the finder (/tra-cuu/, `finder_html()` and
assets/search/finder.js) fetches only when a search needs them, so what a
phone loads before the first result does not grow with the catalogue
(issue 17: the single index file was ~131 B per procedure, 13 MB at 100,000).
Rows are procedures numbered in the order of their folded names, so a
filter without words lists rows in order, and procedures with like names
(a province's variant of a national one) sit in the same piece of rows.

- `search/meta.json`, loaded first: the tables (agencies, fields, labels),
  the number of rows and the names of the pieces that exist;
- `search/p/<key>.json`: for every term of names and keywords starting
  with `key` (its first two characters), the rows holding it and their
  weight (lunr's BM25 with the field boosts, summed over the fields);
- `search/d/<key>.json`: the same for descriptions, results and steps,
  less the words found in most procedures (listed in meta as `common`),
  fetched after the first results are drawn;
- `search/r/<n>.json`: the summary rows n·32 … n·32+31 (code, name,
  agency, field, level, channels, subjects, free, time, fee), fetched for
  the results drawn;
- `search/c/<digits>.json`: code → row for the codes whose first four
  digits these are;
- `search/f/<filter>/<value>.json`: the rows a filter choice keeps.

Row lists are sorted and written as gaps from the previous row (small
numbers compress well); a term's posting is one string of base-32 digits
(gap, place of the weight in the term's table, …) followed by that table
(`encoded`, `decode_posting`). The finder takes the AND of the query's words
first and scores only the procedures that hold them all. The header's
search box on every page sends to the finder; Material's own search plugin
stays off, because it indexes in the browser without folding ("dang ky"
would find nothing there while the finder finds it): one search, one
index, for the whole site.

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

The weights are computed as lunr's Builder computes them (generator/
lunr_index.py, checked against the Python `lunr` package); the browser
needs no lunr.js, it reads the pieces itself.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import operator
import pickle
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote, unquote

from jinja2 import Environment, PackageLoader, StrictUndefined
from lunr.pipeline import Pipeline
from lunr.token import Token

from . import lunr_index, parallel, result_cache
from .catalogue import Catalogue
from .models import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    SUBJECT_LABELS,
    ChannelKind,
    Currency,
    Fee,
    Procedure,
    ProcedureSummary,
    Subject,
    Synonym,
    category_of,
)
from .result_cache import ResultCache
from .site_urls import Kind
from .wording import NO_AGENCY, SEE_NOTE, duration_figure, money_range

FOLD = "vi-fold"
FINDER_SRC = "tra-cuu/index.md"
FINDER_TITLE = "Tra cứu thủ tục hành chính"
ASSET_DIR = "assets/search"
ASSETS = ("fold.js", "finder.js", "finder.css")
STYLE = f"{ASSET_DIR}/finder.css"  # site-wide: the header's search box is on every page
SEARCH_DIR = "search/"
META_FILE = SEARCH_DIR + "meta.json"
PRIMARY_DIR, DETAIL_DIR, ROWS_DIR, CODES_DIR, FILTERS_DIR = "p", "d", "r", "c", "f"
KEY_CHARS = 2  # a term's piece: its first characters ('.' written '_')
CODE_DIGITS = 4  # a code's piece: its first digits
ROWS_PER_PIECE = 32
PROCEDURE_URL = Kind.PROCEDURE.value + "/{code}/"  # filled in by finder.js
STORE_VERSION = 2
# Filter (URL parameter of the finder) → the values a procedure has for it.
FILTER_PARAMS = ("co-quan", "linh-vuc", "muc-do", "cach-nop", "doi-tuong", "mien-phi", "da-bai-bo")

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
    return unicodedata.normalize("NFD", text.lower()).translate(_MARKS).replace("đ", "d")


class _Marks(dict[int, str | None]):
    """str.translate's table that drops nonspacing marks (category Mn), filled as characters are met."""

    def __missing__(self, char: int) -> str | None:
        kept = self[char] = None if unicodedata.category(chr(char)) == "Mn" else chr(char)
        return kept


_MARKS = _Marks()


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


def searchable(catalogue: Catalogue) -> list[ProcedureSummary]:
    """The finder's procedures: those in force and retired ones, which it shows only when asked."""
    return [*catalogue.procedures, *catalogue.retired]


def rows_in_order(catalogue: Catalogue) -> list[ProcedureSummary]:
    """The finder's procedures (in force and retired) in row order: by folded name, then name, then code."""
    return sorted(searchable(catalogue), key=lambda p: (fold_text(p.name), p.name, p.code))


def tables(catalogue: Catalogue, url_template: str = PROCEDURE_URL) -> dict[str, Any]:
    """What the finder draws every result and filter choice with (rows name agencies and fields by number)."""
    numbers = Tables.of(catalogue)
    return {
        "v": STORE_VERSION,
        "url": url_template,
        "agencies": [[a, catalogue.agencies[a].name] for a in numbers.agencies],
        "no_agency": NO_AGENCY,
        "fields": [[f, catalogue.fields[f].name] for f in numbers.fields],
        "subjects": [[s.value, SUBJECT_LABELS[s]] for s in SUBJECT_ORDER],
        "channels": [[k.value, CHANNEL_LABELS[k], bit] for k, bit in CHANNEL_BITS.items()],
        "levels": {str(n): CATEGORY_LABELS[category_of(n)] for n in range(1, 5)},
    }


def filter_values(p: Procedure) -> dict[str, list[str]]:
    """The finder's filter choices that keep this procedure, by URL parameter."""
    channels = {c.kind.value for c in p.channels} | ({ChannelKind.BUU_CHINH.value} if p.online.postal else set())
    return {
        "co-quan": [p.agency] if p.agency is not None else [],
        "linh-vuc": [p.field],
        "muc-do": [str(p.service_level)],
        "cach-nop": sorted(channels),
        "doi-tuong": sorted({s.value for s in p.subjects}),
        "mien-phi": ["1"] if is_free(p) else [],
        "da-bai-bo": ["1"] if p.retired is not None else [],
    }


# ---------------------------------------------------------------- indexes


def primary_fields(p: Procedure, synonyms: Iterable[Synonym] = ()) -> dict[str, str]:
    """What the first index holds: the name and the keywords, plus the synonyms they call for."""
    keywords = " ".join(p.keywords)
    return {"n": p.name, "k": " ".join([keywords, *synonym_terms(f"{p.name} {keywords}", synonyms)]).strip()}


def synonym_terms(text: str, synonyms: Iterable[Synonym]) -> list[str]:
    """The `terms` of every synonym whose `means` occurs in the text, compared folded, as whole words."""
    folded = f" {_phrase(text)} "
    found: list[str] = []
    for synonym in synonyms:
        if any(f" {_meaning(m)} " in folded for m in synonym.means):
            found += synonym.terms
    return found


def _phrase(text: str) -> str:
    """A text's folded terms joined by spaces."""
    return " ".join(term for word in text.split() for term in _fold_word(word))


_meaning = functools.lru_cache(maxsize=1 << 12)(_phrase)  # a synonym's meanings are tried on every procedure


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


def postings(index: dict[str, Any]) -> dict[str, list[tuple[int, float]]]:
    """Term → (row, weight) for every row holding it, the weight summed over the index's fields."""
    terms = {posting["_index"]: term for term, posting in index["invertedIndex"]}
    found: dict[str, dict[int, float]] = {}
    for field_ref, elements in index["fieldVectors"]:
        row = int(field_ref.split("/", 1)[1])
        for i in range(0, len(elements), 2):
            weights = found.setdefault(terms[elements[i]], {})
            weights[row] = weights.get(row, 0.0) + elements[i + 1]
    return {term: sorted((row, round(w, 3)) for row, w in rows.items()) for term, rows in found.items()}


def term_key(term: str) -> str:
    """The piece a term is in: its first KEY_CHARS characters, '.' as '_' (finder.js: termKey)."""
    return term[:KEY_CHARS].replace(".", "_")


def gaps(rows: Iterable[int]) -> list[int]:
    """Sorted rows as gaps: each row less the one before it (the first row as it is)."""
    out, previous = [], 0
    for row in rows:
        out.append(row - previous)
        previous = row
    return out


# A posting is written as one JSON string, not an array of numbers: the browser parses a string of
# ~3 characters a row at once, where it parsed ~9 characters of numbers a row, floats the slowest
# (at 100,000 procedures "dang" and "ki" alone were ~40 ms of JSON.parse on a phone). Each number is
# base-32 digits, high first: a digit before the last is a character from CONTINUED, the last from LAST.
# Neither range holds '"' or '\\', so the string needs no escapes (finder.js: posting).
CONTINUED, LAST, BASE = 35, 93, 32  # '#'…'B', then ']'…'|'


class _Digits(dict[int, str]):
    """Number → its characters in a posting string, made once per number."""

    def __missing__(self, number: int) -> str:
        n, out = number // BASE, chr(LAST + number % BASE)
        while n:
            n, out = n // BASE, chr(CONTINUED + n % BASE) + out
        digits = self[number] = out
        return digits


_DIGITS = _Digits()


class _Weights(dict[str, int]):
    """One term's weights (JSON text) → their place in its table, in the order met: rows name a place."""

    def __init__(self) -> None:
        super().__init__()
        self.table: list[str] = []

    def __missing__(self, weight: str) -> int:
        self.table.append(weight)
        place = self[weight] = len(self.table) - 1
        return place


def encoded(gaps: Iterable[int], places: Iterable[int]) -> str:
    """Gaps and weight places of a posting's rows, interleaved, as the posting string."""
    pairs: list[str] = []
    for gap, place in zip(gaps, places, strict=True):
        pairs += (_DIGITS[gap], _DIGITS[place])
    return "".join(pairs)


def _numbers(text: str) -> list[int]:
    """The numbers of a posting string (tests; finder.js reads it the same way)."""
    out, n = [], 0
    for char in map(ord, text):
        if char >= LAST:
            out.append(n * BASE + char - LAST)
            n = 0
        else:
            n = n * BASE + char - CONTINUED
    return out


def decode_posting(value: list[Any]) -> list[tuple[int, float]]:
    """A term's value in a piece, ["gaps and places", weight, …], → (row, weight) for every row."""
    numbers = _numbers(value[0])
    rows = itertools.accumulate(numbers[0::2])
    return [(row, value[1 + place]) for row, place in zip(rows, numbers[1::2], strict=True)]


def _pieces(folder: str, table: dict[str, list[tuple[int, float]]]) -> dict[str, bytes]:
    """One file per term key: term → ["gaps and weight places", weight, …]."""
    grouped: dict[str, dict[str, list[Any]]] = {}
    for term, rows in table.items():
        weights = _Weights()
        text = encoded(gaps(r for r, _ in rows), [weights[repr(w)] for _, w in rows])
        grouped.setdefault(term_key(term), {})[term] = [text, *map(float, weights.table)]
    return {f"{SEARCH_DIR}{folder}/{key}.json": _dumps(terms) for key, terms in grouped.items()}


def _row_pieces(rows: list[tuple[Any, ...]], numbers: Tables) -> dict[str, bytes]:
    return {
        f"{SEARCH_DIR}{ROWS_DIR}/{n}.json": _dumps([_summary(row, numbers) for row in
                                                    rows[n * ROWS_PER_PIECE:(n + 1) * ROWS_PER_PIECE]])
        for n in range((len(rows) + ROWS_PER_PIECE - 1) // ROWS_PER_PIECE)
    }


def _summary(row: tuple[Any, ...], numbers: Tables) -> list[Any]:
    """[code, name, agency, field, level, channels, subjects, free (1/0/null), time, fee], and 1 for a retired one."""
    code, name, agency, field, *rest, retired = row
    out = [code, name, None if agency is None else numbers.agencies[agency], numbers.fields[field], *rest]
    return [*out, 1] if retired else out


def _code_pieces(rows: list[tuple[Any, ...]]) -> dict[str, bytes]:
    grouped: dict[str, dict[str, int]] = {}
    for number, row in enumerate(rows):
        code = row[0]
        grouped.setdefault(code.replace(".", "")[:CODE_DIGITS], {})[code] = number
    return {f"{SEARCH_DIR}{CODES_DIR}/{key}.json": _dumps(codes) for key, codes in grouped.items()}


def _filter_pieces(kept: dict[tuple[str, str], list[int]]) -> dict[str, bytes]:
    return {f"{SEARCH_DIR}{FILTERS_DIR}/{param}/{quote(value, safe='')}.json": _dumps(gaps(rows))
            for (param, value), rows in kept.items()}


def search_files(catalogue: Catalogue, url_template: str = PROCEDURE_URL,
                 cache_path: Path | None = None) -> dict[str, bytes]:
    """Site-relative path → bytes of every file the finder reads.

    Each procedure's part (its terms, row and filter choices) is made on
    its own, in worker processes and through the cache at `cache_path` when
    given (search_entries); the pieces are then put together from those
    entries in two passes over them, a few rows at a time, without one
    Python object per posting.
    """
    entries = search_entries(catalogue, cache_path)
    primary, detail = _Scorer(PRIMARY_FIELDS), _Scorer(DETAIL_FIELDS, common=len(entries) >= COMMON_MIN_PROCEDURES)
    rows: list[tuple[Any, ...]] = []
    kept: dict[tuple[str, str], list[int]] = {}
    for number, e in enumerate(entries):  # the statistics BM25 needs, and what is per row
        primary.count(e.primary)
        detail.count(e.detail)
        rows.append(e.row)
        for param, values in e.filters:
            for value in values:
                kept.setdefault((param, value), []).append(number)
    common = detail.drop_common(len(entries))
    for chunk in entries.chunks(_Scorer.CHUNK):  # then the postings, scored
        primary.score([e.primary for e in chunk])
        detail.score([e.detail for e in chunk])
    files = primary.pieces(PRIMARY_DIR) | detail.pieces(DETAIL_DIR)
    files |= _row_pieces(rows, Tables.of(catalogue)) | _code_pieces(rows) | _filter_pieces(kept)
    meta = tables(catalogue, url_template) | {
        "count": len(entries), "common": common, "rows_per_piece": ROWS_PER_PIECE,
        "code_digits": CODE_DIGITS,
        "pieces": {folder: sorted(_piece_names(files, folder)) for folder in (PRIMARY_DIR, DETAIL_DIR, CODES_DIR)},
        "filters": {param: sorted(_piece_names(files, f"{FILTERS_DIR}/{param}")) for param in FILTER_PARAMS},
    }
    return {META_FILE: _dumps(meta)} | dict(sorted(files.items()))


def _piece_names(files: dict[str, bytes], folder: str) -> list[str]:
    """The keys of the pieces in one folder of search/, so the finder never asks for one that is not there."""
    prefix = f"{SEARCH_DIR}{folder}/"
    return [unquote(name[len(prefix):-len(".json")]) for name in files if name.startswith(prefix)]




# ---------------------------------------------------------------- entries

# One document field's terms: (length, its distinct terms joined by spaces, their counts). One string, not
# a string per term: at 100,000 procedures a string per term was over a GB in the main process.
FieldTerms = tuple[int, str, tuple[int, ...]]


class Entry(NamedTuple):
    """What the finder keeps of one procedure, made from its full model alone (so it can be cached by its digest)."""

    order: tuple[str, str, str]  # folded name, name, code: the row order
    row: tuple[Any, ...]  # the summary row (_summary) with agency and field codes, and a last flag: retired
    filters: tuple[tuple[str, tuple[str, ...]], ...]  # filter_values, the choices that keep it
    primary: tuple[FieldTerms, ...]  # PRIMARY_FIELDS in order
    detail: tuple[FieldTerms, ...]  # DETAIL_FIELDS in order


@functools.lru_cache(maxsize=1 << 12)
def field_terms(text: str) -> FieldTerms:
    """The terms of `_terms(text)`, counted: each distinct word folded once.

    Cached by text: a province's copy of a national procedure repeats its
    description and steps word for word.
    """
    counts: dict[str, int] = {}
    for word, n in Counter(text.lower().split()).items():
        for term in _fold_word(word):
            counts[term] = counts.get(term, 0) + n
    return sum(counts.values()), " ".join(counts), tuple(counts.values())


def entry(p: Procedure, synonyms: Iterable[Synonym]) -> Entry:
    primary, detail, free = primary_fields(p, synonyms), detail_fields(p), is_free(p)
    return Entry(
        (fold_text(p.name), p.name, p.code),
        (p.code, p.name, p.agency, p.field, p.service_level, channel_mask(p), subject_mask(p),
         None if free is None else int(free), time_summary(p), fee_summary(p), p.retired is not None),
        tuple((param, tuple(values)) for param, values in filter_values(p).items() if values),
        tuple(field_terms(primary[f]) for f in PRIMARY_FIELDS),
        tuple(field_terms(detail[f]) for f in DETAIL_FIELDS),
    )


def default_path() -> Path:
    """Beside the validation cache: $XDG_CACHE_HOME/catalogue-generator/<code>/search.sqlite."""
    return result_cache.default_path().with_name("search.sqlite")


class Entries:
    """Every searchable procedure's entry in row order, kept pickled: unpickled a chunk at a time, when read.

    At 100,000 procedures the entries as objects were ~580 MB; pickled
    they are ~200 MB, and search_files reads them twice.
    """

    def __init__(self, blobs: list[bytes]) -> None:
        self.blobs = blobs

    def __len__(self) -> int:
        return len(self.blobs)

    def __iter__(self) -> Iterator[Entry]:
        for chunk in self.chunks(2000):
            yield from chunk

    def chunks(self, size: int) -> Iterator[list[Entry]]:
        for start in range(0, len(self.blobs), size):
            yield [Entry(*pickle.loads(blob)) for blob in self.blobs[start:start + size]]


def search_entries(catalogue: Catalogue, cache_path: Path | None = None) -> Entries:
    """Every searchable procedure's entry, in row order; made fresh only where the cache has none.

    An entry's key is the procedure's digest (its file and what it refers
    to), the synonyms and the code's fingerprint; a procedure without a
    digest (a catalogue not made by validation) is never cached.
    """
    codes = [p.code for p in rows_in_order(catalogue)]
    salt = _entry_salt(catalogue.synonyms)
    keys = {c: result_cache.key(salt, c, catalogue.digests[c].encode()) for c in codes if catalogue.digests.get(c)}
    cache = None if cache_path is None or not keys else ResultCache(cache_path, salt)
    stored = {} if cache is None else cache.get_many(keys.values())
    blobs = {c: stored.pop(keys[c]) for c in codes if keys.get(c) in stored}
    fresh = _fresh_blobs(catalogue, [c for c in codes if c not in blobs])
    if cache is not None:
        cache.put_many({keys[c]: b for c, b in fresh.items() if c in keys})
        cache.close()
    blobs |= fresh
    return Entries([blobs.pop(c) for c in codes])


def _entry_salt(synonyms: Iterable[Synonym]) -> str:
    """What every entry depends on besides its procedure: the code and the synonyms."""
    listed = json.dumps([s.model_dump(mode="json") for s in synonyms], ensure_ascii=False, sort_keys=True)
    return f"search:{result_cache.code_fingerprint()}:{hashlib.sha256(listed.encode()).hexdigest()}"


def _fresh_blobs(catalogue: Catalogue, codes: list[str]) -> dict[str, bytes]:
    """code → its pickled entry, made in worker processes when there are enough and this process may fork."""
    if len(codes) < parallel.PARALLEL_MIN or not parallel.may_fork():
        return dict(_entry_blobs(catalogue, codes))
    size = -(-len(codes) // (parallel.worker_count() * 4))
    with parallel.forking(catalogue), parallel.pool(parallel.worker_count()) as workers:
        chunks = workers.map(_worker_blobs, [codes[i:i + size] for i in range(0, len(codes), size)])
        return {code: blob for chunk in chunks for code, blob in chunk}


def _worker_blobs(codes: list[str]) -> list[tuple[str, bytes]]:
    return _entry_blobs(parallel.shared(), codes)


def _entry_blobs(catalogue: Catalogue, codes: list[str]) -> list[tuple[str, bytes]]:
    # Pickled where made (in a worker), so the main process only loads, for fresh and cached entries alike.
    return [(p.code, pickle.dumps(tuple(entry(p, catalogue.synonyms)), protocol=pickle.HIGHEST_PROTOCOL))
            for p in catalogue.each(codes)]


class _Scorer:
    """One index (primary or detail) scored from the entries as lunr_index.build would, piece text by piece text.

    The statistics BM25 needs (documents per term, average field lengths)
    are counted first, a document at a time (`count`); the postings are then
    scored a chunk of rows at a time, in row order (`score`), and kept as JSON
    text per term, so memory holds text, not an object per posting. The bytes
    equal those of `_pieces(…, postings(build_index(…)))` (tests/test_search_index.py).
    """

    CHUNK = 2000  # rows scored before their postings are joined into text

    def __init__(self, boosts: dict[str, int], *, common: bool = False) -> None:
        """`common`: also count in how many documents each term is, for drop_common."""
        self.boosts = list(boosts.values())
        self.with_term: Counter[str] = Counter()
        self.totals = [0] * len(self.boosts)
        self.seen: Counter[str] | None = Counter() if common else None
        self.dropped: set[str] = set()
        self.idf: dict[str, float] = {}
        self.average: list[float] = []
        self.rows = 0  # documents counted, then documents scored
        self.text: dict[str, list[str]] = {}
        self.last: dict[str, int] = {}
        self.tables: dict[str, _Weights] = {}

    def count(self, doc: tuple[FieldTerms, ...]) -> None:
        for i, (length, terms, _) in enumerate(doc):
            self.totals[i] += length
            self.with_term.update(terms.split())
        if self.seen is not None:
            self.seen.update(set().union(*(terms.split() for _, terms, _ in doc)))
        self.rows += 1

    def drop_common(self, count: int) -> list[str]:
        """drop_common_terms on the entries: the terms in more than COMMON_SHARE of the procedures."""
        if self.seen is None or count < COMMON_MIN_PROCEDURES:
            return []
        self.dropped = {t for t, n in self.seen.items() if n > COMMON_SHARE * count}
        return sorted(self.dropped)

    def weights(self, doc: tuple[FieldTerms, ...]) -> list[tuple[str, str]]:
        """(term, weight summed over the fields in field order, rounded, as JSON) of one document."""
        summed: dict[str, float] = {}
        for (length, terms, tfs), boost, average in zip(doc, self.boosts, self.average, strict=True):
            if not terms:
                continue
            norm = lunr_index.field_norm(length, average)
            for term, tf in zip(terms.split(), tfs, strict=True):
                summed[term] = summed.get(term, 0.0) + lunr_index.score(self.idf[term], tf, norm, boost)
        return [(t, repr(round(w, 3))) for t, w in summed.items() if t not in self.dropped]

    def score(self, docs: list[tuple[FieldTerms, ...]]) -> None:
        """The postings of the next rows (after every document was counted), joined into each term's text."""
        if not self.idf:  # the first chunk: the statistics are complete
            self.idf = {t: lunr_index.idf(n, self.rows) for t, n in self.with_term.items()}
            self.average = [total / (self.rows or 1) for total in self.totals]
            self.rows = 0
        chunk: dict[str, list[Any]] = {}  # term → [row, weight, row, weight, …] in this chunk
        # Like documents (a province's copy of a national procedure) score alike: score each once.
        known: dict[tuple[FieldTerms, ...], list[tuple[str, str]]] = {}
        for row, doc in enumerate(docs, start=self.rows):
            scored = known.get(doc)
            if scored is None:
                scored = known[doc] = self.weights(doc)
            for term, weight in scored:
                flat = chunk.get(term)
                if flat is None:
                    chunk[term] = [row, weight]
                else:
                    flat.append(row)
                    flat.append(weight)
        self.rows += len(docs)
        for term, flat in chunk.items():
            rows = flat[0::2]
            gaps = map(operator.sub, rows, [self.last.get(term, 0), *rows[:-1]])
            table = self.tables.get(term)
            if table is None:
                table = self.tables[term] = _Weights()
            self.text.setdefault(term, []).append(encoded(gaps, map(table.__getitem__, flat[1::2])))
            self.last[term] = rows[-1]

    def pieces(self, folder: str) -> dict[str, bytes]:
        """One file per term key: term → ["gaps and weight places", weight, …], as _pieces writes it."""
        grouped: dict[str, list[str]] = {}
        for term in sorted(self.text):
            value = ",".join(['"' + "".join(self.text[term]) + '"', *self.tables[term].table])
            grouped.setdefault(term_key(term), []).append(f'"{term}":[{value}]')
        return {f"{SEARCH_DIR}{folder}/{key}.json": ("{" + ",".join(terms) + "}").encode("utf-8")
                for key, terms in grouped.items()}


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
        search_dir=SEARCH_DIR,
        meta_file=META_FILE,
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

