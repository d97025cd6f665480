"""``/api/collections``: shutoff eligibility, the shutoff list, scheduling, field results, reconnection."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from civicbill.api.text import SingleLine
from civicbill.collections.eligibility_selectors import (
    account_eligibility,
    decision_payload,
    shutoff_list_rows,
)
from civicbill.collections.models import Shutoff
from civicbill.collections.shutoff_services import reconnect_order, shutoff_result_record, shutoff_schedule
from civicbill.core import clock
from civicbill.core.exceptions import NotFoundError
from civicbill.core.permissions import require_permission

router = Router(tags=["collections"])


@router.get("/eligibility/{number}", response=dict[str, Any], summary="May an account be shut off on a date")
def eligibility(request: HttpRequest, number: str, date: dt.date | None = None) -> dict[str, Any]:
    """``{"account", "date", "eligible", "reasons": [{"rule", "message"}], "earliest_date"}``; ``date``
    defaults to today."""
    require_permission(request.user, "collections.view")
    day = date or clock.today()
    account, _, decision = account_eligibility(number, day)
    payload = decision_payload(account.number, day, decision)
    payload["proof"] = [reason.as_dict() for reason in decision.proof]
    return payload


@router.get("/shutoff-list", response=dict[str, Any], summary="Accounts that may be disconnected on a date")
def shutoff_list(request: HttpRequest, date: dt.date | None = None) -> dict[str, Any]:
    require_permission(request.user, "collections.view")
    day = date or clock.today()
    return {"date": day.isoformat(), "accounts": shutoff_list_rows(day)}


class ScheduleIn(Schema):
    accounts: list[SingleLine] = Field(..., min_length=1, max_length=1000)
    date: dt.date


@router.post("/shutoffs", response={201: dict[str, Any]}, summary="Schedule shutoffs for nonpayment")
def schedule(request: HttpRequest, payload: ScheduleIn) -> Status[dict[str, Any]]:
    """A DISCONNECT work order for each account eligible on ``date``; the others are listed as refused
    with the rules that block them."""
    require_permission(request.user, "collections.shutoff")
    outcome = shutoff_schedule(
        account_numbers=list(payload.accounts),
        on=payload.date,
        actor=request.user,
        at=clock.now(),
        as_of=clock.today(),
    )
    return Status(
        201,
        {
            "scheduled": [
                {
                    "account": s.account.number,
                    "work_order": s.work_order.number,
                    "past_due_cents": s.past_due_cents,
                }
                for s in outcome.scheduled
            ],
            "refused": {
                number: [r.as_dict() for r in reasons] for number, reasons in outcome.refused.items()
            },
        },
    )


class ResultIn(Schema):
    result: str = Field(..., description="disconnected, could_not_access, paid_in_field or not_home")
    date: dt.date | None = None
    note: SingleLine = Field("", max_length=300)


@router.post(
    "/shutoffs/{work_order}/result", response=dict[str, Any], summary="Record a shutoff's field result"
)
def result(request: HttpRequest, work_order: str, payload: ResultIn) -> dict[str, Any]:
    require_permission(request.user, "collections.shutoff")
    shutoff = Shutoff.objects.filter(work_order__number=work_order).first()
    if shutoff is None:
        raise NotFoundError(f"{work_order} is not a scheduled shutoff's work order", field="work_order")
    today = clock.today()
    shutoff = shutoff_result_record(
        shutoff_id=shutoff.pk,
        result=payload.result,
        on=payload.date or today,
        note=payload.note,
        actor=request.user,
        at=clock.now(),
        as_of=today,
    )
    return {"work_order": work_order, "result": shutoff.result, "date": str(shutoff.result_on)}


class ReconnectIn(Schema):
    account: SingleLine
    after_hours: bool = False
    date: dt.date | None = None


@router.post("/reconnections", response={201: dict[str, Any]}, summary="Order a reconnection")
def reconnect(request: HttpRequest, payload: ReconnectIn) -> Status[dict[str, Any]]:
    require_permission(request.user, "collections.shutoff")
    today = clock.today()
    reconnection = reconnect_order(
        account_number=payload.account,
        on=payload.date or today,
        after_hours=payload.after_hours,
        actor=request.user,
        at=clock.now(),
        as_of=today,
    )
    return Status(
        201,
        {
            "account": reconnection.account.number,
            "work_order": reconnection.work_order.number,
            "fee_cents": reconnection.fee_cents,
            "deposit_cents": reconnection.deposit_cents,
            "reason": reconnection.reason,
        },
    )
