"""Autopay API under ``/api/autopay``: enrollments (list, one, enroll, change bank details, end),
draft files (list, one with its entries, create, cancel, the NACHA file itself), returns (import a
file, list the returns with their outcomes, resolve an unmatched one) and the monthly report.

Money in integer cents, dates as ISO text; bank account numbers go in once (enroll, change) and come
out only masked (``****6789``), except in the draft file download (``autopay.draft``). The services
check the permissions again; refusals come back as ``{"detail", "code", "field"}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from civicbill.api.text import MultiLine, SingleLine
from civicbill.autopay import selectors, services, summary
from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.permissions import require_permission
from civicbill.customers import selectors as customer_selectors

router = Router(tags=["autopay"])

EnrollmentStatus = Literal["prenote_pending", "active", "ended"]


def _enrollment(enrollment_id: int) -> Any:
    return selectors.enrollment_get(enrollment_id)


@router.get("/enrollments", response=dict[str, Any], summary="Autopay enrollments (newest first)")
def enrollments(
    request: HttpRequest,
    status: EnrollmentStatus | None = None,
    q: str = "",
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    require_permission(request.user, "autopay.view")
    found = selectors.enrollments_list(status=status, query=q)
    limit = max(1, min(limit, 1000))
    return {
        "count": found.count(),
        "enrollments": [summary.enrollment_dict(e) for e in found[offset : offset + limit]],
    }


@router.get("/enrollments/{enrollment_id}", response=dict[str, Any], summary="One enrollment and its history")
def enrollment(request: HttpRequest, enrollment_id: int) -> dict[str, Any]:
    require_permission(request.user, "autopay.view")
    found = _enrollment(enrollment_id)
    events = list(found.events.select_related("actor").order_by("recorded_at", "id"))
    return summary.enrollment_dict(found, events=events, authorizations=selectors.authorizations_of(found))


class BankDetailsIn(Schema):
    routing_number: str = Field(description="9 digits with a valid check digit")
    account_number: str = Field(description="4 to 17 digits; stored encrypted, never returned", repr=False)
    account_type: Literal["checking", "savings"]


class AutopayAuthorizationIn(Schema):
    """The customer's authorization of these bank details (NACHA: kept 2 years after it ends)."""

    authorization_method: Literal["written", "online", "phone_recorded"]
    authorized_on: dt.date
    authorized_by: SingleLine = Field(
        description="who authorized the drafts (the bank account holder)", max_length=120
    )
    authorization_reference: SingleLine = Field(
        "",
        description="where the copy is kept (file number, recording id); attach files on the account page",
        max_length=200,
    )

    def authorization(self) -> services.AuthorizationIn:
        return services.AuthorizationIn(
            method=self.authorization_method,
            authorized_on=self.authorized_on,
            authorized_by=self.authorized_by,
            reference=self.authorization_reference,
        )


class EnrollIn(BankDetailsIn, AutopayAuthorizationIn):
    account: str = Field(description="utility account number, e.g. 1000001-6")
    holder_name: str = ""


class BankChangeIn(BankDetailsIn, AutopayAuthorizationIn):
    """New bank details take a new authorization."""

    note: MultiLine = Field("", max_length=200)


class EndIn(Schema):
    reason: Literal["customer_request", "other"] = "customer_request"
    note: MultiLine = Field("", max_length=200)


@router.post("/enrollments", response={201: dict[str, Any]}, summary="Enroll an account in autopay")
def enroll(request: HttpRequest, payload: EnrollIn) -> Status[dict[str, Any]]:
    require_permission(request.user, "autopay.enroll")
    try:
        account = customer_selectors.account_get(payload.account)
    except NotFoundError as error:
        raise NotFoundError(error.message, field="account") from None
    created = services.autopay_enroll(
        account=account,
        routing_number=payload.routing_number,
        account_number=payload.account_number,
        account_type=payload.account_type,
        authorization=payload.authorization(),
        holder_name=payload.holder_name,
        as_of=clock.now(),
        actor=request.user,
    )
    return Status(201, summary.enrollment_dict(created))


@router.post(
    "/enrollments/{enrollment_id}/bank", response=dict[str, Any], summary="New bank details (a new prenote)"
)
def bank_change(request: HttpRequest, enrollment_id: int, payload: BankChangeIn) -> dict[str, Any]:
    require_permission(request.user, "autopay.enroll")
    changed = services.autopay_bank_change(
        enrollment=_enrollment(enrollment_id),
        routing_number=payload.routing_number,
        account_number=payload.account_number,
        account_type=payload.account_type,
        authorization=payload.authorization(),
        note=payload.note,
        as_of=clock.now(),
        actor=request.user,
    )
    return summary.enrollment_dict(changed)


@router.post("/enrollments/{enrollment_id}/end", response=dict[str, Any], summary="End autopay")
def end(request: HttpRequest, enrollment_id: int, payload: EndIn) -> dict[str, Any]:
    require_permission(request.user, "autopay.enroll")
    ended = services.autopay_end(
        enrollment=_enrollment(enrollment_id),
        reason=payload.reason,
        note=payload.note,
        as_of=clock.now(),
        actor=request.user,
    )
    return summary.enrollment_dict(ended)


# -- draft files --------------------------------------------------------------------------------------------
@router.get("/drafts", response=dict[str, Any], summary="Draft files (newest first)")
def drafts(request: HttpRequest, limit: int = Query(50, ge=1, le=500)) -> dict[str, Any]:
    require_permission(request.user, "autopay.view")
    files = list(selectors.draft_files_list()[: max(1, min(limit, 500))])
    return {"drafts": [summary.draft_file_dict(f) for f in files]}


@router.get("/drafts/{draft_file_id}", response=dict[str, Any], summary="A draft file and its entries")
def draft(request: HttpRequest, draft_file_id: int) -> dict[str, Any]:
    require_permission(request.user, "autopay.view")
    found = selectors.draft_file_get(draft_file_id)
    entries = [view.entry for view in selectors.draft_file_entries(found, today=clock.today())]
    return summary.draft_file_dict(found, entries=entries, today=clock.today())


class DraftIn(Schema):
    effective_date: dt.date = Field(description="the effective entry date: a business day after today")


@router.post("/drafts", response={201: dict[str, Any]}, summary="Write the draft file of a date")
def draft_create(request: HttpRequest, payload: DraftIn) -> Status[dict[str, Any]]:
    require_permission(request.user, "autopay.draft")
    created = services.ach_draft_create(
        effective_date=payload.effective_date, as_of=clock.now(), actor=request.user
    )
    entries = list(created.entries.select_related("account", "bill", "payment").order_by("sequence"))
    return Status(201, summary.draft_file_dict(created, entries=entries, today=clock.today()))


class CancelIn(Schema):
    reason: MultiLine = Field(max_length=200)


@router.post("/drafts/{draft_file_id}/cancel", response=dict[str, Any], summary="Cancel a draft file")
def draft_cancel(request: HttpRequest, draft_file_id: int, payload: CancelIn) -> dict[str, Any]:
    require_permission(request.user, "autopay.draft")
    cancelled = services.ach_draft_cancel(
        draft_file=selectors.draft_file_get(draft_file_id),
        reason=payload.reason,
        as_of=clock.now(),
        actor=request.user,
    )
    return summary.draft_file_dict(cancelled)


@router.get("/drafts/{draft_file_id}/file", summary="The NACHA file itself (for the bank)")
def draft_download(request: HttpRequest, draft_file_id: int) -> HttpResponse:
    require_permission(request.user, "autopay.draft")
    found = selectors.draft_file_get(draft_file_id)
    response = HttpResponse(selectors.draft_file_bytes(found), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    response["Cache-Control"] = "no-store"
    return response


# -- returns -----------------------------------------------------------------------------------------------
@router.post("/returns", response={201: dict[str, Any]}, summary="Import a return / NOC file")
def returns_import(request: HttpRequest, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    """Multipart ``file``. The same file twice is refused (``duplicate_file``), a file with NACHA
    errors too (``file_invalid``)."""
    require_permission(request.user, "autopay.returns")
    record = services.ach_returns_import(
        content=file.read(), file_name=file.name or "returns.ach", as_of=clock.now(), actor=request.user
    )
    return Status(
        201, summary.return_file_dict(record, items=list(selectors.return_items(return_file=record)))
    )


ReturnOutcome = Literal[
    "reversed_kept", "reversed_ended", "prenote_ended", "prenote_noted", "corrected", "change_noted",
    "already_returned", "unmatched", "resolved", "change_not_applied", "held_untimely", "dishonored",
]  # fmt: skip


@router.get("/returns", response=dict[str, Any], summary="Returns and notifications of change, newest first")
def returns(
    request: HttpRequest, outcome: ReturnOutcome | None = None, limit: int = Query(200, ge=1, le=2000)
) -> dict[str, Any]:
    require_permission(request.user, "autopay.view")
    items = list(selectors.return_items(outcome=outcome)[: max(1, min(limit, 2000))])
    return {"returns": [summary.return_dict(item) for item in items]}


class ReturnResolveIn(Schema):
    trace_number: str = Field(description="the 15-digit trace number of the draft entry it belongs to")


@router.post("/returns/{return_id}/resolve", response=dict[str, Any], summary="Resolve an unmatched return")
def return_resolve(request: HttpRequest, return_id: int, payload: ReturnResolveIn) -> dict[str, Any]:
    require_permission(request.user, "autopay.returns")
    resolved = services.ach_return_resolve(
        ach_return=selectors.return_item_get(return_id),
        trace_number=payload.trace_number,
        as_of=clock.now(),
        actor=request.user,
    )
    return summary.return_dict(resolved)


# -- the review queue ------------------------------------------------------------------------------------
@router.get("/review", response=dict[str, Any], summary="Late returns and notifications of change to review")
def review(request: HttpRequest) -> dict[str, Any]:
    """Late returns held for review (decide ``dishonor`` or ``accept``) and notifications of change
    not applied because the bank details changed since the draft (decide ``acknowledge``)."""
    require_permission(request.user, "autopay.view")
    return {"review": [summary.return_dict(item) for item in selectors.review_queue()]}


class AchReviewIn(Schema):
    decision: Literal["dishonor", "accept", "acknowledge"]
    note: str = Field(description="why (kept with the decision)", max_length=200)


@router.post("/review/{return_id}", response=dict[str, Any], summary="Decide a review-queue item")
def review_decide(request: HttpRequest, return_id: int, payload: AchReviewIn) -> dict[str, Any]:
    require_permission(request.user, "autopay.returns")
    decided = services.ach_return_review(
        ach_return=selectors.return_item_get(return_id),
        decision=payload.decision,
        note=payload.note,
        as_of=clock.now(),
        actor=request.user,
    )
    return summary.return_dict(decided)


# -- the monthly report --------------------------------------------------------------------------------------
@router.get(
    "/reports/monthly", response=dict[str, Any], summary="A month's drafts and returns (rate by code)"
)
def monthly(request: HttpRequest, month: str) -> dict[str, Any]:
    """``month`` as ``YYYY-MM``."""
    require_permission(request.user, "autopay.view")
    try:
        first = dt.date.fromisoformat(f"{month.strip()}-01")
    except ValueError:
        raise ApplicationError(
            f"{month!r} is not a month like 2026-12", code="bad_month", field="month"
        ) from None
    report = selectors.monthly_report(first)
    return {
        "month": f"{report.month:%Y-%m}",
        "debit_count": report.debit_count,
        "debit_cents": report.debit_cents,
        "prenote_count": report.prenote_count,
        "return_count": report.return_count,
        "return_cents": report.return_cents,
        "return_rate_percent": str(report.return_rate_percent)
        if report.return_rate_percent is not None
        else None,
        "fees_cents": report.fees_cents,
        "unmatched_count": report.unmatched_count,
        "unmatched_cents": report.unmatched_cents,
        "returns_by_code": [
            {
                "code": line.code,
                "description": line.description,
                "count": line.count,
                "amount_cents": line.amount_cents,
                "rate_percent": str(line.rate_percent) if line.rate_percent is not None else None,
            }
            for line in report.returns_by_code
        ],
        "changes_by_code": [
            {"code": line.code, "description": line.description, "count": line.count}
            for line in report.changes_by_code
        ],
        "files": [
            {
                "id": line.draft_file.pk,
                "file_name": line.draft_file.file_name,
                "effective_date": line.draft_file.effective_date.isoformat(),
                "debit_count": line.draft_file.debit_count,
                "total_debit_cents": line.draft_file.total_debit_cents,
                "prenote_count": line.draft_file.prenote_count,
                "returned_count": line.returned_count,
                "returned_cents": line.returned_cents,
            }
            for line in report.files
        ],
    }
