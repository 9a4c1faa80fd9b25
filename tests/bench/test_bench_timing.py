"""bench.timing: warm-up calls are not timed, every query is timed once; the peer's interpreter stays clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.timing import time_each


def test_time_each_warms_up_then_times_every_query() -> None:
    calls: list[str] = []
    times = time_each(calls.append, ["a", "b", "c"], warmup=2)
    assert calls == ["a", "b", "a", "b", "c"]
    assert len(times) == 3
    assert all(t >= 0 for t in times)


def test_the_peer_module_imports_nothing_of_ours_but_timing() -> None:
    code = (
        "import sys, bench.peer_txtai; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'index', 'service', 'onnxruntime', 'torch'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout
    assert out.strip() == "[]"
