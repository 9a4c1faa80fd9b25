"""`python -m bench.medicationqa_eval`: retrieval on real consumers' medication questions (MedicationQA), with
all of MedQuAD as distractors, against the naive whole-document baselines (`bench/baselines.py`).

`make eval` runs it after the seed and MedQuAD-title evaluation. It builds (or reuses, when nothing changed)
an index of MedQuAD + MedicationQA under var/bench/medicationqa/ with the default settings: the first build
embeds about 42k passages and takes 45 to 75 minutes on 2 cores; later runs reuse every unchanged vector.
`--distractors N` uses a seeded sample of N MedQuAD sections instead (the figures then are not comparable
with a run on all of MedQuAD, but the baselines are measured on the same library in the same run).

Reports Recall@1/5/10 and MRR@10 of the row's own document for our three modes and the three baselines, on
the *tune* half, the *report* half and all rows, and the paired bootstrap 95% CI of our hybrid's gain over
the best baseline. The targets are decided on the report half: tune on `--split tune` only.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bench import medicationqa as mqa
from bench.baselines import NaiveBaselines, cached_vectors
from bench.eval import seed_synonyms
from bench.machine import MEDQUAD, REPO, describe
from bench.metrics import Rank, first_rank, paired_bootstrap_ci, ranking_summary, reciprocal_ranks
from bench.renderers import render_medicationqa
from bench.report import publish
from bench.searching import MODE_LABELS, MODES, doc_ranker
from index.build import build_index
from index.config import IndexSettings
from index.encoders.factory import load_embedder
from index.encoders.recent import RecentVectors
from index.search.library import Library, load_library
from index.search.retriever import Retriever

WORKDIR = REPO / "var" / "bench" / "medicationqa"
BASELINE_LABELS = {
    "naive_bm25": "naive bm25s (stopwords)",
    "naive_dense": "naive MiniLM (whole doc)",
    "naive_rrf": "naive RRF (k=60)",
}


def ranks(questions: Sequence[mqa.Question], ranked: Sequence[Sequence[str]]) -> dict[str, list[Rank]]:
    return {
        "strict": [first_rank(r[: mqa.DEPTH], {q.row_id}) for q, r in zip(questions, ranked, strict=True)],
        "lenient": [first_rank(r[: mqa.DEPTH], q.lenient) for q, r in zip(questions, ranked, strict=True)],
    }


def hits_at(values: Sequence[Rank], k: int) -> list[float]:
    return [1.0 if r is not None and r <= k else 0.0 for r in values]


def compare(base: Sequence[Rank], ours: Sequence[Rank]) -> dict[str, Any]:
    """Paired bootstrap CI of ours - base on MRR@10 and Recall@5."""
    out: dict[str, Any] = {}
    for name, values in (
        ("mrr@10", lambda r: reciprocal_ranks(r, mqa.DEPTH)),
        ("recall@5", lambda r: hits_at(r, 5)),
    ):
        delta, low, high = paired_bootstrap_ci(values(base), values(ours))
        out[name] = {"delta": round(delta, 4), "ci95": [round(low, 4), round(high, 4)]}
    return out


def split_report(
    questions: Sequence[mqa.Question], systems: dict[str, dict[str, list[Rank]]], split: str | None
) -> dict[str, Any]:
    chosen = [i for i, q in enumerate(questions) if split is None or q.split == split]
    summaries: dict[str, Any] = {}
    for name, result in systems.items():
        summaries[name] = {
            kind: ranking_summary([values[i] for i in chosen], mqa.KS, mqa.DEPTH)
            for kind, values in result.items()
        }
    baselines = [name for name in systems if name.startswith("naive_")]
    best = max(
        baselines, key=lambda n: (summaries[n]["strict"]["mrr@10"], summaries[n]["strict"]["recall@5"])
    )
    strict = {name: [result["strict"][i] for i in chosen] for name, result in systems.items()}
    return {
        "questions": len(chosen),
        "systems": summaries,
        "best_baseline": best,
        "hybrid_vs_best_baseline": compare(strict[best], strict["hybrid"]),
    }


def our_rankings(
    retriever: Retriever, questions: Sequence[mqa.Question], modes: Sequence[str]
) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for mode in modes:
        started = time.perf_counter()
        ranker: Callable[[str], list[str]] = doc_ranker(retriever, mode, mqa.DEPTH)
        out[mode] = [ranker(q.text) for q in questions]
        print(f"  ours, {mode}: {time.perf_counter() - started:.1f} s", flush=True)
    return out


def skipped_reason() -> str | None:
    for path in (MEDQUAD, mqa.MEDICATIONQA):
        if not path.is_file():
            return f"{path} is missing (it exists only on the development machines and in CI)"
    return None


@dataclass
class Prepared:
    """The MedicationQA + MedQuAD library, built or reused, with what was asked of it."""

    questions: list[mqa.Question]
    records: list[dict[str, Any]]
    library: Library
    embedder: RecentVectors
    workdir: Path
    build_seconds: float

    def baseline_vectors(self) -> npt.NDArray[np.float32]:
        """The naive baselines' whole-document vectors ("title. text"), cached beside the index."""
        return cached_vectors(
            self.embedder, [mqa.naive_text(r) for r in self.records], self.workdir / "baseline-vectors.npy"
        )


def prepare(distractors: int = 0, workdir: Path = WORKDIR) -> Prepared:
    """Build (or reuse) the index of MedQuAD (all, or a sample of `distractors`) and MedicationQA."""
    rows = mqa.load_rows()
    questions = mqa.questions(rows)
    records = mqa.library_records(MEDQUAD, rows, distractors)
    workdir = workdir / (f"distractors-{distractors}" if distractors else "all")
    corpus = mqa.write_corpus(records, workdir / "corpus" / "medquad-medicationqa.jsonl")
    settings = IndexSettings()
    embedder = RecentVectors(load_embedder(settings), size=None)
    started = time.perf_counter()
    report = build_index(
        [corpus],
        workdir / "index",
        embedder,
        settings.chunk_settings(),
        progress=True,
        synonyms=seed_synonyms(),
    )
    print(f"  {report.summary()}", flush=True)
    library = load_library(
        workdir / "index", expected_model=embedder.name, expected_dimension=embedder.dimension
    )
    build_seconds = time.perf_counter() - started
    return Prepared(questions, records, library, embedder, workdir, build_seconds)


def evaluate(splits: Sequence[str | None], distractors: int = 0, workdir: Path = WORKDIR) -> dict[str, Any]:
    prepared = prepare(distractors, workdir)
    questions, records, library, embedder = (
        prepared.questions,
        prepared.records,
        prepared.library,
        prepared.embedder,
    )
    vectors = embedder.embed([q.text for q in questions])  # one batch up front; RecentVectors keeps them
    fusion = IndexSettings().fusion_settings()
    ours = our_rankings(Retriever(library, embedder, fusion), questions, MODES)
    started = time.perf_counter()
    doc_vectors = prepared.baseline_vectors()
    baselines = NaiveBaselines([r["id"] for r in records], [mqa.naive_text(r) for r in records], doc_vectors)
    naive = {
        "naive_bm25": baselines.bm25([q.text for q in questions]),
        "naive_dense": baselines.dense(vectors),
    }
    naive["naive_rrf"] = [
        NaiveBaselines.fuse(b, d) for b, d in zip(naive["naive_bm25"], naive["naive_dense"], strict=True)
    ]
    print(f"  baselines: {time.perf_counter() - started:.1f} s", flush=True)
    systems = {name: ranks(questions, ranked) for name, ranked in {**ours, **naive}.items()}
    return {
        "library": {
            "documents": library.manifest.documents,
            "chunks": library.manifest.chunks,
            "index_seconds": round(prepared.build_seconds, 1),
        },
        "questions": len(questions),
        "distractors": len(records) - len({q.row_id for q in questions}),
        "split_seed": mqa.SPLIT_SEED,
        "fusion": {"method": fusion.method, "label": fusion.label},
        "labels": {**{m: f"ours: {MODE_LABELS[m]}" for m in MODES}, **BASELINE_LABELS},
        "splits": {split or "all": split_report(questions, systems, split) for split in splits},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.medicationqa_eval", description=__doc__)
    parser.add_argument(
        "--split",
        choices=("tune", "report", "all"),
        action="append",
        help="which rows to report (repeatable; default: tune, report and all). Tune on `tune` only.",
    )
    parser.add_argument(
        "--distractors",
        type=int,
        default=0,
        help="MedQuAD sections beside the MedicationQA passages: a seeded sample of N; 0 (default) = all. "
        "All of MedQuAD means about 42k passages to embed, 45 to 75 minutes on 2 cores the first time.",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    reason = skipped_reason()
    if reason:
        print(f"skipped: {reason}")
        return
    chosen = args.split or ["tune", "report", "all"]
    result = evaluate([None if s == "all" else s for s in chosen], args.distractors)
    result["model"] = IndexSettings().embedding_model
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["machine"] = describe()
    if set(chosen) == {"tune", "report", "all"}:
        publish("medicationqa", result, render_medicationqa(result))
    else:
        print(render_medicationqa(result))
        print("\n(not published: only a full run, all splits, writes bench/results/medicationqa.json)")


if __name__ == "__main__":
    main()
