"""The day close (blocked while sessions are open or unapproved; then totals by tender, receipt code and
fund, and the bank deposit) and the printable deposit slip. The payments services do the work and check
permissions again."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.payments import selectors
from civicbill.payments import services as payment_services
from civicbill.payments.models import DayClose, DrawerSession
from civicbill.payments.receipts import deposit_slip_html, deposit_slip_pdf
from civicbill.web.ui import not_found, requires
from civicbill.web.views.counter_sessions import day_param


# -- day close -----------------------------------------------------------------------------------------
def _labelled(mapping: dict[str, int], labels: dict[str, str]) -> list[tuple[str, int]]:
    return [(labels.get(key, key), cents) for key, cents in mapping.items()]


_TENDER_LABELS = {"cash": "Cash", "check": "Check", "money_order": "Money order", "card": "Card"}


@require_http_methods(["GET", "POST"])
@requires("day.close")
def day_close_page(request: HttpRequest) -> HttpResponse:
    """Blocked with a list while sessions are open or unapproved; then totals, the deposit and its slip."""
    day = parse_date(request.POST.get("date", "") or "") if request.method == "POST" else None
    day = day or day_param(request)
    error = ""
    if request.method == "POST":
        try:
            payment_services.day_close(business_date=day, as_of=clock.now(), actor=request.user)
        except ApplicationError as refused:
            error = refused.message
        else:
            messages.success(request, _("Business day %(day)s is closed.") % {"day": day.isoformat()})
            return redirect(reverse("counter-day") + f"?date={day.isoformat()}")
    closed = DayClose.objects.filter(business_date=day).select_related("closed_by").first()
    tender_labels = {k: _(v) for k, v in _TENDER_LABELS.items()}
    context: dict[str, Any] = {"day": day, "closed": closed, "error": error}
    if closed is not None:
        totals = closed.totals
        context.update(
            by_tender=_labelled(totals.get("by_tender", {}), tender_labels),
            by_code=list(totals.get("by_receipt_code", {}).items()),
            by_fund=list(totals.get("by_fund", {}).items()),
            deposit=getattr(closed, "deposit", None),
            items=selectors.day_deposit_items(day),
        )
    else:
        found = list(selectors.sessions(business_date=day))
        tenders = selectors.day_tender_totals(day)
        context.update(
            blockers=[s for s in found if s.status != DrawerSession.Status.APPROVED],
            session_count=len(found),
            by_tender=_labelled(dict(tenders.by_kind), tender_labels),
            by_code=list(selectors.day_totals_by_receipt_code(day).items()),
            by_fund=list(selectors.day_totals_by_fund(day).items()),
            receipts_cents=tenders.total_cents,
        )
    status = 422 if error else 200
    return render(request, "web/counter/day_close.html", context, status=status)


@requires("payments.view")
def deposit_slip(request: HttpRequest, day: str) -> HttpResponse:
    """The printable deposit slip of a closed day (``?format=pdf`` for the PDF)."""
    date = parse_date(day)
    if date is None:
        return not_found(request, _("%(day)s is not a date.") % {"day": day})
    try:
        deposit = selectors.deposit_of_day(date)
    except NotFoundError as error:
        return not_found(request, error.message)
    items = selectors.day_deposit_items(date)
    language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("en", "es") else "en"
    if request.GET.get("format") == "pdf":
        response = HttpResponse(
            deposit_slip_pdf(deposit, items, language=language), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="deposit-{deposit.slip_number}.pdf"'
        return response
    return HttpResponse(deposit_slip_html(deposit, items, language=language))
