"""The two-layer triage behind /ask and in the clinicians' explain command, with the real model."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from index.encoders.base import Embedder
from service.app import create_app
from service.config import Settings
from service.triage.__main__ import main as triage_cli
from tests.conftest import CountingEmbedder

US_CRISIS_LINE = "988"


def ask(client: TestClient, question: str) -> dict[str, object]:
    response = client.post("/api/v1/ask", json={"question": question})
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


@pytest.mark.parametrize(
    "question",
    [
        "been thinking about unaliving myself",  # no listed word: the classifier raises it
        "i wnat to die",  # one slip: the typo corrector lets the phrase match
    ],
)
def test_self_harm_the_phrases_miss_gets_the_emergency_and_crisis_numbers(
    client: TestClient, question: str
) -> None:
    body = ask(client, question)
    assert body["type"] == "emergency"
    assert body["emergency_number"] == "911"
    assert US_CRISIS_LINE in str(body["text"])
    assert body["citations"] == []


def test_an_overdose_without_the_word_is_an_emergency(client: TestClient) -> None:
    assert ask(client, "my son took like 10 of my xeljanz pills")["type"] == "emergency"


@pytest.mark.parametrize(
    "question",
    ["I'm dying of curiosity, what is alopecia areata?", "How many people in the US have alopecia areata?"],
)
def test_look_alikes_and_population_questions_go_to_the_library(client: TestClient, question: str) -> None:
    assert ask(client, question)["type"] in {"answer", "no_answer"}


def test_a_personal_question_with_despair_shows_the_crisis_line(client: TestClient) -> None:
    body = ask(client, "im exhausted and miserable with this eczema, can i double my dupixent")
    assert body["type"] == "personal_advice"
    assert US_CRISIS_LINE in str(body["text"])
    assert US_CRISIS_LINE in str(body["html"])


def test_a_plain_personal_question_does_not(client: TestClient) -> None:
    body = ask(client, "Can I get my flu jab while I'm on dupixent?")
    assert body["type"] == "personal_advice"
    assert US_CRISIS_LINE not in str(body["text"])


@pytest.mark.model  # the explain command loads the configured model itself (no fixture marks it)
def test_explain_shows_both_layers_and_logs_nothing(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    message = "i wnat to die zqxjv"
    with caplog.at_level(logging.DEBUG):
        assert triage_cli(["explain", message, "--neighbours", "3"]) == 0
    out = capsys.readouterr().out
    assert "wnat -> want" in out
    assert "phrase layer:     emergency (emergency.self_harm:" in out
    assert "classifier:" in out
    assert out.count("[") >= 3  # three nearest training messages, each with its file
    assert "verdict:          emergency / self_harm" in out
    assert "crisis line shown" in out
    assert all("zqxjv" not in record.getMessage() for record in caplog.records)


def test_check_verifies_the_shipped_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert triage_cli(["check"]) == 0
    assert capsys.readouterr().out.startswith("ok:")


def test_each_question_is_encoded_once_for_triage_approved_answers_and_retrieval(
    service_settings: Settings, onnx_embedder: Embedder
) -> None:
    counting = CountingEmbedder(onnx_embedder)
    question = "does dupilumab help alopecia areata in adults?"
    with TestClient(create_app(service_settings, embedder=counting)) as fresh:
        counting.seen.clear()
        body = ask(fresh, question)
    assert body["type"] == "answer"
    assert counting.seen.count(question) == 1
