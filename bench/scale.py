"""`python -m bench.scale`: a synthetic one-million-chunk dense index.

Vectors are clustered (a mixture of 4,000 Gaussian clusters on the unit sphere, like sentence embeddings
rather than uniform noise, which no approximate index handles). Reports build time, memory, p50/p95 search
time and recall@10 of the automatically chosen index against exact search.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from bench.machine import describe, peak_rss_mib
from bench.report import publish
from index.search.store import DenseIndex


def synthetic(n: int, dimension: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(4000, dimension)).astype(np.float32)
    out = np.empty((n, dimension), dtype=np.float32)
    for first in range(0, n, 100_000):
        rows = min(100_000, n - first)
        block = centres[rng.integers(0, len(centres), rows)] + 0.6 * rng.normal(size=(rows, dimension))
        out[first : first + rows] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    vectors = synthetic(args.chunks, 384)
    rng = np.random.default_rng(11)
    queries = vectors[rng.integers(0, len(vectors), args.queries)] + 0.3 * rng.normal(
        size=(args.queries, 384)
    )
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    rss_before = peak_rss_mib()
    started = time.perf_counter()
    index = DenseIndex.build(vectors)
    build_seconds = time.perf_counter() - started
    latencies = []
    found = []
    for query in queries:
        t = time.perf_counter()
        _, ids = index.search(query[None, :], 10)
        latencies.append((time.perf_counter() - t) * 1000)
        found.append(set(ids[0].tolist()))
    exact = DenseIndex.build(vectors, kind="flat")
    _, truth = exact.search(queries, 10)
    recall = float(np.mean([len(found[i] & set(truth[i].tolist())) / 10 for i in range(len(queries))]))
    exact_ms = []
    for query in queries[:50]:
        t = time.perf_counter()
        exact.search(query[None, :], 10)
        exact_ms.append((time.perf_counter() - t) * 1000)
    result = {
        "benchmark": "synthetic dense index",
        "chunks": args.chunks,
        "kind": index.kind,
        "build_seconds": round(build_seconds, 1),
        "vectors_mib": round(vectors.nbytes / 2**20, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "peak_rss_before_build_mib": round(rss_before, 1),
        "search_p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "search_p95_ms": round(float(np.percentile(latencies, 95)), 2),
        "exact_search_p50_ms": round(float(np.percentile(exact_ms, 50)), 2),
        "recall_at_10_vs_exact": round(recall, 4),
        "machine": describe(),
    }
    publish("scale", result, json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))


if __name__ == "__main__":
    main()
