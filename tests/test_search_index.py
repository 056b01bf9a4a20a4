"""The search index: folding, the prebuilt index in pieces, the summary rows and the finder page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lunr import __TARGET_JS_VERSION__
from lunr.index import Index
from lunr.pipeline import Pipeline

from generator import search_index as si
from generator.catalogue import Catalogue, Located
from generator.models import Agency, FieldOfWork, Procedure, Synonym, Tier
from generator.validate import validate

from .catalogues import EMBEDDED
from .catalogues import load as load_catalogue

FIXTURES = Path(__file__).parent / "fixtures"
CASES = json.loads((FIXTURES / "search_cases.json").read_text(encoding="utf-8"))


def procedure(code: str, name: str, **extra: Any) -> Procedure:
    data: dict[str, Any] = {
        "code": code, "name": name, "agency": "bo-tu-phap", "tiers": ["bo"], "field": "ho-tich",
        "service_level": 3, "updated": dt.date(2026, 7, 1),
    }
    return Procedure.model_validate(data | extra)


def catalogue_of(*procedures: Procedure) -> Catalogue:
    c = Catalogue(
        root=Path(),
        agencies={
            "bo-tu-phap": Agency(id="bo-tu-phap", name="Bộ Tư pháp", tier=Tier.BO),
            "bo-cong-an": Agency(id="bo-cong-an", name="Bộ Công an <b>", tier=Tier.BO),
        },
        fields={"ho-tich": FieldOfWork(id="ho-tich", name="Hộ tịch"),
                "xuat-nhap-canh": FieldOfWork(id="xuat-nhap-canh", name="Xuất nhập cảnh")},
        life_events={},
    )
    for p in procedures:
        c.add(Located(p, f"procedures/{p.code}.yaml", 1, 1))
    c.finish()
    return c


@pytest.fixture(scope="module")
def fixture_catalogue() -> Catalogue:
    catalogue, problems = validate(FIXTURES / "valid" / "catalogue")
    assert catalogue is not None, problems
    return catalogue


def load(data: bytes) -> Any:
    return json.loads(data.decode("utf-8"))


def index_of(files: dict[str, bytes], folder: str) -> dict[str, list[tuple[int, float]]]:
    """Term → [(row, weight)] over every piece of one index folder (p: names and keywords, d: detail)."""
    found: dict[str, list[tuple[int, float]]] = {}
    prefix = f"{si.SEARCH_DIR}{folder}/"
    for name, data in files.items():
        if name.startswith(prefix):
            for term, value in load(data).items():
                posting = si.decode_posting(value)
                assert si.term_key(term) == name[len(prefix):-len(".json")]
                found[term] = posting
    return found


def rows_of(files: dict[str, bytes]) -> list[list[Any]]:
    """Every summary row, in row order."""
    count = load(files[si.META_FILE])["count"]
    pieces = [load(files[f"{si.SEARCH_DIR}{si.ROWS_DIR}/{n}.json"]) for n in range(-(-count // si.ROWS_PER_PIECE))]
    return [row for piece in pieces for row in piece]


def found(files: dict[str, bytes], query: str, folders: tuple[str, ...] = ("p", "d")) -> list[str]:
    """Codes holding every folded word, best first (as the finder ranks whole words)."""
    indexes = [index_of(files, f) for f in folders]
    scores: dict[int, float] = {}
    held: set[int] | None = None
    for term in si.fold(query):
        rows = {r: w for index in indexes for r, w in index.get(term, [])}
        held = set(rows) if held is None else held & set(rows)
        for r, w in rows.items():
            scores[r] = scores.get(r, 0) + w
    codes = [row[0] for row in rows_of(files)]
    return [codes[r] for r in sorted(held or (), key=lambda r: (-scores[r], r))]


# ---------------------------------------------------------------- folding


@pytest.mark.parametrize("case", CASES["fold"], ids=[c["why"] for c in CASES["fold"]])
def test_fold_gives_the_terms_of_the_shared_table(case: dict[str, Any]) -> None:
    assert si.fold(case["text"]) == case["terms"]


@given(st.text())
def test_folding_folded_terms_changes_nothing(text: str) -> None:
    terms = si.fold(text)
    assert si.fold(" ".join(terms)) == terms


@given(st.text())
def test_folded_terms_are_plain_ascii_letters_digits_and_inner_dots(text: str) -> None:
    for term in si.fold(text):
        assert term and term.isascii() and term.strip(".") == term


def test_the_fold_is_registered_under_the_name_the_javascript_side_uses() -> None:
    assert si.FOLD == "vi-fold"
    assert Pipeline.registered_functions[si.FOLD] is si.fold_token
    assert f'var NAME = "{si.FOLD}";' in (si.resources.files("generator") / "assets/search/fold.js").read_text()


# ---------------------------------------------------------------- indexes


def lunr_indexes(c: Catalogue) -> list[dict[str, Any]]:
    procedures = [c.full(p.code) for p in si.rows_in_order(c)]
    return [si.build_index((si.primary_fields(p, c.synonyms) for p in procedures), si.PRIMARY_FIELDS),
            si.build_index(map(si.detail_fields, procedures), si.DETAIL_FIELDS)]


def test_both_indexes_name_the_fold_as_their_search_pipeline_and_load_in_python(fixture_catalogue: Catalogue) -> None:
    for data in lunr_indexes(fixture_catalogue):
        assert data["pipeline"] == [si.FOLD]
        assert data["version"] == __TARGET_JS_VERSION__
        Index.load(data)


def test_the_first_index_holds_folded_name_terms_without_positions(fixture_catalogue: Catalogue) -> None:
    files = si.search_files(fixture_catalogue)
    postings = index_of(files, si.PRIMARY_DIR)
    assert {"dang", "ki", "khai", "sinh", "chieu"} <= postings.keys()
    assert "ky" not in postings and "ký" not in postings
    assert all(term.isascii() for term in postings)
    row = [code for code, *_ in rows_of(files)].index("1.001193")
    assert [r for r, _ in postings["ki"]] == [row]


def test_a_pieces_weight_is_lunrs_bm25_weight_summed_over_the_fields(fixture_catalogue: Catalogue) -> None:
    primary = lunr_indexes(fixture_catalogue)[0]
    weights = si.postings(primary)
    terms = {posting["_index"]: term for term, posting in primary["invertedIndex"]}
    expected: dict[tuple[str, int], float] = {}
    for ref, elements in primary["fieldVectors"]:
        for i in range(0, len(elements), 2):
            key = (terms[elements[i]], int(ref.split("/")[1]))
            expected[key] = expected.get(key, 0) + elements[i + 1]
    assert {(t, r): w for t, rows in weights.items() for r, w in rows} == pytest.approx(expected, abs=1e-3)


def test_the_finder_keys_terms_to_pieces_as_the_build_does() -> None:
    script = (si.resources.files("generator") / "assets/search/finder.js").read_text()
    assert f"var KEY_CHARS = {si.KEY_CHARS};" in script
    assert si.term_key("dang") == "da" and si.term_key("1.001193") == "1_"


def test_lunr_shape_restores_lunrs_own_postings(fixture_catalogue: Catalogue) -> None:
    index = lunr_indexes(fixture_catalogue)[0]
    shaped = dict(si.lunr_shape(index)["invertedIndex"])
    row = str(next(i for i, p in enumerate(si.rows_in_order(fixture_catalogue)) if p.code == "1.001193"))
    assert shaped["ki"] == {"_index": dict(index["invertedIndex"])["ki"]["_index"], "n": {row: {}}, "k": {}}


def test_an_index_query_by_folded_words_finds_the_procedure(fixture_catalogue: Catalogue) -> None:
    files = si.search_files(fixture_catalogue)
    assert found(files, "dang ki khai sinh")[0] == "1.001193"
    index = Index.load(si.lunr_shape(lunr_indexes(fixture_catalogue)[0]))  # lunr itself agrees
    assert si.rows_in_order(fixture_catalogue)[int(index.search("dang ki khai sinh")[0]["ref"])].code == "1.001193"


def test_meta_lists_exactly_the_pieces_written(fixture_catalogue: Catalogue) -> None:
    files = si.search_files(fixture_catalogue)
    meta = load(files[si.META_FILE])
    for folder in (si.PRIMARY_DIR, si.DETAIL_DIR, si.CODES_DIR):
        written = {n.split("/")[-1].removesuffix(".json") for n in files if n.startswith(f"search/{folder}/")}
        assert set(meta["pieces"][folder]) == written
    codes = {code: row for n in files if n.startswith("search/c/") for code, row in load(files[n]).items()}
    assert {codes[r[0]]: r[0] for r in rows_of(files)} == dict(enumerate(r[0] for r in rows_of(files)))
    assert meta["count"] == len(rows_of(files)) == len(fixture_catalogue.procedures)


def test_a_filter_piece_holds_the_rows_of_the_procedures_that_choice_keeps(fixture_catalogue: Catalogue) -> None:
    files = si.search_files(fixture_catalogue)
    meta = load(files[si.META_FILE])
    rows = [fixture_catalogue.full(p.code) for p in si.rows_in_order(fixture_catalogue)]
    for param, values in meta["filters"].items():
        for value in values:
            kept = list(itertools.accumulate(load(files[f"search/f/{param}/{value}.json"])))
            assert kept == [r for r, p in enumerate(rows) if value in si.filter_values(p)[param]], (param, value)
    assert "1" in meta["filters"]["mien-phi"] or not any(si.is_free(p) for p in rows)


def test_a_synonym_adds_its_terms_where_its_meaning_occurs_as_whole_folded_words() -> None:
    synonyms = [Synonym(terms=["sổ hộ khẩu"], means=["cư trú", "thường trú"]), Synonym(terms=["CCCD"], means=["căn cước"])]
    assert si.synonym_terms("Đăng ký THUONG TRU tại Công an xã", synonyms) == ["sổ hộ khẩu"]
    assert si.synonym_terms("Cấp thẻ Căn cước", synonyms) == ["CCCD"]
    assert si.synonym_terms("Đăng ký khai sinh", synonyms) == []
    assert si.synonym_terms("Thường trực", synonyms) == []  # 'thường' alone is not 'thường trú'


def test_the_embedded_synonyms_let_a_citizens_word_find_the_procedure() -> None:
    catalogue = load_catalogue(EMBEDDED)
    assert catalogue.synonyms, "catalogue/synonyms.yaml is loaded"
    files = si.search_files(catalogue)
    for query, word in (("cccd", "căn cước"), ("so ho khau", "trú"), ("giay doc than", "tình trạng hôn nhân")):
        first = catalogue.by_code[found(files, query, ("p",))[0]].name.lower()
        assert word in first, (query, first)


def test_description_outweighs_steps_in_the_detail_index() -> None:
    c = catalogue_of(
        procedure("1.000001", "Thủ tục A", steps=["Nộp hồ sơ kết hôn tại xã."]),
        procedure("1.000002", "Thủ tục B", description="Đăng ký kết hôn tại xã."),
    )
    assert found(si.search_files(c), "hon", ("d",)) == ["1.000002", "1.000001"]


def test_words_in_most_procedures_steps_leave_the_detail_index_and_are_listed() -> None:
    count = si.COMMON_MIN_PROCEDURES
    c = catalogue_of(*[procedure(f"1.{i:06d}", f"Thủ tục {i}", steps=[f"Nộp hồ sơ bước {i % 3}"]) for i in range(count)])
    files = si.search_files(c)
    common, terms = load(files[si.META_FILE])["common"], index_of(files, si.DETAIL_DIR)
    assert common == ["buoc", "ho", "nop", "so"]
    assert not set(common) & terms.keys()
    codes = [row[0] for row in rows_of(files)]
    assert sorted(codes[r] for r, _ in terms["0"]) == [f"1.{i:06d}" for i in range(0, count, 3)]  # "bước 0": kept


def test_a_small_catalogue_keeps_every_detail_term() -> None:
    c = catalogue_of(procedure("1.000001", "A", steps=["Nộp hồ sơ"]), procedure("1.000002", "B", steps=["Nộp hồ sơ"]))
    files = si.search_files(c)
    assert load(files[si.META_FILE])["common"] == [] and "nop" in index_of(files, si.DETAIL_DIR)


def test_name_boost_outweighs_every_detail_field() -> None:
    assert min(si.PRIMARY_FIELDS.values()) > max(si.DETAIL_FIELDS.values())
    assert si.DETAIL_FIELDS["d"] > si.DETAIL_FIELDS["s"]


def test_the_same_catalogue_gives_the_same_bytes(fixture_catalogue: Catalogue) -> None:
    assert si.search_files(fixture_catalogue) == si.search_files(fixture_catalogue)


def test_what_the_finder_loads_first_does_not_grow_with_the_catalogue() -> None:
    def meta_size(count: int) -> int:
        c = catalogue_of(*[procedure(f"1.{i:06d}", f"Đăng ký hoạt động số {i} của văn phòng") for i in range(count)])
        return len(si.search_files(c)[si.META_FILE])

    assert meta_size(2000) < meta_size(200) + 1000  # tables and piece names, not a row per procedure


def test_a_piece_of_rows_holds_at_most_its_share() -> None:
    c = catalogue_of(*[procedure(f"1.{i:06d}", f"Thủ tục {i}") for i in range(100)])
    pieces = [load(d) for n, d in si.search_files(c).items() if n.startswith("search/r/")]
    assert len(pieces) == 4 and all(len(p) <= si.ROWS_PER_PIECE for p in pieces)


# ---------------------------------------------------------------- store


def test_rows_follow_folded_name_order_and_give_name_agency_field_level(fixture_catalogue: Catalogue) -> None:
    files = si.search_files(fixture_catalogue)
    store, rows = load(files[si.META_FILE]), rows_of(files)
    names = [si.fold_text(row[1]) for row in rows]
    assert names == sorted(names) and len(rows) == len(fixture_catalogue.procedures)
    row = next(r for r in rows if r[0] == "1.001193")
    assert row[:2] == ["1.001193", "Đăng ký khai sinh"]
    assert store["agencies"][row[2]] == ["ubnd-xa", "Ủy ban nhân dân cấp xã"]
    assert store["fields"][row[3]] == ["ho-tich", "Hộ tịch"]
    assert row[4] == 4
    assert store["url"] == "thu-tuc/{code}/"


def test_channels_and_the_postal_flag_become_channel_bits(fixture_catalogue: Catalogue) -> None:
    birth = fixture_catalogue.full("1.001193")
    passport = fixture_catalogue.full("1.000001")
    assert si.channel_mask(birth) == 1 | 2 | 4  # online, in person, and postal: true
    assert si.channel_mask(passport) == 2


def test_subjects_become_bits_in_enum_order(fixture_catalogue: Catalogue) -> None:
    assert si.subject_mask(fixture_catalogue.full("1.001193")) == 1
    assert si.subject_mask(fixture_catalogue.full("1.000001")) == 0


def test_free_only_when_fees_are_stated_and_all_zero() -> None:
    zero = {"kind": "le-phi", "amount": 0}
    assert si.is_free(procedure("1.000001", "A", channels=[{"kind": "truc-tuyen", "fees": [zero]}])) is True
    assert si.is_free(procedure("1.000001", "A", channels=[{"kind": "truc-tuyen"}])) is None
    paid = {"kind": "phi", "amount": 0, "max_amount": 50_000}
    assert si.is_free(procedure("1.000001", "A", channels=[{"kind": "truc-tuyen", "fees": [zero, paid]}])) is False


@pytest.mark.parametrize(("fees", "text"), [
    ([], ""),
    ([{"amount": 0}], "Miễn phí"),
    ([{"amount": 200_000}], "200.000 đồng"),
    ([{"amount": 0}, {"amount": 50_000, "max_amount": 1_000_000}], "0 – 1.000.000 đồng"),
    ([{"amount": 200_000}, {"amount": 10, "currency": "USD"}], "200.000 đồng; 10 USD"),
])
def test_fee_summary_reads_as_a_citizen_expects(fees: list[dict[str, Any]], text: str) -> None:
    p = procedure("1.000001", "A", channels=[{"kind": "truc-tiep", "fees": fees}])
    assert si.fee_summary(p) == text


@pytest.mark.parametrize(("times", "text"), [
    ([], ""),
    ([{"value": 3, "unit": "working_days"}], "3 ngày làm việc"),
    ([{"value": 5, "max_value": 7, "unit": "days"}], "5 – 7 ngày"),
    ([{"value": 1.5, "unit": "months"}], "1,5 tháng"),
    ([{"unit": "same_day"}, {"value": 3, "unit": "working_days"}], "Tùy cách nộp: Trong ngày / 3 ngày làm việc"),
    ([{"note": "Theo quy định"}], ""),
])
def test_time_summary_gives_the_figure_or_nothing(times: list[dict[str, Any]], text: str) -> None:
    kinds = ["truc-tuyen", "truc-tiep", "buu-chinh"]
    p = procedure("1.000001", "A", channels=[{"kind": k, "processing_time": t} for k, t in zip(kinds, times, strict=False)])
    assert si.time_summary(p) == text


# ---------------------------------------------------------------- finder page


def test_finder_page_labels_every_filter_and_offers_the_catalogues_choices(fixture_catalogue: Catalogue) -> None:
    html = si.finder_html(fixture_catalogue, "../")
    for name, control in [("q", "dm-finder-q"), ("co-quan", "dm-finder-agency"), ("linh-vuc", "dm-finder-field"),
                          ("muc-do", "dm-finder-level"), ("cach-nop", "dm-finder-channel"),
                          ("doi-tuong", "dm-finder-subject"), ("mien-phi", "dm-finder-free")]:
        assert f'name="{name}"' in html
        assert f'<label for="{control}">' in html
    assert '<option value="ubnd-xa">Ủy ban nhân dân cấp xã</option>' in html
    assert '<option value="cong-dan">Công dân Việt Nam</option>' in html
    assert 'value="nguoi-nuoc-ngoai"' not in html  # no procedure is for them: no dead choice


def test_finder_page_without_javascript_points_to_the_browse_pages(fixture_catalogue: Catalogue) -> None:
    html = si.finder_html(fixture_catalogue, "../")
    noscript = html.split("<noscript>")[1].split("</noscript>")[0]
    for href in ("../linh-vuc/", "../co-quan/", "../muc-do/"):
        assert f'href="{href}"' in noscript
    form_tag = html.split("<form")[1].split(">")[0]
    assert form_tag.endswith(" hidden")  # finder.js shows it; without JavaScript only the message shows


def test_finder_page_escapes_names_and_loads_only_local_scripts() -> None:
    c = catalogue_of(procedure("1.000001", "A", agency="bo-cong-an"))
    html = si.finder_html(c, "../")
    assert "Bộ Công an &lt;b&gt;" in html
    assert 'data-meta="../search/meta.json"' in html and 'data-search="../search/"' in html
    scripts = [s.split('"')[1] for s in html.split("<script src=")[1:]]
    assert scripts == ["../assets/search/fold.js", "../assets/search/finder.js"]
    assert sorted(si.search_asset_files()) == sorted(f"assets/search/{n}" for n in si.ASSETS)


def test_the_docs_note_names_the_fold_the_thresholds_and_the_benchmark() -> None:
    note = (Path(__file__).parent.parent / "docs" / "dong-gop" / "tra-cuu.md").read_text(encoding="utf-8")
    assert f"**`{si.FOLD}`**" in note
    assert "tests/fixtures/search_cases.json" in note and "bench/search_bench.py" in note
    assert "hơn một nửa" in note and si.COMMON_SHARE == 0.5
    assert "Plugin `search` của Material for MkDocs **không bật**" in note


# ---------------------------------------------------------------- entries, cache


def reference_pieces(c: Catalogue) -> tuple[dict[str, bytes], list[str]]:
    """The term pieces as lunr_index builds the whole index (checked against lunr itself), and the common terms."""
    procedures = [c.full(p.code) for p in si.rows_in_order(c)]
    primary, detail = lunr_indexes(c)
    common = si.drop_common_terms(detail, len(procedures))
    return si._pieces(si.PRIMARY_DIR, si.postings(primary)) | si._pieces(si.DETAIL_DIR, si.postings(detail)), common


def test_pieces_scored_from_entries_are_lunrs_index_cut_into_pieces() -> None:
    c = load_catalogue(EMBEDDED)  # 610 procedures: common detail terms are dropped
    files = si.search_files(c)
    pieces, common = reference_pieces(c)
    assert common and load(files[si.META_FILE])["common"] == common
    assert {n: d for n, d in files.items() if n.split("/")[1] in (si.PRIMARY_DIR, si.DETAIL_DIR)} == pieces


@given(st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 5000))))
def test_a_posting_string_gives_back_its_numbers_and_needs_no_json_escape(pairs: list[tuple[int, int]]) -> None:
    text = si.encoded((g for g, _ in pairs), (p for _, p in pairs))
    assert si._numbers(text) == [n for pair in pairs for n in pair]
    assert json.dumps(text) == f'"{text}"'


def test_a_posting_names_each_weight_once_in_its_table() -> None:
    table = {"dang": [(0, 1.5), (3, 2.25), (4, 1.5), (40, 1.5)]}
    value = load(si._pieces("p", table)["search/p/da.json"])["dang"]
    assert value[1:] == [1.5, 2.25] and si.decode_posting(value) == table["dang"]


@given(st.text(alphabet=st.sampled_from("aAyYđĐ.1 \t\u0301\u0303ýÝkKqQuUiİΣ-–"), max_size=40))
def test_a_fields_counted_terms_are_its_terms(text: str) -> None:
    length, terms, counts = si.field_terms(text)
    expected = Counter(si._terms(text))
    assert dict(zip(terms.split(), counts, strict=True)) == expected and length == sum(expected.values())


def test_entries_made_in_workers_give_the_bytes_made_here(monkeypatch: pytest.MonkeyPatch) -> None:
    c = load_catalogue(EMBEDDED)
    assert len(c.procedures) >= si.parallel.PARALLEL_MIN
    forked = si.search_files(c)
    monkeypatch.setattr(si.parallel, "PARALLEL_MIN", 10**9)
    assert si.search_files(c) == forked


def made_afresh(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The codes whose entries are made (not read from the cache) from now on."""
    made: list[str] = []
    fresh = si._fresh_blobs

    def counting(catalogue: Catalogue, codes: list[str]) -> dict[str, bytes]:
        made.extend(codes)
        return fresh(catalogue, codes)

    monkeypatch.setattr(si, "_fresh_blobs", counting)
    return made


def test_a_second_build_reads_every_entry_from_the_cache_and_an_edit_remakes_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c, path = load_catalogue(EMBEDDED), tmp_path / "search.sqlite"
    cold = si.search_files(c, cache_path=path)
    made = made_afresh(monkeypatch)
    assert si.search_files(c, cache_path=path) == cold and made == []
    code = c.procedures[5].code
    # A new digest, as an edit gives; the model is held, since the store keys models by digest.
    edited = dataclasses.replace(c, digests=c.digests | {code: "edited"}, held=c.held | {code: c.full(code)})
    assert si.search_files(edited, cache_path=path) == cold and made == [code]


def test_a_changed_synonym_list_misses_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c, path = load_catalogue(EMBEDDED), tmp_path / "search.sqlite"
    si.search_files(c, cache_path=path)
    made = made_afresh(monkeypatch)
    fewer = dataclasses.replace(c, synonyms=c.synonyms[1:])
    si.search_files(fewer, cache_path=path)
    assert len(made) == len(c.procedures) + len(c.retired)


def test_procedures_without_a_digest_are_never_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c, path = catalogue_of(procedure("1.000001", "Đăng ký khai sinh")), tmp_path / "search.sqlite"
    si.search_files(c, cache_path=path)
    made = made_afresh(monkeypatch)
    si.search_files(c, cache_path=path)
    assert made == ["1.000001"]
