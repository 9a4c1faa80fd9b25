"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from service.dependencies import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "index or model not loaded"}})
def readyz(runtime: RuntimeDep, request: Request) -> JSONResponse:
    """200 when the index and the model are loaded (with the build served, and a newer build that was refused
    if there is one), 503 with the reason otherwise."""
    ready = runtime.ready_view()
    if ready is None:
        return JSONResponse({"status": "not_ready", "reason": runtime.problem or "loading"}, status_code=503)
    manifest = ready.library.manifest
    body: dict[str, Any] = {
        "status": "ready",
        "index": {
            "model": manifest.model,
            "documents": manifest.documents,
            "chunks": manifest.chunks,
            "built_at": manifest.built_at,
            "corpus_hash": manifest.corpus_hash,
        },
    }
    reloader = getattr(request.app.state, "reloader", None)
    if reloader is not None and reloader.refused is not None:
        version, reason = reloader.refused
        body["refused_index"] = {"built_at": version.built_at, "reason": reason}
    return JSONResponse(body)
