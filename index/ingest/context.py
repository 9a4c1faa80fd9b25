"""Passage context: what a passage is about, when its own words do not say.

A MedQuAD section "These resources address the diagnosis or management of ..." never names its disease; a
leaflet's third passage rarely repeats the drug's name. So each passage is embedded and indexed as

    <document title>. <section heading>.
    <passage text>

while the passage itself (`Chunk.text`, its offsets, the quote a patient sees) stays exactly the document's
text. The section heading is the last heading-like paragraph at or before the passage's start: a short
paragraph (at most `HEADING_MAX_WORDS` words) on its own lines that does not end like a sentence. Formats
without headings (MedQuAD, MedicationQA records) get the title only.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from index.ingest.chunking import Chunk
from index.ingest.documents import Document

# Bump when the contextual text of the same passage changes: cached embeddings are keyed by that text.
CONTEXT_VERSION = 1
HEADING_MAX_WORDS = 12
_PARAGRAPH = re.compile(r"[^\n]+(?:\n[^\n]+)*")
_SENTENCE_END = (".", "!", "?", ",", ";", ":", "…")


def section_headings(text: str) -> list[tuple[int, str]]:
    """(start offset, heading) of every heading-like paragraph of `text`, in order."""
    found = []
    for match in _PARAGRAPH.finditer(text):
        paragraph = " ".join(match.group().split())
        words = paragraph.split()
        if not words or len(words) > HEADING_MAX_WORDS or "\n" in match.group().strip():
            continue
        if paragraph.endswith(_SENTENCE_END) or not any(c.isalpha() for c in paragraph):
            continue
        found.append((match.start() + len(match.group()) - len(match.group().lstrip()), paragraph))
    return found


def _sentence(text: str) -> str:
    """`text` ended like a sentence, so title and heading read as two statements, not one run-on line."""
    text = " ".join(text.split())
    return text if not text or text.endswith(("?", "!", ".")) else f"{text}."


def passage_context(title: str, heading: str | None) -> str:
    """The line put before a passage: its document's title, then its section heading when that differs."""
    parts = [_sentence(title)] if title.strip() else []
    if heading and " ".join(heading.split()).casefold() != " ".join(title.split()).casefold():
        parts.append(_sentence(heading))
    return " ".join(parts)


def contextual_texts(document: Document, chunks: Sequence[Chunk]) -> list[str]:
    """The text to embed and index for each of a document's chunks: context line, then the passage."""
    headings = section_headings(document.text)
    starts = [start for start, _ in headings]
    out = []
    for chunk in chunks:
        at = bisect.bisect_right(starts, chunk.start) - 1
        heading = headings[at][1] if at >= 0 else None
        context = passage_context(document.title, heading)
        out.append(f"{context}\n{chunk.text}" if context else chunk.text)
    return out


def library_texts(documents: dict[str, Document], chunks: Sequence[Chunk]) -> list[str]:
    """`contextual_texts` of every chunk, in the chunks' order (chunks of one document may be anywhere)."""
    by_doc: dict[str, list[int]] = {}
    for row, chunk in enumerate(chunks):
        by_doc.setdefault(chunk.doc_id, []).append(row)
    out = [""] * len(chunks)
    for doc_id, rows in by_doc.items():
        for row, text in zip(
            rows, contextual_texts(documents[doc_id], [chunks[r] for r in rows]), strict=True
        ):
            out[row] = text
    return out
