"""The build pipeline: corpus files -> documents -> chunks -> embeddings (cached) -> both indexes -> disk."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.chunking import Chunk, ChunkSettings, chunk_text
from index.cleaning import DEFAULT_RULES
from index.documents import Document, corpus_files, load_corpus
from index.embedder import Embedder, Vectors
from index.errors import IndexLoadError
from index.lexical import LexicalIndex
from index.library import FORMAT_VERSION, Library, Manifest, file_digest, load_library, save_library
from index.store import DenseIndex


@dataclass
class BuildReport:
    documents: int
    chunks: int
    embedded: int  # chunks whose embedding was computed in this build (the rest came from the cache)
    seconds: float
    manifest: Manifest
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"built index: {self.documents} documents, {self.chunks} chunks "
            f"({self.embedded} embedded, {self.chunks - self.embedded} from cache) in {self.seconds:.1f} s"
        )


def corpus_fingerprint(paths: Sequence[Path], model: str, chunks: ChunkSettings) -> str:
    """Hash of everything that decides the index content: corpus files, cleaning rules, model, chunking."""
    digest = hashlib.sha256()
    digest.update(
        f"format={FORMAT_VERSION};model={model};chunks={chunks.max_tokens}/{chunks.overlap_tokens}".encode()
    )
    digest.update(file_digest(DEFAULT_RULES).encode())
    for path in corpus_files(paths):
        digest.update(path.name.encode())
        digest.update(file_digest(path).encode())
    return digest.hexdigest()


def is_stale(out: Path, paths: Sequence[Path], model: str, chunks: ChunkSettings) -> bool:
    try:
        manifest = Manifest.read(out)
    except IndexLoadError:
        return True
    return manifest.corpus_hash != corpus_fingerprint(paths, model, chunks)


def chunk_documents(documents: Sequence[Document], settings: ChunkSettings) -> list[Chunk]:
    return [chunk for document in documents for chunk in chunk_text(document.doc_id, document.text, settings)]


def embedding_cache(out: Path, model: str, dimension: int) -> dict[str, Vectors]:
    """content hash -> vector from the index currently at `out`, when it was built with the same model."""
    try:
        previous = load_library(out, expected_model=model, expected_dimension=dimension)
    except IndexLoadError:
        return {}
    vectors = previous.dense.vectors()
    return {chunk.content_hash: vectors[row] for row, chunk in enumerate(previous.chunks)}


def document_warnings(documents: Sequence[Document], today: dt.date) -> list[str]:
    """Expired, undated and incompletely described documents, for staff to fix."""
    warnings = []
    for document in documents:
        if document.is_expired(today):
            warnings.append(
                f"{document.doc_id}: EXPIRED (review due {document.review_due}); never cited to patients"
            )
        elif document.review_due is None:
            warnings.append(f"{document.doc_id}: undated: review-due date unknown: staff to fill")
        missing = [name for name in document.missing_metadata() if name != "review_due"]
        if missing:
            warnings.append(f"{document.doc_id}: {', '.join(missing)} unknown: staff to fill")
    return warnings


def build_index(
    paths: Sequence[Path],
    out: Path,
    embedder: Embedder,
    chunk_settings: ChunkSettings,
    *,
    progress: bool = False,
    today: dt.date | None = None,
) -> BuildReport:
    started = time.perf_counter()
    documents = load_corpus(paths)
    chunks = chunk_documents(documents, chunk_settings)
    cache = embedding_cache(out, embedder.name, embedder.dimension)
    missing: dict[str, str] = {}
    for chunk in chunks:
        if chunk.content_hash not in cache:
            missing.setdefault(chunk.content_hash, chunk.text)
    if missing:
        fresh = embedder.embed(list(missing.values()), progress=progress)
        cache.update(zip(missing.keys(), fresh, strict=True))
    vectors = np.zeros((len(chunks), embedder.dimension), dtype=np.float32)
    for row, chunk in enumerate(chunks):
        vectors[row] = cache[chunk.content_hash]
    dense = DenseIndex.build(vectors)
    lexical = LexicalIndex.build([chunk.text for chunk in chunks])
    seconds = time.perf_counter() - started
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        model=embedder.name,
        dimension=embedder.dimension,
        chunk_max_tokens=chunk_settings.max_tokens,
        chunk_overlap_tokens=chunk_settings.overlap_tokens,
        corpus_hash=corpus_fingerprint(paths, embedder.name, chunk_settings),
        built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        documents=len(documents),
        chunks=len(chunks),
        build_seconds=round(seconds, 3),
    )
    library = Library(manifest, {d.doc_id: d for d in documents}, chunks, dense, lexical)
    written = save_library(library, out)
    return BuildReport(
        documents=len(documents),
        chunks=len(chunks),
        embedded=len(missing),
        seconds=time.perf_counter() - started,
        manifest=written,
        warnings=document_warnings(documents, today or dt.date.today()),
    )
