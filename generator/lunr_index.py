"""lunr's search index, computed as lunr's Builder computes it, without its per-word objects.

The Python `lunr` package makes a Token, a deep-copied metadata dict and a
pipeline call for every word it indexes; at 10,000 procedures that was the
largest single cost of a site build. `build()` does the same arithmetic on
plain strings — terms numbered in order of first appearance, lunr's BM25
(k1 1.2, b 0.75) with its idf, scores rounded to three places — and returns
exactly what `lunr.Builder(...).build().serialize()` returns for the same
terms with an empty metadata whitelist. tests/test_lunr_index.py holds it to
that, key for key and number for number, against lunr itself.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from lunr import __TARGET_JS_VERSION__

K1 = 1.2  # lunr's defaults (Builder._k1, Builder._b)
B = 0.75


def build(docs: Iterable[dict[str, list[str]]], boosts: dict[str, int], pipeline: list[str]
          ) -> dict[str, Any]:
    """The serialised index of `docs` (refs are row numbers as strings).

    Each doc maps a field to its terms, already through the pipeline;
    `pipeline` names the search pipeline's functions, as lunr records them.
    """
    fields = list(boosts)
    postings: dict[str, dict[str, Any]] = {}
    rows: list[tuple[str, str, Counter[str], int]] = []  # field ref, field, term counts, length
    for row, doc in enumerate(docs):
        ref = str(row)
        for name in fields:
            terms = doc.get(name, [])
            counts = Counter(terms)  # keeps the order of first appearance, as lunr's dict does
            rows.append((f"{name}/{ref}", name, counts, len(terms)))
            for term in counts:
                posting = postings.get(term)
                if posting is None:
                    posting = postings[term] = {field: {} for field in fields}
                    posting["_index"] = len(postings) - 1
                posting[name][ref] = {}
    count = len(rows) // len(fields) if fields else 0
    return {
        "version": __TARGET_JS_VERSION__,
        "fields": fields,
        "fieldVectors": _vectors(rows, postings, boosts, count),
        "invertedIndex": [[term, postings[term]] for term in sorted(postings)],
        "pipeline": list(pipeline),
    }


def _vectors(rows: list[tuple[str, str, Counter[str], int]], postings: dict[str, dict[str, Any]],
             boosts: dict[str, int], count: int) -> list[list[Any]]:
    """One [field ref, [term index, score, …]] per document field, in lunr's order."""
    totals = dict.fromkeys(boosts, 0)
    for _, name, _, length in rows:
        totals[name] += length
    average = {name: total / (count or 1) for name, total in totals.items()}
    idf: dict[str, float] = {}
    vectors: list[list[Any]] = []
    for field_ref, name, counts, length in rows:
        if not counts:  # lunr divides by the average length only for a field with terms
            vectors.append([field_ref, []])
            continue
        norm = field_norm(length, average[name])
        boost = boosts[name]
        elements: list[tuple[int, float]] = []
        for term, tf in counts.items():
            weight = idf.get(term)
            if weight is None:
                weight = idf[term] = _idf(postings[term], count)
            elements.append((postings[term]["_index"], score(weight, tf, norm, boost)))
        elements.sort()
        vectors.append([field_ref, [x for pair in elements for x in pair]])
    return vectors


def _idf(posting: dict[str, Any], count: int) -> float:
    return idf(sum(len(refs) for key, refs in posting.items() if key != "_index"), count)


# The arithmetic itself, in lunr's order of operations (a float's last bit
# depends on it): search_index scores its streamed postings with these too.


def idf(with_term: int, count: int) -> float:
    """lunr's idf: `with_term` counts the documents holding the term once per field that holds it."""
    x = (count - with_term + 0.5) / (with_term + 0.5)
    return math.log(1 + abs(x))


def field_norm(length: int, average: float) -> float:
    """BM25's length normalisation of one document field."""
    return K1 * (1 - B + B * (length / average))


def score(weight: float, tf: int, norm: float, boost: int) -> float:
    """A term's rounded score in one document field: idf `weight`, `tf` occurrences."""
    value = weight * ((K1 + 1) * tf) / (norm + tf)
    value *= boost  # lunr also multiplies by the document's boost, which is 1 for every document here
    return round(value, 3)
