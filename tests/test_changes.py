"""changes.json and changes.atom: the change list of a build, by dates or against a previous manifest."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from generator import changes, feed
from generator.exports import export_files

from .catalogues import FEED_FIXTURE, RETIRED_FIXTURE, load
from .test_injection import PAYLOAD

A = f"{{{changes.ATOM_NS}}}"


def exported(root: Path, previous: dict[str, Any] | None = None, site_url: str | None = None) -> dict[str, bytes]:
    return export_files(load(root), ["json"], site_url, previous)


def change_list(files: dict[str, bytes]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(files[changes.CHANGES])
    return document


def test_without_a_previous_manifest_changes_follow_the_records_dates_newest_first() -> None:
    document = change_list(exported(RETIRED_FIXTURE))
    assert document["basis"] == "dates" and document["previous_build"] is None
    rows = [(c["kind"], c["code"], c["date"]) for c in document["changes"]]
    assert rows == [
        ("het-hieu-luc", "1.000001", "2026-11-15"),
        ("het-hieu-luc", "1.900001", "2026-10-20"),
        ("cap-nhat", "1.001193", "2026-10-01"),
        ("cap-nhat", "2.000488", "2026-09-15"),
        ("cap-nhat", "2.000999", "2026-01-05"),
    ]
    replaced = document["changes"][1]
    assert replaced["retired"]["successor"] == "1.001193"
    assert replaced["url"] == feed.procedure_file("1.900001") and replaced["page_url"] == "../../thu-tuc/1.900001/"


def test_against_the_same_build_nothing_changed_and_against_the_fixture_the_retirements_show() -> None:
    same = exported(RETIRED_FIXTURE)
    manifest = json.loads(same[feed.MANIFEST])
    assert change_list(exported(RETIRED_FIXTURE, manifest))["changes"] == []
    before = json.loads(exported(FEED_FIXTURE)[feed.MANIFEST])
    document = change_list(exported(RETIRED_FIXTURE, before))
    assert document["basis"] == "manifest" and document["previous_build"] == before["build"]
    assert [(c["kind"], c["code"]) for c in document["changes"]] == [
        ("het-hieu-luc", "1.000001"), ("het-hieu-luc", "1.900001")]


def test_a_code_gone_from_the_catalogue_is_listed_as_removed_by_code(tmp_path: Path) -> None:
    before = json.loads(exported(FEED_FIXTURE)[feed.MANIFEST])
    root = tmp_path / "catalogue"
    shutil.copytree(FEED_FIXTURE, root)
    (root / "procedures" / "bo-tu-phap" / "thong-tin-mau.yaml").unlink()
    document = change_list(export_files(load(root), ["json"], None, before))
    assert [(c["kind"], c["code"], c["url"]) for c in document["changes"]] == [("go-bo", "2.000999", None)]


def test_the_change_list_and_the_atom_feed_are_in_the_manifest_with_their_hashes() -> None:
    files = exported(RETIRED_FIXTURE)
    listed = {f["name"]: f["sha256"] for f in json.loads(files[feed.MANIFEST])["files"]}
    for name in (changes.CHANGES, changes.ATOM):
        assert listed[name] == feed.sha256(files[name])
    assert [t["code"] for t in json.loads(files[feed.MANIFEST])["retired"]] == ["1.000001", "1.900001"]


def atom_of(files: dict[str, bytes]) -> ET.Element:
    return ET.fromstring(files[changes.ATOM])


def test_the_atom_feed_parses_and_each_entry_has_what_rfc_4287_requires() -> None:
    feed_element = atom_of(exported(RETIRED_FIXTURE))
    assert feed_element.tag == f"{A}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed_element.find(f"{A}{required}") is not None, required
    entries = feed_element.findall(f"{A}entry")
    assert len(entries) == 5
    ids = [e.findtext(f"{A}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(i and i.startswith("urn:uuid:") for i in ids)
    first = entries[0]
    assert first.findtext(f"{A}title") == "Bãi bỏ: Cấp hộ chiếu phổ thông"
    assert first.findtext(f"{A}updated") == "2026-11-15T00:00:00Z"
    summary = first.findtext(f"{A}summary") or ""
    assert summary.startswith("Thủ tục 1.000001 đã bị bãi bỏ từ ngày 15/11/2026 theo Quyết định")
    link = first.find(f"{A}link")
    assert link is not None and link.get("href") == "../../thu-tuc/1.000001/"
    assert entries[1].findtext(f"{A}title", "").startswith("Thay thế: ")


def test_atom_links_are_absolute_once_the_site_url_is_known() -> None:
    feed_element = atom_of(exported(RETIRED_FIXTURE, site_url="https://tthc.example.gov.vn/"))
    hrefs = [link.get("href") for link in feed_element.iter(f"{A}link")]
    assert hrefs and all(h and h.startswith("https://tthc.example.gov.vn/") for h in hrefs)


def test_a_name_with_markup_is_escaped_text_in_the_atom_feed(tmp_path: Path) -> None:
    root = tmp_path / "catalogue"
    shutil.copytree(FEED_FIXTURE, root)
    birth = root / "procedures" / "ubnd-xa" / "dang-ky-khai-sinh.yaml"
    text = birth.read_text(encoding="utf-8")
    birth.write_text(text.replace("name: Đăng ký khai sinh\n", f"name: {json.dumps(PAYLOAD, ensure_ascii=False)}\n"),
                     encoding="utf-8")
    element = atom_of(export_files(load(root), ["json"]))
    titles = [e.findtext(f"{A}title") for e in element.findall(f"{A}entry")]
    assert f"Cập nhật: {PAYLOAD}" in titles
    assert not any(element.iter("script")) and not any(element.iter(f"{A}script"))


def test_the_same_input_gives_the_same_change_files() -> None:
    first, second = exported(RETIRED_FIXTURE), exported(RETIRED_FIXTURE)
    assert first[changes.CHANGES] == second[changes.CHANGES] and first[changes.ATOM] == second[changes.ATOM]
