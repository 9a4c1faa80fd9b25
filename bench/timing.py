"""Timing one call per query, after a warm-up. Standard library only: `bench.peer_txtai` imports it into the
peer's clean interpreter."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence


def time_each(call: Callable[[str], object], queries: Sequence[str], warmup: int = 10) -> list[float]:
    """Seconds each `call(query)` took, after `warmup` untimed calls on the first queries."""
    for query in queries[:warmup]:
        call(query)
    times = []
    for query in queries:
        started = time.perf_counter()
        call(query)
        times.append(time.perf_counter() - started)
    return times
