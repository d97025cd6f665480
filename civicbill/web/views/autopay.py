"""Autopay pages: the account page's Autopay panel (enroll, change bank details, end), enrollments,
draft files (create, entries, download, cancel), returns (upload, outcomes, resolve the unmatched) and
the monthly report (page and CSV). Thin: forms validate, services execute, selectors read.

Bank account numbers are shown masked everywhere; the fields that take them never echo them back and
their POST values are hidden from error reports (``sensitive_post_parameters``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from civicbill.autopay import banking, selectors, services
from civicbill.autopay.models import AchReturn, DraftFile, Enrollment
from civicbill.autopay.report_csv import monthly_report_csv
from civicbill.core import clock
from civicbill.core.exceptions import NotFoundError
from civicbill.core.money import format_cents
from civicbill.core.permissions import has_permission
from civicbill.customers.models import Account
from civicbill.web.autopay_forms import (
    BankChangeForm,
    CancelDraftForm,
    DraftForm,
    EndForm,
    EnrollForm,
    EnrollmentFilterForm,
    ResolveForm,
    ReturnFileForm,
    ReturnFilterForm,
    ReviewForm,
)
from civicbill.web.ui import account_or_404, call_service, forbidden, message_service, not_found, requires

PAGE_SIZE = 100
DOCUMENT_TYPES = frozenset({
    "application/pdf", "image/png", "image/jpeg", "image/tiff", "image/gif", "audio/mpeg", "audio/wav",
    "audio/x-wav", "audio/mp4", "text/plain",
})  # fmt: skip
SECRET_FIELDS = ("account_number", "account_number_again")


def _panel_context(account: Account, **forms: Any) -> dict[str, Any]:
    today = clock.today()
    autopay = selectors.account_autopay(account, today=today)
    context: dict[str, Any] = {"account": account, "autopay": autopay, "today": today}
    context["enroll_form"] = forms.get("enroll_form") or EnrollForm(
        initial={"authorized_on": today, "authorized_by": account.customer.display_name}
    )
    context["bank_form"] = forms.get("bank_form") or BankChangeForm(
        initial={
            "account_type": autopay.enrollment.account_type if autopay.enrollment else "checking",
            "authorized_on": today,
            "authorized_by": autopay.enrollment.authorized_by if autopay.enrollment else "",
        }
    )
    context["end_form"] = forms.get("end_form") or EndForm()
    context["open_form"] = forms.get("open_form", "")
    return context


def _panel_again(request: HttpRequest, account: Account, form_name: str, form: forms.Form) -> HttpResponse:
    """The account's autopay page again with the refused ``form`` open (422)."""
    context = _panel_context(account, **{f"{form_name}_form": form}, open_form=form_name)
    return render(request, "web/autopay/account_page.html", context, status=422)


def _live_enrollment_or_404(request: HttpRequest, account: Account) -> Enrollment | HttpResponse:
    enrollment = selectors.live_enrollment(account)
    if enrollment is None:
        return not_found(
            request, _("Account %(number)s is not enrolled in autopay.") % {"number": account.number}
        )
    return enrollment


def _account_autopay_url(account: Account) -> str:
    return reverse("account", args=[account.number]) + "#autopay-heading"


# -- the account page's panel ---------------------------------------------------------------------------
@requires("autopay.view")
def account_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The Autopay panel (loaded in place by htmx on the account page; a page of its own without it)."""
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    template = (
        "web/autopay/account_panel.html"
        if getattr(request, "htmx", False)
        else "web/autopay/account_page.html"
    )
    return render(request, template, _panel_context(account))


def _bank_details(form: EnrollForm | BankChangeForm) -> dict[str, Any]:
    """The bank account a valid enrollment or bank-change form names, as the services take it."""
    data = form.cleaned_data
    return {
        "routing_number": data["routing_number"],
        "account_number": data["account_number"],
        "account_type": data["account_type"],
        "authorization": form.authorization(),
    }


def _bank_label(enrollment: Enrollment) -> str:
    """``Checking ****6789``: how a message names the bank account (masked)."""
    return f"{enrollment.get_account_type_display()} {enrollment.masked_account_number}"


@sensitive_post_parameters(*SECRET_FIELDS)
@require_POST
@requires("autopay.enroll")
def enroll(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = EnrollForm(request.POST, request.FILES)
    if form.is_valid():
        enrollment = call_service(
            form,
            services.autopay_enroll,
            account=account,
            **_bank_details(form),
            holder_name=form.cleaned_data["holder_name"],
            as_of=clock.now(),
            actor=request.user,
        )
        if enrollment is not None:
            messages.success(
                request,
                _(
                    "Autopay enrolled: %(bank)s. A prenote goes with the next draft file; "
                    "drafting starts after it."
                )
                % {"bank": _bank_label(enrollment)},
            )
            return redirect(_account_autopay_url(account))
    return _panel_again(request, account, "enroll", form)


@sensitive_post_parameters(*SECRET_FIELDS)
@require_POST
@requires("autopay.enroll")
def bank_change(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    enrollment = _live_enrollment_or_404(request, account)
    if isinstance(enrollment, HttpResponse):
        return enrollment
    form = BankChangeForm(request.POST, request.FILES)
    if form.is_valid():
        changed = call_service(
            form,
            services.autopay_bank_change,
            enrollment=enrollment,
            **_bank_details(form),
            note=form.cleaned_data["note"],
            as_of=clock.now(),
            actor=request.user,
        )
        if changed is not None:
            messages.success(
                request,
                _("Bank details changed to %(bank)s; a new prenote goes with the next draft file.")
                % {"bank": _bank_label(changed)},
            )
            return redirect(_account_autopay_url(account))
    return _panel_again(request, account, "bank", form)


@require_POST
@requires("autopay.enroll")
def end(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    enrollment = _live_enrollment_or_404(request, account)
    if isinstance(enrollment, HttpResponse):
        return enrollment
    form = EndForm(request.POST)
    if form.is_valid():
        call_service(
            form,
            services.autopay_end,
            enrollment=enrollment,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            as_of=clock.now(),
            actor=request.user,
        )
        if not form.errors:
            messages.success(request, _("Autopay ended; nothing more will be drafted for this account."))
            return redirect(_account_autopay_url(account))
    return _panel_again(request, account, "end", form)


# -- enrollments -------------------------------------------------------------------------------------------
@requires("autopay.view")
def enrollments_list(request: HttpRequest) -> HttpResponse:
    form = EnrollmentFilterForm(request.GET or None)
    status = query = ""
    if form.is_bound and form.is_valid():
        status, query = form.cleaned_data["status"], form.cleaned_data["q"]
    page = Paginator(selectors.enrollments_list(status=status or None, query=query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "web/autopay/enrollments.html",
        {"form": form, "page": page, "counts": selectors.status_counts(), "status": status, "query": query},
    )


# -- draft files ---------------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@requires("autopay.view")
def drafts_list(request: HttpRequest) -> HttpResponse:
    """The draft files, newest first, and (for autopay.draft) the form that creates one."""
    today = clock.today()
    form = DraftForm(
        request.POST or None,
        initial={"effective_date": banking.banking_calendar().add_business_days(today, 1)},
    )
    if request.method == "POST":
        if not has_permission(request.user, "autopay.draft"):
            return forbidden(request, "autopay.draft")
        if form.is_valid():
            draft_file = call_service(
                form,
                services.ach_draft_create,
                effective_date=form.cleaned_data["effective_date"],
                as_of=clock.now(),
                actor=request.user,
            )
            if draft_file is not None:
                messages.success(
                    request,
                    _("Draft file %(name)s written: %(debits)s debits for %(total)s, %(prenotes)s prenotes.")
                    % {
                        "name": draft_file.file_name,
                        "debits": draft_file.debit_count,
                        "total": format_cents(draft_file.total_debit_cents),
                        "prenotes": draft_file.prenote_count,
                    },
                )
                return redirect("autopay-draft", draft_file_id=draft_file.pk)
    page = Paginator(selectors.draft_files_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "web/autopay/drafts.html", {"form": form, "page": page}, status=422 if form.errors else 200
    )


def _draft_or_404(request: HttpRequest, draft_file_id: int) -> DraftFile | HttpResponse:
    try:
        return selectors.draft_file_get(draft_file_id)
    except NotFoundError as error:
        return not_found(request, error.message)


@requires("autopay.view")
def draft_page(request: HttpRequest, draft_file_id: int) -> HttpResponse:
    draft_file = _draft_or_404(request, draft_file_id)
    if isinstance(draft_file, HttpResponse):
        return draft_file
    today = clock.today()
    context = {
        "draft_file": draft_file,
        "entries": selectors.draft_file_entries(draft_file, today=today),
        "outcome": selectors.draft_file_outcome(draft_file, today=today),
        "cancel_form": CancelDraftForm(),
        "can_cancel": draft_file.status == DraftFile.Status.CREATED and today < draft_file.effective_date,
    }
    return render(request, "web/autopay/draft.html", context)


@requires("autopay.draft")
def draft_download(request: HttpRequest, draft_file_id: int) -> HttpResponse:
    """The NACHA file itself, for the bank (it carries the customers' account numbers)."""
    draft_file = _draft_or_404(request, draft_file_id)
    if isinstance(draft_file, HttpResponse):
        return draft_file
    response = HttpResponse(selectors.draft_file_bytes(draft_file), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{draft_file.file_name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@requires("autopay.draft")
def draft_cancel(request: HttpRequest, draft_file_id: int) -> HttpResponse:
    draft_file = _draft_or_404(request, draft_file_id)
    if isinstance(draft_file, HttpResponse):
        return draft_file
    form = CancelDraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the draft file is cancelled."))
        return redirect("autopay-draft", draft_file_id=draft_file.pk)
    message_service(
        request,
        _("Draft file %(name)s cancelled; its payments were voided.") % {"name": draft_file.file_name},
        services.ach_draft_cancel,
        draft_file=draft_file,
        reason=form.cleaned_data["reason"],
        as_of=clock.now(),
        actor=request.user,
    )
    return redirect("autopay-draft", draft_file_id=draft_file.pk)


# -- returns -------------------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@requires("autopay.view")
def returns_list(request: HttpRequest) -> HttpResponse:
    """Return files (upload one, for autopay.returns), every return with its outcome, unmatched first."""
    form = ReturnFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not has_permission(request.user, "autopay.returns"):
            return forbidden(request, "autopay.returns")
        if form.is_valid():
            upload = form.cleaned_data["file"]
            record = call_service(
                form,
                services.ach_returns_import,
                content=upload.read(),
                file_name=upload.name or "returns.ach",
                as_of=clock.now(),
                actor=request.user,
            )
            if record is not None:
                messages.success(
                    request,
                    _(
                        "%(name)s: %(returns)s returns, %(changes)s notifications of change, "
                        "%(unmatched)s unmatched."
                    )
                    % {
                        "name": record.file_name,
                        "returns": record.return_count,
                        "changes": record.change_count,
                        "unmatched": record.unmatched_count,
                    },
                )
                return redirect("autopay-return-file", return_file_id=record.pk)
    filter_form = ReturnFilterForm(request.GET or None)
    outcome = filter_form.cleaned_data["outcome"] if filter_form.is_bound and filter_form.is_valid() else ""
    items = Paginator(selectors.return_items(outcome=outcome or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "filter_form": filter_form,
        "items": items,
        "unmatched": list(selectors.unmatched_returns()),
        "files": list(selectors.return_files_list()[:20]),
        "resolve_form": ResolveForm(),
    }
    return render(request, "web/autopay/returns.html", context, status=422 if form.errors else 200)


@requires("autopay.view")
def return_file_page(request: HttpRequest, return_file_id: int) -> HttpResponse:
    try:
        record = selectors.return_file_get(return_file_id)
    except NotFoundError as error:
        return not_found(request, error.message)
    items = list(selectors.return_items(return_file=record))
    return render(request, "web/autopay/return_file.html", {"record": record, "items": items})


@require_POST
@requires("autopay.returns")
def return_resolve(request: HttpRequest, return_id: int) -> HttpResponse:
    try:
        item = selectors.return_item_get(return_id)
    except NotFoundError as error:
        return not_found(request, error.message)
    form = ResolveForm(request.POST)
    if form.is_valid():
        message_service(
            request,
            _("Return %(id)s resolved.") % {"id": item.pk},
            services.ach_return_resolve,
            ach_return=item,
            trace_number=form.cleaned_data["trace_number"],
            as_of=clock.now(),
            actor=request.user,
        )
    else:
        messages.error(request, _("A trace number has 15 digits."))
    return redirect(reverse("autopay-returns") + f"?outcome={AchReturn.Outcome.UNMATCHED.value}")


# -- the review queue: late returns and notifications of change not applied ----------------------------------
@requires("autopay.view")
def review_list(request: HttpRequest) -> HttpResponse:
    """Items waiting for staff: late returns (dishonor or accept) and notifications of change that
    were not applied (acknowledge), oldest first; then the latest decisions."""
    context = {
        "waiting": list(selectors.review_queue()),
        "decided": list(selectors.review_decided()[:50]),
        "review_form": ReviewForm(),
    }
    return render(request, "web/autopay/review.html", context)


@require_POST
@requires("autopay.returns")
def review_decide(request: HttpRequest, return_id: int) -> HttpResponse:
    try:
        item = selectors.return_item_get(return_id)
    except NotFoundError as error:
        return not_found(request, error.message)
    form = ReviewForm(request.POST)
    if form.is_valid():
        message_service(
            request,
            _("Return %(id)s: decision recorded.") % {"id": item.pk},
            services.ach_return_review,
            ach_return=item,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
            as_of=clock.now(),
            actor=request.user,
        )
    else:
        messages.error(request, _("Choose a decision and say why."))
    return redirect("autopay-review")


@requires("autopay.enroll")
def authorization_document(request: HttpRequest, authorization_id: int) -> HttpResponse:
    """The copy of an authorization (it may show the bank account number: staff who enroll only)."""
    try:
        authorization = selectors.authorization_get(authorization_id)
    except NotFoundError as error:
        return not_found(request, error.message)
    if not authorization.has_document:
        return not_found(request, _("This authorization has no attached copy."))
    content_type = authorization.document_content_type
    response = HttpResponse(
        selectors.authorization_document_bytes(authorization),
        # the type the uploader claimed is served only when it is a harmless one
        content_type=content_type if content_type in DOCUMENT_TYPES else "application/octet-stream",
    )
    name = "".join(c for c in authorization.document_name if c.isalnum() or c in "._- ") or "authorization"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- the monthly report ----------------------------------------------------------------------------------
def _month(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(f"{(text or '').strip()}-01")
    except ValueError:
        return None


@requires("autopay.view")
def report(request: HttpRequest) -> HttpResponse:
    """The month's drafts and returns (return rate by code); ``?format=csv`` downloads it."""
    month = _month(request.GET.get("month")) or clock.today().replace(day=1)
    built = selectors.monthly_report(month)
    if request.GET.get("format") == "csv":
        response = HttpResponse(monthly_report_csv(built), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="autopay-{month:%Y-%m}.csv"'
        return response
    return render(request, "web/autopay/report.html", {"report": built, "month": month})
