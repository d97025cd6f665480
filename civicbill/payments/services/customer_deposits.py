"""Service deposits held for a customer account: charged, then applied to the final bill.

A deposit lives in the ledger only; no table holds a balance (ADR 0002):

* **Charged** (``customer_deposit_charge``): entry ``deposit``/``deposit_charged``, Dr the water
  receivable naming the account (a *deposit due*, which payments settle before penalties and charges,
  ``payments.allocation``) / Cr *Customer deposits held* (500-2200, water fund).
* **Held** (:func:`civicbill.payments.deposit_selectors.customer_deposit_held_cents`): what was charged and
  not reversed, less what was applied.
* **Applied** (``customer_deposit_apply_trusted``, called by the final bill): entry
  ``deposit``/``deposit_applied``, Dr 500-2200 / Cr each service's receivable, in the order a payment
  applies (an unpaid deposit due first — which simply cancels it — then penalties, then the oldest
  charges, the final bill's own charges included); what is left over is a credit on the account, to
  be refunded (``refund_request``). A share for the sewer or refuse fund crosses funds through *due
  to / due from other funds* (Cr 500-2100 in the water fund, Dr 510-1900 or 520-1900 in the other),
  so every fund balances inside the entry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping

from django.db import transaction

from civicbill.core.actors import Actor
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError, ConflictError, NotFoundError
from civicbill.core.money import Money, format_cents
from civicbill.core.permissions import require_permission
from civicbill.core.utility_services import Fund, Service
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger.models import JournalEntry, SourceType
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.service_posting import entry_post_trusted
from civicbill.payments import deposit_selectors, locks, selectors
from civicbill.payments.allocation import Movement
from civicbill.payments.deposit_selectors import APPLIED, CHARGED, applied_key
from civicbill.payments.services.payment_shares import shares_for

MAX_DEPOSIT_CENTS = 1_000_000  # $10,000: a typo guard, not a policy
DEPOSIT_FUND = Fund.WATER  # 500-2200 Customer deposits held is a water-fund liability


@transaction.atomic
def customer_deposit_charge(
    *, account_number: str, amount: Money, memo: str, actor: Actor, as_of: dt.date, idempotency_key: str = ""
) -> JournalEntry:
    """Charge a service deposit to an open account (a receivable the next payment settles first)."""
    require_permission(actor, "deposits.charge")
    if not amount.is_positive():
        raise ApplicationError(f"A deposit is a positive amount, not {amount}", field="amount")
    if amount.cents > MAX_DEPOSIT_CENTS:
        raise ApplicationError(
            f"A deposit of {amount} is over the {format_cents(MAX_DEPOSIT_CENTS)} limit; check the amount",
            field="amount",
        )
    account = Account.objects.filter(number=account_number).first()
    if account is None:
        raise NotFoundError(f"There is no account {account_number}", field="account_number")
    [account] = locks.lock_accounts([account.pk])
    if account.status == Account.Status.CLOSED:
        raise ApplicationError(
            f"Account {account.number} is closed; a deposit is charged to an open account",
            field="account_number",
        )
    key = idempotency_key or f"deposit-charge:{account.number}:{as_of.isoformat()}:{amount.cents}"
    existing = JournalEntry.objects.filter(idempotency_key=key).first()
    if existing is not None:  # a retry (checked under the account lock): the same deposit, or refused
        asked = (SourceType.DEPOSIT, CHARGED, account.number, amount.cents, memo or "Service deposit")
        posted = (
            existing.source_type,
            existing.reason,
            existing.source_ref,
            existing.total_cents,
            existing.memo,
        )
        if posted != asked:
            raise ConflictError(
                f"Idempotency key {key!r} was already used by the deposit of "
                f"{format_cents(existing.total_cents)} on {existing.source_ref} ({existing.memo}); "
                "send the same request to retry it, or a new key for a new deposit",
                field="idempotency_key",
            )
        existing.replayed = True
        return existing
    receivable = chart.receivable_control_for(Service.WATER).code
    entry = entry_post_trusted(
        lines=[
            PostingLine.debit(receivable, amount, customer_account_id=account.pk, service=Service.WATER),
            PostingLine.credit(chart.CUSTOMER_DEPOSITS, amount),
        ],
        accounting_date=as_of,
        source_type=SourceType.DEPOSIT,
        source_ref=account.number,
        idempotency_key=key,
        reason=CHARGED,
        memo=memo or "Service deposit",
        posted_by=actor,
        closed_period_advice="a deposit cannot be charged into it",
    )
    audit_record(
        actor=actor,
        action="deposit.charge",
        target=account,
        at=entry.posted_at,
        account_number=account.number,
        summary=f"Deposit of {amount} charged to {account.number}" + (f": {memo}" if memo else ""),
        changes={"amount_cents": amount.cents, "entry": str(entry.pk)},
    )
    return entry


def customer_deposit_apply_trusted(
    *,
    account: Account,
    reference: str,
    actor: Actor,
    as_of: dt.date,
    pending_charges: Mapping[str, int] | None = None,
) -> int:
    """Apply the account's whole deposit held to what it owes (inside the caller's transaction, with
    the account locked), ``pending_charges`` (cents per service: a final bill about to be posted)
    counted as owed on ``as_of``. Returns the cents applied (0 when nothing is held). The caller
    checked its own permission (the final bill's ``billing.final_bill``)."""
    held = deposit_selectors.customer_deposit_held_cents(account.pk)
    if held <= 0:
        return 0
    movements = selectors.account_movements(account)
    movements += [
        Movement(service, SourceType.BILL, as_of, cents)
        for service, cents in (pending_charges or {}).items()
        if cents
    ]
    shares: dict[str, int] = defaultdict(int)
    for share in shares_for(movements, held):  # a left-over is a credit on the credit service
        shares[share.service] += share.amount_cents
    lines = [PostingLine.debit(chart.CUSTOMER_DEPOSITS, Money.from_cents(held))]
    for service, cents in shares.items():
        money = Money.from_cents(cents)
        fund = chart.fund_for(service)
        lines.append(
            PostingLine.credit(
                chart.receivable_control_for(service).code,
                money,
                customer_account_id=account.pk,
                service=service,
            )
        )
        if fund != DEPOSIT_FUND:
            lines.append(PostingLine.credit(chart.due_to_other_funds(DEPOSIT_FUND).code, money))
            lines.append(PostingLine.debit(chart.due_from_other_funds(fund).code, money))
    entry = entry_post_trusted(
        lines=lines,
        accounting_date=as_of,
        source_type=SourceType.DEPOSIT,
        source_ref=reference,
        idempotency_key=applied_key(reference),
        reason=APPLIED,
        memo=f"Deposit applied to {reference}",
        posted_by=actor,
        closed_period_advice="the deposit cannot be applied into it",
    )
    audit_record(
        actor=actor,
        action="deposit.apply",
        target=account,
        at=entry.posted_at,
        account_number=account.number,
        summary=f"Deposit of {format_cents(held)} applied to {reference}",
        changes={"amount_cents": held, "by_service": dict(shares), "entry": str(entry.pk)},
    )
    return held


__all__ = ["APPLIED", "CHARGED", "customer_deposit_apply_trusted", "customer_deposit_charge"]
