"""Request and response models of the public API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.patient_text import VISIBLE_TEXT_SCHEMA, PatientText


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: PatientText = Field(
        json_schema_extra=VISIBLE_TEXT_SCHEMA,
        description="The patient's question. Please do not include names or personal details. Control and "
        "invisible characters are removed; a question with nothing visible left is refused (422).",
    )


class RelatedDocument(BaseModel):
    """A document as a patient sees it named: a related leaflet of a personal-advice reply."""

    doc_id: str
    title: str
    publisher: str | None
    url: str | None


class CitedDocument(RelatedDocument):
    """A document with the dates a citation shows (unknown dates are null, never invented)."""

    published: str | None
    reviewed: str | None


class Passage(BaseModel):
    """A verbatim passage of a document: `quote == document.text[start:end]`, inside chunk `chunk_id`."""

    doc_id: str
    chunk_id: str
    quote: str = Field(description="Exactly the document's cleaned text [start:end]")
    start: int
    end: int


class Citation(CitedDocument, Passage):
    """A numbered citation of an answer: a verbatim passage of a document, with the document's metadata."""

    n: int
    score: float


class AskResponse(BaseModel):
    type: Literal["answer", "no_answer", "personal_advice", "emergency"]
    text: str
    html: str
    citations: list[Citation] = Field(default_factory=list)
    related_documents: list[RelatedDocument] = Field(default_factory=list)
    disclaimer: str
    request_id: str
    emergency_number: str | None = None
    available: bool = Field(True, description="False when the library is not loaded (503)")
    approved: bool = Field(
        False,
        description="True: a clinic-approved answer whose every sentence the index build verified against the "
        "cited passages (type stays 'answer')",
    )
    approved_id: str | None = Field(None, description="id of the approved answer, when `approved`")


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


class SearchedDocument(CitedDocument):
    """What a search result shows of its document."""

    review_due: str | None
    expired: bool


class SearchResult(SearchedDocument):
    rank: int
    chunk_id: str
    text: str
    start: int
    end: int
    score: float
    highlights: list[tuple[int, int]] = Field(description="[start, end) of matching terms within `text`")
    highlighted_html: str = Field(description="`text` HTML-escaped with <mark> around matching terms")


SearchGroup = Literal["passage", "document"]
MAX_SEARCH_K = 100


class SearchDocument(SearchedDocument):
    rank: int
    score: float = Field(description="the score of the document's best passage")
    passages: list[SearchResult] = Field(
        description="the document's best passages, best first; each `rank` is its rank among all passages"
    )


class SearchResponse(BaseModel):
    query_terms: list[str]
    group: SearchGroup = Field(description="how the results were asked for: `passage` or `document`")
    results: list[SearchResult] = Field(description="group=passage: the k best passages (else empty)")
    documents: list[SearchDocument] = Field(
        description="group=document: the k best documents, each with its best passages (else empty)"
    )


MAX_REVIEW_CHARS = 5000
MAX_REVIEW_CITATIONS = 50


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: PatientText = Field(
        json_schema_extra=VISIBLE_TEXT_SCHEMA,
        description=f"The answer to check, at most {MAX_REVIEW_CHARS} characters",
    )
    citations: list[str] | None = Field(
        None,
        max_length=MAX_REVIEW_CITATIONS,
        description="Document ids or chunk ids the answer cites: evidence is searched only in their documents. "
        "Without citations, the whole library is searched.",
    )


class ReviewedSentence(BaseModel):
    text: str = Field(description="One sentence (claim) of the answer")
    verdict: Literal["supported", "unsupported", "mismatch"] = Field(
        description="supported: a passage says this; unsupported: no passage says this; mismatch: a passage "
        "covers the point but a number, unit, duration, dose, frequency, negation or comparison differs"
    )
    reason: str = Field(description="A short explanation, e.g. 'number differs: 90% in the answer, ...'")
    evidence: Passage | None = Field(description="The supporting (or contradicting) passage; null if none")


class ReviewSummary(BaseModel):
    supported: int
    unsupported: int
    mismatch: int
    total: int


class ReviewResponse(BaseModel):
    sentences: list[ReviewedSentence]
    summary: ReviewSummary


class ReloadResponse(BaseModel):
    outcome: Literal["unchanged", "reloaded"] = Field(
        description="reloaded: a new build is now served; unchanged: the index on disk is the one served"
    )
    corpus_hash: str | None = Field(description="the build now served")
    built_at: str | None
