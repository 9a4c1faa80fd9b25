"""`python -m bench.doc_evidence`: would document-level evidence rank MedicationQA's documents better? (issue
#12; an experiment on the *tune* half only, not part of the service).

Today a document ranks by its best passage (`bench.searching.doc_ranker`). The variants add, to that best
passage's fused score, `gamma` times one document-level signal:
- **whole document**: the cosine of the question and the document's "title. text" vector (MiniLM reads the
  first 256 word pieces: the naive baseline's vector, one more embedding per document at build time);
- **centroid**: the cosine of the question and the normalised mean of the document's passage vectors (free);
- **soft count**: a log-sum-exp (temperature 0.02) of the document's passages' fused scores, so that a
  document with several good passages beats one with a single good one.
Uses the index `make eval` builds (`--distractors 4000` by default, as `make eval` does).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from bench import medicationqa as mqa
from bench.medicationqa_eval import prepare, skipped_reason
from bench.metrics import first_rank, ranking_summary
from bench.tables import markdown_table
from index.config import IndexSettings
from index.search.retriever import Hit, Retriever

CANDIDATES = 100  # passages fetched per question
GAMMAS = (0.1, 0.2, 0.5, 1.0)
TEMPERATURE = 0.02

Signal = Callable[[int, str, list[float]], float]  # (question index, doc id, its passages' fused) -> value


def rank_documents(hits: Sequence[Hit], signal: Signal, question: int, gamma: float) -> list[str]:
    fused: dict[str, list[float]] = {}
    for hit in hits:
        fused.setdefault(hit.chunk.doc_id, []).append(hit.fused)
    scores = {doc: max(values) + gamma * signal(question, doc, values) for doc, values in fused.items()}
    return sorted(scores, key=lambda doc: -scores[doc])[: mqa.DEPTH]


def soft_count(_question: int, _doc: str, values: list[float]) -> float:
    array = np.asarray(values)
    return float(TEMPERATURE * np.log(np.exp((array - array.max()) / TEMPERATURE).sum()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.doc_evidence", description=__doc__)
    parser.add_argument("--distractors", type=int, default=4000, help="as `make eval` (MQA_DISTRACTORS)")
    args = parser.parse_args(argv)
    reason = skipped_reason()
    if reason:
        print(f"skipped: {reason}")
        return
    prepared = prepare(args.distractors)
    library, embedder = prepared.library, prepared.embedder
    questions = [q for q in prepared.questions if q.split == "tune"]
    vectors = np.asarray(embedder.embed([q.text for q in questions]), np.float32)
    retriever = Retriever(library, embedder, IndexSettings().fusion_settings())
    candidates = [retriever.search(q.text, CANDIDATES) for q in questions]

    position = {record["id"]: i for i, record in enumerate(prepared.records)}
    whole: npt.NDArray[np.float32] = prepared.baseline_vectors() @ vectors.T  # (documents, questions)
    passages = library.dense.vectors(np.arange(len(library.chunks)))
    centroids: dict[str, npt.NDArray[np.float32]] = {}
    for doc_id, rows in ((d, library.rows_of({d})) for d in library.documents):
        mean = passages[rows].mean(axis=0)
        centroids[doc_id] = mean / np.linalg.norm(mean)
    signals: dict[str, Signal] = {
        "whole document": lambda q, doc, _v: float(whole[position[doc], q]),
        "centroid": lambda q, doc, _v: float(centroids[doc] @ vectors[q]),
        "soft count": soft_count,
    }

    def summary(ranked: list[list[str]]) -> str:
        ranks = [first_rank(r, {q.row_id}) for q, r in zip(questions, ranked, strict=True)]
        figures = ranking_summary(ranks, mqa.KS, mqa.DEPTH)
        return f"{figures['mrr@10']:.4f} / {figures['recall@5']:.4f}"

    today = summary([rank_documents(h, soft_count, i, 0.0) for i, h in enumerate(candidates)])
    rows: list[tuple[object, ...]] = [("best passage (today)", *([today] * len(GAMMAS)))]
    for name, signal in signals.items():
        cells = [
            summary([rank_documents(h, signal, i, gamma) for i, h in enumerate(candidates)])
            for gamma in GAMMAS
        ]
        rows.append((f"+ gamma x {name}", *cells))
    print(
        f"MedicationQA tune half ({len(questions)} questions), {args.distractors or 'all'} MedQuAD distractors"
    )
    print("strict MRR@10 / Recall@5 of the row's own document\n")
    print(markdown_table(("document score", *(f"gamma {g:g}" for g in GAMMAS)), rows))


if __name__ == "__main__":
    main()
