"""The JSON API under ``/api/`` (OpenAPI docs at ``/api/docs``, for signed-in staff).

Every endpoint needs a bearer token or a staff session (with CSRF for POST; see ``auth.py``), and
checks the role's permission; the services behind it check again. Every refusal comes back as
``{"detail", "code", "field"}``: 400 for a business rule, 401 without a valid token or session,
403 for permissions and CSRF, 404 for unknown records, 409 for an idempotency key reused with a
different request, 422 for a request that does not match its schema (``field`` names the first
wrong field, ``errors`` lists them all). Every operation documents these answers (docs/api.md).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from civicbill.api import (
    accounts,
    autopay,
    billing,
    collections_aging,
    collections_arrangements,
    collections_notices,
    collections_policy,
    collections_programs,
    collections_run,
    collections_shutoff,
    collections_writeoffs,
    meters,
    payment_files,
    payments,
    rates,
    workorders,
)
from civicbill.api.auth import StaffSession, StaffToken
from civicbill.api.errors import add_error_responses, validation_error_body
from civicbill.api.text import TextCheckingParser, control_character_problems
from civicbill.core.exceptions import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError


class CivicbillAPI(NinjaAPI):
    """The API whose OpenAPI document lists every operation's error answers."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        return add_error_responses(schema)


api = CivicbillAPI(
    title="civicbill API",
    version="1",
    description="Utility billing and customer service. Authenticate with a staff session or "
    "`Authorization: Bearer <token>` (make one with `civicbill api-token USER`).",
    auth=[StaffToken(), StaffSession()],  # the token first: a bearer request needs no CSRF token
    docs_decorator=login_required,
    parser=TextCheckingParser(),  # a control character anywhere in a request: 422 naming the field
    urls_namespace="api",
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    status = 400
    if isinstance(error, PermissionDeniedError):
        status = 403
    elif isinstance(error, NotFoundError):
        status = 404
    elif isinstance(error, ConflictError):
        status = 409
    detail = _CLIENT_SCOPE.sub(r"\1", error.message)
    return api.create_response(
        request, {"detail": detail, "code": error.code, "field": error.field}, status=status
    )


# The API stores a client's idempotency key scoped to its user ("api:12:deposit:abc"); an answer
# quotes the key as the client sent it ("abc").
_CLIENT_SCOPE = re.compile(r"(['\"])api:[0-9]+:(?:deposit:)?")


@api.exception_handler(ValidationError)
def schema_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return api.create_response(request, validation_error_body(error.errors), status=422)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    detail = "Sign in, or send Authorization: Bearer <token> with a valid, unrevoked token"
    return api.create_response(
        request, {"detail": detail, "code": "not_authenticated", "field": None}, status=401
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if isinstance(error.__cause__, ValidationError):  # TextCheckingParser refused the body
        return api.create_response(request, validation_error_body(error.__cause__.errors), status=422)
    code = "csrf_failed" if "CSRF" in error.message else f"http_{error.status_code}"
    if code == "csrf_failed":
        detail = "CSRF check failed: a session POST needs the X-CSRFToken header; scripts use a token"
    else:
        detail = error.message
    return api.create_response(
        request, {"detail": detail, "code": code, "field": None}, status=error.status_code
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(error) or "Not found", "code": "not_found", "field": None}, status=404
    )


def refuse_control_characters_in_the_path(run: Callable[..., Any]) -> Callable[..., Any]:
    """A NUL in a path parameter (``/api/meters/AB%00C``) is a 422 naming it, never a 500 from
    PostgreSQL (the body and query string are checked by TextCheckingParser)."""

    @functools.wraps(run)
    def checked(request: HttpRequest, *args: Any, **path: Any) -> Any:
        problems = control_character_problems(path, ("path",))
        if problems:
            return api.create_response(request, validation_error_body(problems), status=422)
        return run(request, *args, **path)

    return checked


api.add_decorator(refuse_control_characters_in_the_path, mode="view")

api.add_router("/accounts", accounts.router)
api.add_router("/meters", meters.meters_router)
api.add_router("/reads", meters.reads_router)
api.add_router("/read-exceptions", meters.exceptions_router)
api.add_router("/workorders", workorders.router)
api.add_router("/rates", rates.router)
api.add_router("/bill-runs", billing.runs_router)
api.add_router("/bills", billing.bills_router)
api.add_router("/billing", billing.billing_router)
api.add_router("/drawer-sessions", payments.sessions_router)
api.add_router("/payments", payments.payments_router)
api.add_router("/misc-receipts", payments.misc_router)
api.add_router("/day-close", payments.day_router)
api.add_router("/payment-files", payment_files.files_router)
api.add_router("/suspense", payment_files.suspense_router)
api.add_router("/payments", payment_files.returns_router)
api.add_router("/reports", payment_files.reports_router)
api.add_router("/autopay", autopay.router)
api.add_router("/collections/notices", collections_notices.router)
api.add_router("/collections/runs", collections_run.router)
api.add_router("/collections", collections_writeoffs.router)
api.add_router("/collections/policy", collections_policy.router)
api.add_router("/collections/aging", collections_aging.router)
api.add_router("/collections", collections_shutoff.router)
api.add_router("/collections", collections_programs.router)
api.add_router("/collections/arrangements", collections_arrangements.router)
