"""Property: whatever sequence of postings and reversals happens, the books stay in order.

Hypothesis generates short random sequences (bills, payments, penalties, credits on random
accounts, services and amounts; reversals of random earlier entries, some of them refused). After
each sequence: check-books passes, the customer balances add up to the receivable control
accounts, each account's balance equals a simple model's, and every reversed entry nets to zero.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger.models import JournalEntry, JournalLine
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.selectors import account_balances, check_books, subledger_vs_control
from civicbill.ledger.services import entry_post, entry_reverse
from tests.fixtures.accounts import build_account

SERVICES = ["water", "sewer", "refuse", "fire_line"]
KINDS = ["bill", "payment", "penalty", "credit"]


@dataclass(frozen=True)
class Post:
    kind: str
    account_index: int
    service: str
    amount_cents: int


@dataclass(frozen=True)
class Reverse:
    target_index: int


operations = st.lists(
    st.one_of(
        st.builds(
            Post,
            st.sampled_from(KINDS),
            st.integers(0, 2),
            st.sampled_from(SERVICES),
            st.integers(1, 10_000_000),
        ),
        st.builds(Reverse, st.integers(0, 20)),
    ),
    min_size=1,
    max_size=10,
)


def lines_for(op: Post, account: Account) -> tuple[list[PostingLine], int]:
    """The entry's lines and its effect on the customer's balance (cents, + owed)."""
    amount = Money.from_cents(op.amount_cents)
    receivable = chart.receivable_control_for(op.service).code
    subledger = {"customer_account_id": account.pk, "service": op.service}
    if op.kind == "bill":
        other = chart.revenue_for(op.service).code
        return [
            PostingLine.debit(receivable, amount, **subledger),
            PostingLine.credit(other, amount),
        ], op.amount_cents
    if op.kind == "penalty":
        other = chart.penalty_revenue_for(op.service).code
        return [
            PostingLine.debit(receivable, amount, **subledger),
            PostingLine.credit(other, amount),
        ], op.amount_cents
    other = (
        chart.cash_for(chart.fund_for(op.service)) if op.kind == "payment" else chart.revenue_for(op.service)
    ).code
    return [
        PostingLine.debit(other, amount),
        PostingLine.credit(receivable, amount, **subledger),
    ], -op.amount_cents


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_books_stay_in_order_after_any_sequence_of_postings_and_reversals(
    technician: User, supervisor: User, ops: list[Post | Reverse]
) -> None:
    with transaction.atomic():
        accounts = [build_account(rows_only=True) for _ in range(3)]
        expected_cents: dict[int, int] = defaultdict(int)
        posted: list[tuple[JournalEntry, int, int]] = []  # (entry, account id, effect on its balance)
        reversed_ids: set[object] = set()
        day = dt.date(2026, 9, 1)
        for number, op in enumerate(ops):
            day += dt.timedelta(days=1)
            if isinstance(op, Post):
                account = accounts[op.account_index]
                lines, effect_cents = lines_for(op, account)
                entry = entry_post(
                    lines=lines,
                    accounting_date=day,
                    source_type=op.kind if op.kind != "credit" else "adjustment",
                    source_ref=f"op {number}",
                    idempotency_key=f"op:{number}",
                    reason="property",
                    actor=technician,
                )
                posted.append((entry, account.pk, effect_cents))
                expected_cents[account.pk] += effect_cents
            elif posted:
                entry, account_id, effect_cents = posted[op.target_index % len(posted)]
                refusable = entry.pk in reversed_ids or entry.reverses_id is not None
                count_before = JournalEntry.objects.count()
                try:
                    reversal = entry_reverse(
                        entry=entry, reason="property", accounting_date=day, actor=supervisor
                    )
                except ApplicationError as error:
                    assert refusable, error.message
                    assert JournalEntry.objects.count() == count_before
                    event("a reversal was refused")
                    continue
                assert not refusable
                event("an entry was reversed")
                reversed_ids.add(entry.pk)
                posted.append((reversal, account_id, -effect_cents))
                expected_cents[account_id] += -effect_cents

        report = check_books()
        assert report.ok, [(check.name, check.problems) for check in report.failed]
        balances = account_balances([a.pk for a in accounts])
        assert {pk: m.cents for pk, m in balances.items()} == {a.pk: expected_cents[a.pk] for a in accounts}
        control_cents = sum(tie.control_balance.cents for tie in subledger_vs_control())
        assert sum(m.cents for m in balances.values()) == control_cents
        for original_id in reversed_ids:
            net: dict[tuple[object, ...], int] = defaultdict(int)
            for gl, account_id, service, debit, credit in JournalLine.objects.filter(
                entry_id__in=[original_id, JournalEntry.objects.get(reverses_id=original_id).pk]
            ).values_list("gl_account_id", "customer_account_id", "service", "debit_cents", "credit_cents"):
                net[(gl, account_id, service)] += debit - credit
            assert set(net.values()) == {0}
        transaction.set_rollback(True)
