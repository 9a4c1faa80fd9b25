"""bench/report.py: LATEST.md renders every committed result, and held-out texts never reach bench/results."""

from __future__ import annotations

from pathlib import Path

import pytest

import bench.report as report
from bench.triage_eval import without_messages


def test_latest_renders_every_committed_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    latest = tmp_path / "LATEST.md"
    monkeypatch.setattr(report, "LATEST", latest)
    report.write_latest()
    text = latest.read_text(encoding="utf-8")
    for name in report.COMMANDS:
        if (report.RESULTS / f"{name}.json").is_file():
            assert f"Reproduce: `{report.COMMANDS[name]}`" in text


def test_missed_message_lists_are_dropped_at_every_depth() -> None:
    result = {
        "heldout": {
            "set_a": {"combined": {"missed": ["a held-out text"], "benign_refused": {"hit": 1, "n": 2}}}
        },
        "candidates": [{"held out set_a": {"missed": ["x"], "rate": 0.5}}],
    }
    assert without_messages(result) == {
        "heldout": {"set_a": {"combined": {"benign_refused": {"hit": 1, "n": 2}}}},
        "candidates": [{"held out set_a": {"rate": 0.5}}],
    }
    assert "missed" in result["heldout"]["set_a"]["combined"]  # the original is left as it was
