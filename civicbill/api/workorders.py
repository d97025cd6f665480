"""``/api/workorders``: list, show, create from a held read (re-read), complete."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from civicbill.api.text import SingleLine
from civicbill.core import clock
from civicbill.core.exceptions import NotFoundError
from civicbill.core.permissions import require_permission
from civicbill.meters.models import ReadException
from civicbill.workorders.selectors import workorder_get, workorders_list
from civicbill.workorders.services.completion import ExchangeInput, workorder_complete
from civicbill.workorders.services.from_reads import reread_request
from civicbill.workorders.summary import workorder_summary

router = Router(tags=["work orders"])


@router.get("/", response=list[dict[str, Any]], summary="List work orders")
def list_workorders(
    request: HttpRequest,
    status: str | None = None,
    work_type: str | None = None,
    route: str | None = None,
    limit: int = Query(200, ge=1, le=1000),
) -> list[dict[str, Any]]:
    """``status=active`` means open or assigned."""
    require_permission(request.user, "workorders.view")
    orders = workorders_list(status=status, work_type=work_type, route=route)[: max(1, min(limit, 1000))]
    return [workorder_summary(order) for order in orders]


class RereadIn(Schema):
    read_exception_id: int
    due_on: dt.date | None = None


@router.post("/reread", response={201: dict[str, Any]}, summary="Send a re-read work order for a held read")
def create_reread(request: HttpRequest, payload: RereadIn) -> Status[dict[str, Any]]:
    exception = ReadException.objects.filter(pk=payload.read_exception_id).first()
    if exception is None:
        raise NotFoundError(f"No read exception {payload.read_exception_id}")
    order = reread_request(
        exception=exception, actor=request.user, due_on=payload.due_on, as_of=clock.today()
    )
    return Status(201, workorder_summary(order))


@router.get("/{number}", response=dict[str, Any], summary="Show a work order")
def show_workorder(request: HttpRequest, number: str) -> dict[str, Any]:
    require_permission(request.user, "workorders.view")
    return workorder_summary(workorder_get(number))


class WorkOrderExchangeIn(Schema):
    new_meter_serial: SingleLine = Field(max_length=40)
    old_read: Decimal = Field(..., ge=0)
    new_read: Decimal = Field(..., ge=0)


class CompleteIn(Schema):
    completed_on: dt.date
    findings: str = Field(..., min_length=1, max_length=4000)
    read_value: Decimal | None = Field(None, ge=0)
    exchange: WorkOrderExchangeIn | None = None
    notes: str = Field("", max_length=4000)


@router.post("/{number}/complete", response=dict[str, Any], summary="Complete a work order")
def complete_workorder(request: HttpRequest, number: str, payload: CompleteIn) -> dict[str, Any]:
    """A read recorded here is validated like any other; a completed re-read resolves its held read."""
    exchange = (
        ExchangeInput(payload.exchange.new_meter_serial, payload.exchange.old_read, payload.exchange.new_read)
        if payload.exchange
        else None
    )
    order = workorder_complete(
        work_order=workorder_get(number),
        completed_on=payload.completed_on,
        findings=payload.findings,
        read_value=payload.read_value,
        exchange=exchange,
        notes=payload.notes,
        as_of=clock.today(),
        actor=request.user,
    )
    return workorder_summary(order)
