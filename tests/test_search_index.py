"""The search index: folding, the prebuilt lunr indexes, the summary store and the finder page."""

from __future__ import annotations

import datetime as dt
import json
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


def test_both_indexes_name_the_fold_as_their_search_pipeline_and_load_in_python(fixture_catalogue: Catalogue) -> None:
    files = si.search_files(fixture_catalogue)
    for data in (load(files[si.INDEX_FILE])["index"], load(files[si.DETAIL_FILE])["index"]):
        assert data["pipeline"] == [si.FOLD]
        assert data["version"] == __TARGET_JS_VERSION__
        Index.load(data)


def test_the_first_index_holds_folded_name_terms_without_positions(fixture_catalogue: Catalogue) -> None:
    index = load(si.search_files(fixture_catalogue)[si.INDEX_FILE])["index"]
    postings = dict(index["invertedIndex"])
    assert {"dang", "ki", "khai", "sinh", "chieu"} <= postings.keys()
    assert "ky" not in postings and "ký" not in postings
    assert all(term.isascii() for term in postings)
    row = [code for code, *_ in load(si.search_files(fixture_catalogue)[si.INDEX_FILE])["store"]["docs"]].index("1.001193")
    assert postings["ki"]["n"] == [row]  # refs as a sorted array: lunr's {ref: {}} with nothing in {}


def test_lunr_shape_restores_lunrs_own_postings(fixture_catalogue: Catalogue) -> None:
    index = load(si.search_files(fixture_catalogue)[si.INDEX_FILE])["index"]
    shaped = dict(si.lunr_shape(index)["invertedIndex"])
    assert shaped["ki"] == {"_index": dict(index["invertedIndex"])["ki"]["_index"], "n": {"1": {}}, "k": {}}


def test_an_index_query_by_folded_words_finds_the_procedure_in_python(fixture_catalogue: Catalogue) -> None:
    index = Index.load(si.lunr_shape(load(si.search_files(fixture_catalogue)[si.INDEX_FILE])["index"]))
    store = load(si.search_files(fixture_catalogue)[si.INDEX_FILE])["store"]
    hits = index.search("dang ki khai sinh")
    assert store["docs"][int(hits[0]["ref"])][0] == "1.001193"


def test_a_synonym_adds_its_terms_where_its_meaning_occurs_as_whole_folded_words() -> None:
    synonyms = [Synonym(terms=["sổ hộ khẩu"], means=["cư trú", "thường trú"]), Synonym(terms=["CCCD"], means=["căn cước"])]
    assert si.synonym_terms("Đăng ký THUONG TRU tại Công an xã", synonyms) == ["sổ hộ khẩu"]
    assert si.synonym_terms("Cấp thẻ Căn cước", synonyms) == ["CCCD"]
    assert si.synonym_terms("Đăng ký khai sinh", synonyms) == []
    assert si.synonym_terms("Thường trực", synonyms) == []  # 'thường' alone is not 'thường trú'


def test_the_embedded_synonyms_let_a_citizens_word_find_the_procedure() -> None:
    catalogue = load_catalogue(EMBEDDED)
    assert catalogue.synonyms, "catalogue/synonyms.yaml is loaded"
    index = Index.load(si.lunr_shape(load(si.search_files(catalogue)[si.INDEX_FILE])["index"]))
    docs = load(si.search_files(catalogue)[si.INDEX_FILE])["store"]["docs"]
    for query, word in (("cccd", "căn cước"), ("so ho khau", "trú"), ("giay doc than", "tình trạng hôn nhân")):
        first = docs[int(index.search(query)[0]["ref"])][1].lower()
        assert word in first, (query, first)


def test_description_outweighs_steps_in_the_detail_index() -> None:
    c = catalogue_of(
        procedure("1.000001", "Thủ tục A", steps=["Nộp hồ sơ kết hôn tại xã."]),
        procedure("1.000002", "Thủ tục B", description="Đăng ký kết hôn tại xã."),
    )
    hits = Index.load(si.lunr_shape(load(si.search_files(c)[si.DETAIL_FILE])["index"])).search("hon")
    assert [h["ref"] for h in hits] == ["1", "0"]


def test_words_in_most_procedures_steps_leave_the_detail_index_and_are_listed() -> None:
    count = si.COMMON_MIN_PROCEDURES
    c = catalogue_of(*[procedure(f"1.{i:06d}", f"Thủ tục {i}", steps=[f"Nộp hồ sơ bước {i % 3}"]) for i in range(count)])
    detail = load(si.search_files(c)[si.DETAIL_FILE])
    terms = dict(detail["index"]["invertedIndex"])
    assert detail["common"] == ["buoc", "ho", "nop", "so"]
    assert not set(detail["common"]) & terms.keys()
    assert terms["0"]["s"] == list(range(0, count, 3))  # "bước 0": a third of them, kept
    kept = {posting["_index"] for posting in terms.values()}
    assert all(vector[::2] and set(vector[::2]) <= kept for _, vector in detail["index"]["fieldVectors"])
    Index.load(detail["index"])


def test_a_small_catalogue_keeps_every_detail_term() -> None:
    c = catalogue_of(procedure("1.000001", "A", steps=["Nộp hồ sơ"]), procedure("1.000002", "B", steps=["Nộp hồ sơ"]))
    detail = load(si.search_files(c)[si.DETAIL_FILE])
    assert detail["common"] == [] and "nop" in dict(detail["index"]["invertedIndex"])


def test_name_boost_outweighs_every_detail_field() -> None:
    assert min(si.PRIMARY_FIELDS.values()) > max(si.DETAIL_FIELDS.values())
    assert si.DETAIL_FIELDS["d"] > si.DETAIL_FIELDS["s"]


def test_the_same_catalogue_gives_the_same_bytes(fixture_catalogue: Catalogue) -> None:
    assert si.search_files(fixture_catalogue) == si.search_files(fixture_catalogue)


def test_the_first_file_stays_small_per_procedure() -> None:
    c = catalogue_of(*[procedure(f"1.{i:06d}", f"Đăng ký hoạt động số {i} của văn phòng") for i in range(200)])
    assert len(si.search_files(c)[si.INDEX_FILE]) / 200 < 600


# ---------------------------------------------------------------- store


def test_store_rows_follow_code_order_and_name_agency_field_level(fixture_catalogue: Catalogue) -> None:
    store = load(si.search_files(fixture_catalogue)[si.INDEX_FILE])["store"]
    assert [row[0] for row in store["docs"]] == [p.code for p in fixture_catalogue.procedures]
    row = store["docs"][1]
    assert row[:2] == ["1.001193", "Đăng ký khai sinh"]
    assert store["agencies"][row[2]] == ["ubnd-xa", "Ủy ban nhân dân cấp xã"]
    assert store["fields"][row[3]] == ["ho-tich", "Hộ tịch"]
    assert row[4] == 4
    assert store["url"] == "thu-tuc/{code}/"


def test_channels_and_the_postal_flag_become_channel_bits(fixture_catalogue: Catalogue) -> None:
    birth = fixture_catalogue.by_code["1.001193"]
    passport = fixture_catalogue.by_code["1.000001"]
    assert si.channel_mask(birth) == 1 | 2 | 4  # online, in person, and postal: true
    assert si.channel_mask(passport) == 2


def test_subjects_become_bits_in_enum_order(fixture_catalogue: Catalogue) -> None:
    assert si.subject_mask(fixture_catalogue.by_code["1.001193"]) == 1
    assert si.subject_mask(fixture_catalogue.by_code["1.000001"]) == 0


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
    assert 'data-index="../search/index.json"' in html
    scripts = [s.split('"')[1] for s in html.split("<script src=")[1:]]
    assert scripts == ["../assets/search/lunr.min.js", "../assets/search/fold.js", "../assets/search/finder.js"]


def test_served_lunr_is_the_version_the_python_package_writes() -> None:
    assets = si.search_asset_files()
    assert sorted(assets) == sorted(f"assets/search/{n}" for n in si.ASSETS)
    assert f'e.version="{__TARGET_JS_VERSION__}"' in assets["assets/search/lunr.min.js"].decode()


def test_the_docs_note_names_the_fold_the_thresholds_and_the_benchmark() -> None:
    note = (Path(__file__).parent.parent / "docs" / "dong-gop" / "tra-cuu.md").read_text(encoding="utf-8")
    assert f"**`{si.FOLD}`**" in note
    assert "tests/fixtures/search_cases.json" in note and "bench/search_bench.py" in note
    assert "hơn một nửa" in note and si.COMMON_SHARE == 0.5
    assert "Plugin `search` của Material for MkDocs **không bật**" in note
