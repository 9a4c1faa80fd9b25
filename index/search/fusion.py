"""How the retriever fuses dense and lexical candidates (see index/search/retriever.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FusionMethod = Literal["score", "rrf"]


@dataclass(frozen=True)
class FusionSettings:
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    method: FusionMethod = "score"
    lexical_share: float = 0.3  # score fusion: weight of BM25 relative to the best candidate's BM25
    candidates: int = 50
    coverage_weight: float = 0.8
    coverage_gate: float = 0.3

    @property
    def label(self) -> str:
        if self.method == "score":
            return f"score: cosine + {self.lexical_share:g} x relative BM25"
        return f"rrf: k={self.rrf_k}, dense={self.dense_weight:g}, lexical={self.lexical_weight:g}"
