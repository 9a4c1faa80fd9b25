"""The library console on /staff: upload a leaflet, check its passages, describe it, add it, publish it and
see patients answered from it without a restart; approved answers; what patients could not find; axe on
every screen.

The tests share one `library_server` (a private index copy and library store) and run in file order: the
leaflet uploaded and published by the first test is what the later tests cite.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from docx import Document as DocxDocument
from playwright.sync_api import Locator, Page, Route, expect

from tests.browser.conftest import Server, WidgetDriver

pytestmark = pytest.mark.browser

Axe = Callable[[Page, str], tuple[int, str]]

STAFF_NAME = "Nurse Ada Testwell"
APPROVER = "Dr Bea Approver"
LEAFLET_TITLE = "Quorvimab injections for alopecia areata"
LEAFLET_PUBLISHER = "Test Valley Clinic dermatology team"
# made-up medicine: nothing in the seed library mentions it, so only the new leaflet can answer
STORAGE_SENTENCE = (
    "Keep quorvimab pens in the fridge, between 2 and 8 degrees Celsius, and never freeze them."
)
DOSING_SENTENCE = "You inject quorvimab at home once every two weeks."
LEAFLET_SECTIONS = [
    (
        "What is quorvimab?",
        "Quorvimab is a medicine given as an injection under the skin. It calms the immune attack on hair "
        "follicles that causes patchy hair loss in alopecia areata.",
    ),
    (
        "How quorvimab is given",
        "A nurse gives the first quorvimab injection at the clinic and shows you how to use the pen. "
        f"{DOSING_SENTENCE} The injection goes into the thigh or the belly.",
    ),
    (
        "Storing quorvimab pens",
        f"{STORAGE_SENTENCE} Take a pen out of the fridge 30 minutes before the injection so that it is at "
        "room temperature.",
    ),
    (
        "Side effects",
        "The most common side effect of quorvimab is redness where the needle went in. It usually settles "
        "within two days. Call the clinic if the redness spreads.",
    ),
]
PATIENT_QUESTION = "How do you store quorvimab pens?"
ANSWER_ID = "quorvimab-how-often"
APPROVED_QUESTIONS = ("How often do you inject quorvimab?", "How often is quorvimab injected at home?")
MADE_UP_NAME = ("Zebulon", "Quarterfield")
UNANSWERED = f"My neighbour {MADE_UP_NAME[0]} {MADE_UP_NAME[1]} wants to know how to oil a bicycle chain"


def leaflet_docx() -> bytes:
    """The test leaflet as a real Word file, headings and paragraphs, made with python-docx."""
    doc = DocxDocument()
    doc.core_properties.title = LEAFLET_TITLE
    doc.add_heading(LEAFLET_TITLE, level=1)
    for heading, text in LEAFLET_SECTIONS:
        doc.add_heading(heading, level=2)
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


LEAFLET_DOCX = leaflet_docx()  # one file for the whole module: uploading it again is a duplicate


def _sign_in(page: Page, server: Server) -> None:
    page.goto(server.origin + "/staff")
    page.get_by_label("Staff token", exact=True).fill(server.staff_token)
    page.get_by_label("Your name", exact=True).fill(STAFF_NAME)
    page.get_by_role("button", name="Use token").click()
    expect(page.locator("#token-status")).to_contain_text("Token set")


def _tab(page: Page, name: str) -> Locator:
    tab = page.get_by_role("tab", name=name, exact=True)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    return page.get_by_role("tabpanel", name=name, exact=True)


def _api(server: Server) -> httpx.Client:
    return httpx.Client(
        base_url=server.origin, headers={"Authorization": f"Bearer {server.staff_token}"}, timeout=30
    )


def _no_violations(axe: Axe, page: Page, name: str) -> None:
    count, report = axe(page, name)
    assert count == 0, report


def test_tabs_are_keyboard_operable(page: Page, library_server: Server) -> None:
    _sign_in(page, library_server)
    first = page.get_by_role("tab", name="Search and review")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tab", name="Library")).to_have_attribute("tabindex", "-1")  # roving tabindex
    first.focus()
    page.keyboard.press("ArrowRight")
    library = page.get_by_role("tab", name="Library")
    expect(library).to_be_focused()
    expect(library).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Library")).to_be_visible()
    expect(page.get_by_label("Search the library", exact=True)).to_be_hidden()
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name="What patients could not find")).to_be_focused()
    page.keyboard.press("ArrowRight")  # wraps around
    expect(first).to_be_focused()
    expect(page.get_by_label("Search the library", exact=True)).to_be_visible()


def test_upload_describe_activate_publish_and_patients_get_it(
    page: Page, library_server: Server, axe: Axe, artifacts: Path, tmp_path: Path
) -> None:
    leaflet = tmp_path / "quorvimab-leaflet.docx"
    leaflet.write_bytes(LEAFLET_DOCX)
    _sign_in(page, library_server)
    panel = _tab(page, "Library")

    # the table lists the seed corpus (imported into the fresh store on start-up)
    rows = panel.locator("#documents-body tr")
    expect(rows.first).to_be_visible()
    expect(panel.locator("#documents-status")).to_have_text(re.compile(r"^\d+ documents?\.$"))
    expect(panel).to_contain_text("grade 6–8")
    _no_violations(axe, page, "library-table")

    # upload: the draft's cleaned text and its passages, with their sections
    panel.get_by_label("Leaflet file", exact=True).set_input_files(leaflet)
    panel.get_by_role("button", name="Upload as a draft").click()
    title = page.locator("#detail-title")
    expect(title).to_be_focused()
    expect(page.locator("#detail-status")).to_contain_text("Uploaded as a draft")
    expect(page.locator("#detail-badges")).to_contain_text("Draft")
    expect(page.locator("#detail-text")).to_contain_text(STORAGE_SENTENCE)
    passages = page.locator("#detail-passages > li")
    expect(passages.first).to_be_visible()
    expect(page.locator("#detail-passages")).to_contain_text("Storing quorvimab pens")  # a passage's section
    expect(page.locator("#detail-passages")).to_contain_text(STORAGE_SENTENCE)
    expect(page.locator("#passages-heading")).to_have_text(f"Passages ({passages.count()})")
    expect(page.locator("#detail-warnings > li").first).to_be_visible()
    doc_id = page.locator("#detail-meta code").first.inner_text()
    page.screenshot(path=str(artifacts / "library-draft.png"), full_page=True)
    _no_violations(axe, page, "library-document-draft")

    # describe it: empty dates are unknown until filled
    expect(page.locator("#meta-review_due-now")).to_have_text("Now: unknown")
    today = dt.date.today()
    page.get_by_label("Title", exact=True).fill(LEAFLET_TITLE)
    page.get_by_label("Publisher", exact=True).fill(LEAFLET_PUBLISHER)
    page.get_by_label("Document type", exact=True).fill("patient leaflet")
    page.get_by_label("Address (URL)", exact=True).fill("https://clinic.example/leaflets/quorvimab")
    page.get_by_label("Published", exact=True).fill((today - dt.timedelta(days=60)).isoformat())
    page.get_by_label("Last reviewed", exact=True).fill((today - dt.timedelta(days=10)).isoformat())
    due = (today + dt.timedelta(days=365)).isoformat()
    page.get_by_label("Review due", exact=True).fill(due)
    page.get_by_role("button", name="Save the description").click()
    expect(page.locator("#detail-status")).to_have_text("Description saved.")
    expect(page.locator("#meta-review_due-now")).to_have_text(f"Now: {due}")
    expect(title).to_have_text(LEAFLET_TITLE)

    # add it to the library
    page.get_by_role("button", name="Add to the library").click()
    expect(page.locator("#detail-status")).to_contain_text("Added to the library")
    expect(page.locator("#detail-badges")).to_contain_text("In the library")
    expect(page.locator("#detail-badges")).to_contain_text("Current")
    expect(page.get_by_role("button", name="Add to the library")).to_be_disabled()
    in_index = page.locator("#detail-meta .st-meta-item", has_text="In served index")
    expect(in_index).to_contain_text("No")
    _no_violations(axe, page, "library-document-active")

    # back to the table: focus returns to the document's row; the filters find it
    page.get_by_role("button", name="Back to the documents").click()
    row_button = page.locator(f'#documents-body button[data-doc-id="{doc_id}"]')
    expect(row_button).to_be_focused()
    page.get_by_label("Title or id contains", exact=True).fill("quorvimab")
    page.get_by_label("State", exact=True).select_option("active")
    page.get_by_role("button", name="Apply filters").click()
    expect(panel.locator("#documents-status")).to_have_text("1 document match the filters.")
    row = panel.locator("#documents-body tr").first
    expect(row).to_contain_text(LEAFLET_TITLE)
    expect(row).to_contain_text("Current")
    expect(row).to_contain_text(STAFF_NAME)
    _no_violations(axe, page, "library-table-filtered")

    # publish: progress polled to done, then the result
    publish = _tab(page, "Publish")
    publish.get_by_role("button", name="Publish now").click()
    expect(page.locator("#publish-progress")).to_be_visible()
    expect(page.locator("#publish-status")).to_have_text(
        "Publish done: the new index is being served.", timeout=180_000
    )
    assert page.locator("#publish-progress").evaluate("el => el.value") == 1
    expect(page.locator("#publish-result-heading")).to_be_focused()
    result = page.locator("#publish-result-meta")
    expect(result.locator(".st-meta-item", has_text="Documents")).to_contain_text(re.compile(r"\d"))
    expect(result.locator(".st-meta-item", has_text="Passages")).to_contain_text(re.compile(r"\d"))
    expect(result).to_contain_text("seconds")
    expect(result.locator(".st-meta-item", has_text="Approved answers served")).to_contain_text(
        re.compile(r"\d")
    )
    expect(page.locator("#publish-error")).to_be_empty()
    page.screenshot(path=str(artifacts / "library-publish-done.png"), full_page=True)
    _no_violations(axe, page, "library-publish-result")

    # the document is in the served index now
    _tab(page, "Library")
    row = page.locator("#documents-body tr", has_text=LEAFLET_TITLE)
    expect(row.locator("td").last).to_have_text("Yes")

    # a patient's question only the new leaflet answers is answered from it: no restart
    widget = WidgetDriver(page)
    page.goto(library_server.origin + "/")
    widget.open()
    reply = widget.ask(PATIENT_QUESTION)
    expect(reply.locator("blockquote").first).to_contain_text("fridge")
    expect(reply.locator("ol.wg-sources")).to_contain_text(LEAFLET_TITLE)


def test_approved_answer_flow(page: Page, library_server: Server, axe: Axe) -> None:
    _sign_in(page, library_server)
    panel = _tab(page, "Approved answers")
    expect(panel.locator("#answers-status")).to_contain_text("served to patients")
    approve = page.get_by_role("button", name="Approve this answer")
    expect(approve).to_be_hidden()  # nothing to approve until the answer is saved and checked

    doc_id = _doc_id(library_server, "quorvimab")  # published by the test before, current until next year
    page.get_by_label("Answer id (optional)", exact=True).fill(ANSWER_ID)
    page.get_by_label("Patient questions, one per line", exact=True).fill("\n".join(APPROVED_QUESTIONS))
    page.get_by_label("Answer text", exact=True).fill(DOSING_SENTENCE)
    page.get_by_label("Cited document ids, separated by commas or spaces", exact=True).fill(doc_id)
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#editor-status")).to_have_text("Saved as a draft.")
    expect(page.locator("#editor-heading")).to_have_text(f"Answer {ANSWER_ID}")
    expect(approve).to_be_visible()
    expect(approve).to_be_disabled()
    expect(page.get_by_label("Approver name", exact=True)).to_have_value(STAFF_NAME)
    expect(page.get_by_label("Approved on", exact=True)).to_have_value(dt.date.today().isoformat())

    page.get_by_role("button", name="Check against the library").click()
    expect(page.locator("#check-summary")).to_contain_text("The check passed.")
    verdicts = page.locator("#check-results > li")
    expect(verdicts).to_have_count(1)
    expect(verdicts.first).to_have_attribute("data-verdict", "supported")
    expect(verdicts.first).to_contain_text("Supported")
    expect(approve).to_be_enabled()
    _no_violations(axe, page, "answers-checked")

    # an edit after the check withdraws the right to approve until it is checked again
    page.get_by_label("Answer text", exact=True).fill(DOSING_SENTENCE + " It cures alopecia in every child.")
    expect(approve).to_be_disabled()
    page.get_by_role("button", name="Check against the library").click()
    expect(page.locator("#check-summary")).to_contain_text("The check did not pass.")
    expect(page.locator('#check-results > li[data-verdict="unsupported"]')).to_have_count(1)
    expect(approve).to_be_disabled()
    _no_violations(axe, page, "answers-check-failed")

    page.get_by_label("Answer text", exact=True).fill(DOSING_SENTENCE)
    page.get_by_role("button", name="Check against the library").click()
    expect(page.locator("#check-summary")).to_contain_text("The check passed.")
    page.get_by_label("Approver name", exact=True).fill(APPROVER)
    approve.click()
    expect(page.locator("#editor-status")).to_contain_text(f"Approved by {APPROVER}")
    expect(page.locator("#editor-state")).to_contain_text("Approved")
    row = page.locator("#answers-body tr", has_text=ANSWER_ID)
    expect(row).to_contain_text(f"by {APPROVER} on {dt.date.today().isoformat()}")
    expect(row.locator("td").nth(4)).to_have_text("No")  # served only after the next publish
    _no_violations(axe, page, "answers-approved")

    # the audit trail names who did it
    insights = _tab(page, "What patients could not find")
    audit = insights.locator("#audit-body")
    expect(audit).to_contain_text(APPROVER)
    expect(audit).to_contain_text(STAFF_NAME)


def test_pdf_leaflet_and_the_approved_answer_reach_patients_after_publish(
    page: Page, library_server: Server, axe: Axe, tmp_path: Path
) -> None:
    """A multi-page PDF (bench/leaflets.py): no running header or page numbers in its text; published with
    the answer approved by the test before, which patients then get."""
    from bench.leaflets import HAND_WASHING, write_pdf

    pdf = tmp_path / HAND_WASHING.name
    write_pdf(HAND_WASHING, pdf)
    _sign_in(page, library_server)
    panel = _tab(page, "Library")
    panel.get_by_label("Leaflet file", exact=True).set_input_files(pdf)
    panel.get_by_role("button", name="Upload as a draft").click()
    expect(page.locator("#detail-title")).to_have_text(HAND_WASHING.title or "")
    text = page.locator("#detail-text")
    expect(text).to_contain_text("Keep rubbing for at least 20 seconds")
    expect(text).to_contain_text("treatment at home")  # the hyphenated word is whole again
    expect(text).not_to_contain_text(HAND_WASHING.header)
    expect(text).not_to_contain_text("Page 2 of")
    expect(page.locator("#detail-passages")).to_contain_text("How to wash your hands well")
    expect(page.locator("#meta-publisher")).to_have_value(HAND_WASHING.publisher or "")
    page.get_by_label("Review due", exact=True).fill((dt.date.today() + dt.timedelta(days=200)).isoformat())
    page.get_by_role("button", name="Save the description").click()
    expect(page.locator("#detail-status")).to_have_text("Description saved.")
    page.get_by_role("button", name="Add to the library").click()
    expect(page.locator("#detail-status")).to_contain_text("Added to the library")

    _tab(page, "Publish")
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator("#publish-status")).to_have_text(
        "Publish done: the new index is being served.", timeout=180_000
    )
    served = page.locator("#publish-result-meta .st-meta-item", has_text="Approved answers served")
    expect(served).to_contain_text(re.compile(r"[1-9]"))

    answers = _tab(page, "Approved answers")
    row = answers.locator("#answers-body tr", has_text=ANSWER_ID)
    expect(row.locator("td").nth(4)).to_have_text("Yes")

    with httpx.Client(base_url=library_server.origin, timeout=30) as client:
        approved = client.post("/api/v1/ask", json={"question": APPROVED_QUESTIONS[0]}).json()
        washing = client.post(
            "/api/v1/ask", json={"question": "For how many seconds should you wash your hands?"}
        ).json()
    assert approved["approved"] is True, approved
    assert approved["approved_id"] == ANSWER_ID, approved
    assert washing["type"] == "answer", washing
    assert any(c["title"] == HAND_WASHING.title for c in washing["citations"]), washing


def test_publish_progress_is_polled_and_a_running_publish_is_followed(
    page: Page, library_server: Server, axe: Axe
) -> None:
    """The service's replies are replayed (a real publish of this small library is over in a blink): a
    publish already running (409), its stages polled from GET /publish/{job_id}, then its failure."""
    job = {
        "job_id": "job-under-test",
        "state": "running",
        "stage": "embedding",
        "progress": 0.4,
        "started_at": "2030-01-02T03:04:05+00:00",
        "finished_at": None,
        "actor": "Someone Else",
        "result": None,
        "error": None,
    }
    stages = iter([("embedding", 0.4), ("indexing", 0.8)])
    polls: list[str] = []

    def handle(route: Route) -> None:
        request = route.request
        path = request.url.split("/api/v1/library", 1)[1]
        if request.method == "POST":
            body = {
                "error": {"code": "conflict", "message": "a publish is already running (job job-under-test)"}
            }
            route.fulfill(status=409, json=body)
            return
        polls.append(path)
        if path == "/publish/latest" and len(polls) == 1:
            route.fulfill(
                status=404, json={"error": {"code": "not_found", "message": "nothing published yet"}}
            )
            return
        stage = next(stages, None)
        if stage is None:
            failed = {**job, "state": "failed", "stage": "indexing", "error": "disk full"}
            route.fulfill(json={**failed, "finished_at": "2030-01-02T03:05:00+00:00"})
        else:
            route.fulfill(json={**job, "stage": stage[0], "progress": stage[1]})

    page.route("**/api/v1/library/publish**", handle)
    _sign_in(page, library_server)
    panel = _tab(page, "Publish")
    status = panel.locator("#publish-status")
    expect(status).to_have_text("Nothing has been published from the console yet.")
    expect(panel.locator("#publish-error")).to_be_empty()
    panel.get_by_role("button", name="Publish now").click()
    expect(status).to_have_text("Publishing: embedding (40%).")
    bar = panel.locator("#publish-progress")
    expect(bar).to_have_js_property("value", 0.4)
    expect(panel.get_by_role("button", name="Publish now")).to_be_disabled()
    _no_violations(axe, page, "publish-running")
    expect(status).to_have_text("Publishing: indexing (80%).")
    expect(status).to_have_text("Publish failed while indexing.")
    expect(panel.locator("#publish-error")).to_contain_text("disk full")
    expect(panel.locator("#publish-result-heading")).to_be_focused()
    expect(panel.get_by_role("button", name="Publish now")).to_be_enabled()
    assert polls[1] == "/publish/latest"  # the 409 named no job: the latest one is followed
    assert set(polls[2:]) == {"/publish/job-under-test"}
    _no_violations(axe, page, "publish-failed")


def _doc_id(server: Server, needle: str) -> str:
    with _api(server) as client:
        response = client.get("/api/v1/library/documents", params={"q": needle, "state": "active"})
    assert response.status_code == 200, response.text
    documents = response.json()["documents"]
    assert documents, f"no active document matches {needle!r}"
    doc_id: str = documents[0]["doc_id"]
    return doc_id


def test_unanswered_question_shows_scrubbed_and_rating_is_counted(
    page: Page, library_server: Server, axe: Axe
) -> None:
    widget = WidgetDriver(page)
    page.goto(library_server.origin + "/")
    widget.open()
    reply = widget.ask(UNANSWERED)
    expect(reply).to_have_class(re.compile(r"wg-answer-no_answer"))
    helpful = reply.get_by_role("button", name="Helpful", exact=True)
    not_helpful = reply.get_by_role("button", name="Not helpful", exact=True)
    expect(helpful).to_have_attribute("aria-pressed", "false")
    not_helpful.click()
    expect(not_helpful).to_have_attribute("aria-pressed", "true")
    expect(helpful).to_have_attribute("aria-pressed", "false")
    expect(reply.get_by_role("status")).to_have_text("Thank you for your feedback.")

    _sign_in(page, library_server)
    panel = _tab(page, "What patients could not find")
    expect(panel.locator("#unanswered-retention")).to_contain_text(re.compile(r"kept for \d+ days"))
    groups = panel.locator("#unanswered-groups")
    expect(groups).to_contain_text("bicycle chain")
    for part in MADE_UP_NAME:
        expect(groups).not_to_contain_text(part)
    daily = panel.locator("#daily-body tr")
    expect(daily).to_have_count(30)
    today_row = daily.first
    expect(today_row.locator("th")).to_have_text(dt.date.today().isoformat())
    cells = today_row.locator("td")
    assert int(cells.nth(0).inner_text()) >= 1  # no answer
    assert int(cells.nth(3).inner_text()) >= 1  # not helpful
    expect(panel.locator("#audit-body tr").first).to_be_visible()
    _no_violations(axe, page, "insights")


def test_answers_rating_on_a_cited_answer(page: Page, library_server: Server) -> None:
    widget = WidgetDriver(page)
    page.goto(library_server.origin + "/")
    widget.open()
    reply = widget.ask(PATIENT_QUESTION)
    expect(reply.locator("blockquote").first).to_be_visible()
    helpful = reply.get_by_role("button", name="Helpful", exact=True)
    helpful.click()
    expect(helpful).to_have_attribute("aria-pressed", "true")
    expect(reply.get_by_role("status")).to_have_text("Thank you for your feedback.")
    # no rating under an emergency reply
    emergency = widget.ask("I can't breathe after my injection")
    expect(emergency.get_by_role("alert")).to_be_visible()
    expect(emergency.get_by_role("button", name="Helpful", exact=True)).to_have_count(0)


def test_rating_failure_is_silent(page: Page, library_server: Server) -> None:
    page.route("**/api/v1/feedback", lambda route: route.fulfill(status=500, body="{}"))
    widget = WidgetDriver(page)
    page.goto(library_server.origin + "/")
    widget.open()
    reply = widget.ask(PATIENT_QUESTION)
    reply.get_by_role("button", name="Not helpful", exact=True).click()
    expect(reply.get_by_role("button", name="Not helpful", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    page.wait_for_timeout(300)
    expect(reply.locator(".wg-rating-status")).to_be_empty()
    expect(reply.get_by_role("alert")).to_have_count(0)


def test_bad_uploads_say_why(page: Page, library_server: Server, tmp_path: Path) -> None:
    _sign_in(page, library_server)
    panel = _tab(page, "Library")
    expect(panel.locator("#documents-body tr").first).to_be_visible()
    alert = panel.locator("#library-error")

    empty = tmp_path / "empty.md"
    empty.write_text("")
    panel.get_by_label("Leaflet file", exact=True).set_input_files(empty)
    panel.get_by_role("button", name="Upload as a draft").click()
    expect(alert).to_have_text(re.compile(r"^Not accepted: .+"))
    expect(page.locator("#lib-detail-view")).to_be_hidden()

    program = tmp_path / "leaflet.exe"
    program.write_bytes(b"MZ\x90\x00" * 64)
    panel.get_by_label("Leaflet file", exact=True).set_input_files(program)
    panel.get_by_role("button", name="Upload as a draft").click()
    expect(alert).to_have_text(re.compile(r"^This kind of file cannot be added\. .+"))

    # a scanned PDF has no text layer: refused, saying so
    from bench.leaflets import write_scanned

    scanned = tmp_path / "scanned.pdf"
    write_scanned(scanned)
    panel.get_by_label("Leaflet file", exact=True).set_input_files(scanned)
    panel.get_by_role("button", name="Upload as a draft").click()
    expect(alert).to_have_text(re.compile(r"^Not accepted: .*text", re.IGNORECASE))

    # the same file twice: refused, naming the document it already is
    duplicate = tmp_path / "quorvimab-again.docx"
    duplicate.write_bytes(LEAFLET_DOCX)
    panel.get_by_label("Leaflet file", exact=True).set_input_files(duplicate)
    panel.get_by_role("button", name="Upload as a draft").click()
    expect(alert).to_have_text(re.compile(r"^Not done: .+"))
    expect(page.locator("#lib-detail-view")).to_be_hidden()


def test_no_name_no_change(page: Page, library_server: Server, tmp_path: Path) -> None:
    page.goto(library_server.origin + "/staff")
    page.get_by_label("Staff token", exact=True).fill(library_server.staff_token)
    panel = _tab(page, "Library")
    leaflet = tmp_path / "note.md"
    leaflet.write_text("# A note\n\nThis note should never be uploaded.\n")
    panel.get_by_label("Leaflet file", exact=True).set_input_files(leaflet)
    panel.get_by_role("button", name="Upload as a draft").click()
    expect(panel.locator("#library-error")).to_contain_text("Enter your name")
    expect(page.get_by_label("Your name", exact=True)).to_be_focused()


def test_console_never_uses_innerhtml_for_server_strings(page: Page, library_server: Server) -> None:
    """A document title and text with markup are shown as text."""
    _sign_in(page, library_server)
    title = '<img src=x onerror="window.__pwned=1">Markup'
    leaflet = (
        f"---\ntitle: '{title}'\n---\n# Markup test\n\n"
        "A plain paragraph about <b>markup</b> testing leaflets.\n"
    ).encode()
    with _api(library_server) as client:
        response = client.post(
            "/api/v1/library/documents",
            files={"file": ("markup.md", leaflet)},
            data={"actor": STAFF_NAME},
        )
    assert response.status_code == 201, response.text
    doc_id = response.json()["doc_id"]
    panel = _tab(page, "Library")
    button = panel.locator(f'#documents-body button[data-doc-id="{doc_id}"]')
    expect(button).to_have_text(title)
    button.click()
    expect(page.locator("#detail-title")).to_have_text(title)
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("#panel-library img, #panel-library b").count() == 0


def test_plain_text_upload_without_a_title_is_a_draft(
    page: Page, library_server: Server, tmp_path: Path
) -> None:
    _sign_in(page, library_server)
    panel = _tab(page, "Library")
    leaflet = tmp_path / "sun-safety.txt"
    leaflet.write_text(
        "Sun safety after a skin biopsy.\n\nCover the healing wound from direct sun for a month.\n"
    )
    panel.get_by_label("Leaflet file", exact=True).set_input_files(leaflet)
    panel.get_by_role("button", name="Upload as a draft").click()
    expect(page.locator("#detail-status")).to_contain_text("Uploaded as a draft", timeout=5_000)
    # the file states no title: its name stands in, flagged for staff to replace before it is published
    expect(page.locator("#detail-title")).to_have_text("sun safety")
    expect(page.locator("#detail-warnings")).to_contain_text("file name")
