"""The patient widget on the demo page: answers, emergencies, escaping, keyboard use and privacy."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

pytestmark = pytest.mark.browser

SEED_QUESTION = "Can an eczema drug make hair grow back?"
EMERGENCY_QUESTION = "I can't breathe after my injection"
SCRIPT_QUESTION = "<script>window.__pwned=1</script> dupilumab"
EMERGENCY = "911"


def test_seed_question_gets_cited_answer(widget: Any, artifacts: Path) -> None:
    widget.open()
    reply = widget.ask(SEED_QUESTION)
    expect(reply).to_have_class(re.compile(r"\bwg-answer-answer\b"))
    quotes = reply.locator("blockquote")
    expect(quotes.first).to_be_visible()
    expect(reply.locator("figcaption").first).to_have_text(re.compile(r"^\[1\] \S"))
    sources = reply.locator("ol.wg-sources > li")
    expect(sources.first).to_contain_text("[1]")
    assert sources.count() == quotes.count()
    # the seed library has no addresses: no link, and the patient is told so
    expect(sources.first).to_contain_text(re.compile("source address unknown", re.IGNORECASE))
    expect(sources.first).to_contain_text(re.compile(r"date unknown|\d{4}", re.IGNORECASE))
    disclaimer = widget.panel.locator(".wg-disclaimer")
    expect(disclaimer).to_be_visible()
    expect(disclaimer).to_contain_text("not medical advice")
    expect(widget.panel).to_contain_text("do not type personal details such as names or dates of birth")
    widget.page.screenshot(path=str(artifacts / "widget-answer.png"))


def test_emergency_number_comes_first(widget: Any, artifacts: Path) -> None:
    widget.open()
    reply = widget.ask(EMERGENCY_QUESTION)
    expect(reply).to_have_class(re.compile(r"\bwg-answer-emergency\b"))
    first = reply.locator(":scope > *").first
    expect(first).to_have_attribute("role", "alert")
    expect(first).to_contain_text(EMERGENCY)
    expect(first.locator(".wg-number").first).to_have_text(EMERGENCY)
    expect(reply.locator("blockquote")).to_have_count(0)
    widget.page.screenshot(path=str(artifacts / "widget-emergency.png"))


def test_script_in_question_is_shown_not_run(widget: Any) -> None:
    widget.open()
    widget.ask(SCRIPT_QUESTION)
    expect(widget.log.locator(".wg-user").last).to_contain_text("<script>window.__pwned=1</script>")
    assert widget.page.evaluate("() => window.__pwned") is None
    shadow_scripts = widget.page.evaluate(
        "() => document.querySelector('clinic-assistant').shadowRoot.querySelectorAll('script').length"
    )
    assert shadow_scripts == 0


def test_whole_flow_by_keyboard(widget: Any) -> None:
    page: Page = widget.page
    focused_launcher = False
    for _ in range(20):  # the demo page has one link before the widget; Tab until the launcher
        page.keyboard.press("Tab")
        if widget.launcher.evaluate("el => el.getRootNode().activeElement === el"):
            focused_launcher = True
            break
    assert focused_launcher, "Tab never reached the launcher"
    expect(widget.launcher).to_have_css("outline-style", "solid")  # a visible focus indicator
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    expect(widget.launcher).to_have_attribute("aria-expanded", "true")
    expect(widget.input).to_be_focused()
    page.keyboard.type(SEED_QUESTION)
    page.keyboard.press("Enter")
    expect(widget.replies).to_have_count(1)
    expect(widget.replies.first.locator("blockquote").first).to_be_visible()
    expect(widget.input).to_be_focused()
    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_focused()
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")


def test_no_request_leaves_the_origin(widget: Any, server: Any, requested_urls: list[str]) -> None:
    widget.open()
    widget.ask(SEED_QUESTION)
    widget.ask(EMERGENCY_QUESTION)
    widget.page.keyboard.press("Escape")
    expect(widget.launcher).to_be_focused()
    paths = {u.removeprefix(server.origin) for u in requested_urls}
    assert {"/", "/widget.js", "/widget.css", "/api/v1/ask"} <= paths
    strays = [u for u in requested_urls if not u.startswith(server.origin + "/")]
    assert strays == []


def _storage(page: Page) -> dict[str, int]:
    counts: dict[str, int] = page.evaluate(
        "() => ({local: window.localStorage.length, session: window.sessionStorage.length})"
    )
    return counts


def test_no_cookies_or_storage(widget: Any, context: BrowserContext) -> None:
    assert context.cookies() == []
    assert _storage(widget.page) == {"local": 0, "session": 0}
    # and still none after a whole conversation
    widget.open()
    widget.ask(SEED_QUESTION)
    assert context.cookies() == []
    assert _storage(widget.page) == {"local": 0, "session": 0}


def test_loading_error_and_proxy_failure_still_show_emergency_number(widget: Any) -> None:
    page: Page = widget.page
    failures = iter(["abort", "bad-gateway"])

    def fail(route: Route) -> None:
        if next(failures) == "abort":
            route.abort("connectionrefused")
        else:
            route.fulfill(status=502, content_type="text/html", body="<h1>Bad gateway</h1>")

    page.route("**/api/v1/ask", fail)
    # record every loading message the widget shows, however briefly
    page.evaluate(
        """() => {
          window.__loading = [];
          const root = document.querySelector('clinic-assistant').shadowRoot;
          new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach((n) => {
            if (n.classList && n.classList.contains('wg-status')) window.__loading.push(n.textContent);
          }))).observe(root, {childList: true, subtree: true});
        }"""
    )
    widget.open()
    offline = widget.ask("Does dupilumab help hair grow?")
    expect(offline).to_contain_text("could not reach the clinic's library")
    expect(offline.locator(".wg-number")).to_have_text(EMERGENCY)
    proxy = widget.ask("Does dupilumab help hair grow?")
    expect(proxy).to_contain_text("The service is unavailable right now.")
    expect(proxy.locator(".wg-number")).to_have_text(EMERGENCY)
    expect(widget.log.locator(".wg-status")).to_have_count(0)
    loading: list[str] = page.evaluate("() => window.__loading")
    assert len(loading) == 2
    assert all("Searching the clinic's library…" in text and EMERGENCY in text for text in loading)
