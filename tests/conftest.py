"""Shared fixtures: the real embedding model, a deterministic fake, and the seed library built once a session.

Fixture names are part of the test suite's contract (service tests reuse them):

- `real_embedder` (session): the bundled all-MiniLM-L6-v2 on the torch backend (the reference), loaded once;
- `onnx_embedder` (session): the same model on the service's default ONNX backend, loaded like `make run`
  loads it: exported once into the repository's `var/models` (`ONNX_MODEL_CACHE`, shared with `make run`)
  and checked against torch there, then reused;
- `fake_embedder` (session): `HashingEmbedder`, 64 hashed token dimensions, no model needed;
- `seed_corpus_dir`: absolute path of `corpus/library`;
- `seed_index_dir` (session): the seed corpus indexed with the real model (torch) into a temporary directory;
- `seed_library` (session): that index loaded with `index.library.load_library`;
- `seed_retriever` (session): a `Retriever` over `seed_library` with the real model;
- `seed_index_dir_onnx`, `seed_library_onnx`, `seed_retriever_onnx` (session): the same three with
  `onnx_embedder` (the manifest records `...@onnx`): what the service and browser tests serve, since the
  service refuses an index built by another backend. The index tests keep the torch reference;
- `seed_index_dir_fake`, `seed_library_fake` (session): the seed corpus indexed with the fake embedder;
- `index_copy`: a private copy of that index, for tests that change it.

Tests that use the real model (either backend) are also given the `model` marker automatically, so `-m "not model"` skips them.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.build import build_index
from index.config import DEFAULT_MODEL, IndexSettings
from index.encoders.base import Embedder, Vectors, WrappedEmbedder
from index.encoders.factory import load_embedder
from index.encoders.torch_backend import SentenceTransformerEmbedder
from index.ingest.chunking import ChunkSettings
from index.search.analysis import SynonymMap
from index.search.library import Library, file_digest, load_library
from index.search.retriever import Retriever

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO_ROOT = Path(__file__).resolve().parents[1]
SEED_CORPUS = REPO_ROOT / "corpus" / "library"
SEED_SYNONYMS = REPO_ROOT / "corpus" / "synonyms.yaml"  # what `make index` builds the seed library with
# where `make run` keeps the exported ONNX graph (IndexSettings.model_cache_dir, relative to the repository;
# var/ is git-ignored): the tests load it from there too, so the export is made once for both
ONNX_MODEL_CACHE = REPO_ROOT / "var" / "models"
MODEL_FIXTURES = frozenset(
    {
        "real_embedder",
        "seed_index_dir",
        "seed_library",
        "seed_retriever",
        "onnx_embedder",
        "seed_index_dir_onnx",
        "seed_library_onnx",
        "seed_retriever_onnx",
    }
)
_WORD = re.compile(r"\w+")


class HashingEmbedder:
    """A deterministic stand-in for the model: each lowercased word is hashed into one of 64 dimensions.

    Texts that share words get similar vectors, so retrieval still behaves sensibly in tests. Implements
    the `index.encoders.base.Embedder` protocol; vectors are L2-normalised float32.
    """

    def __init__(self, dimension: int = 64) -> None:
        self._dimension = dimension

    @property
    def name(self) -> str:
        return f"fake-hash-{self._dimension}"

    @property
    def batch_invariant(self) -> bool:
        return True

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: list[str], *, progress: bool = False) -> Vectors:
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                sign = 1.0 if value & 1 else -1.0
                vectors[row, (value >> 1) % self._dimension] += sign
            norm = float(np.linalg.norm(vectors[row]))
            if norm == 0.0:  # no words (or they cancel out): a fixed unit vector keeps rows normalised
                vectors[row, 0] = 1.0
            else:
                vectors[row] /= norm
        return vectors

    def count_tokens(self, text: str) -> int:
        return len(text.split())


class CountingEmbedder(WrappedEmbedder):
    """Wraps an embedder and records every text it is asked to embed (optionally under another name)."""

    def __init__(self, inner: Embedder, name: str | None = None) -> None:
        super().__init__(inner)
        self._name = name or inner.name
        self.seen: list[str] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def batch_invariant(self) -> bool:
        return True

    def embed(self, texts: list[str], *, progress: bool = False) -> Vectors:
        self.seen.extend(texts)
        return self.inner.embed(texts, progress=progress)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder("all-MiniLM-L6-v2")


@pytest.fixture(scope="session")
def onnx_embedder() -> Embedder:
    """The service's default backend, as `make run` loads it (the first load exports and checks the graph)."""
    settings = IndexSettings(
        embedding_model=DEFAULT_MODEL, embedding_backend="onnx", model_cache_dir=ONNX_MODEL_CACHE
    )
    return load_embedder(settings)


@pytest.fixture(scope="session")
def fake_embedder() -> HashingEmbedder:
    return HashingEmbedder(64)


@pytest.fixture(scope="session")
def seed_corpus_dir() -> Path:
    assert SEED_CORPUS.is_dir(), f"seed corpus missing at {SEED_CORPUS}"
    return SEED_CORPUS


@pytest.fixture(scope="session")
def seed_index_dir(
    tmp_path_factory: pytest.TempPathFactory,
    real_embedder: SentenceTransformerEmbedder,
    seed_corpus_dir: Path,
) -> Path:
    return _index_seed_corpus(tmp_path_factory, real_embedder, seed_corpus_dir)


@pytest.fixture(scope="session")
def seed_library(seed_index_dir: Path) -> Library:
    return load_library(seed_index_dir)


@pytest.fixture(scope="session")
def seed_retriever(seed_library: Library, real_embedder: SentenceTransformerEmbedder) -> Retriever:
    return Retriever(seed_library, real_embedder)


@pytest.fixture(scope="session")
def seed_index_dir_onnx(
    tmp_path_factory: pytest.TempPathFactory, onnx_embedder: Embedder, seed_corpus_dir: Path
) -> Path:
    """The seed corpus indexed with the ONNX embedder, built exactly like `seed_index_dir`."""
    return _index_seed_corpus(tmp_path_factory, onnx_embedder, seed_corpus_dir)


@pytest.fixture(scope="session")
def seed_library_onnx(seed_index_dir_onnx: Path) -> Library:
    return load_library(seed_index_dir_onnx)


@pytest.fixture(scope="session")
def seed_retriever_onnx(seed_library_onnx: Library, onnx_embedder: Embedder) -> Retriever:
    return Retriever(seed_library_onnx, onnx_embedder)


@pytest.fixture(scope="session")
def seed_index_dir_fake(
    tmp_path_factory: pytest.TempPathFactory, fake_embedder: HashingEmbedder, seed_corpus_dir: Path
) -> Path:
    """The seed corpus indexed with the fake embedder (read-only: tests that change it copy it first)."""
    return _index_seed_corpus(tmp_path_factory, fake_embedder, seed_corpus_dir)


@pytest.fixture
def index_copy(seed_index_dir_fake: Path, tmp_path: Path) -> Path:
    """A private copy of the fake-embedder seed index, for tests that rebuild, damage or edit it."""
    copy = tmp_path / "index"
    shutil.copytree(seed_index_dir_fake, copy)
    return copy


def file_digests(directory: Path) -> dict[str, str]:
    """sha256 of every file in a directory, by name: compare two calls to see whether anything changed."""
    return {path.name: file_digest(path) for path in sorted(directory.iterdir())}


@pytest.fixture(scope="session")
def seed_library_fake(seed_index_dir_fake: Path) -> Library:
    """That index loaded: for retrieval logic that does not need the model."""
    return load_library(seed_index_dir_fake)


def _index_seed_corpus(factory: pytest.TempPathFactory, embedder: Embedder, corpus: Path) -> Path:
    out = factory.mktemp("seed-index") / "index"
    build_index([corpus], out, embedder, ChunkSettings(), synonyms=SynonymMap.from_file(SEED_SYNONYMS))
    return out
