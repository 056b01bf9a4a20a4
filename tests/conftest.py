"""Shared fixtures: a built site, a local server for it, and a headless browser.

Any test module may use them:

- `site_builder(target, catalogue=None, strict=True)` builds a site with
  the project's mkdocs.yml (optionally over another catalogue folder) into
  `target` and returns the built folder; it raises `SiteBuildError` with MkDocs'
  output when the build fails.
- `built_site` is the embedded catalogue's site, built once per session
  with `mkdocs build --strict` and SOURCE_DATE_EPOCH set.
- `site_server` serves `built_site` on 127.0.0.1 (a free port) and is the
  base URL, ending in '/'; `serve(folder)` does the same for any built site.
- `browser` is one headless Debian Chromium per session (Playwright, no
  download); `page` is a fresh page per test whose requests to any host
  other than 127.0.0.1 are blocked and recorded in `outside_requests`.

Browser tests are marked `@pytest.mark.browser`; without /usr/bin/chromium
they are skipped locally and fail under CI (CI=true), where .ci/run
installs it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
SOURCE_DATE_EPOCH = "1790000000"  # 2026-09-21: fixed so two builds are byte-identical


class SiteBuildError(Exception):
    """`mkdocs build` failed; the message holds its output."""


def build_site(target: Path, *, catalogue: Path | None = None, strict: bool = True,
               site_url: str | None = None, env: dict[str, str] | None = None) -> Path:
    """Build the project's mkdocs.yml into `target`, optionally over another catalogue folder.

    mkdocs.yml reads the catalogue path from $CATALOGUE_DIR, site_url from $SITE_URL and built
    shards from $CATALOGUE_SHARDS when set; `env` adds variables.
    """
    given = env or {}
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "CATALOGUE_SHARDS")}
    env |= {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1"} | given
    if catalogue is not None:
        env["CATALOGUE_DIR"] = str(catalogue.resolve())
    if site_url is not None:
        env["SITE_URL"] = site_url
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", str(target)]
    done = subprocess.run([*command, *(["--strict"] if strict else [])], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise SiteBuildError(f"mkdocs build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return target


@pytest.fixture(scope="session")
def site_builder() -> Callable[..., Path]:
    """`build_site` as a fixture, for tests that build their own small catalogue."""
    return build_site


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded catalogue's site, built once per test session."""
    return build_site(tmp_path_factory.mktemp("built") / "site")


class _QuietHandler(SimpleHTTPRequestHandler):
    # Served with status 404 for a missing file, as a web host serves the site's 404.html.
    not_found: Path | None = None

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != HTTPStatus.NOT_FOUND or self.not_found is None:
            super().send_error(code, message, explain)
            return
        body = self.not_found.read_bytes()
        self.send_response(code, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextlib.contextmanager
def serve(site: Path, not_found: Path | None = None) -> Iterator[str]:
    """Serve a built site on 127.0.0.1:<free port>; yields the base URL ending in '/'.

    A missing file answers 404 with the page `not_found` when given (a site's 404.html).
    """
    handler_class = type("Handler", (_QuietHandler,), {"not_found": not_found})
    handler = functools.partial(handler_class, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def site_server(built_site: Path) -> Iterator[str]:
    """`built_site` served on 127.0.0.1; the base URL ending in '/'."""
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for the session, driven by Playwright's sync API."""
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 — only browser tests need it

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def outside_requests() -> list[str]:
    """URLs a page tried to load from any host other than 127.0.0.1 (filled by `page`)."""
    return []


def local_only_context(browser: Any, outside_requests: list[str], **options: Any) -> Any:
    """A browser context that may only reach 127.0.0.1; any other URL is aborted and recorded."""
    context = browser.new_context(locale="vi-VN", **options)

    def guard(route: Any) -> None:
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            outside_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return context


@pytest.fixture
def page(browser: Any, outside_requests: list[str]) -> Iterator[Any]:
    """A fresh page (desktop width, Vietnamese locale) that may only reach 127.0.0.1."""
    context = local_only_context(browser, outside_requests, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()
