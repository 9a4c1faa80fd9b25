"""Ranking and latency metrics shared by the benchmarks. Pure functions: no model, no index, no I/O.

A query's *rank* is the 1-based position of its first relevant result, or None when no relevant result was
retrieved. Every ranking metric below is computed from the list of ranks of a query set.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Sequence

import numpy as np

Rank = int | None


def first_rank(ranked: Iterable[str], relevant: Collection[str]) -> Rank:
    """1-based position of the first item of `ranked` that is in `relevant`; None when there is none."""
    for position, item in enumerate(ranked, start=1):
        if item in relevant:
            return position
    return None


def unique_in_order(items: Iterable[str]) -> list[str]:
    """Items without repeats, each at its first position (chunk hits -> distinct documents)."""
    seen: set[str] = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def recall_at_k(ranks: Sequence[Rank], k: int) -> float:
    """Share of queries whose first relevant result is in the top k (Hit@k; Recall@k with one relevant)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    if not ranks:
        return 0.0
    return sum(1 for rank in ranks if rank is not None and rank <= k) / len(ranks)


def mrr(ranks: Sequence[Rank], cutoff: int | None = None) -> float:
    """Mean reciprocal rank; a rank beyond `cutoff` (MRR@cutoff) or None counts 0."""
    if cutoff is not None and cutoff < 1:
        raise ValueError("cutoff must be at least 1")
    if not ranks:
        return 0.0
    total = sum(1.0 / rank for rank in ranks if rank is not None and (cutoff is None or rank <= cutoff))
    return total / len(ranks)


def share(flags: Sequence[bool]) -> float:
    """Share of true values (0.0 for an empty list)."""
    return sum(flags) / len(flags) if flags else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of an empty list")
    if not 0 <= q <= 100:
        raise ValueError("q must be within 0 and 100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/mean/max of latencies given in seconds, in milliseconds rounded to 0.01."""
    if not seconds:
        return {}
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(sum(ms) / len(ms), 2),
        "max_ms": round(max(ms), 2),
    }


def ranking_summary(ranks: Sequence[Rank], ks: Sequence[int], mrr_cutoff: int | None) -> dict[str, float]:
    """Recall@k for each k and MRR(@cutoff) as a flat dict, rounded to 4 places."""
    out = {f"recall@{k}": round(recall_at_k(ranks, k), 4) for k in ks}
    name = f"mrr@{mrr_cutoff}" if mrr_cutoff else "mrr"
    out[name] = round(mrr(ranks, mrr_cutoff), 4)
    return out


def normalise_title(title: str) -> str:
    """Key under which two MedQuAD titles count as identical: whitespace collapsed, case folded."""
    return " ".join(title.split()).casefold()


def group_by(
    items: Iterable[tuple[str, str]], key: Callable[[str], str] = normalise_title
) -> dict[str, set[str]]:
    """{key(label): ids} from (id, label) pairs: the sections sharing a title."""
    groups: dict[str, set[str]] = {}
    for item_id, label in items:
        groups.setdefault(key(label), set()).add(item_id)
    return groups


def reciprocal_ranks(ranks: Sequence[Rank], cutoff: int | None = None) -> list[float]:
    """Per-query reciprocal rank (0 for a miss or a rank beyond `cutoff`)."""
    return [0.0 if r is None or (cutoff is not None and r > cutoff) else 1.0 / r for r in ranks]


def paired_bootstrap_ci(
    a: Sequence[float], b: Sequence[float], *, resamples: int = 2000, seed: int = 13, level: float = 0.95
) -> tuple[float, float, float]:
    """Mean of b - a over paired queries and its bootstrap confidence interval: (delta, low, high)."""
    if len(a) != len(b):
        raise ValueError("paired samples must have the same length")
    if not a:
        return 0.0, 0.0, 0.0
    diff = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), size=(resamples, len(diff)))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(diff.mean()), float(low), float(high)
