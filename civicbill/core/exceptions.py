"""Errors the services raise. Views and the API turn them into kind, specific messages."""

from __future__ import annotations


class ApplicationError(Exception):
    """A business rule refused the request. ``message`` is written for the person at the counter."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class NotFoundError(ApplicationError):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, code="not_found", field=field)


class PermissionDeniedError(ApplicationError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="permission_denied")


class ConflictError(ApplicationError):
    """The request clashes with one already done, e.g. an idempotency key reused for another
    request (the API answers 409)."""

    def __init__(self, message: str, *, code: str = "idempotency_conflict", field: str | None = None) -> None:
        super().__init__(message, code=code, field=field)
