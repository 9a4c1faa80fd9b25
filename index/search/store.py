"""The dense index: the only module that imports faiss.

Vectors are L2-normalised, so inner product is cosine similarity. Three kinds, which `kind="auto"` picks by
size:

- `flat` (up to `SQ_THRESHOLD` vectors): exact search over the float32 vectors (IndexFlatIP);
- `sq8` (up to `ANN_THRESHOLD`): the scan reads 8-bit codes (a quarter of the memory traffic, which is what an
  exact search over tens of thousands of vectors waits on), then the best `REFINE_FACTOR` x k candidates are
  rescored exactly on the float32 vectors (IndexRefineFlat). Scores are exact; a true top-k row is missed only
  if 8-bit rounding pushes it below the candidate cut (none in 300 MedQuAD questions, see the README);
- `ivf` (above): an inverted-file index (k-means coarse quantiser, `nprobe` lists searched), approximate,
  whose recall@10 against exact search `bench/scale.py` measures.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from index.errors import IndexCorrupt

Vectors = npt.NDArray[np.float32]


SQ_THRESHOLD = 20_000
ANN_THRESHOLD = 100_000
DEFAULT_NPROBE = 256  # lists searched per query: recall@10 >= 0.98 in bench/scale.py
REFINE_FACTOR = 4  # sq8: candidates rescored exactly, per result asked for
KINDS = ("auto", "flat", "sq8", "ivf")


_search_threads = 0  # 0: FAISS's default (all cores)


def set_search_threads(threads: int) -> None:
    """OpenMP threads FAISS uses for a search. A service answers one question a request, concurrently: one
    thread a search avoids OpenMP's spin-waiting when requests compete for the cores. OpenMP keeps this
    per calling thread, so `search` applies it in whichever thread runs the search."""
    global _search_threads
    _search_threads = max(0, threads)


class DenseIndex:
    """Inner-product search over normalised embeddings: exact (flat) or inverted-file (ivf)."""

    def __init__(self, index: faiss.Index, nprobe: int = DEFAULT_NPROBE) -> None:
        self._index = index  # the owning proxy: a downcast copy would not keep the C++ object alive
        ivf = (
            faiss.try_extract_index_ivf(index)
            if not isinstance(index, faiss.IndexFlat | faiss.IndexRefine)
            else None
        )
        if ivf is not None:
            ivf.nprobe = nprobe
            ivf.make_direct_map()  # lets `vectors(ids)` reconstruct rows for rescoring

    @classmethod
    def build(cls, vectors: Vectors, kind: str = "auto", nprobe: int = DEFAULT_NPROBE) -> DenseIndex:
        if vectors.ndim != 2:
            raise ValueError("vectors must be a 2-d array")
        if kind not in KINDS:
            raise ValueError(f"dense index kind must be one of {KINDS}, not {kind!r}")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dimension = int(vectors.shape[1])
        if kind == "auto":
            kind = (
                "flat" if len(vectors) <= SQ_THRESHOLD else "sq8" if len(vectors) <= ANN_THRESHOLD else "ivf"
            )
        if kind == "flat":
            index: faiss.Index = faiss.IndexFlatIP(dimension)
        elif kind == "sq8":
            codes = faiss.IndexScalarQuantizer(
                dimension, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
            )
            if len(vectors):
                codes.train(vectors)  # per-dimension ranges
            index = faiss.IndexRefineFlat(codes)
            index.k_factor = REFINE_FACTOR
        else:
            lists = max(1, min(int(4 * np.sqrt(len(vectors))), len(vectors) // 39))
            index = faiss.IndexIVFFlat(
                faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT
            )
            index.cp.niter = 10
            sample = vectors[np.random.default_rng(13).permutation(len(vectors))[: min(lists * 32, 131_072)]]
            index.train(sample)
        if len(vectors):
            index.add(vectors)
        return cls(index, nprobe)

    @property
    def kind(self) -> str:
        if isinstance(self._index, faiss.IndexFlat):
            return "flat"
        return "sq8" if isinstance(self._index, faiss.IndexRefine) else "ivf"

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
        if _search_threads:
            faiss.omp_set_num_threads(_search_threads)
        scores, ids = self._index.search(np.ascontiguousarray(query, dtype=np.float32), k)
        return scores, ids

    def vectors(self, ids: npt.NDArray[np.int64] | None = None) -> Vectors:
        """Stored vectors, all of them or the given rows (used by the embedding cache and rescoring)."""
        if ids is None:
            return np.asarray(self._index.reconstruct_n(0, len(self)), dtype=np.float32)
        return np.asarray(self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64)), dtype=np.float32)

    def all_finite(self, block: int = 16384) -> bool | None:
        """Whether every stored vector is finite (a NaN vector makes FAISS pad results with row -1); read in
        blocks to bound memory. None when this kind cannot give its vectors back (IVF without a direct map)."""
        try:
            for start in range(0, len(self), block):
                count = min(block, len(self) - start)
                if not np.isfinite(self._index.reconstruct_n(start, count)).all():
                    return False
        except RuntimeError:
            return None
        return True

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, *, mmap: bool = True, nprobe: int = DEFAULT_NPROBE) -> DenseIndex:
        """Read an index file; memory-mapped by default, so worker processes share one copy of the vectors.

        Index files are never modified in place (a build swaps in a new directory), so mapping is safe.
        """
        flags = 0
        if mmap:
            # IO_FLAG_MMAP maps the lists of an IVF index (whose type tags start "Iw"); the codes of flat and
            # sq8 indexes need IO_FLAG_MMAP_IFC instead, and FAISS refuses the two together on an IVF file.
            try:
                with path.open("rb") as handle:
                    ivf = handle.read(2) == b"Iw"
            except OSError as exc:
                raise IndexCorrupt(f"{path}: cannot read the dense index: {exc}") from exc
            flags = (faiss.IO_FLAG_MMAP if ivf else faiss.IO_FLAG_MMAP_IFC) | faiss.IO_FLAG_READ_ONLY
        try:
            return cls(faiss.read_index(str(path), flags), nprobe)
        except RuntimeError as exc:
            raise IndexCorrupt(f"{path}: FAISS cannot read the dense index: {exc}") from exc
