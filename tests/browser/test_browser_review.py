"""The staff page's answer review: verdicts per sentence, evidence opened in the document, errors, safety.

The three sentences were checked against the API over the seed index first; their verdicts are stable
alone and together (the mismatch is a wrong figure: 62 per cent, where the source says 92 per cent).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

Axe = Callable[[Page, str], tuple[int, str]]

WRONG_TOKEN = "not-the-staff-token-0123456789ab"
SUPPORTED = "Ruxolitinib was taken by mouth twice a day for three to six months."
MISMATCH = (
    "Nine of the 12 patients in the ruxolitinib pilot had a remarkable response, "
    "with average regrowth of 62 per cent."
)
UNSUPPORTED = "Dupilumab is a cure for baldness in every child."
ANSWER = f"{SUPPORTED} {MISMATCH} {UNSUPPORTED}"
SUMMARY = "3 sentences: 1 supported, 1 mismatch, 1 unsupported."
SCRIPT = '<script>window.__reviewRan = true; document.title = "pwned";</script>'
IMAGE = '<img src="x" onerror="window.__reviewRan = true">'


def _check(page: Page, token: str, answer: str, citations: str = "") -> Locator:
    """Fill the form, submit it from the keyboard; returns the result list items."""
    page.get_by_label("Staff token").fill(token)
    page.get_by_label("Drafted answer", exact=True).fill(answer)
    citations_field = page.get_by_label("Cited documents (optional)")
    citations_field.fill(citations)
    citations_field.press("Tab")
    expect(page.get_by_role("button", name="Check answer")).to_be_focused()
    page.keyboard.press("Enter")
    return page.locator("#review-results > li")


def _review_three(page: Page, token: str) -> Locator:
    items = _check(page, token, ANSWER)
    expect(page.locator("#review-summary")).to_have_text(SUMMARY)
    expect(items).to_have_count(3)
    return items


def test_review_verdicts_and_evidence_in_the_document(page: Page, server: Any, artifacts: Path) -> None:
    page.goto(server.origin + "/staff")
    expect(page.get_by_role("heading", name="Check a drafted answer")).to_be_visible()
    expect(page.get_by_label("Drafted answer", exact=True)).to_have_js_property("tagName", "TEXTAREA")
    items = _review_three(page, server.staff_token)
    expect(page.locator("#review-summary")).to_have_attribute("role", "status")
    expect(page.locator("#review-error")).to_be_empty()

    expected = [
        ("supported", "Supported", SUPPORTED),
        ("mismatch", "Mismatch", MISMATCH),
        ("unsupported", "Unsupported", UNSUPPORTED),
    ]
    backgrounds = set()
    for item, (verdict, label, text) in zip(items.all(), expected, strict=True):
        expect(item).to_have_attribute("data-verdict", verdict)
        expect(item).to_have_class(re.compile(rf"\bst-verdict-{verdict}\b"))
        badge = item.locator(".st-verdict-label")
        expect(badge).to_have_text(re.compile(rf"^\W*{label}:?$"))  # a text label, not colour alone
        expect(item.locator(".st-sentence-text")).to_have_text(text)
        expect(item.locator(".st-reason")).to_contain_text(re.compile(r"Reason: \S"))
        backgrounds.add(badge.evaluate("(node) => getComputedStyle(node).backgroundColor"))
    assert len(backgrounds) == 3, backgrounds  # and each verdict has its own colour

    supported, mismatch, unsupported = items.all()
    expect(mismatch.locator(".st-reason")).to_contain_text("62 per cent")
    expect(unsupported.locator("blockquote")).to_have_count(0)
    expect(unsupported.get_by_role("link")).to_have_count(0)
    quote = supported.locator("blockquote").text_content() or ""
    assert "twice a day" in quote, quote
    page.locator("#review-view").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "staff-review.png"), full_page=True)

    # the evidence opens in the document view, the quoted span marked in place (keyboard only)
    link = supported.get_by_role("link", name="Show in the document")
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff#doc=ruxolitinib-pilot-belgravia&start=\d+&end=\d+$"))
    expect(page.locator("#review-view")).to_be_hidden()
    highlighted = page.locator("#doc-text mark")
    expect(highlighted).to_have_count(1)
    expect(highlighted).to_be_in_viewport()
    expect(highlighted).to_be_focused()
    assert highlighted.text_content() == quote
    page.screenshot(path=str(artifacts / "staff-review-document.png"))

    # back: the results are still there and focus returns to the link that opened the document
    page.get_by_role("link", name="Back to the search and review results").press("Enter")
    expect(page.locator("#review-summary")).to_have_text(SUMMARY)
    expect(link).to_be_focused()

    assert server.staff_token not in page.url


def test_review_errors_are_shown_in_an_alert(page: Page, server: Any) -> None:
    page.goto(server.origin + "/staff")
    alert = page.locator("#review-error")
    expect(alert).to_have_attribute("role", "alert")

    items = _check(page, WRONG_TOKEN, SUPPORTED)
    expect(alert).to_have_text(re.compile("^Staff token missing or wrong"))
    expect(items).to_have_count(0)

    # 422: the server's message names the unknown id
    items = _check(page, server.staff_token, SUPPORTED, "ruxolitinib-pilot-belgravia, no-such-document")
    expect(alert).to_contain_text("unknown citation id(s)")
    expect(alert).to_contain_text("no-such-document")
    expect(items).to_have_count(0)

    # 413: over the limit the page states
    stated = re.search(r"\d+", page.locator("#answer-help").inner_text())
    assert stated, "the page states the length limit"
    limit = int(stated.group())
    items = _check(page, server.staff_token, "Hair. " * (limit // 6 + 10))
    expect(alert).to_contain_text(f"answer is over {limit} characters")
    expect(items).to_have_count(0)

    # a successful check clears the alert; citations restrict the search to the cited document
    items = _check(page, server.staff_token, SUPPORTED, "ruxolitinib-pilot-belgravia")
    expect(items).to_have_count(1)
    expect(items.first).to_have_attribute("data-verdict", "supported")
    expect(alert).to_be_empty()
    expect(alert).to_be_hidden()


def test_markup_in_the_answer_is_shown_as_text(page: Page, server: Any) -> None:
    page.goto(server.origin + "/staff")
    items = _check(page, server.staff_token, f"{UNSUPPORTED}\n{SCRIPT}\n{IMAGE}")
    expect(items.first).to_be_visible()
    results = page.locator("#review-results")
    expect(results).to_contain_text(SCRIPT)
    expect(results).to_contain_text(IMAGE)
    expect(results.locator("script, img")).to_have_count(0)
    assert page.evaluate("() => window.__reviewRan") is None
    assert page.title() != "pwned"
    # (an inline handler that ran would also have tripped the CSP guard of the `page` fixture)


def test_staff_page_with_review_results_has_no_axe_violations(page: Page, server: Any, axe: Axe) -> None:
    page.goto(server.origin + "/staff")
    _review_three(page, server.staff_token)
    count, report = axe(page, "staff-review")
    assert count == 0, report
