"""An embedder that remembers the vectors of the last few texts it embedded.

The review engine wraps its encoder in one (bounded, least recently used first out): a staff draft's
sentence is searched several times while it is checked. Evaluations use it unbounded (`size=None`): they
embed every query in one batch up front, then search each query several times. The service's answers do not
need it: a patient's question is encoded once and its vector passed along (`service.answers`). Memory only,
never written anywhere.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from index.encoders.base import Embedder, Vectors, WrappedEmbedder


class RecentVectors(WrappedEmbedder):
    """An `Embedder` in front of another, keeping the vectors of the last `size` texts (None: all). Thread-safe."""

    def __init__(self, inner: Embedder, size: int | None = 256) -> None:
        if size is not None and size < 1:
            raise ValueError("size must be at least 1")
        super().__init__(inner)
        self.size = size
        self._vectors: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

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
