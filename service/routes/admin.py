"""POST /api/v1/admin/reload (staff): serve a newly built index now, without a restart."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from service.dependencies import STAFF_RESPONSES, StaffDep
from service.errors import IndexRefused
from service.reload import IndexReloader
from service.schemas import ReloadResponse

router = APIRouter(tags=["staff"], dependencies=[StaffDep], responses=STAFF_RESPONSES)
_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {"description": "the index on disk cannot be served; the previous one keeps serving (reason given)"},
}


@router.post("/admin/reload", response_model=ReloadResponse, responses=_RESPONSES)
async def reload(request: Request) -> ReloadResponse:
    """Load the index on disk if it is a new build, validate it, and swap it in for this worker (the others
    follow within CLINIC_RELOAD_INTERVAL seconds)."""
    reloader: IndexReloader = request.app.state.reloader
    result = await run_in_threadpool(reloader.check)
    if result.outcome == "refused":
        raise IndexRefused(f"the index on disk was refused; the previous one keeps serving: {result.problem}")
    version = result.version
    return ReloadResponse(
        outcome=result.outcome,
        corpus_hash=version.corpus_hash if version else None,
        built_at=version.built_at if version else None,
    )
