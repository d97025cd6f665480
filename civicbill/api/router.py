"""The JSON API under ``/api/`` (OpenAPI docs at ``/api/docs``, for signed-in staff).

Every endpoint needs a staff session or a bearer token, and checks the role's permission; the
services behind it check again. Business-rule refusals come back as ``{"detail", "code"}`` with
400 (403 for permissions, 404 for unknown records).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from civicbill.api import accounts, autopay, billing, meters, payment_files, payments, rates, workorders
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
api.add_router("/rates", rates.router)
api.add_router("/bill-runs", billing.runs_router)
api.add_router("/bills", billing.bills_router)
api.add_router("/drawer-sessions", payments.sessions_router)
api.add_router("/payments", payments.payments_router)
api.add_router("/misc-receipts", payments.misc_router)
api.add_router("/day-close", payments.day_router)
api.add_router("/payment-files", payment_files.files_router)
api.add_router("/suspense", payment_files.suspense_router)
api.add_router("/payments", payment_files.returns_router)
api.add_router("/reports", payment_files.reports_router)
api.add_router("/autopay", autopay.router)
