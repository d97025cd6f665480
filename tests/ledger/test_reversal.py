"""Reversing an entry: the mirror image, linked to the original, at most once, never a reversal's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from civicbill.core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.core.money import Money
from civicbill.ledger.models import JournalEntry, JournalLine
from civicbill.ledger.selectors import account_balance, account_history
from civicbill.ledger.services import entry_post, entry_reverse, period_close
from tests.fixtures.accounts import build_account
from tests.ledger.helpers import charge_lines, post_kwargs

pytestmark = pytest.mark.django_db


@pytest.fixture
def bill(technician: User) -> JournalEntry:
    account = build_account(rows_only=True)
    return entry_post(
        lines=charge_lines(account, water="40.00", sewer="41.81"), actor=technician, **post_kwargs()
    )


def _lines(entry: JournalEntry) -> list[tuple[str, int, int, int | None, str | None]]:
    return list(
        entry.lines.order_by("id").values_list(
            "gl_account__code", "debit_cents", "credit_cents", "customer_account_id", "service"
        )
    )


def test_a_reversal_mirrors_every_line_and_points_at_the_original(
    bill: JournalEntry, supervisor: User
) -> None:
    account_id = bill.lines.exclude(customer_account=None).values_list("customer_account_id", flat=True)[0]

    reversal = entry_reverse(
        entry=bill, reason="billed_in_error", accounting_date=dt.date(2026, 9, 20), actor=supervisor
    )

    reversal.refresh_from_db()
    assert reversal.reverses_id == bill.pk
    assert (reversal.source_type, reversal.source_ref, reversal.reason) == (
        "reversal",
        str(bill.pk),
        "billed_in_error",
    )
    assert reversal.idempotency_key == f"reversal-of:{bill.pk}"
    assert reversal.memo == "Reversal of bill BILL-1001"
    assert (reversal.accounting_date, reversal.total_cents) == (dt.date(2026, 9, 20), 8181)
    assert _lines(reversal) == [
        ("500-1210", 0, 4000, account_id, "water"),
        ("500-4110", 4000, 0, None, None),
        ("510-1220", 0, 4181, account_id, "sewer"),
        ("510-4120", 4181, 0, None, None),
    ]
    bill.refresh_from_db()
    assert bill.reversed_by == reversal  # type: ignore[attr-defined]
    assert account_balance(account_id) == Money.zero()
    assert [row.reversed_by_entry_id for row in account_history(account_id)] == [reversal.pk, None]
    assert [row.reverses_entry_id for row in account_history(account_id)] == [None, bill.pk]


def test_reversal_is_audited(bill: JournalEntry, supervisor: User) -> None:
    reversal = entry_reverse(
        entry=bill, reason="billed_in_error", accounting_date=dt.date(2026, 9, 20), actor=supervisor
    )

    event = AuditEvent.objects.get(action="journal_entry.reverse")
    assert (event.actor, event.target_id) == (supervisor, str(reversal.pk))
    assert event.changes == {
        "reverses": str(bill.pk),
        "reason": "billed_in_error",
        "accounting_date": "2026-09-20",
    }


def test_reversing_an_entry_twice_is_refused_and_nothing_more_is_posted(
    bill: JournalEntry, supervisor: User
) -> None:
    first = entry_reverse(
        entry=bill, reason="billed_in_error", accounting_date=dt.date(2026, 9, 20), actor=supervisor
    )

    with pytest.raises(
        ApplicationError, match=rf"^Entry {bill.pk} was already reversed by entry {first.pk} on 2026-09-20$"
    ):
        entry_reverse(entry=bill, reason="again", accounting_date=dt.date(2026, 9, 21), actor=supervisor)

    assert JournalEntry.objects.count() == 2
    assert JournalLine.objects.count() == 8


def test_replaying_a_reversal_with_its_idempotency_key_returns_it(
    bill: JournalEntry, supervisor: User
) -> None:
    first = entry_reverse(
        entry=bill,
        reason="billed_in_error",
        accounting_date=dt.date(2026, 9, 20),
        actor=supervisor,
        idempotency_key="adj:77",
    )

    again = entry_reverse(
        entry=bill,
        reason="billed_in_error",
        accounting_date=dt.date(2026, 9, 20),
        actor=supervisor,
        idempotency_key="adj:77",
    )

    assert again.pk == first.pk
    assert JournalEntry.objects.count() == 2


def test_a_reversal_cannot_be_reversed(bill: JournalEntry, supervisor: User) -> None:
    reversal = entry_reverse(
        entry=bill, reason="billed_in_error", accounting_date=dt.date(2026, 9, 20), actor=supervisor
    )

    with pytest.raises(ApplicationError, match=r"is itself a reversal .* post a new entry instead") as info:
        entry_reverse(entry=reversal, reason="undo", accounting_date=dt.date(2026, 9, 21), actor=supervisor)

    assert info.value.code == "reversal_of_reversal"
    assert JournalEntry.objects.count() == 2


def test_a_reversal_goes_into_an_open_period(bill: JournalEntry, supervisor: User) -> None:
    period_close(month=dt.date(2026, 9, 1), actor=supervisor)

    with pytest.raises(
        ApplicationError,
        match=r"^Accounting period 2026-09 is closed; post the correction into an open period$",
    ):
        entry_reverse(
            entry=bill, reason="billed_in_error", accounting_date=dt.date(2026, 9, 30), actor=supervisor
        )
    reversal = entry_reverse(
        entry=bill, reason="billed_in_error", accounting_date=dt.date(2026, 10, 1), actor=supervisor
    )

    assert reversal.accounting_date == dt.date(2026, 10, 1)
    assert JournalEntry.objects.count() == 2


def test_a_reversal_cannot_be_dated_before_its_original(bill: JournalEntry, supervisor: User) -> None:
    with pytest.raises(
        ApplicationError,
        match=r"^A reversal cannot be dated 2026-09-14, before the entry it reverses \(2026-09-15\)$",
    ):
        entry_reverse(
            entry=bill, reason="billed_in_error", accounting_date=dt.date(2026, 9, 14), actor=supervisor
        )

    assert JournalEntry.objects.count() == 1


def test_a_reversal_needs_a_reason(bill: JournalEntry, supervisor: User) -> None:
    with pytest.raises(ApplicationError, match="a reason code is required"):
        entry_reverse(entry=bill, reason=" ", accounting_date=dt.date(2026, 9, 20), actor=supervisor)

    assert JournalEntry.objects.count() == 1


@pytest.mark.parametrize("role", ["CSR", "Technician", "Auditor"])
def test_only_a_supervisor_may_reverse(bill: JournalEntry, make_user: object, role: str) -> None:
    actor = make_user(role, username=f"{role.lower()}-2")  # type: ignore[operator]

    with pytest.raises(
        PermissionDeniedError, match=r"may not reverse a posted journal entry \(ledger\.reverse\)"
    ):
        entry_reverse(entry=bill, reason="billed_in_error", accounting_date=dt.date(2026, 9, 20), actor=actor)

    assert JournalEntry.objects.count() == 1


def test_reversing_an_entry_that_does_not_exist_is_not_found(supervisor: User) -> None:
    ghost = JournalEntry(total_cents=1)

    with pytest.raises(NotFoundError, match=rf"^There is no journal entry {ghost.pk}$"):
        entry_reverse(entry=ghost, reason="oops", accounting_date=dt.date(2026, 9, 20), actor=supervisor)

    assert JournalEntry.objects.count() == 0
