"""Splitting a billing period where a new schedule version takes effect. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from civicbill.rates.engine.proration import days_inclusive
from civicbill.rates.types import PlanVersion


@dataclass(frozen=True, slots=True)
class SubPeriod:
    version: PlanVersion
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return days_inclusive(self.start, self.end)


def split_by_version(
    versions: tuple[PlanVersion, ...], period_start: dt.date, period_end: dt.date
) -> tuple[list[SubPeriod], dt.date | None]:
    """The sub-periods each version rates (oldest first) and the first uncovered day, if any.

    A version runs from its ``effective_from`` until the day before the next version's.
    """
    ordered = sorted(versions, key=lambda version: version.effective_from)
    parts: list[SubPeriod] = []
    for index, version in enumerate(ordered):
        runs_until = (
            ordered[index + 1].effective_from - dt.timedelta(days=1)
            if index + 1 < len(ordered)
            else period_end
        )
        start = max(period_start, version.effective_from)
        end = min(period_end, runs_until)
        if start <= end:
            parts.append(SubPeriod(version=version, start=start, end=end))
    uncovered = None
    if not parts or parts[0].start > period_start:
        uncovered = period_start
    return parts, uncovered
