"""The library console's API (staff token): documents, approved answers, publish, insights, audit trail.

Routes are thin: the store's work runs in a thread, and domain errors become HTTP statuses in `service.app`.
The contract is docs/library-console.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from index import clock
from index.errors import CatalogConflict, CatalogNotFound, CorpusError, UnknownCitation
from index.ingest.chunking import content_hash
from index.ingest.cleaning import Cleaner
from index.ingest.documents import Document, document_from_upload
from service.console import Console, Publisher
from service.console_schemas import ActorBody, AnswerDraft, AnswerPatch, ApproveBody, MetadataPatch
from service.dependencies import STAFF_RESPONSES, RuntimeDep, StaffDep
from service.errors import LibraryStoreUnavailable
from service.runtime import Runtime

router = APIRouter(prefix="/library", tags=["library"], dependencies=[StaffDep], responses=STAFF_RESPONSES)
_UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {"description": "this file is in the library already"},
    413: {"description": "over CLINIC_MAX_UPLOAD_BYTES"},
    415: {"description": "not a PDF, Word, HTML, Markdown or text file"},
    422: {"description": "no text could be read (a scan without a text layer, an empty or corrupt file)"},
}


def get_console(request: Request) -> Console:
    console: Console | None = request.app.state.console
    if console is None:
        raise LibraryStoreUnavailable(
            f"the library store is unavailable: {request.app.state.console_problem}"
        )
    return console


ConsoleDep = Annotated[Console, Depends(get_console)]


def _served(runtime: Runtime) -> set[tuple[str, str]]:
    library = runtime.library
    return {(d.doc_id, content_hash(d.text)) for d in library.documents.values()} if library else set()


def _served_chunks(runtime: Runtime) -> Counter[str]:
    return Counter(c.doc_id for c in runtime.library.chunks) if runtime.library else Counter()


def _detail(console: Console, runtime: Runtime, doc_id: str) -> dict[str, Any]:
    detail = console.documents.detail(
        doc_id, clock.today(), runtime.settings.chunk_settings(), _served(runtime)
    )
    return {**detail, "chunks": len(detail["passages"])}


async def _read(upload: UploadFile) -> tuple[bytes, str]:
    return await upload.read(), upload.filename or "upload"


def _read_upload(data: bytes, filename: str, doc_id: str | None = None) -> Document:
    """The uploaded file as a document; one whose text states no title is titled by its file name, marked
    for staff to replace (an upload is a draft: staff describe it before it reaches patients)."""
    try:
        return document_from_upload(data, filename, Cleaner.default(), doc_id=doc_id)
    except CorpusError as exc:
        if "has no title" not in str(exc):
            raise
    stem = Path(filename).stem.replace("_", " ").replace("-", " ").strip() or "Untitled upload"
    document = document_from_upload(
        data, filename, Cleaner.default(), doc_id=doc_id, metadata={"title": stem}
    )
    return dataclasses.replace(document, extra={**document.extra, "title_from": "file name"})


def _new_document(console: Console, data: bytes, filename: str, actor: str) -> str:
    return console.documents.add(_read_upload(data, filename), data, filename, actor)


def _replacement(console: Console, doc_id: str, data: bytes, filename: str, actor: str) -> None:
    console.documents.replace(doc_id, _read_upload(data, filename, doc_id), data, filename, actor)


# --- documents ------------------------------------------------------------------------------------------------
@router.post("/documents", status_code=201, responses=_UPLOAD_RESPONSES)
async def upload(
    console: ConsoleDep,
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File()],
    actor: Annotated[str, Form(min_length=1, max_length=120)],
) -> dict[str, Any]:
    """A new draft document from an uploaded file: its cleaned text and passages, before anything is published."""
    data, filename = await _read(file)
    doc_id = await run_in_threadpool(_new_document, console, data, filename, actor.strip())
    return await run_in_threadpool(_detail, console, runtime, doc_id)


@router.get("/documents")
async def documents(
    console: ConsoleDep,
    runtime: RuntimeDep,
    status: Annotated[str | None, Query(pattern="^(current|review_due|expired|undated)$")] = None,
    state: Annotated[str | None, Query(pattern="^(draft|active|retired)$")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    rows = await run_in_threadpool(console.documents.rows, clock.today(), _served(runtime))
    served_chunks = _served_chunks(runtime)  # passages in the served index (None: not published)
    rows = [{**r, "chunks": served_chunks[r["doc_id"]] if r["published_in_index"] else None} for r in rows]
    needle = (q or "").strip().casefold()
    return {
        "documents": [
            r
            for r in rows
            if (status is None or r["status"] == status)
            and (state is None or r["state"] == state)
            and (not needle or needle in r["title"].casefold() or needle in r["doc_id"].casefold())
        ]
    }


@router.get("/documents/{doc_id}")
async def document(doc_id: str, console: ConsoleDep, runtime: RuntimeDep) -> dict[str, Any]:
    return await run_in_threadpool(_detail, console, runtime, doc_id)


@router.patch("/documents/{doc_id}")
async def edit(doc_id: str, patch: MetadataPatch, console: ConsoleDep, runtime: RuntimeDep) -> dict[str, Any]:
    fields = patch.model_dump(exclude_unset=True, exclude={"actor"})
    fields = {k: (None if v == "" else v) for k, v in fields.items()}
    await run_in_threadpool(console.documents.update_metadata, doc_id, fields, patch.actor.strip())
    return await run_in_threadpool(_detail, console, runtime, doc_id)


@router.post("/documents/{doc_id}/activate")
async def activate(doc_id: str, body: ActorBody, console: ConsoleDep, runtime: RuntimeDep) -> dict[str, Any]:
    await run_in_threadpool(console.documents.activate, doc_id, body.actor.strip())
    return await run_in_threadpool(_detail, console, runtime, doc_id)


@router.post("/documents/{doc_id}/retire")
async def retire(doc_id: str, body: ActorBody, console: ConsoleDep, runtime: RuntimeDep) -> dict[str, Any]:
    await run_in_threadpool(console.documents.retire, doc_id, body.actor.strip())
    return await run_in_threadpool(_detail, console, runtime, doc_id)


@router.post("/documents/{doc_id}/replace", responses=_UPLOAD_RESPONSES)
async def replace(
    doc_id: str,
    console: ConsoleDep,
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File()],
    actor: Annotated[str, Form(min_length=1, max_length=120)],
) -> dict[str, Any]:
    data, filename = await _read(file)
    await run_in_threadpool(_replacement, console, doc_id, data, filename, actor.strip())
    return await run_in_threadpool(_detail, console, runtime, doc_id)


# --- approved answers -----------------------------------------------------------------------------------------
def _served_answers(runtime: Runtime) -> set[str]:
    library, today = runtime.library, clock.today()
    if library is None:
        return set()
    return {
        e.entry_id
        for e in library.approved
        if e.signed_off(today)
        and all(c in library.documents and library.documents[c].is_current(today) for c in e.citations)
    }


def _with_served(rows: list[dict[str, Any]], runtime: Runtime) -> list[dict[str, Any]]:
    served = _served_answers(runtime)
    return [{**r, "served": r["state"] == "approved" and r["answer_id"] in served} for r in rows]


@router.get("/answers")
async def answers(
    console: ConsoleDep,
    runtime: RuntimeDep,
    state: Annotated[str | None, Query(pattern="^(draft|approved|retired)$")] = None,
) -> dict[str, Any]:
    return {"answers": _with_served(await run_in_threadpool(console.answers.rows, state), runtime)}


async def _answer(console: Console, runtime: Runtime, answer_id: str) -> dict[str, Any]:
    return _with_served([await run_in_threadpool(console.answers.row, answer_id)], runtime)[0]


@router.post("/answers", status_code=201)
async def draft(body: AnswerDraft, console: ConsoleDep, runtime: RuntimeDep) -> dict[str, Any]:
    answer_id = await run_in_threadpool(
        lambda: console.answers.create(
            body.questions, body.answer, body.citations, body.actor.strip(), body.answer_id or None
        )
    )
    return await _answer(console, runtime, answer_id)


@router.patch("/answers/{answer_id}")
async def edit_answer(
    answer_id: str, body: AnswerPatch, console: ConsoleDep, runtime: RuntimeDep
) -> dict[str, Any]:
    await run_in_threadpool(
        lambda: console.answers.update(
            answer_id,
            body.actor.strip(),
            questions=body.questions,
            answer=body.answer,
            citations=body.citations,
        )
    )
    return await _answer(console, runtime, answer_id)


def _check(console: Console, runtime: Runtime, answer_id: str, actor: str) -> None:
    view = runtime.ready_view()
    if view is None:
        raise CatalogConflict(f"the library is not loaded, so nothing can be checked: {runtime.problem}")
    row = console.answers.row(answer_id)
    try:
        review = view.reviewer.review(row["answer"], row["citations"])
    except UnknownCitation as exc:
        raise CatalogConflict(
            f"{exc}: a cited document must be published before the answer is checked"
        ) from exc
    sentences = [
        {
            "text": s.text,
            "verdict": s.verdict,
            "reason": s.reason,
            "doc_id": s.evidence.doc_id if s.evidence else None,
            "quote": s.evidence.quote if s.evidence else None,
        }
        for s in review.sentences
    ]
    check = {
        "passed": review.ok,
        "checked_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sentences": sentences,
    }
    console.answers.record_check(answer_id, check, actor)


@router.post("/answers/{answer_id}/check")
async def check(answer_id: str, body: ActorBody, console: ConsoleDep, runtime: RuntimeDep) -> dict[str, Any]:
    """The review engine's verdict on every sentence, against the library being served."""
    await run_in_threadpool(_check, console, runtime, answer_id, body.actor.strip())
    return await _answer(console, runtime, answer_id)


@router.post("/answers/{answer_id}/approve")
async def approve(
    answer_id: str, body: ApproveBody, console: ConsoleDep, runtime: RuntimeDep
) -> dict[str, Any]:
    on = body.approved_on or clock.today()
    await run_in_threadpool(console.answers.approve, answer_id, body.approver, on)
    return await _answer(console, runtime, answer_id)


@router.post("/answers/{answer_id}/retire")
async def retire_answer(
    answer_id: str, body: ActorBody, console: ConsoleDep, runtime: RuntimeDep
) -> dict[str, Any]:
    await run_in_threadpool(console.answers.retire, answer_id, body.actor.strip())
    return await _answer(console, runtime, answer_id)


# --- publish, insights, audit ---------------------------------------------------------------------------------
@router.post("/publish", status_code=202)
async def start_publish(body: ActorBody, request: Request, console: ConsoleDep) -> dict[str, Any]:
    """Rebuild the index from the store in the background, then swap it in; poll the job for progress."""
    return await run_in_threadpool(Publisher(console, request.app.state).start, body.actor.strip())


@router.get("/publish/latest")
async def latest_publish(console: ConsoleDep) -> dict[str, Any]:
    job = await run_in_threadpool(console.jobs.latest)
    if job is None:
        raise CatalogNotFound("nothing has been published from the console yet")
    return job


@router.get("/publish/{job_id}")
async def publish_job(job_id: str, console: ConsoleDep) -> dict[str, Any]:
    return await run_in_threadpool(console.jobs.get, job_id)


@router.get("/insights/daily")
async def daily(console: ConsoleDep, days: Annotated[int, Query(ge=1, le=366)] = 30) -> dict[str, Any]:
    return {"days": await run_in_threadpool(console.insights.daily, days)}


@router.get("/insights/unanswered")
async def unanswered(console: ConsoleDep, runtime: RuntimeDep) -> dict[str, Any]:
    """The scrubbed questions that got no answer, grouped by similarity (largest group first)."""
    from service.insights.grouping import group_by_words, group_similar

    kept = await run_in_threadpool(console.insights.unanswered)
    texts = [text for _, text in kept]
    if not texts:
        groups: list[list[int]] = []
    elif runtime.embedder is not None:
        vectors = await run_in_threadpool(runtime.embedder.embed, texts)
        groups = group_similar(texts, vectors)
    else:
        groups = group_by_words(texts)
    return {
        "retention_days": console.insights.retention_days,
        "groups": [
            {"size": len(g), "questions": [{"text": kept[i][1], "day": kept[i][0]} for i in g]}
            for g in groups
        ],
    }


@router.get("/audit")
async def audit(console: ConsoleDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    return {"events": await run_in_threadpool(console.store.audit_trail, limit)}
