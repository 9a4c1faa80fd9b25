"""With no library loaded the widget says so in plain words and still gives the emergency number."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_unavailable_service_shows_emergency_number(
    page: Page, start_server: Callable[[Path, str], Any], tmp_path: Path, artifacts: Path
) -> None:
    empty = tmp_path / "empty-index"
    empty.mkdir()
    server = start_server(empty, "/healthz")  # /readyz stays 503 without a library
    page.goto(server.origin + "/")
    page.get_by_role("button", name="Ask the clinic's library").click()
    question = page.get_by_label("Your question")
    expect(question).to_be_focused()
    question.fill("Does dupilumab help hair grow?")
    question.press("Enter")
    reply = page.get_by_role("log").locator(".wg-reply")
    expect(reply).to_have_count(1)
    expect(reply).to_contain_text("unavailable")
    expect(reply.locator(".wg-number").first).to_have_text("911")
    page.screenshot(path=str(artifacts / "widget-unavailable.png"))
