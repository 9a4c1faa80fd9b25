"""Glue between the benchmarks and our `Retriever`: cached query vectors and document rankings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bench.metrics import unique_in_order
from index.config import IndexSettings
from index.embedder import Embedder, Vectors
from index.errors import IndexLoadError
from index.library import Manifest
from index.retriever import FusionSettings, Retriever

MODES = ("lexical", "dense", "hybrid")
MODE_LABELS = {"lexical": "BM25 only", "dense": "dense only", "hybrid": "hybrid (RRF)"}
PASSAGES_PER_DOC_RANKING = 30  # passages fetched to rank 10 distinct documents


def index_backend(index_dir: Path) -> str | None:
    """The embedding backend an index was built with, from its manifest's model name (`name@onnx`)."""
    try:
        model = Manifest.read(index_dir).model
    except IndexLoadError:
        return None
    return model.rpartition("@")[2] if "@" in model else "torch"


def settings_for_index(index_dir: Path | None) -> IndexSettings:
    """The default settings, with the embedding backend of the index at `index_dir` when it has one.

    Queries must be embedded by the backend that embedded the passages (the loader refuses a mismatch);
    an index built before the default backend changed stays usable.
    """
    settings = IndexSettings()
    backend = index_backend(index_dir) if index_dir is not None else None
    if backend and "embedding_backend" in IndexSettings.model_fields:
        settings = settings.model_copy(update={"embedding_backend": backend})
    return settings


class CachedEmbedder:
    """An `Embedder` that answers from vectors computed up front in one batch (much faster than one by one).

    Evaluations search every query several times (three modes, several fusion settings): the query vector
    is the same each time, so it is computed once. Texts not precomputed go to the wrapped embedder.
    """

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self._cache: dict[str, Vectors] = {}

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    @property
    def batch_invariant(self) -> bool:
        return self._inner.batch_invariant

    def precompute(self, texts: Sequence[str]) -> None:
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            self._cache.update(zip(todo, self._inner.embed(todo), strict=True))

    def embed(self, texts: list[str], *, progress: bool = False) -> Vectors:
        if all(t in self._cache for t in texts):
            if not texts:
                return np.zeros((0, self.dimension), dtype=np.float32)
            return np.stack([self._cache[t] for t in texts]).astype(np.float32, copy=False)
        return self._inner.embed(texts, progress=progress)

    def count_tokens(self, text: str) -> int:
        return self._inner.count_tokens(text)


def doc_ranker(retriever: Retriever, mode: str, depth: int = 10) -> Callable[[str], list[str]]:
    """query -> up to `depth` distinct document ids, best first, from the retriever's passages."""
    passages = max(PASSAGES_PER_DOC_RANKING, depth)

    def ranked(query: str) -> list[str]:
        hits = retriever.search(query, passages, mode=mode)
        return unique_in_order(hit.chunk.doc_id for hit in hits)[:depth]

    return ranked


def fusion_grid(
    rrf_ks: Sequence[int] = (10, 60), lexical_weights: Sequence[float] = (0.5, 1.0, 2.0)
) -> list[FusionSettings]:
    """The fusion settings compared by the evaluation (dense weight stays 1.0)."""
    return [
        FusionSettings(rrf_k=k, dense_weight=1.0, lexical_weight=w) for k in rrf_ks for w in lexical_weights
    ]
