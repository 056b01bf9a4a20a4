"""The YAML loader: positions, duplicate keys, tags, limits, encodings, and never a traceback."""

from __future__ import annotations

import datetime as dt
import unicodedata

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.source import MAX_NODES, load_bytes, looks_legacy


def test_bom_and_crlf_are_accepted() -> None:
    doc = load_bytes(b"\xef\xbb\xbfname: A\r\ncode: '1.000001'\r\n", "x.yaml")
    assert doc.problems == []
    assert doc.data == {"name": "A", "code": "1.000001"}


def test_text_is_normalised_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Đăng ký kết hôn")
    doc = load_bytes(f"name: {decomposed}\n".encode(), "x.yaml")
    assert doc.data["name"] == "Đăng ký kết hôn"
    assert unicodedata.is_normalized("NFC", doc.data["name"])


def test_positions_point_at_keys_and_values() -> None:
    doc = load_bytes(b"a: 1\nb:\n  - x\n  - {c: 2}\n", "x.yaml")
    assert doc.position(("b", 1, "c")) == (4, 9)
    assert doc.position(("b", 1, "c"), key=True) == (4, 6)
    assert doc.position(("missing",)) == (1, 1)


def test_duplicate_key_is_reported_at_second_key() -> None:
    doc = load_bytes(b"a: 1\nb: 2\na: 3\n", "x.yaml")
    assert [(p.line, p.column, p.code) for p in doc.problems] == [(3, 1, "E101")]
    assert doc.data == {"a": 1, "b": 2}


def test_python_tags_are_refused_and_never_executed() -> None:
    doc = load_bytes(b"a: !!python/object/apply:os.system ['echo pwned']\n", "x.yaml")
    assert [p.code for p in doc.problems] == ["E102"]
    assert doc.data == {"a": None}


def test_custom_tags_are_refused() -> None:
    doc = load_bytes(b"a: !include other.yaml\n", "x.yaml")
    assert [p.code for p in doc.problems] == ["E102"]


def test_alias_expansion_is_bounded() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 7):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        levels.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    doc = load_bytes("\n".join(levels).encode(), "x.yaml")
    assert [p.code for p in doc.problems] == ["E104"]
    assert MAX_NODES < 10**7


def test_iso_dates_become_dates_and_impossible_dates_are_reported() -> None:
    doc = load_bytes(b"a: 2026-10-01\nb: 2026-13-45\n", "x.yaml")
    assert doc.data["a"] == dt.date(2026, 10, 1)
    assert [(p.line, p.code) for p in doc.problems] == [(2, "E206")]


def test_legacy_vietnamese_encodings_are_flagged() -> None:
    assert looks_legacy("§¨ng ký kÕt h«n")          # TCVN3
    assert looks_legacy("Ñaêng kyù keát hoân")       # VNI-Windows
    assert not looks_legacy("Đăng ký kết hôn")
    assert not looks_legacy("Nhiệt độ 5°C")          # one stray symbol is not mojibake


def test_a_list_at_the_top_is_data_for_the_caller_to_refuse() -> None:
    doc = load_bytes(b"- a\n- b\n", "x.yaml")
    assert doc.data == ["a", "b"] and doc.problems == []


def test_two_documents_in_one_file_are_refused() -> None:
    doc = load_bytes(b"a: 1\n---\nb: 2\n", "x.yaml")
    assert [(p.line, p.code) for p in doc.problems] == [(2, "E109")]


def test_deep_nesting_is_refused_without_a_recursion_error() -> None:
    doc = load_bytes(b"a: " + b"[" * 5000 + b"]" * 5000, "x.yaml")
    assert [(p.code, p.line) for p in doc.problems] == [("E104", 1)]


def test_nesting_past_our_limit_but_within_libyaml_is_refused_too() -> None:
    doc = load_bytes(b"a:\n  " + b"[" * 100 + b"]" * 100 + b"\n", "x.yaml")
    assert [(p.code, p.line) for p in doc.problems] == [("E104", 2)]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_loader(raw: bytes) -> None:
    doc = load_bytes(raw, "x.yaml")
    assert doc.data is not None or doc.problems


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30),
                     st.dates())
_values = st.recursive(_scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_arbitrary_yaml_round_trips_without_problems_or_crash(value: object) -> None:
    text = yaml.safe_dump({"v": value}, allow_unicode=True)
    doc = load_bytes(text.encode(), "x.yaml")
    assert all(p.code in {"E106"} for p in doc.problems)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"%@`#,? \n\tab1.")), max_size=200))
def test_yaml_punctuation_soup_never_crashes_the_loader(text: str) -> None:
    doc = load_bytes(text.encode(), "x.yaml")
    assert doc.data is not None or doc.problems
