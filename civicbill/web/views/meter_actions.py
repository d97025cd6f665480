"""Meter work from the staff app: receive meters (one, or a vendor shipment file with a dry run),
install at an account's premise, remove, exchange, record a test, change status (retire)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money, MoneyError
from civicbill.core.numbers import parse_typed_decimal
from civicbill.meters import services
from civicbill.meters.models import MeterSize, MeterStatus, MeterType, ReadUnit
from civicbill.meters.selectors import meter_get
from civicbill.web.ui import requires


def _decimal(request: HttpRequest, name: str, label: str, *, default: Decimal | None = None) -> Decimal:
    text = request.POST.get(name, "").strip()
    if not text and default is not None:
        return default
    if text.startswith("-") and parse_typed_decimal(text[1:]) is not None:
        raise ApplicationError(_("%(label)s must be zero or more.") % {"label": label}, field=name)
    value = parse_typed_decimal(text)
    if value is None:
        raise ApplicationError(_("%(label)s must be a number.") % {"label": label}, field=name)
    return value


def _date(request: HttpRequest, name: str, label: str) -> Any:
    day = parse_date(request.POST.get(name, "") or "")
    if day is None:
        raise ApplicationError(_("%(label)s must be a date (YYYY-MM-DD).") % {"label": label}, field=name)
    return day


@require_http_methods(["GET", "POST"])
@requires("meters.manage")
def receive(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "sizes": MeterSize.choices,
        "types": MeterType.choices,
        "units": ReadUnit.choices,
        "today": clock.today(),
    }
    if request.method == "POST" and request.POST.get("what") == "one":
        try:
            cost_text = request.POST.get("purchase_cost", "").strip()
            meter = services.meter_receive(
                serial_number=request.POST.get("serial_number", ""),
                make=request.POST.get("make", ""),
                model=request.POST.get("model", ""),
                size=request.POST.get("size", ""),
                meter_type=request.POST.get("meter_type", ""),
                dials=int(request.POST.get("dials") or 0),
                read_unit=request.POST.get("read_unit", ""),
                multiplier=_decimal(request, "multiplier", _("Multiplier"), default=Decimal(1)),
                endpoint_id=request.POST.get("endpoint_id", ""),
                purchase_cost=Money.parse(cost_text) if cost_text else None,
                received_on=_date(request, "received_on", _("Received on")),
                actor=request.user,
            )
        except (ApplicationError, MoneyError, ValueError) as error:
            context["error"] = getattr(error, "message", str(error))
        else:
            messages.success(request, _("Meter %(serial)s is in stock.") % {"serial": meter.serial_number})
            return redirect("meter", serial=meter.serial_number)
    elif request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("Choose the shipment file.")
        else:
            try:
                result = services.meters_receive_file(
                    content=upload.read(),
                    file_name=upload.name or "shipment.csv",
                    received_on=_date(request, "received_on", _("Received on")),
                    actor=request.user,
                    dry_run=request.POST.get("dry_run") == "on",
                )
            except ApplicationError as error:
                context["error"] = error.message
            else:
                context["result"] = result
    status = 422 if "error" in context else 200
    return render(request, "web/meters/receive.html", context, status=status)


@require_POST
@requires("meters.manage")
def meter_action(request: HttpRequest, serial: str) -> HttpResponse:
    """One form per action on the meter page; the result (or the reason it was refused) is shown there."""
    action = request.POST.get("action", "")
    try:
        meter = meter_get(serial)
        if action == "install":
            services.meter_install_for_account(
                account_number=request.POST.get("account_number", ""),
                serial=meter.serial_number,
                installed_on=_date(request, "on", _("Date")),
                read=_decimal(request, "read", _("Install read")),
                actor=request.user,
            )
            messages.success(request, _("Installed."))
        elif action == "remove":
            services.meter_remove(
                meter=meter,
                removed_on=_date(request, "on", _("Date")),
                removal_read=_decimal(request, "read", _("Removal read")),
                actor=request.user,
            )
            messages.success(request, _("Removed."))
        elif action == "exchange":
            new_meter = meter_get(request.POST.get("new_serial", ""))
            services.meter_exchange(
                old_meter=meter,
                new_meter=new_meter,
                exchanged_on=_date(request, "on", _("Date")),
                old_read=_decimal(request, "old_read", _("Old meter's removal read")),
                new_read=_decimal(request, "new_read", _("New meter's install read")),
                actor=request.user,
            )
            messages.success(request, _("Exchanged for %(serial)s.") % {"serial": new_meter.serial_number})
            return redirect("meter", serial=new_meter.serial_number)
        elif action == "test":
            test = services.meter_test_record(
                meter=meter,
                tested_on=_date(request, "on", _("Date")),
                accuracy_percent=_decimal(request, "accuracy_percent", _("Accuracy")),
                notes=request.POST.get("notes", ""),
                actor=request.user,
            )
            messages.success(
                request,
                _("Test recorded: %(result)s.") % {"result": _("passed") if test.passed else _("failed")},
            )
        elif action == "status":
            services.meter_status_change(
                meter=meter,
                to_status=request.POST.get("to_status", ""),
                changed_on=_date(request, "on", _("Date")),
                reason=request.POST.get("reason", ""),
                actor=request.user,
            )
            messages.success(request, _("Status changed."))
        else:
            raise ApplicationError(_("Unknown meter action."), field="action")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("meter", serial=serial)


def meter_action_context(meter: Any) -> dict[str, Any]:
    """What the meter page's action forms need."""
    return {
        "today": clock.today(),
        "next_statuses": [
            (value, label)
            for value, label in MeterStatus.choices
            if value in services.LIFECYCLE.get(meter.status, ())
            and value in (MeterStatus.IN_STOCK, MeterStatus.RETIRED)
        ],
    }
