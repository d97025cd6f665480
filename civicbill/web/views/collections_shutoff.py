"""Shutoff pages: the shutoff list of a date (with proof; bulk "schedule shutoff"), and an account's
shutoff panel (eligibility on a date, its shutoffs with their field result, the reconnect button).
Changes go through ``collections.shutoff_services``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicbill.collections.eligibility_selectors import account_eligibility, shutoff_list_rows
from civicbill.collections.models import Reconnection, Shutoff, ShutoffResult
from civicbill.collections.shutoff_services import (
    FIELD_RESULTS,
    reconnect_order,
    reconnection_complete,
    shutoff_result_record,
    shutoff_schedule,
)
from civicbill.core import clock
from civicbill.core.permissions import has_permission
from civicbill.web.ui import account_or_404, forbidden, message_service, requires


def _day(request: HttpRequest) -> dt.date:
    text = request.GET.get("date") or request.POST.get("date") or ""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return clock.today()


@require_http_methods(["GET", "POST"])
@requires("collections.view")
def shutoff_list_page(request: HttpRequest) -> HttpResponse:
    day = _day(request)
    if request.method == "POST":
        if not has_permission(request.user, "collections.shutoff"):
            return forbidden(request, "collections.shutoff")
        numbers = request.POST.getlist("accounts")
        outcome = message_service(
            request,
            lambda result: (
                _("%(count)s shutoff(s) scheduled for %(date)s.")
                % {"count": len(result.scheduled), "date": f"{day:%Y-%m-%d}"}
            ),
            shutoff_schedule,
            account_numbers=numbers,
            on=day,
            actor=request.user,
            at=clock.now(),
            as_of=clock.today(),
        )
        if outcome is not None:
            for number, reasons in outcome.refused.items():
                messages.error(request, f"{number}: " + "; ".join(reason.message for reason in reasons))
        return redirect(f"{reverse('collections-shutoff-list')}?date={day:%Y-%m-%d}")
    context = {
        "day": day,
        "rows": shutoff_list_rows(day),
        "can_schedule": has_permission(request.user, "collections.shutoff"),
    }
    return render(request, "web/collections/shutoff_list.html", context)


@require_http_methods(["GET", "POST"])
@requires("collections.view")
def account_shutoff(request: HttpRequest, number: str) -> HttpResponse:
    if request.method == "POST" and not has_permission(request.user, "collections.shutoff"):
        return forbidden(request, "collections.shutoff")  # before the account is looked up
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    day = _day(request)
    here = f"{reverse('collections-account-shutoff', args=[account.number])}?date={day:%Y-%m-%d}"
    if request.method == "POST":
        if not has_permission(request.user, "collections.shutoff"):
            return forbidden(request, "collections.shutoff")
        today = clock.today()
        action = request.POST.get("action")
        if action == "result":
            message_service(
                request,
                _("Field result recorded."),
                shutoff_result_record,
                shutoff_id=int(request.POST.get("shutoff") or 0),
                result=request.POST.get("result", ""),
                on=today,
                note=request.POST.get("note", ""),
                actor=request.user,
                at=clock.now(),
                as_of=today,
            )
        elif action == "reconnect":
            message_service(
                request,
                lambda r: _("Reconnection ordered (%(order)s).") % {"order": r.work_order.number},
                reconnect_order,
                account_number=account.number,
                on=today,
                after_hours=bool(request.POST.get("after_hours")),
                actor=request.user,
                at=clock.now(),
                as_of=today,
            )
        elif action == "reconnected":
            message_service(
                request,
                _("Water reconnected."),
                reconnection_complete,
                reconnection_id=int(request.POST.get("reconnection") or 0),
                on=today,
                actor=request.user,
                at=clock.now(),
                as_of=today,
            )
        return redirect(here)
    _account, facts, decision = account_eligibility(account.number, day)
    shutoffs = list(
        Shutoff.objects.filter(account=account).select_related("work_order").order_by("-scheduled_on", "-id")
    )
    reconnections = {
        r.shutoff_id: r
        for r in Reconnection.objects.filter(account=account).select_related(
            "work_order", "work_order__account"
        )
    }
    context = {
        "account": account,
        "day": day,
        "facts": facts,
        "decision": decision,
        "shutoffs": [(s, reconnections.get(s.pk)) for s in shutoffs],
        "results": [(str(r), ShutoffResult(r).label) for r in FIELD_RESULTS],
        "can_act": has_permission(request.user, "collections.shutoff"),
    }
    return render(request, "web/collections/account_shutoff.html", context)
