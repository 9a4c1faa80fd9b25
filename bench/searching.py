"""Glue between the benchmarks and our `Retriever`: cached query vectors and document rankings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from bench.metrics import unique_in_order
from index.config import IndexSettings
from index.errors import IndexLoadError
from index.search.library import Manifest
from index.search.retriever import FusionSettings, Retriever

MODES = ("lexical", "dense", "hybrid")
MODE_LABELS = {"lexical": "BM25 only", "dense": "dense only", "hybrid": "hybrid (fused)"}
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


def doc_ranker(retriever: Retriever, mode: str, depth: int = 10) -> Callable[[str], list[str]]:
    """query -> up to `depth` distinct document ids, best first, from the retriever's passages."""
    passages = max(PASSAGES_PER_DOC_RANKING, depth)

    def ranked(query: str) -> list[str]:
        hits = retriever.search(query, passages, mode=mode)
        return unique_in_order(hit.chunk.doc_id for hit in hits)[:depth]

    return ranked


def fusion_grid(
    rrf_ks: Sequence[int] = (10, 60),
    lexical_weights: Sequence[float] = (0.5, 1.0, 2.0),
    lexical_shares: Sequence[float] = (0.1, 0.2, 0.3, 0.5),
) -> list[FusionSettings]:
    """The fusion settings compared by the evaluation: score fusion at several BM25 shares, and weighted
    reciprocal-rank fusion (dense weight 1.0)."""
    score = [FusionSettings(method="score", lexical_share=share) for share in lexical_shares]
    rrf = [
        FusionSettings(method="rrf", rrf_k=k, dense_weight=1.0, lexical_weight=w)
        for k in rrf_ks
        for w in lexical_weights
    ]
    return score + rrf
