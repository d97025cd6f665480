"""``/api/collections``: closed accounts with an unpaid final bill, balance transfers, write-off batches,
recoveries and the SB 998 shutoff report (docs/api.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from civicbill.api.text import SingleLine
from civicbill.collections import writeoff_selectors as selectors
from civicbill.collections import writeoffs as services
from civicbill.collections.commands.writeoffs import batch_payload, closed_payload
from civicbill.collections.shutoff_report import shutoff_report
from civicbill.core import clock
from civicbill.core.exceptions import NotFoundError
from civicbill.core.permissions import require_permission
from civicbill.customers import selectors as customer_selectors

router = Router(tags=["collections: write-offs"])


@router.get("/closed-unpaid", response=dict[str, Any], summary="Closed accounts whose final bill is unpaid")
def closed_unpaid(request: HttpRequest, as_of: dt.date | None = None) -> dict[str, Any]:
    require_permission(request.user, "collections.view")
    day = as_of or clock.today()
    return {
        "as_of": day.isoformat(),
        "accounts": [closed_payload(r, day) for r in selectors.closed_unpaid(day)],
    }


class BalanceTransferIn(Schema):
    to_account: SingleLine = Field(..., min_length=1, max_length=20)
    reason: SingleLine = Field(..., min_length=1, max_length=200)


@router.post("/closed-unpaid/{number}/transfer", response={201: dict[str, Any]}, summary="Transfer a balance")
def transfer(request: HttpRequest, number: str, payload: BalanceTransferIn) -> Status[dict[str, Any]]:
    require_permission(request.user, "collections.writeoff")
    done = services.balance_transfer(
        from_account=customer_selectors.account_get(number), to_account_number=payload.to_account,
        reason=payload.reason, as_of=clock.now(), actor=request.user,
    )  # fmt: skip
    return Status(
        201,
        {
            "from_account": done.from_account.number,
            "to_account": done.to_account.number,
            "amounts_cents": done.amounts,
            "total_cents": done.total_cents,
            "business_date": done.business_date.isoformat(),
        },
    )


@router.get("/writeoffs", response=list[dict[str, Any]], summary="Write-off batches")
def batches(request: HttpRequest, status: str | None = None) -> list[dict[str, Any]]:
    require_permission(request.user, "collections.view")
    return [batch_payload(batch) for batch in selectors.writeoff_batches(status=status)]


def _batch(batch_id: int) -> Any:
    batch = selectors.writeoff_batch_get(batch_id)
    if batch is None:
        raise NotFoundError(f"There is no write-off batch {batch_id}", field="batch")
    return batch


@router.get("/writeoffs/{batch_id}", response=dict[str, Any], summary="A write-off batch")
def batch(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    require_permission(request.user, "collections.view")
    return batch_payload(_batch(batch_id))


class WriteOffProposeIn(Schema):
    as_of: dt.date | None = None
    accounts: list[SingleLine] | None = None
    note: SingleLine = Field("", max_length=200)


@router.post("/writeoffs", response={201: dict[str, Any]}, summary="Propose a write-off batch")
def propose(request: HttpRequest, payload: WriteOffProposeIn) -> Status[dict[str, Any]]:
    now = clock.now()
    proposed = services.writeoff_propose(
        as_of=payload.as_of or clock.business_date(now), actor=request.user, at=now, note=payload.note,
        account_numbers=payload.accounts,
    )  # fmt: skip
    return Status(201, batch_payload(proposed))


class WriteOffDecisionIn(Schema):
    note: SingleLine = Field("", max_length=200)


@router.post("/writeoffs/{batch_id}/approve", response=dict[str, Any], summary="Approve and post a batch")
def approve(request: HttpRequest, batch_id: int, payload: WriteOffDecisionIn) -> dict[str, Any]:
    done = services.writeoff_approve(batch_id=batch_id, actor=request.user, at=clock.now(), note=payload.note)
    return batch_payload(done)


@router.post("/writeoffs/{batch_id}/reject", response=dict[str, Any], summary="Reject a proposed batch")
def reject(request: HttpRequest, batch_id: int, payload: WriteOffDecisionIn) -> dict[str, Any]:
    done = services.writeoff_reject(batch_id=batch_id, actor=request.user, at=clock.now(), note=payload.note)
    return batch_payload(done)


@router.get("/recoveries", response=list[dict[str, Any]], summary="Recoveries on written-off accounts")
def recoveries(
    request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None
) -> list[dict[str, Any]]:
    require_permission(request.user, "collections.view")
    return [
        {"account": r.account.number, "business_date": r.business_date.isoformat(),
         "amount_cents": r.amount_cents, "amounts_cents": r.amounts}
        for r in selectors.recoveries(start=start, end=end)
    ]  # fmt: skip


@router.get("/shutoff-report/{year}", response=dict[str, Any], summary="SB 998 annual shutoff report")
def annual_shutoffs(request: HttpRequest, year: int) -> dict[str, Any]:
    require_permission(request.user, "collections.view")
    report = shutoff_report(year)
    return {
        "year": report.year,
        "total": report.total,
        "by_month": list(report.by_month),
        "shutoffs": [
            {
                "work_order": s.work_order,
                "completed_on": s.completed_on.isoformat(),
                "account": s.account_number,
            }
            for s in report.shutoffs
        ],
    }
