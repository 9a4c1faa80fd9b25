"""The FastAPI application: lifespan, middleware, routers, and the one place errors become HTTP statuses."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from index.encoders.base import Embedder
from index.errors import ClinicIndexError
from service.config import Settings
from service.console import open_console
from service.errors import RateLimited, ServiceError, index_error_status
from service.log_format import configure_logging
from service.rate_limits import RateLimits
from service.reload import IndexReloader
from service.routes import admin, ask, docs, feedback, health, library, review, staff
from service.runtime import load_runtime

log = logging.getLogger("clinic.service")
MAX_BODY_BYTES = 64 * 1024
UPLOAD_PATH = "/api/v1/library/documents"  # uploads and replacements: their own limit
# Every response: no inline script, nothing from another origin, no framing by other sites.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI sets style attributes from its script; only the docs page allows that.
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None) -> FastAPI:
    """Build the app. The model and index load once, in the lifespan; tests may pass an embedder."""
    settings = settings or Settings()
    configure_logging(settings.log_format)  # here, so that every worker process has it

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = load_runtime(settings, embedder)
        runtime = app.state.runtime
        log.info(
            "started ready=%s load_seconds=%.2f chunks=%s",
            runtime.ready,
            runtime.load_seconds,
            len(runtime.library.chunks) if runtime.library else 0,
        )
        app.state.reloader = IndexReloader(app.state)
        app.state.console, app.state.console_problem = await asyncio.to_thread(open_console, settings)
        watcher = (
            asyncio.create_task(app.state.reloader.watch(settings.reload_interval))
            if settings.reload_interval > 0
            else None
        )
        yield
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        app.state.runtime.close()
        if app.state.console is not None:
            app.state.console.close()

    app = FastAPI(
        title="Clinic patient-education assistant",
        version="0.1.0",
        description="Answers only with verbatim, cited passages from the clinic's approved documents.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.rate_limits = RateLimits(
        settings.rate_limit_ask,
        settings.rate_limit_staff,
        settings.rate_limit_failed_token,
        settings.trusted_proxies,
    )
    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Authorization"],
            allow_credentials=False,
        )
    app.add_middleware(RequestContext, upload_bytes=settings.max_upload_bytes)
    _install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(docs.router)
    app.include_router(ask.router, prefix="/api/v1")
    app.include_router(staff.router, prefix="/api/v1")
    app.include_router(review.router, prefix="/api/v1")
    app.include_router(admin.router, prefix="/api/v1")
    app.include_router(library.router, prefix="/api/v1")
    app.include_router(feedback.router, prefix="/api/v1")
    try:
        from service.routes import pages
    except ImportError:  # the pages router is optional until the widget lands
        pass
    else:
        app.include_router(pages.router)
    return app


class RequestContext:
    """Request id, body-size limit, security headers and a log line without any question text.

    Plain ASGI rather than `BaseHTTPMiddleware`, which costs a task and a stream per request.
    """

    def __init__(self, app: ASGIApp, upload_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.upload_bytes = upload_bytes  # staff uploads of documents: CLINIC_MAX_UPLOAD_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        path: str = scope["path"]
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                if 300 <= status < 400 and "location" in headers:
                    # Starlette builds redirects (/staff/ -> /staff) from the request's Host header: keep the
                    # path only, so a forged Host cannot send a patient to another site
                    target = urlsplit(headers["location"])
                    headers["location"] = urlunsplit(("", "", target.path or "/", target.query, ""))
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Cache-Control", "no-store")
                headers.setdefault(
                    "Content-Security-Policy",
                    DOCS_CONTENT_SECURITY_POLICY if path == "/docs" else CONTENT_SECURITY_POLICY,
                )
            await send(message)

        length = Headers(scope=scope).get("content-length")
        received = 0
        uploading = scope["method"] == "POST" and path.startswith(UPLOAD_PATH)
        limit = self.upload_bytes if uploading else MAX_BODY_BYTES

        async def receive_within_limit() -> Message:
            """The body as the client sends it, refused as soon as it passes the limit (chunked bodies have
            no Content-Length to check first): at most one message past the limit is ever held."""
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        try:
            if length is not None and length.isdigit() and int(length) > limit:
                await _body_too_large(limit)(scope, receive, send_with_headers)
            else:
                await self.app(scope, receive_within_limit, send_with_headers)
        except BodyTooLarge:
            if not response_started:
                await _body_too_large(limit)(scope, receive, send_with_headers)
        except Exception as exc:
            # a bug, not bad input: the type only (a message may quote the question), and a JSON 500
            log.error(
                "unhandled error id=%s type=%s",
                request_id,
                type(exc).__name__,
                extra={"request_id": request_id},
            )
            if response_started:  # nothing more can be sent
                raise
            failure = _error(
                500, "internal_error", "internal error; the request id is in the X-Request-ID header"
            )
            await failure(scope, receive, send_with_headers)
        finally:
            # the route's template only: a raw path may carry a name (/documents/<name>), forged line breaks
            # or terminal escapes, and query strings (staff searches) may hold health information
            route, ms = _route_template(scope), round((time.perf_counter() - started) * 1000, 1)
            log.info(
                "request id=%s method=%s route=%s status=%s ms=%.1f",
                request_id,
                scope["method"],
                route,
                status,
                ms,
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "ms": ms,
                },
            )


def _route_template(scope: Scope) -> str:
    """The matched route's template with its router's prefix ("/api/v1/documents/{doc_id}"), or "unmatched".

    The route in the scope knows its own template but not the prefix it was included under; the prefix is the
    part of the path before the route's pattern matches, which the router has already matched literally."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    pattern = getattr(route, "path_regex", None)
    if not isinstance(template, str) or pattern is None:
        return "unmatched"
    path: str = scope["path"]
    for cut in (i for i, ch in enumerate(path) if ch == "/"):
        if pattern.match(path[cut:]):
            return path[:cut] + template
    return template


class BodyTooLarge(StarletteHTTPException):
    """The request body passed `MAX_BODY_BYTES` while it was being read (413)."""

    def __init__(self) -> None:
        super().__init__(413, f"request body over {MAX_BODY_BYTES} bytes")


def _body_too_large(limit: int = MAX_BODY_BYTES) -> JSONResponse:
    return _error(413, "body_too_large", f"request body over {limit} bytes")


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> JSONResponse:
        extra = {}
        if isinstance(exc, RateLimited) and exc.emergency_number:
            extra["emergency_number"] = exc.emergency_number
        response = _error(exc.status_code, exc.code, exc.message, **extra)
        if exc.status_code == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(ClinicIndexError)
    async def index_error(request: Request, exc: ClinicIndexError) -> JSONResponse:
        status, code = index_error_status(exc)
        return _error(status, code, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # never echo the submitted values back: they may be a patient's words
        problems = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        message = (
            "; ".join(f"{'.'.join(map(str, p['loc']))}: {p['msg']}" for p in problems) or "invalid request"
        )
        return _error(422, "validation_error", message, problems=problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc, BodyTooLarge):
            return _body_too_large()
        response = _error(exc.status_code, "http_error", str(exc.detail))
        for name, value in (exc.headers or {}).items():  # e.g. Allow on a 405
            response.headers[name] = value
        return response
