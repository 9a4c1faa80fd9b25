"""The encoder factory: the configured model on the configured backend (torch, onnx or onnx-int8)."""

from __future__ import annotations

from pathlib import Path

from index.encoders.base import Embedder, EncoderSettings, resolve_model
from index.encoders.onnx_backend import load_onnx_embedder
from index.encoders.torch_backend import SentenceTransformerEmbedder
from index.errors import EmbedderError


def embedder_name(settings: EncoderSettings) -> str:
    """The name the configured embedder will report (and indexes record), without loading it."""
    name = resolve_model(settings.embedding_model)[0]
    return name if settings.embedding_backend == "torch" else f"{name}@{settings.embedding_backend}"


def load_embedder(settings: EncoderSettings) -> Embedder:
    """The configured encoder. The ONNX backends load the torch model only to export their graph, once."""

    def torch_embedder() -> Embedder:
        return SentenceTransformerEmbedder(
            settings.embedding_model,
            batch_size=settings.embed_batch_size,
            allow_download=settings.allow_model_download,
            threads=settings.torch_threads,
        )

    if settings.embedding_backend == "torch":
        return torch_embedder()
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
