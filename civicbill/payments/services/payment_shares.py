"""How a payment applies to an account: its shares per service (the counter's allocation order,
:mod:`civicbill.payments.allocation`) and its posting lines (Dr cash per fund / Cr the account's
receivable per service), or the lines of money held in suspense. Shared by the payment files, ACH
debits, suspense applied later and customer deposits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from civicbill.core.money import Money
from civicbill.core.utility_services import Fund
from civicbill.ledger import chart
from civicbill.ledger.models import SourceType
from civicbill.ledger.posting import PostingLine
from civicbill.payments.allocation import (
    CREDIT,
    DEFAULT_POLICY,
    AllocationPolicy,
    Movement,
    allocate,
    credit_service_for,
    open_items,
)
from civicbill.payments.models import AllocationKind


@dataclass(frozen=True, slots=True)
class Share:
    service: str
    kind: str
    fund: str
    gl_code: str
    amount_cents: int


@cache
def _service_accounts(service: str) -> tuple[str, str]:
    """(fund, receivable control code) of a service: the chart is code, so each is looked up once."""
    return chart.fund_for(service), chart.receivable_control_for(service).code


@cache
def _cash_code(fund: str) -> str:
    return chart.cash_for(fund).code


def shares_for(
    movements: list[Movement], amount_cents: int, policy: AllocationPolicy = DEFAULT_POLICY
) -> list[Share]:
    """How a payment of ``amount_cents`` applies to an account with these receivable movements."""
    credit_service = credit_service_for((m.service for m in movements), policy)
    shares = []
    for allocation in allocate(
        amount_cents=amount_cents,
        items=open_items(movements, policy=policy),
        policy=policy,
        credit_service=credit_service,
    ):
        kind = AllocationKind.CREDIT.value if allocation.kind == CREDIT else str(allocation.kind)
        fund, gl_code = _service_accounts(allocation.service)
        shares.append(Share(allocation.service, kind, fund, gl_code, allocation.amount_cents))
    return shares


def apply_payment(
    movements: dict[int, list[Movement]],
    *,
    account_id: int,
    amount_cents: int,
    paid_on: dt.date,
    policy: AllocationPolicy = DEFAULT_POLICY,
) -> list[Share]:
    """The shares of a payment on ``account_id``, recorded in ``movements`` (the batch's receivable
    movements per account) so that the account's next payment in the batch applies after it."""
    account_movements = movements.setdefault(account_id, [])
    shares = shares_for(account_movements, amount_cents, policy)
    account_movements.extend(
        Movement(share.service, SourceType.PAYMENT, paid_on, -share.amount_cents) for share in shares
    )
    return shares


def payment_lines(account_id: int, shares: Sequence[Share]) -> list[PostingLine]:
    """Dr cash per fund / Cr the account's receivable per service."""
    by_fund: dict[str, int] = defaultdict(int)
    credits: dict[tuple[str, str], int] = defaultdict(int)
    for share in shares:
        by_fund[share.fund] += share.amount_cents
        credits[(share.gl_code, share.service)] += share.amount_cents
    amounts: dict[int, Money] = {}  # a fund's debit and its service's credit are often the same amount
    lines = []
    for fund, cents in sorted(by_fund.items()):
        amount = amounts[cents] = Money.from_cents(cents)
        lines.append(PostingLine.debit(_cash_code(fund), amount))
    for (code, service), cents in credits.items():
        amount = amounts.get(cents) or Money.from_cents(cents)
        lines.append(PostingLine.credit(code, amount, customer_account_id=account_id, service=service))
    return lines


def suspense_lines(amount_cents: int) -> list[PostingLine]:
    amount = Money.from_cents(amount_cents)
    return [
        PostingLine.debit(chart.cash_for(Fund.GENERAL).code, amount),
        PostingLine.credit(chart.SUSPENSE_UNAPPLIED_CASH, amount),
    ]
