"""Reads for work orders: the filtered list, one order, the daily field sheet, who can be assigned.

Set-based: each function is a fixed number of queries whatever the number of orders (premise,
account, customer, service point and meter come with the order by joins; the last reads of the
sheet's meters come in one query).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from civicbill.core.exceptions import NotFoundError
from civicbill.core.permissions import ADMIN, PERMISSIONS
from civicbill.customers import selectors as customer_selectors
from civicbill.customers.models import Account, Premise
from civicbill.meters.estimation import DailyUse, UsagePeriod, expected_daily_use
from civicbill.meters.models import Meter, MeterInstallation, Read, ReadStatus, ServicePoint
from civicbill.workorders.models import WorkOrder, WorkOrderStatus

OPEN_STATUSES = (WorkOrderStatus.OPEN, WorkOrderStatus.ASSIGNED)


def _work_orders() -> QuerySet[WorkOrder]:
    return WorkOrder.objects.select_related(
        "premise",
        "account__customer",
        "service_point",
        "meter",
        "new_meter",
        "assigned_to",
        "read_exception__read",
        "read",
        "created_by",
        "completed_by",
        "cancelled_by",
    )


def workorder_get(number: str) -> WorkOrder:
    """One work order by number (``WO-000012``; ``12`` and lower case are accepted)."""
    cleaned = number.strip().upper()
    if cleaned.isdigit():
        cleaned = f"WO-{int(cleaned):06d}"
    work_order = _work_orders().filter(number=cleaned).first()
    if work_order is None:
        raise NotFoundError(f"There is no work order {number.strip()!r}.", field="number")
    return work_order


def open_work_order(*, work_type: str, premise: Premise, meter: Meter | None) -> WorkOrder | None:
    """The open or assigned order of this type for this premise and meter, if any."""
    return (
        WorkOrder.objects.filter(work_type=work_type, premise=premise, meter=meter, status__in=OPEN_STATUSES)
        .order_by("number")
        .first()
    )


def route_q(route: str) -> Q:
    """Orders on a read route: the service point's route, else the premise's."""
    return Q(service_point__read_route=route) | Q(service_point__isnull=True, premise__read_route=route)


def workorders_list(
    *,
    work_type: str | None = None,
    status: str | None = None,
    route: str | None = None,
    assignee: Any = None,
    due_before: dt.date | None = None,
    account: Account | None = None,
    premise: Premise | None = None,
) -> QuerySet[WorkOrder]:
    """Work orders with their premise, account (and customer), service point, meter and assignee,
    by due date, highest priority first. ``status="active"`` means open or assigned; ``due_before``
    is exclusive; ``assignee`` is a user (or ``"unassigned"``)."""
    orders = _work_orders()
    if work_type:
        orders = orders.filter(work_type=work_type)
    if status == "active":
        orders = orders.filter(status__in=OPEN_STATUSES)
    elif status:
        orders = orders.filter(status=status)
    if route:
        orders = orders.filter(route_q(route))
    if assignee == "unassigned":
        orders = orders.filter(assigned_to__isnull=True)
    elif assignee is not None:
        orders = orders.filter(assigned_to=assignee)
    if due_before is not None:
        orders = orders.filter(due_on__lt=due_before)
    if account is not None:
        orders = orders.filter(account=account)
    if premise is not None:
        orders = orders.filter(premise=premise)
    return orders.order_by("due_on", "-priority", "number")


@dataclass(frozen=True)
class FieldSheetRow:
    """One stop on the daily field sheet, in route order."""

    number: str
    work_type: str
    work_type_label: str
    priority_label: str
    status: str
    due_on: dt.date
    overdue: bool
    address: str
    account_number: str
    customer_name: str
    customer_phone: str
    route: str
    route_sequence: int
    location_note: str
    meter_serial: str
    meter_size: str
    meter_dials: int | None
    read_unit: str
    last_read_value: Decimal | None
    last_read_on: dt.date | None
    description: str
    assignee: str


def field_sheet(*, on: dt.date, assignee: Any = None, route: str | None = None) -> list[FieldSheetRow]:
    """The field sheet for ``on``: every open or assigned order due that day or earlier (overdue
    ones included), in route and sequence order, with the meter's last accepted read."""
    orders = list(workorders_list(status="active", route=route, assignee=assignee).filter(due_on__lte=on))
    last_reads = last_reads_for_meters({order.meter_id for order in orders if order.meter_id})
    rows = []
    for order in orders:
        point = order.service_point
        meter = order.meter
        last_read = last_reads.get(order.meter_id) if order.meter_id else None
        rows.append(
            FieldSheetRow(
                number=order.number,
                work_type=order.work_type,
                work_type_label=order.get_work_type_display(),
                priority_label=order.get_priority_display(),
                status=order.status,
                due_on=order.due_on,
                overdue=order.due_on < on,
                address=order.premise.address_line,
                account_number=order.account.number if order.account else "",
                customer_name=order.account.customer.display_name if order.account else "",
                customer_phone=order.account.customer.phone if order.account else "",
                route=point.read_route if point else order.premise.read_route,
                route_sequence=point.route_sequence if point else order.premise.route_sequence,
                location_note=point.location_note if point else "",
                meter_serial=meter.serial_number if meter else "",
                meter_size=meter.get_size_display() if meter else "",
                meter_dials=meter.dials if meter else None,
                read_unit=meter.read_unit if meter else "",
                last_read_value=last_read.value if last_read else None,
                last_read_on=last_read.read_on if last_read else None,
                description=order.description,
                assignee=(order.assigned_to.get_full_name() or order.assigned_to.username)
                if order.assigned_to
                else "",
            )
        )
    rows.sort(key=lambda row: (row.route, row.route_sequence, row.due_on, row.number))
    return rows


def last_reads_for_meters(meter_ids: set[int]) -> dict[int, Read]:
    """The last actual or estimated read of each meter, in one query."""
    if not meter_ids:
        return {}
    latest: dict[int, Read] = {}
    reads = Read.objects.filter(
        meter_id__in=meter_ids, status__in=(ReadStatus.ACTUAL, ReadStatus.ESTIMATED)
    ).order_by("meter_id", "read_on", "id")
    for read in reads:
        latest[read.meter_id] = read
    return latest


def assignable_staff() -> list[Any]:
    """Active staff who may complete work orders (and so can be assigned one), by name."""
    roles = list(PERMISSIONS["workorders.complete"][1])
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=[*roles, ADMIN]) | Q(is_superuser=True))
    )
    return list(users.distinct().order_by("first_name", "last_name", "username"))


def account_at_premise(premise: Premise, *, on: dt.date) -> Account | None:
    """The account being served at ``premise`` on ``on`` (the latest opened), if any."""
    return customer_selectors.account_at_premise(premise.pk, on=on)


def installed_meter(service_point: ServicePoint) -> Meter | None:
    """The meter installed at ``service_point`` now, if any."""
    installation = (
        MeterInstallation.objects.select_related("meter")
        .filter(service_point=service_point, removed_on__isnull=True)
        .first()
    )
    return installation.meter if installation else None


def service_point_of_read(read: Read) -> ServicePoint | None:
    if read.service_point_id is not None:
        return read.service_point
    if read.installation_id is not None:
        return read.installation.service_point  # type: ignore[union-attr]
    return None


def usual_daily_use(read: Read) -> DailyUse | None:
    """The usual daily use the high/low rule compared ``read`` with: the service point's accepted
    reads before it as usage periods, judged by :func:`civicbill.meters.estimation.expected_daily_use`
    (same period last year when the history reaches back, else the last 12 months)."""
    point = service_point_of_read(read)
    reads = Read.objects.filter(
        status__in=(ReadStatus.ACTUAL, ReadStatus.ESTIMATED), read_on__lt=read.read_on
    )
    reads = reads.filter(service_point=point) if point is not None else reads.filter(meter_id=read.meter_id)
    rows = list(reads.order_by("read_on", "id").values_list("read_on", "consumption_hcf"))
    history = [
        UsagePeriod(start=previous_on, end=read_on, hcf=consumption or Decimal(0))
        for (previous_on, _), (read_on, consumption) in pairwise(rows)
        if read_on > previous_on
    ]
    if not rows:
        return None
    return expected_daily_use(history, rows[-1][0], read.read_on)
