"""The lexical index: Okapi BM25 over a sparse term matrix (scipy), scored without Python loops over documents.

Terms come from an `Analyzer` (index/search/analysis.py: stopwords, Snowball stems, synonyms). The index stores its
synonym map, so a question is analysed exactly as the passages were, whatever the synonyms file says today.
"""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import sparse

from index.errors import IndexCorrupt, IndexMismatch
from index.search.analysis import Analyzer, SynonymMap, SynonymsError


class LexicalIndex:
    """BM25 over a sparse (document, term) count matrix; a query score is a sparse column sum.

    The index stores raw term counts (so a rebuild can reuse the rows of unchanged passages without
    tokenising them again) and derives the BM25 weights from them when it is created.
    """

    def __init__(
        self,
        counts: sparse.csr_matrix,
        vocabulary: dict[str, int],
        k1: float = 1.2,
        b: float = 0.75,
        analyzer: Analyzer | None = None,
        counted_by: str | None = None,
    ) -> None:
        self.analyzer = analyzer or Analyzer()
        self._counted_by = counted_by or self.analyzer.fingerprint
        self._counts = counts
        self._vocabulary = vocabulary
        self.k1, self.b = k1, b
        n_docs, n_terms = counts.shape
        df = np.bincount(counts.indices, minlength=n_terms) if n_terms else np.zeros(0)
        self._idf = np.log(1.0 + (max(n_docs, 1) - df + 0.5) / (df + 0.5))

    @cached_property
    def _weights(self) -> sparse.csc_matrix:
        """BM25 weight of every (passage, term), derived on first use (a rebuild only needs the counts)."""
        counts, k1, b = self._counts, self.k1, self.b
        n_docs = counts.shape[0]
        lengths = np.asarray(counts.sum(axis=1), dtype=np.float64).ravel()
        avg = lengths.mean() if n_docs else 1.0
        norm = k1 * (1.0 - b + b * lengths / max(avg, 1e-9))
        tf = counts.data.astype(np.float64)
        rows = np.repeat(np.arange(n_docs), np.diff(counts.indptr))
        data = tf * (k1 + 1.0) / (tf + norm[rows]) * self._idf[counts.indices]
        weights = sparse.csr_matrix(
            (data.astype(np.float32), counts.indices, counts.indptr), shape=counts.shape
        )
        return weights.tocsc()

    @property
    def analyzer_fingerprint(self) -> str:
        """Which analyzer counted this index's terms (a rebuild reuses counts only from the same one)."""
        return self._counted_by

    def analyze(self, text: str) -> list[str]:
        """The terms of `text` as this index counts them."""
        return self.analyzer.terms(text)

    def knows(self, word: str) -> bool:
        """Whether some passage contains `word`, as analysed: "injections" finds "injection", and a word of a
        synonym group ("Dupixent") finds a passage with another of its forms ("dupilumab")."""
        return any(t in self._vocabulary for t in self.analyzer.terms(word))

    def idf_by_term(self) -> dict[str, float]:
        """Inverse document frequency of every known term (unknown terms weigh 0 in coverage)."""
        return {term: float(self._idf[col]) for term, col in self._vocabulary.items()}

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        k1: float = 1.2,
        b: float = 0.75,
        *,
        analyzer: Analyzer | None = None,
        reuse: LexicalIndex | None = None,
        reuse_rows: Sequence[int] | None = None,
    ) -> LexicalIndex:
        """Index `texts`. With `reuse`, `reuse_rows[i]` is the row of `reuse` holding exactly `texts[i]`
        (or -1): those rows' counts are copied instead of tokenising the text again; `reuse` must have been
        counted by the same analyzer."""
        analyzer = analyzer or Analyzer()
        if reuse is not None and reuse.analyzer_fingerprint != analyzer.fingerprint:
            reuse, reuse_rows = None, None
        vocabulary: dict[str, int] = dict(reuse._vocabulary) if reuse is not None else {}
        old = reuse._counts if reuse is not None else None
        source = np.full(len(texts), -1, dtype=np.int64)
        if old is not None and reuse_rows is not None:
            source = np.asarray(reuse_rows, dtype=np.int64)
        sizes = np.zeros(len(texts), dtype=np.int64)
        fresh_cols: list[int] = []
        fresh_counts: list[int] = []
        for row, text in enumerate(texts):
            if source[row] >= 0:
                continue
            terms = Counter(analyzer.terms(text))
            sizes[row] = len(terms)
            for term, count in terms.items():
                fresh_cols.append(vocabulary.setdefault(term, len(vocabulary)))
                fresh_counts.append(count)
        copied = source >= 0
        if old is not None:
            sizes[copied] = np.diff(old.indptr)[source[copied]]
        indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        indices = np.zeros(int(indptr[-1]), dtype=np.int64)
        data = np.zeros(int(indptr[-1]), dtype=np.int32)
        positions = np.repeat(indptr[:-1], sizes) + _ranks_within(sizes)
        is_copied = np.repeat(copied, sizes)
        if old is not None and copied.any():
            starts = np.repeat(old.indptr[source[copied]], sizes[copied]) + _ranks_within(sizes[copied])
            indices[positions[is_copied]] = old.indices[starts]
            data[positions[is_copied]] = old.data[starts]
        indices[positions[~is_copied]] = fresh_cols
        data[positions[~is_copied]] = fresh_counts
        # terms no passage uses any more (their passages were edited away) leave the vocabulary
        used = np.bincount(indices, minlength=len(vocabulary)) > 0
        renumber = np.cumsum(used) - 1
        vocabulary = {term: int(renumber[col]) for term, col in vocabulary.items() if used[col]}
        counts = sparse.csr_matrix(
            (data, renumber[indices].astype(np.int32), indptr), shape=(len(texts), len(vocabulary))
        )
        counts.sort_indices()
        return cls(counts, vocabulary, k1, b, analyzer)

    def __len__(self) -> int:
        return int(self._counts.shape[0])

    def term_id(self, term: str) -> int | None:
        return self._vocabulary.get(term)

    def scores(self, query: str, extra_terms: Sequence[str] = ()) -> npt.NDArray[np.float32]:
        """BM25 score of every document for `query` and already analysed `extra_terms` (zeros when no term is
        known)."""
        terms = [*self.analyzer.terms(query), *extra_terms]
        ids = [self._vocabulary[t] for t in terms if t in self._vocabulary]
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
        sparse.save_npz(directory / "bm25.npz", self._counts, compressed=False)
        meta = {
            "k1": self.k1,
            "b": self.b,
            "analyzer": self.analyzer_fingerprint,
            "synonyms": self.analyzer.synonyms.to_json(),
            "terms": self._vocabulary,
        }
        (directory / "bm25_vocab.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, *, current: bool = True) -> LexicalIndex:
        """The index saved in `directory`. With `current` (a service), one counted by another analyzer version
        is refused (IndexMismatch); without it (a rebuild reading its cache), it loads but is never reused."""
        try:
            with (directory / "bm25.npz").open("rb") as file:  # closed even when the zip is broken
                counts = sparse.load_npz(file).tocsr()
            meta = json.loads((directory / "bm25_vocab.json").read_text(encoding="utf-8"))
            analyzer = Analyzer(SynonymMap.from_groups(meta.get("synonyms") or []))
            counted_by = str(meta.get("analyzer", "analyzer-v1"))
            if current and counted_by != analyzer.fingerprint:
                raise IndexMismatch(
                    f"{directory}: the BM25 index was counted by another analyzer ({counted_by}, this code has "
                    f"{analyzer.fingerprint}): rebuild it with `python -m index build`"
                )
            return cls(counts, meta["terms"], float(meta["k1"]), float(meta["b"]), analyzer, counted_by)
        except (OSError, EOFError, zipfile.BadZipFile, ValueError, KeyError, TypeError, SynonymsError) as exc:
            raise IndexCorrupt(f"{directory}: cannot read the BM25 index: {exc}") from exc


def _ranks_within(sizes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """0, 1, .., sizes[0]-1, 0, 1, .., sizes[1]-1, ...: each element's position inside its row."""
    total = int(sizes.sum())
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.arange(total, dtype=np.int64) - starts
