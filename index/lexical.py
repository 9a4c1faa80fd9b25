"""The lexical index: Okapi BM25 over a sparse term matrix (scipy), scored without Python loops over documents.

Tokens keep drug names, interleukins and figures intact enough to match: "IL-13" -> "il", "13", "il-13";
"75%" -> "75", "75%".
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import sparse

from index.errors import IndexCorrupt

_WORD = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*%?")
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ]
)


def tokenize(text: str) -> list[str]:
    """Lowercased terms without stopwords; hyphenated and percent terms also yield their parts."""
    terms: list[str] = []
    for match in _WORD.finditer(text.lower()):
        word = match.group().replace("’", "'")
        parts = [p for p in re.split(r"[-'%]", word) if p]
        if word not in STOPWORDS:
            terms.append(word)
        if len(parts) > 1 or word.endswith("%"):
            terms.extend(p for p in parts if p not in STOPWORDS and p != word)
    return terms


class LexicalIndex:
    """BM25 weights precomputed per (document, term); a query score is a sparse column sum."""

    def __init__(self, weights: sparse.csc_matrix, vocabulary: dict[str, int]) -> None:
        self._weights = weights
        self._vocabulary = vocabulary
        df = np.diff(weights.indptr) if weights.shape[1] else np.zeros(0)
        n_docs = max(weights.shape[0], 1)
        self._idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))

    def idf_by_term(self) -> dict[str, float]:
        """Inverse document frequency of every known term (unknown terms weigh 0 in coverage)."""
        return {term: float(self._idf[col]) for term, col in self._vocabulary.items()}

    @classmethod
    def build(cls, texts: list[str], k1: float = 1.2, b: float = 0.75) -> LexicalIndex:
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        counts: list[int] = []
        lengths = np.zeros(len(texts), dtype=np.float64)
        for row, text in enumerate(texts):
            terms = Counter(tokenize(text))
            lengths[row] = sum(terms.values())
            for term, count in terms.items():
                rows.append(row)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                counts.append(count)
        tf = sparse.csr_matrix(
            (np.asarray(counts, dtype=np.float64), (rows, cols)), shape=(len(texts), len(vocabulary))
        )
        n_docs = max(len(texts), 1)
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(vocabulary))
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        avg = lengths.mean() if len(texts) else 1.0
        norm = k1 * (1.0 - b + b * lengths / max(avg, 1e-9))
        coo = tf.tocoo()
        data = coo.data * (k1 + 1.0) / (coo.data + norm[coo.row]) * idf[coo.col]
        weights = sparse.csc_matrix((data.astype(np.float32), (coo.row, coo.col)), shape=tf.shape)
        return cls(weights, vocabulary)

    def __len__(self) -> int:
        return int(self._weights.shape[0])

    def term_id(self, term: str) -> int | None:
        return self._vocabulary.get(term)

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        """BM25 score of every document for `query` (zeros when no term is known)."""
        ids = [self._vocabulary[t] for t in tokenize(query) if t in self._vocabulary]
        if not ids:
            return np.zeros(len(self), dtype=np.float32)
        return np.asarray(self._weights[:, ids].sum(axis=1), dtype=np.float32).ravel()

    def presence(self, term_ids: list[int], rows: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """(len(rows), len(term_ids)): whether each of those documents contains each term."""
        if not term_ids or len(rows) == 0:
            return np.zeros((len(rows), len(term_ids)), dtype=bool)
        return np.asarray(self._weights[:, term_ids][rows].toarray() > 0)

    def search(self, query: str, k: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """Top-k (scores, row ids) with a positive score, best first."""
        return self.top(self.scores(query), k)

    @staticmethod
    def top(scores: npt.NDArray[np.float32], k: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """Top-k (scores, row ids) of precomputed scores, positive ones only, best first."""
        positive = np.flatnonzero(scores > 0)
        if len(positive) > k:
            positive = positive[np.argpartition(-scores[positive], k - 1)[:k]]
        order = positive[np.argsort(-scores[positive], kind="stable")]
        return scores[order], order.astype(np.int64)

    def save(self, directory: Path) -> None:
        sparse.save_npz(directory / "bm25.npz", self._weights, compressed=False)
        (directory / "bm25_vocab.json").write_text(json.dumps(self._vocabulary), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        try:
            weights = sparse.load_npz(directory / "bm25.npz").tocsc()
            vocabulary = json.loads((directory / "bm25_vocab.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorrupt(f"{directory}: cannot read the BM25 index: {exc}") from exc
        return cls(weights, vocabulary)
