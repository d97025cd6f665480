"""Writes for field work orders: create, assign, cancel, complete; a re-read for a read exception;
confirming a high read (notice letter + investigation order).

Lifecycle: open → assigned → completed / cancelled. An open order may be completed or cancelled
directly; an assigned one may be reassigned; nothing leaves completed or cancelled.

Every service is keyword-only, runs in one transaction, checks the actor's permission first (so a
refused request writes nothing), refuses bad input with an :class:`ApplicationError` naming the field,
and records an audit event. Completing an order feeds back through the meters services: a read is
recorded by the reads service (source FIELD), an exchange by the installations service, and a
completed re-read resolves its read exception.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from civicbill.core import clock
from civicbill.core.audit import audit_record, diff, snapshot
from civicbill.core.clock import business_calendar
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.permissions import has_permission, require_permission
from civicbill.correspondence.models import Letter
from civicbill.correspondence.services import letter_queue_high_usage
from civicbill.customers.models import Account, Premise
from civicbill.meters.models import Meter, ReadException, ReadSource, ServicePoint
from civicbill.meters.selectors import meter_get
from civicbill.meters.services.installations import meter_exchange
from civicbill.meters.services.read_exceptions import (
    read_exception_accept,
    read_exception_mark_reread_requested,
    read_exception_resolve_by_reread,
)
from civicbill.meters.services.reads import read_record
from civicbill.workorders import locks
from civicbill.workorders import selectors as workorder_selectors
from civicbill.workorders.models import Priority, WorkOrder, WorkOrderStatus, WorkOrderType
from civicbill.workorders.rules import completion_problems

WORK_ORDER_FIELDS = (
    "number",
    "work_type",
    "status",
    "priority",
    "premise",
    "account",
    "service_point",
    "meter",
    "read_exception",
    "due_on",
    "assigned_to",
    "findings",
    "notes",
    "completed_on",
    "completed_by",
    "read",
    "new_meter",
    "cancel_reason",
)
FINISHED = (WorkOrderStatus.COMPLETED, WorkOrderStatus.CANCELLED)
REREAD_DUE_BUSINESS_DAYS = 3
INVESTIGATION_DUE_BUSINESS_DAYS = 5
HIGH_USAGE_CODES = ("high_usage", "high", "high_consumption")
MAX_TEXT = 4000


@dataclass(frozen=True)
class ExchangeInput:
    """A meter exchange done while completing an order: the old meter's removal read and the new
    meter (by serial number, taken from stock) with its install read."""

    new_meter_serial: str
    old_read: Decimal
    new_read: Decimal


# -- checks --------------------------------------------------------------------------------------


def _text(value: Any, field: str, label: str, *, max_length: int = MAX_TEXT, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ApplicationError(f"{label} must be text, not {value!r}.", field=field)
    cleaned = value.strip()
    if required and not cleaned:
        raise ApplicationError(f"{label} is missing.", code="required", field=field)
    if len(cleaned) > max_length:
        raise ApplicationError(
            f"{label} is too long: {len(cleaned)} characters, at most {max_length}.",
            code="too_long",
            field=field,
        )
    return cleaned


def _date(value: Any, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ApplicationError(f"{label} must be a date, not {value!r}.", field=field)
    return value


def _register_value(value: Any, field: str, label: str) -> Decimal:
    if isinstance(value, float | bool) or not isinstance(value, Decimal | int | str):
        raise ApplicationError(f"{label} must be a number like 4512, not {value!r}.", field=field)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ApplicationError(f"{label} {value!r} is not a number.", field=field) from None
    if not number.is_finite() or number < 0:
        raise ApplicationError(f"{label} {value!r} must be zero or more.", field=field)
    return number


def _refuse_finished(work_order: WorkOrder, doing: str) -> None:
    if work_order.status == WorkOrderStatus.COMPLETED:
        raise ApplicationError(
            f"{work_order.number} was completed on {work_order.completed_on:%Y-%m-%d}; a completed work "
            f"order cannot be {doing}.",
            code="finished",
        )
    if work_order.status == WorkOrderStatus.CANCELLED:
        raise ApplicationError(
            f"{work_order.number} was cancelled ({work_order.cancel_reason}); a cancelled work order "
            f"cannot be {doing}.",
            code="finished",
        )


def _who(user: Any) -> str:
    return user.get_full_name() or user.username


# -- create --------------------------------------------------------------------------------------


def _check_places(
    *,
    premise: Premise,
    account: Account | None,
    service_point: ServicePoint | None,
    read_exception: ReadException | None,
) -> None:
    if account is not None and account.premise_id != premise.pk:
        raise ApplicationError(
            f"Account {account.number} is at {account.premise.address_line}, not at {premise.address_line}.",
            field="account",
        )
    if service_point is not None and service_point.premise_id != premise.pk:
        raise ApplicationError(
            f"That service point is at {service_point.premise.address_line}, not at {premise.address_line}.",
            field="service_point",
        )
    if read_exception is not None:
        point = workorder_selectors.service_point_of_read(read_exception.read)
        if point is not None and point.premise_id != premise.pk:
            raise ApplicationError(
                f"The read exception is for a meter at {point.premise.address_line}, "
                f"not at {premise.address_line}.",
                field="read_exception",
            )


def _refuse_duplicate(*, work_type: str, premise: Premise, meter: Meter | None) -> None:
    duplicate = (
        WorkOrder.objects.filter(
            work_type=work_type, premise=premise, meter=meter, status__in=workorder_selectors.OPEN_STATUSES
        )
        .order_by("number")
        .first()
    )
    if duplicate is not None:
        raise ApplicationError(
            f"{duplicate.number} ({duplicate.get_work_type_display().lower()}, due {duplicate.due_on:%Y-%m-%d}) "
            f"is already open for {premise.address_line}; complete or cancel it first.",
            code="duplicate",
            field="work_type",
        )


def _create(
    *,
    work_type: str,
    premise: Premise,
    account: Account | None,
    service_point: ServicePoint | None,
    meter: Meter | None,
    read_exception: ReadException | None,
    description: str,
    due_on: dt.date,
    priority: int,
    as_of: dt.date,
    actor: Any,
) -> WorkOrder:
    if work_type not in WorkOrderType.values:
        raise ApplicationError(
            f"Work type {work_type!r} is not one of: {', '.join(WorkOrderType.values)}.", field="work_type"
        )
    if priority not in Priority.values:
        raise ApplicationError(
            f"Priority {priority!r} is not one of: {', '.join(map(str, Priority.values))}.", field="priority"
        )
    description = _text(description, "description", "Description", required=True)
    due_on = _date(due_on, "due_on", "Due date")
    if due_on < as_of:
        raise ApplicationError(
            f"Due date {due_on:%Y-%m-%d} is in the past (today is {as_of:%Y-%m-%d}).", field="due_on"
        )
    _check_places(premise=premise, account=account, service_point=service_point, read_exception=read_exception)
    if meter is None and service_point is not None:
        meter = workorder_selectors.installed_meter(service_point)
    number = locks.allocate_number()  # the counter lock serialises creation, so the check below holds
    _refuse_duplicate(work_type=work_type, premise=premise, meter=meter)
    work_order = WorkOrder.objects.create(
        number=number,
        work_type=work_type,
        status=WorkOrderStatus.OPEN,
        priority=priority,
        premise=premise,
        account=account,
        service_point=service_point,
        meter=meter,
        read_exception=read_exception,
        description=description,
        due_on=due_on,
        created_by=actor,
        created_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action="work_order.create",
        target=work_order,
        account_number=account.number if account else "",
        summary=f"{number} {work_order.get_work_type_display()} at {premise.address_line}, due {due_on:%Y-%m-%d}",
        changes=diff({}, snapshot(work_order, WORK_ORDER_FIELDS)),
    )
    return work_order


@transaction.atomic
def workorder_create(
    *,
    work_type: str,
    premise: Premise,
    account: Account | None = None,
    service_point: ServicePoint | None = None,
    meter: Meter | None = None,
    read_exception: ReadException | None = None,
    description: str,
    due_on: dt.date,
    priority: int = Priority.NORMAL,
    as_of: dt.date | None = None,
    actor: Any,
) -> WorkOrder:
    """A new OPEN work order numbered ``WO-000001`` onwards. The meter defaults to the one installed at
    ``service_point``. Refused when the due date is before ``as_of`` (today), when the account or
    service point is at another premise, or when the same kind of order is already open for the same
    premise and meter."""
    require_permission(actor, "workorders.manage")
    return _create(
        work_type=work_type,
        premise=premise,
        account=account,
        service_point=service_point,
        meter=meter,
        read_exception=read_exception,
        description=description,
        due_on=due_on,
        priority=priority,
        as_of=clock.today() if as_of is None else as_of,
        actor=actor,
    )


# -- assign and cancel ---------------------------------------------------------------------------


@transaction.atomic
def workorder_assign(*, work_order: WorkOrder, assignee: Any, actor: Any) -> WorkOrder:
    """Give an open order to a field worker (or move an assigned one to another)."""
    require_permission(actor, "workorders.manage")
    work_order = locks.lock_work_order(work_order.pk)
    _refuse_finished(work_order, "assigned")
    if assignee is None or not getattr(assignee, "pk", None):
        raise ApplicationError("Choose who will do the work.", code="required", field="assignee")
    if not has_permission(assignee, "workorders.complete"):
        raise ApplicationError(
            f"{_who(assignee)} cannot complete work orders; assign it to field staff.", field="assignee"
        )
    if work_order.assigned_to_id == assignee.pk:
        raise ApplicationError(f"{work_order.number} is already assigned to {_who(assignee)}.", field="assignee")
    before = snapshot(work_order, WORK_ORDER_FIELDS)
    work_order.status = WorkOrderStatus.ASSIGNED
    work_order.assigned_to = assignee
    work_order.assigned_at = clock.now()
    work_order.save(update_fields=["status", "assigned_to", "assigned_at"])
    audit_record(
        actor=actor,
        action="work_order.assign",
        target=work_order,
        account_number=work_order.account.number if work_order.account else "",
        summary=f"{work_order.number} assigned to {_who(assignee)}",
        changes=diff(before, snapshot(work_order, WORK_ORDER_FIELDS)),
    )
    return work_order


@transaction.atomic
def workorder_cancel(*, work_order: WorkOrder, reason: str, actor: Any) -> WorkOrder:
    """Cancel an open or assigned order, saying why."""
    require_permission(actor, "workorders.manage")
    reason = _text(reason, "reason", "Reason", max_length=200, required=True)
    work_order = locks.lock_work_order(work_order.pk)
    _refuse_finished(work_order, "cancelled")
    before = snapshot(work_order, WORK_ORDER_FIELDS)
    work_order.status = WorkOrderStatus.CANCELLED
    work_order.cancel_reason = reason
    work_order.cancelled_at = clock.now()
    work_order.cancelled_by = actor
    work_order.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by"])
    audit_record(
        actor=actor,
        action="work_order.cancel",
        target=work_order,
        account_number=work_order.account.number if work_order.account else "",
        summary=f"{work_order.number} cancelled: {reason}",
        changes=diff(before, snapshot(work_order, WORK_ORDER_FIELDS)),
    )
    return work_order


# -- complete ------------------------------------------------------------------------------------


def _meter_for(work_order: WorkOrder) -> Meter | None:
    if work_order.meter is not None:
        return work_order.meter
    if work_order.service_point is not None:
        return workorder_selectors.installed_meter(work_order.service_point)
    return None


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
    as_of: dt.date | None = None,
    actor: Any,
) -> WorkOrder:
    """Complete an open or assigned order on ``completed_on`` with the findings, and optionally a read
    (recorded by the reads service, source FIELD) or a meter exchange (by the installations service).
    A completed re-read resolves the read exception it was sent for."""
    require_permission(actor, "workorders.complete")
    as_of = clock.today() if as_of is None else as_of
    completed_on = _date(completed_on, "completed_on", "Completion date")
    findings = _text(findings, "findings", "Findings")
    notes = _text(notes, "notes", "Notes")
    if read_value is not None:
        read_value = _register_value(read_value, "read_value", "Read")
    if exchange is not None:
        exchange = ExchangeInput(
            new_meter_serial=_text(
                exchange.new_meter_serial, "new_meter_serial", "New meter serial number", max_length=40, required=True
            ),
            old_read=_register_value(exchange.old_read, "old_read", "Old meter's removal read"),
            new_read=_register_value(exchange.new_read, "new_read", "New meter's install read"),
        )
    work_order = locks.lock_work_order(work_order.pk)
    _refuse_finished(work_order, "completed again")
    _check_completion(
        work_order, completed_on=completed_on, findings=findings, read_value=read_value, exchange=exchange, as_of=as_of
    )
    before = snapshot(work_order, WORK_ORDER_FIELDS)
    meter = _meter_for(work_order)
    if (read_value is not None or exchange is not None) and meter is None:
        raise ApplicationError(
            f"{work_order.number} has no meter (none is installed at its service point), so no read or "
            "exchange can be recorded.",
            field="read_value" if read_value is not None else "new_meter_serial",
        )
    assert meter is not None or (read_value is None and exchange is None)  # noqa: S101 (for mypy)
    if read_value is not None and meter is not None:
        outcome = read_record(
            meter_serial=meter.serial_number,
            read_on=completed_on,
            value=read_value,
            source=ReadSource.FIELD,
            actor=actor,
            as_of=as_of,
        )
        work_order.read = outcome.read
        work_order.meter = meter
        exception = work_order.read_exception
        if work_order.work_type == WorkOrderType.REREAD and exception is not None:
            read_exception_resolve_by_reread(exception=exception, reread=outcome.read, actor=actor)
    if exchange is not None and meter is not None:
        try:
            new_meter = meter_get(exchange.new_meter_serial)
        except NotFoundError as error:
            raise NotFoundError(error.message, field="new_meter_serial") from error
        meter_exchange(
            old_meter=meter,
            new_meter=new_meter,
            exchanged_on=completed_on,
            old_read=exchange.old_read,
            new_read=exchange.new_read,
            actor=actor,
        )
        work_order.meter = meter
        work_order.new_meter = new_meter
    work_order.status = WorkOrderStatus.COMPLETED
    work_order.completed_on = completed_on
    work_order.completed_by = actor
    work_order.completed_at = clock.now()
    work_order.findings = findings
    work_order.notes = notes
    work_order.save(
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
        ]
    )
    summary = f"{work_order.number} completed {completed_on:%Y-%m-%d}"
    if read_value is not None:
        summary += f", read {read_value}"
    if exchange is not None:
        summary += f", meter {meter} exchanged for {exchange.new_meter_serial}"
    audit_record(
        actor=actor,
        action="work_order.complete",
        target=work_order,
        account_number=work_order.account.number if work_order.account else "",
        summary=summary,
        changes=diff(before, snapshot(work_order, WORK_ORDER_FIELDS)),
    )
    return work_order


# -- from the read exceptions queue --------------------------------------------------------------


def _where_read_was_taken(exception: ReadException) -> tuple[ServicePoint, Premise]:
    point = workorder_selectors.service_point_of_read(exception.read)
    if point is None:
        raise ApplicationError(
            f"Meter {exception.read.meter.serial_number} was not installed at a service point when it was "
            "read, so there is no address to send someone to.",
            field="exception",
        )
    return point, point.premise


@transaction.atomic
def reread_request(
    *, exception: ReadException, actor: Any, due_on: dt.date | None = None, as_of: dt.date | None = None
) -> WorkOrder:
    """Send someone to read the meter again: a RE-READ work order for the exception's premise and
    meter, due in 3 business days unless ``due_on`` is given; the exception becomes re-read-requested."""
    require_permission(actor, "reads.review")
    require_permission(actor, "workorders.manage")
    as_of = clock.today() if as_of is None else as_of
    if exception.status != ReadException.Status.OPEN:
        raise ApplicationError(
            f"This read exception is {exception.get_status_display().lower()}; only an open one can be sent "
            "for a re-read.",
            code="not_open",
            field="exception",
        )
    point, premise = _where_read_was_taken(exception)
    read = exception.read
    if due_on is None:
        due_on = business_calendar().add_business_days(as_of, REREAD_DUE_BUSINESS_DAYS)
    read_exception_mark_reread_requested(exception=exception, actor=actor)
    return _create(
        work_type=WorkOrderType.REREAD,
        premise=premise,
        account=workorder_selectors.account_at_premise(premise, on=read.read_on),
        service_point=point,
        meter=read.meter,
        read_exception=exception,
        description=(
            f"Re-read meter {read.meter.serial_number}: the read of {read.value.normalize():f} on "
            f"{read.read_on:%Y-%m-%d} was flagged ({exception.message})."
        ),
        due_on=due_on,
        priority=Priority.HIGH,
        as_of=as_of,
        actor=actor,
    )


@transaction.atomic
def high_usage_confirm(
    *, exception: ReadException, actor: Any, usual_daily_hcf: Decimal | None = None, as_of: dt.date | None = None
) -> tuple[Letter, WorkOrder]:
    """A high read is real: accept it, queue a high water use notice to the customer (in their
    language) and open an investigation (possible leak or broken meter) due in 5 business days."""
    require_permission(actor, "reads.review")
    require_permission(actor, "workorders.manage")
    as_of = clock.today() if as_of is None else as_of
    if exception.code not in HIGH_USAGE_CODES:
        raise ApplicationError(
            f"This read exception is {exception.code!r}, not a high read; only a high read gets a high-usage "
            "notice.",
            code="not_high_usage",
            field="exception",
        )
    if exception.status not in (ReadException.Status.OPEN, ReadException.Status.REREAD_REQUESTED):
        raise ApplicationError(
            f"This read exception is already {exception.get_status_display().lower()}.",
            code="not_open",
            field="exception",
        )
    point, premise = _where_read_was_taken(exception)
    read = exception.read
    account = workorder_selectors.account_at_premise(premise, on=read.read_on)
    if account is None:
        raise ApplicationError(
            f"No account is served at {premise.address_line} on {read.read_on:%Y-%m-%d}; there is nobody to "
            "send the notice to.",
            field="exception",
        )
    read_exception_accept(exception=exception, actor=actor)
    read.refresh_from_db()
    if usual_daily_hcf is None:
        usual_daily_hcf = workorder_selectors.usual_daily_hcf(read)
    work_order = _create(
        work_type=WorkOrderType.HIGH_CONSUMPTION,
        premise=premise,
        account=account,
        service_point=point,
        meter=read.meter,
        read_exception=exception,
        description=(
            f"Investigate high consumption: meter {read.meter.serial_number} read {read.value.normalize():f} on "
            f"{read.read_on:%Y-%m-%d} ({exception.message}). Check for a leak (leak indicator, irrigation, "
            "toilets, cooler float) and whether the meter registers correctly."
        ),
        due_on=business_calendar().add_business_days(as_of, INVESTIGATION_DUE_BUSINESS_DAYS),
        priority=Priority.HIGH,
        as_of=as_of,
        actor=actor,
    )
    letter = letter_queue_high_usage(
        account=account,
        read=read,
        usual_daily_hcf=usual_daily_hcf,
        actor=actor,
        work_order_number=work_order.number,
        visit_by=work_order.due_on,
        as_of=as_of,
    )
    return letter, work_order
