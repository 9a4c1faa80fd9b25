"""The staff page: token handling, document search with highlighted passages, and the full-document view."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = pytest.mark.browser

WRONG_TOKEN = "not-the-staff-token-0123456789ab"


def _search(page: Page, token: str, query: str) -> None:
    page.get_by_label("Staff token").fill(token)
    page.get_by_label("Search the library").fill(query)
    page.get_by_role("button", name="Search").click()


def test_wrong_token_is_refused(page: Page, server: Any) -> None:
    page.goto(server.origin + "/staff")
    token_field = page.get_by_label("Staff token")
    expect(token_field).to_have_attribute("type", "password")
    _search(page, WRONG_TOKEN, "ruxolitinib")
    expect(page.get_by_role("alert")).to_contain_text("Staff token missing or wrong")
    expect(page.locator("#results > li")).to_have_count(0)


def test_search_highlights_and_opens_document(
    page: Page, context: BrowserContext, server: Any, artifacts: Path
) -> None:
    page.goto(server.origin + "/staff")
    _search(page, server.staff_token, "ruxolitinib")
    results = page.locator("#results > li")
    expect(results.first).to_be_visible()
    expect(page.locator("#error")).to_be_empty()
    marks = results.first.locator("blockquote").first.locator("mark")
    expect(marks.first).to_have_text(re.compile(r"^ruxolitinib$", re.IGNORECASE))
    # the seed corpus has documents without dates: staff are asked to fill them in
    expect(page.locator("#results")).to_contain_text("unknown: staff to fill")
    page.screenshot(path=str(artifacts / "staff-results.png"))

    passage_text = results.first.locator("blockquote").first.inner_text()
    results.first.get_by_role("link", name="Show this passage in the full document").first.click()
    expect(page).to_have_url(re.compile(r"/staff#doc=[^&]+&start=\d+&end=\d+$"))
    highlighted = page.locator("#doc-text mark")
    expect(highlighted).to_have_count(1)
    expect(highlighted).to_be_in_viewport()
    expect(highlighted).to_be_focused()
    assert _squash(highlighted.inner_text()) == _squash(passage_text)
    expect(page.locator("#doc-title")).not_to_have_text("Document not shown")
    page.screenshot(path=str(artifacts / "staff-document.png"))

    # the token was never stored anywhere but the page's memory
    assert context.cookies() == []
    stored = page.evaluate("() => localStorage.length + sessionStorage.length")
    assert stored == 0
    assert server.staff_token not in page.url


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_search_lists_documents_with_their_other_passages_folded(page: Page, server: Any) -> None:
    page.goto(server.origin + "/staff")
    _search(page, server.staff_token, "ruxolitinib hair regrowth")
    results = page.locator("#results > li")
    expect(results.first).to_be_visible()
    titles = results.locator("h3").all_inner_texts()
    assert 1 < len(titles) <= 10
    assert len(set(titles)) == len(titles)  # one entry per document
    expect(page.locator("#search-status")).to_have_text(re.compile(rf"^{len(titles)} documents found"))
    folded = results.first.locator("details")
    expect(folded).to_have_count(1)
    more = folded.locator("blockquote")
    expect(more.first).to_be_hidden()
    summary = folded.locator("summary")
    expect(summary).to_have_text(re.compile(r"^\d+ more passages? from this document$"))
    summary.click()
    expect(more.first).to_be_visible()
    shown = int(summary.inner_text().split()[0])
    expect(more).to_have_count(shown)
