"""The built site in a real browser: key content visible, no outside request."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_home_page_shows_the_search_box_and_browse_lists(page: Any, site_server: str,
                                                         outside_requests: list[str]) -> None:
    page.goto(site_server)
    assert page.get_by_role("search").is_visible()
    assert page.get_by_label("Tìm thủ tục").is_visible()
    assert page.get_by_role("heading", name="Theo lĩnh vực").is_visible()
    assert outside_requests == []
