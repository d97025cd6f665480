"""What an account owes and since when, bill by bill (pure: no Django).

Built from the account's receivable movements (ledger) with the same rule payments use
(``payments.allocation.open_items``: credits settle deposits, then penalties, then charges, oldest first),
then each open item is tied to the bill whose journal entry made it (same service, same accounting date),
so it carries that bill's due date. An item no bill made is due:
- on its accounting date when it is a conversion opening balance (legacy arrears) or a penalty;
- otherwise (a reconnection fee, a deposit, a returned payment, an adjustment) when the first bill
  issued on or after it is due — the customer is told of it on that bill; until such a bill exists it
  is treated as due :data:`UNBILLED_DUE_DAYS` days after it was posted.

Days delinquent are counted from the due date (a bill due 2026-11-21 is 1 day past due on 11-22); the
policy's grace days matter for penalties only (collections.policy).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from civicbill.payments.allocation import CHARGE, PENALTY, Movement, open_items

UNBILLED_DUE_DAYS = 30  # an item no bill has carried yet is due this many days after it was posted
DUE_WHEN_POSTED = ("conversion", "penalty")  # source types due on their own accounting date


@dataclass(frozen=True, slots=True)
class BillRef:
    """An issued (or later cancelled) bill, as the ledger dated its entry."""

    bill_id: int
    number: str
    accounting_date: dt.date
    bill_date: dt.date
    due_date: dt.date
    services: frozenset[str]  # the services the bill charged


@dataclass(frozen=True, slots=True)
class OpenBillItem:
    service: str
    kind: str  # payments.allocation kinds: deposit, penalty, charge
    accounting_date: dt.date
    due_date: dt.date
    open_cents: int  # still owed, > 0
    bill_id: int | None = None
    bill_number: str = ""
    bill_date: dt.date | None = None

    def days_past_due(self, as_of: dt.date) -> int:
        return max((as_of - self.due_date).days, 0)


@dataclass(frozen=True, slots=True)
class AccountDelinquency:
    account_id: int
    balance_cents: int  # the net balance, credits included (negative: the account is in credit)
    items: tuple[OpenBillItem, ...]  # open debit items, oldest due first

    def past_due_items(self, as_of: dt.date, *, grace_days: int = 0) -> list[OpenBillItem]:
        """Items whose due date plus ``grace_days`` is before ``as_of``."""
        return [item for item in self.items if (as_of - item.due_date).days > grace_days]

    def past_due_cents(self, as_of: dt.date, *, grace_days: int = 0) -> int:
        return sum(item.open_cents for item in self.past_due_items(as_of, grace_days=grace_days))

    def oldest_due_date(self, as_of: dt.date) -> dt.date | None:
        """The due date of the oldest item still unpaid and past due on ``as_of``."""
        past = self.past_due_items(as_of)
        return min(item.due_date for item in past) if past else None

    def days_delinquent(self, as_of: dt.date) -> int:
        """Days the oldest unpaid bill is past its due date on ``as_of`` (0 when nothing is past due)."""
        oldest = self.oldest_due_date(as_of)
        return 0 if oldest is None else (as_of - oldest).days

    def bills_past_due(self, as_of: dt.date, *, grace_days: int = 0) -> dict[int, int]:
        """bill id -> cents still owed on it, for bills past due + ``grace_days`` on ``as_of``."""
        owed: dict[int, int] = {}
        for item in self.past_due_items(as_of, grace_days=grace_days):
            if item.bill_id is not None:
                owed[item.bill_id] = owed.get(item.bill_id, 0) + item.open_cents
        return owed


def account_delinquency(
    account_id: int, movements: Iterable[Movement], bills: Iterable[BillRef]
) -> AccountDelinquency:
    """The account's open items tied to their bills. ``movements`` in posting order; ``bills`` are the
    account's issued bills (a later bill wins when two share an accounting date and a service)."""
    moves = list(movements)
    by_day_service: Mapping[tuple[dt.date, str], BillRef] = {
        (bill.accounting_date, service): bill
        for bill in sorted(bills, key=lambda b: (b.accounting_date, b.bill_id))
        for service in bill.services
    }
    posted_due = {
        (m.accounting_date, m.service) for m in moves if m.source_type in DUE_WHEN_POSTED and m.net_cents > 0
    }
    bill_days = sorted({(bill.accounting_date, bill.due_date) for bill in by_day_service.values()})
    items: list[OpenBillItem] = []
    for item in open_items(moves):
        bill = by_day_service.get((item.accounting_date, item.service)) if item.kind == CHARGE else None
        if bill is None:
            due = _due_without_bill(item.kind, item.accounting_date, item.service, posted_due, bill_days)
            items.append(OpenBillItem(item.service, item.kind, item.accounting_date, due, item.amount_cents))
        else:
            items.append(
                OpenBillItem(
                    item.service,
                    item.kind,
                    item.accounting_date,
                    bill.due_date,
                    item.amount_cents,
                    bill.bill_id,
                    bill.number,
                    bill.bill_date,
                )
            )
    items.sort(key=lambda i: (i.due_date, i.accounting_date, i.service))
    return AccountDelinquency(account_id, sum(m.net_cents for m in moves), tuple(items))


def _due_without_bill(
    kind: str,
    day: dt.date,
    service: str,
    posted_due: set[tuple[dt.date, str]],
    bill_days: list[tuple[dt.date, dt.date]],
) -> dt.date:
    """The due date of an open item no bill made (module doc)."""
    if kind == PENALTY or (day, service) in posted_due:
        return day
    later = [due for billed_on, due in bill_days if billed_on >= day]
    return min(later) if later else day + dt.timedelta(days=UNBILLED_DUE_DAYS)
