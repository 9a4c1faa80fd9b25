"""Patient questions are health information: no log line may hold the question's words."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

CANARY_NAME = "Zebedee Quartermaine"
CANARY_DOB = "1957-03-14"


@pytest.mark.parametrize(
    "question",
    [
        f"My name is {CANARY_NAME}, born {CANARY_DOB}. Does ruxolitinib regrow hair?",  # answer
        f"I am {CANARY_NAME} ({CANARY_DOB}), should I stop my dupilumab?",  # personal advice
        f"{CANARY_NAME} {CANARY_DOB} here, I can't breathe",  # emergency
        f"{CANARY_NAME} {CANARY_DOB} what is the capital of France",  # no answer
        f"{CANARY_NAME} {CANARY_DOB} " + "x" * 1200,  # rejected: too long
    ],
)
def test_question_text_never_reaches_the_log(
    client: TestClient, caplog: pytest.LogCaptureFixture, question: str
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = client.post("/api/v1/ask", json={"question": question})
        client.get(
            "/api/v1/search",
            params={"q": question[:900]},
            headers={"Authorization": "Bearer wrong-token-xxxxxxxx"},
        )
    assert response.status_code in {200, 413}
    # every logger but the test's own HTTP client (httpx logs the URL it requested, on the client side)
    server_side = [r for r in caplog.records if not r.name.startswith("httpx")]
    assert server_side, "the service should log each request (without the question)"
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in server_side)
    for text in (CANARY_NAME, "Quartermaine", CANARY_DOB):
        assert text not in logged
    ask_lines = [r.getMessage() for r in server_side if r.getMessage().startswith("ask ")]
    if response.status_code == 200:
        assert ask_lines
        assert f"type={response.json()['type']}" in ask_lines[-1]


def test_validation_errors_do_not_echo_the_question(client: TestClient) -> None:
    response = client.post("/api/v1/ask", json={"question": CANARY_NAME, "date_of_birth": CANARY_DOB})
    assert response.status_code == 422
    assert CANARY_DOB not in response.text
    assert CANARY_NAME not in response.text


def test_a_path_parameter_never_reaches_the_log(
    client: TestClient, caplog: pytest.LogCaptureFixture, staff_headers: dict[str, str]
) -> None:
    """The log names the route template, not the path: no name in a URL, no forged line, no escape."""
    paths = [
        f"/api/v1/documents/{CANARY_NAME} {CANARY_DOB}",
        "/api/v1/documents/x%0Afake%20log%20line%20status=200",
        "/api/v1/documents/%1B%5B31mred",
        f"/no-such-page/{CANARY_NAME}",
    ]
    with caplog.at_level(logging.INFO, logger="clinic.service"):
        for path in paths:
            assert client.get(path, headers=staff_headers).status_code == 404
    lines = [r.getMessage() for r in caplog.records if r.name == "clinic.service"]
    request_lines = [line for line in lines if line.startswith("request ")]
    assert len(request_lines) == len(paths)
    assert sum("route=/api/v1/documents/{doc_id}" in line for line in request_lines) == 3
    assert sum("route=unmatched" in line for line in request_lines) == 1
    for line in lines:
        for text in ("Quartermaine", CANARY_DOB, "fake log line", "\x1b", "\n", "\r"):
            assert text not in line
