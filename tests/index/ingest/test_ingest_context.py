"""Passage context: the title and section heading embedded and indexed with a passage, never quoted."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from index.ingest.chunking import ChunkSettings, chunk_text
from index.ingest.context import contextual_texts, library_texts, passage_context, section_headings
from index.ingest.documents import Document

TEXT = (
    "New Hope for Hair Loss\n\n"
    "A common eczema drug may reverse hair loss. Doctors reported it this year.\n\n"
    "Hair Growth and Eczema Drugs\n\n"
    "Dupilumab is an injection. It blocks a signalling pathway in the body.\n"
)


def document(text: str = TEXT, title: str = "New Hope for Hair Loss") -> Document:
    return Document(
        doc_id="d",
        title=title,
        publisher=None,
        doc_type=None,
        url=None,
        published=None,
        reviewed=None,
        review_due=dt.date(2030, 1, 1),
        text=text,
        source_path="d.md",
    )


def test_headings_are_short_paragraphs_that_do_not_end_like_sentences() -> None:
    headings = section_headings(TEXT)
    assert [h for _, h in headings] == ["New Hope for Hair Loss", "Hair Growth and Eczema Drugs"]
    for start, heading in headings:
        assert TEXT[start : start + len(heading)] == heading


def test_context_names_the_title_and_the_heading_a_passage_falls_under() -> None:
    chunks = chunk_text("d", TEXT, ChunkSettings(max_tokens=24, overlap_tokens=0))
    texts = contextual_texts(document(), chunks)
    last = texts[-1]
    assert last.startswith("New Hope for Hair Loss. Hair Growth and Eczema Drugs.\n")
    assert last.endswith(chunks[-1].text)
    # the title is not repeated as a heading
    assert texts[0].startswith("New Hope for Hair Loss.\n")


def test_a_question_title_keeps_its_question_mark() -> None:
    assert passage_context("What are the symptoms of X ?", None) == "What are the symptoms of X ?"
    assert passage_context("", "Dosing") == "Dosing."
    assert passage_context("Dosing", "dosing") == "Dosing."


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("abc DEF.\n"), min_size=0, max_size=60), min_size=1, max_size=6
    ).map("\n\n".join)
)
def test_every_passage_text_is_the_tail_of_its_contextual_text(text: str) -> None:
    if not text.strip():
        return
    chunks = chunk_text("d", text, ChunkSettings(max_tokens=16, overlap_tokens=0))
    texts = library_texts({"d": document(text, "Title")}, chunks)
    assert len(texts) == len(chunks)
    for chunk, contextual in zip(chunks, texts, strict=True):
        assert contextual.endswith(chunk.text)
        assert text[chunk.start : chunk.end] == chunk.text
    for start, heading in section_headings(text):
        assert " ".join(text[start:].split())[: len(heading)] == heading
