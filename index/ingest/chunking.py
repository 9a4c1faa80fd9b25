"""Sentence-aware chunking with exact character spans and content-derived ids."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property

from index.ingest.sentences import sentence_spans

_TOKEN = re.compile(r"\w+|[^\w\s]")
# Bump when the chunker's output changes for the same text and settings.
CHUNKING_VERSION = 1


@dataclass(frozen=True)
class ChunkSettings:
    """Chunk size and overlap in estimated word-piece tokens.

    The default (180 tokens, 40 of overlap) stays inside MiniLM's 256-token window: the estimate counts
    words and punctuation with a 1.3 margin for word pieces, and a test checks the real tokenizer.
    """

    max_tokens: int = 180
    overlap_tokens: int = 40

    def __post_init__(self) -> None:
        if self.max_tokens < 16:
            raise ValueError("chunk max_tokens must be at least 16")
        if not 0 <= self.overlap_tokens < self.max_tokens // 2:
            raise ValueError("chunk overlap_tokens must be >= 0 and less than half of max_tokens")


@dataclass(frozen=True)
class Chunk:
    """A passage of one document: `document.text[start:end] == text`."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str

    @cached_property
    def content_hash(self) -> str:  # computed once: a rebuild looks it up several times per chunk
        return content_hash(self.text)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def estimate_tokens(text: str) -> int:
    return int(len(_TOKEN.findall(text)) * 1.3) + 1


def chunk_id(doc_id: str, text: str) -> str:
    """Stable id from the document id and the chunk's text: the same text gets the same id on every build."""
    return hashlib.sha256(f"{doc_id}\x00{text}".encode()).hexdigest()[:20]


def chunk_text(doc_id: str, text: str, settings: ChunkSettings | None = None) -> list[Chunk]:
    """Pack whole sentences into chunks of at most `max_tokens`, repeating trailing sentences as overlap."""
    settings = settings or ChunkSettings()
    pieces = [span for a, b in sentence_spans(text) for span in _fit(text, a, b, settings.max_tokens)]
    costs = [estimate_tokens(text[a:b]) for a, b in pieces]
    chunks: list[Chunk] = []
    used: set[str] = set()
    first = 0
    while first < len(pieces):
        last, total = first, costs[first]
        while last + 1 < len(pieces) and total + costs[last + 1] <= settings.max_tokens:
            last += 1
            total += costs[last]
        start, end = pieces[first][0], pieces[last][1]
        body = text[start:end]
        cid = chunk_id(doc_id, body)
        if cid in used:  # the same passage twice in one document: keep ids unique and still stable
            cid = chunk_id(doc_id, f"{body}\x00{start}")
        used.add(cid)
        chunks.append(Chunk(cid, doc_id, start, end, body))
        if last + 1 >= len(pieces):
            break
        next_first, overlap = last + 1, 0
        while next_first - 1 > first and overlap + costs[next_first - 1] <= settings.overlap_tokens:
            next_first -= 1
            overlap += costs[next_first]
        first = next_first
    return chunks


def _fit(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """Split an over-long sentence at word boundaries so that no piece exceeds `max_tokens`."""
    if estimate_tokens(text[start:end]) <= max_tokens:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    piece_start = start
    last_break = start
    for match in re.finditer(r"\s+", text[start:end]):
        brk = start + match.start()
        if estimate_tokens(text[piece_start:brk]) > max_tokens and last_break > piece_start:
            pieces.append((piece_start, last_break))
            piece_start = last_break
            while piece_start < end and text[piece_start].isspace():
                piece_start += 1
        last_break = brk
    tail = (piece_start, end)
    if estimate_tokens(text[piece_start:end]) > max_tokens and last_break > piece_start:
        pieces.append((piece_start, last_break))
        tail_start = last_break
        while tail_start < end and text[tail_start].isspace():
            tail_start += 1
        tail = (tail_start, end)
    pieces.append(tail)
    return [p for p in pieces if p[1] > p[0]]
