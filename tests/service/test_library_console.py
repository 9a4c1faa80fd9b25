"""The library console's API on the real app, model and index: upload, describe, publish with a hot swap, approve
an answer, and what patients could not find (scrubbed), with the store's errors as clear 4xx."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bench.leaflets import LEAFLETS, SCANNED_NAME, Leaflet, write_leaflets
from index.encoders.base import Embedder
from service.app import create_app
from tests.service.conftest import STAFF_TOKEN, make_settings

STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}
API = "/api/v1/library"
LEAFLET = b"""---
title: Chickenpox in children
publisher: Riverside Dermatology Demo
---
# Chickenpox in children

Chickenpox is a common childhood illness caused by the varicella zoster virus. It causes an itchy rash of
small blisters that crust over within a week.

# Keeping your child comfortable

Calamine lotion and cool baths can soothe the itching of chickenpox. Keep your child's fingernails short so
scratching does not break the blisters.
"""


@pytest.fixture
def console(seed_index_dir_onnx: Path, tmp_path: Path, onnx_embedder: Embedder) -> Iterator[TestClient]:
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index_dir_onnx, index_dir)
    settings = make_settings(index_dir, library_url=f"sqlite:///{tmp_path}/library.db", reload_interval=0)
    with TestClient(create_app(settings, embedder=onnx_embedder)) as client:
        yield client


def _upload(client: TestClient, name: str, data: bytes) -> Any:
    return client.post(
        f"{API}/documents", headers=STAFF, files={"file": (name, data)}, data={"actor": "Nurse Ada"}
    )


def _publish(client: TestClient) -> dict[str, Any]:
    started = client.post(f"{API}/publish", headers=STAFF, json={"actor": "Nurse Ada"})
    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    for _ in range(600):
        job: dict[str, Any] = client.get(f"{API}/publish/{job_id}", headers=STAFF).json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError("publish did not finish in 60 s")


@pytest.mark.model
def test_upload_publish_and_the_chat_cites_it_without_a_restart(console: TestClient) -> None:
    rows = console.get(f"{API}/documents", headers=STAFF).json()["documents"]
    assert len(rows) == 5
    assert {r["source"] for r in rows} == {"corpus"}
    assert all(r["published_in_index"] for r in rows)
    uploaded = _upload(console, "chickenpox.md", LEAFLET)
    assert uploaded.status_code == 201, uploaded.text
    draft = uploaded.json()
    doc_id = draft["doc_id"]
    assert draft["state"] == "draft"
    assert draft["title"] == "Chickenpox in children"
    assert draft["passages"]
    assert all(draft["text"][p["start"] : p["end"]] == p["text"] for p in draft["passages"])
    assert "review_due unknown: staff to fill" in draft["warnings"]
    patched = console.patch(
        f"{API}/documents/{doc_id}", headers=STAFF, json={"actor": "Nurse Ada", "review_due": "2099-01-01"}
    )
    assert patched.json()["status"] == "current"
    assert (
        console.post(f"{API}/documents/{doc_id}/activate", headers=STAFF, json={"actor": "Nurse Ada"}).json()[
            "state"
        ]
        == "active"
    )
    before = console.post("/api/v1/ask", json={"question": "What helps the itching of chickenpox?"}).json()
    assert doc_id not in [c["doc_id"] for c in before.get("citations", [])]
    started = time.perf_counter()
    job = _publish(console)
    seconds = time.perf_counter() - started
    assert job["state"] == "done", job
    assert job["result"]["documents"] == 6
    assert job["progress"] == 1.0
    print(f"publish end to end: {seconds:.2f} s")  # the measured figure is in bench (make bench-publish)
    after = console.post("/api/v1/ask", json={"question": "What helps the itching of chickenpox?"}).json()
    assert after["type"] == "answer"
    assert doc_id in [c["doc_id"] for c in after["citations"]]
    row = next(
        r for r in console.get(f"{API}/documents", headers=STAFF).json()["documents"] if r["doc_id"] == doc_id
    )
    assert row["published_in_index"] is True
    audit = [e["action"] for e in console.get(f"{API}/audit", headers=STAFF).json()["events"]]
    assert audit[:4] == ["publish", "publish", "activate", "edit metadata"]


@pytest.mark.model
def test_approved_answer_flow(console: TestClient) -> None:
    body = {
        "actor": "Nurse Ada",
        "questions": ["What is dupilumab?"],
        "answer": "Dupilumab is a medication that blocks the IL-4/IL-13 signalling pathway in the body.",
        "citations": ["dupilumab-advanced-aa-donovan"],
    }
    created = console.post(f"{API}/answers", headers=STAFF, json={**body, "answer_id": "console-dupilumab"})
    assert created.status_code == 201, created.text
    refused = console.post(
        f"{API}/answers/console-dupilumab/approve", headers=STAFF, json={"approver": "Dr Lee"}
    )
    assert refused.status_code == 409
    assert "passing check" in refused.json()["error"]["message"]
    checked = console.post(
        f"{API}/answers/console-dupilumab/check", headers=STAFF, json={"actor": "Nurse Ada"}
    ).json()
    assert checked["check"]["passed"] is True
    assert checked["check"]["sentences"][0]["verdict"] == "supported"
    approved = console.post(
        f"{API}/answers/console-dupilumab/approve", headers=STAFF, json={"approver": "Dr Lee"}
    )
    assert approved.json()["state"] == "approved"
    assert approved.json()["approved_by"] == "Dr Lee"
    assert _publish(console)["state"] == "done"
    row = console.get(f"{API}/answers", headers=STAFF, params={"state": "approved"}).json()["answers"]
    assert [r["answer_id"] for r in row if r["served"]] == ["console-dupilumab"]
    edited = console.patch(
        f"{API}/answers/console-dupilumab",
        headers=STAFF,
        json={"actor": "Bo", "answer": "Dupilumab cures everything."},
    ).json()
    assert edited["state"] == "draft"
    assert edited["approved_by"] is None
    failed = console.post(
        f"{API}/answers/console-dupilumab/check", headers=STAFF, json={"actor": "Bo"}
    ).json()
    assert failed["check"]["passed"] is False


@pytest.mark.model
def test_unanswered_questions_are_kept_scrubbed_and_counted(console: TestClient) -> None:
    question = "Hi, Zebulon Quarterfield (DOB 14/02/1961). How is glaucoma diagnosed?"
    reply = console.post("/api/v1/ask", json={"question": question}).json()
    assert reply["type"] == "no_answer"
    rated = console.post(
        "/api/v1/feedback", json={"request_id": reply["request_id"], "rating": "not_helpful"}
    )
    assert rated.status_code == 204
    assert console.post("/api/v1/feedback", json={"request_id": "x", "rating": "meh"}).status_code == 422
    today = console.get(f"{API}/insights/daily", headers=STAFF, params={"days": 7}).json()["days"][0]
    assert today["no_answer"] == 1
    assert today["not_helpful"] == 1
    groups = console.get(f"{API}/insights/unanswered", headers=STAFF).json()
    assert groups["retention_days"] == 30
    [kept] = [q["text"] for g in groups["groups"] for q in g["questions"]]
    assert "glaucoma" in kept
    for canary in ("Zebulon", "Quarterfield", "14", "1961"):
        assert canary not in kept


@pytest.mark.model
def test_bad_uploads_are_clear_4xx(console: TestClient) -> None:
    assert _upload(console, "virus.exe", b"MZ\x00\x01").status_code == 415
    assert _upload(console, "empty.md", b"").status_code == 422
    assert _upload(console, "chickenpox.md", LEAFLET).status_code == 201
    duplicate = _upload(console, "again.md", LEAFLET)
    assert duplicate.status_code == 409
    assert "already in the library" in duplicate.json()["error"]["message"]
    assert console.get(f"{API}/documents/nope", headers=STAFF).status_code == 404
    assert console.get(f"{API}/documents").status_code == 401
    bad_date = console.patch(
        f"{API}/documents/chickenpox", headers=STAFF, json={"actor": "A", "review_due": "soon"}
    )
    assert bad_date.status_code == 422


@pytest.mark.model
def test_an_unavailable_store_keeps_the_chat_up(seed_index_dir_onnx: Path, onnx_embedder: Embedder) -> None:
    settings = make_settings(seed_index_dir_onnx, library_url="sqlite:////proc/no-such-dir/library.db")
    with TestClient(create_app(settings, embedder=onnx_embedder)) as client:
        listed = client.get(f"{API}/documents", headers=STAFF)
        assert listed.status_code == 503
        assert "library store" in listed.json()["error"]["message"]
        assert client.post("/api/v1/ask", json={"question": "What is dupilumab?"}).json()["type"] == "answer"


@pytest.mark.model
@pytest.mark.parametrize("leaflet", LEAFLETS, ids=lambda leaflet: leaflet.name)
def test_pdf_and_word_uploads_round_trip_through_the_api(
    console: TestClient, leaflet: Leaflet, tmp_path: Path
) -> None:
    written = write_leaflets(tmp_path)
    path = tmp_path / leaflet.name
    assert leaflet.name in written
    detail = _upload(console, leaflet.name, path.read_bytes()).json()
    text = " ".join(detail["text"].split())
    assert [s for s in leaflet.sentences() if " ".join(s.split()) not in text] == []
    assert leaflet.header not in detail["text"]
    assert all(detail["text"][p["start"] : p["end"]] == p["text"] for p in detail["passages"])
    assert {p["section"] for p in detail["passages"]} <= {None, *leaflet.headings()}
    assert detail["format"] == leaflet.kind


@pytest.mark.model
def test_a_scanned_pdf_is_refused_with_the_reason(console: TestClient, tmp_path: Path) -> None:
    write_leaflets(tmp_path)
    refused = _upload(console, SCANNED_NAME, (tmp_path / SCANNED_NAME).read_bytes())
    assert refused.status_code == 422
    assert "no text layer" in refused.json()["error"]["message"]
