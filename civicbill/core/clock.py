"""Business time: the utility's dates and its business-day calendar.

Domain code never asks the system for the time: services receive ``as_of`` (a date) or ``at`` (an
aware datetime) from their caller. Only the edges (a view, a CLI command, a task) call :func:`now`
and :func:`today`, and tests freeze them with time-machine.

Business days are weekdays that are neither a US/California holiday (python-holidays, observed
dates) nor an office closure recorded by the utility. The pure :class:`BusinessCalendar` takes the
closures as data; :func:`business_calendar` builds one from the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone


def utility_zone() -> ZoneInfo:
    return ZoneInfo(settings.CIVICBILL_TIME_ZONE)


_replayed_now: ContextVar[dt.datetime | None] = ContextVar("replayed_now", default=None)


def now() -> dt.datetime:
    """The current instant, aware, in UTC. For edges only (views, CLI, tasks). Inside
    :func:`replaying`, the instant being replayed."""
    replayed = _replayed_now.get()
    return timezone.now() if replayed is None else replayed


@contextmanager
def replaying(at: dt.datetime) -> Iterator[dt.datetime]:
    """Replay an event of the past at ``at`` (aware): inside, :func:`now` and :func:`today` are
    ``at``, so what the services stamp on their own (posted, issued, created and audit times) is the
    time of the event, not the time the history is written. For seeding history (the demo city
    builds a year of it in a minute); never in a request."""
    if timezone.is_naive(at):
        raise ValueError("replaying needs an aware datetime")
    token = _replayed_now.set(at.astimezone(dt.UTC))
    try:
        yield at
    finally:
        _replayed_now.reset(token)


def today() -> dt.date:
    """Today's date in the utility's time zone. For edges only."""
    return business_date(now())


def business_date(instant: dt.datetime) -> dt.date:
    """The utility's calendar date at an aware instant (a payment at 23:30 Pacific is that day's)."""
    if timezone.is_naive(instant):
        raise ValueError("business_date needs an aware datetime")
    return instant.astimezone(utility_zone()).date()


def start_of_day(day: dt.date) -> dt.datetime:
    """The aware instant at which ``day`` begins in the utility's zone."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=utility_zone())


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


@lru_cache(maxsize=64)
def _holidays_for_year(year: int, country: str, subdivision: str) -> dict[dt.date, str]:
    return dict(holidays.country_holidays(country, subdiv=subdivision, years=year, observed=True))


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekends, public holidays and office closures. Pure: closures are passed in."""

    closures: frozenset[dt.date] = field(default_factory=frozenset)
    country: str = "US"
    subdivision: str = "CA"

    def holiday_name(self, day: dt.date) -> str | None:
        return _holidays_for_year(day.year, self.country, self.subdivision).get(day)

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and self.holiday_name(day) is None and day not in self.closures

    def why_closed(self, day: dt.date) -> str | None:
        """None on a business day; otherwise a reason a person can read."""
        if day.weekday() >= 5:
            return "weekend"
        if name := self.holiday_name(day):
            return f"holiday: {name}"
        if day in self.closures:
            return "office closed"
        return None

    def add_business_days(self, day: dt.date, count: int) -> dt.date:
        """The business day ``count`` business days after ``day`` (before it when negative)."""
        step = 1 if count >= 0 else -1
        remaining = abs(count)
        current = day
        while remaining:
            current += dt.timedelta(days=step)
            if self.is_business_day(current):
                remaining -= 1
        return current

    def next_business_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a business day, else the next one."""
        current = day
        while not self.is_business_day(current):
            current += dt.timedelta(days=1)
        return current

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Business days after ``start`` up to and including ``end``."""
        days = 0
        current = start
        while current < end:
            current += dt.timedelta(days=1)
            if self.is_business_day(current):
                days += 1
        return days


def business_calendar(extra_closures: Iterable[dt.date] = ()) -> BusinessCalendar:
    """The utility's calendar with the office closures recorded in the database."""
    from civicbill.core.models import OfficeClosure

    closures = set(OfficeClosure.objects.values_list("closed_on", flat=True))
    closures.update(extra_closures)
    return BusinessCalendar(
        closures=frozenset(closures),
        country=settings.CIVICBILL_HOLIDAY_COUNTRY,
        subdivision=settings.CIVICBILL_HOLIDAY_SUBDIVISION,
    )
