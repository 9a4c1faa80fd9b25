"""RecentVectors: the service's embedder remembers the last questions, so each is encoded once."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from index.encoders.base import Embedder
from index.encoders.recent import RecentVectors
from index.encoders.torch_backend import SentenceTransformerEmbedder
from tests.conftest import CountingEmbedder, HashingEmbedder


def test_it_is_an_embedder_with_the_inner_ones_identity() -> None:
    inner = HashingEmbedder()
    recent = RecentVectors(inner)
    assert isinstance(recent, Embedder)
    assert (recent.name, recent.dimension, recent.batch_invariant) == (
        inner.name,
        inner.dimension,
        inner.batch_invariant,
    )
    assert recent.count_tokens("three words here") == inner.count_tokens("three words here")


def test_vectors_equal_the_inner_embedders_and_each_text_is_encoded_once() -> None:
    counting = CountingEmbedder(HashingEmbedder())
    recent = RecentVectors(counting)
    first = recent.embed(["is dupilumab a steroid", "what is alopecia"])
    again = recent.embed(["what is alopecia", "new question", "is dupilumab a steroid", "new question"])
    assert counting.seen == ["is dupilumab a steroid", "what is alopecia", "new question"]
    oracle = HashingEmbedder().embed(
        ["what is alopecia", "new question", "is dupilumab a steroid", "new question"]
    )
    np.testing.assert_array_equal(again, oracle)
    np.testing.assert_array_equal(first, oracle[[2, 0]])
    assert again.dtype == np.float32
    assert again.shape == (4, recent.dimension)
    assert recent.embed([]).shape == (0, recent.dimension)


def test_a_caller_changing_its_rows_does_not_change_the_remembered_ones() -> None:
    recent = RecentVectors(HashingEmbedder())
    rows = recent.embed(["what is alopecia"])
    rows[0, :] = 0.0
    np.testing.assert_array_equal(
        recent.embed(["what is alopecia"]), HashingEmbedder().embed(["what is alopecia"])
    )


def test_the_least_recently_used_text_goes_first() -> None:
    counting = CountingEmbedder(HashingEmbedder())
    recent = RecentVectors(counting, size=2)
    recent.embed(["a"])
    recent.embed(["b"])
    recent.embed(["a"])  # "a" is now the most recent
    recent.embed(["c"])  # pushes out "b"
    counting.seen.clear()
    recent.embed(["a", "b", "c"])
    assert counting.seen == ["b"]


def test_unbounded_keeps_every_text_for_evaluations() -> None:
    counting = CountingEmbedder(HashingEmbedder())
    recent = RecentVectors(counting, size=None)
    texts = [f"query {i}" for i in range(1000)]
    recent.embed(texts)  # one batch up front
    counting.seen.clear()
    for text in texts:
        recent.embed([text])
    assert counting.seen == []


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RecentVectors(HashingEmbedder(), size=0)


def test_concurrent_callers_get_their_own_texts_vectors() -> None:
    recent = RecentVectors(HashingEmbedder(), size=8)
    texts = [f"question number {i}" for i in range(40)]
    oracle = HashingEmbedder().embed(texts)
    wrong: list[int] = []

    def ask(offset: int) -> None:
        for i in range(offset, len(texts), 4):
            for _ in range(3):
                if not np.array_equal(recent.embed([texts[i]])[0], oracle[i]):
                    wrong.append(i)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_with_the_real_model_a_remembered_row_is_the_models_row(
    real_embedder: SentenceTransformerEmbedder,
) -> None:
    recent = RecentVectors(real_embedder)
    question = "can dupilumab help alopecia areata?"
    alone = recent.embed([question])
    in_batch = recent.embed(["what is eczema", question])
    np.testing.assert_array_equal(in_batch[1], alone[0])
    np.testing.assert_allclose(alone, real_embedder.embed([question]), atol=1e-6)
