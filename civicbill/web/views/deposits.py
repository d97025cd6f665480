"""The service deposit page of an account: what is held, and charging a deposit (a receivable that
the next payment settles first). Changes go through ``payments.services.customer_deposits``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.money import Money, format_cents
from civicbill.customers import selectors as customer_selectors
from civicbill.ledger.models import JournalEntry, SourceType
from civicbill.payments.deposit_selectors import customer_deposit_held_cents
from civicbill.payments.services.customer_deposits import customer_deposit_charge
from civicbill.web.forms import StaffForm
from civicbill.web.permissions import requires
from civicbill.web.views.counter_forms import MoneyField


class DepositChargeForm(StaffForm):
    amount = MoneyField(label=gettext_lazy("Deposit amount"))
    memo = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("e.g. “new customer, no credit history”. It goes in the audit trail."),
    )


@require_http_methods(["GET", "POST"])
@requires("deposits.charge")
def deposit_charge(request: HttpRequest, number: str) -> HttpResponse:
    try:
        account = customer_selectors.account_get(number)
    except NotFoundError as error:
        return render(request, "web/not_found.html", {"message": error.message}, status=404)
    form = DepositChargeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer_deposit_charge(
                account_number=account.number,
                amount=form.cleaned_data["amount"],
                memo=form.cleaned_data["memo"],
                actor=request.user,
                as_of=clock.today(),
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Deposit of %(amount)s charged: the next payment settles it first.")
                % {"amount": form.cleaned_data["amount"]},
            )
            return redirect("account", number=account.number)
    entries = (
        JournalEntry.objects.filter(
            source_type=SourceType.DEPOSIT, lines__customer_account=account, reason__startswith="deposit_"
        )
        .distinct()
        .select_related("reversed_by")
        .order_by("accounting_date", "posted_at")
    )
    context = {
        "account": account,
        "held": Money.from_cents(customer_deposit_held_cents(account.pk)),
        "entries": [
            (entry, format_cents(entry.total_cents) if entry.reason == "deposit_charged" else "")
            for entry in entries
        ],
        "form": form,
    }
    return render(request, "web/payments/deposit_charge.html", context, status=422 if form.errors else 200)
