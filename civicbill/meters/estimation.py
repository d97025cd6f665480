"""Expected water use from a service point's history, and estimated reads. Pure: no database.

History is a service point's accepted reads as :class:`UsagePeriod`s: the days after one read up to
and including the next, with the consumption (HCF) that read produced. Estimated periods count
(after a true-up their sum with the next actual read equals what the meter really registered).

Two questions are answered here:

- **What daily use is usual for this period?** (the high/low rules, :func:`expected_daily_use`):
  the same period one year earlier when the history reaches back that far (seasonally aware: a desert
  summer is compared with last summer), else the average of the last 12 months; no answer with less
  than :data:`MIN_HISTORY_DAYS` days of history.
- **How much to estimate for a missing read?** (:func:`estimate_daily_use`): the same period one year
  earlier when available, else the average of the last 3 periods; then :func:`estimated_register_value`
  turns the estimated HCF into a register value (whole register units, wrapping like the dials do).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import NamedTuple

from civicbill.meters.consumption import HCF_PER_UNIT, Consumption, Register, consumption_between

MIN_HISTORY_DAYS = 60  # high/low needs at least this much history (about two monthly periods)
MIN_SEASONAL_COVERAGE = Decimal("0.5")  # last year's periods must cover half the window
ESTIMATE_PERIODS = 3
SAME_PERIOD_LAST_YEAR = "same_period_last_year"
LAST_12_MONTHS = "last_12_months"
LAST_3_PERIODS = "last_3_periods"
BASIS_LABELS = {
    SAME_PERIOD_LAST_YEAR: "same period last year",
    LAST_12_MONTHS: "last 12 months",
    LAST_3_PERIODS: "last 3 periods",
}
_ZERO = Decimal(0)


class UsagePeriod(NamedTuple):
    """Use between two reads: after ``start`` (the previous read's date) up to ``end`` inclusive.
    (This and :class:`DailyUse` are NamedTuples, immutable and made fast: a read import makes one of
    each per read, ADR 0007.)"""

    start: dt.date
    end: dt.date
    hcf: Decimal

    @property
    def days(self) -> int:
        return (self.end - self.start).days


class DailyUse(NamedTuple):
    hcf_per_day: Decimal
    basis: str  # SAME_PERIOD_LAST_YEAR, LAST_12_MONTHS or LAST_3_PERIODS
    history_days: int  # how many days of history the figure rests on

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS[self.basis]


@lru_cache(maxsize=8192)  # read dates repeat across a file: the validator asks this twice per read
def year_before(day: dt.date) -> dt.date:
    """The same calendar day one year earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _overlap_days(period: UsagePeriod, start: dt.date, end: dt.date) -> int:
    """Days of ``period`` inside the window after ``start`` up to ``end``."""
    return max(0, (min(period.end, end) - max(period.start, start)).days)


def covers_a_year_before(history: Sequence[UsagePeriod], start: dt.date) -> bool:
    """True when the history begins on or before the same day one year before ``start``."""
    return bool(history) and history[0].start <= year_before(start)


def same_period_last_year(history: Sequence[UsagePeriod], start: dt.date, end: dt.date) -> DailyUse | None:
    """Average daily use over the same window one year earlier, each period weighted by its overlap
    with the window; None when last year's periods cover less than half of the window."""
    return _same_window_last_year(history, 0, start, end)


def _same_window_last_year(
    periods: Sequence[UsagePeriod], first: int, start: dt.date, end: dt.date
) -> DailyUse | None:
    """:func:`same_period_last_year` over ``periods[first:]`` (ordered: the walk stops at the first
    period that starts after the window; ``first`` may skip periods known to end before it)."""
    window_start, window_end = year_before(start), year_before(end)
    window_days = (window_end - window_start).days
    if window_days <= 0:
        return None
    hcf, days = _ZERO, 0
    for index in range(first, len(periods)):
        period = periods[index]
        if period.end <= window_start:
            continue
        if period.start >= window_end:
            break
        overlap = _overlap_days(period, window_start, window_end)
        if overlap and period.days:
            hcf += period.hcf * overlap / period.days
            days += overlap
    if days == 0 or Decimal(days) < window_days * MIN_SEASONAL_COVERAGE:
        return None
    return DailyUse(hcf_per_day=hcf / days, basis=SAME_PERIOD_LAST_YEAR, history_days=days)


def last_12_months(history: Sequence[UsagePeriod], before: dt.date) -> DailyUse | None:
    """Average daily use of the periods ending in the 12 months up to ``before``; None with less
    than :data:`MIN_HISTORY_DAYS` days of history."""
    since = year_before(before)
    hcf, days = _ZERO, 0
    for period in history:
        if since < period.end <= before:
            hcf += period.hcf
            days += period.days
    if days < MIN_HISTORY_DAYS:
        return None
    return DailyUse(hcf_per_day=hcf / days, basis=LAST_12_MONTHS, history_days=days)


def last_periods(
    history: Sequence[UsagePeriod], before: dt.date, count: int = ESTIMATE_PERIODS
) -> DailyUse | None:
    """Average daily use of the last ``count`` periods ending on or before ``before``."""
    recent = [period for period in history if period.end <= before and period.days > 0][-count:]
    days = sum(period.days for period in recent)
    if not days:
        return None
    hcf = sum((period.hcf for period in recent), _ZERO)
    return DailyUse(hcf_per_day=hcf / days, basis=LAST_3_PERIODS, history_days=days)


def expected_daily_use(history: Sequence[UsagePeriod], start: dt.date, end: dt.date) -> DailyUse | None:
    """The usual daily use for the period after ``start`` up to ``end`` (the high/low rules)."""
    if covers_a_year_before(history, start):
        seasonal = same_period_last_year(history, start, end)
        if seasonal is not None:
            return seasonal
    return last_12_months(history, start)


def estimate_daily_use(history: Sequence[UsagePeriod], start: dt.date, end: dt.date) -> DailyUse | None:
    """The daily use to estimate a missing read with: same period last year, else the last 3 periods."""
    if covers_a_year_before(history, start):
        seasonal = same_period_last_year(history, start, end)
        if seasonal is not None:
            return seasonal
    return last_periods(history, start)


class UsageIndex:
    """A service point's history indexed for many questions in a row: the validator asks one per read,
    and appends each read it accepts. Gives the same answers as :func:`expected_daily_use` (a test
    checks it on random histories) in logarithmic time, from prefix sums over the periods by end."""

    __slots__ = ("_days", "_ends", "_first_start", "_hcf", "periods")

    def __init__(self, periods: Sequence[UsagePeriod] = ()) -> None:
        self._load(periods)

    def _load(self, periods: Sequence[UsagePeriod]) -> None:
        self.periods: list[UsagePeriod] = []
        self._ends: list[dt.date] = []
        self._hcf: list[Decimal] = [_ZERO]  # _hcf[i]: the use of periods[:i]
        self._days: list[int] = [0]
        self._first_start: dt.date | None = None
        for period in sorted(periods, key=lambda p: (p.end, p.start)):
            self.append(period)

    def append(self, period: UsagePeriod) -> None:
        if self._ends and period.end < self._ends[-1]:  # out of order (rare): rebuild
            self._load([*self.periods, period])
            return
        self.periods.append(period)
        self._ends.append(period.end)
        self._hcf.append(self._hcf[-1] + period.hcf)
        self._days.append(self._days[-1] + period.days)
        if self._first_start is None or period.start < self._first_start:
            self._first_start = period.start

    def last_12_months(self, before: dt.date) -> DailyUse | None:
        first = bisect_right(self._ends, year_before(before))
        last = bisect_right(self._ends, before)
        days = self._days[last] - self._days[first]
        if days < MIN_HISTORY_DAYS:
            return None
        return DailyUse(
            hcf_per_day=(self._hcf[last] - self._hcf[first]) / days, basis=LAST_12_MONTHS, history_days=days
        )

    def same_period_last_year(self, start: dt.date, end: dt.date) -> DailyUse | None:
        # the periods are ordered by end: those ending by the window's start are skipped at once
        return _same_window_last_year(self.periods, bisect_right(self._ends, year_before(start)), start, end)

    def expected_daily_use(self, start: dt.date, end: dt.date) -> DailyUse | None:
        if self._first_start is not None and self._first_start <= year_before(start):
            seasonal = self.same_period_last_year(start, end)
            if seasonal is not None:
                return seasonal
        return self.last_12_months(start)


@dataclass(frozen=True, slots=True)
class EstimatedRead:
    value: Decimal  # the register value, whole register units
    consumption: Consumption  # from the previous read to ``value``
    daily: DailyUse
    days: int

    @property
    def note(self) -> str:
        return (
            f"Estimated: {self.daily.hcf_per_day:.3f} HCF/day × {self.days} days ({self.daily.basis_label})"
        )


def estimated_register_value(
    register: Register, *, previous_value: Decimal, hcf: Decimal
) -> tuple[Decimal, Consumption] | None:
    """The register value after ``hcf`` more use than ``previous_value`` (whole units, wrapping past
    the dials like the meter does), with the consumption it produces; None when the use would be
    more than half the register (not plausible)."""
    units = (hcf / HCF_PER_UNIT[register.read_unit] / register.multiplier).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    if units < 0 or units * 2 > register.capacity:
        return None
    value = (previous_value + units) % register.capacity
    return value, consumption_between(register, previous=previous_value, current=value)


def estimate_read(
    register: Register,
    history: Sequence[UsagePeriod],
    *,
    previous_on: dt.date,
    previous_value: Decimal,
    read_on: dt.date,
) -> EstimatedRead | None:
    """An estimated read on ``read_on`` after the previous read, or None without usable history."""
    days = (read_on - previous_on).days
    if days <= 0:
        return None
    daily = estimate_daily_use(history, previous_on, read_on)
    if daily is None:
        return None
    result = estimated_register_value(register, previous_value=previous_value, hcf=daily.hcf_per_day * days)
    if result is None:
        return None
    value, consumption = result
    return EstimatedRead(value=value, consumption=consumption, daily=daily, days=days)
