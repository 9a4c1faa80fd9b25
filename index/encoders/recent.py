"""An embedder that remembers the vectors of the last few texts it embedded.

The service embeds each question up to three times: the triage classifier, the approved-answer matcher and
the retriever each ask for it. Wrapped in `RecentVectors`, the encoder runs once a question and the other
two get the same row back. Memory only (question text is health information: never written anywhere), bounded,
and least recently used first out. Evaluations use it unbounded (`size=None`): they embed every query in one
batch up front, then search each query several times.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from index.encoders.base import Embedder, Vectors


class RecentVectors:
    """An `Embedder` in front of another, keeping the vectors of the last `size` texts (None: all). Thread-safe."""

    def __init__(self, inner: Embedder, size: int | None = 256) -> None:
        if size is not None and size < 1:
            raise ValueError("size must be at least 1")
        self.inner = inner
        self.size = size
        self._vectors: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def batch_invariant(self) -> bool:
        return self.inner.batch_invariant

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed(self, texts: list[str], *, progress: bool = False) -> Vectors:
        rows: dict[str, Vectors] = {}
        with self._lock:
            for text in texts:
                if text in self._vectors:
                    self._vectors.move_to_end(text)
                    rows[text] = self._vectors[text]
        missing = [text for text in dict.fromkeys(texts) if text not in rows]
        if missing:
            fresh = self.inner.embed(missing, progress=progress)
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    row = vector.copy()  # not a view: the batch it came from can be freed
                    row.flags.writeable = False
                    rows[text] = row
                    self._vectors[text] = row
                    self._vectors.move_to_end(text)
                while self.size is not None and len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([rows[text] for text in texts]).astype(np.float32, copy=False)
