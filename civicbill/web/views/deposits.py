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
from civicbill.core.money import Money, format_cents
from civicbill.ledger.models import JournalEntry, SourceType
from civicbill.payments.deposit_selectors import customer_deposit_held_cents
from civicbill.payments.services.customer_deposits import customer_deposit_charge
from civicbill.web.counter_forms import MoneyField
from civicbill.web.ui import StaffForm, account_or_404, call_service, requires


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
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = DepositChargeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        call_service(
            form,
            customer_deposit_charge,
            account_number=account.number,
            amount=form.cleaned_data["amount"],
            memo=form.cleaned_data["memo"],
            actor=request.user,
            as_of=clock.today(),
        )
        if not form.errors:
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
