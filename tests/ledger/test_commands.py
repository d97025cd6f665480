"""The console commands: period-close, period-reopen, trial-balance (check-books: test_check_books.py)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from civicbill.ledger.models import AccountingPeriod
from civicbill.ledger.services import entry_post
from tests.fixtures.accounts import build_account
from tests.ledger.helpers import charge_lines, payment_lines, post_kwargs

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_period_close_closes_the_month_as_the_named_user(supervisor: User) -> None:
    assert run("period_close", "2026-09", "--user", "supervisor") == "Closed accounting period 2026-09.\n"

    period = AccountingPeriod.objects.get()
    assert (period.month, period.status, period.closed_by) == (dt.date(2026, 9, 1), "closed", supervisor)


def test_period_close_refuses_a_user_without_the_permission(technician: User) -> None:
    with pytest.raises(
        CommandError, match=r"technician may not close an accounting month \(ledger\.close_period\)"
    ):
        run("period_close", "2026-09", "--user", "technician")

    assert not AccountingPeriod.objects.exists()


@pytest.mark.parametrize(
    ("month", "user", "message"),
    [
        ("2026-13", "supervisor", "'2026-13' is not a month (YYYY-MM)"),
        ("2026-09", "nobody", "no active user named 'nobody'"),
    ],
)
def test_period_close_names_bad_input(supervisor: User, month: str, user: str, message: str) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run("period_close", month, "--user", user)

    assert not AccountingPeriod.objects.exists()


def test_period_reopen_with_a_reason(supervisor: User) -> None:
    run("period_close", "2026-09", "--user", "supervisor")

    assert run("period_reopen", "2026-09", "--user", "supervisor", "--reason", "audit adjustment") == (
        "Reopened accounting period 2026-09.\n"
    )
    assert AccountingPeriod.objects.get().status == "open"


def test_trial_balance_as_json(technician: User) -> None:
    account = build_account(rows_only=True)
    entry_post(lines=charge_lines(account, water="40.00"), actor=technician, **post_kwargs())
    entry_post(
        lines=payment_lines(account, water="15.00"),
        actor=technician,
        **post_kwargs(accounting_date=dt.date(2026, 10, 2), source_type="payment", idempotency_key="p:1"),
    )

    report = json.loads(run("trial_balance", "--as-of", "2026-09-30", "--json"))

    assert report == {
        "as_of": "2026-09-30",
        "balanced": True,
        "rows": [
            {
                "code": "500-1210",
                "name": "Accounts receivable - water",
                "fund": "water",
                "account_type": "asset",
                "debits": "40.00",
                "credits": "0.00",
                "balance": "40.00",
            },
            {
                "code": "500-4110",
                "name": "Water sales",
                "fund": "water",
                "account_type": "revenue",
                "debits": "0.00",
                "credits": "40.00",
                "balance": "-40.00",
            },
        ],
        "total_debits": "40.00",
        "total_credits": "40.00",
        "funds": {"water": {"debits": "40.00", "credits": "40.00"}},
    }


def test_trial_balance_as_a_table(technician: User) -> None:
    entry_post(
        lines=charge_lines(build_account(rows_only=True), water="1234.50"), actor=technician, **post_kwargs()
    )

    lines = run("trial_balance").splitlines()

    assert lines[0] == "Trial balance (all entries)"
    assert lines[2] == "Water Fund"
    assert lines[3].split() == [
        "500-1210",
        "Accounts",
        "receivable",
        "-",
        "water",
        "$1,234.50",
        "$0.00",
        "$1,234.50",
    ]
    assert lines[4].split() == ["500-4110", "Water", "sales", "$0.00", "$1,234.50", "$1,234.50", "CR"]
    assert lines[5].split() == ["Total", "$1,234.50", "$1,234.50"]


def test_trial_balance_refuses_a_bad_date(db: None) -> None:
    with pytest.raises(CommandError, match=r"--as-of '2026-02-30' is not a date \(YYYY-MM-DD\)"):
        run("trial_balance", "--as-of", "2026-02-30")
