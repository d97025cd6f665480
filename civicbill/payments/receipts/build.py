"""The receipt as a frozen view-model built from a payment (the renderer needs no ORM)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from civicbill.core import clock
from civicbill.core.money import Money
from civicbill.customers.models import Account
from civicbill.payments.models import Payment


@dataclass(frozen=True, slots=True)
class ReceiptAccountLine:
    account_number: str
    customer_name: str
    service_address: str
    amounts_by_service: tuple[tuple[str, Money], ...]  # service, amount (credit: the overpayment)
    credit: Money
    total: Money


@dataclass(frozen=True, slots=True)
class ReceiptTenderLine:
    kind: str
    amount: Money  # counts toward the payment
    tendered: Money
    detail: str  # check number and bank, card reference


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    utility_name: str
    language: str
    receipt_number: str
    received_at: dt.datetime  # in the utility's zone
    cashier: str
    drawer: str
    location: str
    payer_name: str
    accounts: tuple[ReceiptAccountLine, ...]
    misc_description: str
    misc_reference_label: str
    misc_reference: str
    tenders: tuple[ReceiptTenderLine, ...]
    total: Money
    change: Money
    is_void: bool
    void_reason: str
    is_reprint: bool


def _tender_detail(kind: str, check_number: str, bank_name: str, card_reference: str) -> str:
    if kind == "check":
        return " ".join(part for part in (f"#{check_number}", bank_name) if part.strip("#"))
    if kind == "card":
        return card_reference
    return ""


def receipt_document(
    payment: Payment, *, reprint: bool = False, language: str | None = None
) -> ReceiptDocument:
    """The receipt of ``payment`` (use ``selectors.payment_for_receipt`` to load it with its rows)."""
    by_account: dict[int, list[tuple[str, str, int]]] = {}
    accounts: dict[int, Account] = {}
    for allocation in payment.allocations.all():
        if allocation.account is None:
            continue
        accounts[allocation.account.pk] = allocation.account
        by_account.setdefault(allocation.account.pk, []).append(
            (allocation.service or "", allocation.kind, allocation.amount_cents)
        )
    lines = []
    for account_id, rows in by_account.items():
        account = accounts[account_id]
        service_cents: dict[str, int] = {}
        credit_cents = 0
        for service, kind, cents in rows:
            if kind == "credit":
                credit_cents += cents
            else:
                service_cents[service] = service_cents.get(service, 0) + cents
        lines.append(
            ReceiptAccountLine(
                account_number=account.number,
                customer_name=str(account.customer),
                service_address=str(account.premise),
                amounts_by_service=tuple((s, Money.from_cents(c)) for s, c in service_cents.items()),
                credit=Money.from_cents(credit_cents),
                total=Money.from_cents(sum(c for _, _, c in rows)),
            )
        )
    code = payment.receipt_code
    session = payment.session
    return ReceiptDocument(
        utility_name=getattr(settings, "CIVICBILL_UTILITY_NAME", "City of Coachella Utility Billing"),
        language=language or payment.language,
        receipt_number=payment.receipt_number,
        received_at=payment.received_at.astimezone(clock.utility_zone()),
        cashier=payment.taken_by.get_full_name() or payment.taken_by.username,
        drawer=session.drawer.code if session else "",
        location=session.drawer.location.name if session else "",
        payer_name=payment.payer_name,
        accounts=tuple(lines),
        misc_description=code.description if code else "",
        misc_reference_label=code.reference_label if code else "",
        misc_reference=payment.reference,
        tenders=tuple(
            ReceiptTenderLine(
                t.kind,
                Money.from_cents(t.amount_cents),
                Money.from_cents(t.tendered_cents),
                _tender_detail(t.kind, t.check_number, t.bank_name, t.card_reference),
            )
            for t in payment.tenders.all()
        ),
        total=Money.from_cents(payment.amount_cents),
        change=Money.from_cents(payment.change_cents),
        is_void=payment.status == Payment.Status.VOIDED,
        void_reason=payment.void_reason,
        is_reprint=reprint,
    )
