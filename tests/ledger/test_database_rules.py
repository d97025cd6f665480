"""The database itself keeps the journal balanced and append-only, whatever code writes to it.

Raw SQL here bypasses the services on purpose. Each attempt runs in ``transaction.atomic()`` so
the failed statement rolls back to a savepoint and the test's connection stays usable.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction

from civicbill.ledger import chart
from civicbill.ledger.journal_insert import NewEntry, insert_entries
from civicbill.ledger.models import GLAccount, JournalEntry, JournalLine
from civicbill.ledger.posting import EntrySpec, PostingLine
from civicbill.ledger.selectors import gl_account_ids
from civicbill.ledger.services import entry_post, period_close
from tests.fixtures.accounts import build_account
from tests.ledger.helpers import (
    POSTED_AT,
    charge_lines,
    insert_header,
    insert_line,
    m,
    post_kwargs,
)

pytestmark = pytest.mark.django_db


def test_a_balanced_entry_inserted_by_sql_lines_first_is_accepted(technician: User) -> None:
    entry_id = uuid.uuid4()
    with transaction.atomic():
        insert_line(entry_id, chart.CASH_WATER, debit_cents=10000)
        insert_line(entry_id, chart.CUSTOMER_DEPOSITS, credit_cents=10000)
        insert_header(entry_id, 10000, technician)

    assert JournalEntry.objects.get(pk=entry_id).total_cents == 10000


def test_an_unbalanced_entry_inserted_by_sql_is_refused_by_the_database(technician: User) -> None:
    entry_id = uuid.uuid4()

    with pytest.raises(IntegrityError, match="not balanced"), transaction.atomic():
        insert_line(entry_id, chart.CASH_WATER, debit_cents=10000)
        insert_line(entry_id, chart.CUSTOMER_DEPOSITS, credit_cents=9000)
        insert_header(entry_id, 10000, technician)

    assert not JournalEntry.objects.filter(pk=entry_id).exists()
    assert not JournalLine.objects.filter(entry_id=entry_id).exists()


def test_a_header_whose_declared_total_differs_from_its_lines_is_refused(technician: User) -> None:
    entry_id = uuid.uuid4()

    with pytest.raises(IntegrityError, match="not balanced"), transaction.atomic():
        insert_line(entry_id, chart.CASH_WATER, debit_cents=10000)
        insert_line(entry_id, chart.CUSTOMER_DEPOSITS, credit_cents=10000)
        insert_header(entry_id, 20000, technician)

    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize("line_count", [0, 1])
def test_a_header_with_fewer_than_two_lines_is_refused(technician: User, line_count: int) -> None:
    entry_id = uuid.uuid4()

    with pytest.raises(IntegrityError, match="not balanced"), transaction.atomic():
        if line_count:
            insert_line(entry_id, chart.CASH_WATER, debit_cents=10000)
        insert_header(entry_id, 10000, technician)

    assert not JournalEntry.objects.exists()


def test_a_line_cannot_be_added_to_a_posted_entry(technician: User) -> None:
    entry = entry_post(
        lines=charge_lines(build_account(rows_only=True), water="40.00"), actor=technician, **post_kwargs()
    )

    with pytest.raises(IntegrityError, match="already posted"), transaction.atomic():
        insert_line(entry.pk, chart.CASH_WATER, debit_cents=1)

    assert entry.lines.count() == 2


def test_lines_without_a_header_fail_the_commit_time_check(technician: User) -> None:
    entry_id = uuid.uuid4()

    # connection.check_constraints() runs the deferred checks now, exactly as COMMIT would
    # (PostgreSQL: SET CONSTRAINTS ALL IMMEDIATE; SQLite: PRAGMA foreign_key_check).
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_line(entry_id, chart.CASH_WATER, debit_cents=10000)
        insert_line(entry_id, chart.CUSTOMER_DEPOSITS, credit_cents=10000)
        connection.check_constraints(table_names=["ledger_journalline"])

    assert not JournalLine.objects.filter(entry_id=entry_id).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's deferred re-check; SQLite has one writer"
)
def test_postgresql_rechecks_each_entry_at_commit_even_if_a_line_slipped_past_the_seal(
    technician: User,
) -> None:
    """Simulates the race of a concurrent writer (who cannot see the header yet) by disabling the seal."""
    entry = entry_post(
        lines=charge_lines(build_account(rows_only=True), water="40.00"), actor=technician, **post_kwargs()
    )

    with pytest.raises(IntegrityError, match="not balanced at commit"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the checks pending from posting the entry
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("ALTER TABLE ledger_journalline DISABLE TRIGGER ledger_journalline_sealed")
        insert_line(entry.pk, chart.CASH_WATER, debit_cents=1)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    assert entry.lines.count() == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_journalline SET debit_cents = debit_cents + 100 WHERE debit_cents > 0",
        "DELETE FROM ledger_journalline",
        "UPDATE ledger_journalentry SET memo = 'changed'",
        "DELETE FROM ledger_journalentry",
    ],
)
def test_posted_entries_and_lines_cannot_be_updated_or_deleted(technician: User, statement: str) -> None:
    entry = entry_post(
        lines=charge_lines(build_account(rows_only=True), water="40.00"), actor=technician, **post_kwargs()
    )

    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    entry.refresh_from_db()
    assert entry.memo == ""
    assert sorted(entry.lines.values_list("debit_cents", "credit_cents")) == [(0, 4000), (4000, 0)]


def test_an_entry_dated_in_a_closed_month_is_refused_by_the_database(
    technician: User, supervisor: User
) -> None:
    period_close(month=dt.date(2026, 8, 1), actor=supervisor)
    entry_id = uuid.uuid4()

    with pytest.raises(IntegrityError, match="closed"), transaction.atomic():
        insert_line(entry_id, chart.CASH_WATER, debit_cents=500)
        insert_line(entry_id, chart.CUSTOMER_DEPOSITS, credit_cents=500)
        insert_header(entry_id, 500, technician, accounting_date=dt.date(2026, 8, 31))

    assert not JournalEntry.objects.exists()


def test_a_line_that_is_both_or_neither_debit_and_credit_is_refused(technician: User) -> None:
    for debit_cents, credit_cents in [(100, 100), (0, 0), (-100, 0)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            insert_line(uuid.uuid4(), chart.CASH_WATER, debit_cents=debit_cents, credit_cents=credit_cents)

    assert not JournalLine.objects.exists()


def test_bulk_create_of_many_entries_checks_every_one_and_refuses_the_batch_with_one_bad_entry(
    technician: User,
) -> None:
    cash, deposits = (
        GLAccount.objects.get(code=chart.CASH_WATER),
        GLAccount.objects.get(code=chart.CUSTOMER_DEPOSITS),
    )

    def build(count: int, *, bad_index: int | None = None) -> tuple[list[JournalEntry], list[JournalLine]]:
        entries, lines = [], []
        for index in range(count):
            entry = JournalEntry(
                accounting_date=dt.date(2026, 9, 15),
                posted_at=POSTED_AT,
                source_type="manual",
                idempotency_key=f"bulk:{uuid.uuid4()}",
                reason="test",
                posted_by=technician,
                total_cents=100 + index,
            )
            credit_cents = entry.total_cents - (1 if index == bad_index else 0)
            lines += [
                JournalLine(entry_id=entry.id, gl_account=cash, debit_cents=entry.total_cents),
                JournalLine(entry_id=entry.id, gl_account=deposits, credit_cents=credit_cents),
            ]
            entries.append(entry)
        return entries, lines

    entries, lines = build(1500, bad_index=1234)
    with pytest.raises(IntegrityError, match="not balanced"), transaction.atomic():
        JournalLine.objects.bulk_create(lines, batch_size=1000)
        JournalEntry.objects.bulk_create(entries, batch_size=1000)
    assert not JournalEntry.objects.exists()
    assert not JournalLine.objects.exists()

    entries, lines = build(1500)
    with transaction.atomic():
        JournalLine.objects.bulk_create(lines, batch_size=1000)
        JournalEntry.objects.bulk_create(entries, batch_size=1000)
        connection.check_constraints(table_names=["ledger_journalline"])
    assert JournalEntry.objects.count() == 1500
    assert JournalLine.objects.count() == 3000


def test_the_services_own_writer_is_held_to_the_same_rules(technician: User) -> None:
    """insert_entries (COPY on PostgreSQL, executemany on SQLite) bypasses validation on purpose here."""
    unbalanced = EntrySpec(
        lines=(
            PostingLine.debit(chart.CASH_WATER, m("10.00")),
            PostingLine.credit(chart.CUSTOMER_DEPOSITS, m("9.99")),
        ),
        accounting_date=dt.date(2026, 9, 15),
        source_type="manual",
        source_ref="",
        idempotency_key="writer:1",
        reason="test",
    )

    with pytest.raises(IntegrityError, match="not balanced"), transaction.atomic():
        insert_entries(
            [NewEntry(unbalanced, uuid.uuid4())],
            posted_by_id=technician.pk,
            posted_at=POSTED_AT,
            gl_ids=gl_account_ids(),
        )

    assert not JournalEntry.objects.exists()
    assert not JournalLine.objects.exists()
