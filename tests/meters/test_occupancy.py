"""Which reads of a period bound an occupant's use (PeriodConsumption.occupancy_bounds / for_occupancy).

The use starts at the read at (or just before) the first day of service and ends at the read at (or
just before) the day after the last, so two occupants in a row share one read and every unit is billed
once. Pure: no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from civicbill.meters.usage import PeriodConsumption

D = dt.date


def period(*reads: tuple[dt.date, int, str]) -> PeriodConsumption:
    rows = tuple((7, day, status, "manual", Decimal(hcf)) for day, hcf, status in reads)
    return PeriodConsumption(
        service_point_id=7, consumption_hcf=sum((Decimal(r[4]) for r in rows), Decimal(0)), estimated=False,
        missing=not rows, read_dates=tuple(r[1] for r in rows), meter_size="3/4", meter_serials=("M1",),
        read_rows=rows,
    )  # fmt: skip


NOVEMBER = period((D(2026, 11, 10), 6, "actual"), (D(2026, 11, 28), 10, "actual"))


def test_an_occupant_in_service_all_period_has_all_its_use() -> None:
    assert NOVEMBER.occupancy_bounds(D(2025, 1, 2), None) == (None, None)
    assert NOVEMBER.for_occupancy(D(2025, 1, 2), None) is NOVEMBER


def test_the_outgoing_occupant_ends_at_the_move_out_read_and_the_next_starts_from_it() -> None:
    outgoing = NOVEMBER.for_occupancy(D(2025, 1, 2), D(2026, 11, 10))
    incoming = NOVEMBER.for_occupancy(D(2026, 11, 11), None)
    assert (outgoing.consumption_hcf, outgoing.read_dates) == (Decimal(6), (D(2026, 11, 10),))
    assert (incoming.consumption_hcf, incoming.read_dates) == (Decimal(10), (D(2026, 11, 28),))
    assert outgoing.consumption_hcf + incoming.consumption_hcf == NOVEMBER.consumption_hcf


def test_a_move_in_read_on_the_first_day_is_the_boundary_for_both() -> None:
    split = period((D(2026, 11, 11), 7, "actual"), (D(2026, 11, 28), 9, "actual"))
    assert split.occupancy_bounds(D(2025, 1, 2), D(2026, 11, 10)) == (None, D(2026, 11, 11))
    assert split.occupancy_bounds(D(2026, 11, 11), None) == (D(2026, 11, 11), None)
    assert split.for_occupancy(D(2025, 1, 2), D(2026, 11, 10)).consumption_hcf == 7
    assert split.for_occupancy(D(2026, 11, 11), None).consumption_hcf == 9


def test_without_a_read_after_the_start_the_occupant_has_no_measured_use() -> None:
    late = NOVEMBER.for_occupancy(D(2026, 11, 28), None)
    assert (late.consumption_hcf, late.missing) == (Decimal(0), True)


def test_without_a_read_by_the_day_after_the_move_out_the_outgoing_occupant_has_none_of_the_period() -> None:
    gone = NOVEMBER.for_occupancy(D(2025, 1, 2), D(2026, 11, 5))
    assert NOVEMBER.occupancy_bounds(D(2025, 1, 2), D(2026, 11, 5)) == (None, D(2026, 11, 9))
    assert (gone.consumption_hcf, gone.missing) == (Decimal(0), True)


def test_an_estimated_boundary_read_marks_only_the_use_it_measures_as_estimated() -> None:
    estimated = period((D(2026, 11, 10), 6, "estimated"), (D(2026, 11, 28), 10, "actual"))
    assert estimated.for_occupancy(D(2025, 1, 2), D(2026, 11, 10)).estimated is True
    assert estimated.for_occupancy(D(2026, 11, 11), None).estimated is False


def test_the_last_day_of_the_calendar_does_not_overflow() -> None:
    assert NOVEMBER.occupancy_bounds(D(2025, 1, 2), dt.date.max) == (None, None)
