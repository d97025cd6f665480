"""The counter (cashiering): my drawer, take a payment, receipts, misc receipts, voids, closing a drawer,
the supervisor's review and the day close. The payments services do the work and check permissions
again; these views only validate, call and show."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from civicbill.core import clock
from civicbill.core.accounts import second_person_approval
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.money import AmountLimitError, Money, MoneyError, format_cents
from civicbill.core.permissions import has_permission
from civicbill.customers import selectors as customer_selectors
from civicbill.customers.search import account_search
from civicbill.ledger import selectors as ledger_selectors
from civicbill.payments import selectors
from civicbill.payments import services as payment_services
from civicbill.payments.models import CashDrawer, DayClose, DrawerSession, Payment, ReceiptCode
from civicbill.payments.receipts import deposit_slip_html, deposit_slip_pdf, receipt_document, receipt_html
from civicbill.payments.receipts import receipt_pdf as render_receipt_pdf
from civicbill.payments.tenders import CASH_DENOMINATIONS_CENTS
from civicbill.web.permissions import requires
from civicbill.web.views.counter_forms import (
    ApproveForm,
    DrawerAddForm,
    DrawerCloseForm,
    DrawerOpenForm,
    MiscReceiptForm,
    PaymentForm,
    VoidForm,
    amount_problem,
)

SCAN_LINE = re.compile(r"^[\d\s-]{20,40}$")
SESSION_RECEIPTS_SHOWN = 200


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/not_found.html", {"message": message}, status=404)


def _new_key() -> str:
    return f"web:{uuid.uuid4().hex}"


def _refusal(form: Any, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _tender_rows(session: DrawerSession) -> dict[str, Any]:
    totals = selectors.session_tender_totals(session)
    labels = {"cash": _("Cash"), "check": _("Check"), "money_order": _("Money order"), "card": _("Card")}
    return {
        "totals": totals,
        "by_kind": [(labels.get(kind, kind), cents) for kind, cents in totals.by_kind],
        "expected_cash_cents": session.starting_float_cents + totals.cash_cents,
    }


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
            **_tender_rows(session),
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
            _refusal(form, error)
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
            try:
                payment = payment_services.payment_take(
                    session=session,
                    accounts=accounts,
                    tenders=form.tenders(),
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    payer_name=form.cleaned_data["payer_name"],
                    as_of=clock.now(),
                    actor=request.user,
                    large_tender_confirmed=form.cleaned_data["confirm_large_tender"],
                )
            except ApplicationError as error:
                _refusal(form, error)
            else:
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
        try:
            payment = payment_services.misc_receipt_take(
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
        except ApplicationError as error:
            _refusal(form, error)
        else:
            return redirect("counter-receipt", number=payment.receipt_number)
    status = 422 if request.method == "POST" else 200
    return render(request, "web/counter/misc.html", {"form": form, "session": session}, status=status)


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
        return _not_found(request, _("There is no receipt %(number)s.") % {"number": number})
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
        return _not_found(request, _("There is no receipt %(number)s.") % {"number": number})
    document = receipt_document(payment, reprint=request.GET.get("reprint") == "1")
    return HttpResponse(receipt_html(document))


@requires("payments.view")
def receipt_pdf(request: HttpRequest, number: str) -> HttpResponse:
    payment = _payment(number)
    if payment is None:
        return _not_found(request, _("There is no receipt %(number)s.") % {"number": number})
    document = receipt_document(payment, reprint=request.GET.get("reprint") == "1")
    response = HttpResponse(render_receipt_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{payment.receipt_number}.pdf"'
    return response


@require_POST
@requires("payments.take")
def receipt_reprint(request: HttpRequest, number: str) -> HttpResponse:
    payment = _payment(number)
    if payment is None:
        return _not_found(request, _("There is no receipt %(number)s.") % {"number": number})
    payment_services.receipt_reprint(payment=payment, actor=request.user)
    return redirect(reverse("counter-receipt", args=[number]) + "?reprint=1")


@require_http_methods(["GET", "POST"])
@requires("payments.take")
def receipt_void(request: HttpRequest, number: str) -> HttpResponse:
    """Void with a supervisor present: they type their user name and password on this screen."""
    payment = _payment(number)
    if payment is None:
        return _not_found(request, _("There is no receipt %(number)s.") % {"number": number})
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
                _refusal(form, error)
        if approver is not None:
            try:
                payment_services.payment_void(
                    payment=payment,
                    reason=form.cleaned_data["reason"],
                    approved_by=approver,
                    as_of=clock.now(),
                    actor=request.user,
                )
            except ApplicationError as error:
                _refusal(form, error)
            else:
                messages.success(
                    request,
                    _("Receipt %(number)s is void (approved by %(user)s).")
                    % {"number": number, "user": approver.username},
                )
                return redirect("counter-receipt", number=number)
    status = 422 if request.method == "POST" else 200
    return render(request, "web/counter/void.html", {"form": form, "payment": payment}, status=status)


# -- closing a drawer, review and approval -------------------------------------------------------------
def _session(session_id: int) -> DrawerSession | None:
    return (
        DrawerSession.objects.select_related("drawer__location", "cashier", "approved_by")
        .filter(pk=session_id)
        .first()
    )


@require_http_methods(["GET", "POST"])
@requires("drawers.close")
def session_close(request: HttpRequest, session_id: int) -> HttpResponse:
    """Count by denomination and by tender; the service works out expected vs counted."""
    session = _session(session_id)
    if session is None:
        return _not_found(request, _("There is no drawer session %(id)s.") % {"id": session_id})
    if session.status != DrawerSession.Status.OPEN:
        return redirect("counter-session", session_id=session.pk)
    form = DrawerCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        counts = [
            payment_services.CountLine(
                "cash", data.get(f"cash_{cents}") or 0, denomination=Money.from_cents(cents)
            )
            for cents in CASH_DENOMINATIONS_CENTS
            if data.get(f"cash_{cents}")
        ]
        for kind, count, total in (
            ("check", "check_count", "check_total"),
            ("money_order", "money_order_count", "money_order_total"),
            ("card", "card_count", "card_total"),
        ):
            if data[count] or (data[total] and data[total].is_positive()):
                counts.append(
                    payment_services.CountLine(kind, data[count], amount=data[total] or Money.zero())
                )
        try:
            closed = payment_services.drawer_session_close(
                session=session, counts=counts, as_of=clock.now(), actor=request.user, note=data["note"]
            )
        except ApplicationError as error:
            _refusal(form, error)
        else:
            messages.success(
                request,
                _("Drawer %(drawer)s is closed. Over/short: %(amount)s.")
                % {
                    "drawer": closed.drawer.code,
                    "amount": format_cents(closed.over_short_cents or 0, credit_style="parentheses"),
                },
            )
            return redirect("counter-session", session_id=closed.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "session": session}
    return render(request, "web/counter/close.html", context, status=status)


def _comparison(session: DrawerSession) -> list[dict[str, Any]]:
    if session.status == DrawerSession.Status.OPEN:
        return []
    rows = [
        (_("Cash"), session.expected_cash_cents, session.counted_cash_cents),
        (_("Checks and money orders"), session.expected_checks_cents, session.counted_checks_cents),
        (_("Card"), session.expected_card_cents, session.counted_card_cents),
    ]
    table: list[dict[str, Any]] = [
        {
            "label": label,
            "expected": e or 0,
            "counted": c or 0,
            "difference": (c or 0) - (e or 0),
            "difference_abs": abs((c or 0) - (e or 0)),
        }
        for label, e, c in rows
    ]
    table.append(
        {
            "label": _("Total"),
            "expected": sum(r["expected"] for r in table),
            "counted": sum(r["counted"] for r in table),
            "difference": session.over_short_cents or 0,
            "difference_abs": abs(session.over_short_cents or 0),
            "total": True,
        }
    )
    return table


@requires("payments.view")
def session_page(request: HttpRequest, session_id: int) -> HttpResponse:
    """A session: float, receipts, the count and expected vs counted; closed sessions are read-only."""
    session = _session(session_id)
    if session is None:
        return _not_found(request, _("There is no drawer session %(id)s.") % {"id": session_id})
    receipts = list(
        Payment.objects.filter(session=session).select_related("account", "receipt_code").order_by("pk")
    )
    context = {
        "session": session,
        "receipts": receipts,
        "counts": list(session.counts.all()),
        "comparison": _comparison(session),
        "can_approve": session.status == DrawerSession.Status.CLOSED
        and has_permission(request.user, "drawers.approve")
        and session.cashier_id != request.user.pk,
        "can_close": session.status == DrawerSession.Status.OPEN
        and has_permission(request.user, "drawers.close")
        and (session.cashier_id == request.user.pk or has_permission(request.user, "drawers.approve")),
        "approve_form": ApproveForm(),
        **_tender_rows(session),
    }
    return render(request, "web/counter/session.html", context)


@require_POST
@requires("drawers.approve")
def session_approve(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(session_id)
    if session is None:
        return _not_found(request, _("There is no drawer session %(id)s.") % {"id": session_id})
    form = ApproveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        payment_services.drawer_session_approve(
            session=session, as_of=clock.now(), actor=request.user, note=note
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Drawer %(drawer)s of %(cashier)s approved.")
            % {"drawer": session.drawer.code, "cashier": session.cashier.username},
        )
    return redirect(reverse("counter-sessions") + f"?date={session.business_date.isoformat()}")


def _date_param(request: HttpRequest) -> dt.date:
    return parse_date(request.GET.get("date", "") or "") or clock.today()


@require_http_methods(["GET", "POST"])
@requires("payments.view")
def sessions_list(request: HttpRequest) -> HttpResponse:
    """The supervisor's review: every session of a day (closed ones to approve), and adding a drawer."""
    day = _date_param(request)
    add_form = (
        DrawerAddForm(request.POST or None) if has_permission(request.user, "payments.manage") else None
    )
    if request.method == "POST":
        if add_form is None:
            return render(request, "web/forbidden.html", {"permission": "payments.manage"}, status=403)
        if add_form.is_valid():
            try:
                drawer = payment_services.drawer_create(actor=request.user, **add_form.cleaned_data)
            except ApplicationError as error:
                _refusal(add_form, error)
            else:
                messages.success(request, _("Drawer %(code)s added.") % {"code": drawer.code})
                return redirect("counter-sessions")
    found = list(selectors.sessions(business_date=day))
    for session in found:
        session.over_short_abs = abs(session.over_short_cents or 0)  # type: ignore[attr-defined]
    context = {
        "day": day,
        "sessions": found,
        "to_approve": [s for s in found if s.status == DrawerSession.Status.CLOSED],
        "drawers": list(CashDrawer.objects.select_related("location")),
        "add_form": add_form,
        "can_approve": has_permission(request.user, "drawers.approve"),
    }
    status = 422 if add_form is not None and add_form.errors else 200
    return render(request, "web/counter/sessions.html", context, status=status)


# -- day close -----------------------------------------------------------------------------------------
def _labelled(mapping: dict[str, int], labels: dict[str, str]) -> list[tuple[str, int]]:
    return [(labels.get(key, key), cents) for key, cents in mapping.items()]


_TENDER_LABELS = {"cash": "Cash", "check": "Check", "money_order": "Money order", "card": "Card"}


@require_http_methods(["GET", "POST"])
@requires("day.close")
def day_close_page(request: HttpRequest) -> HttpResponse:
    """Blocked with a list while sessions are open or unapproved; then totals, the deposit and its slip."""
    day = parse_date(request.POST.get("date", "") or "") if request.method == "POST" else None
    day = day or _date_param(request)
    error = ""
    if request.method == "POST":
        try:
            payment_services.day_close(business_date=day, as_of=clock.now(), actor=request.user)
        except ApplicationError as refused:
            error = refused.message
        else:
            messages.success(request, _("Business day %(day)s is closed.") % {"day": day.isoformat()})
            return redirect(reverse("counter-day") + f"?date={day.isoformat()}")
    closed = DayClose.objects.filter(business_date=day).select_related("closed_by").first()
    tender_labels = {k: _(v) for k, v in _TENDER_LABELS.items()}
    context: dict[str, Any] = {"day": day, "closed": closed, "error": error}
    if closed is not None:
        totals = closed.totals
        context.update(
            by_tender=_labelled(totals.get("by_tender", {}), tender_labels),
            by_code=list(totals.get("by_receipt_code", {}).items()),
            by_fund=list(totals.get("by_fund", {}).items()),
            deposit=getattr(closed, "deposit", None),
            items=selectors.day_deposit_items(day),
        )
    else:
        found = list(selectors.sessions(business_date=day))
        tenders = selectors.day_tender_totals(day)
        context.update(
            blockers=[s for s in found if s.status != DrawerSession.Status.APPROVED],
            session_count=len(found),
            by_tender=_labelled(dict(tenders.by_kind), tender_labels),
            by_code=list(selectors.day_totals_by_receipt_code(day).items()),
            by_fund=list(selectors.day_totals_by_fund(day).items()),
            receipts_cents=tenders.total_cents,
        )
    status = 422 if error else 200
    return render(request, "web/counter/day_close.html", context, status=status)


@requires("payments.view")
def deposit_slip(request: HttpRequest, day: str) -> HttpResponse:
    """The printable deposit slip of a closed day (``?format=pdf`` for the PDF)."""
    date = parse_date(day)
    if date is None:
        return _not_found(request, _("%(day)s is not a date.") % {"day": day})
    try:
        deposit = selectors.deposit_of_day(date)
    except NotFoundError as error:
        return _not_found(request, error.message)
    items = selectors.day_deposit_items(date)
    language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("en", "es") else "en"
    if request.GET.get("format") == "pdf":
        response = HttpResponse(
            deposit_slip_pdf(deposit, items, language=language), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="deposit-{deposit.slip_number}.pdf"'
        return response
    return HttpResponse(deposit_slip_html(deposit, items, language=language))
