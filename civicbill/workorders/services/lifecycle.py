"""Work orders: create (numbered WO-000001 onwards), assign, cancel; the checks they share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record, diff, snapshot
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import has_permission, require_permission
from civicbill.customers.models import Account, Premise
from civicbill.meters.models import Meter, ReadException, ServicePoint
from civicbill.workorders import locks
from civicbill.workorders import selectors as workorder_selectors
from civicbill.workorders.models import Priority, WorkOrder, WorkOrderStatus, WorkOrderType

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
MAX_TEXT = 4000


# -- checks --------------------------------------------------------------------------------------


def clean_text(
    value: Any, field: str, label: str, *, max_length: int = MAX_TEXT, required: bool = False
) -> str:
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


def clean_date(value: Any, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ApplicationError(f"{label} must be a date, not {value!r}.", field=field)
    return value


def clean_register_value(value: Any, field: str, label: str) -> Decimal:
    if isinstance(value, float | bool) or not isinstance(value, Decimal | int | str):
        raise ApplicationError(f"{label} must be a number like 4512, not {value!r}.", field=field)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ApplicationError(f"{label} {value!r} is not a number.", field=field) from None
    if not number.is_finite() or number < 0:
        raise ApplicationError(f"{label} {value!r} must be zero or more.", field=field)
    return number


def refuse_finished(work_order: WorkOrder, doing: str) -> None:
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


def who(user: Any) -> str:
    return user.get_full_name() or user.username


# -- create --------------------------------------------------------------------------------------


def save_audited_trusted(
    work_order: WorkOrder,
    before: dict[str, Any],
    *,
    update_fields: list[str],
    action: str,
    at: dt.datetime,
    summary: str,
    actor: Actor,
) -> WorkOrder:
    """Save the changed ``update_fields`` of ``work_order`` and record the audit event ``action``
    with what changed since ``before`` (a snapshot of its fields)."""
    work_order.save(update_fields=update_fields)
    audit_record(
        actor=actor,
        action=action,
        target=work_order,
        at=at,
        account_number=work_order.account.number if work_order.account else "",
        summary=summary,
        changes=diff(before, snapshot(work_order, WORK_ORDER_FIELDS)),
    )
    return work_order


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
    duplicate = workorder_selectors.open_work_order(work_type=work_type, premise=premise, meter=meter)
    if duplicate is not None:
        raise ApplicationError(
            f"{duplicate.number} ({duplicate.get_work_type_display().lower()}, "
            f"due {duplicate.due_on:%Y-%m-%d}) is already open for {premise.address_line}; "
            "complete or cancel it first.",
            code="duplicate",
            field="work_type",
        )


def create_order_trusted(
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
    actor: Actor,
) -> WorkOrder:
    if work_type not in WorkOrderType.values:
        raise ApplicationError(
            f"Work type {work_type!r} is not one of: {', '.join(WorkOrderType.values)}.", field="work_type"
        )
    if priority not in Priority.values:
        raise ApplicationError(
            f"Priority {priority!r} is not one of: {', '.join(map(str, Priority.values))}.", field="priority"
        )
    description = clean_text(description, "description", "Description", required=True)
    due_on = clean_date(due_on, "due_on", "Due date")
    if due_on < as_of:
        raise ApplicationError(
            f"Due date {due_on:%Y-%m-%d} is in the past (today is {as_of:%Y-%m-%d}).", field="due_on"
        )
    _check_places(
        premise=premise, account=account, service_point=service_point, read_exception=read_exception
    )
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
        created_by=acting_user(actor),
        created_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action="work_order.create",
        target=work_order,
        at=work_order.created_at,
        account_number=account.number if account else "",
        summary=(
            f"{number} {work_order.get_work_type_display()} at {premise.address_line}, due {due_on:%Y-%m-%d}"
        ),
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
    as_of: dt.date,
    actor: Actor,
) -> WorkOrder:
    """A new OPEN work order numbered ``WO-000001`` onwards. The meter defaults to the one installed at
    ``service_point``. Refused when the due date is before ``as_of`` (today), when the account or
    service point is at another premise, or when the same kind of order is already open for the same
    premise and meter."""
    require_permission(actor, "workorders.manage")
    return create_order_trusted(
        work_type=work_type,
        premise=premise,
        account=account,
        service_point=service_point,
        meter=meter,
        read_exception=read_exception,
        description=description,
        due_on=due_on,
        priority=priority,
        as_of=as_of,
        actor=actor,
    )


# -- assign and cancel ---------------------------------------------------------------------------


@transaction.atomic
def workorder_assign(*, work_order: WorkOrder, assignee: Any, actor: Actor) -> WorkOrder:
    """Give an open order to a field worker (or move an assigned one to another)."""
    require_permission(actor, "workorders.manage")
    work_order = locks.lock_work_order(work_order.pk)
    refuse_finished(work_order, "assigned")
    if assignee is None or not getattr(assignee, "pk", None):
        raise ApplicationError("Choose who will do the work.", code="required", field="assignee")
    if not has_permission(assignee, "workorders.complete"):
        raise ApplicationError(
            f"{who(assignee)} cannot complete work orders; assign it to field staff.", field="assignee"
        )
    if work_order.assigned_to_id == assignee.pk:
        raise ApplicationError(
            f"{work_order.number} is already assigned to {who(assignee)}.", field="assignee"
        )
    before = snapshot(work_order, WORK_ORDER_FIELDS)
    work_order.status = WorkOrderStatus.ASSIGNED
    work_order.assigned_to = assignee
    work_order.assigned_at = clock.now()
    return save_audited_trusted(
        work_order,
        before,
        update_fields=["status", "assigned_to", "assigned_at"],
        action="work_order.assign",
        at=work_order.assigned_at,
        summary=f"{work_order.number} assigned to {who(assignee)}",
        actor=actor,
    )


@transaction.atomic
def workorder_cancel(*, work_order: WorkOrder, reason: str, actor: Actor) -> WorkOrder:
    """Cancel an open or assigned order, saying why."""
    require_permission(actor, "workorders.manage")
    reason = clean_text(reason, "reason", "Reason", max_length=200, required=True)
    return cancel_locked_trusted(locks.lock_work_order(work_order.pk), reason=reason, actor=actor)


def cancel_locked_trusted(work_order: WorkOrder, *, reason: str, actor: Actor) -> WorkOrder:
    """Cancel a work order the caller has locked (and checked the actor may cancel)."""
    refuse_finished(work_order, "cancelled")
    before = snapshot(work_order, WORK_ORDER_FIELDS)
    work_order.status = WorkOrderStatus.CANCELLED
    work_order.cancel_reason = reason
    work_order.cancelled_at = clock.now()
    work_order.cancelled_by = acting_user(actor)
    return save_audited_trusted(
        work_order,
        before,
        update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by"],
        action="work_order.cancel",
        at=work_order.cancelled_at,
        summary=f"{work_order.number} cancelled: {reason}",
        actor=actor,
    )
