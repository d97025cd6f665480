"""Reads of service deposits held for customer accounts (``services.customer_deposits``).

Kept apart from :mod:`civicbill.payments.selectors` because bill documents read them, and that
module reads bill scan lines: this one depends on the ledger alone.
"""

from __future__ import annotations

from django.db.models import Sum

from civicbill.ledger import chart
from civicbill.ledger.models import JournalLine, SourceType

CHARGED = "deposit_charged"  # the reasons of the two kinds of deposit entry
APPLIED = "deposit_applied"


def applied_key(reference: str) -> str:
    """The idempotency key of the entry applying a deposit to ``reference`` (a final bill)."""
    return f"deposit-applied:{reference}"


def customer_deposit_held_cents(account_id: int) -> int:
    """The deposit held for an account: deposits charged to it and not reversed, less what was
    applied (to its final bill). Two grouped sums of its receivable lines."""

    def net(reason: str) -> int:
        totals = JournalLine.objects.filter(
            customer_account_id=account_id,
            entry__source_type=SourceType.DEPOSIT,
            entry__reason=reason,
            entry__reversed_by__isnull=True,
        ).aggregate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        return int(totals["debit"] or 0) - int(totals["credit"] or 0)

    return net(CHARGED) + net(APPLIED)


def customer_deposit_applied_cents(reference: str) -> int:
    """The deposit applied to ``reference`` (a final bill's number)."""
    totals = JournalLine.objects.filter(
        entry__idempotency_key=applied_key(reference), gl_account__code=chart.CUSTOMER_DEPOSITS
    ).aggregate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
    return int(totals["debit"] or 0) - int(totals["credit"] or 0)
