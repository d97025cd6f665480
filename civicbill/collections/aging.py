"""Aging of receivables: each account's open items by days past their bill's due date. Pure.

Derived from the ledger, never stored. The open items are collections' delinquency items (paid oldest
first as payments apply, each carrying the due date of the bill that made it; an item no bill made is
due on its own date). An item is *current* until its due date has passed (due today: current), then
1–30, 31–60, 61–90, 91–120 and over 120 days past due. A credit (a service whose receivable is below
zero: an overpayment) is its own column, negative, so that the net total equals the sum of the account
balances, credits included, and each fund's total equals its GL receivable control.

Per service: open items and a credit never coexist (payments.allocation: a credit settles the
service's open items first, a later charge consumes the credit first), so the service's balance minus
its open items is the credit (<= 0). A positive remainder would mean the items lost a charge: it is
reported as a problem, and ``check-books`` fails on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from civicbill.collections.delinquency import OpenBillItem
from civicbill.core.money import plain_cents
from civicbill.ledger.books import BookCheck

CURRENT = "current"
CREDIT = "credit"
BUCKETS = (CURRENT, "1_30", "31_60", "61_90", "91_120", "over_120", CREDIT)
DEBIT_BUCKETS = BUCKETS[:-1]
# (last day past due of the bucket, bucket) after current
_LIMITS = ((30, "1_30"), (60, "31_60"), (90, "61_90"), (120, "91_120"))
TIE_CHECK_NAME = "aging_ties_receivable_control"


def bucket_for(due_date: dt.date, as_of: dt.date) -> str:
    """The aging column of an item due on ``due_date``, seen on ``as_of``."""
    days = (as_of - due_date).days
    if days <= 0:
        return CURRENT
    for last_day, bucket in _LIMITS:
        if days <= last_day:
            return bucket
    return "over_120"


def empty_buckets() -> dict[str, int]:
    return dict.fromkeys(BUCKETS, 0)


@dataclass(frozen=True, slots=True)
class ServiceAging:
    """One account's aging on one service."""

    account_id: int
    service: str
    buckets: dict[str, int]  # every bucket, cents (credit <= 0)

    @property
    def total_cents(self) -> int:
        return sum(self.buckets.values())


def account_aging(
    account_id: int,
    items: Iterable[OpenBillItem],
    service_balances: Mapping[str, int],
    as_of: dt.date,
) -> tuple[list[ServiceAging], list[str]]:
    """An account's aging per service (services with a non-zero balance or open items) and the
    problems found (open items that do not add up to the service's balance)."""
    by_service: dict[str, dict[str, int]] = {}
    for item in items:
        buckets = by_service.setdefault(item.service, empty_buckets())
        buckets[bucket_for(item.due_date, as_of)] += item.open_cents
    problems: list[str] = []
    for service, balance in service_balances.items():
        if balance or service in by_service:
            buckets = by_service.setdefault(service, empty_buckets())
            remainder = balance - sum(buckets.values())
            if remainder > 0:
                problems.append(
                    f"account id {account_id} {service}: balance {plain_cents(balance)} but open items "
                    f"{plain_cents(balance - remainder)} (the items lost {plain_cents(remainder)})"
                )
            buckets[CREDIT] += remainder
    for service in by_service.keys() - service_balances.keys():
        problems.append(f"account id {account_id} {service}: open items but no balance on the service")
    return [
        ServiceAging(account_id, service, buckets) for service, buckets in sorted(by_service.items())
    ], problems


@dataclass(slots=True)
class AgingRow:
    """A group of the report (an account, a service, a fund, a class or a cycle)."""

    key: str
    buckets: dict[str, int] = field(default_factory=empty_buckets)
    account_ids: set[int] = field(default_factory=set)

    def add(self, aging: ServiceAging) -> None:
        for bucket, cents in aging.buckets.items():
            self.buckets[bucket] += cents
        self.account_ids.add(aging.account_id)

    @property
    def total_cents(self) -> int:
        return sum(self.buckets.values())

    @property
    def past_due_cents(self) -> int:
        return sum(cents for bucket, cents in self.buckets.items() if bucket not in (CURRENT, CREDIT))

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "accounts": len(self.account_ids),
            "buckets": dict(self.buckets),
            "past_due_cents": self.past_due_cents,
            "total_cents": self.total_cents,
        }


@dataclass(slots=True)
class AgingTable:
    """The report being built: totals per bucket, per fund (always) and per group (``by``)."""

    as_of: dt.date
    by: str
    rows: dict[str, AgingRow] = field(default_factory=dict)
    funds: dict[str, AgingRow] = field(default_factory=dict)
    totals: AgingRow = field(default_factory=lambda: AgingRow("total"))
    problems: list[str] = field(default_factory=list)

    def add(self, aging: ServiceAging, *, group: str, fund: str) -> None:
        self.rows.setdefault(group, AgingRow(group)).add(aging)
        self.funds.setdefault(fund, AgingRow(fund)).add(aging)
        self.totals.add(aging)

    @property
    def total_cents(self) -> int:
        return self.totals.total_cents

    def sorted_rows(self) -> list[AgingRow]:
        return [self.rows[key] for key in sorted(self.rows, key=_natural)]


def _natural(key: str) -> tuple[int, str]:
    return (0, f"{int(key):012d}") if key.isdigit() else (1, key)


def aging_tie_check(
    aging_by_fund: Mapping[str, int],
    control_by_fund: Mapping[str, int],
    *,
    as_of: dt.date,
    problems: Iterable[str] = (),
) -> BookCheck:
    """The check-books rule: the aging total of each fund equals the fund's GL receivable control on
    ``as_of``, and every account's open items add up to its balance."""
    found = list(problems)
    for fund in sorted(set(aging_by_fund) | set(control_by_fund)):
        aging, control = aging_by_fund.get(fund, 0), control_by_fund.get(fund, 0)
        if aging != control:
            found.append(
                f"{fund} fund on {as_of.isoformat()}: aging {plain_cents(aging)}, receivable control "
                f"{plain_cents(control)}, difference {plain_cents(aging - control)}"
            )
    if not found:
        funds = len(set(aging_by_fund) | set(control_by_fund))
        plural = "s" if funds != 1 else ""
        detail = f"the aging of {funds} fund{plural} equals the receivable control on {as_of.isoformat()}"
        return BookCheck(TIE_CHECK_NAME, True, detail)
    listed = tuple(found[:50])
    return BookCheck(TIE_CHECK_NAME, False, f"{len(found)} problem{'s' if len(found) != 1 else ''}", listed)
