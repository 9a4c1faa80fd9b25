"""POST /api/v1/feedback (no token): a patient rates a reply helpful or not, by its request id.

Only the day, the request id and the rating are kept; a second rating of the same reply replaces the first.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from service.console_schemas import Feedback
from service.dependencies import AskLimitDep
from service.routes.library import get_console

router = APIRouter(tags=["patients"], dependencies=[AskLimitDep])


@router.post(
    "/feedback", status_code=204, responses={503: {"description": "the library store is unavailable"}}
)
async def feedback(body: Feedback, request: Request) -> Response:
    console = get_console(request)
    await run_in_threadpool(console.insights.rate, body.request_id, body.rating)
    return Response(status_code=204)
