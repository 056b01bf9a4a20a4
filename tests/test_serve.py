"""generator.plugin under `mkdocs serve`: a broken catalogue file does not freeze the preview.

A real `mkdocs serve` (its own process group, a free port, a temporary copy
of the valid fixture) is started; a procedure file is broken, then fixed.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.plugin import KEPT

ROOT = Path(__file__).resolve().parent.parent
VALID = ROOT / "tests" / "fixtures" / "valid" / "catalogue"
PROCEDURE = "procedures/ubnd-xa/dang-ky-khai-sinh.yaml"
PAGE = "thu-tuc/1.001193/"
PROBLEM = f"catalogue/{PROCEDURE}:4:1: E101 name: khóa 'name' bị lặp (duplicate key), đã có ở dòng 3"


@dataclass
class Served:
    url: str
    log: Path
    catalogue: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str, timeout: float = 5) -> str:
        with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
            body: bytes = response.read()
        return body.decode("utf-8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """Poll `condition` until it holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:  # the server is not up yet, or a request timed out
            pass
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    catalogue = tmp_path / "catalogue"
    shutil.copytree(VALID, catalogue)
    port = free_port()
    env = os.environ | {
        "CATALOGUE_DIR": str(catalogue), "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1790000000",
        "XDG_CACHE_HOME": str(tmp_path / "cache"), "TMPDIR": str(tmp_path),  # serve's site folder lands here
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-f", str(ROOT / "mkdocs.yml"),
             "-a", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = Served(f"http://127.0.0.1:{port}/", log, catalogue)
    try:
        wait_for(lambda: process.poll() is not None or "Serving on" in server.output(), "mkdocs serve to start")
        assert process.poll() is None, server.output()
        yield server
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C to the whole group (serve removes its site folder), then kill what is left."""
    for sig, grace in ((signal.SIGINT, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue


def test_a_broken_file_keeps_the_last_good_site_served_and_a_fix_is_served(served: Served) -> None:
    assert "<title>Đăng ký khai sinh - " in served.get(PAGE, timeout=30)
    source = served.catalogue / PROCEDURE
    good = source.read_text(encoding="utf-8")

    source.write_text(good.replace("name: Đăng ký khai sinh\n", "name: Đăng ký khai sinh\nname: trùng\n"),
                      encoding="utf-8")
    wait_for(lambda: PROBLEM in served.output(), "the failed rebuild", timeout=60)
    started = time.monotonic()
    page = served.get(PAGE, timeout=5)  # MkDocs alone holds the request until a build succeeds
    assert time.monotonic() - started < 5
    assert "<title>Đăng ký khai sinh - " in page
    assert KEPT in served.output()
    # Another save while the error stands: one line, not the list again.
    (served.catalogue / "fields.yaml").write_bytes((served.catalogue / "fields.yaml").read_bytes())
    wait_for(lambda: "Catalogue vẫn không hợp lệ: 1 lỗi" in served.output(), "the second failed rebuild")
    output = served.output()
    assert output.count(PROBLEM) == 1, output
    assert "Traceback" not in output and "appear stuck" not in output, output

    source.write_text(good.replace("name: Đăng ký khai sinh\n", "name: Đăng ký khai sinh (đã sửa)\n"),
                      encoding="utf-8")
    wait_for(lambda: "<title>Đăng ký khai sinh (đã sửa) - " in served.get(PAGE), "the fixed page")
    assert served.output().count(PROBLEM) == 1
