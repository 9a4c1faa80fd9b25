"""POST /api/v1/ask: the patient endpoint (public)."""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, BackgroundTasks, Request, Response
from fastapi.concurrency import run_in_threadpool

from service.cache import question_key
from service.dependencies import AskLimitDep, RuntimeDep
from service.patient_text import checked_text
from service.schemas import AskRequest, AskResponse

router = APIRouter(tags=["patients"])
log = logging.getLogger("clinic.service")


@router.post(
    "/ask",
    response_model=AskResponse,
    dependencies=[AskLimitDep],
    responses={
        400: {"description": "the body is not UTF-8 text"},
        413: {"description": "question too long"},
        429: {
            "description": "too many questions from this address (Retry-After); the body has the emergency number"
        },
        422: {"description": "empty question or bad JSON"},
        503: {"description": "library not loaded; the body still carries the emergency number"},
    },
)
async def ask(
    payload: AskRequest,
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    background: BackgroundTasks,
) -> AskResponse:
    question = checked_text(payload.question, "question", runtime.settings.max_question_chars)
    started = time.perf_counter()
    request_id: str = request.state.request_id
    key = question_key(question)
    cached = runtime.answers.get(key)
    if cached is not None:
        answer = cached.model_copy(update={"request_id": request_id})
    else:
        answer = await run_in_threadpool(runtime.composer.answer, question, request_id)
        if answer.available:
            runtime.answers.put(key, answer)
    response.status_code = 200 if answer.available else 503
    # privacy: the request id, answer type, latency and doc ids; never the question
    answer_type = answer.type if answer.available else "unavailable"
    ms = round((time.perf_counter() - started) * 1000, 1)
    log.info(
        "ask id=%s type=%s ms=%.1f docs=%s",
        request_id,
        answer_type,
        ms,
        ",".join(answer.doc_ids) or "-",
        extra={"request_id": request_id, "answer_type": answer_type, "ms": ms, "doc_ids": answer.doc_ids},
    )
    console = request.app.state.console
    if console is not None and answer.type in ("no_answer", "personal_advice") and answer.available:
        # counted per day; a no-answer question is kept only after the PHI scrub (service/insights)
        background.add_task(console.record_reply, answer.type, question)
    return answer  # validated against AskResponse (the triage category is never sent)
