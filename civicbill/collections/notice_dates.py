"""The dates a collection notice states (pure: no Django; the calendar is passed in).

Days are counted as California law counts them (Code Civ. Proc. §12, Civil Code §10): the first day is
left out and the last day counted, so "7 business days after Monday the 1st" is the 7th business day
after the 1st (Wednesday the 10th when no holiday falls between).

The final notice (SB 998, Health & Safety Code §116908; Pub. Util. Code §10010.1; Gov. Code §60373):
- **mailed** not earlier than ``notice_after_bill_mailed_days`` (19) days after the bill it is about
  was mailed (the bill's date: bills are mailed the day they are dated), on a business day, and never
  before the day the run sends it;
- the **earliest shutoff** date is the first day that is
  - at least ``final_notice_lead_business_days`` (7) business days after the mailing,
  - at least ``notice_to_termination_days`` (10) days after the day ``notice_days_start_after_mailing``
    (5) days after the mailing (so 15 days after it with the lawful defaults),
  - at least ``shutoff_delinquent_days`` (60) days after the bill's due date,
  - at least ``tenant_notice_days`` (10) days after the mailing when tenants are notified too,
  - a business day (no weekend, legal holiday or office closure), and — when the policy says so
    (``avoid_day_before_closure``) — not the day before a day the office is closed, so a customer shut
    off can pay and be reconnected the next day;
- **pay by**: the last business day before the earliest shutoff date: the office is open that day to
  take the payment or agree an arrangement.

After a broken arrangement the notice is posted at the premise and the shutoff may follow no sooner
than ``broken_arrangement_notice_business_days`` (5) business days later (§116910(b)), on a day as
above.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from civicbill.collections.policy import CollectionsPolicy

if TYPE_CHECKING:  # the calendar is passed in; this module stays free of Django
    from civicbill.core.clock import BusinessCalendar

DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class NoticeDates:
    mailed_on: dt.date  # the day the notice goes into the mail (or is posted)
    earliest_shutoff_on: dt.date
    pay_by: dt.date  # payment or an arrangement is needed by the end of this day
    bounds: tuple[tuple[str, dt.date], ...]  # (rule, the earliest date it allows), for the record

    def as_detail(self) -> dict[str, str]:
        return {
            "mailed_on": self.mailed_on.isoformat(),
            "earliest_shutoff_on": self.earliest_shutoff_on.isoformat(),
            "pay_by": self.pay_by.isoformat(),
            **{rule: day.isoformat() for rule, day in self.bounds},
        }


def delinquent_on(due_date: dt.date, policy: CollectionsPolicy) -> dt.date:
    """The first day a charge due on ``due_date`` is delinquent: the day after its grace days end
    (the day penalties may be assessed, collections.delinquency ``past_due_items(grace_days=)``)."""
    return due_date + dt.timedelta(days=policy.grace_days + 1)


def late_notice_on(due_date: dt.date, policy: CollectionsPolicy) -> dt.date:
    """The first day the courtesy reminder for a bill due on ``due_date`` may go out."""
    return delinquent_on(due_date, policy) + dt.timedelta(days=policy.late_notice_after_days)


def final_notice_on(due_date: dt.date, policy: CollectionsPolicy) -> dt.date:
    """The first day the final notice for a bill due on ``due_date`` is due (the bill has been
    ``final_notice_delinquent_days`` days past due)."""
    return due_date + dt.timedelta(days=policy.final_notice_delinquent_days)


def shutoff_day_on_or_after(day: dt.date, policy: CollectionsPolicy, calendar: BusinessCalendar) -> dt.date:
    """The first day on or after ``day`` a shutoff may be scheduled: a business day and, when the
    policy says so, not the day before a weekend, holiday or closure."""
    current = day
    while not calendar.is_business_day(current) or (
        policy.avoid_day_before_closure and not calendar.is_business_day(current + DAY)
    ):
        current += DAY
    return current


def final_notice_mailing_date(
    *, bill_mailed_on: dt.date, today: dt.date, policy: CollectionsPolicy, calendar: BusinessCalendar
) -> dt.date:
    """The day the final notice about a bill mailed on ``bill_mailed_on`` goes into the mail: today at
    the earliest, not earlier than ``notice_after_bill_mailed_days`` after the bill, a business day."""
    earliest = bill_mailed_on + dt.timedelta(days=policy.notice_after_bill_mailed_days)
    return calendar.next_business_day(max(today, earliest))


def final_notice_dates(
    *,
    bill_mailed_on: dt.date,
    due_date: dt.date,
    today: dt.date,
    policy: CollectionsPolicy,
    calendar: BusinessCalendar,
    tenants: bool = False,
) -> NoticeDates:
    """The final notice's mailing date, the earliest shutoff date and the pay-by date (module doc)."""
    mailed = final_notice_mailing_date(
        bill_mailed_on=bill_mailed_on, today=today, policy=policy, calendar=calendar
    )
    bounds: list[tuple[str, dt.date]] = [
        (
            f"{policy.final_notice_lead_business_days} business days after mailing",
            calendar.add_business_days(mailed, policy.final_notice_lead_business_days),
        ),
        (
            f"{policy.notice_to_termination_days} days counted from {policy.notice_days_start_after_mailing} "
            "days after mailing",
            mailed
            + dt.timedelta(days=policy.notice_days_start_after_mailing + policy.notice_to_termination_days),
        ),
        (
            f"{policy.shutoff_delinquent_days} days after the due date",
            due_date + dt.timedelta(days=policy.shutoff_delinquent_days),
        ),
    ]
    if tenants:
        bounds.append(
            (
                f"{policy.tenant_notice_days} days' notice to tenants",
                mailed + dt.timedelta(days=policy.tenant_notice_days),
            )
        )
    return _dates(mailed, max(day for _, day in bounds), bounds, policy, calendar)


def posted_notice_dates(
    *, today: dt.date, policy: CollectionsPolicy, calendar: BusinessCalendar
) -> NoticeDates:
    """A final notice posted at the premise after a broken arrangement (§116910(b)): posted on the
    next business day from ``today``; shutoff no sooner than ``broken_arrangement_notice_business_days``
    business days later."""
    posted = calendar.next_business_day(today)
    bounds = [
        (
            f"{policy.broken_arrangement_notice_business_days} business days after posting",
            calendar.add_business_days(posted, policy.broken_arrangement_notice_business_days),
        )
    ]
    return _dates(posted, bounds[0][1], bounds, policy, calendar)


def _dates(
    mailed: dt.date,
    earliest: dt.date,
    bounds: list[tuple[str, dt.date]],
    policy: CollectionsPolicy,
    calendar: BusinessCalendar,
) -> NoticeDates:
    shutoff = shutoff_day_on_or_after(earliest, policy, calendar)
    pay_by = calendar.add_business_days(shutoff, -1)
    return NoticeDates(mailed, shutoff, max(pay_by, mailed), tuple(bounds))
