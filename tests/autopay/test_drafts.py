"""Drafting: what a file takes (the bill's total due, never more than the account owes), which bills,
the refusals (not a banking day, not after today, the same date twice, nothing to draft), and
cancelling a file before its date (payments voided, bills and prenotes free for the next file)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.autopay.models import DraftEntry, DraftFile, Enrollment, EnrollmentEvent
from civicbill.autopay.services import ach_draft_cancel, ach_draft_create
from civicbill.billing.models import Bill
from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.money import Money
from civicbill.ledger.models import JournalEntry
from civicbill.ledger.selectors import account_balance, check_books
from civicbill.payments.models import Payment
from civicbill.payments.services import (
    AccountAmount,
    TenderInput,
    drawer_create,
    drawer_session_open,
    payment_take,
)
from tests.autopay.conftest import DEC_1, DEC_3, DEC_18, DEC_21, Drafted, written
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db


def refused(code: str, **kwargs: Any) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        ach_draft_create(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def test_a_saturday_a_holiday_and_today_are_refused_naming_the_next_business_day(
    enrolled: Any, at: Any, technician: Any
) -> None:
    now = at(DEC_1)
    error = refused("not_business_day", effective_date=dt.date(2026, 12, 5), as_of=now, actor=technician)
    assert error.message == (
        "2026-12-05 is not a banking day (weekend); the effective entry date must be a banking day, "
        "such as 2026-12-07"
    )
    error = refused("not_business_day", effective_date=dt.date(2026, 12, 25), as_of=now, actor=technician)
    assert "(Federal Reserve holiday: Christmas Day)" in error.message
    refused("date_not_after_today", effective_date=DEC_1, as_of=now, actor=technician)
    assert DraftFile.objects.count() == 0 and DraftEntry.objects.count() == 0


def test_the_same_date_twice_is_refused_until_the_first_file_is_cancelled(
    drafted: Drafted, at: Any, technician: Any
) -> None:
    now = at(DEC_18, 10)
    error = refused("duplicate_draft", effective_date=DEC_21, as_of=now, actor=technician)
    assert (
        f"Draft file {drafted.draft.pk} (ach-20261221-20261218A.ach) for 2026-12-21 already exists"
        in error.message
    )
    assert Payment.objects.filter(channel="ach").count() == 3

    ach_draft_cancel(
        draft_file=drafted.draft, reason="wrong date agreed with the bank", as_of=now, actor=technician
    )
    assert Payment.objects.filter(channel="ach", status="voided").count() == 3
    for account in (drafted.ana, drafted.ben, drafted.carla):
        assert account_balance(account).cents == 7811  # the voided drafts no longer pay the bills
    assert set(DraftEntry.objects.filter(draft_file=drafted.draft).values_list("status", flat=True)) == {
        "cancelled"
    }

    again = ach_draft_create(effective_date=DEC_21, as_of=now, actor=technician)
    assert (again.debit_count, again.total_debit_cents, again.file_id_modifier) == (3, 3 * 7811, "B")
    assert (again.first_trace_sequence, again.last_trace_sequence) == (7, 9)  # traces are never reused
    for account in (drafted.ana, drafted.ben, drafted.carla):
        assert account_balance(account).cents == 0
    assert check_books().ok


def test_a_file_cannot_be_cancelled_on_or_after_its_effective_date(
    drafted: Drafted, at: Any, technician: Any
) -> None:
    with pytest.raises(ApplicationError, match="took effect on 2026-12-21") as caught:
        ach_draft_cancel(draft_file=drafted.draft, reason="too late", as_of=at(DEC_21), actor=technician)
    assert caught.value.code == "already_effective"
    assert DraftFile.objects.get(pk=drafted.draft.pk).status == "created"


def test_cancelling_the_prenote_file_sends_the_prenotes_again_with_the_next_file(
    enrolled: Any, at: Any, technician: Any
) -> None:
    now = at(DEC_1)
    prenotes = ach_draft_create(effective_date=DEC_3, as_of=now, actor=technician)
    ach_draft_cancel(draft_file=prenotes, reason="test file", as_of=now, actor=technician)
    assert set(Enrollment.objects.values_list("prenote_sent_on", flat=True)) == {None}
    assert EnrollmentEvent.objects.filter(kind="prenote_cancelled").count() == 3
    again = ach_draft_create(effective_date=dt.date(2026, 12, 4), as_of=now, actor=technician)
    assert (again.prenote_count, again.file_id_modifier) == (3, "B")


def test_nothing_to_draft_is_refused_and_changes_nothing(enrolled: Any, at: Any, technician: Any) -> None:
    now = at(DEC_1)
    ach_draft_create(effective_date=DEC_3, as_of=now, actor=technician)  # the prenotes
    error = refused("nothing_to_draft", effective_date=dt.date(2026, 12, 4), as_of=now, actor=technician)
    assert error.message.startswith("Nothing to draft for 2026-12-04")
    assert DraftFile.objects.count() == 1


def test_drafting_waits_for_the_prenote_period(
    enrolled: Any, november_bills: Any, at: Any, technician: Any
) -> None:
    ach_draft_create(effective_date=DEC_3, as_of=at(DEC_1), actor=technician)
    november_bills()
    # created Thursday December 10: only 5 business days after the prenote's December 3
    refused("nothing_to_draft", effective_date=DEC_21, as_of=at(dt.date(2026, 12, 10)), actor=technician)
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"prenote_pending"}
    draft = ach_draft_create(effective_date=DEC_21, as_of=at(dt.date(2026, 12, 11)), actor=technician)
    assert draft.debit_count == 3
    assert set(Enrollment.objects.values_list("activated_on", flat=True)) == {dt.date(2026, 12, 11)}


def test_a_draft_takes_what_is_still_owed_and_skips_a_paid_bill(
    enrolled: Any, november_bills: Any, at: Any, csr: Any, supervisor: Any, technician: Any
) -> None:
    ach_draft_create(effective_date=DEC_3, as_of=at(DEC_1), actor=technician)
    november_bills()
    ana, ben, _carla = (e.account for e in enrolled)
    now = at(dt.date(2026, 12, 14))
    drawer = drawer_create(
        location_code="CH", location_name="City Hall", code="CH-1", name="Window 1", actor=supervisor
    )
    session = drawer_session_open(drawer=drawer, starting_float=Money.parse("100.00"), as_of=now, actor=csr)
    for account, amount in ((ana, "30.00"), (ben, "78.11")):
        payment_take(
            session=session,
            accounts=[AccountAmount(account, Money.parse(amount))],
            tenders=[TenderInput(kind="cash", amount=Money.parse(amount))],
            idempotency_key=f"counter-{account.number}",
            as_of=now,
            actor=csr,
        )
    draft = ach_draft_create(effective_date=DEC_21, as_of=at(DEC_18), actor=technician)
    amounts = dict(DraftEntry.objects.filter(draft_file=draft).values_list("account_id", "amount_cents"))
    assert amounts == {ana.pk: 4811, enrolled[2].account_id: 7811}  # Ben paid in full: skipped
    assert Bill.objects.get(account=ana).total_due_cents == 7811  # the bill itself is unchanged
    assert check_books().ok


def test_a_bill_due_before_the_authorization_is_not_drafted(
    make_account: Any, november_bills: Any, at: Any, csr: Any, technician: Any
) -> None:
    from civicbill.autopay.services import autopay_enroll

    account = make_account(usage_hcf=15)
    november_bills()  # due December 21
    autopay_enroll(
        account=account, routing_number="121042882", account_number="12345678", account_type="checking",
        authorization=written(dt.date(2026, 12, 22), "Test García"), as_of=at(dt.date(2026, 12, 22)),
        actor=csr,
    )  # fmt: skip
    Enrollment.objects.update(status="active", prenote_sent_on=DEC_3, activated_on=DEC_3)
    refused(
        "nothing_to_draft",
        effective_date=dt.date(2026, 12, 23),
        as_of=at(dt.date(2026, 12, 22)),
        actor=technician,
    )


def test_an_ended_enrollment_is_not_drafted(drafted: Drafted, at: Any, csr: Any, technician: Any) -> None:
    from civicbill.autopay.services import autopay_end

    now = at(DEC_18, 11)
    ach_draft_cancel(draft_file=drafted.draft, reason="redo", as_of=now, actor=technician)
    autopay_end(enrollment=drafted.enrollments[1], reason="customer_request", note="", as_of=now, actor=csr)
    again = ach_draft_create(effective_date=DEC_21, as_of=now, actor=technician)
    assert set(again.entries.values_list("account_id", flat=True)) == {drafted.ana.pk, drafted.carla.pk}


def test_only_technicians_and_supervisors_draft(enrolled: Any, at: Any, csr: Any, auditor: Any) -> None:
    for actor in (csr, auditor):
        with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match=r"autopay\.draft"):
            ach_draft_create(effective_date=DEC_3, as_of=at(DEC_1), actor=actor)
    assert DraftFile.objects.count() == 0
    assert JournalEntry.objects.filter(source_type="payment").count() == 0
