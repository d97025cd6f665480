"""Payment channels API: ``/api/payment-files`` (upload a lockbox or online file), ``/api/suspense``
(the queue, apply an item), ``/api/payments/{receipt}/return`` (a returned check, NSF) and
``/api/reports/{name}`` (the payment reports as JSON, money in integer cents).

The payments services check the permissions again; refusals come back as ``{"detail", "code", "field"}``
(400; 403 for permissions, 404 for unknown records).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from civicbill.api.text import MultiLine
from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.permissions import require_permission
from civicbill.customers import selectors as customer_selectors
from civicbill.customers.models import Account
from civicbill.payments import selectors
from civicbill.payments import services as payment_services
from civicbill.payments.models import SuspenseItem
from civicbill.payments.reports import report_build

files_router = Router(tags=["payment channels"])
suspense_router = Router(tags=["payment channels"])
returns_router = Router(tags=["payment channels"])
reports_router = Router(tags=["payment channels"])

FileFormat = Literal["lockbox-csv", "lockbox-fixed", "online-csv"]


@files_router.post("", response={201: dict[str, Any]}, summary="Import a lockbox or online payment file")
def import_file(
    request: HttpRequest,
    file: File[UploadedFile],
    format: Form[FileFormat],
    processor: Form[str] = "",
    new_batch: Form[bool] = False,
) -> Status[dict[str, Any]]:
    """Multipart: ``format`` and ``file`` (and, for an online file, ``processor``: whose confirmation
    numbers it carries, at most 40 characters; for a lockbox file, ``new_batch``). Returns what was
    posted, held in suspense and the bad rows
    (line, reason). A file sent again is refused (``duplicate_file``: the same records, whatever the
    line endings or blank space; ``duplicate_batch``: a lockbox id and deposit date already imported,
    unless ``new_batch``); an online confirmation already posted is a bad row; a file whose trailer
    does not tie is refused whole (``file_refused``)."""
    require_permission(request.user, "payments.import")
    result = payment_services.payment_file_import(
        content=file.read(),
        file_name=file.name or "upload",
        file_format=format,
        as_of=clock.now(),
        actor=request.user,
        processor=processor,
        new_batch=new_batch,
    )
    row = result.as_dict()
    payments = result.payments
    numbers = dict(
        Account.objects.filter(pk__in={p.account_id for p in payments}).values_list("pk", "number")
    )
    row["payments"] = [
        {
            "receipt_number": p.receipt_number,
            "line": p.channel_detail.line_number,
            "account": numbers.get(p.account_id or 0),
            "amount_cents": p.amount_cents,
        }
        for p in payments
    ]
    row["suspense"] = [suspense_row(item) for item in result.suspense_items]
    return Status(201, row)


def suspense_row(item: SuspenseItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "status": item.status,
        "channel": item.channel,
        "deposit_date": item.deposit_date.isoformat(),
        "amount_cents": item.amount_cents,
        "reason": item.reason,
        "detail": item.detail,
        "import": item.payment_import_id,
        "line": item.line_number,
        "scan_line": item.scan_line,
        "account_number_in_file": item.account_number_text,
        "check_number": item.check_number,
        "reference": item.reference,
        "payer_name": item.payer_name,
        "applied_receipt": item.applied_payment.receipt_number if item.applied_payment else None,
    }


@suspense_router.get("", response=dict[str, Any], summary="The suspense queue (open items, oldest first)")
def suspense_list(request: HttpRequest, status: Literal["open", "applied", "all"] = "open") -> dict[str, Any]:
    require_permission(request.user, "payments.suspense")
    items = list(payment_services.suspense_queue(status=None if status == "all" else status))
    return {
        "items": [suspense_row(item) for item in items],
        "count": len(items),
        "amount_cents": sum(item.amount_cents for item in items),
    }


class SuspenseApplyIn(Schema):
    account: str = Field(description="Account number, e.g. 1000001-6")
    note: MultiLine = Field("", max_length=300)


@suspense_router.post(
    "/{item_id}/apply", response=dict[str, Any], summary="Apply a suspense item to an account"
)
def suspense_apply(request: HttpRequest, item_id: int, payload: SuspenseApplyIn) -> dict[str, Any]:
    require_permission(request.user, "payments.suspense")
    item = payment_services.suspense_queue(status=None).filter(pk=item_id).first()
    if item is None:
        raise NotFoundError(f"There is no suspense item {item_id}", field="item")
    try:
        account = customer_selectors.account_get(payload.account)
    except NotFoundError as error:
        raise NotFoundError(error.message, field="account") from None
    payment = payment_services.suspense_apply(
        item=item, account=account, as_of=clock.now(), actor=request.user, note=payload.note
    )
    item.refresh_from_db()
    row = suspense_row(item)
    row["payment"] = {
        "receipt_number": payment.receipt_number,
        "account": account.number,
        "amount_cents": payment.amount_cents,
        "allocations": [
            {"service": a.service, "fund": a.fund, "gl_code": a.gl_code, "amount_cents": a.amount_cents}
            for a in payment.allocations.order_by("pk")
        ],
    }
    return row


class ReturnIn(Schema):
    reason: MultiLine = Field(description="Why the bank returned it, e.g. NSF", max_length=200)
    charge_fee: bool = Field(True, description="Charge the returned-item fee from the fee schedule")


@returns_router.post(
    "/{receipt_number}/return",
    response={201: dict[str, Any]},
    summary="Record a returned check or payment (NSF)",
)
def return_payment(request: HttpRequest, receipt_number: str, payload: ReturnIn) -> Status[dict[str, Any]]:
    require_permission(request.user, "payments.return")
    payment = selectors.payment_for_receipt(receipt_number)
    returned = payment_services.payment_return(
        payment=payment,
        reason=payload.reason,
        as_of=clock.now(),
        actor=request.user,
        charge_fee=payload.charge_fee,
    )
    return Status(
        201,
        {
            "receipt_number": payment.receipt_number,
            "account": payment.account.number if payment.account else None,
            "amount_cents": payment.amount_cents,
            "reason": returned.reason,
            "returned_on": returned.returned_on.isoformat(),
            "fee_cents": returned.fee_cents,
            "reversal_entry": str(returned.reversal_entry_id),
            "fee_entry": str(returned.fee_entry_id) if returned.fee_entry_id else None,
        },
    )


class ReportQuery(Schema):
    date: dt.date | None = None
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")


@reports_router.get("/{name}", response=dict[str, Any], summary="A payment report as JSON")
def report(request: HttpRequest, name: str, filters: Query[ReportQuery]) -> dict[str, Any]:
    """``cash-receipts``, ``daily-balance`` or ``by-channel`` for ``?date=`` (or ``?from=&to=``)."""
    require_permission(request.user, "payments.view")
    start = filters.date_from or filters.date
    if start is None:
        raise ApplicationError(
            "Give a date (?date=2026-12-01) or a period (?from=...&to=...)", code="missing_date", field="date"
        )
    return report_build(name, date_from=start, date_to=filters.date_to or start).as_dict()
