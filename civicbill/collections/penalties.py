"""Late penalties and monthly interest on delinquent bills (pure: no Django).

Gov. Code §54348 allows a city a late penalty of at most 10% of delinquent charges and interest of at
most 0.5% a month; Health & Safety Code §116914 waives a low-income household's interest once every
12 months. The collections run (step "penalties") asks :func:`assess_account` what one account owes in
penalties on the run date, given what was already assessed; the answer is a list of charges, the
interest waived, and — when the account is protected — what was not charged and why.

The rules, exactly:

- A bill is **delinquent** from the day after its due date plus the policy's grace days
  (``delinquent_on = due_date + grace_days + 1 day``): due Friday 2026-11-20 with 5 grace days, it is
  delinquent on Thursday 2026-11-26 (a holiday changes nothing: the law counts calendar days; the
  penalty posts on the first run on or after that day, dated the run date).
- Nothing is assessed unless the account's past-due amount (open items past due + grace) is at least
  ``minimum_balance_cents``.
- The **basis** of a bill is what is still unpaid on the run date of its charges on the policy's
  ``penalty_services`` (payments apply oldest first as allocation does; penalties themselves and
  charges no bill made — a conversion opening balance — carry none).
- The **late penalty** is ``penalty_percent`` of the basis, once per bill (sequence 0).
- **Interest** is ``monthly_interest_percent`` of the basis on each *monthiversary* of the
  delinquency date (sequence n on ``delinquent_on`` plus n months, the day clamped to the month's end):
  delinquent 2026-11-26, month 1 is charged on the first run on or after 2026-12-26, month 2 on or
  after 2027-01-26. Only the month reached on the run date is charged: a month passed while the
  account was protected (or without a run) is never charged later.
- **Rounding** (ADR 0001): each service's share is rounded half up to the cent on its own; the charge
  is the sum of the shares (10% of water $43.21 and sewer $32.15 is $4.32 + $3.22 = $7.54).
- A **protected** account (an honoured arrangement, a pending appeal or bill review, a moratorium) is
  charged nothing; what would have been charged is reported as skipped with the reason. A penalty so
  deferred is charged on the first run after the protection ends if the bill is still unpaid.
- **Low-income interest waiver** (§116914): a household certified low-income on the run date has its
  interest waived when no interest was waived in the 12 months before (the last waiver on
  2026-12-26 allows the next one on 2027-12-26). Every interest charge of that run is waived (recorded
  as waived, so a rerun charges nothing and the next waiver is dated from this one); the penalty is not.
- **Idempotent**: ``assessed`` holds the keys (bill, kind, sequence) already charged or waived; they are
  never charged again.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from civicbill.collections.delinquency import AccountDelinquency, OpenBillItem
from civicbill.collections.policy import LOW_INCOME_INTEREST_WAIVER_MONTHS, CollectionsPolicy
from civicbill.core.money import Money
from civicbill.payments.allocation import CHARGE

PENALTY = "penalty"
INTEREST = "interest"

Key = tuple[int, str, int]  # (bill id, kind, sequence)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the end of a shorter month (Jan 31 + 1 = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def months_reached(start: dt.date, on: dt.date) -> int:
    """How many monthiversaries of ``start`` fall on or before ``on`` (0 before the first)."""
    if on < start:
        return 0
    months = (on.year - start.year) * 12 + on.month - start.month
    while months > 0 and add_months(start, months) > on:
        months -= 1
    return months


def delinquent_on(due_date: dt.date, grace_days: int) -> dt.date:
    """The first day a bill due on ``due_date`` is delinquent."""
    return due_date + dt.timedelta(days=grace_days + 1)


@dataclass(frozen=True, slots=True)
class ServiceShare:
    service: str
    basis_cents: int
    amount_cents: int


@dataclass(frozen=True, slots=True)
class Charge:
    """A penalty or one month's interest on one bill."""

    bill_id: int
    bill_number: str
    kind: str  # penalty | interest
    sequence: int  # 0 for the penalty; the month number for interest
    due_date: dt.date
    delinquent_on: dt.date
    charged_from: dt.date  # the day it became chargeable (delinquency date or the monthiversary)
    shares: tuple[ServiceShare, ...]
    rule: str

    @property
    def key(self) -> Key:
        return (self.bill_id, self.kind, self.sequence)

    @property
    def basis_cents(self) -> int:
        return sum(share.basis_cents for share in self.shares)

    @property
    def amount_cents(self) -> int:
        return sum(share.amount_cents for share in self.shares)

    def split(self) -> dict[str, int]:
        return {share.service: share.amount_cents for share in self.shares}


@dataclass(frozen=True, slots=True)
class AccountAssessment:
    account_id: int
    charges: tuple[Charge, ...] = ()  # to post
    waived: tuple[Charge, ...] = ()  # interest waived for a low-income household (§116914)
    skipped: tuple[Charge, ...] = ()  # not charged: the account is protected
    skipped_because: str = ""

    @property
    def amount_cents(self) -> int:
        return sum(charge.amount_cents for charge in self.charges)

    def amounts_by_service(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for charge in self.charges:
            for share in charge.shares:
                totals[share.service] = totals.get(share.service, 0) + share.amount_cents
        return {service: cents for service, cents in totals.items() if cents}


def _shares(
    items: list[OpenBillItem], percent: Decimal, services: tuple[str, ...]
) -> tuple[ServiceShare, ...]:
    basis: dict[str, int] = {}
    for item in items:
        if item.kind == CHARGE and item.service in services:
            basis[item.service] = basis.get(item.service, 0) + item.open_cents
    factor = percent / Decimal(100)
    order = {service: rank for rank, service in enumerate(services)}
    return tuple(
        ServiceShare(service, cents, Money.from_cents(cents).times(factor).cents)
        for service, cents in sorted(basis.items(), key=lambda pair: order[pair[0]])
        if cents > 0
    )


def due_charges(
    delinquency: AccountDelinquency, *, policy: CollectionsPolicy, run_date: dt.date, assessed: frozenset[Key]
) -> list[Charge]:
    """The penalties and interest chargeable on ``run_date`` and not yet assessed (protections and
    the low-income waiver aside)."""
    grace = policy.grace_days
    if delinquency.past_due_cents(run_date, grace_days=grace) < policy.minimum_balance_cents:
        return []
    by_bill: dict[int, list[OpenBillItem]] = {}
    for item in delinquency.past_due_items(run_date, grace_days=grace):
        if item.bill_id is not None:
            by_bill.setdefault(item.bill_id, []).append(item)
    charges: list[Charge] = []
    for bill_id, items in by_bill.items():
        first = items[0]
        start = delinquent_on(first.due_date, grace)
        if (bill_id, PENALTY, 0) not in assessed and policy.penalty_percent > 0:
            shares = _shares(items, policy.penalty_percent, policy.penalty_services)
            if sum(share.amount_cents for share in shares):
                charges.append(
                    Charge(bill_id, first.bill_number, PENALTY, 0, first.due_date, start, start, shares,
                           f"{policy.penalty_percent}% late penalty on bill {first.bill_number}: unpaid "
                           f"{grace} days after its due date {first.due_date:%Y-%m-%d} (Gov. Code §54348)")
                )  # fmt: skip
        month = months_reached(start, run_date)
        if month >= 1 and (bill_id, INTEREST, month) not in assessed and policy.monthly_interest_percent > 0:
            shares = _shares(items, policy.monthly_interest_percent, policy.penalty_services)
            if sum(share.amount_cents for share in shares):
                since = add_months(start, month)
                charges.append(
                    Charge(bill_id, first.bill_number, INTEREST, month, first.due_date, start, since, shares,
                           f"{policy.monthly_interest_percent}% interest, month {month} of bill "
                           f"{first.bill_number} delinquent since {start:%Y-%m-%d} (Gov. Code §54348)")
                )  # fmt: skip
    charges.sort(key=lambda c: (c.due_date, c.bill_id, c.kind != PENALTY, c.sequence))
    return charges


def waiver_allowed(last_waiver_on: dt.date | None, run_date: dt.date) -> bool:
    """§116914: at most one low-income interest waiver in any 12 months."""
    return last_waiver_on is None or run_date >= add_months(last_waiver_on, LOW_INCOME_INTEREST_WAIVER_MONTHS)


def assess_account(
    delinquency: AccountDelinquency,
    *,
    policy: CollectionsPolicy,
    run_date: dt.date,
    assessed: frozenset[Key] = frozenset(),
    protected_because: str = "",
    low_income: bool = False,
    last_waiver_on: dt.date | None = None,
) -> AccountAssessment:
    """What to charge one account on ``run_date`` (see the module's rules). ``protected_because``
    names what protects it from penalties ("" when nothing does)."""
    charges = due_charges(delinquency, policy=policy, run_date=run_date, assessed=assessed)
    account_id = delinquency.account_id
    if not charges:
        return AccountAssessment(account_id)
    if protected_because:
        return AccountAssessment(account_id, skipped=tuple(charges), skipped_because=protected_because)
    interest = [charge for charge in charges if charge.kind == INTEREST]
    if low_income and interest and waiver_allowed(last_waiver_on, run_date):
        return AccountAssessment(
            account_id,
            charges=tuple(charge for charge in charges if charge.kind != INTEREST),
            waived=tuple(interest),
        )
    return AccountAssessment(account_id, charges=tuple(charges))


def protection_reason(*, in_arrangement: bool, appeal_pending: bool, moratorium: str | None) -> str:
    """Why an account is not penalised today, in staff words ("" when nothing protects it)."""
    if moratorium is not None:
        return f"emergency moratorium: {moratorium}"
    if appeal_pending:
        return "a bill review or appeal is pending"
    if in_arrangement:
        return "an honoured payment arrangement"
    return ""
