"""service/patient_text.py: request text cleaned once at the edge, and what the API does with the result."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from service.patient_text import VISIBLE_TEXT_SCHEMA, clean_text

FORBIDDEN = [chr(c) for c in range(0x20) if chr(c) not in "\n\t\r"] + ["\x7f", "\u200b", "\ufeff", "\x1b"]


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_clean_text_leaves_nothing_unsafe_and_is_idempotent(text: str) -> None:
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # no lone surrogate is left: this would raise
    assert not any(ch in cleaned for ch in FORBIDDEN)
    assert clean_text(cleaned) == cleaned
    assert cleaned == cleaned.strip()


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x1b")))
def test_the_schema_states_exactly_what_is_refused(text: str) -> None:
    """Schema-valid (a character that is neither white space nor invisible) iff something is left to answer.
    Lone surrogates (category Cs) are left out: no JSON-schema string holds one; an ANSI escape is removed
    whole, which a pattern cannot say."""
    pattern = VISIBLE_TEXT_SCHEMA["pattern"]
    assert isinstance(pattern, str)
    assert bool(re.search(pattern, text)) == bool(clean_text(text))


def test_clean_text_examples() -> None:
    assert clean_text("hair loss \ud800") == "hair loss"
    assert clean_text("\x1b[31mred\x1b[0m alert") == "red alert"
    assert clean_text("a\x00b") == "a\ufffdb"  # neutralised, never echoed raw
    assert clean_text("a\x1cb\x85c") == "a b c"  # control characters that Unicode counts as white space
    assert clean_text("\u200b\u200b\ufeff") == ""
    assert clean_text("line one\nline two") == "line one\nline two"
    assert clean_text("cafe\u0301") == "café"  # NFC


def test_a_lone_surrogate_is_answered_like_the_rest_of_the_question(client: TestClient) -> None:
    body = b'{"question": "what is alopecia areata \\ud800"}'
    response = client.post("/api/v1/ask", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    plain = client.post("/api/v1/ask", json={"question": "what is alopecia areata"})
    assert response.json()["type"] == plain.json()["type"] == "answer"
    assert [c["chunk_id"] for c in response.json()["citations"]] == [
        c["chunk_id"] for c in plain.json()["citations"]
    ]


def test_invisible_only_and_empty_questions_are_422(client: TestClient) -> None:
    for question in ["", "\u200b\u200b", "\u200b \ufeff\x1c", "\x1b[0m"]:
        response = client.post("/api/v1/ask", json={"question": question})
        assert response.status_code == 422, repr(question)
        assert response.json()["error"]["code"] == "invalid_question"
        assert question not in response.text or not question
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    question_schema = schema["AskRequest"]["properties"]["question"]
    assert question_schema["minLength"] == 1
    assert re.search(question_schema["pattern"], "a")
    for invisible in ["\u200b", " \t", "\ufeff\u200d", "\x1c"]:
        assert not re.search(question_schema["pattern"], invisible)


def test_control_characters_are_never_echoed(client: TestClient) -> None:
    response = client.post("/api/v1/ask", json={"question": "is \x00dupilumab\x1b[2J an injection?"})
    assert response.status_code == 200
    body = response.text
    assert "\\u0000" not in body
    assert "\x00" not in body
    assert "\\u001b" not in body
    assert "\x1b" not in body


def test_review_and_search_take_the_same_cleaning(client: TestClient, staff_headers: dict[str, str]) -> None:
    body = b'{"answer": "Dupilumab is an injection. \\udfff"}'
    headers = {**staff_headers, "Content-Type": "application/json"}
    assert client.post("/api/v1/review", content=body, headers=headers).status_code == 200
    search = client.get("/api/v1/search", params={"q": "\u200b"}, headers=staff_headers)
    assert search.status_code == 422


def test_schemathesis_can_use_the_pattern() -> None:
    """A pattern schemathesis cannot compile is dropped, and then it fuzzes without it."""
    patterns = pytest.importorskip("schemathesis.core.jsonschema.patterns")
    assert patterns.enforced_pattern(VISIBLE_TEXT_SCHEMA["pattern"]) is not None


def test_checked_text_is_the_one_empty_and_length_check() -> None:
    from service.errors import AnswerTooLong, InvalidAnswer, InvalidQuestion, QuestionTooLong
    from service.patient_text import checked_text

    assert checked_text("  what is dupilumab?\n", "question", 20) == "what is dupilumab?"
    with pytest.raises(InvalidQuestion, match="question must not be empty"):
        checked_text("   ", "question", 20)
    with pytest.raises(QuestionTooLong, match="q is over 5 characters"):
        checked_text("abcdef", "q", 5)
    with pytest.raises(AnswerTooLong):
        checked_text("abcdef", "answer", 5, InvalidAnswer, AnswerTooLong)
    assert checked_text("abcde", "q", 5) == "abcde"  # the limit itself is allowed
