"""Payments from other channels, for back-office staff: upload a lockbox or online payment file and
see what it did, the suspense queue (apply an item to an account), a returned check (NSF), refunds of
credit balances (request, supervisor approval) and the GL export. The payments services do the
work and check permissions again; these views validate, call and show."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.money import Money, format_cents
from civicbill.customers import selectors as customer_selectors
from civicbill.customers.search import account_search
from civicbill.ledger import selectors as ledger_selectors
from civicbill.ledger.export import gl_export
from civicbill.ledger.models import GLExport
from civicbill.payments import selectors
from civicbill.payments import services as payment_services
from civicbill.payments.models import PaymentImport, Refund, ReturnedItem, SuspenseItem
from civicbill.payments.services.refunds import refund_waits
from civicbill.web.counter_forms import MoneyField
from civicbill.web.ui import (
    DateInput,
    StaffForm,
    account_or_404,
    call_service,
    form_refusal,
    not_found,
    requires,
)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
RECENT_IMPORTS = 20


# -- forms ---------------------------------------------------------------------------------------------
class PaymentFileForm(StaffForm):
    refusal_field = "file"  # a refusal about the file's format or content goes on the file
    file_format = forms.ChoiceField(label=gettext_lazy("File format"), choices=PaymentImport.Format.choices)
    file = forms.FileField(label=gettext_lazy("Payment file"))
    processor = forms.CharField(
        label=gettext_lazy("Processor (online files; blank: the usual one)"), max_length=40, required=False
    )
    new_batch = forms.BooleanField(
        label=gettext_lazy(
            "A new batch: the bank sent a second, different batch under the same lockbox id and date"
        ),
        required=False,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext_lazy("The file is larger than 50 MB; split it or import it with the command line.")
            )
        return upload


class SuspenseApplyForm(StaffForm):
    service_fields = {"number": "account", "": "account"}  # account lookups name no field, or "number"
    account = forms.CharField(label=gettext_lazy("Account number"), max_length=20)
    note = forms.CharField(label=gettext_lazy("Note (why this account)"), max_length=300, required=False)


class ReturnForm(StaffForm):
    receipt = forms.CharField(label=gettext_lazy("Receipt number"), max_length=20)
    reason = forms.CharField(label=gettext_lazy("Reason (e.g. NSF, account closed)"), max_length=200)
    charge_fee = forms.BooleanField(
        label=gettext_lazy("Charge the returned-item fee"), required=False, initial=True
    )


class RefundRequestForm(StaffForm):
    amount = MoneyField(label=gettext_lazy("Amount to refund"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)
    payee_name = forms.CharField(
        label=gettext_lazy("Pay to (blank: the customer)"), max_length=120, required=False
    )
    mailing_address = forms.CharField(
        label=gettext_lazy("Mail to (blank: the customer's mailing address)"), max_length=300, required=False
    )


class RefundDecisionForm(StaffForm):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class GLExportForm(StaffForm):
    date = forms.DateField(label=gettext_lazy("Accounting date"), widget=DateInput)
    again = forms.BooleanField(
        label=gettext_lazy("Export this date again (it was already exported)"), required=False
    )


# -- payment files -------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@requires("payments.import")
def file_upload(request: HttpRequest) -> HttpResponse:
    """Upload a lockbox or online payment file; the result page shows what was posted and held."""
    form = PaymentFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = call_service(
            form,
            payment_services.payment_file_import,
            content=upload.read(),
            file_name=upload.name or "upload",
            file_format=form.cleaned_data["file_format"],
            as_of=clock.now(),
            actor=request.user,
            processor=form.cleaned_data["processor"],
            new_batch=form.cleaned_data["new_batch"],
        )
        if result is not None:
            record = result.payment_import
            messages.success(
                request,
                _("Imported %(file)s: %(posted)s payments posted, %(held)s to suspense, %(bad)s bad rows.")
                % {
                    "file": record.file_name,
                    "posted": record.posted_count,
                    "held": record.suspense_count,
                    "bad": record.error_count,
                },
            )
            return redirect("payments-file", import_id=record.pk)
    recent = PaymentImport.objects.select_related("imported_by")[:RECENT_IMPORTS]
    status = 422 if form.errors else 200
    return render(request, "web/payments/files.html", {"form": form, "recent": recent}, status=status)


@requires("payments.view")
def file_result(request: HttpRequest, import_id: int) -> HttpResponse:
    """One imported file: totals, the payments posted, the rows held in suspense, the bad rows."""
    record = PaymentImport.objects.select_related("imported_by").filter(pk=import_id).first()
    if record is None:
        return not_found(request, _("There is no payment file import %(id)s.") % {"id": import_id})
    result = payment_services.ImportResult(record)
    context = {
        "record": record,
        "payments": result.payments,
        "suspense": result.suspense_items,
        "errors": record.errors,
        "unread_cents": record.total_cents - record.posted_cents - record.suspense_cents,
    }
    return render(request, "web/payments/file_result.html", context)


# -- suspense ------------------------------------------------------------------------------------------
@requires("payments.suspense")
def suspense_list(request: HttpRequest) -> HttpResponse:
    """Open suspense items, oldest first (``?all=1``: applied ones too)."""
    show_all = request.GET.get("all") == "1"
    items = list(payment_services.suspense_queue(status=None if show_all else SuspenseItem.Status.OPEN))
    context = {
        "items": items,
        "show_all": show_all,
        "open_cents": sum(i.amount_cents for i in items if i.status == "open"),
    }
    return render(request, "web/payments/suspense.html", context)


@require_http_methods(["GET", "POST"])
@requires("payments.suspense")
def suspense_apply(request: HttpRequest, item_id: int) -> HttpResponse:
    """Find the account (search box) and apply the item to it; audited."""
    item = payment_services.suspense_queue(status=None).filter(pk=item_id).first()
    if item is None:
        return not_found(request, _("There is no suspense item %(id)s.") % {"id": item_id})
    query = request.GET.get("q", "").strip()
    hits = account_search(query, limit=15) if query else []
    picked = request.GET.get("pick", "").strip()
    initial = {"account": picked or (hits[0].number if len(hits) == 1 else item.account_number_text)}
    form = SuspenseApplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account = customer_selectors.account_get(form.cleaned_data["account"].strip())
            payment = payment_services.suspense_apply(
                item=item,
                account=account,
                as_of=clock.now(),
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            form_refusal(form, error)
        else:
            messages.success(
                request,
                _("Suspense item %(id)s (%(amount)s) applied to account %(account)s as receipt %(receipt)s.")
                % {
                    "id": item.pk,
                    "amount": format_cents(item.amount_cents),
                    "account": account.number,
                    "receipt": payment.receipt_number,
                },
            )
            return redirect("payments-suspense")
    status = 422 if form.errors else 200
    context = {"item": item, "form": form, "hits": hits, "search_query": query}
    return render(request, "web/payments/suspense_apply.html", context, status=status)


# -- returned check ------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@requires("payments.return")
def payment_return(request: HttpRequest) -> HttpResponse:
    """A payment the bank returned (NSF): find it by receipt number, give the reason, record it."""
    receipt = (request.POST.get("receipt") or request.GET.get("receipt") or "").strip()
    payment = None
    lookup_error = ""
    if receipt:
        try:
            payment = selectors.payment_for_receipt(receipt)
        except NotFoundError as error:
            lookup_error = error.message
    form = ReturnForm(request.POST or None, initial={"receipt": receipt, "charge_fee": True})
    if request.method == "POST" and form.is_valid() and payment is not None:
        returned = call_service(
            form,
            payment_services.payment_return,
            payment=payment,
            reason=form.cleaned_data["reason"],
            as_of=clock.now(),
            actor=request.user,
            charge_fee=form.cleaned_data["charge_fee"],
        )
        if returned is not None:
            fee = format_cents(returned.fee_cents)
            messages.success(
                request,
                _(
                    "Receipt %(receipt)s recorded as returned (%(amount)s); returned-item fee %(fee)s; "
                    "the account is noted."
                )
                % {
                    "receipt": payment.receipt_number,
                    "amount": format_cents(payment.amount_cents),
                    "fee": fee,
                },
            )
            if payment.account is not None:
                return redirect("account", number=payment.account.number)
            return redirect("payments-return")
    if request.method == "POST" and lookup_error:
        form.add_error("receipt", lookup_error)
    already = ReturnedItem.objects.filter(payment=payment).first() if payment is not None else None
    context = {
        "form": form,
        "payment": payment,
        "already": already,
        "lookup_error": lookup_error if request.method == "GET" else "",
        "fee": format_cents(payment_services.returned_item_fee_on(clock.today()).cents),
    }
    status = 422 if form.errors else (404 if lookup_error and request.method == "GET" else 200)
    return render(request, "web/payments/return.html", context, status=status)


# -- refunds -------------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@requires("refunds.request")
def refund_request(request: HttpRequest, number: str) -> HttpResponse:
    """Ask to refund an account's credit balance; a supervisor approves it."""
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    balance = ledger_selectors.account_balance(account)
    credit = Money.from_cents(max(-balance.cents, 0))
    pending = list(Refund.objects.filter(account=account, status=Refund.Status.REQUESTED))
    form = RefundRequestForm(
        request.POST or None, initial={"amount": str(credit) if credit.is_positive() else ""}
    )
    if request.method == "POST" and form.is_valid():
        refund = call_service(
            form,
            payment_services.refund_request,
            account=account,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            payee_name=form.cleaned_data["payee_name"],
            mailing_address=form.cleaned_data["mailing_address"],
            as_of=clock.now(),
            actor=request.user,
        )
        if refund is not None:
            messages.success(
                request,
                _("Refund %(id)s of %(amount)s requested; a supervisor must approve it.")
                % {"id": refund.pk, "amount": format_cents(refund.amount_cents)},
            )
            return redirect("account", number=account.number)
    context = {"account": account, "balance": balance, "credit": credit, "pending": pending, "form": form}
    return render(request, "web/payments/refund_request.html", context, status=422 if form.errors else 200)


@requires("refunds.approve")
def refunds_list(request: HttpRequest) -> HttpResponse:
    """Refunds waiting for a supervisor, and the latest decided ones."""
    waiting = list(
        Refund.objects.filter(status=Refund.Status.REQUESTED).select_related("account", "requested_by")
    )
    today = clock.today()
    for refund in waiting:  # money behind the credit that has not cleared yet (refund_approve refuses)
        refund.waits = refund_waits(refund, on=today)  # type: ignore[attr-defined]
    decided = list(
        Refund.objects.exclude(status=Refund.Status.REQUESTED)
        .select_related("account", "decided_by")
        .order_by("-decided_at", "-pk")[:20]
    )
    return render(request, "web/payments/refunds.html", {"waiting": waiting, "decided": decided})


@require_POST
@requires("refunds.approve")
def refund_decide(request: HttpRequest, refund_id: int) -> HttpResponse:
    refund = Refund.objects.select_related("account").filter(pk=refund_id).first()
    if refund is None:
        return not_found(request, _("There is no refund %(id)s.") % {"id": refund_id})
    form = RefundDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("payments-refunds")
    try:
        if form.cleaned_data["decision"] == "approve":
            payment_services.refund_approve(
                refund=refund, as_of=clock.now(), actor=request.user, note=form.cleaned_data["note"]
            )
            messages.success(
                request, _("Refund %(id)s approved and posted as a refund payable.") % {"id": refund.pk}
            )
        else:
            payment_services.refund_reject(
                refund=refund, as_of=clock.now(), actor=request.user, note=form.cleaned_data["note"]
            )
            messages.success(request, _("Refund %(id)s rejected.") % {"id": refund.pk})
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("payments-refunds")


# -- GL export -----------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@requires("ledger.export")
def gl_export_page(request: HttpRequest) -> HttpResponse:
    """Export a day's journal for the city's financial system: the CSV downloads."""
    form = GLExportForm(request.POST or None, initial={"date": clock.today()})
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["date"]
        exported = call_service(
            form,
            gl_export,
            accounting_date=day,
            as_of=clock.now(),
            actor=request.user,
            file_name=f"gl-{day.isoformat()}.csv",
            again=form.cleaned_data["again"],
        )
        if exported is not None:
            _export, text = exported
            response = HttpResponse(text, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="gl-{day.isoformat()}.csv"'
            return response
    recent = GLExport.objects.select_related("exported_by").order_by("-exported_at", "-pk")[:20]
    context = {"form": form, "recent": recent}
    return render(request, "web/payments/gl_export.html", context, status=422 if form.errors else 200)
