"""The txtai side of `bench.peer`, run in a process of its own.

In one process with our ONNX Runtime session, torch (which txtai uses) slows down by an order of
magnitude (measured: txtai query p50 17 ms alone, 370 ms with an idle ORT session loaded), so the peer
gets a clean interpreter: nothing of ours is imported here but `bench.timing` (standard library only).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.timing import time_each

K = 10
BATCH = 32
WARMUP = 10


def _records(corpus: Path) -> Iterator[dict[str, str]]:
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            yield {"id": record["id"], "text": record["text"]}


def _size_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def run_txtai(
    corpus: str, model_path: str, queries: list[str], timed: list[str], workdir: str
) -> dict[str, Any]:
    """Index `corpus` (JSONL of id, text), rank `queries` (batched), time `timed` one by one."""
    from txtai import Embeddings

    embeddings = Embeddings(path=model_path, content=True, hybrid=True)
    started = time.perf_counter()
    embeddings.index(_records(Path(corpus)))
    build_seconds = time.perf_counter() - started
    saved = Path(workdir) / "txtai"
    embeddings.save(str(saved))
    rankings: dict[str, list[str]] = {}
    for start in range(0, len(queries), BATCH):
        batch = queries[start : start + BATCH]
        for text, results in zip(batch, embeddings.batchsearch(batch, K), strict=True):
            rankings[text] = [str(r["id"]) for r in results]
    latencies = time_each(lambda query: embeddings.search(query, K), timed, WARMUP)
    config = {
        k: embeddings.config.get(k) for k in ("path", "content", "hybrid", "dense", "scoring", "backend")
    }
    config["faiss_components"] = (embeddings.config.get("build") or {}).get("settings", {}).get("components")
    embeddings.close()
    return {
        "version": metadata.version("txtai"),
        "build_seconds": build_seconds,
        "size_mib": _size_mib(saved),
        "config": config,
        "rankings": rankings,
        "latencies": latencies,
    }
