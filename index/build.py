"""The build pipeline: corpus files -> documents -> chunks -> embeddings (cached) -> both indexes -> disk.

With an approved-answers directory, every approved answer is reviewed against the new library before anything
is written: one unsupported or mismatched sentence fails the build (`ApprovedAnswerRejected`), naming it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index import clock
from index.encoders.base import Embedder, Vectors
from index.errors import IndexLoadError
from index.ingest.approved import ApprovedEntry, approved_files, load_approved
from index.ingest.chunking import CHUNKING_VERSION, Chunk, ChunkSettings, chunk_text, content_hash
from index.ingest.cleaning import CachingCleaner, CleaningRules, cleaning_fingerprint
from index.ingest.context import CONTEXT_VERSION, library_texts
from index.ingest.documents import Document, corpus_files, load_corpus
from index.review import verify_approved
from index.search.analysis import Analyzer, SynonymMap
from index.search.lexical import LexicalIndex
from index.search.library import FORMAT_VERSION, Library, Manifest, file_digest, load_library, save_library
from index.search.store import DenseIndex


@dataclass
class BuildReport:
    documents: int
    chunks: int
    embedded: int  # chunks whose embedding was computed in this build (the rest came from the cache)
    seconds: float
    manifest: Manifest
    warnings: list[str] = field(default_factory=list)
    approved: int = 0  # approved answers reviewed and published
    awaiting_approval: list[str] = field(default_factory=list)  # published, not served: no approver or date

    def summary(self) -> str:
        return (
            f"built index: {self.documents} documents, {self.chunks} chunks "
            f"({self.embedded} embedded, {self.chunks - self.embedded} from cache) in {self.seconds:.1f} s"
        )


def corpus_fingerprint(
    paths: Sequence[Path],
    model: str,
    chunks: ChunkSettings,
    approved_dir: Path | None = None,
    synonyms: SynonymMap | None = None,
) -> str:
    """Hash of everything that decides the index content: corpus files, cleaning rules, model, chunking,
    and the approved answers when a directory of them is given."""
    digest = hashlib.sha256()
    digest.update(
        f"format={FORMAT_VERSION};model={model};chunks={chunks.max_tokens}/{chunks.overlap_tokens}".encode()
    )
    digest.update(
        f"chunking-v{CHUNKING_VERSION};context-v{CONTEXT_VERSION};{cleaning_fingerprint()}".encode()
    )
    for path in corpus_files(paths):
        digest.update(path.name.encode())
        digest.update(file_digest(path).encode())
    if approved_dir is not None:
        digest.update(b"approved")
        for path in approved_files(approved_dir):
            digest.update(path.relative_to(approved_dir).as_posix().encode())
            digest.update(file_digest(path).encode())
    return digest.hexdigest()


def is_stale(
    out: Path,
    paths: Sequence[Path],
    model: str,
    chunks: ChunkSettings,
    approved_dir: Path | None = None,
    synonyms: SynonymMap | None = None,
) -> bool:
    try:
        manifest = Manifest.read(out)
    except IndexLoadError:
        return True
    return manifest.corpus_hash != corpus_fingerprint(paths, model, chunks, approved_dir, synonyms)


def chunk_documents(
    documents: Sequence[Document],
    settings: ChunkSettings,
    known: dict[tuple[str, str], list[Chunk]] | None = None,
) -> list[Chunk]:
    """Chunks of every document; `known` maps (doc id, text hash) to chunks of an earlier build."""
    chunks: list[Chunk] = []
    for document in documents:
        cached = known.get((document.doc_id, content_hash(document.text))) if known else None
        chunks.extend(cached if cached is not None else chunk_text(document.doc_id, document.text, settings))
    return chunks


@dataclass
class BuildCache:
    """What an earlier index at the same path lets a rebuild skip: cleaning, chunking and embedding."""

    cleaned: dict[str, str] = field(default_factory=dict)  # raw sha256 -> cleaned text
    chunks: dict[tuple[str, str], list[Chunk]] = field(default_factory=dict)  # (doc id, text hash) -> chunks
    vectors: dict[str, Vectors] = field(default_factory=dict)  # contextual text hash -> embedding
    lexical: LexicalIndex | None = None  # the previous BM25 index, whose term counts are reused
    lexical_rows: dict[str, int] = field(default_factory=dict)  # contextual text hash -> its row there

    @classmethod
    def from_index(
        cls, out: Path, model: str, dimension: int, chunk_settings: ChunkSettings, analyzer: Analyzer
    ) -> BuildCache:
        try:
            previous = load_library(out, expected_model=model, expected_dimension=dimension, for_rebuild=True)
        except IndexLoadError:
            return cls()
        cache = cls()
        vectors = previous.dense.vectors()
        hashes = [content_hash(text) for text in library_texts(previous.documents, previous.chunks)]
        cache.vectors = {key: vectors[row] for row, key in enumerate(hashes)}
        if previous.lexical.analyzer_fingerprint == analyzer.fingerprint:
            cache.lexical = previous.lexical
            cache.lexical_rows = {key: row for row, key in enumerate(hashes)}
        if previous.manifest.cleaning_fingerprint == cleaning_fingerprint():
            cache.cleaned = {
                d.extra["raw_sha256"]: d.text for d in previous.documents.values() if "raw_sha256" in d.extra
            }
        if (
            previous.manifest.chunk_settings == chunk_settings
            and previous.manifest.chunking_version == CHUNKING_VERSION
        ):
            texts = {doc_id: content_hash(d.text) for doc_id, d in previous.documents.items()}
            for chunk in previous.chunks:
                cache.chunks.setdefault((chunk.doc_id, texts[chunk.doc_id]), []).append(chunk)
        return cache


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


ProgressCallback = Callable[[str, float], None]
"""Called with a stage ("cleaning", "embedding", "indexing", "reviewing answers", "writing") and the share of
the whole build done so far, in [0, 1]."""
EMBED_SLICE = 64  # passages embedded between two progress reports


def build_index(
    paths: Sequence[Path],
    out: Path,
    embedder: Embedder,
    chunk_settings: ChunkSettings,
    *,
    progress: bool = False,
    today: dt.date | None = None,
    dense_kind: str = "auto",
    approved_dir: Path | None = None,
    synonyms: SynonymMap | None = None,
) -> BuildReport:
    """Build and write the index from corpus files; with `approved_dir`, also review and publish its approved
    answers. `synonyms` go into the lexical index (index/search/analysis.py), which keeps them for its queries."""
    started = time.perf_counter()
    analyzer = Analyzer(synonyms)
    cache = BuildCache.from_index(out, embedder.name, embedder.dimension, chunk_settings, analyzer)
    skipped: list[str] = []
    documents = load_corpus(paths, CachingCleaner(CleaningRules.from_file(), cache.cleaned), skipped)
    return build_library(
        documents,
        out,
        embedder,
        chunk_settings,
        corpus_hash=corpus_fingerprint(paths, embedder.name, chunk_settings, approved_dir, synonyms),
        approved=load_approved(approved_dir) if approved_dir is not None else [],
        progress=progress,
        today=today,
        dense_kind=dense_kind,
        synonyms=synonyms,
        cache=cache,
        skipped=skipped,
        started=started,
    )


def build_library(
    documents: Sequence[Document],
    out: Path,
    embedder: Embedder,
    chunk_settings: ChunkSettings,
    *,
    corpus_hash: str,
    approved: Sequence[ApprovedEntry] = (),
    progress: bool = False,
    on_progress: ProgressCallback | None = None,
    today: dt.date | None = None,
    dense_kind: str = "auto",
    synonyms: SynonymMap | None = None,
    cache: BuildCache | None = None,
    skipped: Sequence[str] = (),
    started: float | None = None,
) -> BuildReport:
    """Chunk, embed (reusing an earlier index at `out`), index and write already-cleaned documents; review the
    approved answers against them first (one unsupported sentence refuses the build before anything is
    written). `corpus_hash` identifies the content, for `--if-stale` and for hot reload."""
    started = time.perf_counter() if started is None else started
    today = today or clock.today()
    report = on_progress or (lambda stage, share: None)
    analyzer = Analyzer(synonyms)
    if cache is None:
        cache = BuildCache.from_index(out, embedder.name, embedder.dimension, chunk_settings, analyzer)
    report("chunking", 0.05)
    chunks = chunk_documents(documents, chunk_settings, cache.chunks)
    # each passage is embedded and indexed with its title and section heading (index/ingest/context.py)
    texts = library_texts({d.doc_id: d for d in documents}, chunks)
    hashes = [content_hash(text) for text in texts]
    missing: dict[str, str] = {}
    for key, text in zip(hashes, texts, strict=True):
        if key not in cache.vectors:
            missing.setdefault(key, text)
    keys, pending = list(missing), list(missing.values())
    step = EMBED_SLICE if on_progress else max(len(pending), 1)  # slices only to report progress
    for at in range(0, len(pending), step):
        report("embedding", 0.1 + 0.7 * at / len(pending))
        fresh = embedder.embed(pending[at : at + step], progress=progress)
        cache.vectors.update(zip(keys[at : at + step], fresh, strict=True))
    report("indexing", 0.8)
    vectors = np.zeros((len(chunks), embedder.dimension), dtype=np.float32)
    for row, key in enumerate(hashes):
        vectors[row] = cache.vectors[key]
    dense = DenseIndex.build(vectors, kind=dense_kind)
    lexical = LexicalIndex.build(
        texts,
        analyzer=analyzer,
        reuse=cache.lexical,
        reuse_rows=[cache.lexical_rows.get(key, -1) for key in hashes],
    )
    seconds = time.perf_counter() - started
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        model=embedder.name,
        dimension=embedder.dimension,
        chunk_max_tokens=chunk_settings.max_tokens,
        chunk_overlap_tokens=chunk_settings.overlap_tokens,
        corpus_hash=corpus_hash,
        built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        documents=len(documents),
        chunks=len(chunks),
        build_seconds=round(seconds, 3),
        cleaning_fingerprint=cleaning_fingerprint(),
        chunking_version=CHUNKING_VERSION,
    )
    library = Library(manifest, {d.doc_id: d for d in documents}, chunks, dense, lexical)
    if approved:  # refuses the build, naming each entry and sentence at fault, before anything is written
        report("reviewing answers", 0.85)
        library.approved = verify_approved(library, embedder, list(approved), today)
    report("writing", 0.95)
    written = save_library(library, out)
    return BuildReport(
        documents=len(documents),
        chunks=len(chunks),
        embedded=len(missing),
        seconds=time.perf_counter() - started,
        manifest=written,
        warnings=[*skipped, *document_warnings(documents, today)],
        approved=len(library.approved),
        awaiting_approval=[e.entry_id for e in library.approved if not e.signed_off(today)],
    )
