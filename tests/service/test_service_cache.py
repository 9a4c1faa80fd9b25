"""The answer cache: bounded, least-recently-used out first, keyed loosely by the question."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.cache import LRUCache, question_key


def test_lru_evicts_least_recently_used() -> None:
    cache: LRUCache[int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c"), len(cache)) == (1, 3, 2)
    cache.clear()
    assert len(cache) == 0


def test_zero_entries_disables_the_cache() -> None:
    cache: LRUCache[int] = LRUCache(0)
    cache.put("a", 1)
    assert cache.get("a") is None


def test_question_key_is_the_question_as_asked() -> None:
    assert question_key("  Does Ruxolitinib work? ") == question_key("Does Ruxolitinib work?")
    assert question_key("does ruxolitinib work") != question_key("Does Ruxolitinib work?")


def test_repeated_question_is_served_from_cache_with_its_own_request_id(client: TestClient) -> None:
    cache = client.app.state.runtime.answers  # type: ignore[attr-defined]
    first = client.post("/api/v1/ask", json={"question": "What is alopecia totalis?"}).json()
    hits = cache.hits
    second = client.post("/api/v1/ask", json={"question": " What is alopecia totalis? "}).json()
    assert cache.hits == hits + 1
    assert second["request_id"] != first["request_id"]
    assert {k: v for k, v in second.items() if k != "request_id"} == {
        k: v for k, v in first.items() if k != "request_id"
    }


def test_a_later_patient_never_sees_the_first_askers_wording(client: TestClient) -> None:
    first = client.post("/api/v1/ask", json={"question": "What is alopecia universalis?"}).json()
    second = client.post("/api/v1/ask", json={"question": "what is ALOPECIA universalis"}).json()
    assert first["type"] == second["type"] == "answer"
    assert "what is ALOPECIA universalis" in second["text"]
    assert "What is alopecia universalis?" not in second["text"]
    assert [c["chunk_id"] for c in second["citations"]] == [c["chunk_id"] for c in first["citations"]]
