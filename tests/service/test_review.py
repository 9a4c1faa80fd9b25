"""POST /api/v1/review: accuracy on a labelled set of claims about the seed library, and the endpoint contract."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from index.encoders.base import Embedder
from index.search.library import Library
from service.app import create_app
from service.schemas import MAX_REVIEW_CHARS

CLAIMS = yaml.safe_load((Path(__file__).with_name("review_claims.yaml")).read_text(encoding="utf-8"))
LABELS = ("supported", "unsupported", "mismatch")
URL = "/api/v1/review"


def review(
    client: TestClient, headers: dict[str, str], answer: str, citations: list[str] | None = None
) -> Any:
    body: dict[str, Any] = {"answer": answer}
    if citations is not None:
        body["citations"] = citations
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def run_set(
    client: TestClient, headers: dict[str, str], claims: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], Any]]:
    results = []
    for claim in claims:
        body = review(client, headers, claim["text"], claim.get("cite"))
        assert body["summary"]["total"] == len(body["sentences"]) == 1, claim["text"]
        results.append((claim, body["sentences"][0]))
    return results


def accuracy(results: list[tuple[dict[str, Any], Any]]) -> dict[str, tuple[int, int]]:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter(claim["label"] for claim, _ in results)
    for claim, sentence in results:
        right[claim["label"]] += sentence["verdict"] == claim["label"]
    return {label: (right[label], total[label]) for label in LABELS}


def report(name: str, results: list[tuple[dict[str, Any], Any]]) -> str:
    lines = [f"\nreview accuracy, {name}:"]
    for label, (right, total) in accuracy(results).items():
        lines.append(f"  {label:<12} {right}/{total} = {right / total:.2f}")
    for claim, sentence in results:
        if sentence["verdict"] != claim["label"]:
            lines.append(
                f"  MISS {claim['label']} -> {sentence['verdict']}: {claim['text']!r} ({sentence['reason']})"
            )
    return "\n".join(lines)


def test_labelled_claims(
    client: TestClient, staff_headers: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    claims = CLAIMS["claims"]
    assert all(claim["label"] in LABELS for claim in claims)
    assert all(sum(c["label"] == label for c in claims) >= 20 for label in LABELS)
    results = run_set(client, staff_headers, claims)
    holdout = run_set(client, staff_headers, CLAIMS["holdout"])
    located = [
        sentence["evidence"]["doc_id"] in claim["sources"]
        for claim, sentence in results
        if claim["label"] == sentence["verdict"] and claim["label"] != "unsupported"
    ]
    with capsys.disabled():
        print(report(f"labelled set ({len(claims)} claims)", results))
        print(f"  evidence in the expected document: {sum(located)}/{len(located)}")
        print(report(f"held-out set ({len(holdout)} claims, not used for tuning)", holdout))
    for label, (right, total) in accuracy(results).items():
        assert right / total >= 0.9, f"{label}: {right}/{total}"
    assert sum(located) / len(located) >= 0.9
    wrongly_approved = [
        c["text"] for c, s in holdout if c["label"] != "supported" and s["verdict"] == "supported"
    ]
    assert wrongly_approved == []
    for claim, sentence in results:
        if sentence["verdict"] == "unsupported":
            assert sentence["evidence"] is None
        else:
            assert sentence["evidence"] is not None, claim["text"]


def test_evidence_is_the_document_text_at_its_offsets(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    answer = (
        "Dupilumab blocks the IL-4/IL-13 signalling pathway. 90% of patients regrew their hair. "
        "Biotin supplements cure alopecia areata."
    )
    body = review(client, staff_headers, answer)
    assert [s["verdict"] for s in body["sentences"]] == ["supported", "mismatch", "unsupported"]
    assert body["summary"] == {"supported": 1, "unsupported": 1, "mismatch": 1, "total": 3}
    assert [s["text"] for s in body["sentences"]] == [
        "Dupilumab blocks the IL-4/IL-13 signalling pathway.",
        "90% of patients regrew their hair.",
        "Biotin supplements cure alopecia areata.",
    ]
    assert body["sentences"][1]["reason"].startswith("number differs: 90% in the answer, ")
    assert body["sentences"][2]["evidence"] is None
    for sentence in body["sentences"][:2]:
        evidence = sentence["evidence"]
        assert set(evidence) == {"doc_id", "chunk_id", "quote", "start", "end"}
        document = client.get(f"/api/v1/documents/{evidence['doc_id']}", headers=staff_headers).json()
        assert document["text"][evidence["start"] : evidence["end"]] == evidence["quote"]
        assert len(evidence["quote"]) < 400, "evidence is a sentence or two, not a whole chunk"
    assert review(client, staff_headers, answer) == body, "the review is deterministic"


def test_citations_restrict_the_search_and_chunk_ids_map_to_their_document(
    client: TestClient, staff_headers: dict[str, str], seed_library_onnx: Library
) -> None:
    claim = "Twelve patients with alopecia areata were given ruxolitinib."
    assert review(client, staff_headers, claim)["sentences"][0]["verdict"] == "supported"
    cited = review(client, staff_headers, claim, ["dupilumab-case-report-mgh"])["sentences"][0]
    assert (cited["verdict"], cited["reason"]) == (
        "unsupported",
        "no passage in the cited documents says this",
    )
    chunk = next(c for c in seed_library_onnx.chunks if "Nine of the 12 patients" in c.text)
    by_chunk = review(
        client, staff_headers, "Nine of the 12 patients had a remarkable response.", [chunk.chunk_id]
    )
    assert by_chunk["sentences"][0]["verdict"] == "supported"
    assert by_chunk["sentences"][0]["evidence"]["doc_id"] == chunk.doc_id


def test_staff_token_is_required(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}):
        response = client.post(URL, json={"answer": "Dupilumab blocks IL-13."}, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
        assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"answer": ""}, 422, "invalid_answer"),
        ({"answer": "   \n "}, 422, "invalid_answer"),
        ({}, 422, "validation_error"),
        ({"answer": "Fine.", "extra": 1}, 422, "validation_error"),
        ({"answer": "Fine.", "citations": "dupilumab-case-report-mgh"}, 422, "validation_error"),
        ({"answer": "x" * (MAX_REVIEW_CHARS + 1)}, 413, "answer_too_long"),
    ],
)
def test_bad_input(
    client: TestClient, staff_headers: dict[str, str], body: dict[str, Any], status: int, code: str
) -> None:
    response = client.post(URL, json=body, headers=staff_headers)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_unknown_citation_is_named(client: TestClient, staff_headers: dict[str, str]) -> None:
    body = {"answer": "Dupilumab blocks IL-13.", "citations": ["dupilumab-case-report-mgh", "leaflet-404"]}
    response = client.post(URL, json=body, headers=staff_headers)
    assert response.status_code == 404  # a reference to nothing: 404, as schemathesis expects of valid input
    error = response.json()["error"]
    assert error["code"] == "unknown_citation"
    assert "leaflet-404" in error["message"]
    assert "dupilumab-case-report-mgh" not in error["message"]


def test_not_ready_without_a_library(
    tmp_path: Path, settings_factory: Any, onnx_embedder: Embedder, staff_headers: dict[str, str]
) -> None:
    with TestClient(create_app(settings_factory(tmp_path / "missing"), embedder=onnx_embedder)) as client:
        response = client.post(URL, json={"answer": "Dupilumab blocks IL-13."}, headers=staff_headers)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "not_ready"


def test_openapi_documents_the_endpoint(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"][URL]["post"]
    assert {"200", "401", "413", "422", "503"} <= set(operation["responses"])
    assert operation["tags"] == ["staff"]
