"""Typed dependencies: routes get the runtime and the staff check from here."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.errors import NotAuthenticated
from service.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="CLINIC_STAFF_TOKEN")


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def require_staff(
    runtime: RuntimeDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    token = runtime.settings.staff_token
    if token is None or credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("staff token required: Authorization: Bearer <CLINIC_STAFF_TOKEN>")
    if not secrets.compare_digest(credentials.credentials.encode(), token.get_secret_value().encode()):
        raise NotAuthenticated("invalid staff token")


StaffDep = Depends(require_staff)
