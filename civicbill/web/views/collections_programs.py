"""Collections programs pages: an account's bill reviews and appeals, certifications and third-party
contacts (``/accounts/<number>/collections/programs/``), and emergency moratoriums
(``/collections/moratoriums/``). Each form posts to its page with an ``action``; the services check
every permission again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicbill.billing.models import Bill
from civicbill.collections.models import Appeal, Certification, Moratorium, ThirdPartyContact
from civicbill.collections.protections import protections_on
from civicbill.collections.services import appeals, certifications, moratoriums
from civicbill.core import clock
from civicbill.core.permissions import has_permission
from civicbill.customers.models import Account
from civicbill.web.collections_programs_forms import (
    AppealDecisionForm,
    AppealForm,
    CertificationForm,
    ContactEndForm,
    ContactForm,
    LiftForm,
    MoratoriumForm,
    RevokeForm,
)
from civicbill.web.ui import account_or_404, call_service, forbidden, requires

# action -> (permission, form class)
ACCOUNT_ACTIONS: dict[str, tuple[str, type[forms.Form]]] = {
    "appeal_open": ("collections.appeal", AppealForm),
    "appeal_decide": ("collections.appeal_decide", AppealDecisionForm),
    "certify": ("collections.certify", CertificationForm),
    "revoke": ("collections.certify", RevokeForm),
    "contact_add": ("collections.certify", ContactForm),
    "contact_end": ("collections.certify", ContactEndForm),
}


def _bills(account: Account) -> list[tuple[str, str]]:
    return [
        (number, f"{number} ({due:%Y-%m-%d})")
        for number, due in Bill.objects.filter(account=account, status=Bill.Status.ISSUED)
        .order_by("-bill_date", "-id")
        .values_list("number", "due_date")[:24]
    ]


def _row(model: type[Any], account: Account, request: HttpRequest) -> Any:
    try:
        return model.objects.get(pk=int(request.POST.get("row", "")), account=account)
    except (ValueError, model.DoesNotExist):
        return None


def _account_action(request: HttpRequest, account: Account, action: str, form: forms.Form) -> Any:
    """Call the service of ``action`` with ``form``'s data: its answer, or None (the refusal is then
    on the form)."""
    data, now, user = form.cleaned_data, clock.now(), request.user
    if action == "appeal_open":
        return call_service(
            form,
            appeals.appeal_open,
            account=account,
            kind=data["kind"],
            reason=data["reason"],
            bill=data["bill"] or None,
            actor=user,
            at=now,
        )
    if action == "certify":
        return call_service(
            form,
            certifications.certification_record,
            account=account,
            kind=data["kind"],
            program=data["program"],
            provider=data["provider"],
            starts_on=data["starts_on"],
            expires_on=data["expires_on"],
            evidence=data["evidence"],
            actor=user,
            at=now,
        )
    if action == "contact_add":
        return call_service(form, certifications.contact_add, account=account, actor=user, at=now, **data)
    row_model = {"appeal_decide": Appeal, "revoke": Certification, "contact_end": ThirdPartyContact}[action]
    row = _row(row_model, account, request)
    if row is None:
        form.add_error(None, _("That record is not on this account."))
        return None
    if action == "appeal_decide":
        return call_service(
            form,
            appeals.appeal_decide,
            appeal=row,
            status=data["status"],
            outcome=data["outcome"],
            adjustment_entry=data["adjustment_entry"],
            actor=user,
            at=now,
        )
    if action == "revoke":
        return call_service(
            form,
            certifications.certification_revoke,
            certification=row,
            reason=data["reason"],
            revoked_on=data["revoked_on"],
            actor=user,
            at=now,
        )
    return call_service(
        form, certifications.contact_end, contact=row, ended_on=data["ended_on"], actor=user, at=now
    )


def _errors(form: forms.Form) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


DONE: dict[str, Callable[[], str]] = {
    "appeal_open": lambda: _("Bill review or appeal opened: no penalty or shutoff while it is pending."),
    "appeal_decide": lambda: _("Decision recorded."),
    "certify": lambda: _("Certification recorded."),
    "revoke": lambda: _("Certification revoked."),
    "contact_add": lambda: _("Third-party contact added: notices will be copied to them."),
    "contact_end": lambda: _("Third-party contact ended."),
}


@require_http_methods(["GET", "POST"])
@requires("collections.view")
def account_programs(request: HttpRequest, number: str) -> HttpResponse:
    action = request.POST.get("action", "")
    if request.method == "POST":  # the permission first: a refused person learns nothing of the account
        permission = ACCOUNT_ACTIONS.get(action, ("collections.appeal", AppealForm))[0]
        if not has_permission(request.user, permission):
            return forbidden(request, permission)
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    bills = _bills(account)
    bound: dict[str, forms.Form] = {}
    status = 200
    if request.method == "POST":
        if action not in ACCOUNT_ACTIONS:
            messages.error(request, _("Unknown action."))
            return redirect("account-collections-programs", number=account.number)
        form_class = ACCOUNT_ACTIONS[action][1]
        form = AppealForm(request.POST, bills=bills) if form_class is AppealForm else form_class(request.POST)
        if (
            form.is_valid()
            and _account_action(request, account, action, form) is not None
            and not form.errors
        ):
            messages.success(request, DONE[action]())
            return redirect("account-collections-programs", number=account.number)
        if action in ("appeal_decide", "revoke", "contact_end"):  # a row's form: its refusal as a message
            for error in _errors(form):
                messages.error(request, error)
            return redirect("account-collections-programs", number=account.number)
        bound[action], status = form, 422
    today = clock.today()
    context = {
        "account": account,
        "today": today,
        "protections": protections_on([account.pk], today)[account.pk],
        "appeals": Appeal.objects.filter(account=account).select_related("bill", "opened_by", "decided_by"),
        "certifications": Certification.objects.filter(account=account).select_related("recorded_by"),
        "contacts": ThirdPartyContact.objects.filter(account=account).select_related("recorded_by"),
        "appeal_form": bound.get("appeal_open") or AppealForm(bills=bills),
        "decision_form": AppealDecisionForm(),
        "certification_form": bound.get("certify") or CertificationForm(initial={"starts_on": today}),
        "revoke_form": RevokeForm(),
        "contact_form": bound.get("contact_add") or ContactForm(initial={"state": "CA"}),
        "end_form": ContactEndForm(),
        "can_appeal": has_permission(request.user, "collections.appeal"),
        "can_decide": has_permission(request.user, "collections.appeal_decide"),
        "can_certify": has_permission(request.user, "collections.certify"),
    }
    return render(request, "web/collections/programs.html", context, status=status)


@require_http_methods(["GET", "POST"])
@requires("collections.view")
def moratoriums_page(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    form = MoratoriumForm(initial={"starts_on": today, "scope": "all"})
    status = 200
    if request.method == "POST":
        if not has_permission(request.user, "collections.moratorium"):
            return forbidden(request, "collections.moratorium")
        if request.POST.get("action") == "lift":
            lift = LiftForm(request.POST)
            found = (
                Moratorium.objects.filter(pk=request.POST.get("row") or 0).first()
                if (request.POST.get("row", "").isdigit())
                else None
            )
            if found is None:
                messages.error(request, _("There is no such moratorium."))
            elif lift.is_valid():
                done = call_service(
                    lift,
                    moratoriums.moratorium_lift,
                    moratorium=found,
                    lifted_on=lift.cleaned_data["lifted_on"],
                    actor=request.user,
                    at=clock.now(),
                )
                for error in _errors(lift):
                    messages.error(request, error)
                if done is not None:
                    messages.success(request, _("Moratorium lifted."))
            return redirect("collections-moratoriums")
        form = MoratoriumForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            declared = call_service(
                form,
                moratoriums.moratorium_declare,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                scope=data["scope"],
                scope_value=data["scope_value"],
                reason=data["reason"],
                actor=request.user,
                at=clock.now(),
            )
            if declared is not None:
                messages.success(request, _("Moratorium declared."))
                return redirect("collections-moratoriums")
        status = 422
    rows = Moratorium.objects.select_related("declared_by", "lifted_by")
    return render(
        request,
        "web/collections/moratoriums.html",
        {
            "rows": rows,
            "today": today,
            "form": form,
            "lift_form": LiftForm(),
            "can_declare": has_permission(request.user, "collections.moratorium"),
        },
        status=status,
    )
