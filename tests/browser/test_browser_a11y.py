"""axe-core finds no WCAG 2.2 AA violation on the demo page (widget open, answers shown) or the staff page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

Axe = Callable[[Page, str], tuple[int, str]]


def test_demo_page_with_open_widget_and_answers(widget: Any, axe: Axe) -> None:
    widget.open()
    widget.ask("Can an eczema drug make hair grow back?")
    advice = widget.ask("Should I stop taking my dupilumab?")  # personal advice: referral and related titles
    expect(advice.locator("ul.wg-related > li").first).to_contain_text(
        re.compile("source address unknown", re.IGNORECASE)
    )
    widget.ask("I can't breathe after my injection")
    expect(widget.replies.last.get_by_role("alert")).to_be_visible()
    count, report = axe(widget.page, "demo-widget-open")
    assert count == 0, report


def test_staff_page_with_results_and_document(page: Page, server: Any, axe: Axe) -> None:
    page.goto(server.origin + "/staff")
    page.get_by_label("Staff token").fill(server.staff_token)
    page.get_by_label("Search the library").fill("ruxolitinib")
    page.get_by_label("Search the library").press("Enter")
    expect(page.locator("#results mark").first).to_be_visible()
    for summary in page.locator("#results details summary").all():  # the folded passages are checked too
        summary.click()
    count, report = axe(page, "staff-results")
    assert count == 0, report
    page.locator("#results > li").first.get_by_role("link").first.click()
    expect(page.locator("#doc-text mark")).to_be_visible()
    count, report = axe(page, "staff-document")
    assert count == 0, report
