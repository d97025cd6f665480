"""Collections pages for closed accounts: the closed-unpaid list (with the balance transfer), write-off
batches (propose, approve, reject, the agency CSV), the SB 998 shutoff report and the written shutoff
policy in each language. The collections services check every permission again."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicbill.collections import writeoff_selectors as selectors
from civicbill.collections import writeoffs as services
from civicbill.collections.agency_export import agency_csv, agency_rows
from civicbill.collections.policy import SHUTOFF_POLICY_LANGUAGES
from civicbill.collections.policy_document import LANGUAGE_NAMES, shutoff_policy_pdf
from civicbill.collections.shutoff_report import shutoff_report, shutoff_report_csv, shutoff_report_pdf
from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.permissions import has_permission
from civicbill.customers import selectors as customer_selectors
from civicbill.web.ui import (
    DateInput,
    StaffForm,
    call_service,
    forbidden,
    message_service,
    not_found,
    requires,
)


class ProposeForm(StaffForm):
    as_of = forms.DateField(label=gettext_lazy("Old enough on"), widget=DateInput)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class DecisionForm(StaffForm):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class TransferForm(StaffForm):
    to_account = forms.CharField(label=gettext_lazy("To the active account"), max_length=20)
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=200)


def _as_of(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return clock.today()


@requires("collections.view")
def closed_unpaid(request: HttpRequest) -> HttpResponse:
    day = _as_of(request)
    rows = selectors.closed_unpaid(day)
    return render(
        request,
        "web/collections/closed_unpaid.html",
        {
            "rows": [(row, row.days_since_due(day)) for row in rows],
            "as_of": day,
            "can_transfer": has_permission(request.user, "collections.writeoff"),
            "form": TransferForm(),
        },
    )


@require_POST
@requires("collections.writeoff")
def balance_transfer(request: HttpRequest, number: str) -> HttpResponse:
    form = TransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the active account and why."))
        return redirect("collections-closed-unpaid")
    try:
        account = customer_selectors.account_get(number)
    except NotFoundError as error:
        return not_found(request, error.message)
    message_service(
        request,
        lambda done: (
            _("%(amount)s moved from account %(from)s to account %(to)s.")
            % {"amount": f"${done.total_cents / 100:,.2f}", "from": number, "to": done.to_account.number}
        ),
        services.balance_transfer,
        from_account=account,
        to_account_number=form.cleaned_data["to_account"],
        reason=form.cleaned_data["reason"],
        as_of=clock.now(),
        actor=request.user,
    )
    return redirect("collections-closed-unpaid")


@require_http_methods(["GET", "POST"])
@requires("collections.view")
def writeoff_batches(request: HttpRequest) -> HttpResponse:
    form = ProposeForm(request.POST or None, initial={"as_of": clock.today()})
    if request.method == "POST":
        if not has_permission(request.user, "collections.writeoff"):
            return forbidden(request, "collections.writeoff")
        if form.is_valid():
            batch = call_service(
                form,
                services.writeoff_propose,
                as_of=form.cleaned_data["as_of"],
                note=form.cleaned_data["note"],
                actor=request.user,
                at=clock.now(),
            )
            if batch is not None:
                messages.success(request, _("Write-off batch %(batch)s proposed.") % {"batch": batch.pk})
                return redirect("collections-writeoff-batch", batch_id=batch.pk)
    batches = [(batch, selectors.batch_totals(batch)) for batch in selectors.writeoff_batches()]
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "web/collections/writeoff_batches.html",
        {
            "form": form,
            "batches": batches,
            "can_propose": has_permission(request.user, "collections.writeoff"),
        },
        status=status,
    )


@requires("collections.view")
def writeoff_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = selectors.writeoff_batch_get(batch_id)
    if batch is None:
        return not_found(request, _("There is no write-off batch %(batch)s.") % {"batch": batch_id})
    return render(
        request,
        "web/collections/writeoff_batch.html",
        {
            "batch": batch,
            "writeoffs": selectors.batch_writeoffs(batch),
            "totals": selectors.batch_totals(batch),
            "form": DecisionForm(),
            "can_decide": batch.status == batch.Status.PROPOSED
            and has_permission(request.user, "collections.writeoff_approve")
            and batch.proposed_by_id != request.user.pk,
        },
    )


@require_POST
@requires("collections.writeoff_approve")
def writeoff_decide(request: HttpRequest, batch_id: int, decision: str) -> HttpResponse:
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if decision == "approve":
        message_service(
            request,
            _("Write-off batch %(batch)s approved and posted.") % {"batch": batch_id},
            services.writeoff_approve,
            batch_id=batch_id,
            actor=request.user,
            at=clock.now(),
            note=note,
        )
    else:
        message_service(
            request,
            _("Write-off batch %(batch)s rejected.") % {"batch": batch_id},
            services.writeoff_reject,
            batch_id=batch_id,
            actor=request.user,
            at=clock.now(),
            note=note,
        )
    return redirect("collections-writeoff-batch", batch_id=batch_id)


@require_GET
@requires("collections.view")
def agency_export(request: HttpRequest, batch_id: int) -> HttpResponse:
    try:
        content = agency_csv(agency_rows(batch_id))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("collections-writeoff-batch", batch_id=batch_id)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="writeoff-batch-{batch_id}-agency.csv"'
    return response


@requires("collections.view")
def shutoff_report_page(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = clock.today().year - 1
    if not 2000 <= year <= 2999:
        year = clock.today().year - 1
    report = shutoff_report(year)
    fmt = request.GET.get("format")
    if fmt == "csv":
        response = HttpResponse(shutoff_report_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="shutoffs-{year}.csv"'
        return response
    if fmt == "pdf":
        response = HttpResponse(
            shutoff_report_pdf(report, generated_on=clock.today()), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="shutoffs-{year}.pdf"'
        return response
    months = [(dt.date(year, index, 1), count) for index, count in enumerate(report.by_month, start=1)]
    return render(request, "web/collections/shutoff_report.html", {"report": report, "months": months})


@requires("collections.view")
def shutoff_policy(request: HttpRequest) -> HttpResponse:
    languages = [(code, LANGUAGE_NAMES[code]) for code in SHUTOFF_POLICY_LANGUAGES]
    return render(request, "web/collections/shutoff_policy.html", {"languages": languages})


@requires("collections.view")
def shutoff_policy_download(request: HttpRequest, language: str) -> HttpResponse:
    if language not in SHUTOFF_POLICY_LANGUAGES:
        return not_found(request, _("The shutoff policy is not written in that language."))
    response = HttpResponse(shutoff_policy_pdf(language, on=clock.today()), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="shutoff-policy-{language}.pdf"'
    return response
