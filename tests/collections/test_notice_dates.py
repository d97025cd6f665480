"""The dates a final notice states: mailed not earlier than 19 days after the bill, the earliest
shutoff at least 7 business days and 10 days (counted from 5 days after mailing) after it, at least 60
days after the due date, on a business day that is not the day before a closure; pay by the business
day before. Exact dates across Veterans Day, Thanksgiving, Christmas and New Year."""

from __future__ import annotations

import datetime as dt

from civicbill.collections.notice_dates import (
    delinquent_on,
    final_notice_dates,
    final_notice_mailing_date,
    final_notice_on,
    late_notice_on,
    posted_notice_dates,
    shutoff_day_on_or_after,
)
from civicbill.collections.policy import DEFAULT_POLICY, CollectionsPolicy
from civicbill.core.clock import BusinessCalendar

CAL = BusinessCalendar()
D = dt.date


def test_the_late_notice_follows_the_grace_days_and_the_final_notice_45_days_past_due() -> None:
    # a bill due Friday 2027-01-15, before Martin Luther King Jr. Day on Monday the 18th
    assert delinquent_on(D(2027, 1, 15), DEFAULT_POLICY) == D(2027, 1, 21)  # 5 days' grace
    assert late_notice_on(D(2027, 1, 15), DEFAULT_POLICY) == D(2027, 1, 22)
    assert final_notice_on(D(2027, 1, 15), DEFAULT_POLICY) == D(2027, 3, 1)


def test_a_final_notice_is_not_mailed_earlier_than_19_days_after_the_bill() -> None:
    # the bill was mailed Monday 2026-11-02: 19 days later is Saturday the 21st, so Monday the 23rd
    assert final_notice_mailing_date(
        bill_mailed_on=D(2026, 11, 2), today=D(2026, 11, 5), policy=DEFAULT_POLICY, calendar=CAL
    ) == D(2026, 11, 23)
    # long after the bill, it goes out the day of the run
    assert final_notice_mailing_date(
        bill_mailed_on=D(2026, 9, 1), today=D(2026, 11, 10), policy=DEFAULT_POLICY, calendar=CAL
    ) == D(2026, 11, 10)


def test_no_shutoff_on_the_day_before_thanksgiving_nor_its_long_weekend() -> None:
    dates = final_notice_dates(
        bill_mailed_on=D(2026, 9, 1),
        due_date=D(2026, 9, 22),
        today=D(2026, 11, 10),
        policy=DEFAULT_POLICY,
        calendar=CAL,
    )
    # 7 business days after Tue 11-10 (Veterans Day 11-11 not counted): Fri 11-20; 10 days from 11-15:
    # Wed 11-25; 60 days after 9-22: Sat 11-21. Wed 11-25 is the day before Thanksgiving (11-26, 11-27
    # closed), so the first lawful day is Monday 11-30; pay by the business day before: Wed 11-25.
    assert dict(dates.bounds) == {
        "7 business days after mailing": D(2026, 11, 20),
        "10 days counted from 5 days after mailing": D(2026, 11, 25),
        "60 days after the due date": D(2026, 11, 21),
    }
    assert (dates.mailed_on, dates.earliest_shutoff_on, dates.pay_by) == (
        D(2026, 11, 10),
        D(2026, 11, 30),
        D(2026, 11, 25),
    )
    fridays_allowed = CollectionsPolicy(avoid_day_before_closure=False)
    dates = final_notice_dates(
        bill_mailed_on=D(2026, 9, 1),
        due_date=D(2026, 9, 22),
        today=D(2026, 11, 10),
        policy=fridays_allowed,
        calendar=CAL,
    )
    assert (dates.earliest_shutoff_on, dates.pay_by) == (D(2026, 11, 25), D(2026, 11, 24))


def test_business_days_skip_thanksgiving_and_the_day_after() -> None:
    ten_days_lead = CollectionsPolicy(final_notice_lead_business_days=10)
    dates = final_notice_dates(
        bill_mailed_on=D(2026, 9, 30),
        due_date=D(2026, 10, 6),
        today=D(2026, 11, 20),
        policy=ten_days_lead,
        calendar=CAL,
    )
    # Fri 11-20 + 10 business days: 23, 24, 25, (26, 27 closed), 30, 12-1, 2, 3, 4, 7, 8 -> Tue 12-08
    assert dict(dates.bounds)["10 business days after mailing"] == D(2026, 12, 8)
    assert (dates.earliest_shutoff_on, dates.pay_by) == (D(2026, 12, 8), D(2026, 12, 7))


def test_across_christmas_and_new_year() -> None:
    dates = final_notice_dates(
        bill_mailed_on=D(2026, 10, 30),
        due_date=D(2026, 11, 3),
        today=D(2026, 12, 18),
        policy=DEFAULT_POLICY,
        calendar=CAL,
    )
    # Fri 12-18: 7 business days -> Wed 12-30 (Christmas Fri 12-25 closed); 10 days from 12-23 ->
    # Sat 2027-01-02 -> Mon 01-04 (New Year Fri 01-01 closed); pay by Thu 12-31
    assert dict(dates.bounds)["7 business days after mailing"] == D(2026, 12, 30)
    assert (dates.earliest_shutoff_on, dates.pay_by) == (D(2027, 1, 4), D(2026, 12, 31))


def test_sixty_days_after_a_due_date_on_the_friday_before_labor_day() -> None:
    dates = final_notice_dates(
        bill_mailed_on=D(2026, 8, 14),
        due_date=D(2026, 9, 4),
        today=D(2026, 10, 19),
        policy=DEFAULT_POLICY,
        calendar=CAL,
    )
    assert dict(dates.bounds)["60 days after the due date"] == D(2026, 11, 3)
    assert (dates.earliest_shutoff_on, dates.pay_by) == (D(2026, 11, 3), D(2026, 11, 2))


def test_tenants_get_ten_days_and_an_office_closure_counts_as_a_closed_day() -> None:
    closed = BusinessCalendar(closures=frozenset({D(2026, 12, 8)}))
    assert shutoff_day_on_or_after(D(2026, 12, 7), DEFAULT_POLICY, closed) == D(2026, 12, 9)
    long_delinquency = CollectionsPolicy(
        notice_to_termination_days=10, notice_days_start_after_mailing=0, tenant_notice_days=14
    )
    dates = final_notice_dates(
        bill_mailed_on=D(2026, 9, 1),
        due_date=D(2026, 9, 2),
        today=D(2026, 11, 2),
        policy=long_delinquency,
        calendar=CAL,
        tenants=True,
    )
    assert dict(dates.bounds)["14 days' notice to tenants"] == D(2026, 11, 16)
    assert dates.earliest_shutoff_on == D(2026, 11, 16)


def test_a_notice_posted_after_a_broken_arrangement_gives_five_business_days() -> None:
    dates = posted_notice_dates(today=D(2026, 11, 21), policy=DEFAULT_POLICY, calendar=CAL)
    # Saturday's run posts on Monday 11-23; 5 business days: 24, 25, 30, 12-1, 12-2
    assert (dates.mailed_on, dates.earliest_shutoff_on, dates.pay_by) == (
        D(2026, 11, 23),
        D(2026, 12, 2),
        D(2026, 12, 1),
    )
