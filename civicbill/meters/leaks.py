"""Probable leaks from AMI hourly intervals. Pure: no database.

A household's use drops to zero at some hour of almost every day (at night, while everyone sleeps).
When an endpoint reports flow in **every** hour of a 24-hour window, water is running all the time:
a probable continuous leak (a running toilet, a broken irrigation line). Missing hours break a run
(an unknown hour proves nothing); the smallest hourly flow in the run is the leak's likely rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

LEAK_WINDOW_HOURS = 24
ONE_HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class HourlyUse:
    interval_start: dt.datetime
    consumption: Decimal  # in whatever unit the caller uses (the selector gives HCF)


@dataclass(frozen=True, slots=True)
class LeakFinding:
    meter_key: str  # a serial number (or whatever the caller keys endpoints by)
    flow_since: dt.datetime  # the first hour of the longest run of hours that all had flow
    flow_until: dt.datetime  # the start of its last hour
    hours: int
    min_hourly: Decimal  # the least flow in any hour of the run: the probable leak rate
    total: Decimal  # all flow during the run

    @property
    def summary(self) -> str:
        return (
            f"Water ran in every hour for {self.hours} hours from {self.flow_since:%Y-%m-%d %H:%M} "
            f"(at least {self.min_hourly} an hour): probable continuous leak."
        )


def longest_flow_run(hours: Sequence[HourlyUse]) -> tuple[int, int] | None:
    """(first, last) index of the longest run of consecutive hours with flow, in ``hours`` sorted by
    time; None when no hour had flow."""
    best: tuple[int, int] | None = None
    run_start: int | None = None
    for index, hour in enumerate(hours):
        continues = (
            run_start is not None
            and hour.consumption > 0
            and hours[index - 1].interval_start + ONE_HOUR == hour.interval_start
        )
        if hour.consumption > 0 and not continues:
            run_start = index
        elif hour.consumption <= 0:
            run_start = None
        if run_start is not None and (best is None or index - run_start > best[1] - best[0]):
            best = (run_start, index)
    return best


def continuous_flow(
    meter_key: str, hours: Iterable[HourlyUse], *, window_hours: int = LEAK_WINDOW_HOURS
) -> LeakFinding | None:
    """A finding when the meter never reached zero flow in some ``window_hours``-hour window."""
    ordered = sorted(hours, key=lambda hour: hour.interval_start)
    run = longest_flow_run(ordered)
    if run is None or run[1] - run[0] + 1 < window_hours:
        return None
    first, last = run
    flows = [hour.consumption for hour in ordered[first : last + 1]]
    return LeakFinding(
        meter_key=meter_key,
        flow_since=ordered[first].interval_start,
        flow_until=ordered[last].interval_start,
        hours=last - first + 1,
        min_hourly=min(flows),
        total=sum(flows, Decimal(0)),
    )


def probable_leaks(
    hours_by_meter: Mapping[str, Iterable[HourlyUse]], *, window_hours: int = LEAK_WINDOW_HOURS
) -> list[LeakFinding]:
    """Every meter whose intervals show continuous flow, in meter order."""
    findings = []
    for meter_key in sorted(hours_by_meter):
        finding = continuous_flow(meter_key, hours_by_meter[meter_key], window_hours=window_hours)
        if finding is not None:
            findings.append(finding)
    return findings
