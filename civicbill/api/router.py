"""The JSON API under ``/api/`` (OpenAPI docs at ``/api/docs``, for signed-in staff).

Every endpoint needs a staff session or a bearer token, and checks the role's permission; the
services behind it check again. Business-rule refusals come back as ``{"detail", "code"}`` with
400 (403 for permissions, 404 for unknown records).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from civicbill.api import accounts, meters, workorders
from civicbill.api.auth import StaffSession, StaffToken
from civicbill.core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError

api = NinjaAPI(
    title="civicbill API",
    version="1",
    description="Utility billing and customer service. Authenticate with a staff session or "
    "`Authorization: Bearer <token>` (make one with `civicbill api-token USER`).",
    auth=[StaffSession(), StaffToken()],
    docs_decorator=login_required,
    urls_namespace="api",
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    status = 400
    if isinstance(error, PermissionDeniedError):
        status = 403
    elif isinstance(error, NotFoundError):
        status = 404
    return api.create_response(
        request, {"detail": error.message, "code": error.code, "field": error.field}, status=status
    )


api.add_router("/accounts", accounts.router)
api.add_router("/meters", meters.meters_router)
api.add_router("/reads", meters.reads_router)
api.add_router("/read-exceptions", meters.exceptions_router)
api.add_router("/workorders", workorders.router)
