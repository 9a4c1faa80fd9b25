"""Micro-batching of concurrent questions: one encoder call and one FAISS call for all waiting questions.

A service answers each request in its own thread. Encoding eight short questions together costs far less
than eight separate encoder calls, and an exact FAISS search of eight query vectors reads the stored vectors
once instead of eight times. `QueryBatcher` has one worker thread: a caller hands over its question and
waits; the worker takes every question waiting at that moment (up to `max_batch`), encodes them in one call,
searches them in one call, and hands each caller its own row. It never waits for a batch to fill: a lone
question is encoded at once, so one patient at a time pays only a thread hand-off (tens of microseconds).
When a batch fails, each of its questions is tried alone: only the one that fails gets the error.

A question is encoded once: `submit(text, 0)` encodes it alone (the service does this first, for the triage
classifier and the approved-answer matcher), and `submit(text, k, vector=...)` later searches with that vector,
batched with whatever else is waiting, without encoding it again.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from index.encoders.base import Embedder, Vectors
from index.search.store import DenseIndex


@dataclass(frozen=True)
class DenseResult:
    """One question's embedding and its top rows from the dense index, best first."""

    vector: Vectors  # shape (1, dimension)
    scores: npt.NDArray[np.float32]
    rows: npt.NDArray[np.int64]


@dataclass
class _Request:
    text: str
    k: int
    vector: Vectors | None = None  # given: search only, nothing to encode
    future: Future[DenseResult] = field(default_factory=Future)


_STOP = _Request("", 0)


class QueryBatcher:
    """Embeds and searches concurrent single questions together. Thread-safe; `close()` stops the worker."""

    def __init__(self, embedder: Embedder, dense: DenseIndex, max_batch: int = 16) -> None:
        """An embedder that is not `batch_invariant` (dynamic int8) gets each question alone, still searched
        together with the others: a patient's answer must not depend on another patient's question."""
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.embedder = embedder
        self.dense = dense
        self.max_batch = max_batch
        self.batches = 0  # batches run so far, and the questions in them (read by tests and benchmarks)
        self.questions = 0
        self.encoded = 0  # texts handed to the encoder
        self._queue: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        self._closed = False
        self._worker = threading.Thread(target=self._run, name="query-batcher", daemon=True)
        self._worker.start()

    def submit(self, text: str, k: int, *, vector: Vectors | None = None) -> Future[DenseResult]:
        """Queue a question; the future gives its embedding and top-`k` dense rows (k=0: embedding only).
        With the question's known `vector` (shape (1, dimension)) nothing is encoded.

        The caller may do other work (lexical scoring) while the worker encodes."""
        if self._closed:
            raise RuntimeError("the query batcher is closed")
        request = _Request(text, max(0, k), vector)
        self._queue.put(request)
        return request.future

    def search(self, text: str, k: int) -> DenseResult:
        return self.submit(text, k).result()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(_STOP)
            self._worker.join(timeout=5)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                batch.append(item)
            self._answer(batch)
            if stop:
                return

    def _answer(self, batch: list[_Request]) -> None:
        try:
            vectors = self._vectors(batch)
            k = max(request.k for request in batch)
            if k > 0:
                scores, rows = self.dense.search(vectors, k)
            else:
                scores = np.zeros((len(batch), 0), dtype=np.float32)
                rows = np.zeros((len(batch), 0), dtype=np.int64)
        except Exception as exc:
            if len(batch) > 1:
                # one bad question must not fail the others: answer each alone, so only it gets the error
                for request in batch:
                    self._answer([request])
                return
            batch[0].future.set_exception(exc)
            return
        except BaseException as exc:  # every waiting caller gets the error, none hangs
            for request in batch:
                request.future.set_exception(exc)
            return
        self.batches += 1
        self.questions += len(batch)
        self.encoded += sum(request.vector is None for request in batch)
        for i, request in enumerate(batch):
            request.future.set_result(
                DenseResult(vectors[i : i + 1], scores[i, : request.k], rows[i, : request.k])
            )

    def _vectors(self, batch: list[_Request]) -> Vectors:
        """One row per request: the given vector, or the text encoded (together, when batch-invariant)."""
        texts = [request.text for request in batch if request.vector is None]
        if not texts:
            encoded = np.zeros((0, self.embedder.dimension), dtype=np.float32)
        elif self.embedder.batch_invariant:
            encoded = self.embedder.embed(texts)
        else:
            encoded = np.concatenate([self.embedder.embed([text]) for text in texts])
        rows, fresh = [], iter(encoded)
        for request in batch:
            rows.append(request.vector[0] if request.vector is not None else next(fresh))
        return np.ascontiguousarray(np.stack(rows), dtype=np.float32)
