"""Approved answers at question time: which clinic-approved answer, if any, a patient's question asks for.

The index build has verified every approved sentence against the library (`index.review`); this module only
decides whether a question is close enough to one of an entry's question variants to be answered with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from index.encoders.base import Embedder, Vectors
from index.ingest.approved import ApprovedEntry
from index.review.claims import analyse, compare, drug_names


@dataclass(frozen=True)
class ApprovedMatch:
    entry: ApprovedEntry
    variant: str
    cosine: float
    overlap: float


class ApprovedMatcher:
    """Finds the approved answer whose question variant a patient's question closely matches.

    A match needs all of: cosine >= `threshold`; a Jaccard overlap of content words >= `min_overlap` and at
    least `min_share` of the question's content words in the variant (a question must not ask for more than
    the variant: "how is dupilumab taken" is not "what does dupilumab do"); the same drug names; and no
    number or negation that differs ("does ruxolitinib *not* work", "in 2 weeks").
    """

    def __init__(
        self,
        entries: list[ApprovedEntry],
        embedder: Embedder,
        threshold: float,
        min_overlap: float = 0.34,
        min_share: float = 0.6,
    ) -> None:
        self.threshold = threshold
        self.min_overlap = min_overlap
        self.min_share = min_share
        self.variants = [(entry, question) for entry in entries for question in entry.questions]
        texts = [question for _, question in self.variants]
        self.vectors = embedder.embed(texts) if texts else np.zeros((0, embedder.dimension), dtype=np.float32)
        self.analyses = [analyse(text) for text in texts]

    def match(
        self, question: str, vector: Vectors, keep: Callable[[ApprovedEntry], bool] | None = None
    ) -> ApprovedMatch | None:
        """The best variant that passes every check, for a question and its embedding (shape (1, d))."""
        if not self.variants:
            return None
        cosines = self.vectors @ vector[0]
        asked = analyse(question)
        for i in np.argsort(-cosines, kind="stable"):
            cosine = float(cosines[i])
            if cosine < self.threshold:
                return None
            (entry, variant), known = self.variants[int(i)], self.analyses[int(i)]
            union = asked.terms | known.terms
            overlap = len(asked.terms & known.terms) / len(union) if union else 0.0
            share = len(asked.terms & known.terms) / len(asked.terms) if asked.terms else 0.0
            if overlap < self.min_overlap or share < self.min_share:
                continue
            if drug_names(question) != drug_names(variant):
                continue
            check = compare(asked, known)
            if check.conflicts or check.unmatched or compare(known, asked).conflicts:
                continue
            if keep is not None and not keep(entry):
                continue
            return ApprovedMatch(entry, variant, cosine, overlap)
        return None
