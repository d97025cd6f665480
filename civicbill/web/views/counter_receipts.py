"""Counter receipts: the receipt page (as printed, 80 mm), its print frame and PDF, reprint, and a void
approved by a supervisor on the spot. The payments services do the work and check permissions again."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from civicbill.core import clock
from civicbill.core.accounts import second_person_approval
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.permissions import has_permission
from civicbill.payments import selectors
from civicbill.payments import services as payment_services
from civicbill.payments.models import DrawerSession, Payment
from civicbill.payments.receipts import receipt_document, receipt_html
from civicbill.payments.receipts import receipt_pdf as render_receipt_pdf
from civicbill.web.counter_forms import VoidForm
from civicbill.web.ui import call_service, form_refusal, not_found, requires


# -- receipts ------------------------------------------------------------------------------------------
def _payment(number: str) -> Payment | None:
    try:
        return selectors.payment_for_receipt(number)
    except NotFoundError:
        return None


@requires("payments.view")
def receipt_page(request: HttpRequest, number: str) -> HttpResponse:
    """The receipt as printed (80 mm) with Print, PDF, reprint and void."""
    payment = _payment(number)
    if payment is None:
        return not_found(request, _("There is no receipt %(number)s.") % {"number": number})
    reprint = request.GET.get("reprint") == "1"
    can_void = (
        has_permission(request.user, "payments.take")
        and not payment.is_void
        and payment.business_date == clock.today()
        and payment.session is not None
        and payment.session.status == DrawerSession.Status.OPEN
    )
    context = {"payment": payment, "reprint": reprint, "can_void": can_void}
    return render(request, "web/counter/receipt.html", context)


@xframe_options_sameorigin  # shown in a frame on the receipt page, printed from there
@requires("payments.view")
def receipt_print(request: HttpRequest, number: str) -> HttpResponse:
    """The bare 80 mm receipt document, in the receipt's language (what the printer prints)."""
    payment = _payment(number)
    if payment is None:
        return not_found(request, _("There is no receipt %(number)s.") % {"number": number})
    document = receipt_document(payment, reprint=request.GET.get("reprint") == "1")
    return HttpResponse(receipt_html(document))


@requires("payments.view")
def receipt_pdf(request: HttpRequest, number: str) -> HttpResponse:
    payment = _payment(number)
    if payment is None:
        return not_found(request, _("There is no receipt %(number)s.") % {"number": number})
    document = receipt_document(payment, reprint=request.GET.get("reprint") == "1")
    response = HttpResponse(render_receipt_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{payment.receipt_number}.pdf"'
    return response


@require_POST
@requires("payments.take")
def receipt_reprint(request: HttpRequest, number: str) -> HttpResponse:
    payment = _payment(number)
    if payment is None:
        return not_found(request, _("There is no receipt %(number)s.") % {"number": number})
    payment_services.receipt_reprint(payment=payment, actor=request.user)
    return redirect(reverse("counter-receipt", args=[number]) + "?reprint=1")


@require_http_methods(["GET", "POST"])
@requires("payments.take")
def receipt_void(request: HttpRequest, number: str) -> HttpResponse:
    """Void with a supervisor present: they type their user name and password on this screen."""
    payment = _payment(number)
    if payment is None:
        return not_found(request, _("There is no receipt %(number)s.") % {"number": number})
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        at = clock.now()
        approver = None
        try:
            payment_services.payment_void_check(
                payment=payment, reason=form.cleaned_data["reason"], as_of=at, actor=request.user
            )
            approver = second_person_approval(
                request=request,
                username=form.cleaned_data["supervisor"],
                password=form.cleaned_data["supervisor_password"],
                permission="payments.void_approve",
                requester=request.user,
                at=at,
            )
        except ApplicationError as error:
            if error.code == "approval_refused":
                form.add_error(
                    "supervisor_password",
                    _(
                        "The approver's user name or password was not accepted, or that person may not "
                        "approve this."
                    ),
                )
            elif error.code == "own_approval":
                form.add_error("supervisor", _("Another person must approve a void, not the cashier."))
            else:
                form_refusal(form, error)
        if approver is not None:
            call_service(
                form,
                payment_services.payment_void,
                payment=payment,
                reason=form.cleaned_data["reason"],
                approved_by=approver,
                as_of=clock.now(),
                actor=request.user,
            )
            if not form.errors:
                messages.success(
                    request,
                    _("Receipt %(number)s is void (approved by %(user)s).")
                    % {"number": number, "user": approver.username},
                )
                return redirect("counter-receipt", number=number)
    status = 422 if request.method == "POST" else 200
    return render(request, "web/counter/void.html", {"form": form, "payment": payment}, status=status)
