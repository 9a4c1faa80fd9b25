"""Encoder calls per question, in process, on the benchmark's index: the service's own runtime (approved answers
loaded, micro-batching on) answers questions nobody asked before, one at a time, with its encoder wrapped in a
counter. Each question should be encoded exactly once, whatever its answer type: the triage classifier, the
approved-answer matcher and retrieval share that one vector. Question text is not kept, only counts.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.metrics import latency_summary
from index.encoders.base import Embedder, Vectors, WrappedEmbedder
from service.config import Settings
from service.runtime import load_query_embedder, load_runtime


class EncoderCounter(WrappedEmbedder):
    """Counts the encoder's calls and the texts they carried (not the texts themselves)."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner)
        self.calls = 0
        self.texts = 0

    def embed(self, texts: list[str], *, progress: bool = False) -> Vectors:
        self.calls += 1
        self.texts += len(texts)
        return self.inner.embed(texts, progress=progress)


def measure(index: Path, questions: list[str], backend: str | None = None) -> dict[str, Any]:
    """Texts encoded per question and in-process answer latency, over `questions` (each asked once)."""
    overrides: dict[str, Any] = {"index_dir": index, "answer_cache_entries": 0, "reload_interval": 0}
    if backend:
        overrides["embedding_backend"] = backend
    settings = Settings(**overrides)
    counter = EncoderCounter(load_query_embedder(settings))
    runtime = load_runtime(settings, counter)
    if not runtime.ready:
        raise RuntimeError(f"the runtime did not load {index}: {runtime.problem}")
    try:
        approved = len(runtime.library.approved) if runtime.library else 0
        counter.calls = counter.texts = 0  # start-up embedded the approved variants and warmed up
        types: Counter[str] = Counter()
        seconds = []
        for question in questions:
            started = time.perf_counter()
            answer = runtime.composer.answer(question)
            seconds.append(time.perf_counter() - started)
            types["approved" if answer.approved else answer.type] += 1
    finally:
        runtime.close()
    return {
        "questions": len(questions),
        "approved_answers_loaded": approved,
        "encoder_texts_per_question": round(counter.texts / len(questions), 3),
        "encoder_calls_per_question": round(counter.calls / len(questions), 3),
        "answer_types": dict(types),
        "latency": latency_summary(seconds),
    }
