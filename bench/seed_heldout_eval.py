"""`python -m bench.seed_heldout_eval`: retrieval on the seed library with held-out patient questions.

`bench/seed_heldout/questions.yaml` was written by a helper who saw the five documents and neither the tuning
questions (`bench/questions_seed.yaml`) nor the code. It is for reporting only: never tune on it, and count
each time it is measured (its README keeps the count). Misses are counted, never listed, so that nobody
tunes on them by reading this output.

Builds the seed library as `make index` does (into a temporary directory), asks every held-out question in
each retrieval mode, and reports Hit@1, Hit@3, MRR@10 and phrase-Hit@3 (the expected verbatim phrase in one
of the top three passages), the same figures as the seed section of `bench/eval.py`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.eval import build_seed_index
from bench.machine import describe
from bench.renderers import render_seed_heldout
from bench.report import publish
from bench.searching import MODE_LABELS, MODES
from bench.seed import load_questions, score_questions
from index.config import IndexSettings
from index.encoders.factory import load_embedder
from index.encoders.recent import RecentVectors
from index.search.library import load_library
from index.search.retriever import Retriever

HELDOUT = Path(__file__).with_name("seed_heldout") / "questions.yaml"


def evaluate(path: Path = HELDOUT) -> dict[str, Any]:
    settings = IndexSettings()
    embedder = RecentVectors(load_embedder(settings), size=None)
    with tempfile.TemporaryDirectory(prefix="bench-seed-heldout-") as tmp:
        index_dir = Path(tmp) / "seed-index"
        report = build_seed_index(index_dir, embedder, settings)
        library = load_library(index_dir)
    questions = load_questions(library.documents, path)
    embedder.embed([q.text for q in questions])
    fusion = settings.fusion_settings()
    retriever = Retriever(library, embedder, fusion)
    modes = {}
    for mode in MODES:
        scores = score_questions(retriever, questions, mode)
        modes[mode] = {
            "label": MODE_LABELS[mode],
            **scores.summary(),
            "phrase_misses": len(scores.phrase_misses()),
        }
    return {
        "benchmark": "retrieval quality on held-out patient questions, seed library",
        "questions_file": str(path.relative_to(Path(__file__).parents[1])),
        "documents": report.documents,
        "chunks": report.chunks,
        "questions": len(questions),
        "fusion": fusion.label,
        "modes": modes,
        "model": embedder.name,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.seed_heldout_eval", description=__doc__)
    parser.parse_args(argv)
    if not HELDOUT.is_file():
        print(f"skipped: {HELDOUT} is missing")
        return
    started = time.perf_counter()
    result = evaluate()
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["machine"] = describe()
    publish("seed_heldout", result, render_seed_heldout(result))


if __name__ == "__main__":
    main()
