"""The consumer printed in docs/api/index.md, run as written against two builds of the feed.

Between the builds one procedure changed, one was added, one was retired
(bãi bỏ) and one removed outright; the consumer must fetch only the first
three, keep the retired code as its tombstone, drop the removed one, read
the change list, and validate everything it reads against the published
schemas, including a record with a field the format does not have yet (an
additive 1.x change).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

from generator.exports import export_files, write_files
from generator.feed import FEED_DIR, MANIFEST, procedure_file

from .catalogues import load

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "feed" / "catalogue"
DOCS = ROOT / "docs" / "api" / "index.md"
CHANGED, ADDED, RETIRED, REMOVED = "1.001193", "1.999999", "1.000001", "2.000999"
RETIREMENT = """retired:
  date: 2026-11-15
  kind: bai-bo
  decided_by: {number: 01/2026/QĐ-THU, title: Quyết định (dữ liệu thử nghiệm) công bố thủ tục bị bãi bỏ}
updated: 2026-11-15
"""


def consumer() -> dict[str, Any]:
    """The docs' example, executed: its functions by name."""
    text = DOCS.read_text(encoding="utf-8")
    code = re.search(r"<!-- consumer-example -->\n```python\n(.*?)```", text, re.DOTALL)
    assert code, "docs/api/index.md has no consumer example"
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(DOCS), "exec"), namespace)  # our own docs, run as a reader would
    return namespace


def second_catalogue(tmp: Path) -> Path:
    """The fixture with one procedure changed, one added and one removed."""
    root = tmp / "b-catalogue"
    shutil.copytree(FIXTURE, root)
    birth = root / "procedures" / "ubnd-xa" / "dang-ky-khai-sinh.yaml"
    text = birth.read_text(encoding="utf-8")
    birth.write_text(text.replace("{value: 1, unit: working_days}", "{value: 2, unit: working_days}")
                     .replace("updated: 2026-10-01", "updated: 2026-11-02"), encoding="utf-8")
    added = text.replace('code: "1.001193"', f'code: "{ADDED}"').replace("Đăng ký khai sinh\n", "Đăng ký lại khai sinh\n")
    (birth.parent / "dang-ky-lai-khai-sinh.yaml").write_text(added, encoding="utf-8")
    for path in root.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if f'code: "{REMOVED}"' in text:
            path.unlink()
        if f'code: "{RETIRED}"' in text:
            path.write_text(re.sub(r"^updated: .*\n", RETIREMENT, text, flags=re.MULTILINE), encoding="utf-8")
    return root


def publish(catalogue_root: Path, site: Path, previous: Path | None = None) -> str:
    """Write every export of the catalogue under site/api/v1/, changes against `previous` (a site
    folder); the manifest's file URL."""
    manifest = json.loads((previous / FEED_DIR / MANIFEST).read_bytes()) if previous else None
    write_files(site / FEED_DIR, export_files(load(catalogue_root), previous=manifest))
    return (site / FEED_DIR / MANIFEST).as_uri()


def add_future_field(site: Path, code: str) -> None:
    """A 1.x record: one field the format does not have yet (the manifest's hash follows)."""
    path = site / FEED_DIR / procedure_file(code)
    record = json.loads(path.read_bytes())
    record["future_field"] = {"note": "thêm trong phiên bản 1.x sau"}
    data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    path.write_bytes(data)
    manifest_path = site / FEED_DIR / MANIFEST
    manifest = json.loads(manifest_path.read_bytes())
    for entry in manifest["procedures"]:
        if entry["code"] == code:
            entry["sha256"] = hashlib.sha256(data).hexdigest()
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def test_the_documented_consumer_syncs_two_builds_fetching_only_what_changed(tmp_path: Path) -> None:
    example = consumer()
    fetched_urls: list[str] = []
    real_fetch = example["fetch"]

    def counting_fetch(url: str) -> bytes:
        fetched_urls.append(url)
        data: bytes = real_fetch(url)
        return data

    example["fetch"] = counting_fetch
    first_url = publish(FIXTURE, tmp_path / "a")
    store: dict[str, Any] = {}
    fetched, removed = example["sync"](first_url, store)
    assert sorted(fetched) == sorted(p.code for p in load(FIXTURE).procedures) and removed == []

    second_root = second_catalogue(tmp_path)
    second_url = publish(second_root, tmp_path / "b", previous=tmp_path / "a")
    add_future_field(tmp_path / "b", ADDED)
    fetched_urls.clear()
    fetched, removed = example["sync"](second_url, store)

    assert sorted(fetched) == sorted([ADDED, CHANGED, RETIRED])
    assert removed == [REMOVED]
    procedure_urls = [u for u in fetched_urls if "/procedures/" in u]
    assert sorted(procedure_urls) == sorted((tmp_path / "b" / FEED_DIR / procedure_file(c)).as_uri()
                                            for c in (ADDED, CHANGED, RETIRED))
    assert store[ADDED]["record"]["future_field"]
    assert store[CHANGED]["record"]["channels"][0]["processing_time"]["value"] == 2
    tombstone = store[RETIRED]["record"]
    assert tombstone["retired"]["kind"] == "bai-bo" and tombstone["successor_url"] is None
    assert "channels" not in tombstone  # a small record, not the full one
    assert set(store) == set(load(second_root).by_code)

    changes = {(c["kind"], c["code"]) for c in example["changes"](second_url)}
    assert changes == {("them-moi", ADDED), ("sua-doi", CHANGED), ("het-hieu-luc", RETIRED), ("go-bo", REMOVED)}
