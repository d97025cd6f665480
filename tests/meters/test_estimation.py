"""Expected use and estimated reads, pure, with exact numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from civicbill.meters.consumption import Consumption, Register
from civicbill.meters.estimation import (
    LAST_3_PERIODS,
    LAST_12_MONTHS,
    SAME_PERIOD_LAST_YEAR,
    UsageIndex,
    UsagePeriod,
    estimate_daily_use,
    estimate_read,
    estimated_register_value,
    expected_daily_use,
    last_12_months,
    last_periods,
    same_period_last_year,
    year_before,
)

D = dt.date


def months(start: dt.date, hcf: list[int]) -> list[UsagePeriod]:
    periods, day = [], start
    for used in hcf:
        following = D(day.year + (day.month == 12), day.month % 12 + 1, 1)
        periods.append(UsagePeriod(day, following, Decimal(used)))
        day = following
    return periods


DESERT = months(
    D(2025, 1, 1), [15, 15, 20, 25, 40, 60, 62, 62, 45, 30, 20, 15, 16, 16, 21, 26]
)  # to 2026-05-01


def test_year_before_keeps_the_calendar_day_and_february_29_becomes_the_28th():
    assert year_before(D(2026, 7, 15)) == D(2025, 7, 15)
    assert year_before(D(2028, 2, 29)) == D(2027, 2, 28)


def test_same_period_last_year_weights_each_period_by_its_overlap():
    # 2026-06-15 .. 2026-07-15 one year earlier: 16 days of June 2025 (60/30) and 15 days of July (62/31)
    daily = same_period_last_year(DESERT, D(2026, 6, 15), D(2026, 7, 15))
    assert daily is not None and daily.basis == SAME_PERIOD_LAST_YEAR
    expected = (Decimal(60) * 15 / 30 + Decimal(62) * 15 / 31) / 30
    assert daily.hcf_per_day == expected
    assert daily.history_days == 30


def test_same_period_last_year_needs_half_the_window_covered():
    assert same_period_last_year(DESERT, D(2026, 1, 1), D(2026, 2, 1)) is not None  # 2025-01 is covered
    short = DESERT[3:]  # from 2025-04-01
    assert same_period_last_year(short, D(2026, 3, 1), D(2026, 4, 1)) is None


def test_last_12_months_averages_the_periods_ending_in_the_year_before():
    daily = last_12_months(DESERT, D(2026, 5, 1))
    ending = [p for p in DESERT if D(2025, 5, 1) < p.end <= D(2026, 5, 1)]
    assert daily is not None and daily.basis == LAST_12_MONTHS
    assert daily.hcf_per_day == sum(p.hcf for p in ending) / sum(p.days for p in ending)
    assert daily.history_days == 365


def test_less_than_60_days_of_history_gives_no_expectation():
    assert last_12_months(months(D(2026, 9, 1), [10]), D(2026, 10, 1)) is None
    assert last_12_months(months(D(2026, 8, 1), [10, 10]), D(2026, 10, 1)) is not None  # 61 days


def test_expected_use_is_seasonal_once_the_history_reaches_back_a_year():
    seasonal = expected_daily_use(DESERT, D(2026, 4, 1), D(2026, 5, 1))
    assert seasonal is not None and seasonal.basis == SAME_PERIOD_LAST_YEAR
    assert seasonal.hcf_per_day == Decimal(25) / 30
    recent = expected_daily_use(DESERT[6:], D(2026, 4, 1), D(2026, 5, 1))  # history from 2025-07
    assert recent is not None and recent.basis == LAST_12_MONTHS


def test_estimates_use_the_last_three_periods_without_a_year_of_history():
    history = months(D(2026, 6, 1), [30, 31, 62, 60])  # June .. September 2026
    daily = estimate_daily_use(history, D(2026, 10, 1), D(2026, 11, 1))
    assert daily is not None and daily.basis == LAST_3_PERIODS
    assert daily.hcf_per_day == Decimal(31 + 62 + 60) / (31 + 31 + 30)
    assert last_periods([], D(2026, 10, 1)) is None


def test_an_estimated_read_is_whole_register_units_from_the_previous_read():
    history = months(D(2026, 7, 1), [31, 31, 30])  # 1 HCF a day
    estimate = estimate_read(
        Register(4, "CF"),
        history,
        previous_on=D(2026, 10, 1),
        previous_value=Decimal(9_500),
        read_on=D(2026, 11, 1),
    )
    assert estimate is not None
    assert estimate.days == 31
    assert estimate.value == Decimal(3_100 + 9_500 - 10_000)  # 31 HCF = 3,100 CF, past the 4 dials
    assert estimate.consumption == Consumption(units=Decimal(3_100), hcf=Decimal(31), rolled_over=True)
    assert estimate.note == "Estimated: 1.000 HCF/day × 31 days (last 3 periods)"


def test_an_estimate_rounds_to_the_register_and_bills_what_the_register_shows():
    estimated = estimated_register_value(Register(5, "GAL"), previous_value=Decimal(1000), hcf=Decimal("2.5"))
    assert estimated is not None
    value, used = estimated
    assert value == Decimal(1000 + 1870)  # 2.5 HCF = 1,870 gallons
    assert used.hcf == Decimal("2.500")
    assert estimated_register_value(Register(3, "CF"), previous_value=Decimal(0), hcf=Decimal(6)) is None


@st.composite
def histories(draw: st.DrawFn) -> list[UsagePeriod]:
    day = D(2024, 1, 1) + dt.timedelta(days=draw(st.integers(0, 60)))
    periods = []
    for _ in range(draw(st.integers(0, 30))):
        following = day + dt.timedelta(days=draw(st.integers(1, 70)))
        periods.append(UsagePeriod(day, following, Decimal(draw(st.integers(0, 90_000))) / 1000))
        day = following
    return periods


@settings(max_examples=300, deadline=None)
@given(histories(), st.integers(0, 900), st.integers(1, 90))
def test_the_indexed_history_answers_exactly_as_the_plain_functions(history, offset, length):
    start = D(2024, 6, 1) + dt.timedelta(days=offset)
    end = start + dt.timedelta(days=length)
    index = UsageIndex(history[: len(history) // 2])
    for period in history[len(history) // 2 :]:  # appended one by one, as the validator does
        index.append(period)
    assert index.expected_daily_use(start, end) == expected_daily_use(history, start, end)
    assert index.last_12_months(start) == last_12_months(history, start)
