"""The widget embedded on another origin's page: CORS without credentials, theming, and CSS isolation."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

LIGHT_PRIMARY = "#ffe066"  # too light for white text: the widget must switch to black
# A host page whose CSS tries to restyle everything the widget uses.
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hill Road Surgery</title>
<style>
  html {{ font-size: 10px; }}
  body {{ color: #f0f; font-family: cursive; }}
  button, input, blockquote, [role=dialog], .wg-launcher, .wg-panel {{ display: none !important; }}
  .wg-quote {{ color: #333; }}
</style></head>
<body><main><h1>Hill Road Surgery</h1>
<p class="wg-quote" id="own">The host page's own text, with a class name the widget also uses.</p></main>
<script src="{origin}/widget.js" data-clinic-name="Hill Road Surgery" data-primary-color="{primary}"
  data-greeting="Hi! Ask about the leaflets Hill Road Surgery has approved." defer></script>
</body></html>"""


def test_widget_on_another_origin(
    page: Page,
    server: Any,
    host_site: Any,
    requested_urls: list[str],
    axe: Callable[[Page, str], tuple[int, str]],
    artifacts: Path,
) -> None:
    host_site.pages["/surgery.html"] = HOST_PAGE.format(origin=server.origin, primary=LIGHT_PRIMARY)
    host = host_site.origin
    page.goto(host + "/surgery.html")
    launcher = page.get_by_role("button", name="Ask the clinic's library")
    expect(launcher).to_be_visible()  # the host's `button { display: none !important }` does not reach in
    expect(launcher).to_have_css("background-color", "rgb(255, 224, 102)")
    expect(launcher).to_have_css("color", "rgb(0, 0, 0)")  # black text on a light clinic colour
    launcher.click()
    dialog = page.get_by_role("dialog", name="Ask Hill Road Surgery's library")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Hi! Ask about the leaflets Hill Road Surgery has approved.")
    question = page.get_by_label("Your question")
    expect(question).to_be_focused()
    expect(question).to_have_css("font-size", "16px")  # the host's 10px root size does not shrink it
    question.fill("Can an eczema drug make hair grow back?")
    question.press("Enter")
    reply = page.get_by_role("log").locator(".wg-reply")
    expect(reply.locator("blockquote").first).to_be_visible()
    # the widget's styles do not leak out onto the host's own element of the same class
    expect(page.locator("#own")).to_have_css("border-left-style", "none")
    expect(page.locator("#own")).to_have_css("color", "rgb(51, 51, 51)")
    page.screenshot(path=str(artifacts / "widget-embedded-light-theme.png"))
    count, report = axe(page, "embedded-light-theme")
    assert count == 0, report
    api_calls = [u for u in requested_urls if u.endswith("/api/v1/ask")]
    assert api_calls == [server.origin + "/api/v1/ask"]
    assert all(re.match(rf"^({re.escape(host)}|{re.escape(server.origin)})/", u) for u in requested_urls)
