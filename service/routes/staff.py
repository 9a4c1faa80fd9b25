"""Staff endpoints: passage and document search, and full documents. Both need the staff bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from index import clock
from service.dependencies import STAFF_RESPONSES, ReadyDep, StaffDep
from service.errors import DocumentNotFound
from service.patient_text import VISIBLE_TEXT_SCHEMA, PatientText, checked_text
from service.schemas import MAX_SEARCH_K, DocumentOut, SearchGroup, SearchResponse
from service.search import search_documents, search_passages

router = APIRouter(tags=["staff"], dependencies=[StaffDep], responses=STAFF_RESPONSES)


@router.get("/search", response_model=SearchResponse, responses={503: {"description": "not ready"}})
async def search(
    runtime: ReadyDep,
    q: Annotated[PatientText, Query(description="search text", json_schema_extra=VISIBLE_TEXT_SCHEMA)],
    k: Annotated[
        int, Query(ge=1, le=MAX_SEARCH_K, description="how many passages, or documents with group=document")
    ] = 10,
    group: Annotated[
        SearchGroup,
        Query(
            description="passage: the k best passages; document: the k best documents, passages under each"
        ),
    ] = "passage",
) -> SearchResponse:
    query = checked_text(q, "q", runtime.settings.max_question_chars)
    find = search_documents if group == "document" else search_passages
    return await run_in_threadpool(find, runtime.retriever, query, k)


@router.get("/documents/{doc_id}", response_model=DocumentOut, responses={404: {"description": "unknown"}})
def document(doc_id: str, runtime: ReadyDep) -> DocumentOut:
    found = runtime.library.documents.get(doc_id)
    if found is None:
        raise DocumentNotFound(f"no document with id {doc_id!r}")
    return DocumentOut(
        **found.metadata(),
        expired=found.is_expired(clock.today()),
        missing_metadata=found.missing_metadata(),
        text=found.text,
    )
