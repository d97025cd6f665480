"""``/api/bill-runs`` and ``/api/bills``: start a trial run (a background task), follow its progress,
review and resolve its exceptions, commit it; show a bill, its PDF, and cancel/rebill it."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from civicbill.billing import selectors as billing_selectors
from civicbill.billing import tasks as billing_tasks
from civicbill.billing.documents.files import bill_pdf as bill_pdf_bytes
from civicbill.billing.models import Bill, BillException, BillRun
from civicbill.billing.services import bill_cancel_rebill, bill_exception_resolve
from civicbill.billing.unbilled import unbilled_accounts
from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.models import TaskProgress
from civicbill.core.permissions import require_permission

runs_router = Router(tags=["billing runs"])
bills_router = Router(tags=["bills"])
billing_router = Router(tags=["billing runs"])


def _month(text: str) -> dt.date:
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        raise ApplicationError(
            f"period {text!r} is not a billing month: write it as YYYY-MM, like 2026-11", field="period"
        ) from None


def _run(run_id: int) -> BillRun:
    run = billing_selectors.bill_run_get(run_id)
    if run is None:
        raise NotFoundError(f"No billing run {run_id}")
    return run


def _progress(run: BillRun) -> dict[str, Any] | None:
    progress = TaskProgress.objects.filter(key=run.task_id).first() if run.task_id else None
    if progress is None:
        return None
    return {
        "task_id": progress.key,
        "status": progress.status,
        "done": progress.done,
        "total": progress.total,
        "exceptions": progress.exceptions,
        "percent": progress.percent,
        "message": progress.message,
    }


def run_row(run: BillRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "cycle": run.cycle.number,
        "period": run.period.strftime("%Y-%m"),
        "period_start": run.period_start.isoformat(),
        "period_end": run.period_end.isoformat(),
        "bill_date": run.bill_date.isoformat(),
        "due_date": run.due_date.isoformat(),
        "status": run.status,
        "accounts": run.accounts_count,
        "bills": run.bills_count,
        "skipped": run.skipped_count,
        "total_billed_cents": run.total_billed_cents,
        "task_id": run.task_id or None,
    }


def exception_row(exception: BillException) -> dict[str, Any]:
    return {
        "id": exception.pk,
        "code": exception.code,
        "blocking": exception.blocking,
        "message": exception.message,
        "account_number": exception.account.number,
        "bill_number": exception.bill.number if exception.bill is not None else None,
        "resolution": exception.resolution,
        "resolution_note": exception.resolution_note,
    }


class RunStartIn(Schema):
    cycle: str = Field("all", description='a cycle number, or "all"', max_length=8)
    period: str = Field(..., description="the billing month, YYYY-MM", max_length=7)


@runs_router.post("/", response={202: dict[str, Any]}, summary="Start a trial run (background task)")
def start_run(request: HttpRequest, payload: RunStartIn) -> Status[dict[str, Any]]:
    """Starts a trial run for one cycle (or every cycle) and month; nothing is posted until commit.
    Follow it with ``GET /api/bill-runs/{id}``."""
    require_permission(request.user, "billing.run")
    cycle = payload.cycle.strip().lower()
    if cycle != "all" and not cycle.isdigit():
        raise ApplicationError(f'cycle {payload.cycle!r} is not a cycle number or "all"', field="cycle")
    started = billing_tasks.bill_run_trial_enqueue(
        cycle=cycle, period=_month(payload.period), actor=request.user, as_of=clock.today()
    )
    runs = started if isinstance(started, list | tuple) else [started]
    rows = [run_row(run) for run in runs]
    first = rows[0] if rows else {}
    return Status(202, {"run_id": first.get("id"), "task_id": first.get("task_id"), "runs": rows})


@runs_router.get("/", response=list[dict[str, Any]], summary="Billing runs, newest month first")
def list_runs(
    request: HttpRequest, status: str | None = None, limit: int = Query(100, ge=1, le=1000)
) -> list[dict[str, Any]]:
    require_permission(request.user, "billing.run")
    runs = BillRun.objects.select_related("cycle")
    if status:
        runs = runs.filter(status=status)
    return [run_row(run) for run in runs[: max(1, min(limit, 1000))]]


@runs_router.get("/{run_id}", response=dict[str, Any], summary="A run: status, progress, counts, exceptions")
def show_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    require_permission(request.user, "billing.run")
    run = _run(run_id)
    return {
        **run_row(run),
        "progress": _progress(run),
        "exceptions_by_code": billing_selectors.bill_run_exception_counts(run=run),
        "open_blocking_exceptions": BillException.objects.filter(
            run=run, blocking=True, resolution=BillException.Resolution.OPEN
        ).count(),
    }


@runs_router.get("/{run_id}/exceptions", response=list[dict[str, Any]], summary="A run's exceptions")
def list_run_exceptions(
    request: HttpRequest,
    run_id: int,
    code: str | None = None,
    resolution: str | None = None,
    limit: int = Query(200, ge=1, le=5000),
) -> list[dict[str, Any]]:
    require_permission(request.user, "billing.run")
    run = _run(run_id)
    rows = BillException.objects.filter(run=run).select_related("account", "bill")
    if code:
        rows = rows.filter(code=code)
    if resolution:
        rows = rows.filter(resolution=resolution)
    return [
        exception_row(row) for row in rows.order_by("code", "account__number")[: max(1, min(limit, 5000))]
    ]


@runs_router.post("/{run_id}/commit", response={202: dict[str, Any]}, summary="Commit a reviewed trial run")
def commit_run(request: HttpRequest, run_id: int) -> Status[dict[str, Any]]:
    """Issues the drafted bills without a blocking exception and posts them (background task)."""
    require_permission(request.user, "billing.commit")
    run = _run(run_id)
    billing_tasks.bill_run_commit_enqueue(run=run, actor=request.user, as_of=clock.today())
    run.refresh_from_db()
    return Status(202, run_row(run))


@billing_router.get("/unbilled", response=dict[str, Any], summary="Accounts left unbilled, with the reason")
def list_unbilled(
    request: HttpRequest, as_of: dt.date | None = None, cycle: int | None = Query(None, ge=1)
) -> dict[str, Any]:
    """Every billed account without an issued bill for a period its cycle billed (a committed run
    of the last 12 months) or skipped: the reason (``held``, ``missing_read``, ``high_bill``,
    ``negative_bill``, ``no_schedule``, ``rating_error``, ``no_bill``, ``no_run``), the first unbilled
    month, the held draft, and each unbilled period. ``as_of`` defaults to today."""
    require_permission(request.user, "billing.run")
    return unbilled_accounts(as_of=as_of or clock.today(), cycle_number=cycle).as_dict()


class BillExceptionResolveIn(Schema):
    resolution: Literal["released", "held"]
    note: str = Field("", max_length=300)


@runs_router.post(
    "/{run_id}/exceptions/{exception_id}/resolve", response=dict[str, Any], summary="Release or hold"
)
def resolve_exception(
    request: HttpRequest, run_id: int, exception_id: int, payload: BillExceptionResolveIn
) -> dict[str, Any]:
    require_permission(request.user, "billing.run")
    _run(run_id)
    exception = (
        BillException.objects.select_related("account", "bill").filter(pk=exception_id, run_id=run_id).first()
    )
    if exception is None:
        raise NotFoundError(f"No exception {exception_id} in billing run {run_id}")
    bill_exception_resolve(
        exception=exception,
        resolution=payload.resolution,
        note=payload.note,
        actor=request.user,
        at=clock.now(),
    )
    exception.refresh_from_db()
    return exception_row(exception)


def _bill(number: str) -> Bill:
    bill = billing_selectors.bill_get(number)
    if bill is None:
        raise NotFoundError(f"No bill {number}", field="number")
    return bill


@bills_router.get("/{number}", response=dict[str, Any], summary="A bill with its lines")
def show_bill(request: HttpRequest, number: str) -> dict[str, Any]:
    require_permission(request.user, "bills.view")
    return billing_selectors.bill_detail(_bill(number))


@bills_router.get("/{number}/pdf", summary="The bill as the customer gets it (PDF)")
def bill_pdf(request: HttpRequest, number: str) -> HttpResponse:
    require_permission(request.user, "bills.view")
    bill = _bill(number)
    response = HttpResponse(bill_pdf_bytes(bill_number=bill.number), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bill-{bill.number}.pdf"'
    return response


class CancelRebillIn(Schema):
    reason: str = Field(..., max_length=200)


@bills_router.post("/{number}/cancel-rebill", response={201: dict[str, Any]}, summary="Cancel and rebill")
def cancel_rebill(request: HttpRequest, number: str, payload: CancelRebillIn) -> Status[dict[str, Any]]:
    """Cancels an issued bill with a reversing entry and issues a corrected bill; both are returned."""
    require_permission(request.user, "billing.cancel_rebill")
    bill = _bill(number)
    if not payload.reason.strip():
        raise ApplicationError("Give the reason for cancelling this bill.", field="reason")
    outcome = bill_cancel_rebill(
        bill_number=bill.number, reason=payload.reason.strip(), actor=request.user, as_of=clock.today()
    )
    return Status(
        201,
        {
            "cancelled": billing_selectors.bill_detail(_bill(outcome.cancelled.number)),
            "rebill": billing_selectors.bill_detail(_bill(outcome.rebill.number)),
        },
    )
