"""The ledger's limit on one line (ADR 0012): a line above $1,000,000,000.00 is refused by the
posting rules and by the journal writer, so no sum of posted cents can overflow a 64-bit integer
(issue 11, point 0: a 92,233,720,368,547,758.07 payment broke check-books on SQLite)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth.models import User

from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import MAX_LINE_CENTS, Money
from civicbill.ledger import chart
from civicbill.ledger.journal_insert import write_entry_rows
from civicbill.ledger.models import JournalEntry, JournalLine
from civicbill.ledger.posting import EntrySpec, GLFacts, PostingLine, validate_entry
from civicbill.ledger.selectors import account_balance, check_books, gl_account_ids, trial_balance
from civicbill.ledger.services import LedgerPostingError, entry_post
from tests.fixtures.accounts import build_account
from tests.ledger.helpers import post_kwargs

GL = {
    account.code: GLFacts(account.code, account.fund, account.is_receivable_control, account.service)
    for account in chart.CHART
}
AT_CAP = Money.from_cents(MAX_LINE_CENTS)
OVER = Money.from_cents(MAX_LINE_CENTS + 1)


def bill(amount: Money, account_id: int = 7) -> tuple[PostingLine, ...]:
    return (
        PostingLine.debit(chart.RECEIVABLE_WATER, amount, customer_account_id=account_id, service="water"),
        PostingLine.credit(chart.REVENUE_WATER, amount),
    )


def spec(lines: tuple[PostingLine, ...]) -> EntrySpec:
    return EntrySpec(lines, dt.date(2026, 9, 15), "bill", "B-1", "k", "cycle_bill")


def test_a_line_at_the_limit_is_valid_and_one_cent_more_is_refused_naming_the_limit() -> None:
    assert validate_entry(spec(bill(AT_CAP)), gl_accounts=GL, source_types={"bill"}) == []
    errors = validate_entry(spec(bill(OVER)), gl_accounts=GL, source_types={"bill"})
    over = "$1,000,000,000.01 is over the limit of $1,000,000,000.00 for one journal line"
    assert [(e.code, e.message) for e in errors] == [
        ("amount_over_limit", f"line 1 (500-1210): {over}"),
        ("amount_over_limit", f"line 2 (500-4110): {over}"),
    ]


def test_the_overflowing_payment_of_the_probe_is_refused_by_the_posting_rules() -> None:
    probe = Money.from_cents(2**63 - 1)  # 92233720368547758.07
    codes = {e.code for e in validate_entry(spec(bill(probe)), gl_accounts=GL, source_types={"bill"})}
    assert codes == {"amount_over_limit"}


@pytest.mark.django_db
def test_entry_post_refuses_a_line_over_the_limit_and_posts_nothing(technician: User) -> None:
    account = build_account(rows_only=True)
    with pytest.raises(LedgerPostingError, match=r"over the limit of \$1,000,000,000\.00") as refused:
        entry_post(lines=list(bill(OVER, account.pk)), actor=technician, **post_kwargs())
    assert refused.value.code == "amount_over_limit"
    assert (JournalEntry.objects.count(), JournalLine.objects.count()) == (0, 0)
    assert check_books().ok


@pytest.mark.django_db
def test_the_journal_writer_refuses_a_line_over_the_limit_whatever_its_caller(technician: User) -> None:
    """The billing commit writes rows itself (no EntrySpec): the writer is the last guard."""
    account = build_account(rows_only=True)
    row = (
        uuid.uuid4(), dt.date(2026, 9, 15), "bill", "BILL-9", "bill:9", "cycle_bill", "", None, None,
        [(chart.RECEIVABLE_WATER, MAX_LINE_CENTS + 1, 0, account.pk, "water", ""),
         (chart.REVENUE_WATER, 0, MAX_LINE_CENTS + 1, None, None, "")],
    )  # fmt: skip
    with pytest.raises(ApplicationError, match=r"Journal entry BILL-9 refused: a line of") as refused:
        write_entry_rows(
            [row],
            posted_by_id=technician.pk,
            posted_at=dt.datetime(2026, 9, 15, 18, tzinfo=dt.UTC),
            gl_ids=gl_account_ids(),
        )
    assert refused.value.code == "amount_over_limit"
    assert (JournalEntry.objects.count(), JournalLine.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_lines_at_the_limit_sum_exactly_and_the_books_check(technician: User) -> None:
    """Twenty entries at the cap on one account: balances, the trial balance and check-books sum
    them in SQL on both databases without overflow."""
    account = build_account(rows_only=True)
    for number in range(20):
        entry_post(
            lines=list(bill(AT_CAP, account.pk)),
            actor=technician,
            **post_kwargs(source_ref=f"BILL-{number}", idempotency_key=f"bill:{number}"),
        )
    assert account_balance(account).cents == 20 * MAX_LINE_CENTS
    report = check_books()
    assert report.ok, [check.problems for check in report.failed]
    rows = {row.code: row for row in trial_balance(as_of=dt.date(2026, 9, 30))}
    assert rows[chart.RECEIVABLE_WATER].debits.cents == 20 * MAX_LINE_CENTS
    assert rows[chart.REVENUE_WATER].credits.cents == 20 * MAX_LINE_CENTS
