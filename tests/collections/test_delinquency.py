"""What an account owes and since when, bill by bill: open items from the ledger tied to the bills
that made them, paid oldest first as payments apply."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.billing.models import Bill
from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial
from civicbill.collections.delinquency import BillRef, account_delinquency
from civicbill.collections.delinquency_selectors import accounts_owing, accounts_past_due, delinquency_facts
from civicbill.payments.allocation import Movement

SEP, OCT, NOV = (dt.date(2026, month, 1) for month in (9, 10, 11))


def _bill(bill_id: int, day: dt.date, due: dt.date) -> BillRef:
    return BillRef(bill_id, f"B{bill_id}", day, day, due, frozenset({"water", "sewer"}))


def test_a_payment_settles_the_oldest_bill_first_and_the_rest_keeps_its_due_date() -> None:
    movements = [
        Movement("water", "bill", dt.date(2026, 9, 30), 3000),
        Movement("sewer", "bill", dt.date(2026, 9, 30), 4000),
        Movement("water", "bill", dt.date(2026, 10, 30), 3100),
        Movement("sewer", "bill", dt.date(2026, 10, 30), 4100),
        Movement("water", "payment", dt.date(2026, 10, 25), -3000),
        Movement("sewer", "payment", dt.date(2026, 10, 25), -1000),
    ]
    bills = [
        _bill(1, dt.date(2026, 9, 30), dt.date(2026, 10, 21)),
        _bill(2, dt.date(2026, 10, 30), dt.date(2026, 11, 20)),
    ]
    owed = account_delinquency(7, movements, bills)
    assert owed.balance_cents == 10200
    assert [(i.service, i.due_date, i.open_cents, i.bill_number) for i in owed.items] == [
        ("sewer", dt.date(2026, 10, 21), 3000, "B1"),
        ("sewer", dt.date(2026, 11, 20), 4100, "B2"),
        ("water", dt.date(2026, 11, 20), 3100, "B2"),
    ]
    on = dt.date(2026, 12, 20)
    assert owed.oldest_due_date(on) == dt.date(2026, 10, 21)
    assert owed.days_delinquent(on) == 60
    assert owed.past_due_cents(on) == 10200
    assert owed.past_due_cents(dt.date(2026, 11, 24), grace_days=5) == 3000  # B2 is within its grace
    assert owed.bills_past_due(on) == {1: 3000, 2: 7200}


def test_an_opening_balance_no_bill_made_is_due_on_its_own_date() -> None:
    owed = account_delinquency(7, [Movement("water", "conversion", dt.date(2026, 1, 31), 5000)], [])
    assert [(i.due_date, i.bill_id) for i in owed.items] == [(dt.date(2026, 1, 31), None)]
    assert owed.days_delinquent(dt.date(2026, 3, 1)) == 29


def test_an_account_in_credit_owes_nothing() -> None:
    owed = account_delinquency(7, [Movement("water", "payment", dt.date(2026, 1, 31), -5000)], [])
    assert (owed.balance_cents, owed.items, owed.days_delinquent(dt.date(2026, 3, 1))) == (-5000, (), 0)


@pytest.mark.django_db
def test_three_unpaid_months_of_a_billed_account_carry_their_bills_due_dates(
    cycle: Any, make_account: Any, technician: Any
) -> None:
    account = make_account(
        services=(("water", "W-RES"),),
        reads=((dt.date(2026, 8, 28), 10_000), (dt.date(2026, 9, 28), 11_000),
               (dt.date(2026, 10, 28), 12_500), (dt.date(2026, 11, 28), 14_000)),
    )  # fmt: skip
    for period in (SEP, OCT, NOV):
        run = bill_run_start(cycle_number=1, period=period, actor=technician, as_of=dt.date(2026, 12, 1))
        run = bill_run_trial(run_id=run.pk, actor=technician, as_of=dt.date(2026, 12, 1))
        bill_run_commit(run_id=run.pk, actor=technician, as_of=dt.date(2026, 12, 1))
    bills = list(Bill.objects.filter(account=account).order_by("period"))
    facts = delinquency_facts([account.pk], dt.date(2026, 12, 31))[account.pk]
    assert [(i.bill_number, i.due_date, i.open_cents) for i in facts.items] == [
        (b.number, b.due_date, b.current_charges_cents) for b in bills
    ]
    assert facts.balance_cents == sum(b.current_charges_cents for b in bills)
    assert accounts_owing(dt.date(2026, 12, 31)) == [account.pk]
    assert accounts_owing(dt.date(2026, 1, 1)) == []


@pytest.mark.django_db
def test_only_accounts_owing_more_than_their_bills_not_yet_due_are_examined(
    cycle: Any, make_account: Any, technician: Any
) -> None:
    account = make_account(
        services=(("water", "W-RES"),),
        reads=((dt.date(2026, 10, 28), 12_500), (dt.date(2026, 11, 28), 14_000)),
    )
    run = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=dt.date(2026, 12, 1))
    run = bill_run_trial(run_id=run.pk, actor=technician, as_of=dt.date(2026, 12, 1))
    bill_run_commit(run_id=run.pk, actor=technician, as_of=dt.date(2026, 12, 1))
    bill = Bill.objects.get(account=account)
    assert accounts_owing(bill.due_date) == [account.pk]
    assert accounts_past_due(bill.due_date) == []  # owing, but nothing is past due yet
    assert accounts_past_due(bill.due_date + dt.timedelta(days=1)) == [account.pk]


def test_a_fee_posted_between_bills_is_due_with_the_next_bill_and_arrears_when_posted() -> None:
    movements = [
        Movement("water", "conversion", dt.date(2026, 9, 1), 2000),
        Movement("water", "fee", dt.date(2026, 10, 5), 7500),
        Movement("water", "bill", dt.date(2026, 10, 30), 3100),
        Movement("water", "fee", dt.date(2026, 11, 2), 2500),
    ]
    bills = [_bill(2, dt.date(2026, 10, 30), dt.date(2026, 11, 20))]
    owed = account_delinquency(7, movements, bills)
    assert [(i.accounting_date, i.due_date, i.open_cents) for i in owed.items] == [
        (dt.date(2026, 9, 1), dt.date(2026, 9, 1), 2000),  # legacy arrears: due when converted
        (dt.date(2026, 10, 5), dt.date(2026, 11, 20), 7500),  # told of on the October bill
        (dt.date(2026, 10, 30), dt.date(2026, 11, 20), 3100),
        (dt.date(2026, 11, 2), dt.date(2026, 12, 2), 2500),  # no bill has carried it yet: 30 days
    ]
