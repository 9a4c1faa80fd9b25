"""The service's exception tree. `service.app` maps each class to its HTTP status, in one place.

ServiceError
├── InvalidQuestion         422: empty or unusable question
├── QuestionTooLong         413: over CLINIC_MAX_QUESTION_CHARS, rejected before any model work
├── DocumentNotFound        404: unknown doc_id
├── NotAuthenticated        401: missing or wrong staff token
├── NotReady                503: index or model not loaded; the message says why
├── IndexRefused            409: a newly built index cannot be served; the previous one keeps serving
├── RateLimited             429: too many requests (or failed staff tokens) from one address; Retry-After
└── LibraryStoreUnavailable 503: the library store (CLINIC_LIBRARY_URL) cannot be opened; the chat still works

The library store's own errors (index.errors) map in `service.app` too: CatalogNotFound 404, CatalogConflict
409, UnsupportedFormat 415, CorpusError 422 (an upload with no readable text), other CatalogError 503.
"""

from __future__ import annotations

from index.errors import CatalogConflict, CatalogError, CatalogNotFound, CorpusError, UnsupportedFormat


class ServiceError(Exception):
    status_code = 500
    code = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidQuestion(ServiceError):
    status_code = 422
    code = "invalid_question"


class QuestionTooLong(ServiceError):
    status_code = 413
    code = "question_too_long"


class DocumentNotFound(ServiceError):
    status_code = 404
    code = "document_not_found"


class NotAuthenticated(ServiceError):
    status_code = 401
    code = "not_authenticated"


class NotReady(ServiceError):
    status_code = 503
    code = "not_ready"


class InvalidAnswer(InvalidQuestion):
    code = "invalid_answer"


class AnswerTooLong(QuestionTooLong):
    code = "answer_too_long"


class UnknownCitationId(DocumentNotFound):
    """A cited id names no document or passage: a reference to something that is not there (404)."""

    code = "unknown_citation"


class RateLimited(ServiceError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int, emergency_number: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.emergency_number = emergency_number  # /ask: a refused patient still gets the emergency number


class IndexRefused(ServiceError):
    status_code = 409
    code = "index_refused"


class LibraryStoreUnavailable(ServiceError):
    status_code = 503
    code = "library_store_unavailable"


def index_error_status(exc: Exception) -> tuple[int, str]:
    """HTTP status and code for an `index.errors` exception raised by a console route."""
    if isinstance(exc, CatalogNotFound):
        return 404, "not_found"
    if isinstance(exc, CatalogConflict):
        return 409, "conflict"
    if isinstance(exc, UnsupportedFormat):
        return 415, "unsupported_format"
    if isinstance(exc, CorpusError):
        return 422, "unreadable_document"
    if isinstance(exc, CatalogError):
        return 503, "library_store_error"
    return 409, "index_error"
