"""Closing a drawer (the count by denomination and tender), a session's page (expected vs counted), the
supervisor's review of a day's sessions and their approval, and adding a drawer. The payments services
do the work and check permissions again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicbill.core import clock
from civicbill.core.money import Money, format_cents
from civicbill.core.permissions import has_permission
from civicbill.payments import selectors
from civicbill.payments import services as payment_services
from civicbill.payments.models import CashDrawer, DrawerSession, Payment
from civicbill.payments.tenders import CASH_DENOMINATIONS_CENTS
from civicbill.web.counter_forms import ApproveForm, DrawerAddForm, DrawerCloseForm
from civicbill.web.ui import call_service, forbidden, message_service, not_found, requires


def tender_rows(session: DrawerSession) -> dict[str, Any]:
    """A session's takings by tender and the cash expected in the drawer (the float plus cash taken)."""
    totals = selectors.session_tender_totals(session)
    labels = {"cash": _("Cash"), "check": _("Check"), "money_order": _("Money order"), "card": _("Card")}
    return {
        "totals": totals,
        "by_kind": [(labels.get(kind, kind), cents) for kind, cents in totals.by_kind],
        "expected_cash_cents": session.starting_float_cents + totals.cash_cents,
    }


# -- closing a drawer, review and approval -------------------------------------------------------------
def _session(session_id: int) -> DrawerSession | None:
    return (
        DrawerSession.objects.select_related("drawer__location", "cashier", "approved_by")
        .filter(pk=session_id)
        .first()
    )


@require_http_methods(["GET", "POST"])
@requires("drawers.close")
def session_close(request: HttpRequest, session_id: int) -> HttpResponse:
    """Count by denomination and by tender; the service works out expected vs counted."""
    session = _session(session_id)
    if session is None:
        return not_found(request, _("There is no drawer session %(id)s.") % {"id": session_id})
    if session.status != DrawerSession.Status.OPEN:
        return redirect("counter-session", session_id=session.pk)
    form = DrawerCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        counts = [
            payment_services.CountLine(
                "cash", data.get(f"cash_{cents}") or 0, denomination=Money.from_cents(cents)
            )
            for cents in CASH_DENOMINATIONS_CENTS
            if data.get(f"cash_{cents}")
        ]
        for kind, count, total in (
            ("check", "check_count", "check_total"),
            ("money_order", "money_order_count", "money_order_total"),
            ("card", "card_count", "card_total"),
        ):
            if data[count] or (data[total] and data[total].is_positive()):
                counts.append(
                    payment_services.CountLine(kind, data[count], amount=data[total] or Money.zero())
                )
        closed = call_service(
            form,
            payment_services.drawer_session_close,
            session=session,
            counts=counts,
            as_of=clock.now(),
            actor=request.user,
            note=data["note"],
        )
        if closed is not None:
            messages.success(
                request,
                _("Drawer %(drawer)s is closed. Over/short: %(amount)s.")
                % {
                    "drawer": closed.drawer.code,
                    "amount": format_cents(closed.over_short_cents or 0, credit_style="parentheses"),
                },
            )
            return redirect("counter-session", session_id=closed.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "session": session}
    return render(request, "web/counter/close.html", context, status=status)


def _comparison(session: DrawerSession) -> list[dict[str, Any]]:
    if session.status == DrawerSession.Status.OPEN:
        return []
    rows = [
        (_("Cash"), session.expected_cash_cents, session.counted_cash_cents),
        (_("Checks and money orders"), session.expected_checks_cents, session.counted_checks_cents),
        (_("Card"), session.expected_card_cents, session.counted_card_cents),
    ]
    table: list[dict[str, Any]] = [
        {
            "label": label,
            "expected": e or 0,
            "counted": c or 0,
            "difference": (c or 0) - (e or 0),
            "difference_abs": abs((c or 0) - (e or 0)),
        }
        for label, e, c in rows
    ]
    table.append(
        {
            "label": _("Total"),
            "expected": sum(r["expected"] for r in table),
            "counted": sum(r["counted"] for r in table),
            "difference": session.over_short_cents or 0,
            "difference_abs": abs(session.over_short_cents or 0),
            "total": True,
        }
    )
    return table


@requires("payments.view")
def session_page(request: HttpRequest, session_id: int) -> HttpResponse:
    """A session: float, receipts, the count and expected vs counted; closed sessions are read-only."""
    session = _session(session_id)
    if session is None:
        return not_found(request, _("There is no drawer session %(id)s.") % {"id": session_id})
    receipts = list(
        Payment.objects.filter(session=session).select_related("account", "receipt_code").order_by("pk")
    )
    context = {
        "session": session,
        "receipts": receipts,
        "counts": list(session.counts.all()),
        "comparison": _comparison(session),
        "can_approve": session.status == DrawerSession.Status.CLOSED
        and has_permission(request.user, "drawers.approve")
        and session.cashier_id != request.user.pk,
        "can_close": session.status == DrawerSession.Status.OPEN
        and has_permission(request.user, "drawers.close")
        and (session.cashier_id == request.user.pk or has_permission(request.user, "drawers.approve")),
        "approve_form": ApproveForm(),
        **tender_rows(session),
    }
    return render(request, "web/counter/session.html", context)


@require_POST
@requires("drawers.approve")
def session_approve(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(session_id)
    if session is None:
        return not_found(request, _("There is no drawer session %(id)s.") % {"id": session_id})
    form = ApproveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    message_service(
        request,
        _("Drawer %(drawer)s of %(cashier)s approved.")
        % {"drawer": session.drawer.code, "cashier": session.cashier.username},
        payment_services.drawer_session_approve,
        session=session,
        as_of=clock.now(),
        actor=request.user,
        note=note,
    )
    return redirect(reverse("counter-sessions") + f"?date={session.business_date.isoformat()}")


def day_param(request: HttpRequest) -> dt.date:
    """The business day of ``?date=``, else today."""
    return parse_date(request.GET.get("date", "") or "") or clock.today()


@require_http_methods(["GET", "POST"])
@requires("payments.view")
def sessions_list(request: HttpRequest) -> HttpResponse:
    """The supervisor's review: every session of a day (closed ones to approve), and adding a drawer."""
    day = day_param(request)
    add_form = (
        DrawerAddForm(request.POST or None) if has_permission(request.user, "payments.manage") else None
    )
    if request.method == "POST":
        if add_form is None:
            return forbidden(request, "payments.manage")
        if add_form.is_valid():
            drawer = call_service(
                add_form, payment_services.drawer_create, actor=request.user, **add_form.cleaned_data
            )
            if drawer is not None:
                messages.success(request, _("Drawer %(code)s added.") % {"code": drawer.code})
                return redirect("counter-sessions")
    found = list(selectors.sessions(business_date=day))
    for session in found:
        session.over_short_abs = abs(session.over_short_cents or 0)  # type: ignore[attr-defined]
    context = {
        "day": day,
        "sessions": found,
        "to_approve": [s for s in found if s.status == DrawerSession.Status.CLOSED],
        "drawers": list(CashDrawer.objects.select_related("location")),
        "add_form": add_form,
        "can_approve": has_permission(request.user, "drawers.approve"),
    }
    status = 422 if add_form is not None and add_form.errors else 200
    return render(request, "web/counter/sessions.html", context, status=status)
