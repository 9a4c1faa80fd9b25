"""POST /api/v1/review (staff): check an answer sentence by sentence against the library.

Each sentence gets a verdict (supported, unsupported, mismatch), a short reason and, when a passage was
found, the evidence quote with its offsets in the document's cleaned text. The engine (`index.review`) is
deterministic and generates nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from index.errors import UnknownCitation
from index.review.engine import Review, Reviewer
from service.dependencies import STAFF_RESPONSES, ReadyDep, StaffDep
from service.errors import AnswerTooLong, InvalidAnswer, UnknownCitationId
from service.patient_text import checked_text
from service.schemas import (
    MAX_REVIEW_CHARS,
    Passage,
    ReviewedSentence,
    ReviewRequest,
    ReviewResponse,
    ReviewSummary,
)

router = APIRouter(tags=["staff"], dependencies=[StaffDep], responses=STAFF_RESPONSES)


_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "the body is not UTF-8 text"},
    413: {"description": f"answer over {MAX_REVIEW_CHARS} characters"},
    404: {"description": "a citation names no document or passage (the ids are named in the message)"},
    422: {"description": "empty answer or bad JSON"},
    503: {"description": "library not loaded"},
}


def _response(review: Review) -> ReviewResponse:
    sentences = [
        ReviewedSentence(
            text=s.text,
            verdict=s.verdict,
            reason=s.reason,
            evidence=Passage(
                doc_id=s.evidence.doc_id,
                chunk_id=s.evidence.chunk_id,
                quote=s.evidence.quote,
                start=s.evidence.start,
                end=s.evidence.end,
            )
            if s.evidence is not None
            else None,
        )
        for s in review.sentences
    ]
    return ReviewResponse(sentences=sentences, summary=ReviewSummary(**review.summary))


def _check(reviewer: Reviewer, answer: str, citations: list[str] | None) -> Review:
    return reviewer.review(answer, citations)


@router.post("/review", response_model=ReviewResponse, responses=_RESPONSES)
async def review(payload: ReviewRequest, runtime: ReadyDep) -> ReviewResponse:
    """Verdict, reason and evidence for every sentence of `answer`."""
    answer = checked_text(payload.answer, "answer", MAX_REVIEW_CHARS, InvalidAnswer, AnswerTooLong)
    reviewer = runtime.reviewer
    citations = [c.strip() for c in payload.citations or [] if c.strip()] or None
    try:
        reviewer.resolve(citations)  # fail fast, before any model work
    except UnknownCitation as exc:
        raise UnknownCitationId(f"unknown citation id(s) {exc.ids}: not a document or chunk id") from exc
    return _response(await run_in_threadpool(_check, reviewer, answer, citations))
