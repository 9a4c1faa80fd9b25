"""A missing or corrupt index keeps the service up: /readyz says why, /ask still gives the emergency number."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message

from index.encoders.base import Embedder
from service.app import MAX_BODY_BYTES, create_app
from service.config import Settings

SettingsFactory = Callable[..., Settings]


def test_missing_index_keeps_service_up(
    tmp_path: Path, onnx_embedder: Embedder, settings_factory: SettingsFactory
) -> None:
    app = create_app(settings_factory(tmp_path / "nowhere"), embedder=onnx_embedder)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "no index" in ready.json()["reason"]
        response = client.post("/api/v1/ask", json={"question": "Does dupilumab regrow hair?"})
        assert response.status_code == 503
        body = response.json()
        assert body["available"] is False
        assert "911" in body["text"]
        assert body["citations"] == []
        assert body["disclaimer"] in body["text"]
        # triage needs no index: an emergency is still answered properly
        emergency = client.post("/api/v1/ask", json={"question": "I think I took an overdose of my tablets"})
        assert emergency.status_code == 200
        assert emergency.json()["type"] == "emergency"
        search = client.get(
            "/api/v1/search",
            params={"q": "hair"},
            headers={"Authorization": "Bearer test-staff-token-0123456789abcdef"},
        )
        assert search.status_code == 503
        assert search.json()["error"]["code"] == "not_ready"


@pytest.mark.parametrize("victim", ["dense.faiss", "chunks.jsonl", "manifest.json"])
def test_corrupt_index_reports_the_file(
    tmp_path: Path,
    seed_index_dir_onnx: Path,
    onnx_embedder: Embedder,
    settings_factory: SettingsFactory,
    victim: str,
) -> None:
    broken = tmp_path / "index"
    shutil.copytree(seed_index_dir_onnx, broken)
    path = broken / victim
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with TestClient(create_app(settings_factory(broken), embedder=onnx_embedder)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert victim in ready.json()["reason"]
        assert client.post("/api/v1/ask", json={"question": "ruxolitinib"}).status_code == 503


def test_a_chunked_body_is_refused_while_it_is_read(client: TestClient) -> None:
    """No Content-Length to check first: the limit is enforced on the bytes as they arrive, so a 100 MB body
    is refused after the first chunks, not read (and parsed) in full."""
    chunk = b"x" * (16 * 1024)
    total = 6400  # 100 MiB
    consumed = 0

    async def run() -> list[Message]:
        nonlocal consumed
        sent: list[Message] = []

        async def receive() -> Message:
            nonlocal consumed
            consumed += 1
            return {"type": "http.request", "body": chunk, "more_body": consumed < total}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/api/v1/ask",
            "raw_path": b"/api/v1/ask",
            "root_path": "",
            "query_string": b"",
            "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
            "client": ("127.0.0.1", 1234),
            "server": ("testserver", 80),
            "state": {},
        }
        await client.app(scope, receive, send)  # type: ignore[arg-type]
        return sent

    with ThreadPoolExecutor(
        1
    ) as pool:  # its own event loop: another test's (Playwright's) may be running here
        sent = pool.submit(asyncio.run, run()).result(timeout=60)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert start["status"] == 413
    assert json.loads(body)["error"]["code"] == "body_too_large"
    assert consumed <= MAX_BODY_BYTES // len(chunk) + 1
