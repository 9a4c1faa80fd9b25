"""Features of the learned triage layer: hashed character and word n-grams beside the sentence embedding.

Character n-grams (2 to 5 characters, inside word boundaries) tolerate typos ("kil myslef" shares most of
its n-grams with "kill myself"); word n-grams carry short phrases; the MiniLM sentence embedding carries
meaning that no listed word shows ("I have a rope in my closet"). Hashing needs no stored vocabulary, so
the model file is just weights, and the same text always gives the same row.

The text blocks see the message as ``phrases.normalise`` leaves it (lower case, no punctuation); the
embedding sees the message as typed, so it is the same vector retrieval would compute.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import HashingVectorizer

from index.encoders.base import Embedder
from service.triage.phrases import normalise

Matrix: TypeAlias = sp.csr_matrix


@dataclass(frozen=True)
class FeatureSpec:
    """How a message becomes a row; stored in the model file and checked when it loads."""

    hash_bits: int = 16
    char_ngrams: tuple[int, int] = (2, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    use_text: bool = True
    use_embedding: bool = True
    embedding_weight: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeatureSpec:
        values = dict(data)
        for key in ("char_ngrams", "word_ngrams"):
            values[key] = tuple(values[key])
        return cls(**values)

    def width(self, dimension: int) -> int:
        text = 2 * (1 << self.hash_bits) if self.use_text else 0
        return text + (dimension if self.use_embedding else 0)


class Featurizer:
    """Turns messages into sparse rows; the embedder is needed only when the spec uses the embedding."""

    def __init__(self, spec: FeatureSpec, embedder: Embedder | None) -> None:
        if spec.use_embedding and embedder is None:
            raise ValueError("this feature spec needs an embedder")
        self.spec = spec
        self.embedder = embedder
        n = 1 << spec.hash_bits
        common: dict[str, Any] = {"n_features": n, "alternate_sign": False, "norm": "l2", "lowercase": False}
        self._chars = HashingVectorizer(analyzer="char_wb", ngram_range=spec.char_ngrams, **common)
        self._words = HashingVectorizer(
            analyzer="word", ngram_range=spec.word_ngrams, token_pattern=r"\S+", **common
        )

    def text_rows(self, texts: list[str]) -> Matrix:
        normal = [normalise(t) for t in texts]
        # the vectorizers' parameters are fixed above: validating them on every call took most of a millisecond
        with sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
            blocks = [self._chars.transform(normal), self._words.transform(normal)]
        rows: Matrix = sp.hstack(blocks, format="csr")
        return rows

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        assert self.embedder is not None
        return self.embedder.embed(texts)

    def rows(self, texts: list[str], vectors: npt.NDArray[np.float32] | None = None) -> Matrix:
        """Feature rows; pass ``vectors`` when the messages' embeddings are already known."""
        blocks: list[Matrix] = []
        if self.spec.use_text:
            blocks.append(self.text_rows(texts))
        if self.spec.use_embedding:
            dense = vectors if vectors is not None else self.embed(texts)
            blocks.append(sp.csr_matrix(dense * np.float32(self.spec.embedding_weight)))
        rows: Matrix = sp.hstack(blocks, format="csr")
        return rows
