"""Meter pages: inventory (counts, search, list) and one meter's whole history."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.permissions import has_permission
from civicbill.meters.models import MeterSize, MeterStatus
from civicbill.meters.selectors import inventory_counts, meter_get, meter_history, meters_list
from civicbill.web.ui import not_found, requires
from civicbill.web.views.meter_actions import meter_action_context


@requires("meters.view")
def inventory(request: HttpRequest) -> HttpResponse:
    serial = request.GET.get("serial", "").strip()
    status = request.GET.get("status", "")
    size = request.GET.get("size", "")
    if serial:
        try:
            return redirect("meter", serial=meter_get(serial).serial_number)
        except NotFoundError:
            pass  # fall through: list the meters whose serial starts with what was typed
    counts = inventory_counts()
    sizes = [value for value in MeterSize.values if any(key[1] == value for key in counts)]
    table = [
        (label, [counts.get((value, size_value), 0) for size_value in sizes],
         sum(count for (s, _), count in counts.items() if s == value))
        for value, label in MeterStatus.choices
    ]  # fmt: skip
    error = ""
    try:
        meters = meters_list(
            status=status or None, size=size or None, serial_prefix=serial or None, limit=200
        )
    except ApplicationError as problem:
        meters, error = [], problem.message
    context = {
        "sizes": sizes,
        "size_labels": dict(MeterSize.choices),
        "table": table,
        "total": sum(counts.values()),
        "meters": meters,
        "statuses": MeterStatus.choices,
        "size_choices": MeterSize.choices,
        "filters": {"serial": serial, "status": status, "size": size},
        "error": error,
        "searched": bool(serial or status or size),
    }
    return render(request, "web/meters/inventory.html", context)


@requires("meters.view")
def meter_page(request: HttpRequest, serial: str) -> HttpResponse:
    try:
        meter = meter_get(serial)
    except NotFoundError as error:
        return not_found(request, error.message)
    context = {"history": meter_history(meter), "meter": meter}
    if has_permission(request.user, "meters.manage"):
        context.update(meter_action_context(meter))
    return render(request, "web/meters/meter.html", context)
