"""`make bench`: POST /api/v1/ask under load, over HTTP on loopback, against the MedQuAD index.

Starts the real service as a subprocess (`python -m service --index var/bench/medquad-index`), times its cold
start to the first 200 from /readyz, samples its resident memory, then runs closed-loop clients (each sends
its next question as soon as the previous answer arrives) at 1, 4 and 16 concurrent clients, each level
bounded in time and in requests. Writes bench/results/load.json and LATEST.md.

The client runs on the same machine and shares its cores with the server; its own CPU use is measured and
printed beside the figures, so one can see whether it, rather than the service, was the bottleneck.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench import encoder_calls
from bench.load_questions import LoadQuestions, make_questions
from bench.machine import REPO, describe, require_medquad
from bench.metrics import latency_summary
from bench.renderers import render_load
from bench.report import publish
from bench.searching import index_backend
from bench.server import NO_FLOOD_LIMITS, Server, start_server
from service.config import Settings

DEFAULT_INDEX = REPO / "var" / "bench" / "medquad-index"
# (issue, p50 ms at 1 client, p99 ms at 1 client, req/s at 16 clients): #6 set the first bar, #7 the second
TARGETS = (("#6", 20.0, 100.0, 100.0), ("#7", 5.0, 20.0, 300.0))
ENCODER_QUESTIONS = 300  # answered in process with a counting encoder (bench/encoder_calls.py)
REPEATED_QUESTIONS = 200  # asked first (warm-up), then again and again by the "repeats" level


class QuestionFeed:
    """Hands out questions in order across all levels, so no question is asked twice until the list runs out."""

    def __init__(self, questions: Sequence[str]) -> None:
        self.questions = list(questions)
        self._counter = itertools.count()  # next() on a count is atomic in CPython: a lock-free counter
        self.issued = 0

    def next(self) -> str:
        number = next(self._counter)
        self.issued = max(self.issued, number + 1)
        return self.questions[number % len(self.questions)]

    @property
    def repeated(self) -> int:
        return max(0, self.issued - len(self.questions))


@dataclass
class LevelResult:
    label: str
    clients: int
    latencies: list[float]
    errors: Counter[str]
    answer_types: Counter[str]
    wall_seconds: float
    client_cpu_seconds: float
    server_cpu_seconds: float
    in_service: list[float] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "clients": self.clients,
            "requests": len(self.latencies),
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "throughput_rps": round(len(self.latencies) / self.wall_seconds, 1) if self.wall_seconds else 0.0,
            "latency": latency_summary(self.latencies),
            "in_service_latency": latency_summary(self.in_service),
            "wall_seconds": round(self.wall_seconds, 2),
            "client_cpu_percent": round(100 * self.client_cpu_seconds / self.wall_seconds, 1),
            "server_cpu_percent": round(100 * self.server_cpu_seconds / self.wall_seconds, 1),
            "answer_types": dict(self.answer_types),
        }


def run_level(
    server: Server, feed: QuestionFeed, clients: int, seconds: float, max_requests: int, label: str = ""
) -> LevelResult:
    """Closed loop: `clients` threads, each with its next request as soon as the last one is answered."""
    url = f"{server.base_url}/api/v1/ask"
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    issued = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    me = psutil.Process()
    server.answer_times()  # skip log lines of earlier requests
    with httpx.Client(limits=limits, timeout=30.0) as client:
        client_cpu = sum(me.cpu_times()[:2])
        server_cpu = server.sampler.cpu_seconds()
        started = time.perf_counter()
        deadline = started + seconds

        def worker() -> None:
            while time.perf_counter() < deadline and next(issued) < max_requests:
                question = feed.next()
                sent = time.perf_counter()
                try:
                    response = client.post(url, json={"question": question})
                    elapsed = time.perf_counter() - sent
                    kind = response.json().get("type", "?") if response.status_code == 200 else None
                    error = None if response.status_code == 200 else f"HTTP {response.status_code}"
                except (httpx.HTTPError, ValueError) as exc:
                    elapsed, kind, error = time.perf_counter() - sent, None, type(exc).__name__
                with lock:
                    latencies.append(elapsed)
                    if error:
                        errors[error] += 1
                    else:
                        kinds[str(kind)] += 1

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        client_cpu = sum(me.cpu_times()[:2]) - client_cpu
        server_cpu = server.sampler.cpu_seconds() - server_cpu
    time.sleep(0.2)  # let the last log lines reach the file
    in_service = server.answer_times()
    return LevelResult(
        label or str(clients), clients, latencies, errors, kinds, wall, client_cpu, server_cpu, in_service
    )


def healthz_p50_ms(server: Server, rounds: int = 50) -> float:
    """Round trip of the cheapest endpoint: the HTTP + client floor under every /ask figure."""
    times = []
    with httpx.Client(timeout=10.0) as client:
        for _ in range(rounds):
            sent = time.perf_counter()
            client.get(f"{server.base_url}/healthz")
            times.append(time.perf_counter() - sent)
    return latency_summary(times)["p50_ms"]


def verdicts(levels: dict[int, dict[str, Any]]) -> list[list[str]]:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    rows: list[list[str]] = []
    one, sixteen = levels.get(1), levels.get(16)
    for issue, p50_target, p99_target, rps_target in TARGETS:
        if one:
            p50, p99 = one["latency"]["p50_ms"], one["latency"]["p99_ms"]
            rows.append(
                [f"{issue}: p50 ≤ {p50_target:g} ms at 1 client", f"{p50:.1f} ms", verdict(p50 <= p50_target)]
            )
            rows.append(
                [f"{issue}: p99 ≤ {p99_target:g} ms at 1 client", f"{p99:.1f} ms", verdict(p99 <= p99_target)]
            )
        else:
            rows.append([f"{issue}: p50 / p99 at 1 client", "not measured", "MISS"])
        if sixteen:
            rps = sixteen["throughput_rps"]
            rows.append(
                [
                    f"{issue}: ≥ {rps_target:g} req/s at 16 clients",
                    f"{rps:.1f} req/s",
                    verdict(rps >= rps_target),
                ]
            )
        else:
            rows.append([f"{issue}: throughput at 16 clients", "not measured", "MISS"])
    errors = sum(level["errors"] for level in levels.values())
    rows.append(["zero errors (non-200 or failed requests)", str(errors), verdict(errors == 0)])
    return rows


def print_level(level: dict[str, Any]) -> None:
    lat = level["latency"]
    print(
        f"  {level['label']:>12}: {level['requests']} requests, {level['throughput_rps']} req/s, "
        f"p50 {lat.get('p50_ms')} ms, p99 {lat.get('p99_ms')} ms, errors {level['errors']}",
        flush=True,
    )


def answer_cache_entries() -> int | None:
    """The service's answer-cache size under the current environment (None if it has no such setting)."""
    try:
        value = getattr(Settings(), "answer_cache_entries", None)
    except ValueError:
        return None
    return int(value) if value is not None else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each concurrency level")
    parser.add_argument("--max-requests", type=int, default=10000, help="request cap of each level")
    parser.add_argument("--clients", default="1,4,16", help="comma-separated concurrency levels")
    parser.add_argument("--questions", type=int, default=30000, help="distinct questions, asked in order")
    parser.add_argument("--workers", type=int, default=1, help="service worker processes (--workers)")
    parser.add_argument("--no-repeat-level", action="store_true", help="skip the repeated-questions level")
    args = parser.parse_args(argv)
    medquad = require_medquad()
    if not (args.index / "manifest.json").is_file():
        print(f"skipped: no index at {args.index}: run `make bench-index` first (about 20+ minutes)")
        raise SystemExit(0)
    levels_wanted = [int(c) for c in args.clients.split(",") if c.strip()]
    questions = make_questions(medquad, args.questions)
    repeats = QuestionFeed(questions.texts[:REPEATED_QUESTIONS])  # the warm-up's, asked again by "repeats"
    feed = QuestionFeed(questions.texts[REPEATED_QUESTIONS:])  # never asked before
    levels: dict[int, dict[str, Any]] = {}
    extra: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        print(f"starting the service on {args.index} ...", flush=True)
        try:
            server = start_server(args.index, Path(tmp), args.workers, NO_FLOOD_LIMITS)
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise SystemExit(1) from None
        try:
            print(f"  ready after {server.cold_start_seconds:.1f} s", flush=True)
            ready_rss = server.sampler.current_bytes()
            warm = run_level(server, repeats, 1, 60.0, REPEATED_QUESTIONS)  # one-off costs; fills the cache
            floor = healthz_p50_ms(server)
            for clients in levels_wanted:
                level = run_level(server, feed, clients, args.seconds, args.max_requests)
                levels[clients] = level.to_json()
                print_level(levels[clients])
            if not args.no_repeat_level and levels_wanted:
                clients = max(levels_wanted)
                label = f"{clients} (repeats)"
                extra.append(
                    run_level(server, repeats, clients, args.seconds, args.max_requests, label).to_json()
                )
                print_level(extra[-1])
            peak = max(server.sampler.peak_bytes, server.sampler.current_bytes())
        finally:
            server.stop()
    print("encoder calls per question, in process ...", flush=True)
    encoder = encoder_calls.measure(
        args.index, questions.texts[-ENCODER_QUESTIONS:], index_backend(args.index)
    )
    print(f"  {encoder['encoder_texts_per_question']} texts encoded per question", flush=True)
    result = summarise(args, server, questions, feed, levels, extra)
    result.update(
        encoder=encoder,
        rss_when_ready_mib=round(ready_rss / 2**20, 1),
        peak_rss_mib=round(peak / 2**20, 1),
        first_requests_latency=latency_summary(warm.latencies),
        healthz_p50_ms=floor,
    )
    publish("load", result, render_load(result))


def summarise(
    args: argparse.Namespace,
    server: Server,
    questions: LoadQuestions,
    feed: QuestionFeed,
    levels: dict[int, dict[str, Any]],
    extra: list[dict[str, Any]],
) -> dict[str, Any]:
    answer_types: Counter[str] = Counter()
    for figures in levels.values():
        answer_types.update(figures["answer_types"])
    busiest = max(levels.values(), key=lambda figures: figures["clients"], default=None)
    client_note = (
        f"Client and server share the machine's {os.cpu_count()} cores; at {busiest['clients']} clients the "
        f"client used {busiest['client_cpu_percent']:.0f}% of one core and the server "
        f"{busiest['server_cpu_percent']:.0f}%."
        if busiest
        else ""
    )
    cache = answer_cache_entries()
    cache_note = (
        f"Every question of the 1/4/16-client levels is asked once ({feed.repeated} repeats), so the service's "
        f"answer cache ({cache} entries) never answers them; the “repeats” level asks {REPEATED_QUESTIONS} "
        "questions already answered, over and over: the cache's best case, not counted in the targets."
    )
    index_info = server.ready_body.get("index", {})
    return {
        "benchmark": "POST /api/v1/ask under load, HTTP on loopback",
        "index": str(args.index.relative_to(REPO) if args.index.is_relative_to(REPO) else args.index),
        "documents": index_info.get("documents"),
        "chunks": index_info.get("chunks"),
        "model": index_info.get("model"),
        "workers": args.workers,
        "cold_start_seconds": round(server.cold_start_seconds, 2),
        "questions": len(questions.texts),
        "questions_asked": feed.issued,
        "questions_repeated": feed.repeated,
        "answer_cache_entries": cache,
        "triaged_share": round(questions.triaged_share, 3),
        "question_examples": questions.texts[:8],
        "seconds_per_level": args.seconds,
        "max_requests_per_level": args.max_requests,
        "levels": list(levels.values()),
        "extra_levels": extra,
        "answer_types": dict(answer_types),
        "client_note": client_note,
        "cache_note": cache_note,
        "targets": verdicts(levels),
        "machine": describe(),
    }


if __name__ == "__main__":
    main()
