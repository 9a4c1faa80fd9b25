"""From files to the store, and from the store to the served index.

`import_corpus` brings the clinic's `corpus/` files into the store (new files as active documents, a changed
file as a new active version; a document retired in the console stays retired); approved answers from
`corpus/approved` are imported once, by id (after that the console is where they change).
`publish` builds the index from the active documents and approved answers (`index.build.build_library`,
reusing the embeddings of the index it replaces), and `needs_publish` tells whether the index on disk was
built from what the store holds now.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.build import BuildReport, ProgressCallback, build_library
from index.catalog.answers import AnswerCatalog
from index.catalog.documents import DocumentCatalog
from index.catalog.store import LibraryStore
from index.config import IndexSettings
from index.encoders.base import Embedder
from index.errors import CatalogConflict, IndexLoadError
from index.ingest.approved import ApprovedEntry, load_approved
from index.ingest.chunking import CHUNKING_VERSION, ChunkSettings
from index.ingest.documents import Document, load_corpus
from index.search.analysis import SynonymMap
from index.search.library import FORMAT_VERSION, Manifest

CORPUS_ACTOR = "corpus import"


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def import_corpus(store: LibraryStore, corpus: Sequence[Path], approved_dir: Path | None) -> ImportReport:
    report = ImportReport()
    documents = DocumentCatalog(store)
    known = documents.ids()
    for document in load_corpus([p for p in corpus if p.exists()], skipped=report.skipped):
        data = _record_bytes(document.to_record())
        name = Path((document.source_path or document.doc_id).split(":")[0]).name
        source = known.get(document.doc_id)
        if source is None:
            documents.add(document, data, name, CORPUS_ACTOR, source="corpus", state="active")
            report.added.append(document.doc_id)
        elif source != "corpus":
            report.skipped.append(f"{document.doc_id}: a document uploaded in the console has this id")
        elif hashlib.sha256(data).hexdigest() not in documents.digests(document.doc_id):
            documents.replace(document.doc_id, document, data, name, CORPUS_ACTOR, activate=True)
            report.updated.append(document.doc_id)
    if approved_dir is not None and approved_dir.is_dir():
        answers = AnswerCatalog(store)
        existing = answers.ids()
        for entry in load_approved(approved_dir):
            if entry.entry_id not in existing:
                answers.create(
                    entry.questions,
                    entry.answer,
                    entry.citations,
                    CORPUS_ACTOR,
                    entry.entry_id,
                    approved_by=entry.approved_by,
                    approved_on=entry.approved_on,
                )
                report.answers.append(entry.entry_id)
    return report


def _record_bytes(record: dict[str, object]) -> bytes:
    """A document's or answer's record, serialised the same way every time (its identity in the store)."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False).encode()


def synonyms_of(settings: IndexSettings) -> SynonymMap | None:
    return SynonymMap.from_file(settings.synonyms_file) if settings.synonyms_file.is_file() else None


def store_fingerprint(
    documents: Sequence[Document],
    entries: Sequence[ApprovedEntry],
    model: str,
    chunks: ChunkSettings,
    synonyms_file: Path | None,
) -> str:
    digest = hashlib.sha256()
    digest.update(
        f"store;format={FORMAT_VERSION};model={model};chunking-v{CHUNKING_VERSION};"
        f"{chunks.max_tokens}/{chunks.overlap_tokens}".encode()
    )
    for document in documents:
        digest.update(_record_bytes(document.to_record()))
    for entry in entries:
        digest.update(_record_bytes(entry.to_record()))
    if synonyms_file is not None and synonyms_file.is_file():
        digest.update(synonyms_file.read_bytes())
    return digest.hexdigest()


def _contents(store: LibraryStore) -> tuple[list[Document], list[ApprovedEntry]]:
    return DocumentCatalog(store).active_documents(), AnswerCatalog(store).approved_entries()


def needs_publish(store: LibraryStore, settings: IndexSettings, model: str) -> bool:
    documents, entries = _contents(store)
    try:
        manifest = Manifest.read(settings.index_dir)
    except IndexLoadError:
        return True
    expected = store_fingerprint(documents, entries, model, settings.chunk_settings(), settings.synonyms_file)
    return manifest.corpus_hash != expected


def publish(
    store: LibraryStore,
    settings: IndexSettings,
    embedder: Embedder,
    *,
    on_progress: ProgressCallback | None = None,
    progress: bool = False,
) -> BuildReport:
    """Build the index at `settings.index_dir` from the store (atomic: the old index serves until the rename)."""
    if on_progress:
        on_progress("exporting", 0.0)
    documents, entries = _contents(store)
    if not documents:
        raise CatalogConflict("the library has no active document to publish")
    chunks = settings.chunk_settings()
    return build_library(
        documents,
        settings.index_dir,
        embedder,
        chunks,
        corpus_hash=store_fingerprint(documents, entries, embedder.name, chunks, settings.synonyms_file),
        approved=entries,
        progress=progress,
        on_progress=on_progress,
        dense_kind=settings.dense_index,
        synonyms=synonyms_of(settings),
    )
