"""Returned payments (NSF checks, returned ACH/online payments).

The bank takes the money back, so the payment's effect on the account is undone with a
``returned_payment`` entry: Dr the account's receivable per service the payment paid (its
allocations), Cr the cash of each fund (a payment applied from suspense: Cr 100-1000 Cash - General
Fund, with due to / due from other funds, mirroring how it was applied). It is not a ``reversal``
of the payment's own entry, because a counter payment's entry debited undeposited funds, which the
day's deposit has since moved to cash. Then a returned-item fee from the fee schedule
(:class:`~civicbill.payments.models.ReturnedItemFee`, the row in effect on the return date) is
charged: Dr 500-1210 AR water (account) / Cr 500-4510 Returned payment fees; and a note is left on
the account.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money, format_cents
from civicbill.core.permissions import require_permission
from civicbill.core.utility_services import Fund, Service
from civicbill.customers.services.notes import note_add
from civicbill.ledger import chart
from civicbill.ledger.models import SourceType
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.service_posting import entry_post_trusted
from civicbill.payments import locks
from civicbill.payments.models import (
    Channel,
    Payment,
    PaymentTransfer,
    ReturnedItem,
    ReturnedItemFee,
    SuspenseItem,
    Tender,
    TenderKind,
)
from civicbill.payments.services.transfers import transferred_allocations

RETURN_REASON = "returned_payment"
FEE_REASON = "returned_item_fee"
RETURNABLE_TENDERS = (TenderKind.CHECK, TenderKind.MONEY_ORDER)


def returned_item_fee_on(day: dt.date) -> Money:
    """The returned-item fee in effect on ``day`` (zero before the first schedule row)."""
    row = ReturnedItemFee.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    return Money.from_cents(row.amount_cents if row is not None else 0)


def return_lines(
    *, account_id: int, allocations: list[tuple[str, str, str, int]], from_suspense: bool
) -> list[PostingLine]:
    """Dr receivable per (gl_code, service) / Cr cash; ``allocations`` are (gl_code, service, fund, cents)."""
    lines = [
        PostingLine.debit(code, Money.from_cents(cents), customer_account_id=account_id, service=service)
        for code, service, _fund, cents in allocations
    ]
    by_fund: dict[str, int] = defaultdict(int)
    for _code, _service, fund, cents in allocations:
        by_fund[fund] += cents
    if not from_suspense:
        return lines + [
            PostingLine.credit(chart.cash_for(fund).code, Money.from_cents(cents))
            for fund, cents in sorted(by_fund.items())
        ]
    total = sum(by_fund.values())
    other = sum(cents for fund, cents in by_fund.items() if fund != Fund.GENERAL)
    if other:
        lines.append(PostingLine.debit(chart.due_to_other_funds(Fund.GENERAL).code, Money.from_cents(other)))
    lines += [
        PostingLine.credit(chart.due_from_other_funds(fund).code, Money.from_cents(cents))
        for fund, cents in sorted(by_fund.items())
        if fund != Fund.GENERAL
    ]
    lines.append(PostingLine.credit(chart.cash_for(Fund.GENERAL).code, Money.from_cents(total)))
    return lines


@transaction.atomic
def payment_return(
    *,
    payment: Payment,
    reason: str,
    as_of: dt.datetime,
    actor: Actor,
    charge_fee: bool = True,
    fee: Money | None = None,
) -> ReturnedItem:
    """Record that the bank returned ``payment`` (NSF ...): undo it on the account, charge the
    returned-item fee (unless ``charge_fee`` is False) and note the account. ``fee`` replaces the
    fee schedule's amount (autopay charges its configured ACH return fee)."""
    require_permission(actor, "payments.return")
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            "Say why the payment was returned (e.g. NSF)", code="missing_reason", field="reason"
        )
    if fee is not None and fee.is_negative():
        raise ApplicationError(f"A returned-item fee cannot be negative ({fee})", field="fee")
    locked = locks.lock_payment(payment.pk)
    receipt = locked.receipt_number
    if locked.status == Payment.Status.VOIDED:
        raise ApplicationError(f"Receipt {receipt} is void; there is nothing to return", code="already_void")
    if ReturnedItem.objects.filter(payment=locked).exists():
        raise ApplicationError(f"Receipt {receipt} was already returned", code="already_returned")
    if locked.account_id is None:
        raise ApplicationError(
            f"Receipt {receipt} is not a payment on one utility account; it cannot be returned here",
            code="not_an_account_payment",
        )
    if (
        locked.channel == Channel.COUNTER
        and not Tender.objects.filter(payment=locked, kind__in=RETURNABLE_TENDERS).exists()
    ):
        raise ApplicationError(
            f"Receipt {receipt} was not paid by check or money order; only those come back from the bank",
            code="not_a_check",
        )
    # a payment transferred to another account (payments.services.transfers) is taken back from it
    transfer = PaymentTransfer.objects.filter(payment=locked).first()
    account = locks.lock_accounts([locked.account_id if transfer is None else transfer.to_account_id])[0]
    returned_on = clock.business_date(as_of)
    allocations = [
        (a.gl_code, a.service or "", a.fund, a.amount_cents)
        for a in locked.allocations.order_by("pk")
        if a.account_id == account.pk
    ]
    if transfer is not None:
        allocations = transferred_allocations(transfer)
    from_suspense = SuspenseItem.objects.filter(applied_payment=locked).exists()
    amount = Money.from_cents(locked.amount_cents)
    entry = entry_post_trusted(
        lines=return_lines(account_id=account.pk, allocations=allocations, from_suspense=from_suspense),
        accounting_date=returned_on,
        source_type=SourceType.RETURNED_PAYMENT,
        source_ref=receipt,
        idempotency_key=f"returned:{receipt}",
        reason=RETURN_REASON,
        memo=f"Returned payment, receipt {receipt}: {reason}"[:500],
        posted_by=actor,
    )
    if not charge_fee:
        fee = Money.zero()
    elif fee is None:
        fee = returned_item_fee_on(returned_on)
    fee_entry = None
    if fee.is_positive():
        fee_entry = entry_post_trusted(
            lines=[
                PostingLine.debit(
                    chart.receivable_control_for(Service.WATER).code,
                    fee,
                    customer_account_id=account.pk,
                    service=Service.WATER,
                ),
                PostingLine.credit(chart.RETURNED_PAYMENT_FEES, fee),
            ],
            accounting_date=returned_on,
            source_type=SourceType.RETURNED_PAYMENT,
            source_ref=receipt,
            idempotency_key=f"returned-fee:{receipt}",
            reason=FEE_REASON,
            memo=f"Returned-item fee, receipt {receipt}",
            posted_by=actor,
        )
    returned = ReturnedItem.objects.create(
        payment=locked,
        reason=reason[:200],
        returned_on=returned_on,
        recorded_at=as_of,
        recorded_by=acting_user(actor),
        reversal_entry=entry,
        fee_cents=fee.cents,
        fee_entry=fee_entry,
    )
    fee_text = f"; returned-item fee {fee} charged" if fee.is_positive() else "; no fee charged"
    note_add(
        account=account,
        body=f"Payment returned by the bank: receipt {receipt} of {locked.business_date} for {amount} "
        f"({reason}){fee_text}.",
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="payment.return",
        target=returned,
        at=as_of,
        account_number=account.number,
        summary=f"Returned receipt {receipt} {amount} ({reason}), fee {format_cents(fee.cents)}",
        changes={"receipt_number": receipt, "amount": str(amount), "reason": reason, "fee": str(fee)},
    )
    return returned
