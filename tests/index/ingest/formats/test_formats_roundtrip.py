"""Every generated PDF and Word leaflet ingests with all its sentences, no header/footer, exact offsets,
its headings as sections and only the metadata the file states."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bench.formats_roundtrip import leftover_lines
from bench.leaflets import LEAFLETS, SCANNED_NAME
from index.errors import NoTextLayer
from index.ingest.chunking import ChunkSettings, chunk_text
from index.ingest.cleaning import Cleaner
from index.ingest.context import contextual_texts, section_headings
from index.ingest.documents import Document, load_binary, load_corpus

CLEANER = Cleaner.default()
NAMES = [leaflet.name for leaflet in LEAFLETS]
BY_NAME = {leaflet.name: leaflet for leaflet in LEAFLETS}


def load(leaflet_dir: Path, name: str) -> Document:
    return load_binary(leaflet_dir / name, CLEANER)


@pytest.mark.parametrize("name", NAMES)
def test_every_known_sentence_is_in_the_cleaned_text(leaflet_dir: Path, name: str) -> None:
    document = load(leaflet_dir, name)
    missing = [s for s in BY_NAME[name].sentences() if s not in document.text]
    assert missing == []


@pytest.mark.parametrize("name", NAMES)
def test_no_header_footer_or_page_number_is_left(leaflet_dir: Path, name: str) -> None:
    leaflet = BY_NAME[name]
    document = load(leaflet_dir, name)
    assert leftover_lines(leaflet, document.text) == []
    for word in ("Page 1", "- 2 -", "RFC-101", "RFC-205"):
        assert word not in document.text


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("max_tokens", [24, 60, 180])
def test_chunk_offsets_are_exact(leaflet_dir: Path, name: str, max_tokens: int) -> None:
    document = load(leaflet_dir, name)
    chunks = chunk_text(
        document.doc_id, document.text, ChunkSettings(max_tokens=max_tokens, overlap_tokens=4)
    )
    assert chunks
    for chunk in chunks:
        assert document.text[chunk.start : chunk.end] == chunk.text


@pytest.mark.parametrize("name", NAMES)
def test_headings_become_sections_and_nothing_else_does(leaflet_dir: Path, name: str) -> None:
    leaflet = BY_NAME[name]
    document = load(leaflet_dir, name)
    assert [h for _, h in section_headings(document.text)] == leaflet.headings()
    last_section = leaflet.sections[-1]
    last_sentence = last_section.paragraphs[-1].split(". ")[0]
    start = document.text.index(last_sentence)
    chunk = next(
        c
        for c in chunk_text(document.doc_id, document.text, ChunkSettings(max_tokens=24, overlap_tokens=0))
        if c.start >= start
    )
    context = contextual_texts(document, [chunk])[0]
    assert context.startswith(f"{document.title}. {last_section.heading}.")


def test_a_hyphenated_line_break_is_joined_and_real_hyphens_stay(leaflet_dir: Path) -> None:
    text = load(leaflet_dir, "hand-washing.pdf").text
    assert "wound treatment at home" in text
    assert "treat-" not in text
    assert "fragrance-free" in text
    assert "follow-up visit" in text


def test_lists_and_tables_keep_one_item_a_line(leaflet_dir: Path) -> None:
    text = load(leaflet_dir, "sun-protection.docx").text
    assert "Spend time in the shade when the sun is strongest\nCover up with clothing" in text
    assert "Age group; What helps most\nBabies under six months; Shade and light clothing" in text
    pdf = load(leaflet_dir, "hand-washing.pdf").text
    assert "- After touching animals or their food\n- After handling rubbish or recycling" in pdf


def test_metadata_comes_from_the_file(leaflet_dir: Path) -> None:
    pdf = load(leaflet_dir, "hand-washing.pdf")
    assert (pdf.doc_id, pdf.title, pdf.publisher) == (
        "hand-washing",
        "Hand washing at home",
        "Riverside Family Clinic",
    )
    assert pdf.published == dt.date(2024, 3, 5)
    word = load(leaflet_dir, "sun-protection.docx")
    assert (word.title, word.publisher, word.published) == (
        "Protecting your skin from the sun",
        "Riverside Family Clinic",
        dt.date(2024, 5, 20),
    )
    for document in (pdf, word):
        assert "title_from" not in document.extra
        assert document.url is None
        assert document.reviewed is None
        assert document.review_due is None
        assert document.doc_type is None


def test_a_file_without_a_title_is_titled_by_its_name_and_nothing_is_invented(leaflet_dir: Path) -> None:
    flu = load(leaflet_dir, "flu-vaccination.pdf")
    assert (flu.title, flu.extra["title_from"], flu.publisher) == ("flu-vaccination", "file name", None)
    assert flu.published == dt.date(2024, 3, 5)  # the PDF's own /CreationDate (fpdf2 always writes one)
    sleep = load(leaflet_dir, "healthy-sleep.docx")
    assert (sleep.title, sleep.extra["title_from"]) == ("healthy-sleep", "file name")
    # python-docx's blank template says author "python-docx", created 2013-12-23: not this leaflet's
    assert (sleep.publisher, sleep.published) == (None, None)


def test_the_scanned_pdf_is_refused_with_a_clear_message(leaflet_dir: Path) -> None:
    with pytest.raises(NoTextLayer, match=r"scanned\.pdf: this PDF has no text layer \(a scan\?\).*OCR"):
        load(leaflet_dir, SCANNED_NAME)


def test_a_corpus_folder_loads_pdf_and_docx(leaflet_dir: Path, tmp_path: Path) -> None:
    for leaflet in LEAFLETS:
        (tmp_path / leaflet.name).write_bytes((leaflet_dir / leaflet.name).read_bytes())
    (tmp_path / "notes.md").write_text(
        "---\ntitle: Notes\n---\nHand gel helps when there is no soap.\n", encoding="utf-8"
    )
    documents = load_corpus([tmp_path])
    assert sorted(d.doc_id for d in documents) == sorted(["notes", *(Path(n).stem for n in NAMES)])
    assert all(d.source_path and Path(d.source_path).parent == tmp_path for d in documents)


def test_leaflet_specs_are_consistent() -> None:
    assert len(set(NAMES)) == len(NAMES)
    for leaflet in LEAFLETS:
        assert leaflet.sentences()
        assert len(set(leaflet.headings())) == len(leaflet.headings())
