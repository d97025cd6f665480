"""Balances, history, trial balance and subledger ties, derived from the journal lines."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicbill.core.money import Money
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.selectors import (
    account_balance,
    account_balance_by_service,
    account_balances,
    account_history,
    subledger_vs_control,
    trial_balance,
)
from civicbill.ledger.services import entry_post, entry_reverse
from tests.fixtures.accounts import build_account
from tests.ledger.helpers import charge_lines, m, payment_lines, post_kwargs

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(technician: User, supervisor: User, time_machine: Any) -> dict[str, Any]:
    """Two accounts. Garcia: billed in August and September, paid, penalised, one bill reversed."""
    garcia, lopez = (
        build_account(rows_only=True, last_name="Garcia"),
        build_account(rows_only=True, last_name="Lopez"),
    )
    time_machine.move_to(dt.datetime(2026, 8, 15, 16, 0, tzinfo=dt.UTC), tick=False)
    august = entry_post(
        lines=charge_lines(garcia, water="40.00", sewer="41.81", refuse="25.50"),
        actor=technician,
        **post_kwargs(accounting_date=dt.date(2026, 8, 15), source_ref="BILL-1", idempotency_key="bill:1"),
    )
    entry_post(
        lines=charge_lines(lopez, water="13.80"),
        actor=technician,
        **post_kwargs(accounting_date=dt.date(2026, 8, 15), source_ref="BILL-2", idempotency_key="bill:2"),
    )
    time_machine.move_to(dt.datetime(2026, 9, 2, 17, 0, tzinfo=dt.UTC), tick=False)
    payment = entry_post(
        lines=payment_lines(garcia, water="40.00", sewer="41.81"),
        actor=technician,
        **post_kwargs(
            accounting_date=dt.date(2026, 9, 2),
            source_type="payment",
            source_ref="R-100",
            idempotency_key="payment:100",
            reason="counter_cash",
        ),
    )
    time_machine.move_to(dt.datetime(2026, 9, 10, 17, 0, tzinfo=dt.UTC), tick=False)
    penalty = entry_post(
        lines=[
            PostingLine.debit(
                chart.RECEIVABLE_REFUSE, m("2.55"), customer_account_id=garcia.pk, service="refuse"
            ),
            PostingLine.credit(chart.PENALTY_REVENUE_REFUSE, m("2.55")),
        ],
        actor=technician,
        **post_kwargs(
            accounting_date=dt.date(2026, 9, 10),
            source_type="penalty",
            source_ref="P-1",
            idempotency_key="penalty:1",
            reason="late_fee",
        ),
    )
    time_machine.move_to(dt.datetime(2026, 9, 15, 16, 0, tzinfo=dt.UTC), tick=False)
    september = entry_post(
        lines=charge_lines(garcia, water="52.00"),
        actor=technician,
        **post_kwargs(accounting_date=dt.date(2026, 9, 15), source_ref="BILL-3", idempotency_key="bill:3"),
    )
    time_machine.move_to(dt.datetime(2026, 9, 16, 16, 0, tzinfo=dt.UTC), tick=False)
    reversal = entry_reverse(
        entry=september, reason="misread", accounting_date=dt.date(2026, 9, 16), actor=supervisor
    )
    return {
        "garcia": garcia,
        "lopez": lopez,
        "august": august,
        "payment": payment,
        "penalty": penalty,
        "september": september,
        "reversal": reversal,
    }


def test_account_balance_is_receivable_debits_minus_credits(story: dict[str, Any]) -> None:
    assert account_balance(story["garcia"]) == m("28.05")  # 107.31 - 81.81 + 2.55 + 52.00 - 52.00
    assert account_balance(story["lopez"].pk) == m("13.80")
    assert account_balance(build_account(rows_only=True)) == Money.zero()


def test_account_balance_by_service(story: dict[str, Any]) -> None:
    assert account_balance_by_service(story["garcia"]) == {
        "refuse": m("28.05"),
        "sewer": m("0.00"),
        "water": m("0.00"),
    }


def test_account_balances_of_many_accounts_in_one_query(story: dict[str, Any]) -> None:
    nobody: Account = build_account(rows_only=True)
    ids = [story["garcia"].pk, story["lopez"].pk, nobody.pk]

    with CaptureQueriesContext(connection) as queries:
        balances = account_balances(ids)

    assert balances == {
        story["garcia"].pk: m("28.05"),
        story["lopez"].pk: m("13.80"),
        nobody.pk: Money.zero(),
    }
    assert len(queries) == 1


def test_account_history_runs_oldest_to_newest_with_signed_amounts_and_running_balance(
    story: dict[str, Any],
) -> None:
    rows = account_history(story["garcia"])

    assert [
        (r.accounting_date, r.source_type, r.source_ref, r.reason, r.amount, r.balance) for r in rows
    ] == [
        (dt.date(2026, 8, 15), "bill", "BILL-1", "cycle_bill", m("107.31"), m("107.31")),
        (dt.date(2026, 9, 2), "payment", "R-100", "counter_cash", m("-81.81"), m("25.50")),
        (dt.date(2026, 9, 10), "penalty", "P-1", "late_fee", m("2.55"), m("28.05")),
        (dt.date(2026, 9, 15), "bill", "BILL-3", "cycle_bill", m("52.00"), m("80.05")),
        (dt.date(2026, 9, 16), "reversal", str(story["september"].pk), "misread", m("-52.00"), m("28.05")),
    ]
    assert rows[0].amounts_by_service == {"refuse": m("25.50"), "sewer": m("41.81"), "water": m("40.00")}
    assert rows[0].posted_at == dt.datetime(2026, 8, 15, 16, 0, tzinfo=dt.UTC)
    assert (rows[0].source_label, rows[4].source_label) == ("Bill", "Reversal")
    assert [r.entry_id for r in rows] == [
        story[k].pk for k in ("august", "payment", "penalty", "september", "reversal")
    ]
    assert (rows[3].reversed_by_entry_id, rows[4].reverses_entry_id) == (
        story["reversal"].pk,
        story["september"].pk,
    )
    assert rows[4].memo == "Reversal of bill BILL-3"


def test_account_history_limit_keeps_the_latest_rows_and_their_true_balances(story: dict[str, Any]) -> None:
    rows = account_history(story["garcia"], limit=2)

    assert [(r.source_ref, r.balance) for r in rows] == [
        ("BILL-3", m("80.05")),
        (str(story["september"].pk), m("28.05")),
    ]


def test_trial_balance_per_gl_account_sums_to_zero(story: dict[str, Any]) -> None:
    result = trial_balance()

    assert [(r.code, r.debits, r.credits, r.balance) for r in result] == [
        ("500-1000", m("40.00"), m("0.00"), m("40.00")),
        ("500-1210", m("105.80"), m("92.00"), m("13.80")),
        ("500-4110", m("52.00"), m("105.80"), m("-53.80")),
        ("510-1000", m("41.81"), m("0.00"), m("41.81")),
        ("510-1220", m("41.81"), m("41.81"), m("0.00")),
        ("510-4120", m("0.00"), m("41.81"), m("-41.81")),
        ("520-1230", m("28.05"), m("0.00"), m("28.05")),
        ("520-4130", m("0.00"), m("25.50"), m("-25.50")),
        ("520-4500", m("0.00"), m("2.55"), m("-2.55")),
    ]
    assert (result.total_debits, result.total_credits, result.is_balanced) == (m("309.47"), m("309.47"), True)
    assert result.fund_totals["refuse"] == (m("28.05"), m("28.05"))
    assert sum((r.balance for r in result), Money.zero()) == Money.zero()


def test_trial_balance_as_of_a_date_counts_entries_dated_up_to_it(story: dict[str, Any]) -> None:
    result = trial_balance(as_of=dt.date(2026, 8, 31))

    assert [(r.code, r.balance) for r in result] == [
        ("500-1210", m("53.80")),
        ("500-4110", m("-53.80")),
        ("510-1220", m("41.81")),
        ("510-4120", m("-41.81")),
        ("520-1230", m("25.50")),
        ("520-4130", m("-25.50")),
    ]
    assert result.total_debits == m("121.11")


def test_subledger_ties_each_receivable_control_account(story: dict[str, Any]) -> None:
    ties = subledger_vs_control()

    assert [
        (t.control_code, t.fund, t.service, t.control_balance, t.subledger_balance, t.ok) for t in ties
    ] == [
        ("500-1210", "water", "water", m("13.80"), m("13.80"), True),
        ("500-1240", "water", "fire_line", m("0.00"), m("0.00"), True),
        ("510-1220", "sewer", "sewer", m("0.00"), m("0.00"), True),
        ("520-1230", "refuse", "refuse", m("28.05"), m("28.05"), True),
    ]
