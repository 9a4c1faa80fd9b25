"""The HTTP contract of /ask, /search, /documents, /healthz, /readyz and /docs, on the real seed index."""

from __future__ import annotations

import logging
import uuid
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from index.search.library import Library

SEED_QUESTIONS = [
    "Can an eczema drug make my hair grow back?",
    "How many patients in the ruxolitinib study regrew their hair?",
    "What are the side effects of JAK inhibitors?",
    "Does dupilumab work for alopecia totalis?",
]
OFF_LIBRARY = [
    "What is the capital of France?",
    "Which laptop should I buy for gaming?",
    "How do I bake sourdough bread?",
    "Who won the football world cup?",
]


def ask(client: TestClient, question: str) -> tuple[int, dict[str, Any]]:
    response = client.post("/api/v1/ask", json={"question": question})
    return response.status_code, response.json()


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["index"]["documents"] == 5


def test_openapi_docs_are_served_locally(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/docs/assets/swagger-ui-bundle.js" in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # no CDN
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/docs/assets/../../pyproject.toml").status_code == 404
    assert "/api/v1/ask" in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize("question", SEED_QUESTIONS)
def test_seed_question_gets_cited_verbatim_passages(
    client: TestClient, staff_headers: dict[str, str], question: str
) -> None:
    status, body = ask(client, question)
    assert status == 200
    assert body["type"] == "answer"
    assert 1 <= len(body["citations"]) <= 3
    assert body["disclaimer"] in body["text"]
    for n, citation in enumerate(body["citations"], start=1):
        assert citation["n"] == n
        document = client.get(f"/api/v1/documents/{citation['doc_id']}", headers=staff_headers).json()
        assert document["text"][citation["start"] : citation["end"]] == citation["quote"]
        assert citation["quote"] in body["text"]
        assert citation["title"] == document["title"]
    assert f"[{len(body['citations'])}]" in body["text"]
    assert "Date unknown" in body["text"]  # the seed pages state no publication date


def test_request_id_is_returned_in_body_and_header(client: TestClient) -> None:
    response = client.post("/api/v1/ask", json={"question": SEED_QUESTIONS[0]})
    assert response.json()["request_id"] == response.headers["X-Request-ID"]


@pytest.mark.parametrize("question", OFF_LIBRARY)
def test_off_library_questions_get_no_answer_with_contact(client: TestClient, question: str) -> None:
    status, body = ask(client, question)
    assert status == 200
    assert body["type"] == "no_answer"
    assert body["citations"] == []
    assert "Riverside Dermatology Demo on 555 0100" in body["text"]
    assert body["disclaimer"] in body["text"]


def test_personal_question_gets_a_referral_without_passages(client: TestClient) -> None:
    status, body = ask(client, "Should I stop taking my dupilumab injections?")
    assert status == 200
    assert body["type"] == "personal_advice"
    assert body["citations"] == []
    assert "Riverside Dermatology Demo on 555 0100" in body["text"]
    assert "prescriber or pharmacist" in body["text"]
    assert all(set(doc) == {"doc_id", "title", "publisher", "url"} for doc in body["related_documents"])
    assert any("upilumab" in doc["title"] for doc in body["related_documents"])


def test_emergency_opens_with_the_number_and_has_no_passages(client: TestClient) -> None:
    status, body = ask(client, "My lips and tongue are swelling after the injection")
    assert status == 200
    assert body["type"] == "emergency"
    assert body["text"].startswith("Call 911 now.")
    assert body["citations"] == []
    assert body["related_documents"] == []
    assert "988" not in body["text"]


def test_self_harm_adds_the_crisis_line(client: TestClient) -> None:
    _, body = ask(client, "Losing my hair makes me feel there is no reason to live")
    assert body["type"] == "emergency"
    assert body["text"].startswith("Call 911 now.")
    assert "988" in body["text"]


def test_html_escapes_question_and_passages(client: TestClient) -> None:
    _, body = ask(client, "<script>alert('x')</script> does ruxolitinib regrow hair?")
    assert body["type"] == "answer"
    assert "<script>" not in body["html"]
    assert "&lt;script&gt;" in body["html"]
    assert "<script>" in body["text"]  # plain text is plain: clients insert it as text


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"question": ""}, 422, "invalid_question"),
        ({"question": "   \n\t "}, 422, "invalid_question"),
        ({"question": "x" * 1001}, 413, "question_too_long"),
        ({}, 422, "validation_error"),
        ({"question": 42}, 422, "validation_error"),
        ({"question": "hair", "name": "extra field"}, 422, "validation_error"),
    ],
)
def test_bad_questions_get_json_errors(
    client: TestClient, payload: dict[str, Any], status: int, code: str
) -> None:
    response = client.post("/api/v1/ask", json=payload)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_invalid_json_is_422(client: TestClient) -> None:
    response = client.post(
        "/api/v1/ask", content=b'{"question": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_oversized_body_is_413_before_parsing(client: TestClient) -> None:
    response = client.post("/api/v1/ask", content=b"x" * 70_000, headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_staff_endpoints_need_the_token(client: TestClient) -> None:
    for url in ("/api/v1/search?q=ruxolitinib", "/api/v1/documents/dupilumab-case-report-mgh"):
        assert client.get(url).status_code == 401
        wrong = client.get(url, headers={"Authorization": "Bearer not-the-token-but-long-enough"})
        assert wrong.status_code == 401
        assert wrong.json()["error"]["code"] == "not_authenticated"


def test_search_ranks_and_highlights(client: TestClient, staff_headers: dict[str, str]) -> None:
    body = client.get(
        "/api/v1/search", params={"q": "ruxolitinib twice a day", "k": 3}, headers=staff_headers
    ).json()
    assert [r["rank"] for r in body["results"]] == [1, 2, 3]
    top = body["results"][0]
    assert top["doc_id"] == "ruxolitinib-pilot-belgravia"
    assert top["highlights"]
    for start, end in top["highlights"]:
        assert top["text"][start:end].lower() in {"ruxolitinib", "twice", "day"}
    assert "<mark>" in top["highlighted_html"]
    scores = [r["score"] for r in body["results"]]
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_search_validates_input(client: TestClient, staff_headers: dict[str, str]) -> None:
    assert client.get("/api/v1/search", params={"q": " "}, headers=staff_headers).status_code == 422
    assert (
        client.get("/api/v1/search", params={"q": "hair", "k": 0}, headers=staff_headers).status_code == 422
    )
    assert client.get("/api/v1/search", headers=staff_headers).status_code == 422


def test_documents_endpoint(client: TestClient, staff_headers: dict[str, str]) -> None:
    document = client.get("/api/v1/documents/jak-inhibitors-trials-news", headers=staff_headers).json()
    assert document["publisher"] is None  # the page does not name it: never invented
    assert "publisher" in document["missing_metadata"]
    assert document["text"].startswith("The cure for baldness")
    missing = client.get("/api/v1/documents/no-such-doc", headers=staff_headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "document_not_found"


def test_security_headers(client: TestClient) -> None:
    response = client.get("/healthz")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_bug_becomes_a_json_500_with_the_request_id_and_no_question_in_the_log(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "my name is Ada Example and my tablets"

    def broken(question: str, request_id: str) -> None:
        raise RuntimeError(f"failed on {question}")

    app = cast(Any, client.app)
    monkeypatch.setattr(app.state.runtime.composer, "answer", broken)
    with caplog.at_level(logging.DEBUG):
        response = client.post("/api/v1/ask", json={"question": f"{secret} {uuid.uuid4().hex}"})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert response.headers["X-Request-ID"] in caplog.text
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "RuntimeError" in caplog.text
    assert "Ada" not in caplog.text


def test_search_accepts_k_up_to_100(
    client: TestClient, staff_headers: dict[str, str], seed_library_onnx: Library
) -> None:
    body = client.get("/api/v1/search", params={"q": "hair", "k": 100}, headers=staff_headers).json()
    assert body["group"] == "passage"
    assert body["documents"] == []
    # the seed library has fewer than 100 passages (and more than the old limit of 50 would matter for):
    # k = 100 lists every one of them once
    library = seed_library_onnx
    assert len(library.chunks) < 100
    assert sorted(r["chunk_id"] for r in body["results"]) == sorted(c.chunk_id for c in library.chunks)
    assert [r["rank"] for r in body["results"]] == list(range(1, len(body["results"]) + 1))
    too_many = client.get("/api/v1/search", params={"q": "hair", "k": 101}, headers=staff_headers)
    assert too_many.status_code == 422
    bad_group = client.get("/api/v1/search", params={"q": "hair", "group": "page"}, headers=staff_headers)
    assert bad_group.status_code == 422


def test_search_grouped_by_document(client: TestClient, staff_headers: dict[str, str]) -> None:
    query = "can dupilumab cause hair loss"
    grouped = client.get(
        "/api/v1/search", params={"q": query, "k": 3, "group": "document"}, headers=staff_headers
    ).json()
    assert grouped["group"] == "document"
    assert grouped["results"] == []
    documents = grouped["documents"]
    assert [d["rank"] for d in documents] == [1, 2, 3]
    # oracle: documents in the order their first passage appears in the plain passage ranking
    flat = client.get("/api/v1/search", params={"q": query, "k": 100}, headers=staff_headers).json()
    first_seen = list(dict.fromkeys(r["doc_id"] for r in flat["results"]))
    assert [d["doc_id"] for d in documents] == first_seen[:3]
    for document in documents:
        passages = document["passages"]
        assert 1 <= len(passages) <= 5
        assert {p["doc_id"] for p in passages} == {document["doc_id"]}
        assert document["score"] == passages[0]["score"]
        assert [p["rank"] for p in passages] == sorted(p["rank"] for p in passages)
        expected = [r["chunk_id"] for r in flat["results"] if r["doc_id"] == document["doc_id"]][:5]
        assert [p["chunk_id"] for p in passages] == expected
    assert documents[0]["doc_id"] == flat["results"][0]["doc_id"]


def test_redirects_never_take_their_host_from_the_request(client: TestClient) -> None:
    response = client.get("/staff/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert response.status_code in {301, 307, 308}
    assert response.headers["location"] == "/staff"


def test_method_not_allowed_names_the_allowed_methods(client: TestClient) -> None:
    response = client.get("/api/v1/ask")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["error"]["code"] == "http_error"
