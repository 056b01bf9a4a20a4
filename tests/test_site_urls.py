"""The site's URL scheme, shared by pages, feed, search, statistics and CPSV-AP."""

from __future__ import annotations

from generator.site_urls import Kind, form_url, procedure_url, url_of


def test_pages_have_stable_directory_urls_by_kind_and_key() -> None:
    assert procedure_url("1.001193") == "thu-tuc/1.001193/"
    assert url_of(Kind.AGENCY, "bo-tu-phap") == "co-quan/bo-tu-phap/"
    assert url_of("linh-vuc", "ho-tich") == "linh-vuc/ho-tich/"
    assert url_of(Kind.LEVEL, "4") == "muc-do/4/"
    assert url_of(Kind.LIFE_EVENT) == "su-kien/"


def test_form_files_move_from_forms_to_bieu_mau_with_spaces_encoded() -> None:
    assert form_url("forms/ubnd-xa/to-khai khai sinh.pdf") == "bieu-mau/ubnd-xa/to-khai%20khai%20sinh.pdf"
