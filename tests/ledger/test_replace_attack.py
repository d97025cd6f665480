"""Issue 11, point 4: ``INSERT OR REPLACE`` (SQLite) and ``ON CONFLICT DO UPDATE`` (PostgreSQL) cannot
rewrite an append-only row, and ``check-books`` compares each closed month with what it held when it
was closed, naming the month and the GL account that differ.

Raw SQL on purpose, as an attacker at a SQL prompt would write it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import IntegrityError, InternalError, connection, transaction

from civicbill.core import clock
from civicbill.core.audit import audit_record
from civicbill.core.models import AuditEvent
from civicbill.ledger import chart
from civicbill.ledger.models import JournalEntry, JournalLine, PeriodCloseRecord, PeriodCloseTotal
from civicbill.ledger.selectors import check_books, trial_balance
from civicbill.ledger.services import entry_post, period_close, period_reopen
from tests.fixtures.accounts import build_account
from tests.ledger.helpers import (
    charge_lines,
    insert_header,
    insert_line,
    payment_lines,
    post_kwargs,
)

pytestmark = pytest.mark.django_db

REFUSED = (IntegrityError, InternalError)
AUGUST, SEPTEMBER = dt.date(2026, 8, 1), dt.date(2026, 9, 1)
ENTRY_COLUMNS = (
    "id, accounting_date, posted_at, source_type, source_ref, idempotency_key, reason, memo, "
    "reverses_id, posted_by_id, total_cents"
)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="INSERT OR REPLACE is SQLite's")
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="ON CONFLICT on PostgreSQL")


@pytest.fixture
def closed_august(technician: User, supervisor: User) -> JournalEntry:
    """A $40.00 water bill dated in August; August closed."""
    entry = entry_post(
        lines=charge_lines(build_account(rows_only=True), water="40.00"),
        actor=technician,
        **post_kwargs(accounting_date=dt.date(2026, 8, 20)),
    )
    period_close(month=AUGUST, actor=supervisor)
    return entry


def _execute(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@contextmanager
def recursive_triggers_off() -> Iterator[None]:
    """A connection that never turned the pragma on (the sqlite3 shell): the BEFORE INSERT trigger
    alone must hold."""
    _execute("PRAGMA recursive_triggers = OFF")
    try:
        yield
    finally:
        _execute("PRAGMA recursive_triggers = ON")


def _august_totals() -> tuple[str, str]:
    balance = trial_balance(as_of=dt.date(2026, 8, 31))
    return str(balance.total_debits), str(balance.total_credits)


# -- SQLite: INSERT OR REPLACE ---------------------------------------------------------------------
@sqlite_only
@pytest.mark.parametrize("pragma_on", [True, False], ids=["recursive_triggers_on", "pragma_off"])
def test_insert_or_replace_cannot_move_a_posted_entry_out_of_a_closed_month(
    closed_august: JournalEntry, pragma_on: bool
) -> None:
    before = _august_totals()
    attack = (
        f"INSERT OR REPLACE INTO ledger_journalentry ({ENTRY_COLUMNS}) "  # noqa: S608
        "SELECT id, '2026-09-15', posted_at, source_type, source_ref, idempotency_key, reason, memo, "
        "reverses_id, posted_by_id, total_cents FROM ledger_journalentry WHERE id = %s"
    )
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        if pragma_on:
            _execute(attack, [closed_august.pk.hex])
        else:
            with recursive_triggers_off():
                _execute(attack, [closed_august.pk.hex])

    assert JournalEntry.objects.get(pk=closed_august.pk).accounting_date == dt.date(2026, 8, 20)
    assert _august_totals() == before == ("40.00", "40.00")
    assert check_books().ok


@sqlite_only
def test_replace_on_the_idempotency_key_with_a_new_id_is_refused(closed_august: JournalEntry) -> None:
    """REPLACE deletes the row conflicting on any unique column, not only the primary key."""
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic(), recursive_triggers_off():
        _execute(
            f"REPLACE INTO ledger_journalentry ({ENTRY_COLUMNS}) "  # noqa: S608
            "SELECT 'ffffffffffffffffffffffffffffffff', '2026-09-15', posted_at, source_type, source_ref, "
            "idempotency_key, reason, memo, reverses_id, posted_by_id, total_cents "
            "FROM ledger_journalentry WHERE id = %s",
            [closed_august.pk.hex],
        )

    assert list(JournalEntry.objects.values_list("pk", flat=True)) == [closed_august.pk]


@sqlite_only
@pytest.mark.parametrize("pragma_on", [True, False], ids=["recursive_triggers_on", "pragma_off"])
def test_insert_or_replace_cannot_rewrite_a_journal_line(
    closed_august: JournalEntry, pragma_on: bool
) -> None:
    line = JournalLine.objects.filter(entry=closed_august, debit_cents__gt=0).get()
    attack = (
        "INSERT OR REPLACE INTO ledger_journalline "
        "(id, entry_id, gl_account_id, debit_cents, credit_cents, customer_account_id, service, memo) "
        "SELECT id, entry_id, gl_account_id, 1, 0, customer_account_id, service, memo "
        "FROM ledger_journalline WHERE id = %s"
    )
    with pytest.raises(REFUSED), transaction.atomic():
        if pragma_on:
            _execute(attack, [line.pk])
        else:
            with recursive_triggers_off():
                _execute(attack, [line.pk])

    assert JournalLine.objects.get(pk=line.pk).debit_cents == 4000


@sqlite_only
@pytest.mark.parametrize("pragma_on", [True, False], ids=["recursive_triggers_on", "pragma_off"])
def test_insert_or_replace_cannot_rewrite_an_audit_event(csr: User, pragma_on: bool) -> None:
    event = audit_record(
        actor=csr, action="payment.void", target=csr, summary="Voided receipt R-1", at=clock.now()
    )
    attack = (
        "INSERT OR REPLACE INTO core_auditevent (id, occurred_at, actor_id, actor_username, action, "
        "target_type, target_id, account_number, summary, changes) "
        "SELECT id, occurred_at, actor_id, 'someone-else', action, target_type, target_id, "
        "account_number, 'nothing happened', changes FROM core_auditevent WHERE id = %s"
    )
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        if pragma_on:
            _execute(attack, [event.pk])
        else:
            with recursive_triggers_off():
                _execute(attack, [event.pk])

    event.refresh_from_db()
    assert (event.actor_username, event.summary) == (csr.username, "Voided receipt R-1")


@sqlite_only
def test_every_connection_turns_recursive_triggers_on(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA recursive_triggers")
        assert cursor.fetchone() == (1,)


# -- both databases: upsert ------------------------------------------------------------------------
def test_an_upsert_on_conflict_do_update_is_refused_on_the_journal(closed_august: JournalEntry) -> None:
    entry_id = closed_august.pk.hex if connection.vendor == "sqlite" else str(closed_august.pk)
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        _execute(
            f"INSERT INTO ledger_journalentry ({ENTRY_COLUMNS}) "  # noqa: S608
            "SELECT id, accounting_date, posted_at, source_type, source_ref, idempotency_key, reason, memo, "
            "reverses_id, posted_by_id, total_cents FROM ledger_journalentry WHERE id = %s "
            "ON CONFLICT (id) DO UPDATE SET accounting_date = '2026-09-15'",
            [entry_id],
        )

    assert JournalEntry.objects.get(pk=closed_august.pk).accounting_date == dt.date(2026, 8, 20)


def test_an_upsert_on_conflict_do_update_is_refused_on_the_audit_trail(csr: User) -> None:
    event = audit_record(
        actor=csr, action="payment.void", target=csr, summary="Voided receipt R-1", at=clock.now()
    )
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        _execute(
            "INSERT INTO core_auditevent (id, occurred_at, actor_id, actor_username, action, target_type, "
            "target_id, account_number, summary, changes) "
            "SELECT id, occurred_at, actor_id, actor_username, action, target_type, target_id, "
            "account_number, summary, changes FROM core_auditevent WHERE id = %s "
            "ON CONFLICT (id) DO UPDATE SET summary = 'nothing happened'",
            [event.pk],
        )

    assert AuditEvent.objects.get(pk=event.pk).summary == "Voided receipt R-1"


@postgresql_only
def test_postgresql_refuses_on_conflict_do_update_on_the_close_totals(closed_august: JournalEntry) -> None:
    total = PeriodCloseTotal.objects.first()
    assert total is not None
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        _execute(
            "INSERT INTO ledger_periodclosetotal (id, record_id, gl_account_id, line_count, debit_cents, "
            "credit_cents) SELECT id, record_id, gl_account_id, line_count, debit_cents, credit_cents "
            "FROM ledger_periodclosetotal WHERE id = %s ON CONFLICT (id) DO UPDATE SET debit_cents = 0",
            [total.pk],
        )


# -- check-books against the totals recorded at close -----------------------------------------------
def test_closing_a_month_records_its_entry_count_and_gl_totals(closed_august: JournalEntry) -> None:
    record = PeriodCloseRecord.objects.get()
    assert (record.month, record.entry_count, record.debit_cents, record.credit_cents) == (
        AUGUST,
        1,
        4000,
        4000,
    )
    assert sorted(
        PeriodCloseTotal.objects.values_list("gl_account__code", "line_count", "debit_cents", "credit_cents")
    ) == [("500-1210", 1, 4000, 0), ("500-4110", 1, 0, 4000)]
    assert check_books().check("closed_periods_match_close").detail == (
        "every closed period holds what it held when it was closed (1 checked)"
    )


def _drop_update_trigger() -> None:
    """What a database superuser can do: drop the append-only trigger for the tampering."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("DROP TRIGGER ledger_journalentry_append_only ON ledger_journalentry")
        else:
            cursor.execute("DROP TRIGGER ledger_journalentry_no_update")


def test_check_books_names_the_closed_period_and_gl_accounts_when_an_entry_left_it(
    closed_august: JournalEntry, capsys: Any
) -> None:
    with transaction.atomic():
        _drop_update_trigger()
        JournalEntry.objects.filter(pk=closed_august.pk).update(accounting_date=dt.date(2026, 9, 15))
        report = check_books()
        with pytest.raises(CommandError, match="closed_periods_match_close") as error:
            call_command("check_books")
        transaction.set_rollback(True)

    assert [check.name for check in report.failed] == ["closed_periods_match_close"]
    problems = report.check("closed_periods_match_close").problems
    closed = f"closed period 2026-08 (closed {PeriodCloseRecord.objects.get().closed_at:%Y-%m-%d %H:%M} UTC)"
    assert problems == (
        f"{closed} holds 0 entries, 1 when it was closed",
        f"{closed}: GL account 500-1210 has no lines; when closed, debits 40.00, credits 0.00 (1 line)",
        f"{closed}: GL account 500-4110 has no lines; when closed, debits 0.00, credits 40.00 (1 line)",
    )
    assert error.value.returncode == 1
    assert "closed period 2026-08" in capsys.readouterr().out


def test_a_reopened_month_closed_again_is_compared_with_its_new_totals(
    closed_august: JournalEntry, technician: User, supervisor: User
) -> None:
    account = build_account(rows_only=True, last_name="Lopez")
    period_reopen(month=AUGUST, reason="late lockbox file", actor=supervisor)
    entry_post(
        lines=payment_lines(account, water="10.00"),
        actor=technician,
        **post_kwargs(
            accounting_date=dt.date(2026, 8, 31),
            source_type="payment",
            idempotency_key="pay:1",
            reason="lockbox",
        ),
    )
    period_close(month=AUGUST, actor=supervisor)

    assert list(PeriodCloseRecord.objects.values_list("entry_count", "debit_cents")) == [(1, 4000), (2, 5000)]
    report = check_books()
    assert report.ok, report.failed


def test_a_month_closed_with_no_entries_still_holds_none(supervisor: User, technician: User) -> None:
    period_close(month=SEPTEMBER, actor=supervisor)
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE ledger_journalentry DISABLE TRIGGER USER")
            else:
                cursor.execute("DROP TRIGGER ledger_journalentry_open_period")
        entry_id = uuid.uuid4()
        insert_line(entry_id, chart.CASH_WATER, debit_cents=500)
        insert_line(entry_id, chart.CUSTOMER_DEPOSITS, credit_cents=500)
        insert_header(entry_id, 500, technician, accounting_date=dt.date(2026, 9, 15))
        problems = check_books().check("closed_periods_match_close").problems
        transaction.set_rollback(True)

    assert problems[0].endswith("holds 1 entries, 0 when it was closed")
