"""Closed accounts with an unpaid final bill: transferred to the customer's active account, or written
off in a batch a second supervisor approves, with money received later posted as a recovery."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from civicbill.collections import writeoff_selectors as selectors
from civicbill.collections.models import CollectionStage, WriteOff, WriteOffBatch
from civicbill.collections.stages import current_stages
from civicbill.collections.writeoffs import (
    balance_transfer,
    closed_unpaid_record,
    writeoff_approve,
    writeoff_lines,
    writeoff_propose,
    writeoff_recoveries_run,
    writeoff_reject,
)
from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.money import Money
from civicbill.customers import services as customer_services
from civicbill.customers.models import Premise
from civicbill.ledger.models import JournalLine
from civicbill.ledger.selectors import account_balance, account_balance_by_service, check_books
from civicbill.payments import services as payment_services
from civicbill.payments.services import AccountAmount, TenderInput
from tests.fixtures.payments import gl

LA = ZoneInfo("America/Los_Angeles")
MOVED_OUT = dt.date(2026, 11, 30)  # the opening balance is dated (and so due) 2026-11-30 too
WRITE_OFF_DAY = dt.date(2027, 5, 29)  # 180 days after 2026-11-30 (a Saturday)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LA)


def books_ok() -> None:
    report = check_books()
    assert report.ok, [check.problems for check in report.failed]


@pytest.fixture
def moved_out(make_account: Any, csr: Any) -> Any:
    """Ana Ruiz moved out on 2026-11-30 owing water $48.20 and sewer $41.81 ($90.01)."""
    account = make_account(first_name="Ana", last_name="Ruiz", owing={"water": "48.20", "sewer": "41.81"})
    return customer_services.account_close(account=account, end_date=MOVED_OUT, actor=csr, reason="moved")


@pytest.fixture
def second_supervisor(make_user: Any) -> Any:
    return make_user("Supervisor", "sam")


def test_a_closed_account_that_owes_is_listed_with_the_day_it_may_be_written_off(moved_out: Any) -> None:
    rows = selectors.closed_unpaid(dt.date(2026, 12, 1))
    assert [(r.number, r.balance_cents, r.amounts, r.aged_from, r.writeoff_on) for r in rows] == [
        (moved_out.number, 9001, {"sewer": 4181, "water": 4820}, MOVED_OUT, WRITE_OFF_DAY)
    ]
    assert rows[0].blocked == (
        "its final bill was due 2026-11-30: it may be written off from 2027-05-29 (180 days)",
    )
    assert selectors.closed_unpaid(WRITE_OFF_DAY)[0].may_write_off


def test_nothing_is_proposed_the_day_before_the_policy_age(moved_out: Any, supervisor: Any) -> None:
    with pytest.raises(ApplicationError) as refused:
        writeoff_propose(as_of=dt.date(2027, 5, 28), actor=supervisor, at=at(dt.date(2027, 5, 28)))
    assert refused.value.code == "nothing_to_write_off"
    assert not WriteOffBatch.objects.exists()


def test_a_batch_is_written_off_against_each_funds_allowance_once_another_supervisor_approves(
    moved_out: Any, technician: Any, supervisor: Any, second_supervisor: Any, frozen: Any
) -> None:
    frozen.move_to(at(dt.date(2027, 6, 1)))
    batch = writeoff_propose(as_of=WRITE_OFF_DAY, actor=technician, at=at(dt.date(2027, 6, 1)), note="May")
    assert [(w.account_id, w.total_cents, w.amounts) for w in batch.writeoffs.all()] == [
        (moved_out.pk, 9001, {"sewer": 4181, "water": 4820})
    ]
    assert account_balance(moved_out) == Money.parse("90.01")  # nothing posted before approval
    with pytest.raises(PermissionDeniedError):
        writeoff_approve(batch_id=batch.pk, actor=technician, at=at(dt.date(2027, 6, 1)))
    posted = writeoff_approve(batch_id=batch.pk, actor=supervisor, at=at(dt.date(2027, 6, 2), 11))
    assert (posted.status, posted.posted_on) == (WriteOffBatch.Status.POSTED, dt.date(2027, 6, 2))
    assert account_balance(moved_out) == Money.zero()
    assert (gl("500-1290"), gl("510-1290"), gl("500-1210"), gl("510-1220")) == (
        "48.20",
        "41.81",
        "0.00",
        "0.00",
    )
    writeoff = WriteOff.objects.get(batch=batch)
    assert writeoff.status == WriteOff.Status.POSTED
    assert writeoff.entry.source_type == "write_off"
    assert current_stages([moved_out.pk])[moved_out.pk] == CollectionStage.WRITTEN_OFF
    assert selectors.closed_unpaid(dt.date(2027, 6, 2)) == []
    books_ok()
    with pytest.raises(ApplicationError) as again:
        writeoff_approve(batch_id=batch.pk, actor=second_supervisor, at=at(dt.date(2027, 6, 2)))
    assert again.value.code == "already_decided"


def test_the_proposer_may_not_approve_their_own_batch(moved_out: Any, supervisor: Any) -> None:
    batch = writeoff_propose(as_of=WRITE_OFF_DAY, actor=supervisor, at=at(WRITE_OFF_DAY))
    with pytest.raises(ApplicationError) as refused:
        writeoff_approve(batch_id=batch.pk, actor=supervisor, at=at(WRITE_OFF_DAY))
    assert refused.value.code == "same_person"
    assert not JournalLine.objects.filter(entry__source_type="write_off").exists()


def test_direct_write_off_debits_the_uncollectible_accounts_expense(moved_out: Any) -> None:
    lines = writeoff_lines({"water": 4820, "sewer": 4181}, account_id=moved_out.pk, method="direct")
    assert [(line.gl_code, line.debit_cents, line.credit_cents) for line in lines] == [
        ("510-1220", 0, 4181),
        ("500-1210", 0, 4820),
        ("500-6900", 4820, 0),
        ("510-6900", 4181, 0),
    ]


def test_a_payment_that_changed_the_balance_since_the_proposal_leaves_the_account_out(
    moved_out: Any, technician: Any, supervisor: Any, csr: Any, drawers: Any, frozen: Any
) -> None:
    frozen.move_to(at(dt.date(2027, 6, 1)))
    batch = writeoff_propose(as_of=WRITE_OFF_DAY, actor=technician, at=at(dt.date(2027, 6, 1)))
    session = payment_services.drawer_session_open(
        drawer=drawers[0], starting_float=Money.parse("100.00"), as_of=at(dt.date(2027, 6, 1), 8), actor=csr
    )
    payment_services.payment_take(
        session=session, accounts=[AccountAmount(moved_out, Money.parse("20.00"))],
        tenders=[TenderInput("cash", Money.parse("20.00"))], idempotency_key="p1",
        as_of=at(dt.date(2027, 6, 1), 9), actor=csr,
    )  # fmt: skip
    writeoff_approve(batch_id=batch.pk, actor=supervisor, at=at(dt.date(2027, 6, 1), 11))
    writeoff = WriteOff.objects.get(batch=batch)
    assert (writeoff.status, writeoff.dropped_reason) == (
        WriteOff.Status.DROPPED,
        "The balance changed since the proposal: $90.01 then, $70.01 now",
    )
    assert account_balance(moved_out) == Money.parse("70.01")
    books_ok()


def test_money_received_after_the_write_off_is_a_recovery_that_reinstates_and_pays_the_receivable(
    moved_out: Any, technician: Any, supervisor: Any, csr: Any, drawers: Any, frozen: Any
) -> None:
    frozen.move_to(at(dt.date(2027, 6, 1)))
    batch = writeoff_propose(as_of=WRITE_OFF_DAY, actor=technician, at=at(dt.date(2027, 6, 1)))
    writeoff_approve(batch_id=batch.pk, actor=supervisor, at=at(dt.date(2027, 6, 1), 11))
    frozen.move_to(at(dt.date(2027, 7, 6)))
    session = payment_services.drawer_session_open(
        drawer=drawers[0], starting_float=Money.parse("100.00"), as_of=at(dt.date(2027, 7, 6), 8), actor=csr
    )
    payment_services.payment_take(
        session=session, accounts=[AccountAmount(moved_out, Money.parse("60.00"))],
        tenders=[TenderInput("cash", Money.parse("60.00"))], idempotency_key="late",
        as_of=at(dt.date(2027, 7, 6), 9), actor=csr,
    )  # fmt: skip
    assert account_balance(moved_out) == Money.parse("-60.00")  # the payments app: a credit on water
    assert selectors.written_off_in_credit(dt.date(2027, 7, 6)) == [moved_out.pk]
    [recovery] = writeoff_recoveries_run(
        on=dt.date(2027, 7, 6), actor=technician, at=at(dt.date(2027, 7, 6), 18)
    )
    assert (recovery.amount_cents, recovery.amounts) == (6000, {"water": 4820, "sewer": 1180})
    assert account_balance(moved_out) == Money.zero()
    assert account_balance_by_service(moved_out) == {"water": Money.zero(), "sewer": Money.zero()}
    # water's allowance back to zero, sewer's 41.81 - 11.80; the water fund's cash paid sewer's share
    assert (gl("500-1290"), gl("510-1290"), gl("500-2100"), gl("510-1900")) == (
        "0.00",
        "30.01",
        "-11.80",
        "11.80",
    )
    assert selectors.unrecovered_by_service(moved_out.pk) == {"sewer": 3001}
    assert (
        writeoff_recoveries_run(on=dt.date(2027, 7, 6), actor=technician, at=at(dt.date(2027, 7, 6), 19))
        == []
    )
    books_ok()


def test_a_closed_balance_moves_to_the_customers_active_account_service_by_service(
    moved_out: Any, technician: Any, csr: Any
) -> None:
    premise = Premise.objects.create(
        house_number="9", street_name="Calle Verde", city="Coachella", zip_code="92236",
        search_address="9 CALLE VERDE", created_at=at(dt.date(2026, 12, 1)),
    )  # fmt: skip
    active = customer_services.account_open(
        customer=moved_out.customer, premise=premise, services=[("water", "W-RES")],
        start_date=dt.date(2026, 12, 1), as_of=dt.date(2026, 12, 1), actor=csr,
    )  # fmt: skip
    assert selectors.closed_unpaid(dt.date(2026, 12, 1))[0].active_accounts == (active.number,)
    with pytest.raises(ApplicationError) as refused:
        balance_transfer(from_account=moved_out, to_account_number=active.number, reason=" ",
                         as_of=at(dt.date(2026, 12, 1)), actor=technician)  # fmt: skip
    assert refused.value.field == "reason"
    transfer = balance_transfer(
        from_account=moved_out, to_account_number=active.number, reason="Customer moved to 9 Calle Verde",
        as_of=at(dt.date(2026, 12, 1)), actor=technician,
    )  # fmt: skip
    assert (transfer.total_cents, transfer.amounts, transfer.business_date) == (
        9001,
        {"sewer": 4181, "water": 4820},
        dt.date(2026, 12, 1),
    )
    assert account_balance(moved_out) == Money.zero()
    assert account_balance_by_service(active) == {
        "sewer": Money.parse("41.81"),
        "water": Money.parse("48.20"),
    }
    assert selectors.closed_unpaid(dt.date(2026, 12, 1)) == []
    books_ok()
    with pytest.raises(ApplicationError) as twice:
        balance_transfer(from_account=moved_out, to_account_number=active.number, reason="again",
                         as_of=at(dt.date(2026, 12, 1), 11), actor=technician)  # fmt: skip
    assert twice.value.code == "nothing_owed"


def test_a_balance_goes_only_to_the_same_customers_active_account(
    moved_out: Any, make_account: Any, technician: Any, csr: Any
) -> None:
    stranger = make_account(first_name="Luis", last_name="Soto")
    with pytest.raises(ApplicationError) as refused:
        balance_transfer(from_account=moved_out, to_account_number=stranger.number, reason="x",
                         as_of=at(dt.date(2026, 12, 1)), actor=technician)  # fmt: skip
    assert (refused.value.code, refused.value.field) == ("other_customer", "to_account")
    with pytest.raises(PermissionDeniedError):
        balance_transfer(from_account=moved_out, to_account_number=stranger.number, reason="x",
                         as_of=at(dt.date(2026, 12, 1)), actor=csr)  # fmt: skip
    assert account_balance(moved_out) == Money.parse("90.01")


def test_a_rejected_batch_posts_nothing_and_its_accounts_may_be_proposed_again(
    moved_out: Any, technician: Any, supervisor: Any
) -> None:
    batch = writeoff_propose(as_of=WRITE_OFF_DAY, actor=technician, at=at(WRITE_OFF_DAY))
    assert selectors.closed_unpaid(WRITE_OFF_DAY)[0].blocked == (
        f"it is in write-off batch {batch.pk}, waiting for approval",
    )
    writeoff_reject(batch_id=batch.pk, actor=supervisor, at=at(WRITE_OFF_DAY), note="Customer called")
    assert account_balance(moved_out) == Money.parse("90.01")
    again = writeoff_propose(as_of=WRITE_OFF_DAY, actor=technician, at=at(WRITE_OFF_DAY, 11))
    assert again.writeoffs.count() == 1


def test_the_closed_unpaid_stage_is_recorded_once(moved_out: Any, technician: Any) -> None:
    assert closed_unpaid_record(on=dt.date(2026, 12, 1), actor=technician, at=at(dt.date(2026, 12, 1))) == [
        moved_out.number
    ]
    assert closed_unpaid_record(on=dt.date(2026, 12, 2), actor=technician, at=at(dt.date(2026, 12, 2))) == []
    assert current_stages([moved_out.pk])[moved_out.pk] == CollectionStage.CLOSED_UNPAID
