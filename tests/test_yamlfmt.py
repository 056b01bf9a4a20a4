"""The canonical YAML form: key order from the models, one style, comments kept."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import models
from generator.source import load_bytes
from generator.yamlfmt import FormatError, dump, format_file, format_text, model_for, yaml_files

MESSY = """\
# yaml-language-server: $schema=../../../schema/procedure.schema.json
name: Đăng ký khai sinh   # tên đầy đủ

# Mã quốc gia
code: "1.001193"
updated: 2026-10-01
channels:
- fees:
  - {note: Miễn, amount: 0, kind: le-phi}
  kind: truc-tuyen  # nộp qua Cổng
  # Nộp trực tiếp tại UBND xã
- kind: truc-tiep
tiers:
    - xa
service_level: 4
description: |
  Dòng một
  Dòng hai
opening: "8:00"
# cuối tệp
"""


def fmt(text: str) -> str:
    return format_text(text, models.Procedure)


def test_keys_follow_the_model_field_order_at_every_level() -> None:
    out = fmt(MESSY)
    keys = [line.split(":")[0] for line in out.splitlines() if line and line[0].isalpha()]
    assert keys == ["code", "name", "tiers", "service_level", "description", "channels", "updated", "opening"]
    assert "  - kind: truc-tuyen  # nộp qua Cổng\n    fees:\n      - {kind: le-phi, amount: 0, note: Miễn}\n" in out


def test_full_line_comments_move_with_the_key_below_them() -> None:
    out = fmt(MESSY)
    assert "\n# Mã quốc gia\ncode: \"1.001193\"\n" in out
    assert "  # Nộp trực tiếp tại UBND xã\n  - {kind: truc-tiep}\n" in out


def test_header_end_of_line_and_trailing_comments_are_kept() -> None:
    out = fmt(MESSY)
    assert out.startswith("# yaml-language-server: $schema=../../../schema/procedure.schema.json\n")
    assert "name: Đăng ký khai sinh  # tên đầy đủ\n" in out
    assert out.endswith("# cuối tệp\n")
    assert sum(line.lstrip().startswith("#") or " # " in line for line in out.splitlines()) == 6


def test_formatting_is_idempotent() -> None:
    once = fmt(MESSY)
    assert fmt(once) == once


def test_formatting_never_changes_the_data() -> None:
    out = fmt(MESSY)
    assert load_bytes(out.encode(), "x").data == load_bytes(MESSY.encode(), "x").data


def test_strings_that_would_read_as_numbers_or_dates_are_double_quoted() -> None:
    out = fmt('code: "1.001193"\nname: \'yes\'\nnote: "2026-01-01"\nopening: "8:00"\n')
    assert 'code: "1.001193"' in out
    assert 'name: "yes"' in out
    assert 'note: "2026-01-01"' in out
    assert 'opening: "8:00"' in out


def test_multi_line_text_becomes_a_literal_block() -> None:
    out = fmt('description: "Dòng một\\nDòng hai"\n')
    assert out == "description: |-\n  Dòng một\n  Dòng hai\n"


def test_long_mappings_are_written_in_block_style_and_short_ones_in_flow() -> None:
    long_note = "Miễn lệ phí đối với trường hợp đăng ký khai sinh đúng hạn cho trẻ em thuộc hộ nghèo"
    out = dump({"code": "1.000001", "channels": [{"kind": "truc-tiep", "fees": [
        {"amount": 0, "note": long_note}, {"amount": 5000}]}]})
    assert "      - amount: 0\n        note: " in out
    assert "      - {amount: 5000}\n" in out


def test_a_comment_inside_a_flow_mapping_turns_it_to_block_style_and_stays() -> None:
    out = fmt("processing_time: {value: 1, # một ngày\n  unit: days}\n")
    assert out == "processing_time:\n  value: 1  # một ngày\n  unit: days\n"


def test_dump_writes_canonical_text_with_a_header() -> None:
    data = {"updated": dt.date(2026, 10, 1), "name": "Đăng ký", "code": "1.001193"}
    out = dump(data, header=["yaml-language-server: $schema=../../../schema/procedure.schema.json"])
    assert out == ("# yaml-language-server: $schema=../../../schema/procedure.schema.json\n"
                   'code: "1.001193"\nname: Đăng ký\nupdated: 2026-10-01\n')
    assert fmt(out) == out


def test_deprecated_tier_key_sits_where_tiers_would() -> None:
    out = fmt("updated: 2026-10-01\ntier: xa\nname: A\ncode: \"1.000001\"\n")
    assert out == 'code: "1.000001"\nname: A\ntier: xa\nupdated: 2026-10-01\n'


def test_unknown_keys_are_kept_after_known_ones_in_their_order() -> None:
    assert fmt("zz: 1\nname: A\naa: 2\n") == "name: A\nzz: 1\naa: 2\n"


def test_a_syntax_error_is_reported_with_its_line_not_formatted() -> None:
    with pytest.raises(FormatError) as caught:
        fmt("name: A\nsteps: [a\n")
    assert caught.value.line >= 2
    assert "E100" in str(caught.value)


def test_file_models_are_chosen_by_location(tmp_path: Path) -> None:
    assert model_for(Path("catalogue/procedures/ubnd-xa/a.yaml")) is models.Procedure
    assert model_for(Path("catalogue/agencies.yaml")) is models.AgenciesFile
    assert model_for(Path("catalogue/notes.yaml")) is None


def test_agencies_file_is_ordered_by_the_agency_model() -> None:
    out = format_text("agencies:\n- tier: bo\n  name: Bộ Tư pháp\n  id: bo-tu-phap\n", models.AgenciesFile)
    assert out == "agencies:\n  - {id: bo-tu-phap, name: Bộ Tư pháp, tier: bo}\n"


def test_check_mode_reports_without_writing_and_write_mode_rewrites(tmp_path: Path) -> None:
    target = tmp_path / "procedures" / "ubnd-xa" / "a.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("name: A\ncode: \"1.000001\"\n", encoding="utf-8")
    assert format_file(target, write=False).changed
    assert target.read_text(encoding="utf-8") == "name: A\ncode: \"1.000001\"\n"
    assert format_file(target, write=True).changed
    assert not format_file(target, write=False).changed
    assert yaml_files([tmp_path]) == [target]


def test_a_file_whose_top_level_is_not_a_mapping_is_reported_and_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "ghi-chu.yaml"
    target.write_text("chỉ một dòng chữ\n", encoding="utf-8")
    result = format_file(target, write=True)
    assert result.problem is not None and "E108" in result.problem.message
    assert target.read_text(encoding="utf-8") == "chỉ một dòng chữ\n"


def test_a_file_that_is_not_utf8_is_reported_in_vietnamese_at_its_line(tmp_path: Path) -> None:
    target = tmp_path / "cu.yaml"
    target.write_bytes(b"name: A\nnote: \xd0\xe3ng k\xfd\n")  # Windows-1258, not UTF-8
    result = format_file(target, write=True)
    assert result.problem is not None
    assert (result.problem.code, result.problem.line) == ("E105", 2)
    assert "không phải UTF-8" in result.problem.message


def test_the_embedded_catalogue_is_already_canonical() -> None:
    root = Path(__file__).parent.parent / "catalogue"
    changed = [p for p in yaml_files([root]) if format_file(p, write=False).changed]
    assert changed == []


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40).map(
    lambda s: unicodedata.normalize("NFC", s))
_scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), _text,
                    st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)))
_keys = st.sampled_from(["code", "name", "note", "kind", "amount", "x-y", "1", "yes"])
_data = st.recursive(_scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(_keys, inner, max_size=4)), max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_keys, _data, min_size=1, max_size=5))
def test_any_data_survives_dump_and_reformatting_unchanged(data: dict[str, object]) -> None:
    out = dump(data, model=None)
    assert load_bytes(out.encode(), "x").data == data
    assert format_text(out, None) == out


def test_long_prose_is_folded_near_100_columns_but_a_long_url_stays_on_its_line() -> None:
    prose = "Người yêu cầu nộp hồ sơ tại bộ phận một cửa của Ủy ban nhân dân cấp xã, " * 3
    url = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=" + "1" * 40
    out = dump({"description": prose.strip(), "source_url": url})
    assert out.startswith("description: >-\n  Người yêu cầu")
    folded = out.splitlines()[1:-1]
    assert len(folded) >= 2 and max(map(len, folded)) <= 110  # PyYAML breaks at the first space past 100
    assert f"\nsource_url: {url}\n" in out
    assert load_bytes(out.encode(), "x").data == {"description": prose.strip(), "source_url": url}
