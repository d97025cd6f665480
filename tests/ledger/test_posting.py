"""Posting a journal entry: balanced, idempotent, permitted, into an open period, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from civicbill.core.exceptions import PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.core.utility_services import Service
from civicbill.ledger import chart
from civicbill.ledger.models import JournalEntry, JournalLine
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.services import LedgerPostingError, entry_post, period_close
from tests.fixtures.accounts import build_account
from tests.fixtures.database import assert_nothing_changed
from tests.ledger.helpers import charge_lines, m, post_kwargs

pytestmark = pytest.mark.django_db


def test_a_balanced_entry_is_posted_with_its_lines_in_order(technician: User, time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 9, 15, 18, 30, tzinfo=dt.UTC), tick=False)
    account = build_account(rows_only=True)

    entry = entry_post(
        lines=charge_lines(account, water="40.00", sewer="41.81"),
        memo="September bill",
        actor=technician,
        **post_kwargs(),
    )

    entry.refresh_from_db()
    assert entry.accounting_date == dt.date(2026, 9, 15)
    assert entry.posted_at == dt.datetime(2026, 9, 15, 18, 30, tzinfo=dt.UTC)
    assert (entry.source_type, entry.source_ref, entry.idempotency_key) == ("bill", "BILL-1001", "bill:1001")
    assert (entry.reason, entry.memo, entry.total_cents, entry.posted_by) == (
        "cycle_bill",
        "September bill",
        8181,
        technician,
    )
    assert list(
        entry.lines.order_by("id").values_list(
            "gl_account__code", "debit_cents", "credit_cents", "customer_account_id", "service"
        )
    ) == [
        ("500-1210", 4000, 0, account.pk, "water"),
        ("500-4110", 0, 4000, None, None),
        ("510-1220", 4181, 0, account.pk, "sewer"),
        ("510-4120", 0, 4181, None, None),
    ]


def test_posting_is_audited_with_the_account_number(technician: User) -> None:
    account = build_account(rows_only=True)

    entry = entry_post(lines=charge_lines(account, water="40.00"), actor=technician, **post_kwargs())

    event = AuditEvent.objects.get(action="journal_entry.post")
    assert (event.actor, event.target_type, event.target_id, event.account_number) == (
        technician,
        "ledger.journalentry",
        str(entry.pk),
        account.number,
    )
    assert event.changes == {
        "idempotency_key": "bill:1001",
        "reason": "cycle_bill",
        "total": "40.00",
        "line_count": 2,
    }


def test_posting_the_same_idempotency_key_twice_returns_the_first_entry_and_posts_nothing(
    technician: User,
) -> None:
    account = build_account(rows_only=True)
    first = entry_post(lines=charge_lines(account, water="40.00"), actor=technician, **post_kwargs())

    again = entry_post(lines=charge_lines(account, water="40.00"), actor=technician, **post_kwargs())

    assert again.pk == first.pk
    assert JournalEntry.objects.count() == 1
    assert JournalLine.objects.count() == 2
    assert AuditEvent.objects.filter(action="journal_entry.post").count() == 1


def test_reusing_an_idempotency_key_for_different_money_is_refused(technician: User) -> None:
    account = build_account(rows_only=True)
    first = entry_post(lines=charge_lines(account, water="40.00"), actor=technician, **post_kwargs())

    with pytest.raises(
        Exception, match=r"Idempotency key 'bill:1001' was already used by entry .* with different lines"
    ) as info:
        entry_post(lines=charge_lines(account, water="41.00"), actor=technician, **post_kwargs())

    assert info.value.code == "idempotency_conflict"  # type: ignore[attr-defined]
    assert list(JournalEntry.objects.values_list("pk", flat=True)) == [first.pk]
    assert JournalLine.objects.count() == 2


def test_an_unbalanced_entry_is_refused_and_nothing_is_posted(technician: User) -> None:
    account = build_account(rows_only=True)
    lines = [
        PostingLine.debit(
            chart.RECEIVABLE_WATER, m("40.00"), customer_account_id=account.pk, service="water"
        ),
        PostingLine.credit(chart.REVENUE_WATER, m("39.99")),
    ]

    with pytest.raises(
        LedgerPostingError, match=r"^Journal entry refused: debits 40.00 do not equal credits 39.99$"
    ) as info:
        entry_post(lines=lines, actor=technician, **post_kwargs())

    assert info.value.code == "unbalanced"
    assert JournalEntry.objects.count() == 0
    assert JournalLine.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_an_entry_balanced_overall_but_not_within_each_fund_is_refused(technician: User) -> None:
    account = build_account(rows_only=True)
    lines = [
        PostingLine.debit(
            chart.RECEIVABLE_WATER, m("10.00"), customer_account_id=account.pk, service="water"
        ),
        PostingLine.credit(chart.REVENUE_SEWER, m("10.00")),
    ]

    with pytest.raises(LedgerPostingError) as info:
        entry_post(lines=lines, actor=technician, **post_kwargs())

    assert [error.message for error in info.value.errors] == [  # type: ignore[union-attr]
        "Sewer Fund does not balance: debits 0.00, credits 10.00 (use due to/due from other funds)",
        "Water Fund does not balance: debits 10.00, credits 0.00 (use due to/due from other funds)",
    ]
    assert JournalEntry.objects.count() == 0


def test_unknown_gl_code_and_incomplete_receivable_line_are_named(technician: User) -> None:
    lines = [
        PostingLine.debit(chart.RECEIVABLE_WATER, m("5.00")),
        PostingLine.credit("999-9999", m("5.00")),
    ]

    with pytest.raises(LedgerPostingError) as info:
        entry_post(lines=lines, actor=technician, **post_kwargs())

    assert info.value.message == (
        "Journal entry refused: line 1 (500-1210): a receivable line must name the customer account and the "
        "service (water); line 2 (999-9999): no such GL account"
    )
    assert JournalLine.objects.count() == 0


def test_posting_into_a_closed_period_is_refused_and_nothing_is_posted(
    technician: User, supervisor: User
) -> None:
    account = build_account(rows_only=True)
    period_close(month=dt.date(2026, 9, 1), actor=supervisor)

    with pytest.raises(
        Exception, match=r"^Accounting period 2026-09 is closed; post the correction into an open period$"
    ):
        entry_post(
            lines=charge_lines(account, water="40.00"),
            actor=technician,
            **post_kwargs(accounting_date=dt.date(2026, 9, 30)),
        )

    assert JournalEntry.objects.count() == 0
    assert JournalLine.objects.count() == 0


def test_posting_into_the_next_open_month_works_after_a_close(technician: User, supervisor: User) -> None:
    account = build_account(rows_only=True)
    period_close(month=dt.date(2026, 9, 1), actor=supervisor)

    entry = entry_post(
        lines=charge_lines(account, water="40.00"),
        actor=technician,
        **post_kwargs(accounting_date=dt.date(2026, 10, 1)),
    )

    assert entry.accounting_date == dt.date(2026, 10, 1)


def test_a_csr_may_not_post_and_nothing_is_posted(csr: User) -> None:
    account = build_account(rows_only=True)

    with (
        assert_nothing_changed(),
        pytest.raises(PermissionDeniedError, match=r"csr may not post journal entries .*\(ledger\.post\)"),
    ):
        entry_post(lines=charge_lines(account, water="40.00"), actor=csr, **post_kwargs())

    assert JournalEntry.objects.count() == 0


def test_a_service_member_or_its_value_name_the_same_service(technician: User) -> None:
    account = build_account(rows_only=True)
    lines = [
        PostingLine.debit(
            chart.RECEIVABLE_FIRE_LINE, m("12.00"), customer_account_id=account.pk, service=Service.FIRE_LINE
        ),
        PostingLine.credit(chart.REVENUE_FIRE_LINE, m("12.00")),
    ]

    entry = entry_post(lines=lines, actor=technician, **post_kwargs())

    assert list(entry.lines.values_list("service", flat=True)) == ["fire_line", None]


def test_a_reversal_cannot_be_posted_as_a_plain_entry(technician: User) -> None:
    with pytest.raises(LedgerPostingError, match="a reversal is posted by reversing the entry it undoes"):
        entry_post(
            lines=charge_lines(build_account(rows_only=True), water="1.00"),
            actor=technician,
            **post_kwargs(source_type="reversal"),
        )

    assert JournalEntry.objects.count() == 0
