"""Probable continuous leaks from AMI hourly intervals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from civicbill.meters.leaks import HourlyUse, continuous_flow, longest_flow_run, probable_leaks

START = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)


def hours(flows: list[str], start: dt.datetime = START) -> list[HourlyUse]:
    return [HourlyUse(start + dt.timedelta(hours=n), Decimal(flow)) for n, flow in enumerate(flows)]


def test_flow_in_every_hour_for_a_day_is_a_probable_leak():
    day = ["0.02"] * 6 + ["0.3"] * 12 + ["0.05"] * 6  # never zero: a running toilet under the day's use
    finding = continuous_flow("M1", hours([*day, "0"]))
    assert finding is not None
    assert finding.hours == 24
    assert finding.flow_since == START
    assert finding.flow_until == START + dt.timedelta(hours=23)
    assert finding.min_hourly == Decimal("0.02")
    assert finding.total == Decimal("0.02") * 6 + Decimal("0.3") * 12 + Decimal("0.05") * 6
    assert finding.summary.startswith("Water ran in every hour for 24 hours from 2026-11-01 07:00")


def test_a_household_whose_use_drops_to_zero_at_night_has_no_leak():
    day = ["0"] * 5 + ["0.2"] * 19
    assert continuous_flow("M1", hours(day * 3)) is None


def test_a_missing_hour_breaks_the_run():
    flows = hours(["0.1"] * 12) + hours(["0.1"] * 12, START + dt.timedelta(hours=13))
    assert continuous_flow("M1", flows) is None
    assert longest_flow_run(sorted(flows, key=lambda h: h.interval_start)) == (0, 11)


def test_probable_leaks_reports_each_meter_with_continuous_flow():
    findings = probable_leaks(
        {"B": hours(["0.1"] * 30), "A": hours(["0"] + ["0.1"] * 10), "C": hours(["0.2"] * 24)}
    )
    assert [(f.meter_key, f.hours) for f in findings] == [("B", 30), ("C", 24)]
