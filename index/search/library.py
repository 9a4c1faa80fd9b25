"""The index directory: manifest, documents, chunks, dense and lexical indexes; atomic save, validated load.

Layout of an index directory:

    manifest.json       format version, model, dimension, chunk settings, corpus hash, build time, counts,
                        and the size and sha256 of every other file
    documents.jsonl     one document a line: metadata and cleaned text
    chunks.jsonl        one chunk a line: id, doc id, [start, end), content hash
    dense.faiss         FAISS inner-product index, row i = chunk i
    bm25.npz, bm25_vocab.json   BM25 weights and vocabulary, row i = chunk i
    approved.jsonl      one approved answer a line, with the verified evidence of each sentence (may be empty)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from index.errors import IndexCorrupt, IndexMismatch, IndexNotFound
from index.ingest.approved import ApprovedEntry
from index.ingest.chunking import Chunk, ChunkSettings
from index.ingest.documents import Document
from index.search.lexical import LexicalIndex
from index.search.store import DenseIndex

FORMAT_VERSION = 2  # 2: bm25.npz holds term counts (weights are derived at load)
MANIFEST = "manifest.json"
DATA_FILES = (
    "documents.jsonl",
    "chunks.jsonl",
    "dense.faiss",
    "bm25.npz",
    "bm25_vocab.json",
    "approved.jsonl",
)


@dataclass(frozen=True)
class Manifest:
    format_version: int
    model: str
    dimension: int
    chunk_max_tokens: int
    chunk_overlap_tokens: int
    corpus_hash: str
    built_at: str
    documents: int
    chunks: int
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    build_seconds: float = 0.0
    cleaning_fingerprint: str = ""  # what produced the cleaned texts (code version + rules)
    chunking_version: int = 0

    @property
    def chunk_settings(self) -> ChunkSettings:
        return ChunkSettings(self.chunk_max_tokens, self.chunk_overlap_tokens)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        if not directory.is_dir():
            raise IndexNotFound(f"no index at {directory}: run `python -m index build --out {directory}`")
        if not path.is_file():
            raise IndexNotFound(
                f"{directory} has no {MANIFEST}: it is not an index directory, or a build failed"
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(f"{path}: manifest is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise IndexCorrupt(f"{path}: manifest must be a JSON object")
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise IndexMismatch(
                f"{path}: index format version {version!r}, this software reads version {FORMAT_VERSION}: "
                "rebuild the index"
            )
        try:
            return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except TypeError as exc:
            raise IndexCorrupt(f"{path}: manifest is missing fields: {exc}") from exc


@dataclass
class Library:
    """Everything a retriever needs, in memory. Row i of both indexes is `chunks[i]`."""

    manifest: Manifest
    documents: dict[str, Document]
    chunks: list[Chunk]
    dense: DenseIndex
    lexical: LexicalIndex
    approved: list[ApprovedEntry] = field(default_factory=list)  # verified by the build's review

    def document_of(self, chunk: Chunk) -> Document:
        return self.documents[chunk.doc_id]

    def rows_of(self, doc_ids: set[str]) -> list[int]:
        """The rows of these documents' chunks, in row order."""
        rows = self._rows_by_document
        return sorted(row for doc_id in doc_ids for row in rows.get(doc_id, ()))

    @cached_property
    def _rows_by_document(self) -> dict[str, list[int]]:
        # built on first use; a Library's chunks do not change after loading (a build makes a new one)
        rows: dict[str, list[int]] = {}
        for row, chunk in enumerate(self.chunks):
            rows.setdefault(chunk.doc_id, []).append(row)
        return rows


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_JSON = json.JSONEncoder(ensure_ascii=False)  # one encoder for every record (json.dumps makes one per call)


def save_library(library: Library, directory: Path) -> Manifest:
    """Write into a temporary sibling directory, then swap it into place; returns the written manifest."""
    directory = directory.resolve()
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.building-", dir=directory.parent))
    try:
        with (tmp / "documents.jsonl").open("w", encoding="utf-8") as handle:
            for document in library.documents.values():
                handle.write(_JSON.encode(document.to_record()) + "\n")
        with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as handle:
            for chunk in library.chunks:
                record = {"id": chunk.chunk_id, "doc": chunk.doc_id, "start": chunk.start, "end": chunk.end}
                handle.write(_JSON.encode(record) + "\n")
        library.dense.save(tmp / "dense.faiss")
        library.lexical.save(tmp)
        with (tmp / "approved.jsonl").open("w", encoding="utf-8") as handle:
            for entry in library.approved:
                handle.write(json.dumps(entry.to_record(), ensure_ascii=False) + "\n")
        files = {
            name: {"bytes": (tmp / name).stat().st_size, "sha256": file_digest(tmp / name)}
            for name in DATA_FILES
        }
        manifest = Manifest(**{**asdict(library.manifest), "files": files})
        manifest_path = tmp / MANIFEST
        manifest_path.write_text(manifest.to_json(), encoding="utf-8")
        for name in (*DATA_FILES, MANIFEST):
            with (tmp / name).open("rb") as handle:
                os.fsync(handle.fileno())
        _swap_into_place(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _swap_into_place(tmp: Path, directory: Path) -> None:
    """Replace `directory` by `tmp`. Readers see the old or the new index, never a half-written one."""
    old = None
    if directory.exists():
        old = directory.with_name(f".{directory.name}.old-{os.getpid()}-{dt.datetime.now().timestamp():.0f}")
        os.rename(directory, old)
    os.rename(tmp, directory)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def load_library(
    directory: Path,
    *,
    expected_model: str | None = None,
    expected_dimension: int | None = None,
    for_rebuild: bool = False,
) -> Library:
    """Load and validate an index directory. Raises IndexNotFound, IndexMismatch or IndexCorrupt.

    `for_rebuild` accepts a lexical index counted by an older analyzer (a rebuild reuses its vectors only)."""
    manifest = Manifest.read(directory)
    if expected_model is not None and manifest.model != expected_model:
        raise IndexMismatch(
            f"{directory}: index was built with model {manifest.model!r} but the service uses "
            f"{expected_model!r} (CLINIC_EMBEDDING_MODEL): rebuild the index"
        )
    if expected_dimension is not None and manifest.dimension != expected_dimension:
        raise IndexMismatch(
            f"{directory}: index dimension {manifest.dimension} but the model gives {expected_dimension}"
        )
    # approved.jsonl arrived in a later build: an index made before it simply has no approved answers
    has_approved = "approved.jsonl" in manifest.files
    for name in DATA_FILES:
        if name != "approved.jsonl" or has_approved:
            _check_file(directory, name, manifest.files.get(name))
    documents: dict[str, Document] = {}
    try:
        with (directory / "documents.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                document = Document.from_record(json.loads(line))
                documents[document.doc_id] = document
        chunks: list[Chunk] = []
        with (directory / "chunks.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                text = documents[record["doc"]].text[record["start"] : record["end"]]
                chunks.append(Chunk(record["id"], record["doc"], record["start"], record["end"], text))
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexCorrupt(f"{directory}: documents.jsonl or chunks.jsonl is inconsistent: {exc!r}") from exc
    approved = _load_approved(directory, documents) if has_approved else []
    dense = DenseIndex.load(directory / "dense.faiss")
    lexical = LexicalIndex.load(directory, current=not for_rebuild)
    if dense.all_finite() is False:
        raise IndexCorrupt(
            f"{directory}/dense.faiss holds vectors that are not finite numbers: rebuild the index"
        )
    if dense.dimension != manifest.dimension:
        raise IndexMismatch(
            f"{directory}/dense.faiss has dimension {dense.dimension}, manifest says {manifest.dimension}"
        )
    if (
        not len(chunks) == len(dense) == len(lexical) == manifest.chunks
        or len(documents) != manifest.documents
    ):
        raise IndexCorrupt(
            f"{directory}: counts disagree: manifest {manifest.chunks} chunks/{manifest.documents} documents, "
            f"chunks.jsonl {len(chunks)}, dense.faiss {len(dense)}, bm25 {len(lexical)}, documents {len(documents)}"
        )
    return Library(manifest, documents, chunks, dense, lexical, approved)


def _load_approved(directory: Path, documents: dict[str, Document]) -> list[ApprovedEntry]:
    """Approved answers; every evidence quote must still be its document's text[start:end]."""
    entries: list[ApprovedEntry] = []
    try:
        with (directory / "approved.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                entry = ApprovedEntry.from_record(json.loads(line))
                for sentence in entry.sentences:
                    e = sentence.evidence
                    if documents[e.doc_id].text[e.start : e.end] != e.quote:
                        raise ValueError(
                            f"evidence of approved answer {entry.entry_id!r} is not its document's text"
                        )
                entries.append(entry)
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexCorrupt(f"{directory}: approved.jsonl is inconsistent: {exc!r}") from exc
    return entries


def _check_file(directory: Path, name: str, expected: dict[str, Any] | None) -> None:
    path = directory / name
    if expected is None:
        raise IndexCorrupt(f"{directory}/{MANIFEST} does not list {name}: rebuild the index")
    if not path.is_file():
        raise IndexCorrupt(f"{path} is missing")
    size = path.stat().st_size
    if size != expected.get("bytes"):
        raise IndexCorrupt(
            f"{path} is {size} bytes, the manifest says {expected.get('bytes')}: truncated or replaced"
        )
    if file_digest(path) != expected.get("sha256"):
        raise IndexCorrupt(f"{path} does not match its sha256 in the manifest: the file is corrupt")
