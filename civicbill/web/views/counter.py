"""The counter (cashiering), the cashier's side: my drawer (open it, its running totals), take a
payment (one search box, one or several accounts) and misc receipts. Receipts and voids are in
``counter_receipts``, closing a drawer and the supervisor's review in ``counter_sessions``, the day
close in ``counter_day``. The payments services do the work and check permissions again; these views
only validate, call and show."""

from __future__ import annotations

import contextlib
import re
import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.money import AmountLimitError, Money, MoneyError, format_cents
from civicbill.core.permissions import has_permission
from civicbill.customers import selectors as customer_selectors
from civicbill.customers.search import account_search
from civicbill.ledger import selectors as ledger_selectors
from civicbill.payments import selectors
from civicbill.payments import services as payment_services
from civicbill.payments.models import CashDrawer, Payment, ReceiptCode
from civicbill.web.counter_forms import DrawerOpenForm, MiscReceiptForm, PaymentForm, amount_problem
from civicbill.web.ui import call_service, form_refusal, requires
from civicbill.web.views.counter_sessions import tender_rows

SCAN_LINE = re.compile(r"^[\d\s-]{20,40}$")
SESSION_RECEIPTS_SHOWN = 200


def _new_key() -> str:
    return f"web:{uuid.uuid4().hex}"


# -- my drawer -----------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@requires("drawers.open")
def my_drawer(request: HttpRequest) -> HttpResponse:
    """The cashier's open session with its running totals, or the form to open one."""
    session = selectors.open_session_of(request.user)
    if session is not None:
        receipts = list(
            Payment.objects.filter(session=session)
            .select_related("account", "receipt_code")
            .order_by("-pk")[:SESSION_RECEIPTS_SHOWN]
        )
        context = {
            "session": session,
            "receipts": receipts,
            "can_misc": has_permission(request.user, "misc_receipts.take"),
            **tender_rows(session),
        }
        return render(request, "web/counter/my_drawer.html", context)
    drawers = [
        (d.code, f"{d.code} — {d.name} ({d.location.name})")
        for d in CashDrawer.objects.filter(is_active=True).select_related("location")
    ]
    form = DrawerOpenForm(request.POST or None, drawers=drawers)
    if request.method == "POST" and form.is_valid():
        try:
            session = payment_services.drawer_session_open(
                drawer=selectors.drawer_by_code(form.cleaned_data["drawer"]),
                starting_float=form.cleaned_data["starting_float"],
                as_of=clock.now(),
                actor=request.user,
            )
        except ApplicationError as error:
            form_refusal(form, error)
        else:
            messages.success(
                request,
                _("Drawer %(drawer)s is open with a float of %(float)s.")
                % {"drawer": session.drawer.code, "float": format_cents(session.starting_float_cents)},
            )
            return redirect("counter")
    status = 422 if form.errors else 200
    return render(request, "web/counter/open.html", {"form": form, "drawers": drawers}, status=status)


# -- take a payment ------------------------------------------------------------------------------------
_SERVICE_LABELS = {"water": "Water", "sewer": "Sewer", "refuse": "Refuse", "fire_line": "Fire line"}


def _account_rows(numbers: list[str], prefill: dict[str, Money]) -> tuple[list[dict[str, Any]], list[str]]:
    """Each selected account with its balance, what it owes by service, and the amount to pay."""
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: set[int] = set()
    for number in numbers:
        try:
            account = customer_selectors.account_get(number)
        except NotFoundError as error:
            problems.append(error.message)
            continue
        if account.pk in seen:
            continue
        seen.add(account.pk)
        balance = ledger_selectors.account_balance(account)
        due_by_service: dict[str, int] = {}
        for item in selectors.account_open_items(account):
            due_by_service[item.service] = due_by_service.get(item.service, 0) + item.amount_cents
        due = Money.from_cents(sum(due_by_service.values()))
        amount = prefill.get(account.number, due if due.is_positive() else None)
        rows.append(
            {
                "account": account,
                "balance": balance,
                "due": due,
                "due_by_service": [
                    (_(_SERVICE_LABELS.get(k, k)), c) for k, c in sorted(due_by_service.items())
                ],
                "amount": "" if amount is None else str(amount),
            }
        )
    return rows, problems


def _search(query: str) -> tuple[list[Any], str | None, Money | None, str]:
    """Hits for the counter's search box: a scan line names one account (and the amount on the stub)."""
    if SCAN_LINE.match(query) and len(re.sub(r"\D", "", query)) >= 20:
        try:
            account, scan = selectors.account_by_scan_line(query)
        except NotFoundError as error:
            return [], None, None, error.message
        return [], account.number, scan.amount_due, ""
    hits = account_search(query, limit=25)
    if len(hits) == 1:
        return [], hits[0].number, None, ""
    return hits, None, None, ""


@require_http_methods(["GET", "POST"])
@requires("payments.take")
def take_payment(request: HttpRequest) -> HttpResponse:
    """One search box (number, name, address, scan line); pay one or several accounts at once."""
    session = selectors.open_session_of(request.user)
    if session is None:
        messages.error(request, _("Open your drawer before taking payments."))
        return redirect("counter")
    source = request.POST if request.method == "POST" else request.GET
    numbers = [n for n in source.getlist("a") if n.strip()]
    query = request.GET.get("q", "").strip()
    hits: list[Any] = []
    prefill: dict[str, Money] = {}
    search_error = ""
    if query:
        hits, found, amount, search_error = _search(query)
        if found and found not in numbers:
            numbers.append(found)
        if found and amount is not None:
            prefill[found] = amount
    if request.method == "POST":
        for number in numbers:
            with contextlib.suppress(MoneyError):
                prefill[number] = Money.parse(request.POST.get(f"amount-{number}", ""))
    rows, problems = _account_rows(numbers, prefill)
    form = PaymentForm(request.POST or None, initial={"idempotency_key": _new_key()})
    amount_errors: dict[str, str] = {}
    if request.method == "POST":
        accounts = []
        for row in rows:
            number = row["account"].number
            text = request.POST.get(f"amount-{number}", "").strip()
            try:
                amount = Money.parse(text)
            except AmountLimitError as error:
                amount_errors[number] = amount_problem(text, error)
                continue
            except MoneyError:
                amount_errors[number] = _("“%(text)s” is not an amount.") % {"text": text[:40]}
                continue
            if not amount.is_zero():
                accounts.append(payment_services.AccountAmount(row["account"], amount))
        if form.is_valid() and not amount_errors:
            payment = call_service(
                form,
                payment_services.payment_take,
                session=session,
                accounts=accounts,
                tenders=form.tenders(),
                idempotency_key=form.cleaned_data["idempotency_key"],
                payer_name=form.cleaned_data["payer_name"],
                as_of=clock.now(),
                actor=request.user,
                large_tender_confirmed=form.cleaned_data["confirm_large_tender"],
            )
            if payment is not None:
                return redirect("counter-receipt", number=payment.receipt_number)
    for row in rows:
        row["error"] = amount_errors.get(row["account"].number, "")
    context = {
        "session": session,
        "form": form,
        "query": query,
        "hits": hits,
        "rows": rows,
        "numbers": [row["account"].number for row in rows],
        "problems": [*problems, *([search_error] if search_error else [])],
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "web/counter/pay.html", context, status=status)


# -- misc receipts -------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@requires("misc_receipts.take")
def misc_receipt(request: HttpRequest) -> HttpResponse:
    session = selectors.open_session_of(request.user)
    if session is None:
        messages.error(request, _("Open your drawer before taking payments."))
        return redirect("counter")
    codes = list(ReceiptCode.objects.filter(is_active=True))
    choices = [
        (c.code, f"{c.code} — {c.description}" + (f" ({c.reference_label})" if c.reference_label else ""))
        for c in codes
    ]
    form = MiscReceiptForm(request.POST or None, codes=choices, initial={"idempotency_key": _new_key()})
    if request.method == "POST" and form.is_valid():
        payment = call_service(
            form,
            payment_services.misc_receipt_take,
            session=session,
            receipt_code=form.cleaned_data["receipt_code"],
            amount=form.cleaned_data["amount"],
            reference=form.cleaned_data["reference"],
            tenders=form.tenders(),
            idempotency_key=form.cleaned_data["idempotency_key"],
            payer_name=form.cleaned_data["payer_name"],
            language=request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("en", "es") else "en",
            as_of=clock.now(),
            actor=request.user,
            large_tender_confirmed=form.cleaned_data["confirm_large_tender"],
        )
        if payment is not None:
            return redirect("counter-receipt", number=payment.receipt_number)
    status = 422 if request.method == "POST" else 200
    return render(request, "web/counter/misc.html", {"form": form, "session": session}, status=status)
