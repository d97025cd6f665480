"""The payment arrangement page of an account: preview a schedule, record it, print the agreement,
cancel it (issue 14, area "arrangements")."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicbill.collections.arrangement_document import agreement_pdf
from civicbill.collections.models import Arrangement, ArrangementStatus
from civicbill.collections.services.arrangements import (
    arrangement_cancel,
    arrangement_create,
    arrangement_preview,
    arrangement_standings,
    installments_of,
)
from civicbill.core import clock
from civicbill.core.permissions import has_permission
from civicbill.web.collections_arrangement_forms import ArrangementForm, CancelForm
from civicbill.web.ui import account_or_404, call_service, forbidden, message_service, not_found, requires


@require_http_methods(["GET", "POST"])
@requires("collections.view")
def arrangement_page(request: HttpRequest, number: str) -> HttpResponse:
    if request.method == "POST" and not has_permission(request.user, "collections.arrange"):
        return forbidden(request, "collections.arrange")
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    today = clock.today()
    form = ArrangementForm(request.POST or None, initial={"kind": "amortization", "months": 12})
    preview = None
    if request.method == "POST" and form.is_valid():
        options = form.service_options()
        if "save" in request.POST:
            made = call_service(
                form,
                arrangement_create,
                account=account,
                terms=form.cleaned_data["terms"],
                language=form.cleaned_data["language"] or None,
                actor=request.user,
                at=clock.now(),
                **options,
            )
            if made is not None:
                messages.success(request, _("Payment arrangement recorded."))
                return redirect("account-arrangement", number=account.number)
        else:
            preview = call_service(form, arrangement_preview, account=account, on=today, **options)
    arrangements = list(Arrangement.objects.filter(account=account).order_by("-agreed_on", "-id"))
    active = next((a for a in arrangements if a.status == ArrangementStatus.ACTIVE), None)
    context = {
        "account": account,
        "form": form,
        "preview": preview,
        "arrangements": arrangements,
        "active": active,
        "active_installments": installments_of(active) if active else [],
        "standing": arrangement_standings([active], today)[active.pk] if active else None,
        "cancel_form": CancelForm(),
        "may_arrange": has_permission(request.user, "collections.arrange"),
    }
    return render(request, "web/collections/arrangement.html", context)


@require_POST
@requires("collections.arrange")
def arrangement_cancel_view(request: HttpRequest, number: str, arrangement_id: int) -> HttpResponse:
    arrangement = Arrangement.objects.filter(pk=arrangement_id, account__number=number).first()
    if arrangement is None:
        return not_found(request, _("There is no such payment arrangement on this account."))
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the arrangement is cancelled."))
    else:
        message_service(
            request,
            _("Payment arrangement cancelled."),
            arrangement_cancel,
            arrangement=arrangement,
            reason=form.cleaned_data["reason"],
            actor=request.user,
            at=clock.now(),
        )
    return redirect("account-arrangement", number=number)


@requires("collections.view")
def arrangement_pdf_view(request: HttpRequest, number: str, arrangement_id: int) -> HttpResponse:
    arrangement = (
        Arrangement.objects.filter(pk=arrangement_id, account__number=number)
        .select_related("account__customer", "account__premise")
        .first()
    )
    if arrangement is None:
        return not_found(request, _("There is no such payment arrangement on this account."))
    response = HttpResponse(agreement_pdf(arrangement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="arrangement-{number}-{arrangement.pk}.pdf"'
    return response
