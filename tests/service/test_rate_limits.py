"""Flood limits: per address on /ask and staff routes, a lockout after failed tokens, proxies only if trusted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from index.encoders.base import Embedder
from service.app import create_app
from service.config import Settings
from service.rate_limits import RateLimits, parse_limits
from tests.service.conftest import STAFF_TOKEN, make_settings

ASK = "/api/v1/ask"


def request_from(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "client": (peer, 1)})


def test_forwarded_for_is_read_only_from_trusted_proxies() -> None:
    plain = RateLimits("1/minute", "1/minute", "1/minute")
    assert plain.client_address(request_from("203.0.113.9", "1.2.3.4")) == "203.0.113.9"
    behind = RateLimits("1/minute", "1/minute", "1/minute", ["10.0.0.0/8", "127.0.0.1"])
    assert behind.client_address(request_from("10.1.2.3", "198.51.100.7")) == "198.51.100.7"
    # the right-most address not itself a proxy: a client cannot pick its own address by prepending one
    assert (
        behind.client_address(request_from("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.9.9.9")) == "198.51.100.7"
    )
    assert behind.client_address(request_from("203.0.113.9", "198.51.100.7")) == "203.0.113.9"
    assert behind.client_address(request_from("10.1.2.3")) == "10.1.2.3"
    assert behind.client_address(request_from("10.1.2.3", "not-an-address")) == "not-an-address"


def test_bad_limit_settings_are_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="not a rate limit"):
        parse_limits("lots")
    with pytest.raises(ValueError, match="rate_limit_ask"):
        Settings(rate_limit_ask="many per minute")
    with pytest.raises(ValueError, match="trusted_proxies"):
        Settings(trusted_proxies=["not a network"])


@pytest.fixture
def limited(seed_index_dir_onnx: Path, onnx_embedder: Embedder) -> Iterator[TestClient]:
    settings = make_settings(
        seed_index_dir_onnx,
        rate_limit_ask="3/minute",
        rate_limit_staff="4/minute",
        rate_limit_failed_token="2/minute",
        trusted_proxies=["127.0.0.1"],
        answer_cache_entries=0,
    )
    with TestClient(create_app(settings, embedder=onnx_embedder), client=("127.0.0.1", 5000)) as client:
        yield client


def test_a_flood_of_questions_gets_429_with_retry_after_and_the_emergency_number(limited: TestClient) -> None:
    patient = {"X-Forwarded-For": "198.51.100.7"}
    for _ in range(3):
        assert (
            limited.post(ASK, json={"question": "what is alopecia areata"}, headers=patient).status_code
            == 200
        )
    refused = limited.post(ASK, json={"question": "what is alopecia areata"}, headers=patient)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    body = refused.json()
    assert body["error"]["code"] == "rate_limited"
    assert body["error"]["emergency_number"] == "911"
    assert "911" in body["error"]["message"]
    # another patient behind the same proxy has a limit of their own
    other = {"X-Forwarded-For": "198.51.100.8"}
    assert limited.post(ASK, json={"question": "what is alopecia areata"}, headers=other).status_code == 200


def test_failed_tokens_lock_the_staff_routes_even_for_the_right_token(limited: TestClient) -> None:
    guesser = {"X-Forwarded-For": "203.0.113.50"}
    for attempt in range(2):
        wrong = limited.get(
            "/api/v1/search",
            params={"q": "hair"},
            headers={**guesser, "Authorization": f"Bearer guess-{attempt:020d}"},
        )
        assert wrong.status_code == 401
    locked = limited.get(
        "/api/v1/search", params={"q": "hair"}, headers={**guesser, "Authorization": f"Bearer {STAFF_TOKEN}"}
    )
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) >= 1
    assert "emergency_number" not in locked.json()["error"]
    # staff elsewhere are not locked out by someone else's guesses
    staff = {"X-Forwarded-For": "203.0.113.60", "Authorization": f"Bearer {STAFF_TOKEN}"}
    assert limited.get("/api/v1/search", params={"q": "hair"}, headers=staff).status_code == 200


def test_staff_routes_have_their_own_limit(limited: TestClient) -> None:
    staff = {"X-Forwarded-For": "203.0.113.70", "Authorization": f"Bearer {STAFF_TOKEN}"}
    statuses = [
        limited.get("/api/v1/search", params={"q": "hair"}, headers=staff).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
