"""Billing periods of a cycle. Pure: no database.

A cycle's meters are read on its ``read_day`` every month. The period billed in month M runs from
the day after the read day of month M-1 to the read day of month M (both included); the bill is
dated ``bill_lag_days`` later (moved to the next business day) and is due ``due_days`` after that,
moved to the next business day too (:func:`business_due_date`, the one rule for every due date).
Reads count for a period when dated after ``read_window_days`` past the previous read day, up to
``read_window_days`` past this read day, so a read taken a day or two late still counts once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from civicbill.core.clock import BusinessCalendar


@dataclass(frozen=True, slots=True)
class CycleRules:
    number: int
    read_day: int
    read_window_days: int = 3
    bill_lag_days: int = 2
    due_days: int = 21


@dataclass(frozen=True, slots=True)
class BillingPeriod:
    cycle_number: int
    period: dt.date  # the billing month (its first day)
    start: dt.date
    end: dt.date
    bill_date: dt.date
    due_date: dt.date
    reads_after: dt.date  # accepted reads dated after this day ...
    reads_through: dt.date  # ... up to and including this day measure the period

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_month(text: str) -> dt.date:
    """``2026-11`` → 2026-11-01; raises ValueError naming the text otherwise."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        raise ValueError(f"{text!r} is not a billing month like 2026-11") from None


def business_due_date(bill_date: dt.date, due_days: int, calendar: BusinessCalendar) -> dt.date:
    """The day a bill dated ``bill_date`` falls due: ``due_days`` later, moved to the next business
    day of ``calendar`` past weekends, holidays and office closures. Every due date (regular bills,
    final bills, rebills) is computed here."""
    return calendar.next_business_day(bill_date + dt.timedelta(days=due_days))


def billing_period(rules: CycleRules, month: dt.date, calendar: BusinessCalendar) -> BillingPeriod:
    """The period cycle ``rules`` bills in ``month`` (any day of it)."""
    month = month_start(month)
    end = month.replace(day=rules.read_day)
    previous_read = add_months(month, -1).replace(day=rules.read_day)
    bill_date = calendar.next_business_day(end + dt.timedelta(days=rules.bill_lag_days))
    return BillingPeriod(
        cycle_number=rules.number,
        period=month,
        start=previous_read + dt.timedelta(days=1),
        end=end,
        bill_date=bill_date,
        due_date=business_due_date(bill_date, rules.due_days, calendar),
        reads_after=previous_read + dt.timedelta(days=rules.read_window_days),
        reads_through=end + dt.timedelta(days=rules.read_window_days),
    )


def period_containing(rules: CycleRules, day: dt.date, calendar: BusinessCalendar) -> BillingPeriod:
    """The regular period of the cycle that contains ``day`` (for an off-cycle final bill)."""
    month = month_start(day)
    if day.day > rules.read_day:
        month = add_months(month, 1)
    return billing_period(rules, month, calendar)


WINTER_MONTHS = 3  # December, January and February


def winter_window(period: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """The billing months of the last winter before the billing month ``period``: the December,
    January and February that end with the latest February before it (a bill of 2026-11 or
    2026-03 looks at 2025-12, 2026-01, 2026-02; a bill of 2026-02 at 2024-12, 2025-01, 2025-02)."""
    year = period.year if period.month >= 3 else period.year - 1
    return dt.date(year - 1, 12, 1), dt.date(year, 1, 1), dt.date(year, 2, 1)
