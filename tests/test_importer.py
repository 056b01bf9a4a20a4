"""The national-portal importer, on real records copied from ../shared/data/dichvucong."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.importers import audit, channels, dichvucong, documents, legal, results
from generator.importers.directory import SUBJECTS, TIERS, Directory, split_labels
from generator.importers.text import clean, slugify
from generator.importers.writer import dump_yaml
from generator.models import (
    Category,
    ChannelKind,
    Currency,
    Document,
    Fee,
    ProcessingTime,
    Result,
    TimeUnit,
    category_of,
)
from generator.validate import validate

FIXTURES = Path(__file__).parent / "fixtures" / "dichvucong"
# The shared records beside the repository; DICHVUCONG_DATA points elsewhere (a worktree, CI).
DATA = Path(os.environ.get("DICHVUCONG_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data" /
                           "dichvucong"))
CATALOGUE = Path(__file__).resolve().parents[1] / "catalogue"


def record(code: str) -> dict[str, str]:
    path = next(FIXTURES.glob(f"*/{code}.json"))
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_usd_fee_per_unit_is_read_from_its_note() -> None:
    parsed = channels.parse(record("1.000807")["cach_thuc_thuc_hien"])
    assert [c.kind for c in parsed.items] == [ChannelKind.TRUC_TUYEN, ChannelKind.BUU_CHINH, ChannelKind.TRUC_TIEP]
    assert parsed.items[0].processing_time == ProcessingTime(value=5, unit=TimeUnit.DAYS)
    assert parsed.items[0].fees == [Fee(amount=10, currency=Currency.USD, per="giấy", note="10USD/giấy")]
    assert parsed.reviews == []


def test_per_page_fee_and_a_second_in_person_row_in_usd() -> None:
    parsed = channels.parse(record("2.000815")["cach_thuc_thuc_hien"])
    assert [c.kind for c in parsed.items] == [ChannelKind.TRUC_TIEP, ChannelKind.TRUC_TIEP]
    assert parsed.items[0].processing_time is None  # "Không có thông tin"
    assert parsed.items[0].fees == [Fee(amount=2000, per="trang", note="/trang")]
    assert parsed.items[1].fees == [Fee(amount=10, currency=Currency.USD, per="bản", note="/bản")]
    assert parsed.items[1].note == "Tại cơ quan đại diện: 10 USD/bản."


def test_free_fee_and_a_time_with_no_unit_is_kept_and_flagged() -> None:
    parsed = channels.parse(record("1.001193")["cach_thuc_thuc_hien"])
    assert [c.fees for c in parsed.items] == [[Fee(amount=0)]] * 3
    assert [c.processing_time for c in parsed.items] == [ProcessingTime(value=1)] * 3
    assert [r.field for r in parsed.reviews] == [f"channels[{i}].processing_time" for i in range(3)]
    assert parsed.reviews[0].original == "Trực tuyến1Miễn phí"
    assert (parsed.rows, parsed.flagged_rows) == (3, 3)


def test_time_and_fee_digits_run_together_are_not_guessed() -> None:
    parsed = channels.parse(record("1.004757")["cach_thuc_thuc_hien"])
    assert all(c.processing_time is None and c.fees == [] for c in parsed.items)
    assert parsed.reviews[0].original == "Trực tuyến1200 VNĐ"
    assert "dính liền" in parsed.reviews[0].reason


def test_fee_that_disagrees_with_its_note_is_kept_in_the_source_wording_and_flagged() -> None:
    parsed = channels.parse(record("1.001258")["cach_thuc_thuc_hien"])
    fee = parsed.items[1].fees[0]
    assert fee.amount is None and fee.source_text == "40,000 Việt Nam Đồng"
    # The online row's 40.000đ applied "đến hết ngày 31/12/2024": not a sure figure either.
    assert [r.field for r in parsed.reviews] == ["channels[0].fees", "channels[1].fees"]


def test_several_document_cases_with_counts_and_bullets_removed() -> None:
    parsed = documents.parse(record("1.001193")["thanh_phan_ho_so"])
    cases = parsed.cases.items
    assert [c.case for c in cases] == ["Giấy tờ phải nộp", "Giấy tờ phải xuất trình", "Lưu ý", None]
    assert cases[0].documents[4] == Document(
        name="Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm chứng xác nhận "
             "về việc sinh; nếu không có người làm chứng thì phải có giấy cam đoan về việc sinh.",
        originals=1)
    assert cases[3].documents[1].name.startswith("Tờ khai đăng ký khai sinh theo mẫu (nếu")  # NBSP-free, one space
    assert parsed.forms == []  # the record names no form code nor file
    assert parsed.cases.reviews == []


def test_documents_link_to_the_forms_they_name() -> None:
    parsed = documents.parse(record("1.000757")["thanh_phan_ho_so"])
    codes = {f.code for f in parsed.forms}
    assert "Mẫu DC02" in codes
    form_ids = {f.id for f in parsed.forms}
    linked = [d for c in parsed.cases.items for d in c.documents if d.form]
    assert linked and all(d.form in form_ids for d in linked)
    assert all(".doc" not in d.name for d in linked)  # attached file names are cut off the name


def test_original_and_copy_counts() -> None:
    parsed = documents.parse("--Tên giấy tờMẫu đơn, tờ khaiSố lượngBản sao hộ chiếu;0 bản chính,1 bản sao"
                             "Đơn xin thường trú;Mẫu-NA12.doc1 bản chính")
    docs = parsed.cases.items[0].documents
    assert [(d.name, d.originals, d.copies, d.form) for d in docs] == [
        ("Bản sao hộ chiếu;", 0, 1, None), ("Đơn xin thường trú;", 1, None, "don-xin-thuong-tru")]
    # An attached file with no readable code still makes a form, titled by the document.
    assert [(f.id, f.title, f.code) for f in parsed.forms] == [("don-xin-thuong-tru", "Đơn xin thường trú;", None)]


def test_legal_bases_split_where_the_number_ends() -> None:
    parsed = legal.parse(record("1.001193")["can_cu_phap_ly"])
    numbers = [b.number for b in parsed.items]
    assert numbers[:3] == ["85/2019/TT-BTC", "104/2022/NĐ-CP", "123/2015/NĐ-CP"]
    assert "60/2014/QH13" in numbers and "87/2020/NĐ-CP" in numbers and "03/2023/TT-BTP" in numbers
    assert parsed.items[2].issued is not None and parsed.items[2].issued.isoformat() == "2015-11-15"
    assert parsed.reviews == []


def test_results_lose_the_page_chrome() -> None:
    parsed = results.parse(record("1.001193")["ket_qua_xu_ly"])
    assert parsed.results.items == [Result(name="Giấy khai sinh", code="KQ.G15.000031")]
    assert parsed.keywords is None and parsed.description is None


def test_result_with_a_made_up_code_is_flagged() -> None:
    parsed = results.parse("Bản sao giao dịch được chứng thựcMã: dsfasTừ khóaKhông có thông tinMô tảKhông có thông tin")
    assert parsed.results.items == [Result(name="Bản sao giao dịch được chứng thực")]
    assert parsed.results.reviews[0].original == "Bản sao giao dịch được chứng thựcMã: dsfas"


def test_agency_lists_with_commas_inside_names() -> None:
    directory = Directory.load(CATALOGUE)
    assert directory.bodies("Cục cảnh sát quản lý hành chính về trật tự, xã hội, Công an tỉnh", []) == [
        "cuc-canh-sat-quan-ly-hanh-chinh-ve-trat-tu-xa-hoi", "cong-an-tinh"]
    assert directory.bodies("Ủy ban Nhân dân\xa0xã,\xa0phường,\xa0thị trấn.", []) == ["ubnd-xa"]
    assert directory.added == []
    assert split_labels("Tổ chức (không bao gồm doanh nghiệp, HTX), Doanh nghiệp", SUBJECTS) == (
        ["to-chuc", "doanh-nghiep"], "")
    assert split_labels("Cấp bộ, Cấp tỉnh", TIERS) == (["bo", "tinh"], "")


def test_a_body_met_for_the_first_time_becomes_an_agency_with_the_portal_spelling_and_tier() -> None:
    directory = Directory()
    assert directory.bodies("Sở Y tế, Bộ Y tế", ["tinh"]) == ["so-y-te", "bo-y-te"]
    assert directory.agencies["so-y-te"] == {"id": "so-y-te", "name": "Sở Y tế", "tier": "tinh"}
    assert directory.agencies["bo-y-te"]["tier"] == "bo"  # the name says so, before the record's tier
    assert "parent" not in directory.agencies["so-y-te"]  # no source gives one


def test_text_is_nfc_with_single_spaces_and_slugs_fold_diacritics() -> None:
    assert clean("Ủy ban\u00a0\u00a0Nhân dân ") == "Ủy ban Nhân dân"
    assert slugify("Thủ tục đăng ký khai sinh") == "thu-tuc-dang-ky-khai-sinh"
    assert slugify("Đổi giấy phép lái xe") == "doi-giay-phep-lai-xe"


def test_a_record_becomes_a_derived_level_3_procedure_with_its_capture_month() -> None:
    imported = dichvucong.Imported(directory=Directory.load(CATALOGUE))
    procedure = dichvucong.convert(record("1.001193"), out=imported, captured="2026-07")
    assert procedure.agency == "ubnd-xa"  # hand-checked in import/dichvucong.yaml: the steps name it
    assert procedure.service_level == 3 and procedure.service_level_derived
    assert procedure.online.postal is True and procedure.online.online_payment is None
    assert procedure.captured == "2026-07"
    assert "sinh-con" in procedure.life_events


@pytest.mark.parametrize("code", ["2.002189", "2.001428", "3.000285"])
def test_a_record_that_names_no_body_gets_no_agency_and_is_flagged(code: str) -> None:
    procedure = dichvucong.convert(record(code), out=dichvucong.Imported(directory=Directory.load(CATALOGUE)))
    assert procedure.agency is None and procedure.other_agencies == []
    assert "agency" in [r.field for r in procedure.review]
    assert dichvucong.file_names([procedure])[code].parts[:2] == ("procedures", "chua-ghi-co-quan")


def test_a_paragraph_in_the_agency_cell_is_not_taken_for_a_body() -> None:
    procedure = dichvucong.convert(record("2.000942"), out=dichvucong.Imported(directory=Directory.load(CATALOGUE)))
    assert procedure.agency is None
    assert next(r.reason for r in procedure.review if r.field == "agency").startswith("Ô cơ quan")


@pytest.mark.parametrize("code", ["1.012575", "1.002099"])
def test_toan_trinh_stated_in_the_record_is_a_stated_level_4(code: str) -> None:
    procedure = dichvucong.convert(record(code))
    assert procedure.service_level == 4 and not procedure.service_level_derived
    assert procedure.category.value == "toan-trinh"


def test_a_downloadable_form_alone_is_information_not_mot_phan() -> None:
    assert category_of(2) is Category.THONG_TIN and category_of(3) is Category.MOT_PHAN


def test_form_file_names_address_and_coordinating_bodies_are_kept() -> None:
    residence = dichvucong.convert(record("1.000253"))
    assert {n for f in residence.forms for n in f.file_names} == {"101-Mau A17 tam tru cho nguoi nuoc ngoai.doc"}
    passport = dichvucong.convert(record("1.001458"))
    assert passport.reception_address == "Cục Quản lý xuất nhập cảnh, Bộ Công an"
    assert dichvucong.convert(record("1.004845")).coordinating_agencies == ["Bộ Công an"]


def test_the_capture_month_comes_from_source_md_never_an_assumed_day(tmp_path: Path) -> None:
    (tmp_path / "SOURCE.md").write_text("610 records … captured\nin July 2026 by a crawler.", encoding="utf-8")
    assert dichvucong.captured_from_source([tmp_path]) == "2026-07"
    (tmp_path / "SOURCE.md").write_text("captured on 14 July 2026", encoding="utf-8")
    assert dichvucong.captured_from_source([tmp_path]) == "2026-07-14"


def test_yaml_is_in_the_canonical_fmt_form_with_the_schema_line_first() -> None:
    text = dump_yaml({"code": "1.001193", "tiers": ["xa"]}, "../../../schema/procedure.schema.json")
    assert text == ("# yaml-language-server: $schema=../../../schema/procedure.schema.json\n"
                    'code: "1.001193"\ntiers: [xa]\n')


def test_fixture_records_import_into_a_catalogue_that_validates(tmp_path: Path) -> None:
    imported = dichvucong.import_files([FIXTURES])
    assert len(imported.procedures) == len(list(FIXTURES.rglob("*.json"))) and imported.errors == []
    dichvucong.write_catalogue(imported, tmp_path)
    catalogue, problems = validate(tmp_path)
    assert catalogue is not None
    assert {p.code for p in problems} <= {"W400"}
    assert len(problems) == sum(len(p.review) for p in imported.procedures)


def test_a_broken_record_file_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "bo-tu-phap").mkdir()
    (tmp_path / "bo-tu-phap" / "x.json").write_text("{not json", encoding="utf-8")
    shutil.copy(FIXTURES / "bo-tu-phap" / "1.001193.json", tmp_path / "bo-tu-phap")
    imported = dichvucong.import_files([tmp_path])
    assert len(imported.procedures) == 1 and len(imported.errors) == 1


def test_an_import_that_reads_no_record_leaves_the_catalogue_as_it_was(tmp_path: Path) -> None:
    records, out = tmp_path / "ban-ghi", tmp_path / "catalogue"
    records.mkdir()
    (records / "x.json").write_bytes(b"\xff\xfe")
    (out / "procedures" / "bo-tu-phap").mkdir(parents=True)
    kept = out / "procedures" / "bo-tu-phap" / "a.yaml"
    kept.write_text("code: \"1.000001\"\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "dichvucong", str(records), "--out", str(out)])
    assert result.exit_code == 1
    assert "x.json: tệp không phải văn bản UTF-8" in result.output
    assert "giữ nguyên" in result.output
    assert kept.read_text(encoding="utf-8") == "code: \"1.000001\"\n"


@pytest.mark.skipif(not DATA.is_dir(), reason="the 610 shared records are not on this machine")
def test_all_610_records_import_without_an_exception_validate_and_the_audit_finds_no_defect(tmp_path: Path) -> None:
    for name in ("agencies.yaml", "life_events.yaml"):  # the editorial files an import builds on
        shutil.copy(CATALOGUE / name, tmp_path)
    shutil.copytree(CATALOGUE / "import", tmp_path / "import")
    imported = dichvucong.import_files([DATA], catalogue=tmp_path, captured="2026-07")
    assert len(imported.procedures) == 610 and imported.errors == []
    dichvucong.write_catalogue(imported, tmp_path)
    catalogue, problems = validate(tmp_path)
    assert catalogue is not None
    assert {p.code for p in problems} == {"W400"}
    counts = audit.audit(DATA, tmp_path)
    defects = ("invented_agency", "toan_trinh_not_level_4", "form_names_dropped", "address_dropped",
               "coordinating_dropped", "authorised_dropped", "related_dropped", "captured_missing")
    assert {k: counts[k] for k in defects} == dict.fromkeys(defects, 0)
    assert counts["no_agency_flagged"] == sum(1 for p in catalogue.procedures if p.agency is None) > 0


OTHER = Path(__file__).parent / "fixtures" / "dichvucong-other"


def test_another_ministrys_records_import_into_a_catalogue_that_validates_and_builds(
        tmp_path: Path, site_builder: Callable[..., Path]) -> None:
    out = tmp_path / "catalogue"
    result = CliRunner().invoke(main, ["import", "dichvucong", str(OTHER), "--out", str(out)])
    assert result.exit_code == 0, result.output
    catalogue, problems = validate(out)
    assert catalogue is not None and [p for p in problems if p.code != "W400"] == []
    tiers = {a.id: a.tier.value for a in catalogue.agencies.values()}
    assert tiers == {"cuc-quan-ly-duoc": "bo", "so-y-te": "tinh", "uy-ban-nhan-dan-cap-xa": "xa",
                     "thue-tinh-thanh-pho": "tinh"}
    assert all(a.parent is None for a in catalogue.agencies.values())  # no source gives one
    assert catalogue.by_code["1.900004"].agency is None
    assert catalogue.by_code["1.900005"].service_level == 4  # "toàn trình" in its name
    assert {p.captured for p in catalogue.procedures} == {"2026-07"}  # SOURCE.md: "captured in July 2026"
    site = site_builder(tmp_path / "site", catalogue=out)
    silent = (site / "thu-tuc" / "1.900004" / "index.html").read_text(encoding="utf-8")
    assert "Nguồn chưa ghi cơ quan thực hiện" in silent and "Bộ Y tế" not in silent
    drug = (site / "thu-tuc" / "1.900001" / "index.html").read_text(encoding="utf-8")
    assert "Mau so 01 don de nghi CFS.docx" in drug and "tháng 7/2026" in drug
    assert "Cục Quản lý Dược, Bộ Y tế, 138A Giảng Võ, Hà Nội" in drug


def test_a_reimport_keeps_every_editorial_edit_and_unchanged_updated_dates(tmp_path: Path) -> None:
    out = tmp_path / "catalogue"
    assert CliRunner().invoke(main, ["import", "dichvucong", str(OTHER), "--out", str(out)]).exit_code == 0
    agencies = out / "agencies.yaml"
    edited = agencies.read_text(encoding="utf-8").replace("name: Sở Y tế,", "name: Sở Y tế tỉnh,") + "# đã rà soát\n"
    agencies.write_text(edited, encoding="utf-8")
    editorial = out / "import" / "dichvucong.yaml"
    editorial.write_text("# rà soát ngày 01/12\n" + editorial.read_text(encoding="utf-8"), encoding="utf-8")
    before = {p.name: p.read_text(encoding="utf-8") for p in (out / "procedures").rglob("*.yaml")}
    result = CliRunner().invoke(main, ["import", "dichvucong", str(OTHER), "--out", str(out)],
                                env={"SOURCE_DATE_EPOCH": "1893456000"})  # a later day
    assert result.exit_code == 0, result.output
    assert agencies.read_text(encoding="utf-8") == edited
    assert editorial.read_text(encoding="utf-8").startswith("# rà soát ngày 01/12\n")
    assert {p.name: p.read_text(encoding="utf-8") for p in (out / "procedures").rglob("*.yaml")} == before
