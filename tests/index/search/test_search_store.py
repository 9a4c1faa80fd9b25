"""The FAISS dense index against a brute-force numpy search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from index.encoders.torch_backend import SentenceTransformerEmbedder
from index.errors import IndexCorrupt
from index.search.library import Library
from index.search.store import DenseIndex


def normalised(rng: np.random.Generator, n: int, dim: int) -> npt.NDArray[np.float32]:
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def brute_force(
    vectors: npt.NDArray[np.float32], queries: npt.NDArray[np.float32], k: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    scores = queries.astype(np.float64) @ vectors.astype(np.float64).T
    order = np.argsort(-scores, axis=1, kind="stable")[:, : min(k, len(vectors))]
    return np.take_along_axis(scores, order, axis=1), order


def assert_same_top_k(
    dense: DenseIndex, vectors: npt.NDArray[np.float32], queries: npt.NDArray[np.float32], k: int
) -> None:
    scores, ids = dense.search(queries, k)
    expected_scores, expected_ids = brute_force(vectors, queries, k)
    assert ids.shape == expected_ids.shape == (len(queries), min(k, len(vectors)))
    np.testing.assert_allclose(scores, expected_scores, rtol=0, atol=1e-5)
    for row in range(len(queries)):
        if not np.array_equal(ids[row], expected_ids[row]):
            # only ties (equal scores within float error) may be ordered differently
            exact = queries[row].astype(np.float64) @ vectors.astype(np.float64).T
            np.testing.assert_allclose(exact[ids[row]], expected_scores[row], atol=1e-5)
    assert (np.diff(scores, axis=1) <= 1e-6).all(), "scores must be in descending order"


@pytest.mark.parametrize("kind", ["flat", "sq8"])
@pytest.mark.parametrize("k", [1, 2, 7, 50, 300, 1000])
def test_faiss_top_k_equals_brute_force(k: int, kind: str) -> None:
    rng = np.random.default_rng(k)
    vectors = normalised(rng, 300, 48)
    queries = normalised(rng, 12, 48)
    dense = DenseIndex.build(vectors, kind=kind)
    assert dense.kind == kind
    assert len(dense) == 300
    assert dense.dimension == 48
    assert_same_top_k(dense, vectors, queries, k)


@pytest.mark.parametrize("kind", ["flat", "sq8"])
def test_faiss_stores_vectors_exactly(tmp_path: Path, kind: str) -> None:
    rng = np.random.default_rng(7)
    vectors = normalised(rng, 40, 16)
    dense = DenseIndex.build(vectors, kind=kind)
    np.testing.assert_array_equal(dense.vectors(), vectors)
    rows = np.asarray([5, 0, 39, 5], dtype=np.int64)
    np.testing.assert_array_equal(dense.vectors(rows), vectors[rows])
    dense.save(tmp_path / "dense.faiss")
    loaded = DenseIndex.load(tmp_path / "dense.faiss")
    assert loaded.kind == kind
    np.testing.assert_array_equal(loaded.vectors(), vectors)
    queries = normalised(rng, 3, 16)
    for k in (1, 10, 40):
        assert_same_top_k(loaded, vectors, queries, k)


def test_empty_and_degenerate_searches() -> None:
    empty = DenseIndex.build(np.zeros((0, 8), dtype=np.float32))
    scores, ids = empty.search(np.ones((2, 8), dtype=np.float32), 5)
    assert scores.shape == ids.shape == (2, 0)
    dense = DenseIndex.build(normalised(np.random.default_rng(1), 4, 8))
    scores, ids = dense.search(np.ones((1, 8), dtype=np.float32), 0)
    assert scores.shape == (1, 0)
    with pytest.raises(ValueError, match="2-d"):
        DenseIndex.build(np.zeros(8, dtype=np.float32))


def test_unreadable_faiss_file_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "dense.faiss"
    path.write_bytes(b"not a faiss index")
    with pytest.raises(IndexCorrupt, match=r"dense\.faiss.*FAISS cannot read"):
        DenseIndex.load(path)


@pytest.mark.model
def test_faiss_top_k_on_the_seed_index(
    seed_library: Library, real_embedder: SentenceTransformerEmbedder
) -> None:
    vectors = seed_library.dense.vectors()
    assert vectors.shape == (len(seed_library.chunks), real_embedder.dimension)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    queries = real_embedder.embed(
        [
            "does ruxolitinib regrow hair in alopecia areata?",
            "eczema injection and hair growth in a teenager",
            "side effects of JAK inhibitors",
            "what is the capital of France?",
        ]
    )
    for k in (1, 3, 10, len(vectors)):
        assert_same_top_k(seed_library.dense, vectors, queries, k)


def test_sq8_rescoring_finds_the_exact_top_k_on_many_close_vectors() -> None:
    """Near-duplicates (as in MedQuAD, where many passages differ by a few words) are the hard case for an
    8-bit scan: the exact rescoring of 4 x k candidates must still return the brute-force top k."""
    rng = np.random.default_rng(11)
    base = normalised(rng, 200, 64)
    vectors = base[rng.integers(0, 200, 5000)] + 0.02 * rng.standard_normal((5000, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = normalised(rng, 40, 64)
    assert_same_top_k(DenseIndex.build(vectors, kind="sq8"), vectors, queries, 10)


@pytest.mark.parametrize("kind", ["flat", "sq8"])
def test_loaded_index_is_memory_mapped_so_workers_share_it(tmp_path: Path, kind: str) -> None:
    rng = np.random.default_rng(5)
    vectors = normalised(rng, 500, 32)
    path = tmp_path / f"{kind}.faiss"
    DenseIndex.build(vectors, kind=kind).save(path)
    loaded = DenseIndex.load(path)
    assert str(path) in Path("/proc/self/maps").read_text(), "the index file is not mapped"
    assert_same_top_k(loaded, vectors, normalised(rng, 5, 32), 10)
