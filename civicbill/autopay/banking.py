"""ACH banking days: weekends and the Federal Reserve's holidays, not the office's calendar.

Money moves through the ACH on the days the Federal Reserve Banks settle. Their holidays are not the
state's: the Fed closes on Columbus Day and Veterans Day, and stays open on César Chávez Day, the day
after Thanksgiving, 12-24 and 12-31 (which close a California office). A holiday falling on a
Saturday is not moved to the Friday (the Reserve Banks open that Friday); one on a Sunday closes the
Monday. The dates come from ``holidays.financial_holidays("XFED")`` (python-holidays' Federal
Reserve calendar).

Autopay counts every ACH date on this calendar: effective entry dates, the settlement day a return
window starts from, the prenote wait, the days a draft stays pending, and the return deadlines.
The office's :class:`civicbill.core.clock.BusinessCalendar` (counter, due dates, letters) is left
alone. :class:`BankingCalendar` has the same methods, so either can be handed to code that counts days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import holidays

from civicbill.core.clock import BusinessCalendar

FEDERAL_RESERVE_MARKET = "XFED"


@lru_cache(maxsize=64)
def _federal_reserve_holidays(year: int) -> dict[dt.date, str]:
    return dict(holidays.financial_holidays(FEDERAL_RESERVE_MARKET, years=year))


@dataclass(frozen=True)
class BankingCalendar(BusinessCalendar):
    """Banking days: weekdays that are not a Federal Reserve holiday (pure; no office closures:
    the bank does not close because the office does). ``closures`` may name extra days the bank
    itself is closed (none by default)."""

    closures: frozenset[dt.date] = field(default_factory=frozenset)
    country: str = "US"
    subdivision: str = ""

    def holiday_name(self, day: dt.date) -> str | None:
        name = _federal_reserve_holidays(day.year).get(day)
        return f"{name} (Federal Reserve)" if name else None

    def why_closed(self, day: dt.date) -> str | None:
        """None on a banking day; otherwise a reason a person can read."""
        if day.weekday() >= 5:
            return "weekend"
        if name := self.holiday_name(day):
            return f"Federal Reserve holiday: {name.removesuffix(' (Federal Reserve)')}"
        if day in self.closures:
            return "bank closed"
        return None


def banking_calendar() -> BankingCalendar:
    """The ACH banking-day calendar (Federal Reserve holidays)."""
    return BankingCalendar()
