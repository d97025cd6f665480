"""A work order as plain JSON-ready data: shared by ``civicbill workorders ... --json`` and the API."""

from __future__ import annotations

from typing import Any

from civicbill.workorders.models import WorkOrder


def _user(user: Any) -> str | None:
    return user.username if user is not None else None


def workorder_summary(order: WorkOrder) -> dict[str, Any]:
    """Dates as ISO text, register values as decimal text (never floats)."""
    point = order.service_point
    return {
        "number": order.number,
        "work_type": order.work_type,
        "work_type_label": order.get_work_type_display(),
        "status": order.status,
        "priority": order.get_priority_display().lower(),
        "due_on": order.due_on.isoformat(),
        "premise": {"id": order.premise_id, "address": order.premise.full_address},
        "account_number": order.account.number if order.account else None,
        "customer_name": order.account.customer.display_name if order.account else None,
        "route": point.read_route if point else order.premise.read_route,
        "route_sequence": point.route_sequence if point else order.premise.route_sequence,
        "meter_serial": order.meter.serial_number if order.meter else None,
        "read_exception_id": order.read_exception_id,
        "description": order.description,
        "assigned_to": _user(order.assigned_to),
        "created_at": order.created_at.isoformat(),
        "created_by": _user(order.created_by),
        "completed_on": order.completed_on.isoformat() if order.completed_on else None,
        "completed_by": _user(order.completed_by),
        "findings": order.findings,
        "notes": order.notes,
        "read": (
            {
                "id": order.read.pk,
                "read_on": order.read.read_on.isoformat(),
                "value": str(order.read.value),
                "status": order.read.status,
            }
            if order.read
            else None
        ),
        "new_meter_serial": order.new_meter.serial_number if order.new_meter else None,
        "cancel_reason": order.cancel_reason or None,
    }
