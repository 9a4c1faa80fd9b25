"""The real service as a subprocess on loopback, for `make bench` and `make fault`: started on a free port,
ready when /readyz answers 200, its resident memory sampled, its log kept in a file."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import psutil

from bench.machine import REPO
from bench.searching import index_backend

READY_TIMEOUT = 600.0  # seconds: the model and a large index load slowly on a busy 2-core machine
# A load test measures the service, not its flood guard (`make fault` tests that): one client address sends
# tens of thousands of questions a minute here
NO_FLOOD_LIMITS = {"CLINIC_RATE_LIMIT_ASK": "1000000/minute", "CLINIC_RATE_LIMIT_STAFF": "1000000/minute"}
ASK_LOG = re.compile(r"ask id=\S+ type=\S+ ms=([0-9.]+)")  # the service's log line for each /ask


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RssSampler(threading.Thread):
    """Samples the resident memory of a process and its children; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak_bytes = 0
        self._stop_event = threading.Event()

    def current_bytes(self) -> int:
        total = 0
        try:
            for proc in [self.process, *self.process.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    continue
        except psutil.Error:
            pass
        return total

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process and its children so far."""
        total = 0.0
        try:
            for proc in [self.process, *self.process.children(recursive=True)]:
                try:
                    times = proc.cpu_times()
                    total += times.user + times.system
                except psutil.Error:
                    continue
        except psutil.Error:
            pass
        return total

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_bytes = max(self.peak_bytes, self.current_bytes())
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    log: IO[bytes]
    sampler: RssSampler
    cold_start_seconds: float = 0.0
    ready_body: dict[str, Any] = field(default_factory=dict)
    log_offset: int = 0
    staff_token: str = ""

    def answer_times(self) -> list[float]:
        """Seconds /ask spent inside the service (its own log line), for the requests since the last call."""
        self.log.flush()
        with self.log_path.open("rb") as handle:
            handle.seek(self.log_offset)
            text = handle.read().decode("utf-8", errors="replace")
        complete = text[: text.rfind("\n") + 1]
        self.log_offset += len(complete.encode("utf-8"))
        return [float(ms) / 1000 for ms in ASK_LOG.findall(complete)]

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        self.sampler.stop()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # uvicorn shuts down gracefully
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.log.close()


def start_server(
    index: Path, workdir: Path, workers: int = 1, settings: dict[str, str] | None = None
) -> Server:
    """`python -m service` over `index`, ready; `settings` adds CLINIC_ variables (e.g. rate limits)."""
    port = free_port()
    token = secrets.token_urlsafe(24)  # 32 characters, never printed
    env = {
        **os.environ,
        **(settings or {}),
        "CLINIC_STAFF_TOKEN": token,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    backend = index_backend(index)
    if backend:
        env["CLINIC_EMBEDDING_BACKEND"] = backend  # the backend the index was embedded with
    log_path = workdir / "service.log"
    log = log_path.open("wb")
    command = [sys.executable, "-m", "service", "--port", str(port), "--index", str(index)]
    if workers > 1:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    sampler = RssSampler(process.pid)
    sampler.start()
    server = Server(process, f"http://127.0.0.1:{port}", log_path, log, sampler, staff_token=token)
    with httpx.Client(timeout=5.0) as client:
        while True:
            if process.poll() is not None:
                server.stop()
                raise RuntimeError(f"the service exited with code {process.returncode}:\n{server.log_tail()}")
            if time.perf_counter() - started > READY_TIMEOUT:
                server.stop()
                raise RuntimeError(f"no 200 from /readyz within {READY_TIMEOUT:.0f} s:\n{server.log_tail()}")
            try:
                response = client.get(f"{server.base_url}/readyz")
                if response.status_code == 200:
                    server.cold_start_seconds = time.perf_counter() - started
                    server.ready_body = response.json()
                    return server
                reason = response.json().get("reason", "loading")
                if reason != "loading":  # up, but the index or the model failed to load: it will not recover
                    server.stop()
                    raise RuntimeError(f"the service is up but not ready: {reason}")
            except httpx.TransportError:
                pass
            time.sleep(0.05)
