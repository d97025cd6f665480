"""Moving a payment posted to the wrong account onto the right one (a payment transfer), from the
receipt page. The payments service does the work and checks the permission again."""

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
from civicbill.customers import selectors as customer_selectors
from civicbill.payments import selectors
from civicbill.payments import services as payment_services
from civicbill.payments.services.transfers import MAX_REASON_LENGTH
from civicbill.web.ui import StaffForm, form_refusal, not_found, requires


class TransferForm(StaffForm):
    to_account = forms.CharField(label=gettext_lazy("Move it to account number"), max_length=20)
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=MAX_REASON_LENGTH)


@require_http_methods(["GET", "POST"])
@requires("payments.transfer")
def receipt_transfer(request: HttpRequest, number: str) -> HttpResponse:
    try:
        payment = selectors.payment_for_receipt(number)
    except NotFoundError:
        return not_found(request, _("There is no receipt %(number)s.") % {"number": number})
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            to_account = customer_selectors.account_get(form.cleaned_data["to_account"])
            transfer = payment_services.payment_transfer(
                payment=payment,
                to_account=to_account,
                reason=form.cleaned_data["reason"],
                as_of=clock.now(),
                actor=request.user,
            )
        except NotFoundError as error:
            form.add_error("to_account", error.message)
        except ApplicationError as error:
            form_refusal(form, error)
        else:
            messages.success(
                request,
                _("Receipt %(number)s now pays account %(account)s.")
                % {"number": number, "account": transfer.to_account.number},
            )
            return redirect("counter-receipt", number=number)
    status = 422 if request.method == "POST" else 200
    return render(request, "web/counter/transfer.html", {"form": form, "payment": payment}, status=status)
