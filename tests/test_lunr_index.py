"""lunr_index.build gives exactly the index lunr's own Builder gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from lunr.builder import Builder

from generator import lunr_index
from generator import search_index as si

CATALOGUE = Path(__file__).resolve().parents[1] / "catalogue"


def lunr_reference(docs: list[dict[str, str]], boosts: dict[str, int]) -> dict[str, Any]:
    """The index as the lunr package builds it, with the site's fold as its pipeline."""
    builder = Builder()
    builder.pipeline.add(si.fold_token)
    builder.search_pipeline.add(si.fold_token)
    builder.metadata_whitelist = []
    builder.ref("i")
    for name, boost in boosts.items():
        builder.field(name, boost=boost)
    for i, doc in enumerate(docs):
        builder.add({"i": str(i), **{k: v.split() for k, v in doc.items()}})
    result: dict[str, Any] = builder.build().serialize()
    return result


def ours(docs: list[dict[str, str]], boosts: dict[str, int]) -> dict[str, Any]:
    return lunr_index.build(({k: si._terms(v) for k, v in doc.items()} for doc in docs), boosts, [si.FOLD])


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def real_docs(count: int) -> list[dict[str, str]]:
    """Names, descriptions, results and steps of the first embedded procedures."""
    docs = []
    for path in sorted((CATALOGUE / "procedures").rglob("*.yaml"))[:count]:
        record = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        docs.append({
            "n": record["name"],
            "d": record.get("description") or "",
            "s": " ".join(record.get("steps") or []),
        })
    return docs


def test_index_of_real_procedures_equals_lunrs_own() -> None:
    boosts = {"n": 10, "d": 3, "s": 1}
    docs = real_docs(60)
    assert same(ours(docs, boosts), lunr_reference(docs, boosts))


def test_empty_fields_repeated_words_and_folded_variants_equal_lunrs_own() -> None:
    docs = [
        {"n": "Đăng ký khai sinh", "k": ""},
        {"n": "", "k": "kí kí ký KÝ quí quy"},
        {"n": "Cấp bản sao 1.001193 50.000 đồng", "k": "hộ tịch — hộ-tịch"},
        {"n": "đăng ký đăng ký đăng ký", "k": "ĐĂNG KÝ"},
    ]
    assert same(ours(docs, si.PRIMARY_FIELDS), lunr_reference(docs, si.PRIMARY_FIELDS))


WORDS = st.sampled_from(["đăng", "ký", "kí", "khai", "sinh", "hộ", "tịch", "1.001", "50.000", "Y", "quí", "-", "x"])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.fixed_dictionaries({"n": st.lists(WORDS, max_size=8).map(" ".join),
                                       "k": st.lists(WORDS, max_size=5).map(" ".join)}),
                min_size=1, max_size=12))
def test_any_small_set_of_documents_gives_lunrs_own_index(docs: list[dict[str, str]]) -> None:
    assert same(ours(docs, si.PRIMARY_FIELDS), lunr_reference(docs, si.PRIMARY_FIELDS))


def test_no_documents_gives_an_empty_index_instead_of_an_error() -> None:
    index = lunr_index.build([], si.PRIMARY_FIELDS, [si.FOLD])
    assert (index["fieldVectors"], index["invertedIndex"], index["fields"]) == ([], [], ["n", "k"])
