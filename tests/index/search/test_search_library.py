"""The index directory: save/load round trip, atomic writes, and validation errors that name the problem."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from index.build import build_index, chunk_documents
from index.encoders.base import Embedder
from index.errors import IndexCorrupt, IndexLoadError, IndexMismatch, IndexNotFound
from index.ingest.chunking import ChunkSettings
from index.ingest.context import library_texts
from index.ingest.documents import load_corpus
from index.search.lexical import LexicalIndex
from index.search.library import DATA_FILES, FORMAT_VERSION, MANIFEST, Library, file_digest, load_library
from index.search.retriever import Retriever
from index.search.store import DenseIndex
from tests.conftest import file_digests

QUESTIONS = [
    "ruxolitinib hair regrowth",
    "eczema injection dupilumab",
    "IL-13",
    "side effects of JAK inhibitors",
    "what happened when she stopped the drug",
]


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".building-" in p.name or ".old-" in p.name)


def test_save_load_round_trip(
    seed_index_dir_fake: Path, fake_embedder: Embedder, seed_corpus_dir: Path
) -> None:
    documents = load_corpus([seed_corpus_dir])
    chunks = chunk_documents(documents, ChunkSettings())
    loaded = load_library(
        seed_index_dir_fake, expected_model=fake_embedder.name, expected_dimension=fake_embedder.dimension
    )

    assert loaded.chunks == chunks
    assert list(loaded.documents) == [d.doc_id for d in documents]
    for document in documents:
        assert loaded.documents[document.doc_id] == document  # text, metadata, source path, extra
    for chunk in loaded.chunks:
        assert loaded.document_of(chunk).text[chunk.start : chunk.end] == chunk.text

    # each passage is embedded with its title and section heading as context (index/ingest/context.py)
    texts = library_texts({d.doc_id: d for d in documents}, chunks)
    vectors = fake_embedder.embed(texts)
    np.testing.assert_array_equal(loaded.dense.vectors(), vectors)

    manifest = loaded.manifest
    assert manifest.format_version == FORMAT_VERSION
    assert (manifest.model, manifest.dimension) == ("fake-hash-64", 64)
    assert (manifest.documents, manifest.chunks) == (len(documents), len(chunks))
    assert manifest.chunk_settings == ChunkSettings()
    assert sorted(manifest.files) == sorted(DATA_FILES)
    for name, info in manifest.files.items():
        assert info["sha256"] == file_digest(seed_index_dir_fake / name)

    in_memory = Library(
        manifest,
        {d.doc_id: d for d in documents},
        chunks,
        DenseIndex.build(vectors),
        LexicalIndex.build(texts, analyzer=loaded.lexical.analyzer),
    )
    for question in QUESTIONS:
        for mode in ("hybrid", "dense", "lexical"):
            got = Retriever(loaded, fake_embedder).search(question, 5, mode=mode)
            want = Retriever(in_memory, fake_embedder).search(question, 5, mode=mode)
            assert [h.chunk.chunk_id for h in got] == [h.chunk.chunk_id for h in want]
            assert [h.score for h in got] == pytest.approx([h.score for h in want], abs=1e-6)
            assert got, question


@pytest.mark.parametrize(
    "failure",
    [
        ("index.build.LexicalIndex", "build"),  # fails before anything is written
        ("index.search.lexical.LexicalIndex", "save"),  # fails half-way through writing the new directory
        ("index.search.store.DenseIndex", "save"),
    ],
)
def test_failed_build_keeps_the_previous_index(
    failure: tuple[str, str],
    index_copy: Path,
    fake_embedder: Embedder,
    seed_corpus_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = file_digests(index_copy)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    target, attribute = failure
    monkeypatch.setattr(f"{target}.{attribute}", boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build_index([seed_corpus_dir], index_copy, fake_embedder, ChunkSettings())

    assert file_digests(index_copy) == before
    assert leftovers(index_copy.parent) == []
    assert load_library(index_copy).manifest.chunks > 0


def test_rebuild_replaces_the_index_without_leftovers(
    index_copy: Path, fake_embedder: Embedder, seed_corpus_dir: Path
) -> None:
    old_built_at = json.loads((index_copy / MANIFEST).read_text())["built_at"]
    report = build_index([seed_corpus_dir], index_copy, fake_embedder, ChunkSettings())
    assert report.embedded == 0
    assert leftovers(index_copy.parent) == []
    assert sorted(p.name for p in index_copy.iterdir()) == sorted([*DATA_FILES, MANIFEST])
    assert load_library(index_copy).manifest.built_at >= old_built_at


def edit_manifest(directory: Path, **changes: object) -> None:
    path = directory / MANIFEST
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_format_version_mismatch(index_copy: Path) -> None:
    edit_manifest(index_copy, format_version=FORMAT_VERSION + 1)
    with pytest.raises(IndexMismatch, match=rf"manifest\.json.*format version {FORMAT_VERSION + 1}.*rebuild"):
        load_library(index_copy)


def test_model_mismatch_names_both_models(index_copy: Path) -> None:
    with pytest.raises(IndexMismatch, match=r"fake-hash-64.*all-MiniLM-L6-v2.*CLINIC_EMBEDDING_MODEL"):
        load_library(index_copy, expected_model="sentence-transformers/all-MiniLM-L6-v2")
    with pytest.raises(IndexMismatch, match=r"dimension 64.*384"):
        load_library(index_copy, expected_dimension=384)


@pytest.mark.parametrize("name", ["dense.faiss", "chunks.jsonl", "documents.jsonl", "bm25.npz"])
def test_truncated_file_is_corrupt(index_copy: Path, name: str) -> None:
    path = index_copy / name
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexCorrupt, match=re.escape(name) + r" is \d+ bytes.*truncated"):
        load_library(index_copy)


def test_modified_file_fails_its_checksum(index_copy: Path) -> None:
    path = index_copy / "chunks.jsonl"
    data = bytearray(path.read_bytes())
    data[10] = ord("X") if data[10] != ord("X") else ord("Y")
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match=r"chunks\.jsonl does not match its sha256"):
        load_library(index_copy)


def rewrite_with_valid_manifest(directory: Path, name: str, content: bytes) -> None:
    """Replace a file and update its size and checksum, so the loader's deeper checks are what fails."""
    (directory / name).write_bytes(content)
    data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    data["files"][name] = {"bytes": len(content), "sha256": file_digest(directory / name)}
    (directory / MANIFEST).write_text(json.dumps(data), encoding="utf-8")


def test_truncated_faiss_with_matching_manifest_is_corrupt(index_copy: Path) -> None:
    data = (index_copy / "dense.faiss").read_bytes()
    rewrite_with_valid_manifest(index_copy, "dense.faiss", data[: len(data) // 2])
    with pytest.raises(IndexCorrupt, match=r"dense\.faiss.*FAISS cannot read"):
        load_library(index_copy)


def test_truncated_chunks_with_matching_manifest_is_corrupt(index_copy: Path) -> None:
    data = (index_copy / "chunks.jsonl").read_bytes()
    rewrite_with_valid_manifest(index_copy, "chunks.jsonl", data[: len(data) // 2])  # cuts a line in half
    with pytest.raises(IndexCorrupt, match=r"chunks\.jsonl is inconsistent"):
        load_library(index_copy)
    lines = data.splitlines(keepends=True)
    rewrite_with_valid_manifest(index_copy, "chunks.jsonl", b"".join(lines[:-3]))  # whole lines missing
    with pytest.raises(IndexCorrupt, match=r"counts disagree.*chunks\.jsonl \d+"):
        load_library(index_copy)


def test_chunk_of_unknown_document_is_corrupt(index_copy: Path) -> None:
    lines = (index_copy / "chunks.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    record = json.loads(lines[0])
    record["doc"] = "no-such-document"
    rewrite_with_valid_manifest(
        index_copy, "chunks.jsonl", (json.dumps(record) + "\n" + "".join(lines[1:])).encode()
    )
    with pytest.raises(IndexCorrupt, match="no-such-document"):
        load_library(index_copy)


def test_missing_data_file_is_corrupt(index_copy: Path) -> None:
    (index_copy / "bm25_vocab.json").unlink()
    with pytest.raises(IndexCorrupt, match=r"bm25_vocab\.json is missing"):
        load_library(index_copy)


def test_manifest_not_listing_a_file_is_corrupt(index_copy: Path) -> None:
    data = json.loads((index_copy / MANIFEST).read_text(encoding="utf-8"))
    del data["files"]["dense.faiss"]
    (index_copy / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match=r"manifest\.json does not list dense\.faiss"):
        load_library(index_copy)


def test_manifest_that_is_not_json_is_corrupt(index_copy: Path) -> None:
    (index_copy / MANIFEST).write_text('{"format_version": 1,', encoding="utf-8")
    with pytest.raises(IndexCorrupt, match=r"manifest\.json.*not valid JSON"):
        load_library(index_copy)


def test_manifest_missing_fields_is_corrupt(index_copy: Path) -> None:
    data = json.loads((index_copy / MANIFEST).read_text(encoding="utf-8"))
    del data["model"]
    (index_copy / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match=r"manifest\.json.*missing fields"):
        load_library(index_copy)


def test_missing_index_is_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(IndexNotFound, match=f"no index at {re.escape(str(missing))}.*python -m index build"):
        load_library(missing)
    missing.mkdir()
    with pytest.raises(IndexNotFound, match=r"has no manifest\.json"):
        load_library(missing)


def test_errors_share_one_base_class() -> None:
    assert issubclass(IndexNotFound, IndexLoadError)
    assert issubclass(IndexMismatch, IndexLoadError)
    assert issubclass(IndexCorrupt, IndexLoadError)


def test_truncated_bm25_with_matching_manifest_is_corrupt(index_copy: Path) -> None:
    data = (index_copy / "bm25.npz").read_bytes()
    rewrite_with_valid_manifest(index_copy, "bm25.npz", data[: len(data) // 2])
    with pytest.raises(IndexCorrupt, match=r"cannot read the BM25 index"):
        load_library(index_copy)


def test_search_never_returns_a_row_faiss_did_not_find(
    seed_library_fake: Library, fake_embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAISS pads missing results with row -1, and NaN vectors score NaN: neither may become a citation."""
    dense = seed_library_fake.dense
    real_search = dense.search

    def padded(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        scores, rows = real_search(vectors, k)
        scores, rows = scores.copy(), rows.copy()
        rows[:, 1::2] = -1
        scores[:, 1::2] = np.nan
        scores[:, 2] = np.nan
        return scores, rows

    monkeypatch.setattr(dense, "search", padded)
    retriever = Retriever(seed_library_fake, fake_embedder)
    for mode in ("hybrid", "dense", "lexical"):
        hits = retriever.search("ruxolitinib twice a day", 10, mode=mode)
        assert hits, mode
        assert all(seed_library_fake.chunks.index(h.chunk) >= 0 for h in hits)
        assert all(np.isfinite(h.score) and np.isfinite(h.fused) for h in hits)


def test_nan_vectors_with_matching_manifest_are_corrupt(index_copy: Path, tmp_path: Path) -> None:
    vectors = DenseIndex.load(index_copy / "dense.faiss", mmap=False).vectors()
    vectors[3] = np.nan
    broken = tmp_path / "dense.faiss"
    DenseIndex.build(vectors, kind="flat").save(broken)
    rewrite_with_valid_manifest(index_copy, "dense.faiss", broken.read_bytes())
    with pytest.raises(IndexCorrupt, match=r"dense\.faiss holds vectors that are not finite"):
        load_library(index_copy)
