"""Bulk posting for batch jobs: set-based, resumable, all-or-nothing on invalid input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicbill.core.exceptions import PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger.models import JournalEntry, JournalLine
from civicbill.ledger.posting import EntrySpec, PostingLine, conversion_lines
from civicbill.ledger.selectors import account_balance_by_service, account_balances, check_books
from civicbill.ledger.services import LedgerPostingError, entries_post_bulk, period_close
from tests.fixtures.accounts import build_account
from tests.fixtures.database import assert_nothing_changed
from tests.ledger.helpers import m

pytestmark = pytest.mark.django_db

OPENING_DAY = dt.date(2026, 6, 30)


def opening(account: Account, **balances: str) -> EntrySpec:
    return EntrySpec(
        lines=conversion_lines(
            customer_account_id=account.pk,
            balances_by_service={service: m(text) for service, text in balances.items()},
        ),
        accounting_date=OPENING_DAY,
        source_type="conversion",
        source_ref=account.number,
        idempotency_key=f"conversion:{account.number}",
        reason="legacy_balance",
    )


def test_opening_balances_post_in_a_few_queries_whatever_the_number_of_entries(technician: User) -> None:
    accounts = [build_account(rows_only=True) for _ in range(300)]
    specs = [opening(account, water="12.34", sewer="41.81") for account in accounts]

    with CaptureQueriesContext(connection) as queries:
        posted = entries_post_bulk(entries=specs, actor=technician)

    assert posted == 300
    assert JournalEntry.objects.filter(source_type="conversion").count() == 300
    assert JournalLine.objects.count() == 1200
    assert set(account_balances([a.pk for a in accounts]).values()) == {m("54.15")}
    # savepoint, permission, chart facts, posted keys, closed months, GL ids, all lines in one statement,
    # all headers in one statement, audit, release: never one per entry (PostgreSQL's COPY is not
    # captured, so two fewer there)
    assert len(queries) == (10 if connection.vendor == "sqlite" else 8), [q["sql"][:60] for q in queries]
    assert check_books().ok


def test_a_credit_balance_converts_the_other_way_round(technician: User) -> None:
    account = build_account(rows_only=True)

    entries_post_bulk(
        entries=[opening(account, water="-7.50", refuse="3.00", sewer="0.00")], actor=technician
    )

    assert account_balance_by_service(account) == {"refuse": m("3.00"), "water": m("-7.50")}
    entry = JournalEntry.objects.get()
    assert list(
        entry.lines.order_by("id").values_list("gl_account__code", "debit_cents", "credit_cents")
    ) == [
        ("520-1230", 300, 0),
        ("520-3900", 0, 300),
        ("500-1210", 0, 750),
        ("500-3900", 750, 0),
    ]


def test_a_resumed_batch_skips_the_entries_already_posted(technician: User) -> None:
    accounts = [build_account(rows_only=True) for _ in range(5)]
    entries_post_bulk(entries=[opening(a, water="10.00") for a in accounts[:3]], actor=technician)

    posted = entries_post_bulk(entries=[opening(a, water="10.00") for a in accounts], actor=technician)

    assert posted == 2
    assert JournalEntry.objects.count() == 5
    assert entries_post_bulk(entries=[opening(a, water="10.00") for a in accounts], actor=technician) == 0
    assert JournalEntry.objects.count() == 5


def test_one_invalid_entry_refuses_the_whole_batch_and_names_it(technician: User) -> None:
    good, bad = build_account(rows_only=True), build_account(rows_only=True)
    unbalanced = EntrySpec(
        lines=(
            PostingLine.debit(chart.RECEIVABLE_WATER, m("5.00"), customer_account_id=bad.pk, service="water"),
            PostingLine.credit(chart.CONVERSION_EQUITY_WATER, m("4.00")),
        ),
        accounting_date=OPENING_DAY,
        source_type="conversion",
        source_ref=bad.number,
        idempotency_key="conversion:bad",
        reason="legacy_balance",
    )

    with pytest.raises(LedgerPostingError) as info:
        entries_post_bulk(entries=[opening(good, water="1.00"), unbalanced], actor=technician)

    assert info.value.message == (
        "1 of 2 entries cannot be posted, so none was: entry 2 (conversion:bad): "
        "debits 5.00 do not equal credits 4.00"
    )
    assert JournalEntry.objects.count() == 0
    assert JournalLine.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_a_key_twice_in_one_batch_is_refused(technician: User) -> None:
    account = build_account(rows_only=True)

    with pytest.raises(LedgerPostingError, match="the same idempotency key appears twice in this batch"):
        entries_post_bulk(
            entries=[opening(account, water="1.00"), opening(account, water="1.00")], actor=technician
        )

    assert JournalEntry.objects.count() == 0


def test_an_entry_in_a_closed_month_refuses_the_batch(technician: User, supervisor: User) -> None:
    period_close(month=dt.date(2026, 6, 1), actor=supervisor)

    with pytest.raises(
        LedgerPostingError, match=r"entry 1 \(conversion:.*\): Accounting period 2026-06 is closed"
    ):
        entries_post_bulk(entries=[opening(build_account(rows_only=True), water="1.00")], actor=technician)

    assert JournalEntry.objects.count() == 0


def test_bulk_posting_is_audited_once_per_batch(technician: User) -> None:
    entries_post_bulk(
        entries=[opening(build_account(rows_only=True), water="1.00") for _ in range(3)], actor=technician
    )

    event = AuditEvent.objects.get()
    assert (event.action, event.actor) == ("journal_entry.post_bulk", technician)
    assert event.summary == "Posted 3 entries (conversion) totalling 3.00; 0 already posted"
    assert (event.changes["posted_count"], event.changes["skipped_count"]) == (3, 0)


def test_a_csr_may_not_post_in_bulk(csr: User) -> None:
    entries = [opening(build_account(rows_only=True), water="1.00")]
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        entries_post_bulk(entries=entries, actor=csr)

    assert JournalEntry.objects.count() == 0
