"""Logs as JSON lines from every worker: the request id an error body gives a client is in the log."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from service.log_format import JsonLines, configure_logging
from tests.conftest import ONNX_MODEL_CACHE

REPO = Path(__file__).resolve().parents[2]


def test_a_record_becomes_one_json_line_with_its_request_fields() -> None:
    record = logging.LogRecord("clinic.service", logging.INFO, __file__, 1, "ask id=%s", ("abc",), None)
    record.request_id, record.route, record.status = "abc", "/api/v1/ask", 200
    record.answer_type = 'answer\n{"forged": 1}\x1b[31m'
    line = JsonLines().format(record)
    assert "\n" not in line
    assert "\x1b" not in line
    data = json.loads(line)
    assert data["level"] == "INFO"
    assert data["message"] == "ask id=abc"
    assert (data["request_id"], data["route"], data["status"]) == ("abc", "/api/v1/ask", 200)
    assert data["time"].endswith("+00:00")


def test_an_error_is_logged_by_type_never_by_message() -> None:
    try:
        raise ValueError("the patient's question was: Zebedee Quartermaine")
    except ValueError:
        record = logging.LogRecord("clinic", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    data = json.loads(JsonLines().format(record))
    assert data["error_type"] == "ValueError"
    assert "Quartermaine" not in json.dumps(data)


def test_configure_logging_is_idempotent() -> None:
    configure_logging("json")
    configure_logging("text")
    configure_logging("json")
    marked = [h for h in logging.getLogger("clinic").handlers if getattr(h, "_clinic_handler", False)]
    assert len(marked) == 1
    assert isinstance(marked[0].formatter, JsonLines)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_every_worker_logs_json_lines_with_the_request_id(seed_index_dir_onnx: Path, tmp_path: Path) -> None:
    """`python -m service --workers 2`, as `make run` starts it: each response's X-Request-ID is in a JSON
    log line, whichever worker answered."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINIC_")}
    env.update(
        CLINIC_STAFF_TOKEN="worker-test-token-0123456789",
        # the default backend (onnx), as the seed index fixture was built, with the graph it exported
        CLINIC_MODEL_CACHE_DIR=str(ONNX_MODEL_CACHE),
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
    )
    log = tmp_path / "service.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "service",
                "--workers",
                "2",
                "--port",
                str(port),
                "--index",
                str(seed_index_dir_onnx),
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    origin = f"http://127.0.0.1:{port}"
    try:
        ready = 0
        deadline = time.monotonic() + 180
        while ready < 4 and time.monotonic() < deadline:  # both workers up: several readyz in a row
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                ready = ready + 1 if httpx.get(origin + "/readyz", timeout=2).status_code == 200 else 0
            except httpx.TransportError:
                time.sleep(0.5)
        assert ready >= 4, log.read_text()[-3000:]
        ids = []
        for question in ["what is alopecia areata", "", "how is dupilumab given", "x" * 5000] * 3:
            with httpx.Client(timeout=30) as client:  # a new connection each time: both workers get some
                response = client.post(origin + "/api/v1/ask", json={"question": question})
            assert response.status_code in {200, 413, 422}
            ids.append(response.headers["X-Request-ID"])
        time.sleep(0.5)
    finally:
        process.terminate()
        process.wait(timeout=30)
    records = []
    for line in log.read_text(encoding="utf-8").splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
    request_ids = {r.get("request_id") for r in records if r.get("route") == "/api/v1/ask"}
    missing = [i for i in ids if i not in request_ids]
    assert not missing, f"{len(missing)} of {len(ids)} request ids are in no log line"
    started = [r for r in records if r["message"].startswith("started ready=True")]
    assert len(started) == 2, "each worker logs its start"
    assert not any("alopecia" in json.dumps(r) for r in records)


@pytest.fixture(autouse=True)
def _restore_clinic_logging() -> object:
    yield
    configure_logging("json")
