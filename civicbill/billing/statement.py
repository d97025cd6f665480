"""What a bill says happened on the account since the bill before it: the one rule. Pure: no database.

The billing run (``facts.py``: the payments and the balance a bill is made with) and the bill
document (``documents/build.py``: the lines of the account summary) both ask this module, so a bill
prints exactly what it was made with.

**Which entries a bill shows** (:func:`in_statement`): the account's receivable entries dated on or
before the bill date, and not already shown by the previous bill, i.e. posted after the previous
bill was issued or dated after its bill date. Nothing dated after the bill date is on a bill (it
waits for the next one).

**What each entry is** (:func:`activity_kind`):

================== ===============================================================================
payment            a payment (counter, lockbox, online, autopay, a payment transferred in), and the
                   reversal of one (a void, a payment transferred away): a voided payment nets out,
                   so "Payments received" is money received and kept on the account
returned_payment   a payment the bank took back (NSF check, returned ACH): printed on its own line
returned_fee       the returned-item fee charged for it
deposit_applied    the service deposit applied by a final bill
other              everything else (penalties, adjustments, a cancelled bill, refunds ...): the
                   bill's "Adjustments"
================== ===============================================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

PAYMENT = "payment"
RETURNED_PAYMENT = "returned_payment"
RETURNED_FEE = "returned_fee"
DEPOSIT_APPLIED = "deposit_applied"
OTHER = "other"

# the reasons the payments app gives its entries (tests/billing/test_statement.py checks them against
# payments' own constants: returned_checks.RETURN_REASON/FEE_REASON, transfers.TRANSFER_REASON,
# taking's void, deposit_selectors.APPLIED)
PAYMENT_REVERSAL_REASONS = frozenset({"payment_void", "payment_transfer"})
RETURNED_PAYMENT_REASON = "returned_payment"
RETURNED_FEE_REASON = "returned_item_fee"
DEPOSIT_APPLIED_REASON = "deposit_applied"


def activity_kind(source_type: str, reason: str) -> str:
    """What a receivable entry is on a bill (the table above)."""
    if source_type == "payment":
        return PAYMENT
    if source_type == "reversal" and reason in PAYMENT_REVERSAL_REASONS:
        return PAYMENT
    if source_type == "returned_payment":
        return RETURNED_FEE if reason == RETURNED_FEE_REASON else RETURNED_PAYMENT
    if source_type == "deposit" and reason == DEPOSIT_APPLIED_REASON:
        return DEPOSIT_APPLIED
    return OTHER


@dataclass(frozen=True, slots=True)
class PreviousBill:
    """The bill before: when it was issued and its bill date (what it already showed)."""

    issued_at: dt.datetime
    bill_date: dt.date


def in_statement(
    *,
    posted_at: dt.datetime,
    accounting_date: dt.date,
    previous: PreviousBill | None,
    bill_date: dt.date,
    posted_through: dt.datetime | None = None,
) -> bool:
    """Whether an entry belongs on the bill dated ``bill_date`` whose previous bill is ``previous``
    (None: the account's first bill, every entry counts). ``posted_through``: the moment the bill was
    made (entries posted later were not known to it)."""
    if accounting_date > bill_date:
        return False
    if posted_through is not None and posted_at > posted_through:
        return False
    if previous is None:
        return True
    return posted_at > previous.issued_at or accounting_date > previous.bill_date


@dataclass(frozen=True, slots=True)
class Activity:
    """A bill's account activity by kind, in cents (debit-positive: payments are negative)."""

    payments: int = 0
    returned_payments: int = 0
    returned_fees: int = 0
    deposit_applied: int = 0  # negative: a credit
    other: int = 0

    @property
    def itemised(self) -> int:
        """What the account summary prints apart from payments and adjustments."""
        return self.returned_payments + self.returned_fees + self.deposit_applied


def activity(kinds_and_amounts: Iterable[tuple[str, int]]) -> Activity:
    """Sum ``(kind, cents)`` pairs into an :class:`Activity`."""
    totals = {PAYMENT: 0, RETURNED_PAYMENT: 0, RETURNED_FEE: 0, DEPOSIT_APPLIED: 0, OTHER: 0}
    for kind, cents in kinds_and_amounts:
        totals[kind] += cents
    return Activity(
        payments=totals[PAYMENT],
        returned_payments=totals[RETURNED_PAYMENT],
        returned_fees=totals[RETURNED_FEE],
        deposit_applied=totals[DEPOSIT_APPLIED],
        other=totals[OTHER],
    )
