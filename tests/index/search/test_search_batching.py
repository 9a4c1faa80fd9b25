"""QueryBatcher: concurrent questions share encoder and FAISS calls, and each caller gets its own answer."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from index.encoders.base import Vectors
from index.search.batching import DenseResult, QueryBatcher
from index.search.library import Library
from index.search.retriever import Retriever
from index.search.store import DenseIndex
from tests.conftest import HashingEmbedder

QUESTIONS = [f"question {i} about {word}" for i, word in enumerate("hair skin eczema tablets sleep " * 8)]
CORPUS = [f"passage {i} on {'abcdefgh'[i % 8]} and {'xyz'[i % 3]}" for i in range(200)]


class SlowEmbedder(HashingEmbedder):
    """Takes a while per call and records each call's size, so concurrent questions queue up behind it."""

    def __init__(self) -> None:
        super().__init__(64)
        self.calls: list[int] = []
        self.seen: list[list[str]] = []
        self.release = threading.Event()  # a "blocker" question waits for it
        self.fail_on: str | None = None
        self.invariant = True

    @property
    def batch_invariant(self) -> bool:
        return self.invariant

    def embed(self, texts: list[str], *, progress: bool = False) -> Vectors:
        self.calls.append(len(texts))
        self.seen.append(list(texts))
        if "blocker" in texts:
            assert self.release.wait(timeout=10)
        time.sleep(0.02)
        if self.fail_on is not None and self.fail_on in texts:
            raise RuntimeError("encoder failed")
        return super().embed(texts, progress=progress)


@pytest.fixture
def corpus_index() -> tuple[DenseIndex, Vectors]:
    vectors = HashingEmbedder(64).embed(CORPUS)
    return DenseIndex.build(vectors, kind="flat"), vectors


def oracle(vectors: Vectors, query: Vectors, k: int) -> np.ndarray:
    scores = vectors.astype(np.float64) @ query[0].astype(np.float64)
    return np.sort(scores)[::-1][:k]


def test_each_caller_gets_its_own_rows_matching_brute_force(corpus_index: tuple[DenseIndex, Vectors]) -> None:
    dense, vectors = corpus_index
    embedder = SlowEmbedder()
    batcher = QueryBatcher(embedder, dense, max_batch=8)
    try:
        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(lambda q: batcher.search(q, 7), QUESTIONS))
    finally:
        batcher.close()
    for question, result in zip(QUESTIONS, results, strict=True):
        expected_vector = HashingEmbedder(64).embed([question])
        np.testing.assert_allclose(result.vector, expected_vector, atol=1e-6)
        assert result.rows.shape == result.scores.shape == (7,)
        np.testing.assert_allclose(result.scores, oracle(vectors, expected_vector, 7), atol=1e-5)
        np.testing.assert_allclose(vectors[result.rows] @ expected_vector[0], result.scores, atol=1e-5)
    # 40 questions from 16 threads behind a slow encoder: they were coalesced, never over max_batch
    assert batcher.questions == len(QUESTIONS)
    assert batcher.batches == len(embedder.calls) < len(QUESTIONS)
    assert max(embedder.calls) <= 8
    assert max(embedder.calls) > 1


def test_a_lone_question_is_answered_without_waiting_for_a_batch(
    corpus_index: tuple[DenseIndex, Vectors],
) -> None:
    dense, _ = corpus_index
    batcher = QueryBatcher(HashingEmbedder(64), dense, max_batch=16)
    try:
        started = time.perf_counter()
        result = batcher.search("a single question", 3)
        assert time.perf_counter() - started < 1.0
    finally:
        batcher.close()
    assert len(result.rows) == 3
    assert batcher.batches == 1


def test_k_zero_returns_the_embedding_only(corpus_index: tuple[DenseIndex, Vectors]) -> None:
    dense, _ = corpus_index
    batcher = QueryBatcher(HashingEmbedder(64), dense)
    try:
        result = batcher.search("only the vector please", 0)
    finally:
        batcher.close()
    assert result.vector.shape == (1, 64)
    assert len(result.rows) == len(result.scores) == 0


def test_an_encoder_error_reaches_only_its_own_caller_and_the_batcher_keeps_working(
    corpus_index: tuple[DenseIndex, Vectors],
) -> None:
    """One malformed question in a batch fails alone: the others in the same batch are still answered."""
    dense, vectors = corpus_index
    embedder = SlowEmbedder()
    embedder.fail_on = "poison"
    batcher = QueryBatcher(embedder, dense, max_batch=64)
    errors: dict[str, BaseException] = {}
    answered: dict[str, DenseResult] = {}
    texts = ["poison", *QUESTIONS[:7]]

    def ask(text: str) -> None:
        try:
            answered[text] = batcher.search(text, 3)
        except RuntimeError as exc:
            errors[text] = exc

    try:
        blocker = batcher.submit("blocker", 3)  # keeps the worker busy while the others queue up together
        deadline = time.monotonic() + 10
        while not embedder.seen and time.monotonic() < deadline:  # the worker has taken it, alone
            time.sleep(0.005)
        threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
        for thread in threads:
            thread.start()
        while batcher._queue.qsize() < len(texts) and time.monotonic() < deadline:
            time.sleep(0.005)
        embedder.release.set()
        for thread in threads:
            thread.join(timeout=10)
        assert not any(thread.is_alive() for thread in threads), "a caller hung"
        assert len(blocker.result().rows) == 3
        assert list(errors) == ["poison"]
        assert "encoder failed" in str(errors["poison"])
        assert sorted(answered) == sorted(texts[1:])
        assert any(len(batch) > 1 and "poison" in batch for batch in embedder.seen), "never batched together"
        for text, result in answered.items():
            query = HashingEmbedder(64).embed([text])
            np.testing.assert_allclose(result.scores, oracle(vectors, query, 3), rtol=1e-5, atol=1e-6)
        assert len(batcher.search("after the failure", 3).rows) == 3
    finally:
        batcher.close()


def test_a_closed_batcher_refuses_new_questions(corpus_index: tuple[DenseIndex, Vectors]) -> None:
    dense, _ = corpus_index
    batcher = QueryBatcher(HashingEmbedder(64), dense)
    batcher.close()
    with pytest.raises(RuntimeError, match="closed"):
        batcher.search("too late", 3)


def test_max_batch_must_be_positive(corpus_index: tuple[DenseIndex, Vectors]) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        QueryBatcher(HashingEmbedder(64), corpus_index[0], max_batch=0)


def test_retriever_with_a_batcher_ranks_exactly_as_without(
    seed_library_fake: Library, fake_embedder: HashingEmbedder
) -> None:
    plain = Retriever(seed_library_fake, fake_embedder)
    batcher = QueryBatcher(fake_embedder, seed_library_fake.dense, max_batch=8)
    batched = Retriever(seed_library_fake, fake_embedder, batcher=batcher)
    questions = ["what is alopecia areata", "side effects of dupilumab", "ruxolitinib hair regrowth"]
    try:
        with ThreadPoolExecutor(8) as pool:
            got = list(pool.map(lambda q: batched.search(q, 5), questions * 4))
        for question, hits in zip(questions * 4, got, strict=True):
            want = plain.search(question, 5)
            assert [h.chunk.chunk_id for h in hits] == [h.chunk.chunk_id for h in want]
            assert [h.score for h in hits] == pytest.approx([h.score for h in want])
        doc_id = next(iter(seed_library_fake.documents))
        restricted = batched.search("hair loss", 3, doc_ids={doc_id})
        assert restricted
        assert {h.document.doc_id for h in restricted} == {doc_id}
    finally:
        batcher.close()


def test_a_batch_dependent_encoder_gets_questions_one_by_one_still_searched_together(
    corpus_index: tuple[DenseIndex, Vectors],
) -> None:
    dense, vectors = corpus_index
    embedder = SlowEmbedder()
    embedder.invariant = False  # as dynamic int8
    batcher = QueryBatcher(embedder, dense, max_batch=8)
    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda q: batcher.search(q, 5), QUESTIONS[:16]))
    finally:
        batcher.close()
    assert set(embedder.calls) == {1}  # every encoder call held one question
    assert batcher.batches < 16  # but searches were batched
    for question, result in zip(QUESTIONS[:16], results, strict=True):
        np.testing.assert_allclose(
            result.scores, oracle(vectors, HashingEmbedder(64).embed([question]), 5), atol=1e-5
        )
