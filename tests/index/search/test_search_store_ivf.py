"""The dense index kind follows the size; above 100k it is approximate (IVF) and still matches exact search closely."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.search.store import SQ_THRESHOLD, DenseIndex


def clustered(n: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(50, 32))
    x = centres[rng.integers(0, 50, n)] + 0.3 * rng.normal(size=(n, 32))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_auto_picks_the_kind_by_size() -> None:
    assert DenseIndex.build(clustered(500)).kind == "flat"
    assert DenseIndex.build(clustered(SQ_THRESHOLD + 1)).kind == "sq8"


def test_ivf_recall_against_brute_force(tmp_path: Path) -> None:
    vectors = clustered(4000)
    index = DenseIndex.build(vectors, kind="ivf", nprobe=16)
    assert index.kind == "ivf"
    queries = clustered(50, seed=9)
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    _, ids = index.search(queries, 10)
    recall = np.mean([len(set(ids[i]) & set(truth[i])) / 10 for i in range(len(queries))])
    assert recall >= 0.95
    np.testing.assert_allclose(index.vectors(np.array([3, 7])), vectors[[3, 7]], atol=1e-6)
    index.save(tmp_path / "ivf.faiss")
    loaded = DenseIndex.load(tmp_path / "ivf.faiss", nprobe=16)
    assert loaded.kind == "ivf"
    assert str(tmp_path / "ivf.faiss") in Path("/proc/self/maps").read_text(), (
        "the inverted lists are not mapped"
    )
    np.testing.assert_array_equal(loaded.search(queries, 10)[1], ids)
