"""The dense index: the only module that imports faiss.

Vectors are L2-normalised, so inner product is cosine similarity.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from index.errors import IndexCorrupt

Vectors = npt.NDArray[np.float32]


class DenseIndex:
    """Exact inner-product search over normalised embeddings (FAISS IndexFlatIP)."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def build(cls, vectors: Vectors) -> DenseIndex:
        if vectors.ndim != 2:
            raise ValueError("vectors must be a 2-d array")
        index = faiss.IndexFlatIP(int(vectors.shape[1]))
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: Vectors, k: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """Top-k (scores, row ids) for each query row; rows are in descending score order."""
        k = min(k, len(self))
        if k <= 0:
            empty = np.zeros((len(query), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        scores, ids = self._index.search(np.ascontiguousarray(query, dtype=np.float32), k)
        return scores, ids

    def vectors(self, ids: npt.NDArray[np.int64] | None = None) -> Vectors:
        """Stored vectors, all of them or the given rows (used by the embedding cache and rescoring)."""
        if ids is None:
            return np.asarray(self._index.reconstruct_n(0, len(self)), dtype=np.float32)
        return np.asarray(self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64)), dtype=np.float32)

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, *, mmap: bool = True) -> DenseIndex:
        """Read an index file; memory-mapped by default, so worker processes share one copy of the vectors.

        Index files are never modified in place (a build swaps in a new directory), so mapping is safe.
        """
        flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0
        try:
            return cls(faiss.read_index(str(path), flags))
        except RuntimeError as exc:
            raise IndexCorrupt(f"{path}: FAISS cannot read the dense index: {exc}") from exc
