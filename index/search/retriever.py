"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates, fused.

Fusion (`FusionSettings.method`):
- **score** (default): each candidate's cosine similarity plus `lexical_share` times its BM25 score relative to
  the best BM25 score among the candidates. The cosine leads; BM25 breaks near-ties in favour of passages
  with the question's rare words. Chosen on MedicationQA's tune half (bench/medicationqa_eval.py), where
  reciprocal-rank fusion ranked real patients' questions *below* dense retrieval alone.
- **rrf**: weighted reciprocal rank fusion of the two candidate lists.

Unknown, misspelt question words are matched to the library's vocabulary (`QuerySpelling`) and added to the
lexical query only. `Hit.score` is the relevance to threshold on. It is the cosine similarity of question
and passage, raised when the passage contains the question's rare terms (drug names, figures) that a small
dense model tends to miss:

    score = max(cosine, coverage_weight * coverage * gate),   gate = clip(cosine / coverage_gate, 0, 1)

`coverage` is the idf-weighted share of the question's terms found in the passage. The gate lets lexical
evidence count only where the meaning does not disagree: in a small library every ordinary word is "rare",
and "how do I change a flat tyre?" matches "a change in her insurance coverage" word for word.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from index.encoders.base import Embedder, Vectors
from index.ingest.chunking import Chunk
from index.ingest.documents import Document
from index.search.batching import QueryBatcher
from index.search.fusion import FusionSettings
from index.search.library import Library
from index.search.spelling import QuerySpelling


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    document: Document
    score: float  # calibrated relevance in [0, 1]: threshold on this
    dense: float  # cosine similarity
    lexical: float  # raw BM25
    coverage: float  # idf-weighted share of query terms present in the passage
    fused: float  # fusion score (ordering only)


class Retriever:
    """Searches a `Library` with a query embedder. Thread-safe for concurrent reads.

    With a `QueryBatcher`, concurrent searches share one encoder call and one FAISS call (a service);
    without one, each search encodes its own question (scripts, evaluation).
    """

    def __init__(
        self,
        library: Library,
        embedder: Embedder,
        fusion: FusionSettings | None = None,
        *,
        batcher: QueryBatcher | None = None,
    ) -> None:
        self.library = library
        self.embedder = embedder
        self.fusion = fusion or FusionSettings()
        self.batcher = batcher
        self._idf = library.lexical.idf_by_term()
        self._unknown_idf = max(self._idf.values(), default=1.0)
        self.spelling = QuerySpelling(library.lexical)

    def encode(self, query: str) -> Vectors:
        """The question's embedding, shape (1, dimension): through the batcher when there is one. Pass it to
        `search(vector=...)` (and to triage and the approved-answer matcher) so it is encoded once."""
        if self.batcher is not None:
            return self.batcher.submit(query, 0).result().vector
        return self.embedder.embed([query])

    def warm_up(self) -> None:
        """Pay the one-off costs (the spelling index, the first FAISS and BM25 calls) before the first
        patient does."""
        self.spelling.prepare()
        self.search("warm up", 1)

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        doc_ids: set[str] | None = None,
        keep: Callable[[Document], bool] | None = None,
        mode: str = "hybrid",
        vector: Vectors | None = None,
    ) -> list[Hit]:
        """Top-k passages. `doc_ids` restricts the search to those documents; `keep` filters documents;
        `vector` is the question's embedding when it is already known (`encode`), else it is encoded here."""
        if k <= 0 or not self.library.chunks or not query.strip():
            return []
        allowed = self._allowed_rows(doc_ids, keep)
        if allowed is not None and len(allowed) == 0:
            return []
        n = self.fusion.candidates + k
        wanted = n if allowed is None else 0
        if self.batcher is not None and (vector is None or wanted > 0):
            # the batcher's thread encodes (unless the vector is known) and searches while this one scores BM25
            pending = self.batcher.submit(query, wanted, vector=vector)
            lexical_all = self.library.lexical.scores(query, self.spelling.corrections(query))
            result = pending.result()
            vector, dense_scores, dense_rows = result.vector, result.scores, result.rows
        else:
            vector, dense_scores, dense_rows = self._dense(query, wanted, vector)
            lexical_all = self.library.lexical.scores(query, self.spelling.corrections(query))
        if allowed is None:
            # FAISS pads with row -1 (and a NaN vector scores NaN): never a row it did not find
            dense_ranked = [
                (row, score)
                for row, score in zip(dense_rows.tolist(), dense_scores.tolist(), strict=True)
                if 0 <= row < len(self.library.chunks) and math.isfinite(score)
            ]
            lex_scores, lex_rows = self.library.lexical.top(lexical_all, n)
            lexical_ranked = list(zip(lex_rows.tolist(), lex_scores.tolist(), strict=True))
        else:
            rows = np.asarray(allowed, dtype=np.int64)
            cos = self.library.dense.vectors(rows) @ vector[0]
            order = np.argsort(-cos, kind="stable")[:n]
            dense_ranked = [(int(rows[i]), float(cos[i])) for i in order]
            lex = lexical_all[rows]
            lorder = [i for i in np.argsort(-lex, kind="stable")[:n] if lex[i] > 0]
            lexical_ranked = [(int(rows[i]), float(lex[i])) for i in lorder]
        fused: dict[int, float] = {}
        use_dense = mode in {"hybrid", "dense"}
        use_lexical = mode in {"hybrid", "lexical"}
        if mode == "hybrid" and self.fusion.method == "score":
            fused = self._score_fusion(dense_ranked, lexical_ranked, lexical_all, vector[0])
            use_dense = use_lexical = False
        if use_dense:
            for rank, (row, _) in enumerate(dense_ranked):
                fused[row] = fused.get(row, 0.0) + self.fusion.dense_weight / (self.fusion.rrf_k + rank + 1)
        if use_lexical:
            for rank, (row, _) in enumerate(lexical_ranked):
                fused[row] = fused.get(row, 0.0) + self.fusion.lexical_weight / (self.fusion.rrf_k + rank + 1)
        if keep is not None and allowed is None:
            fused = {
                row: s for row, s in fused.items() if keep(self.library.document_of(self.library.chunks[row]))
            }
        best = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
        if not best:
            return []
        rows = np.asarray([row for row, _ in best], dtype=np.int64)
        cosines = self.library.dense.vectors(rows) @ vector[0]
        coverages = self._coverage(query, rows)
        hits = []
        for (row, fused_score), cosine, coverage in zip(
            best, cosines.tolist(), coverages.tolist(), strict=True
        ):
            chunk = self.library.chunks[row]
            gate = min(1.0, max(0.0, cosine) / self.fusion.coverage_gate)
            score = max(0.0, cosine, self.fusion.coverage_weight * coverage * gate)
            hits.append(
                Hit(
                    chunk,
                    self.library.document_of(chunk),
                    min(score, 1.0),
                    cosine,
                    float(lexical_all[row]),
                    coverage,
                    fused_score,
                )
            )
        return hits

    def _score_fusion(
        self,
        dense_ranked: list[tuple[int, float]],
        lexical_ranked: list[tuple[int, float]],
        lexical_all: npt.NDArray[np.float32],
        vector: npt.NDArray[np.float32],
    ) -> dict[int, float]:
        """cosine + lexical_share * bm25 / best bm25, over the union of both candidate lists."""
        rows = sorted({row for row, _ in dense_ranked} | {row for row, _ in lexical_ranked})
        if not rows:
            return {}
        index = np.asarray(rows, dtype=np.int64)
        cosines = self.library.dense.vectors(index) @ vector
        lexical = lexical_all[index].astype(np.float64)
        best = float(lexical.max())
        relative = lexical / best if best > 0 else np.zeros_like(lexical)
        fused = cosines + self.fusion.lexical_share * relative
        return {row: float(score) for row, score in zip(rows, fused.tolist(), strict=True)}

    def _dense(
        self, query: str, n: int, vector: Vectors | None = None
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """The question's embedding (encoded unless given) and, for n > 0, its top-n dense (scores, rows)."""
        vector = self.embedder.embed([query]) if vector is None else vector
        if n == 0:
            return vector, np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        scores, rows = self.library.dense.search(vector, n)
        return vector, scores[0], rows[0]

    def _allowed_rows(
        self, doc_ids: set[str] | None, keep: Callable[[Document], bool] | None
    ) -> list[int] | None:
        if doc_ids is None:
            return None
        return [
            row
            for row in self.library.rows_of(doc_ids)
            if keep is None or keep(self.library.document_of(self.library.chunks[row]))
        ]

    def _coverage(self, query: str, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Idf-weighted share of the query's terms present in each row's passage (vectorised)."""
        known: list[int] = []
        weights: list[float] = []
        unknown = 0.0
        for term in set(self.library.lexical.analyze(query)):
            term_id = self.library.lexical.term_id(term)
            if term_id is None:
                # a term the library never uses is as rare as it gets, and certainly not in the passage
                unknown += self._unknown_idf
            else:
                known.append(term_id)
                weights.append(self._idf[term])
        total = sum(weights) + unknown
        if total <= 0:
            return np.zeros(len(rows))
        present = self.library.lexical.presence(known, rows)
        return np.asarray(present @ np.asarray(weights, dtype=np.float64) / total, dtype=np.float64)
