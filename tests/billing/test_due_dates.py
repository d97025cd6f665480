"""Due dates a customer can keep: regular, final and rebills fall due on a business day.

The due date is ``due_days`` after the bill date, moved to the next business day past weekends,
US/California holidays (the calendar's) and office closures recorded by staff.

Weekdays checked by hand: 2026-11-30 Monday, 2026-12-04 Friday, 2026-12-19 Saturday, 2026-12-20
Sunday, 2026-12-21 Monday, 2026-12-22 Tuesday, 2026-12-24 Thursday, 2026-12-25 Friday (Christmas),
2026-12-28 Monday.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.billing.models import Bill, BillingCycle
from civicbill.billing.periods import CycleRules, billing_period, business_due_date
from civicbill.billing.services import (
    bill_cancel_rebill,
    bill_run_commit,
    bill_run_start,
    bill_run_trial,
    billing_cycle_ensure,
    cycle_period,
    final_bill_issue,
)
from civicbill.core.calendar_services import office_closure_add
from civicbill.core.clock import BusinessCalendar, business_calendar
from civicbill.customers.services import account_close
from civicbill.ledger.selectors import check_books
from tests.fixtures.billing import NOV

TODAY = dt.date(2026, 12, 1)
DEC = dt.date(2026, 12, 1)
CALENDAR = BusinessCalendar()
MONTHS_2026_2027 = [dt.date(year, month, 1) for year in (2026, 2027) for month in range(1, 13)]


def _naive_due(rules: CycleRules, month: dt.date) -> dt.date:
    return billing_period(rules, month, CALENDAR).bill_date + dt.timedelta(days=rules.due_days)


# --- pure: the rule --------------------------------------------------------------------------------


def test_read_day_2_in_december_2026_is_due_monday_the_28th_not_on_christmas() -> None:
    period = billing_period(CycleRules(1, read_day=2), DEC, CALENDAR)
    assert (period.start, period.end) == (dt.date(2026, 11, 3), dt.date(2026, 12, 2))
    assert period.bill_date == dt.date(2026, 12, 4)  # Wednesday the 2nd + 2 = Friday
    # + 21 = Friday 2026-12-25, Christmas Day; Saturday and Sunday follow
    assert CALENDAR.why_closed(dt.date(2026, 12, 25)) == "holiday: Christmas Day"
    assert period.due_date == dt.date(2026, 12, 28)


@pytest.mark.parametrize("due_days", [19, 20])
def test_a_due_date_on_a_weekend_moves_to_monday(due_days: int) -> None:
    # bill date Monday 2026-11-30; + 19 = Saturday 12-19, + 20 = Sunday 12-20
    period = billing_period(CycleRules(1, read_day=28, due_days=due_days), NOV, CALENDAR)
    assert period.bill_date == dt.date(2026, 11, 30)
    assert period.due_date == dt.date(2026, 12, 21)


def test_a_closure_then_christmas_then_the_weekend_all_pass() -> None:
    calendar = BusinessCalendar(closures=frozenset({dt.date(2026, 12, 24)}))
    # bill date Friday 12-04 + 20 = Thursday 12-24 (closed), Friday 25 Christmas, 26-27 the weekend
    period = billing_period(CycleRules(1, read_day=2, due_days=20), DEC, calendar)
    assert period.due_date == dt.date(2026, 12, 28)
    assert business_due_date(dt.date(2026, 12, 4), 20, calendar) == dt.date(2026, 12, 28)
    assert business_due_date(dt.date(2026, 12, 4), 17, calendar) == dt.date(2026, 12, 21)  # a Monday: kept


def test_every_cycle_of_every_month_of_2026_and_2027_falls_due_on_a_business_day() -> None:
    moved = []
    for read_day in range(1, 29):
        for month in MONTHS_2026_2027:
            rules = CycleRules(read_day, read_day=read_day)
            due = billing_period(rules, month, CALENDAR).due_date
            naive = _naive_due(rules, month)
            assert CALENDAR.why_closed(due) is None, (read_day, month, due)
            # moved no further than the first business day on or after the naive date
            assert due == CALENDAR.next_business_day(naive)
            if due != naive:
                moved.append((read_day, month, naive))
    assert len(moved) == 44  # before the fix these 44 of 672 cycle-months fell due on a holiday
    assert (2, DEC, dt.date(2026, 12, 25)) in moved


def test_any_due_days_and_closures_never_fall_due_on_a_closed_day() -> None:
    closures = frozenset({dt.date(2026, 12, 24), dt.date(2027, 3, 1), dt.date(2027, 7, 6)})
    calendar = BusinessCalendar(closures=closures)
    for due_days in (1, 10, 14, 15, 19, 20, 21, 25, 30):
        for read_day in range(1, 29):
            for month in MONTHS_2026_2027:
                due = billing_period(
                    CycleRules(1, read_day=read_day, due_days=due_days), month, calendar
                ).due_date
                assert calendar.is_business_day(due), (due_days, read_day, month, due)
                assert due.weekday() < 5 and calendar.holiday_name(due) is None and due not in closures


# --- with the database: closures recorded by staff, runs, final bills and rebills -------------------


@pytest.mark.django_db
def test_every_cycle_uses_the_office_closures_staff_recorded(
    frozen: Any, technician: Any, supervisor: Any
) -> None:
    office_closure_add(closed_on=dt.date(2026, 12, 21), reason="Water main repair", actor=supervisor)
    office_closure_add(closed_on=dt.date(2027, 6, 21), reason="Staff training", actor=supervisor)
    calendar = business_calendar()
    cycles = [
        billing_cycle_ensure(
            number=day, read_day=day, actor=technician, at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
        )
        for day in range(1, 29)
    ]
    for cycle in cycles:
        for month in MONTHS_2026_2027:
            due = cycle_period(cycle, month).due_date
            assert calendar.why_closed(due) is None, (cycle.read_day, month, due)
    # cycle 28, November 2026: bill date Monday 11-30, + 21 = Monday 12-21, closed → Tuesday 12-22
    assert cycle_period(cycles[27], NOV).due_date == dt.date(2026, 12, 22)


@pytest.mark.django_db
def test_a_run_started_after_a_closure_falls_due_the_next_day(
    cycle: BillingCycle, make_account: Any, technician: Any, supervisor: Any
) -> None:
    account = make_account(usage_hcf=15)
    office_closure_add(closed_on=dt.date(2026, 12, 21), reason="Water main repair", actor=supervisor)
    run = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    assert (run.bill_date, run.due_date) == (dt.date(2026, 11, 30), dt.date(2026, 12, 22))
    bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    bill_run_commit(run_id=run.pk, actor=technician, as_of=TODAY)
    bill = Bill.objects.get(account=account)
    assert (bill.status, bill.bill_date, bill.due_date) == (
        "issued",
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 22),
    )
    assert check_books().ok


@pytest.mark.django_db
def test_a_closure_recorded_before_the_trial_moves_the_runs_due_date(
    cycle: BillingCycle, make_account: Any, technician: Any, supervisor: Any
) -> None:
    account = make_account(usage_hcf=15)
    run = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    assert run.due_date == dt.date(2026, 12, 21)
    office_closure_add(closed_on=dt.date(2026, 12, 21), reason="Water main repair", actor=supervisor)
    run = bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    assert (run.bill_date, run.due_date) == (dt.date(2026, 11, 30), dt.date(2026, 12, 22))
    run = bill_run_commit(run_id=run.pk, actor=technician, as_of=TODAY)
    assert run.due_date == dt.date(2026, 12, 22)
    assert Bill.objects.get(account=account).due_date == dt.date(2026, 12, 22)
    assert check_books().ok


def _bill_november(technician: Any) -> None:
    run = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    bill_run_commit(run_id=run.pk, actor=technician, as_of=TODAY)


@pytest.mark.django_db
def test_a_final_bill_whose_naive_due_date_is_christmas_is_due_monday_the_28th(
    cycle: BillingCycle, make_account: Any, technician: Any, csr: Any
) -> None:
    account = make_account(
        reads=(
            (dt.date(2026, 10, 28), 11_000),
            (dt.date(2026, 11, 28), 12_500),
            (dt.date(2026, 12, 3), 12_700),
        )
    )
    _bill_november(technician)
    account_close(account=account, end_date=dt.date(2026, 12, 3), actor=csr)
    # issued Friday 12-04, + 21 days = Friday 12-25 (Christmas), then the weekend
    bill = final_bill_issue(account_number=account.number, actor=csr, as_of=dt.date(2026, 12, 4))
    assert (bill.kind, bill.status, bill.bill_date) == ("final", "issued", dt.date(2026, 12, 4))
    assert bill.due_date == dt.date(2026, 12, 28)
    assert check_books().ok


@pytest.mark.django_db
def test_a_rebill_whose_naive_due_date_is_christmas_is_due_monday_the_28th(
    cycle: BillingCycle, make_account: Any, technician: Any
) -> None:
    account = make_account(usage_hcf=15)
    _bill_november(technician)
    old = Bill.objects.get(account=account)
    assert old.due_date == dt.date(2026, 12, 21)
    outcome = bill_cancel_rebill(
        bill_number=old.number, reason="read checked", actor=technician, as_of=dt.date(2026, 12, 4)
    )
    rebill = outcome.rebill
    assert (rebill.kind, rebill.status, rebill.bill_date) == ("rebill", "issued", dt.date(2026, 12, 4))
    assert rebill.due_date == dt.date(2026, 12, 28)
    assert check_books().ok


@pytest.mark.django_db
def test_a_rebill_due_on_an_office_closure_moves_past_it(
    cycle: BillingCycle, make_account: Any, technician: Any, supervisor: Any
) -> None:
    account = make_account(usage_hcf=15)
    _bill_november(technician)
    office_closure_add(closed_on=dt.date(2026, 12, 23), reason="Inventory", actor=supervisor)
    old = Bill.objects.get(account=account)
    # issued Wednesday 12-02, + 21 = Wednesday 12-23 (closed) → Thursday 12-24
    rebill = bill_cancel_rebill(
        bill_number=old.number, reason="read checked", actor=technician, as_of=dt.date(2026, 12, 2)
    ).rebill
    assert rebill.due_date == dt.date(2026, 12, 24)
    assert check_books().ok
