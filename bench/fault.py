"""`make fault`: the service as an attacker and an operator find it, on loopback, bounded in time (issue #13).

Builds the seed library into var/bench/fault/, then:

1. **Schema**: schemathesis (`--checks all`, `--max-examples N`) against the OpenAPI schema of a service
   started with generous flood limits, staff token given.
2. **Under fire**: the service as `make run` starts it (2 workers, the default flood limits), with the
   loopback trusted as a proxy, so that each simulated client has its own
   address (`X-Forwarded-For`). Throughout, ordinary patients ask at a patient's pace, flooders ask as fast as
   they can, and malformed senders send lone surrogates, invisible-only text, non-UTF-8 bytes, NUL and ANSI
   escapes, and 1 MB chunked bodies. Three windows, `--seconds` each:
   - *flood*: nothing else happens;
   - *worker killed*: one worker is killed (SIGKILL) at the start; uvicorn starts another;
   - *index swapped*: a rebuilt index (one document fewer) is written at the start and picked up by polling.
   At the end every worker must serve the new build (20 `/readyz` calls on fresh connections).

Prints a table per window and client kind: requests, errors (any non-2xx that is not a 429; malformed
senders are expected 4xx, so for them only 5xx and transport errors count), 429s, p50/p99, and answers
*crossed* (an ordinary patient's answer that does not quote the patient's own question) or *lost* (no
response). Writes bench/results/fault.json and LATEST.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.eval import SEED_CORPUS, build_seed_index
from bench.machine import REPO, describe
from bench.metrics import latency_summary
from bench.renderers import render_fault
from bench.report import publish
from bench.server import NO_FLOOD_LIMITS, Server, start_server
from index.config import IndexSettings
from index.encoders.factory import load_embedder
from service.config import Settings

WORKDIR = REPO / "var" / "bench" / "fault"
ASK_LIMIT = Settings.model_fields["rate_limit_ask"].default  # the shipped default
WINDOWS = ("flood", "worker killed", "index swapped")
QUESTIONS = [
    "what is alopecia areata",
    "can dupilumab make hair grow back",
    "how was ruxolitinib taken in the study",
    "what did the tofacitinib study find",
    "is eczema linked to hair loss",
    "what are the side effects of JAK inhibitors",
]
MALFORMED: list[tuple[str, bytes | Callable[[], Iterator[bytes]]]] = [
    ("surrogate", b'{"question": "hair loss \\ud800"}'),
    ("invisible", b'{"question": "\\u200b\\u200b\\ufeff"}'),
    ("not utf-8", b'{"question": "\xff\xfe hair"}'),
    ("nul and ansi", b'{"question": "\\u0000dupilumab\\u001b[2J?"}'),
    ("1 MB chunked", lambda: (b"x" * 65536 for _ in range(16))),
]


@dataclass
class Tally:
    requests: int = 0
    errors: int = 0
    limited: int = 0
    crossed: int = 0
    lost: int = 0
    seconds: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "429s": self.limited,
            "crossed": self.crossed,
            "lost": self.lost,
            **{k: v for k, v in latency_summary(self.seconds).items() if k in ("p50_ms", "p99_ms")},
        }


class Clients:
    """Client threads that keep sending until stopped, tallied per (window, kind)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.window = WINDOWS[0]
        self.stop = threading.Event()
        self.tallies: dict[tuple[str, str], Tally] = {}
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []
        self.last_text: dict[str, str] = {}  # the text of each client address's last 200

    def record(self, kind: str, outcome: str, seconds: float) -> None:
        with self.lock:
            tally = self.tallies.setdefault((self.window, kind), Tally())
            tally.requests += 1
            tally.seconds.append(seconds)
            if outcome == "429":
                tally.limited += 1
            elif outcome in {"error", "crossed", "lost"}:
                tally.errors += 1
                if outcome in {"crossed", "lost"}:
                    setattr(tally, outcome, getattr(tally, outcome) + 1)

    def start(self, kind: str, address: str, loop: Callable[[httpx.Client, str], None]) -> None:
        def run() -> None:
            with httpx.Client(base_url=self.server.base_url, timeout=30.0) as client:
                while not self.stop.is_set():
                    loop(client, address)

        thread = threading.Thread(target=run, name=f"{kind}-{address}", daemon=True)
        thread.start()
        self.threads.append(thread)

    def patient(self, n: int) -> Callable[[httpx.Client, str], None]:
        counter = iter(range(10**9))

        def ask(client: httpx.Client, address: str) -> None:
            # a wording of this patient's own, so a crossed answer shows: answers quote the question
            question = f"{QUESTIONS[n % len(QUESTIONS)]} (patient {n}, message {next(counter)})"
            outcome, seconds = self.post(client, address, json.dumps({"question": question}).encode())
            if outcome == "200" and question not in self.last_text.get(address, ""):
                outcome = "crossed"
            self.record("patient", "error" if outcome == "4xx" else outcome, seconds)
            time.sleep(0.25)

        return ask

    def post(self, client: httpx.Client, address: str, body: Any) -> tuple[str, float]:
        started = time.perf_counter()
        headers = {"X-Forwarded-For": address, "Content-Type": "application/json"}
        try:
            response = client.post("/api/v1/ask", content=body, headers=headers)
        except httpx.TransportError:
            return "lost", time.perf_counter() - started
        seconds = time.perf_counter() - started
        if response.status_code == 200:
            self.last_text[address] = response.json().get("text", "")
            return "200", seconds
        if response.status_code == 429:
            return "429", seconds
        return ("4xx" if response.status_code < 500 else "error"), seconds

    def flooder(self, client: httpx.Client, address: str) -> None:
        outcome, seconds = self.post(client, address, json.dumps({"question": QUESTIONS[0]}).encode())
        self.record("flooder", "ok" if outcome in {"200", "4xx"} else outcome, seconds)

    def malformed(self) -> Callable[[httpx.Client, str], None]:
        turn = iter(range(10**9))

        def send(client: httpx.Client, address: str) -> None:
            _, body = MALFORMED[next(turn) % len(MALFORMED)]
            content = body() if callable(body) else body
            outcome, seconds = self.post(client, address, content)
            self.record("malformed", "ok" if outcome in {"200", "4xx"} else outcome, seconds)
            time.sleep(0.05)

        return send


def build(corpus: Path, out: Path) -> None:
    settings = IndexSettings()
    build_seed_index(out, load_embedder(settings), settings, corpus)


def run_schemathesis(index: Path, max_examples: int) -> dict[str, Any]:
    executable = Path(sys.executable).with_name("schemathesis")
    if not executable.is_file():
        return {"skipped": "schemathesis is not installed: pip install -e '.[fault]' (make fault does)"}
    server = start_server(
        index,
        WORKDIR,
        workers=1,
        settings=NO_FLOOD_LIMITS,
    )
    try:
        started = time.perf_counter()
        completed = subprocess.run(
            [
                str(executable),
                "run",
                f"{server.base_url}/openapi.json",
                "--checks",
                "all",
                "--max-examples",
                str(max_examples),
                "--header",
                f"Authorization: Bearer {server.staff_token}",
            ],
            capture_output=True,
            text=True,
            cwd=WORKDIR,  # its .schemathesis cache goes there, not into the checkout
            timeout=1800,
            check=False,
        )
    finally:
        server.stop()
    output = completed.stdout + completed.stderr
    cases = next((line.strip() for line in output.splitlines() if "generated" in line), "")
    failures = [line.strip() for line in output.splitlines() if line.strip().startswith("❌ ST")]
    return {
        "exit_code": completed.returncode,
        "test_cases": cases,
        "failures": failures,
        "seconds": round(time.perf_counter() - started, 1),
    }


def workers_of(server: Server) -> list[psutil.Process]:
    children = psutil.Process(server.process.pid).children(recursive=True)
    return [c for c in children if "spawn_main" in " ".join(c.cmdline())]


def builds_served(server: Server, calls: int = 20) -> list[str]:
    hashes = []
    for _ in range(calls):
        with httpx.Client(timeout=10.0) as client:  # a fresh connection: any worker may answer
            body = client.get(f"{server.base_url}/readyz").json()
        hashes.append(body.get("index", {}).get("corpus_hash", "not ready"))
    return hashes


def under_fire(index: Path, seconds: float, smaller_corpus: Path) -> dict[str, Any]:
    server = start_server(
        index,
        WORKDIR,
        workers=2,
        settings={
            "CLINIC_TRUSTED_PROXIES": '["127.0.0.1"]',
            "CLINIC_RELOAD_INTERVAL": "1",
        },
    )
    events: dict[str, Any] = {}
    clients = Clients(server)
    try:
        for n in range(6):
            clients.start("patient", f"10.0.0.{n + 1}", clients.patient(n))
        for n in range(2):
            clients.start("flooder", f"10.9.9.{n + 1}", clients.flooder)
            clients.start("malformed", f"10.8.8.{n + 1}", clients.malformed())
        time.sleep(seconds)

        clients.window = WINDOWS[1]
        before = workers_of(server)
        victim = before[0]
        victim.send_signal(signal.SIGKILL)
        events["killed_worker"] = True
        time.sleep(seconds)
        after = workers_of(server)
        events["workers_before_kill"] = len(before)
        events["workers_after_kill"] = len([p for p in after if p.is_running()])
        events["killed_worker_replaced"] = victim.pid not in {p.pid for p in after} and len(after) >= len(
            before
        )

        clients.window = WINDOWS[2]
        old_hash = builds_served(server, 4)[0]
        build(smaller_corpus, index)
        time.sleep(seconds)
    finally:
        clients.stop.set()
        for thread in clients.threads:
            thread.join(timeout=60)
    try:
        served = builds_served(server)
        events["index_before"] = old_hash[:12]
        events["builds_served_after_swap"] = sorted({h[:12] for h in served})
        events["every_worker_on_the_new_build"] = len(set(served)) == 1 and served[0] != old_hash
    finally:
        server.stop()
    windows = {
        window: {
            kind: clients.tallies[(window, kind)].summary() for kind in ("patient", "flooder", "malformed")
        }
        for window in WINDOWS
        if all((window, kind) in clients.tallies for kind in ("patient", "flooder", "malformed"))
    }
    return {"windows": windows, "events": events}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fault", description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each window")
    parser.add_argument("--max-examples", type=int, default=100, help="schemathesis examples per operation")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if WORKDIR.exists():
        shutil.rmtree(WORKDIR)
    WORKDIR.mkdir(parents=True)
    index = WORKDIR / "index"
    smaller = WORKDIR / "library-smaller"
    shutil.copytree(SEED_CORPUS, smaller)
    (smaller / "jak-inhibitors-trials-news.md").unlink()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    build(SEED_CORPUS, index)
    print("schemathesis ...", flush=True)
    schema = run_schemathesis(index, args.max_examples)
    print(f"  {schema}", flush=True)
    print("flood, malformed input, a killed worker, an index swap ...", flush=True)
    fire = under_fire(index, args.seconds, smaller)
    result = {
        "benchmark": "load and faults on loopback: schemathesis, flood, malformed input, killed worker, index swap",
        "ask_limit_per_address": ASK_LIMIT,
        "window_seconds": args.seconds,
        "clients": {"patient": 6, "flooder": 2, "malformed": 2},
        "schemathesis": schema,
        **fire,
        "seconds": round(time.perf_counter() - started, 1),
        "machine": describe(),
    }
    publish("fault", result, render_fault(result))


if __name__ == "__main__":
    main()
