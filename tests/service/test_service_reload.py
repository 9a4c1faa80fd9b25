"""Hot reload: a new build is swapped in without a restart; a bad one is refused and the old one serves on."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from index.build import build_index
from index.encoders.base import Embedder
from index.ingest.chunking import ChunkSettings
from index.search.analysis import SynonymMap
from index.search.library import MANIFEST, file_digest
from service.app import create_app
from tests.conftest import SEED_SYNONYMS
from tests.service.conftest import STAFF_TOKEN, make_settings

RELOAD = "/api/v1/admin/reload"
STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}
DROPPED = "jak-inhibitors-trials-news"


@pytest.fixture
def index_dir(seed_index_dir_onnx: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(seed_index_dir_onnx, copy)
    return copy


@pytest.fixture
def smaller_corpus(seed_corpus_dir: Path, tmp_path: Path) -> Path:
    """The seed library without one document."""
    corpus = tmp_path / "library"
    shutil.copytree(seed_corpus_dir, corpus)
    (corpus / f"{DROPPED}.md").unlink()
    return corpus


def rebuild(corpus: Path, index_dir: Path, embedder: Embedder) -> None:
    build_index([corpus], index_dir, embedder, ChunkSettings(), synonyms=SynonymMap.from_file(SEED_SYNONYMS))


def serving(client: TestClient) -> dict[str, Any]:
    response = client.get("/readyz")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def client_for(index_dir: Path, embedder: Embedder, **overrides: Any) -> TestClient:
    settings = make_settings(index_dir, answer_cache_entries=0, **overrides)
    return TestClient(create_app(settings, embedder=embedder))


@pytest.fixture
def manual(index_dir: Path, onnx_embedder: Embedder) -> Iterator[TestClient]:
    with client_for(index_dir, onnx_embedder, reload_interval=0) as client:
        yield client


def test_reload_needs_the_staff_token(manual: TestClient) -> None:
    assert manual.post(RELOAD).status_code == 401


def test_an_unchanged_index_is_not_reloaded(manual: TestClient) -> None:
    before = serving(manual)["index"]
    body = manual.post(RELOAD, headers=STAFF).json()
    assert body == {
        "outcome": "unchanged",
        "corpus_hash": before["corpus_hash"],
        "built_at": before["built_at"],
    }


def test_a_new_build_is_served_after_reload(
    manual: TestClient, index_dir: Path, smaller_corpus: Path, onnx_embedder: Embedder
) -> None:
    before = serving(manual)["index"]
    rebuild(smaller_corpus, index_dir, onnx_embedder)
    assert serving(manual)["index"] == before  # nothing changes until the reload
    body = manual.post(RELOAD, headers=STAFF).json()
    assert body["outcome"] == "reloaded"
    after = serving(manual)["index"]
    assert after["corpus_hash"] == body["corpus_hash"] != before["corpus_hash"]
    assert after["documents"] == before["documents"] - 1
    answer = manual.post("/api/v1/ask", json={"question": "how did tofacitinib do in the trial?"}).json()
    assert DROPPED not in [c["doc_id"] for c in answer["citations"]]


def test_a_bad_new_index_is_refused_and_the_old_one_keeps_serving(
    manual: TestClient, index_dir: Path
) -> None:
    before = serving(manual)["index"]
    chunks = (index_dir / "chunks.jsonl").read_bytes()
    (index_dir / "chunks.jsonl").write_bytes(chunks[: len(chunks) // 2])  # a line cut in half
    manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"]["chunks.jsonl"] = {
        "bytes": len(chunks) // 2,
        "sha256": file_digest(index_dir / "chunks.jsonl"),
    }
    manifest["built_at"] = "2099-01-01T00:00:00+00:00"  # a new build, whose data is bad
    (index_dir / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    for _ in range(2):  # refused, and not retried in a loop
        refused = manual.post(RELOAD, headers=STAFF)
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "index_refused"
        assert "chunks.jsonl" in refused.json()["error"]["message"]
    ready = serving(manual)
    assert ready["index"] == before
    assert ready["refused_index"]["built_at"] == "2099-01-01T00:00:00+00:00"
    answer = manual.post("/api/v1/ask", json={"question": "what is alopecia areata"})
    assert answer.status_code == 200
    assert answer.json()["type"] == "answer"


def test_a_new_build_is_picked_up_by_polling_while_patients_ask(
    index_dir: Path, smaller_corpus: Path, onnx_embedder: Embedder
) -> None:
    with client_for(index_dir, onnx_embedder, reload_interval=0.2) as client:
        before = serving(client)["index"]
        statuses: list[int] = []
        stop = threading.Event()

        def patient() -> None:
            while not stop.is_set():
                response = client.post("/api/v1/ask", json={"question": "can dupilumab cause hair loss"})
                statuses.append(response.status_code)

        threads = [threading.Thread(target=patient) for _ in range(3)]
        for thread in threads:
            thread.start()
        try:
            rebuild(smaller_corpus, index_dir, onnx_embedder)
            deadline = time.monotonic() + 30
            while serving(client)["index"]["corpus_hash"] == before["corpus_hash"]:
                assert time.monotonic() < deadline, "the new build was never picked up"
                time.sleep(0.1)
            time.sleep(0.5)  # questions on the new library too
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
        assert statuses
        assert set(statuses) == {200}, f"{sum(s != 200 for s in statuses)} of {len(statuses)} failed"
        assert serving(client)["index"]["documents"] == before["documents"] - 1
