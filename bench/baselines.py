"""Naive whole-document baselines that our retrieval has to beat, one row per document ("title. text"):

- **bm25s** with its English stopword list (no stemming), the library's default BM25 parameters;
- **dense**: the same MiniLM encoder, each document truncated at the model's 256 word pieces, exact inner
  product over normalised vectors (numpy, a brute-force scan: no index can be wrong here);
- **RRF**: reciprocal-rank fusion of the two rankings with k = 60, equal weights.

The dense document vectors take minutes to compute; they are cached beside the benchmark's index under a key
of the model's name and every document's text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import numpy.typing as npt

from index.encoders.base import Embedder

RRF_K = 60
DEPTH = 100  # documents each baseline ranks before fusion


def cached_vectors(embedder: Embedder, texts: Sequence[str], cache: Path) -> npt.NDArray[np.float32]:
    """The embedding of every text, read from `cache` when it was computed for exactly these texts."""
    digest = hashlib.sha256(embedder.name.encode())
    for text in texts:
        digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    key = digest.hexdigest()
    key_file = cache.with_suffix(".key")
    if cache.is_file() and key_file.is_file() and key_file.read_text().strip() == key:
        return np.load(cache)
    vectors = np.asarray(embedder.embed(list(texts), progress=True), dtype=np.float32)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(cache.stem + ".tmp.npy")
    np.save(tmp, vectors)
    tmp.replace(cache)
    key_file.write_text(key)
    return vectors


class NaiveBaselines:
    """Rank document ids for a query three naive ways."""

    def __init__(
        self, doc_ids: Sequence[str], texts: Sequence[str], vectors: npt.NDArray[np.float32]
    ) -> None:
        if not len(doc_ids) == len(texts) == len(vectors):
            raise ValueError("one id, one text and one vector per document")
        self.doc_ids = list(doc_ids)
        self._bm25 = bm25s.BM25()
        self._bm25.index(
            bm25s.tokenize(list(texts), stopwords="en", show_progress=False), show_progress=False
        )
        self._vectors = vectors

    def bm25(self, queries: Sequence[str], depth: int = DEPTH) -> list[list[str]]:
        tokens = bm25s.tokenize(list(queries), stopwords="en", return_ids=False, show_progress=False)
        ranked: list[list[str]] = []
        for query in tokens:
            if not query:
                ranked.append([])
                continue
            rows, scores = self._bm25.retrieve([query], k=min(depth, len(self.doc_ids)), show_progress=False)
            ranked.append([self.doc_ids[int(r)] for r, s in zip(rows[0], scores[0], strict=True) if s > 0])
        return ranked

    def dense(self, query_vectors: npt.NDArray[np.float32], depth: int = DEPTH) -> list[list[str]]:
        scores = query_vectors @ self._vectors.T
        top = np.argsort(-scores, axis=1, kind="stable")[:, :depth]
        return [[self.doc_ids[int(r)] for r in row] for row in top]

    @staticmethod
    def fuse(*rankings: Sequence[str], k: int = RRF_K) -> list[str]:
        """Reciprocal-rank fusion, equal weights; ties broken by document id for a stable order."""
        fused: dict[str, float] = {}
        for ranking in rankings:
            for rank, doc_id in enumerate(ranking):
                fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (k + rank + 1)
        return [doc_id for doc_id, _ in sorted(fused.items(), key=lambda item: (-item[1], item[0]))]
