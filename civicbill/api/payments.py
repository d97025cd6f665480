"""Cashiering API: ``/api/drawer-sessions`` (open, close, approve), ``/api/payments`` (take with an
idempotency key, show, void with a supervisor's approval), ``/api/misc-receipts`` and ``/api/day-close``.

Amounts are sent as strings of dollars and cents (``"90.01"``; a JSON number is refused so no float
ever carries money) and come back as integer cents. The payments services check the permissions
again and enforce every rule; refusals come back as ``{"detail", "code", "field"}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field, Header, Router, Schema, Status

from civicbill.api.amounts import AmountText, parse_amount
from civicbill.api.text import MultiLine, SingleLine, column_length
from civicbill.core import clock
from civicbill.core.accounts import second_person_approval
from civicbill.core.exceptions import ApplicationError, ConflictError, NotFoundError
from civicbill.core.money import Money
from civicbill.core.permissions import require_permission
from civicbill.customers import selectors as customer_selectors
from civicbill.customers.models import Account
from civicbill.payments import selectors
from civicbill.payments import services as payment_services
from civicbill.payments.models import (
    CashDrawer,
    DayClose,
    DrawerSession,
    Payment,
    PaymentTransfer,
    ReceiptCode,
    Tender,
)

sessions_router = Router(tags=["cashiering"])
payments_router = Router(tags=["cashiering"])
misc_router = Router(tags=["cashiering"])
day_router = Router(tags=["cashiering"])

TenderKindIn = Literal["cash", "check", "money_order", "card"]
MAX_CLIENT_KEY = 100  # the key as the client sends it (stored scoped: api:<user id>:<key>)
KEY_HEADER = Header(None, alias="Idempotency-Key", max_length=MAX_CLIENT_KEY)


def _money(text: str, field: str) -> Money:
    return parse_amount(text, field)


def _session(session_id: int) -> DrawerSession:
    session = selectors.sessions().filter(pk=session_id).first()
    if session is None:
        raise NotFoundError(f"There is no drawer session {session_id}", field="session")
    return session


def session_row(session: DrawerSession) -> dict[str, Any]:
    totals = selectors.session_tender_totals(session)
    return {
        "id": session.pk,
        "drawer": session.drawer.code,
        "cashier": session.cashier.username,
        "business_date": session.business_date.isoformat(),
        "status": session.status,
        "starting_float_cents": session.starting_float_cents,
        "taken_by_tender_cents": dict(totals.by_kind),
        "taken_cents": totals.total_cents,
        "expected_cash_cents": session.expected_cash_cents,
        "counted_cash_cents": session.counted_cash_cents,
        "expected_checks_cents": session.expected_checks_cents,
        "counted_checks_cents": session.counted_checks_cents,
        "expected_card_cents": session.expected_card_cents,
        "counted_card_cents": session.counted_card_cents,
        "over_short_cents": session.over_short_cents,
        "approved_by": session.approved_by.username if session.approved_by else None,
    }


def payment_row(payment: Payment) -> dict[str, Any]:
    return {
        "receipt_number": payment.receipt_number,
        "status": payment.status,
        "business_date": payment.business_date.isoformat(),
        "received_at": payment.received_at.isoformat(),
        "session": payment.session_id,
        "taken_by": payment.taken_by.username,
        "amount_cents": payment.amount_cents,
        "change_cents": payment.change_cents,
        "language": payment.language,
        "payer_name": payment.payer_name,
        "receipt_code": payment.receipt_code.code if payment.receipt_code else None,
        "reference": payment.reference,
        "tenders": [
            {
                "kind": t.kind,
                "amount_cents": t.amount_cents,
                "tendered_cents": t.tendered_cents,
                "change_cents": t.change_cents,
                "check_number": t.check_number,
                "bank_name": t.bank_name,
                "card_reference": t.card_reference,
            }
            for t in payment.tenders.all()
        ],
        "allocations": [
            {
                "account": a.account.number if a.account else None,
                "service": a.service,
                "kind": a.kind,
                "fund": a.fund,
                "gl_code": a.gl_code,
                "amount_cents": a.amount_cents,
            }
            for a in payment.allocations.all()
        ],
        "void": (
            {
                "reason": payment.void_reason,
                "approved_by": payment.void_approved_by.username if payment.void_approved_by else None,
                "voided_at": payment.voided_at.isoformat() if payment.voided_at else None,
            }
            if payment.is_void
            else None
        ),
        "reprint_count": payment.reprint_count,
        "transfer": _transfer_row(payment),
    }


def _transfer_row(payment: Payment) -> dict[str, Any] | None:
    transfer = (
        PaymentTransfer.objects.filter(payment=payment)
        .select_related("from_account", "to_account", "transferred_by")
        .first()
    )
    if transfer is None:
        return None
    return {
        "from_account": transfer.from_account.number,
        "to_account": transfer.to_account.number,
        "amount_cents": transfer.amount_cents,
        "business_date": transfer.business_date.isoformat(),
        "transferred_at": transfer.transferred_at.isoformat(),
        "transferred_by": transfer.transferred_by.username,
        "reason": transfer.reason,
        "reversal_entry": str(transfer.reversal_entry_id),
        "entry": str(transfer.entry_id),
    }


# -- drawer sessions -----------------------------------------------------------------------------------
class SessionOpenIn(Schema):
    drawer: SingleLine = Field(
        description="Drawer code, e.g. CH-1", max_length=column_length(CashDrawer, "code")
    )
    starting_float: AmountText = Field(description='The float counted, in dollars: "200.00"')


@sessions_router.post("", response={201: dict[str, Any]}, summary="Open my drawer session")
def open_session(request: HttpRequest, payload: SessionOpenIn) -> Status[dict[str, Any]]:
    require_permission(request.user, "drawers.open")
    session = payment_services.drawer_session_open(
        drawer=selectors.drawer_by_code(payload.drawer),
        starting_float=_money(payload.starting_float, "starting_float"),
        as_of=clock.now(),
        actor=request.user,
    )
    return Status(201, session_row(_session(session.pk)))


@sessions_router.get("/{session_id}", response=dict[str, Any], summary="A drawer session and its totals")
def show_session(request: HttpRequest, session_id: int) -> dict[str, Any]:
    require_permission(request.user, "payments.view")
    return session_row(_session(session_id))


class CountIn(Schema):
    kind: TenderKindIn
    quantity: int = Field(ge=0)
    denomination: AmountText | None = Field(None, description='Cash only: the note or coin, "20.00", "0.25"')
    amount: AmountText | None = Field(None, description="Checks, money orders, cards: the total counted")


class SessionCloseIn(Schema):
    counts: list[CountIn]
    note: MultiLine = Field("", max_length=column_length(DrawerSession, "close_note"))


@sessions_router.post("/{session_id}/close", response=dict[str, Any], summary="Count and close a session")
def close_session(request: HttpRequest, session_id: int, payload: SessionCloseIn) -> dict[str, Any]:
    require_permission(request.user, "drawers.close")
    counts = [
        payment_services.CountLine(
            kind=line.kind,
            quantity=line.quantity,
            denomination=_money(line.denomination, "denomination") if line.denomination else None,
            amount=_money(line.amount, "amount") if line.amount else None,
        )
        for line in payload.counts
    ]
    session = payment_services.drawer_session_close(
        session=_session(session_id), counts=counts, as_of=clock.now(), actor=request.user, note=payload.note
    )
    return session_row(_session(session.pk))


class SessionApprovalIn(Schema):
    note: MultiLine = Field("", max_length=column_length(DrawerSession, "approval_note"))


@sessions_router.post("/{session_id}/approve", response=dict[str, Any], summary="Approve a closed session")
def approve_session(request: HttpRequest, session_id: int, payload: SessionApprovalIn) -> dict[str, Any]:
    require_permission(request.user, "drawers.approve")
    session = payment_services.drawer_session_approve(
        session=_session(session_id), as_of=clock.now(), actor=request.user, note=payload.note
    )
    return session_row(_session(session.pk))


# -- payments ------------------------------------------------------------------------------------------
class TenderIn(Schema):
    kind: TenderKindIn
    amount: AmountText = Field(description='For cash: what was handed over, "100.00"')
    check_number: SingleLine = Field("", max_length=column_length(Tender, "check_number"))
    bank_name: SingleLine = Field("", max_length=column_length(Tender, "bank_name"))
    card_reference: SingleLine = Field(
        "",
        description="The card processor's reference only; never a card number",
        max_length=column_length(Tender, "card_reference"),
    )


class AccountAmountIn(Schema):
    account: SingleLine = Field(
        description="Account number, e.g. 1000001-8", max_length=column_length(Account, "number")
    )
    amount: AmountText


class PaymentIn(Schema):
    accounts: list[AccountAmountIn]
    tenders: list[TenderIn]
    confirm_large_tender: bool = Field(
        False,
        description="True to take tenders more than 10 times the amount (over $100.00 of change) or over "
        "$10,000.00 in cash; without it such a request gets 400 large_tender_unconfirmed naming the figure",
    )
    payer_name: SingleLine = Field("", max_length=column_length(Payment, "payer_name"))
    idempotency_key: SingleLine = Field(
        "", description="Or the Idempotency-Key header", max_length=MAX_CLIENT_KEY
    )


def _tenders(rows: list[TenderIn]) -> list[payment_services.TenderInput]:
    return [
        payment_services.TenderInput(
            kind=row.kind,
            amount=_money(row.amount, "tenders.amount"),
            check_number=row.check_number,
            bank_name=row.bank_name,
            card_reference=row.card_reference,
        )
        for row in rows
    ]


def _key(request: HttpRequest, header: str | None, body: str) -> str:
    """The client's key, scoped to the signed-in user (two clients never collide)."""
    raw = (header or body or "").strip()
    if not raw:
        raise ApplicationError(
            "Send an Idempotency-Key header (or idempotency_key field) so a retried request posts once",
            code="missing_idempotency_key",
            field="idempotency_key",
        )
    if len(raw) > MAX_CLIENT_KEY:
        raise ApplicationError(
            "The idempotency key is longer than 100 characters", code="idempotency_key_too_long"
        )
    return f"api:{request.user.pk}:{raw}"


def _my_session(request: HttpRequest) -> DrawerSession:
    session = selectors.open_session_of(request.user)
    if session is None:
        raise ApplicationError(
            f"{request.user.get_username()} has no open drawer session; open one first",
            code="session_not_open",
        )
    return session


def _replayed(key: str) -> bool:
    return Payment.objects.filter(idempotency_key=key).exists()


@payments_router.post(
    "",
    response={200: dict[str, Any], 201: dict[str, Any]},
    summary="Take a payment on one or several accounts (201; a retry with the same key: 200, same payment)",
)
def take_payment(
    request: HttpRequest,
    payload: PaymentIn,
    idempotency_key: SingleLine | None = KEY_HEADER,
) -> Status[dict[str, Any]]:
    require_permission(request.user, "payments.take")
    key = _key(request, idempotency_key, payload.idempotency_key)
    accounts = []
    for row in payload.accounts:
        try:
            account = customer_selectors.account_get(row.account)
        except NotFoundError as error:
            raise NotFoundError(error.message, field="accounts") from None
        accounts.append(payment_services.AccountAmount(account, _money(row.amount, "accounts.amount")))
    replay = _replayed(key)
    payment = payment_services.payment_take(
        session=_my_session(request) if not replay else _replay_session(key),
        accounts=accounts,
        tenders=_tenders(payload.tenders),
        idempotency_key=key,
        payer_name=payload.payer_name,
        as_of=clock.now(),
        actor=request.user,
        large_tender_confirmed=payload.confirm_large_tender,
    )
    status = 200 if payment.replayed else 201  # a retry, even one racing the first: 200, same payment
    return Status(status, payment_row(selectors.payment_for_receipt(payment.receipt_number)))


def _replay_session(key: str) -> DrawerSession:
    """A retry after the drawer closed still returns its receipt (the service replays before the session)."""
    payment = Payment.objects.select_related("session").get(idempotency_key=key)
    if payment.session is None:  # not a counter payment: let the service refuse the key
        raise ConflictError(f"Idempotency key {key!r} is not a counter payment's", field="idempotency_key")
    return payment.session


@payments_router.get("/{receipt_number}", response=dict[str, Any], summary="A payment by receipt number")
def show_payment(request: HttpRequest, receipt_number: str) -> dict[str, Any]:
    require_permission(request.user, "payments.view")
    return payment_row(selectors.payment_for_receipt(receipt_number))


class VoidIn(Schema):
    reason: MultiLine = Field(max_length=column_length(Payment, "void_reason"))
    approver_username: SingleLine = Field(
        description="The supervisor approving at the counter", max_length=column_length(User, "username")
    )
    approver_password: str = Field(
        description="Their password, re-entered for this approval", max_length=4096
    )


@payments_router.post("/{receipt_number}/void", response=dict[str, Any], summary="Void a same-day payment")
def void_payment(request: HttpRequest, receipt_number: str, payload: VoidIn) -> dict[str, Any]:
    require_permission(request.user, "payments.take")
    payment = selectors.payment_for_receipt(receipt_number)
    at = clock.now()
    payment_services.payment_void_check(payment=payment, reason=payload.reason, as_of=at, actor=request.user)
    approver = second_person_approval(
        request=request,
        username=payload.approver_username,
        password=payload.approver_password,
        permission="payments.void_approve",
        requester=request.user,
        at=at,
    )
    payment_services.payment_void(
        payment=payment, reason=payload.reason, approved_by=approver, as_of=clock.now(), actor=request.user
    )
    return payment_row(selectors.payment_for_receipt(receipt_number))


class PaymentTransferIn(Schema):
    to_account: str = Field(max_length=20, description="The account the payment belongs to, e.g. 1000001-8")
    reason: str = Field(max_length=200, description="Why it is moved (audited)")


@payments_router.post(
    "/{receipt_number}/transfer",
    response=dict[str, Any],
    summary="Move a payment posted to the wrong account onto the right one",
)
def transfer_payment(request: HttpRequest, receipt_number: str, payload: PaymentTransferIn) -> dict[str, Any]:
    """Reverses the payment's entry and applies the same money to ``to_account``, both dated today
    (docs/cashiering.md, "Payment transfers"). 400 with a ``code`` when it cannot be moved
    (``already_void``, ``already_returned``, ``already_transferred``, ``same_account``,
    ``account_closed``, ``void_instead`` ...); 404 for an unknown receipt or account."""
    require_permission(request.user, "payments.transfer")
    payment = selectors.payment_for_receipt(receipt_number)
    try:
        to_account = customer_selectors.account_get(payload.to_account)
    except NotFoundError as error:
        raise NotFoundError(error.message, field="to_account") from None
    payment_services.payment_transfer(
        payment=payment, to_account=to_account, reason=payload.reason, as_of=clock.now(), actor=request.user
    )
    return payment_row(selectors.payment_for_receipt(receipt_number))


# -- misc receipts -------------------------------------------------------------------------------------
class MiscReceiptIn(Schema):
    receipt_code: SingleLine = Field(
        description="PARKING, BUSLIC, PERMIT, COPIES, OTHER", max_length=column_length(ReceiptCode, "code")
    )
    amount: AmountText
    reference: SingleLine = Field(
        "", description="Citation, license or permit number", max_length=column_length(Payment, "reference")
    )
    tenders: list[TenderIn]
    payer_name: SingleLine = Field("", max_length=column_length(Payment, "payer_name"))
    language: Literal["en", "es"] = "en"
    confirm_large_tender: bool = Field(
        False,
        description="True to take tenders more than 10 times the amount (over $100.00 of change) or over "
        "$10,000.00 in cash; without it such a request gets 400 large_tender_unconfirmed naming the figure",
    )
    idempotency_key: SingleLine = Field(
        "", description="Or the Idempotency-Key header", max_length=MAX_CLIENT_KEY
    )


@misc_router.post(
    "",
    response={200: dict[str, Any], 201: dict[str, Any]},
    summary="Take a miscellaneous receipt (201; a retry with the same key: 200)",
)
def take_misc_receipt(
    request: HttpRequest,
    payload: MiscReceiptIn,
    idempotency_key: SingleLine | None = KEY_HEADER,
) -> Status[dict[str, Any]]:
    require_permission(request.user, "misc_receipts.take")
    key = _key(request, idempotency_key, payload.idempotency_key)
    replay = _replayed(key)
    payment = payment_services.misc_receipt_take(
        session=_my_session(request) if not replay else _replay_session(key),
        receipt_code=payload.receipt_code,
        amount=_money(payload.amount, "amount"),
        reference=payload.reference,
        tenders=_tenders(payload.tenders),
        idempotency_key=key,
        payer_name=payload.payer_name,
        language=payload.language,
        as_of=clock.now(),
        actor=request.user,
        large_tender_confirmed=payload.confirm_large_tender,
    )
    status = 200 if payment.replayed else 201  # a retry, even one racing the first: 200, same payment
    return Status(status, payment_row(selectors.payment_for_receipt(payment.receipt_number)))


# -- day close -----------------------------------------------------------------------------------------
class DayCloseIn(Schema):
    date: dt.date


def day_row(day: DayClose) -> dict[str, Any]:
    deposit = getattr(day, "deposit", None)
    return {
        "business_date": day.business_date.isoformat(),
        "closed_by": day.closed_by.username,
        "payment_count": day.payment_count,
        "void_count": day.void_count,
        "receipts_cents": day.receipts_cents,
        "over_short_cents": day.over_short_cents,
        "totals": day.totals,
        "deposit": (
            {
                "slip_number": deposit.slip_number,
                "cash_cents": deposit.cash_cents,
                "checks_cents": deposit.checks_cents,
                "check_count": deposit.check_count,
                "card_cents": deposit.card_cents,
                "total_cents": deposit.total_cents,
            }
            if deposit is not None
            else None
        ),
    }


@day_router.post("", response={201: dict[str, Any]}, summary="Close a business day and make its deposit")
def close_day(request: HttpRequest, payload: DayCloseIn) -> Status[dict[str, Any]]:
    require_permission(request.user, "day.close")
    day = payment_services.day_close(business_date=payload.date, as_of=clock.now(), actor=request.user)
    return Status(201, day_row(DayClose.objects.select_related("closed_by", "deposit").get(pk=day.pk)))
