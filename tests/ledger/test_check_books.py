"""check-books: a good ledger passes every check; broken data is reported by name.

The database's triggers keep most damage out, so broken ledgers are made three honest ways: the
pure rules are fed constructed facts; damage the triggers do not cover (a mirror that isn't, a
receivable amount on a revenue account) is written with raw SQL; and for the rest a trigger is
dropped inside a transaction that is rolled back at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from civicbill.ledger import books, chart
from civicbill.ledger.models import AccountingPeriod
from civicbill.ledger.posting import GLFacts, LineKey
from civicbill.ledger.selectors import check_books, gl_facts
from civicbill.ledger.services import entry_post, entry_reverse, period_close
from tests.fixtures.accounts import build_account
from tests.ledger.helpers import (
    charge_lines,
    insert_header,
    insert_line,
    payment_lines,
    post_kwargs,
)

pytestmark = pytest.mark.django_db

CHECK_NAMES = [
    "entries_balanced",
    "lines_well_formed",
    "no_orphan_lines",
    "trial_balance_zero",
    "funds_balance",
    "receivable_lines",
    "subledger_ties_control",
    "reversals_consistent",
    "closed_periods_untouched",
    "closed_periods_match_close",
    "aging_ties_receivable_control",  # registered by collections (ledger.books_checks)
]


@pytest.fixture
def good_ledger(technician: User, supervisor: User) -> None:
    account = build_account(rows_only=True)
    bill = entry_post(
        lines=charge_lines(account, water="40.00", sewer="41.81"), actor=technician, **post_kwargs()
    )
    entry_post(
        lines=payment_lines(account, water="40.00"),
        actor=technician,
        **post_kwargs(source_type="payment", idempotency_key="payment:1", reason="counter_cash"),
    )
    entry_reverse(
        entry=bill, reason="billed_in_error", accounting_date=dt.date(2026, 9, 16), actor=supervisor
    )
    period_close(month=dt.date(2026, 8, 1), actor=supervisor)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Damage the ledger, look at it, and leave no trace (nor anything for the commit-time checks)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def drop_trigger(sqlite_name: str, postgresql_name: str, table: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events may remain
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(f"DROP TRIGGER {postgresql_name} ON {table}")
        else:
            cursor.execute(f"DROP TRIGGER {sqlite_name}")


# -- a good ledger -----------------------------------------------------------------------------------
def test_a_good_ledger_passes_every_check(good_ledger: None) -> None:
    report = check_books()

    assert report.ok
    assert [check.name for check in report.checks] == CHECK_NAMES
    assert (report.entry_count, report.line_count) == (3, 10)
    assert (
        report.check("reversals_consistent").detail
        == "every reversal mirrors the entry it reverses (1 checked)"
    )
    assert report.check("trial_balance_zero").detail == "debits = credits = 203.62"


def test_an_empty_ledger_is_in_order(db: None) -> None:
    assert check_books().ok


def test_check_books_json_on_a_good_ledger(good_ledger: None) -> None:
    out = StringIO()

    call_command("check_books", "--json", stdout=out)

    report = json.loads(out.getvalue())
    assert report["ok"] is True
    assert report["failed"] == []
    assert [check["name"] for check in report["checks"]] == CHECK_NAMES
    assert all(check["ok"] and check["problems"] == [] for check in report["checks"])


def test_check_books_prints_a_readable_report(good_ledger: None) -> None:
    out = StringIO()

    call_command("check_books", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "Checked 3 entries, 10 lines"
    assert (
        "  ok     subledger_ties_control: the AR subledger equals the 4 receivable control accounts" in lines
    )
    assert lines[-1] == "The books are in order."


# -- broken through the database -----------------------------------------------------------------------
def test_an_unbalanced_entry_slipped_in_without_the_trigger_is_named(
    good_ledger: None, technician: User
) -> None:
    entry_id = uuid.uuid4()
    with rolled_back():
        drop_trigger("ledger_journalentry_balanced", "ledger_journalentry_check", "ledger_journalentry")
        insert_line(entry_id, chart.CASH_WATER, debit_cents=10000)
        insert_line(entry_id, chart.CUSTOMER_DEPOSITS, credit_cents=9000)
        insert_header(entry_id, 10000, technician)

        report = check_books()

    assert [check.name for check in report.failed] == [
        "entries_balanced",
        "trial_balance_zero",
        "funds_balance",
    ]
    assert report.check("entries_balanced").problems == (
        f"entry {entry_id} is unbalanced: debits 100.00, credits 90.00",
    )
    assert report.check("trial_balance_zero").problems == (
        "total debits 303.62 do not equal total credits 293.62",
    )
    assert report.check("funds_balance").problems == ("Water Fund is out of balance by 10.00",)
    assert check_books().ok  # rolled back


def test_lines_without_a_header_are_named_and_the_cli_exits_1(good_ledger: None) -> None:
    entry_id = uuid.uuid4()
    out = StringIO()
    with rolled_back():
        insert_line(entry_id, chart.CASH_WATER, debit_cents=500)
        insert_line(entry_id, chart.CUSTOMER_DEPOSITS, credit_cents=500)

        with pytest.raises(CommandError, match=r"^the books are not in order: no_orphan_lines$") as info:
            call_command("check_books", "--json", stdout=out)

    assert info.value.returncode == 1
    report = json.loads(out.getvalue())
    assert (report["ok"], report["failed"]) == (False, ["no_orphan_lines"])
    orphan = next(check for check in report["checks"] if check["name"] == "no_orphan_lines")
    assert orphan["detail"] == "2 problems"
    assert orphan["problems"][0].endswith(f"belongs to entry {entry_id}, which has no header")


def test_a_receivable_amount_on_a_revenue_account_breaks_the_subledger_tie(
    good_ledger: None, technician: User
) -> None:
    account = build_account(rows_only=True)
    entry_id = uuid.uuid4()
    with rolled_back():
        # balanced, so the database takes it; but the customer's charge sits on the revenue account
        insert_line(
            entry_id, chart.REVENUE_WATER, debit_cents=700, customer_account_id=account.pk, service="water"
        )
        insert_line(entry_id, chart.CASH_WATER, credit_cents=700)
        insert_header(entry_id, 700, technician)

        report = check_books()

    assert [check.name for check in report.failed] == [
        "receivable_lines",
        "subledger_ties_control",
        "aging_ties_receivable_control",
    ]
    assert report.check("receivable_lines").problems == (
        "500-4110: 1 line naming a customer account or service, but it is not a receivable control account",
    )
    assert report.check("subledger_ties_control").problems == (
        "500-1210 (Water Fund, water): control -40.00, subledger -33.00, difference -7.00",
    )


def test_a_reversal_that_does_not_mirror_its_original_is_named(technician: User) -> None:
    account = build_account(rows_only=True)
    original = entry_post(lines=charge_lines(account, water="40.00"), actor=technician, **post_kwargs())
    entry_id = uuid.uuid4()
    with rolled_back():
        insert_line(entry_id, chart.REVENUE_WATER, debit_cents=3000)
        insert_line(
            entry_id,
            chart.RECEIVABLE_WATER,
            credit_cents=3000,
            customer_account_id=account.pk,
            service="water",
        )
        insert_header(entry_id, 3000, technician, source_type="reversal", reverses_id=original.pk)

        report = check_books()

    assert [check.name for check in report.failed] == ["reversals_consistent"]
    assert report.check("reversals_consistent").problems == (
        f"entry {entry_id} does not mirror the entry it reverses, {original.pk}",
    )


def test_a_reversal_that_reverses_nothing_is_named(technician: User) -> None:
    entry_id = uuid.uuid4()
    with rolled_back():
        insert_line(entry_id, chart.CASH_WATER, debit_cents=100)
        insert_line(entry_id, chart.CUSTOMER_DEPOSITS, credit_cents=100)
        insert_header(entry_id, 100, technician, source_type="reversal")

        report = check_books()

    assert [check.name for check in report.failed] == ["reversals_consistent"]
    assert report.check("reversals_consistent").problems == (
        f"entry {entry_id} is a reversal that reverses no entry",
    )


def test_an_entry_posted_after_its_month_closed_is_named(technician: User, supervisor: User) -> None:
    entry = entry_post(
        lines=charge_lines(build_account(rows_only=True), water="40.00"), actor=technician, **post_kwargs()
    )
    period = period_close(month=dt.date(2026, 10, 1), actor=supervisor)
    with rolled_back():
        # tamper: pretend September closed before the entry was posted
        AccountingPeriod.objects.filter(pk=period.pk).update(
            month=dt.date(2026, 9, 1), closed_at=entry.posted_at - dt.timedelta(hours=1)
        )
        report = check_books()

    # September now looks closed, with no totals recorded at a close of September
    assert [check.name for check in report.failed] == [
        "closed_periods_untouched",
        "closed_periods_match_close",
    ]
    assert (
        report.check("closed_periods_untouched")
        .problems[0]
        .startswith(f"entry {entry.pk} was posted into 2026-09 at ")
    )


# -- the pure rules, with constructed facts -------------------------------------------------------------
GL = {
    "500-1000": GLFacts("500-1000", "water", False, None),
    "500-1210": GLFacts("500-1210", "water", True, "water"),
    "500-4110": GLFacts("500-4110", "water", False, "water"),
    "510-1220": GLFacts("510-1220", "sewer", True, "sewer"),
    "510-4120": GLFacts("510-4120", "sewer", False, "sewer"),
}


@pytest.mark.parametrize(
    ("totals", "problem"),
    [
        (books.EntryTotals("e1", 100, 2, 100, 100), None),
        (books.EntryTotals("e1", 100, 1, 100, 0), "entry e1 has 1 line"),
        (books.EntryTotals("e1", 100, 0, 0, 0), "entry e1 has 0 lines"),
        (books.EntryTotals("e1", 100, 2, 100, 90), "entry e1 is unbalanced: debits 1.00, credits 0.90"),
        (books.EntryTotals("e1", 150, 3, 100, 100), "entry e1 declares 1.50 but its lines total 1.00"),
    ],
)
def test_entry_rule(totals: books.EntryTotals, problem: str | None) -> None:
    assert books.entry_problem(totals) == problem


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (books.LineFacts(1, "e1", "500-1000", 100, 0, None, None), None),
        (
            books.LineFacts(1, "e1", "500-1000", 100, 100, None, None),
            "line 1 of entry e1 (500-1000) must be either a debit or a credit (debit 1.00, credit 1.00)",
        ),
        (
            books.LineFacts(1, "e1", "500-1000", 0, 0, None, None),
            "line 1 of entry e1 (500-1000) must be either a debit or a credit (debit 0.00, credit 0.00)",
        ),
        (
            books.LineFacts(1, "e1", "500-1000", -5, 0, None, None),
            "line 1 of entry e1 (500-1000) has a negative amount",
        ),
        (
            books.LineFacts(1, "e1", "500-1210", 5, 0, 7, None),
            "line 1 of entry e1 (500-1210) names a customer account or a service without the other",
        ),
    ],
)
def test_line_rule(line: books.LineFacts, problem: str | None) -> None:
    assert books.line_problem(line) == problem


def test_receivable_rules_and_subledger_ties_from_constructed_groups() -> None:
    groups = [
        books.LineGroup("500-1210", "water", True, 3, 9000, 1000),
        books.LineGroup("500-1210", None, False, 1, 500, 0),  # control line without a customer
        books.LineGroup("510-1220", "water", True, 1, 200, 0),  # water on the sewer control
        books.LineGroup("500-4110", "water", True, 1, 0, 300),  # customer line on revenue
        books.LineGroup("500-1000", None, False, 2, 0, 8400),
    ]

    rules = books.check_receivable_lines(groups, GL)
    ties = books.subledger_ties(groups, GL)

    assert rules.problems == (
        "receivable control 500-1210: 1 line without a customer account",
        "receivable control 510-1220 (sewer): 1 line for service water",
        "500-4110: 1 line naming a customer account or service, but it is not a receivable control account",
    )
    assert [(t.control_code, t.control_balance.cents, t.subledger_balance.cents, t.ok) for t in ties] == [
        ("500-1210", 8500, 7900, False),
        ("510-1220", 200, 0, False),
    ]
    assert books.check_subledger_ties(ties).problems == (
        "500-1210 (Water Fund, water): control 85.00, subledger 79.00, difference 6.00",
        "510-1220 (Sewer Fund, sewer): control 2.00, subledger 0.00, difference 2.00",
    )
    assert books.check_trial_balance(groups).ok  # 97.00 = 97.00 overall, yet the funds are off
    assert books.check_funds_balance(groups, GL).problems == (
        "Sewer Fund is out of balance by 2.00",
        "Water Fund is out of balance by -2.00",
    )


def test_reversal_rules_from_constructed_facts() -> None:
    original = [LineKey("500-1210", 100, 0, 7, "water"), LineKey("500-4110", 0, 100, None, None)]
    mirror = [key.mirrored() for key in original]
    facts = books.ReversalFacts(
        links=[
            books.ReversalLink("r1", "o1", "reversal", None),
            books.ReversalLink("r2", "o1", "reversal", None),
            books.ReversalLink("r3", "r1", "reversal", "o1"),
            books.ReversalLink("r4", "o4", "adjustment", None),
        ],
        lines_by_entry={
            "o1": original,
            "r1": mirror,
            "r2": mirror[::-1],
            "r3": original,
            "o4": original,
            "r4": original,
        },
    )

    assert books.check_reversals(facts).problems == (
        "entry o1 is reversed 2 times",
        "entry r3 reverses r1, which is itself a reversal",
        "entry r4 reverses o4 but its source type is adjustment",
        "entry r4 does not mirror the entry it reverses, o4",
    )


def test_gl_facts_know_the_receivable_control_accounts(db: None) -> None:
    assert sorted(code for code, facts in gl_facts().items() if facts.is_receivable_control) == [
        "500-1210",
        "500-1240",
        "510-1220",
        "520-1230",
    ]
