"""Completing a work order: findings, and a read or a meter exchange through the meters services;
a completed re-read resolves its read exception."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import snapshot
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.permissions import require_permission
from civicbill.meters.models import Meter, ReadException, ReadSource
from civicbill.meters.selectors import meter_get
from civicbill.meters.services.installations import meter_exchange
from civicbill.meters.services.read_exceptions import read_exception_resolve_by_reread
from civicbill.meters.services.reads import read_record
from civicbill.workorders import locks
from civicbill.workorders import selectors as workorder_selectors
from civicbill.workorders.models import WorkOrder, WorkOrderStatus, WorkOrderType
from civicbill.workorders.rules import completion_problems
from civicbill.workorders.services.lifecycle import (
    WORK_ORDER_FIELDS,
    clean_date,
    clean_register_value,
    clean_text,
    refuse_finished,
    save_audited_trusted,
)


@dataclass(frozen=True)
class ExchangeInput:
    """A meter exchange done while completing an order: the old meter's removal read and the new
    meter (by serial number, taken from stock) with its install read."""

    new_meter_serial: str
    old_read: Decimal
    new_read: Decimal


# -- complete ------------------------------------------------------------------------------------


def _meter_for(work_order: WorkOrder) -> Meter | None:
    if work_order.meter is not None:
        return work_order.meter
    if work_order.service_point is not None:
        return workorder_selectors.installed_meter(work_order.service_point)
    return None


def _meter_or_refuse(work_order: WorkOrder, field: str) -> Meter:
    meter = _meter_for(work_order)
    if meter is None:
        raise ApplicationError(
            f"{work_order.number} has no meter (none is installed at its service point), so no read or "
            "exchange can be recorded.",
            field=field,
        )
    return meter


def _record_read(
    work_order: WorkOrder, *, read_value: Decimal, read_on: dt.date, as_of: dt.date, actor: Actor
) -> None:
    """Enter the field read through the reads service; a re-read resolves its exception (unless staff
    already decided it some other way meanwhile, in which case the read simply stands)."""
    meter = _meter_or_refuse(work_order, "read_value")
    outcome = read_record(
        meter_serial=meter.serial_number,
        read_on=read_on,
        value=read_value,
        source=ReadSource.FIELD,
        actor=actor,
        as_of=as_of,
    )
    work_order.read = outcome.read
    work_order.meter = meter
    exception = work_order.read_exception
    if (
        work_order.work_type == WorkOrderType.REREAD
        and exception is not None
        and exception.status in (ReadException.Status.OPEN, ReadException.Status.REREAD_REQUESTED)
    ):
        read_exception_resolve_by_reread(exception=exception, reread=outcome.read, actor=actor)


def _exchange_meter(
    work_order: WorkOrder, *, exchange: ExchangeInput, exchanged_on: dt.date, actor: Actor
) -> None:
    meter = _meter_or_refuse(work_order, "new_meter_serial")
    try:
        new_meter = meter_get(exchange.new_meter_serial)
    except NotFoundError as error:
        raise NotFoundError(error.message, field="new_meter_serial") from error
    meter_exchange(
        old_meter=meter,
        new_meter=new_meter,
        exchanged_on=exchanged_on,
        old_read=exchange.old_read,
        new_read=exchange.new_read,
        actor=actor,
    )
    work_order.meter = meter
    work_order.new_meter = new_meter


def _check_completion(
    work_order: WorkOrder,
    *,
    completed_on: dt.date,
    findings: str,
    read_value: Decimal | None,
    exchange: ExchangeInput | None,
    as_of: dt.date,
) -> None:
    problems = completion_problems(
        number=work_order.number,
        work_type=work_order.work_type,
        created_on=clock.business_date(work_order.created_at),
        completed_on=completed_on,
        as_of=as_of,
        findings=findings,
        has_read=read_value is not None,
        has_exchange=exchange is not None,
    )
    if problems:
        first = problems[0]
        raise ApplicationError(first.message, code=first.code, field=first.field)


@transaction.atomic
def workorder_complete(
    *,
    work_order: WorkOrder,
    completed_on: dt.date,
    findings: str,
    read_value: Decimal | None = None,
    exchange: ExchangeInput | None = None,
    notes: str = "",
    as_of: dt.date,
    actor: Actor,
) -> WorkOrder:
    """Complete an open or assigned order on ``completed_on`` with the findings, and optionally a read
    (recorded by the reads service, source FIELD) or a meter exchange (by the installations service).
    A completed re-read resolves the read exception it was sent for."""
    require_permission(actor, "workorders.complete")
    completed_on = clean_date(completed_on, "completed_on", "Completion date")
    findings = clean_text(findings, "findings", "Findings")
    notes = clean_text(notes, "notes", "Notes")
    if read_value is not None:
        read_value = clean_register_value(read_value, "read_value", "Read")
    if exchange is not None:
        exchange = ExchangeInput(
            new_meter_serial=clean_text(
                exchange.new_meter_serial,
                "new_meter_serial",
                "New meter serial number",
                max_length=40,
                required=True,
            ),
            old_read=clean_register_value(exchange.old_read, "old_read", "Old meter's removal read"),
            new_read=clean_register_value(exchange.new_read, "new_read", "New meter's install read"),
        )
    work_order = locks.lock_work_order(work_order.pk)
    refuse_finished(work_order, "completed again")
    _check_completion(
        work_order,
        completed_on=completed_on,
        findings=findings,
        read_value=read_value,
        exchange=exchange,
        as_of=as_of,
    )
    before = snapshot(work_order, WORK_ORDER_FIELDS)
    if read_value is not None:
        _record_read(work_order, read_value=read_value, read_on=completed_on, as_of=as_of, actor=actor)
    if exchange is not None:
        _exchange_meter(work_order, exchange=exchange, exchanged_on=completed_on, actor=actor)
    work_order.status = WorkOrderStatus.COMPLETED
    work_order.completed_on = completed_on
    work_order.completed_by = acting_user(actor)
    work_order.completed_at = clock.now()
    work_order.findings = findings
    work_order.notes = notes
    summary = f"{work_order.number} completed {completed_on:%Y-%m-%d}"
    if read_value is not None:
        summary += f", read {read_value}"
    if exchange is not None:
        summary += f", meter {work_order.meter} exchanged for {exchange.new_meter_serial}"
    return save_audited_trusted(
        work_order,
        before,
        update_fields=[
            "status",
            "completed_on",
            "completed_by",
            "completed_at",
            "findings",
            "notes",
            "read",
            "meter",
            "new_meter",
        ],
        action="work_order.complete",
        at=work_order.completed_at,
        summary=summary,
        actor=actor,
    )
