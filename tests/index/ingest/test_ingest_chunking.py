"""Chunking of the seed library: chunks fit the model's window, ids are stable and derived from content."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from index.build import build_index, chunk_documents
from index.encoders.base import Embedder
from index.encoders.torch_backend import SentenceTransformerEmbedder
from index.ingest.chunking import Chunk, ChunkSettings, chunk_id, chunk_text
from index.ingest.documents import load_corpus
from index.search.library import Library, load_library

EDITED = "jak-inhibitors-trials-news"


def ids_by_doc(chunks: list[Chunk]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for chunk in chunks:
        result.setdefault(chunk.doc_id, []).append(chunk.chunk_id)
    return result


@pytest.mark.model
def test_default_chunks_fit_the_real_tokenizer(
    seed_library: Library, real_embedder: SentenceTransformerEmbedder
) -> None:
    assert real_embedder.max_tokens == 256
    counts = {chunk.chunk_id: real_embedder.count_tokens(chunk.text) for chunk in seed_library.chunks}
    too_long = {cid: n for cid, n in counts.items() if n > 256}
    assert not too_long, f"chunks longer than the model's 256-token window: {too_long}"
    assert len(seed_library.chunks) >= 10  # the seeds are split, not one chunk a document


@pytest.mark.model
def test_seed_index_chunks_are_the_default_chunking(seed_library: Library, seed_corpus_dir: Path) -> None:
    expected = chunk_documents(load_corpus([seed_corpus_dir]), ChunkSettings())
    assert seed_library.chunks == expected


def test_chunks_stay_inside_their_document(seed_corpus_dir: Path) -> None:
    for document in load_corpus([seed_corpus_dir]):
        chunks = chunk_text(document.doc_id, document.text)
        assert chunks[0].start == 0
        assert chunks[-1].end == len(document.text)
        for chunk in chunks:
            assert document.text[chunk.start : chunk.end] == chunk.text
        for before, after in itertools.pairwise(chunks):
            assert before.start < after.start
            assert not document.text[before.end : after.start].strip(), "nothing between chunks is skipped"


def test_chunk_ids_are_derived_from_content(seed_corpus_dir: Path) -> None:
    chunks = chunk_documents(load_corpus([seed_corpus_dir]), ChunkSettings())
    assert len({chunk.chunk_id for chunk in chunks}) == len(chunks)
    for chunk in chunks:
        assert chunk.chunk_id == chunk_id(chunk.doc_id, chunk.text)


def test_chunk_ids_are_stable_and_change_only_for_the_edited_document(
    tmp_path: Path, seed_corpus_dir: Path, fake_embedder: Embedder
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(seed_corpus_dir, corpus)
    build_index([corpus], tmp_path / "a", fake_embedder, ChunkSettings())
    build_index([corpus], tmp_path / "b", fake_embedder, ChunkSettings())
    first = ids_by_doc(load_library(tmp_path / "a").chunks)
    assert first == ids_by_doc(load_library(tmp_path / "b").chunks)

    path = corpus / f"{EDITED}.md"
    raw = path.read_text(encoding="utf-8")
    old = "Twelve patients with moderate to severe baldness"
    assert old in raw
    path.write_text(raw.replace(old, "Twelve adults with moderate to severe baldness"), encoding="utf-8")
    build_index([corpus], tmp_path / "c", fake_embedder, ChunkSettings())
    edited = ids_by_doc(load_library(tmp_path / "c").chunks)

    assert edited.keys() == first.keys()
    for doc_id in first:
        if doc_id != EDITED:
            assert edited[doc_id] == first[doc_id], f"{doc_id} was not edited but its chunk ids changed"
    changed = set(first[EDITED]) ^ set(edited[EDITED])
    assert changed, "the edited document's chunk ids must change"
    # only the chunks containing the edit get new ids; the rest of the document keeps its ids
    assert set(first[EDITED]) & set(edited[EDITED])


def test_chunk_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="max_tokens"):
        ChunkSettings(max_tokens=8)
    with pytest.raises(ValueError, match="overlap_tokens"):
        ChunkSettings(max_tokens=100, overlap_tokens=50)
    with pytest.raises(ValueError, match="overlap_tokens"):
        ChunkSettings(max_tokens=100, overlap_tokens=-1)


def test_repeated_passage_gets_distinct_stable_ids() -> None:
    sentence = "Dupilumab is an injection for eczema that some patients take every two weeks."
    text = "\n\n".join([sentence] * 6)
    chunks = chunk_text("doc", text, ChunkSettings(max_tokens=20, overlap_tokens=0))
    assert len(chunks) == 6
    assert len({chunk.chunk_id for chunk in chunks}) == 6
    assert [c.chunk_id for c in chunks] == [c.chunk_id for c in chunk_text("doc", text, ChunkSettings(20, 0))]
