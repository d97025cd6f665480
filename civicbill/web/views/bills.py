"""Bill pages: an account's bills, one bill with its lines, "explain this bill", the PDF, and
cancel/rebill. Reads come from the billing selectors; changes go through the billing services."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicbill.billing import selectors as billing_selectors
from civicbill.billing.documents.files import bill_pdf as bill_pdf_bytes
from civicbill.billing.explain import BillExplanation, bill_explanation
from civicbill.billing.models import Bill, BillKind
from civicbill.billing.services import bill_cancel_rebill, final_bill_issue
from civicbill.core import clock
from civicbill.core.money import format_cents
from civicbill.web.forms import CancelRebillForm
from civicbill.web.ui import account_or_404, call_service, message_service, not_found, requires

ACCOUNT_BILLS_SHOWN = 36  # the account's bills page
ACCOUNT_PAGE_BILLS = 6  # the Bills section of the account page


def _bill(number: str) -> Bill | None:
    return billing_selectors.bill_get(number.strip())


def _explanation(bill: Bill) -> BillExplanation:
    return bill_explanation(bill.number)


def _lines_by_service(bill: Bill) -> list[tuple[str, list[object], int]]:
    """The bill's lines grouped by service, each group with its subtotal in cents."""
    groups: dict[str, list[object]] = {}
    totals: dict[str, int] = {}
    labels: dict[str, str] = {}
    for line in bill.lines.all():
        groups.setdefault(line.service, []).append(line)
        totals[line.service] = totals.get(line.service, 0) + line.amount_cents
        labels[line.service] = line.get_service_display()
    return [(labels[service], lines, totals[service]) for service, lines in groups.items()]


@requires("bills.view")
def account_bills(request: HttpRequest, number: str) -> HttpResponse:
    """The Bills section of the account page (loaded in place by htmx; a page of its own without it)."""
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    issued = Bill.objects.filter(account=account).exclude(status=Bill.Status.DRAFT)
    in_place = bool(getattr(request, "htmx", False))
    shown = ACCOUNT_PAGE_BILLS if in_place else ACCOUNT_BILLS_SHOWN
    bills = list(issued.order_by("-period_end", "-created_at")[:shown])
    bills_count = issued.count()
    final_billed = issued.filter(kind=BillKind.FINAL, status=Bill.Status.ISSUED).exists()
    template = "web/billing/account_bills.html" if in_place else "web/billing/account_bills_page.html"
    return render(
        request,
        template,
        {
            "account": account,
            "bills": bills,
            "bills_count": bills_count,
            "more_bills": bills_count > len(bills),
            "can_final_bill": account.status == "final" and not final_billed,
        },
    )


@requires("bills.view")
def bill_page(request: HttpRequest, number: str) -> HttpResponse:
    bill = _bill(number)
    if bill is None:
        return not_found(request, _("No bill %(number)s.") % {"number": number})
    replaced_by = Bill.objects.filter(replaces=bill).first()
    return render(
        request,
        "web/billing/bill.html",
        {
            "bill": bill,
            "account": bill.account,
            "services": _lines_by_service(bill),
            "replaced_by": replaced_by,
            "explain_open": request.GET.get("explain") == "1",
            "explanation": _explanation(bill) if request.GET.get("explain") == "1" else None,
        },
    )


@requires("bills.view")
def bill_explain(request: HttpRequest, number: str) -> HttpResponse:
    """Each line with the reads, dates, tier, rate version, price and proration it came from."""
    bill = _bill(number)
    if bill is None:
        return not_found(request, _("No bill %(number)s.") % {"number": number})
    template = (
        "web/billing/explain.html" if getattr(request, "htmx", False) else "web/billing/explain_page.html"
    )
    return render(request, template, {"bill": bill, "explanation": _explanation(bill)})


@requires("bills.view")
def bill_pdf(request: HttpRequest, number: str) -> HttpResponse:
    bill = _bill(number)
    if bill is None:
        return not_found(request, _("No bill %(number)s.") % {"number": number})
    content = bill_pdf_bytes(bill_number=bill.number)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bill-{bill.number}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@requires("billing.cancel_rebill")
def cancel_rebill(request: HttpRequest, number: str) -> HttpResponse:
    bill = _bill(number)
    if bill is None:
        return not_found(request, _("No bill %(number)s.") % {"number": number})
    form = CancelRebillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(
            form,
            bill_cancel_rebill,
            bill_number=bill.number,
            reason=form.cleaned_data["reason"],
            actor=request.user,
            as_of=clock.today(),
        )
        if outcome is not None:
            messages.success(
                request,
                _("Bill %(old)s is cancelled and reversed; the corrected bill is %(new)s.")
                % {"old": bill.number, "new": outcome.rebill.number},
            )
            return redirect("bill", number=bill.number)
    status = 422 if form.errors else 200
    return render(request, "web/billing/cancel_rebill.html", {"bill": bill, "form": form}, status=status)


@require_POST
@requires("billing.final_bill")
def final_bill(request: HttpRequest, number: str) -> HttpResponse:
    """Issue the off-cycle final bill of a moved-out account (after its move-out read is in)."""
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    bill = message_service(
        request,
        lambda bill: (
            _("Final bill %(number)s issued: %(total)s due on %(due)s.")
            % {
                "number": bill.number,
                "total": format_cents(bill.total_due_cents),
                "due": bill.due_date.isoformat(),
            }
        ),
        final_bill_issue,
        account_number=account.number,
        actor=request.user,
        as_of=clock.today(),
    )
    if bill is None:
        return redirect("account", number=account.number)
    return redirect("bill", number=bill.number)
