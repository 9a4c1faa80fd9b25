"""The sentence-transformers backend (torch): the reference encoder, and the only module that imports
sentence_transformers. torch is imported when an embedder is made, not when this module is."""

from __future__ import annotations

import os

import numpy as np

from index.encoders.base import Vectors, resolve_model
from index.errors import EmbedderError


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, loaded without network access unless allowed."""

    def __init__(self, model: str, *, batch_size: int = 64, allow_download: bool = False, threads: int = 0):
        if not allow_download:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self._name, location = resolve_model(model)
        try:
            self._model = SentenceTransformer(location, device="cpu")
        except Exception as exc:  # the library raises many kinds; name the setting for the user
            raise EmbedderError(
                f"cannot load embedding model {model!r} (CLINIC_EMBEDDING_MODEL) from {location}: {exc}"
            ) from exc
        getter = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        dim = getter()
        if not dim:
            raise EmbedderError(f"model {model!r} does not report an embedding dimension")
        self._dimension = int(dim)
        self._batch_size = batch_size

    @property
    def name(self) -> str:
        return self._name

    @property
    def batch_invariant(self) -> bool:
        return True  # float32; padding is masked out of the pooling

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def max_tokens(self) -> int:
        return int(self._model.max_seq_length or 256)

    def embed(self, texts: list[str], *, progress: bool = False) -> Vectors:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text, add_special_tokens=True)["input_ids"])
