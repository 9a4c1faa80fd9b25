"""The command line `python -m index build|query`, with the real model (one build)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from index.__main__ import main
from index.encoders.base import Embedder

KNOWN_DOCS = {
    "dupilumab-advanced-aa-donovan",
    "dupilumab-case-report-mgh",
    "dupilumab-new-hope-refinedmd",
    "jak-inhibitors-trials-news",
    "ruxolitinib-pilot-belgravia",
}


@pytest.fixture
def default_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No CLINIC_* variable from the environment: the command uses its defaults (the bundled model)."""
    for name in list(os.environ):
        if name.startswith("CLINIC_"):
            monkeypatch.delenv(name)


@pytest.mark.model
@pytest.mark.usefixtures("default_settings")
def test_build_then_query(tmp_path: Path, seed_corpus_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "index"
    assert main(["build", "--corpus", str(seed_corpus_dir), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    summary = re.search(
        r"built index: (\d+) documents, (\d+) chunks \((\d+) embedded, 0 from cache\) in [\d.]+ s",
        captured.out,
    )
    assert summary, captured.out
    documents, chunks, embedded = map(int, summary.groups())
    assert documents == 5
    assert chunks >= 10
    assert embedded == chunks
    assert f"index written to {out}" in captured.out
    assert "warning: dupilumab-case-report-mgh: undated" in captured.err

    assert main(["build", "--corpus", str(seed_corpus_dir), "--out", str(out), "--if-stale"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == f"index at {out} is up to date"

    assert main(["query", "ruxolitinib", "--index", str(out), "-k", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    ranked = [line for line in lines if re.match(r"\d+\. score=", line)]
    assert [line.split(".")[0] for line in ranked] == ["1", "2"]
    for line in ranked:
        match = re.search(
            r"score=([\d.]+) dense=(-?[\d.]+) bm25=([\d.]+) doc=(\S+) chunk=(\w+) \[(\d+):(\d+)\]", line
        )
        assert match, line
        assert match.group(4) in KNOWN_DOCS
        assert float(match.group(3)) > 0, "the passage contains the drug name"
    assert len(lines) == 4  # each ranked line is followed by its snippet
    assert "ruxolitinib" in lines[1].lower()

    assert main(["query", "ruxolitinib", "--index", str(tmp_path / "missing")]) == 2
    assert "error: no index at" in capsys.readouterr().err


def test_build_with_a_bad_corpus_fails_cleanly(
    tmp_path: Path,
    fake_embedder: Embedder,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("index.__main__.load_embedder", lambda settings: fake_embedder)
    bad = tmp_path / "corpus" / "bad.md"
    bad.parent.mkdir()
    bad.write_text("no front matter, no title", encoding="utf-8")
    code = main(["build", "--corpus", str(bad.parent), "--out", str(tmp_path / "index")])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith(f"error: {bad}: document 'bad' has no title")
    assert not (tmp_path / "index").exists()
