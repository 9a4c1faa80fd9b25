"""Typed dependencies: routes get the runtime, the staff check and the flood limits from here."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.errors import NotAuthenticated, NotReady, RateLimited
from service.rate_limits import RateLimits
from service.runtime import ReadyRuntime, Runtime

_bearer = HTTPBearer(auto_error=False, description="CLINIC_STAFF_TOKEN")


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_ready_runtime(runtime: RuntimeDep) -> ReadyRuntime:
    """The loaded library's parts; 503 (`NotReady`, with the reason) while the model or index is not loaded."""
    ready = runtime.ready_view()
    if ready is None:
        raise NotReady(f"the library is not loaded: {runtime.problem or 'loading'}")
    return ready


ReadyDep = Annotated[ReadyRuntime, Depends(get_ready_runtime)]


def get_rate_limits(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.rate_limits
    return limits


RateLimitsDep = Annotated[RateLimits, Depends(get_rate_limits)]


def limit_ask(request: Request, runtime: RuntimeDep, limits: RateLimitsDep) -> None:
    refusal = limits.hit(limits.ask, "ask", limits.client_address(request))
    if refusal is not None:
        emergency = runtime.settings.contacts.emergency
        raise RateLimited(
            f"too many questions from this address; try again in {refusal.retry_after} s. "
            f"If this is an emergency, call {emergency} now.",
            refusal.retry_after,
            emergency_number=emergency,
        )


def require_staff(
    request: Request,
    runtime: RuntimeDep,
    limits: RateLimitsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    address = limits.client_address(request)
    locked = limits.exhausted(limits.failed_token, "failed-token", address)
    if locked is not None:  # refused before the token is compared: guessing gets no answer at all
        raise RateLimited(
            f"too many failed staff tokens; try again in {locked.retry_after} s", locked.retry_after
        )
    refusal = limits.hit(limits.staff, "staff", address)
    if refusal is not None:
        raise RateLimited(
            f"too many staff requests; try again in {refusal.retry_after} s", refusal.retry_after
        )
    token = runtime.settings.staff_token
    if token is None or credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("staff token required: Authorization: Bearer <CLINIC_STAFF_TOKEN>")
    if not secrets.compare_digest(credentials.credentials.encode(), token.get_secret_value().encode()):
        limits.hit(limits.failed_token, "failed-token", address)
        raise NotAuthenticated("invalid staff token")


StaffDep = Depends(require_staff)
STAFF_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "missing or invalid staff token"},
    429: {"description": "too many staff requests or failed tokens from this address (Retry-After)"},
}
"""What `require_staff` may answer: every staff router declares them (`APIRouter(responses=...)`)."""
AskLimitDep = Depends(limit_ask)
