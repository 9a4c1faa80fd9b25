"""The build pipeline: incremental re-embedding, staleness, and the warnings staff see."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.build import build_index, corpus_fingerprint, document_warnings, is_stale
from index.encoders.base import Embedder
from index.ingest.chunking import ChunkSettings
from index.ingest.context import library_texts
from index.ingest.documents import Document
from index.search.library import load_library
from tests.conftest import CountingEmbedder

EDITED = "ruxolitinib-pilot-belgravia"


@pytest.fixture
def corpus(tmp_path: Path, seed_corpus_dir: Path) -> Path:
    copy = tmp_path / "corpus"
    shutil.copytree(seed_corpus_dir, copy)
    return copy


def edit(corpus: Path, doc_id: str, old: str, new: str) -> None:
    path = corpus / f"{doc_id}.md"
    raw = path.read_text(encoding="utf-8")
    assert raw.count(old) == 1, f"{old!r} must occur once in {path.name}"
    path.write_text(raw.replace(old, new), encoding="utf-8")


def test_counting_embedder_is_an_embedder(fake_embedder: Embedder) -> None:
    assert isinstance(CountingEmbedder(fake_embedder), Embedder)
    assert isinstance(fake_embedder, Embedder)


def test_rebuild_embeds_only_changed_chunks(corpus: Path, tmp_path: Path, fake_embedder: Embedder) -> None:
    out = tmp_path / "index"
    counting = CountingEmbedder(fake_embedder)
    first = build_index([corpus], out, counting, ChunkSettings())
    built = load_library(out)
    # what is embedded is each passage with its title and heading (index/ingest/context.py)
    first_texts = set(library_texts(built.documents, built.chunks))
    assert all(
        text.endswith(chunk.text)
        for text, chunk in zip(library_texts(built.documents, built.chunks), built.chunks, strict=True)
    )
    assert first.embedded == len(first_texts) == len(counting.seen)
    assert set(counting.seen) == first_texts

    counting.seen.clear()
    unchanged = build_index([corpus], out, counting, ChunkSettings())
    assert unchanged.embedded == 0
    assert counting.seen == []
    assert "(0 embedded, " in unchanged.summary()

    edit(
        corpus,
        EDITED,
        "with an average hair regrowth of 92 per cent",
        "with an average hair regrowth of 93 per cent",
    )
    counting.seen.clear()
    report = build_index([corpus], out, counting, ChunkSettings())
    library = load_library(out)
    new_texts = set(library_texts(library.documents, library.chunks)) - first_texts

    assert new_texts, "the edit must change at least one chunk"
    assert all("93 per cent" in text for text in new_texts)
    assert report.embedded == len(new_texts)
    assert sorted(counting.seen) == sorted(new_texts), "exactly the new chunk texts are embedded, once each"
    assert report.chunks == len(library.chunks)
    assert report.summary().startswith(
        f"built index: 5 documents, {report.chunks} chunks ({len(new_texts)} embedded"
    )
    # cached rows went to the right chunks: every stored vector is the embedding of its own chunk's text
    np.testing.assert_array_equal(
        library.dense.vectors(), fake_embedder.embed(library_texts(library.documents, library.chunks))
    )


def test_another_model_re_embeds_everything(corpus: Path, tmp_path: Path, fake_embedder: Embedder) -> None:
    out = tmp_path / "index"
    build_index([corpus], out, fake_embedder, ChunkSettings())
    renamed = CountingEmbedder(fake_embedder, name="another-model")
    report = build_index([corpus], out, renamed, ChunkSettings())
    assert report.embedded == len({chunk.text for chunk in load_library(out).chunks}) > 0
    assert load_library(out).manifest.model == "another-model"


def test_staleness_follows_corpus_model_and_chunking(
    corpus: Path, tmp_path: Path, fake_embedder: Embedder
) -> None:
    out = tmp_path / "index"
    settings = ChunkSettings()
    assert is_stale(out, [corpus], fake_embedder.name, settings)  # nothing built yet
    build_index([corpus], out, fake_embedder, settings)
    assert not is_stale(out, [corpus], fake_embedder.name, settings)
    assert is_stale(out, [corpus], "another-model", settings)
    assert is_stale(out, [corpus], fake_embedder.name, ChunkSettings(120, 20))
    before = corpus_fingerprint([corpus], fake_embedder.name, settings)
    edit(corpus, EDITED, "Nine of the 12 patients", "Nine of the twelve patients")
    assert corpus_fingerprint([corpus], fake_embedder.name, settings) != before
    assert is_stale(out, [corpus], fake_embedder.name, settings)


def test_build_reports_metadata_for_staff(corpus: Path, tmp_path: Path, fake_embedder: Embedder) -> None:
    report = build_index([corpus], tmp_path / "index", fake_embedder, ChunkSettings())
    text = "\n".join(report.warnings)
    for doc_id in ("dupilumab-case-report-mgh", "jak-inhibitors-trials-news", EDITED):
        assert f"{doc_id}: undated" in text
    assert "jak-inhibitors-trials-news: publisher, url, published, reviewed unknown: staff to fill" in text


def test_document_warnings() -> None:
    today = dt.date(2025, 6, 1)
    expired = Document(
        "old",
        "Old",
        "text",
        publisher="P",
        doc_type="t",
        url="u",
        published=today,
        reviewed=today,
        review_due=dt.date(2025, 5, 31),
    )
    current = Document(
        "new",
        "New",
        "text",
        publisher="P",
        doc_type="t",
        url="u",
        published=today,
        reviewed=today,
        review_due=dt.date(2025, 6, 1),
    )
    assert document_warnings([current], today) == []
    assert document_warnings([expired], today) == [
        "old: EXPIRED (review due 2025-05-31); never cited to patients"
    ]
    assert expired.is_expired(today)
    assert not current.is_expired(today)
