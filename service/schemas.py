"""Request and response models of the public API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(
        description="The patient's question. Please do not include names or personal details."
    )


class CitationOut(BaseModel):
    n: int
    doc_id: str
    chunk_id: str
    title: str
    publisher: str | None
    url: str | None
    published: str | None
    reviewed: str | None
    quote: str = Field(description="Exactly the document's cleaned text [start:end]")
    start: int
    end: int
    score: float


class RelatedDocumentOut(BaseModel):
    doc_id: str
    title: str
    publisher: str | None
    url: str | None


class AskResponse(BaseModel):
    type: Literal["answer", "no_answer", "personal_advice", "emergency"]
    text: str
    html: str
    citations: list[CitationOut]
    related_documents: list[RelatedDocumentOut]
    disclaimer: str
    request_id: str
    emergency_number: str | None
    available: bool = Field(True, description="False when the library is not loaded (503)")


class DocumentOut(BaseModel):
    doc_id: str
    title: str
    publisher: str | None
    doc_type: str | None
    url: str | None
    published: str | None
    reviewed: str | None
    review_due: str | None
    expired: bool
    missing_metadata: list[str]
    text: str


class SearchResult(BaseModel):
    rank: int
    doc_id: str
    chunk_id: str
    title: str
    publisher: str | None
    url: str | None
    published: str | None
    reviewed: str | None
    review_due: str | None
    expired: bool
    text: str
    start: int
    end: int
    score: float
    highlights: list[tuple[int, int]] = Field(description="[start, end) of matching terms within `text`")
    highlighted_html: str = Field(description="`text` HTML-escaped with <mark> around matching terms")


class SearchResponse(BaseModel):
    query_terms: list[str]
    results: list[SearchResult]
