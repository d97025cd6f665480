"""Usage selectors: the route sheet for route entry, and consumption per period for the billing run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.core import clock
from civicbill.customers.models import Account, Premise
from civicbill.meters import services
from civicbill.meters.models import (
    Meter,
    MeterInstallation,
    Read,
    ReadSource,
    ReadStatus,
    ServicePoint,
)
from civicbill.meters.selectors import (
    PeriodConsumption,
    consumption_for_period,
    expected_read_range,
    route_sheet,
)
from tests.meters.inventory_helpers import add_read, premise, receive, service_point

pytestmark = pytest.mark.usefixtures("frozen")

SEP_30 = dt.date(2026, 9, 30)
OCT_31 = dt.date(2026, 10, 31)
MONTHLY = [
    dt.date(2026, 7, 1),
    dt.date(2026, 7, 31),
    dt.date(2026, 8, 30),
    dt.date(2026, 9, 29),
    dt.date(2026, 10, 29),
]


def _install_with_monthly_reads(
    actor: Any, point: ServicePoint, serial: str, *, start: int, step: int, dials: int, unit: str
) -> MeterInstallation:
    meter = receive(actor, serial, dials=dials, unit=unit, received_on=dt.date(2026, 5, 1))
    installation = services.meter_install(
        meter=meter,
        service_point=point,
        installed_on=dt.date(2026, 6, 1),
        install_read=Decimal(start),
        actor=actor,
    )
    for number, day in enumerate(MONTHLY, start=1):
        add_read(installation, day, (start + step * number) % 10**dials, actor=actor)
    return installation


# -- route sheet ---------------------------------------------------------------------------------


def test_the_route_sheet_lists_meters_in_sequence_with_the_previous_read_and_expected_range(
    technician: Any, rosa_account: Account, django_assert_max_num_queries: Any
) -> None:
    # 5-dial CF meter using 1,500 CF (15 HCF) every 30 days: 0.5 HCF a day
    steady = service_point(technician, rosa_account.premise, route="R05", sequence=10)
    _install_with_monthly_reads(technician, steady, "RS-CF", start=1_000, step=1_500, dials=5, unit="CF")
    # 4-dial HCF meter using 200 HCF every 30 days, last read 9,850: the range wraps past 9,999
    busy = service_point(technician, premise(technician, "60"), route="R05", sequence=20)
    _install_with_monthly_reads(technician, busy, "RS-HCF", start=8_850, step=200, dials=4, unit="HCF")
    # a meter installed this month: its install read, no history yet
    new = service_point(technician, premise(technician, "40"), route="R05", sequence=5)
    services.meter_install(
        meter=receive(technician, "RS-NEW"),
        service_point=new,
        installed_on=dt.date(2026, 11, 2),
        install_read=Decimal(7),
        actor=technician,
    )
    service_point(technician, premise(technician, "70"), route="R05", sequence=30)  # no meter: not read
    service_point(technician, premise(technician, "80"), route="R06", sequence=1)  # another route
    as_of = dt.date(2026, 11, 28)  # 30 days after the last monthly read
    with django_assert_max_num_queries(4):
        stops = route_sheet("R05", as_of)
    assert [(stop.route_sequence, stop.meter_serial, stop.premise_address) for stop in stops] == [
        (5, "RS-NEW", "40 Avenue 48"),
        (10, "RS-CF", "52 Avenue 48"),
        (20, "RS-HCF", "60 Avenue 48"),
    ]
    fresh, steady_stop, busy_stop = stops
    assert (fresh.previous_read_value, fresh.previous_read_on) == (Decimal("7.000"), dt.date(2026, 11, 2))
    assert (fresh.average_daily_use_hcf, fresh.average_basis, fresh.expected_low, fresh.expected_high) == (
        None,
        "",
        None,
        None,
    )
    assert (steady_stop.account_number, steady_stop.dials, steady_stop.read_unit) == (
        rosa_account.number,
        5,
        "CF",
    )
    assert (steady_stop.previous_read_value, steady_stop.previous_read_on) == (
        Decimal("8500.000"),
        MONTHLY[-1],
    )
    assert (steady_stop.average_daily_use_hcf, steady_stop.average_basis) == (
        Decimal("0.5000"),
        "last 12 months",
    )
    # 0.5 HCF × 30 days = 1,500 CF expected; 50 % to 150 % of it on top of 8,500
    assert (steady_stop.expected_low, steady_stop.expected_high) == (Decimal(9_250), Decimal(10_750))
    assert busy_stop.previous_read_value == Decimal("9850.000")
    assert busy_stop.average_daily_use_hcf == Decimal("6.6667")
    assert (busy_stop.expected_low, busy_stop.expected_high) == (Decimal(9_950), Decimal(150))


def test_the_expected_range_uses_the_register_units_and_multiplier() -> None:
    # 1 HCF a day for 10 days on a gallons meter ×10: 748 gallons ÷ 10 per HCF → 748 register units
    assert expected_read_range(
        previous_value=Decimal(1_000),
        days=10,
        average_daily_use_hcf=Decimal(1),
        dials=6,
        read_unit="GAL",
        multiplier=Decimal(10),
    ) == (Decimal(1_374), Decimal(2_122))


# -- consumption for a billing period ------------------------------------------------------------


def test_a_period_counts_reads_after_its_start_up_to_and_including_its_end(technician: Any) -> None:
    point = service_point(technician, premise(technician, "20"))
    installation = services.meter_install(
        meter=receive(technician, "P-1"),
        service_point=point,
        installed_on=dt.date(2026, 8, 3),
        install_read=Decimal(0),
        actor=technician,
    )
    add_read(installation, SEP_30, 1_000, actor=technician)  # on the start day: the previous period's
    add_read(installation, dt.date(2026, 10, 15), 1_250, actor=technician)
    add_read(
        installation,
        OCT_31,
        1_400,
        actor=technician,
        status=ReadStatus.ESTIMATED,
        source=ReadSource.ESTIMATED,
    )
    for status in (ReadStatus.EXCEPTION, ReadStatus.REJECTED, ReadStatus.SUPERSEDED):
        add_read(installation, dt.date(2026, 10, 20), 9_999, actor=technician, status=status)
    add_read(installation, dt.date(2026, 11, 1), 1_500, actor=technician)  # next period
    result = consumption_for_period(service_point_ids=[point.pk], period_start=SEP_30, period_end=OCT_31)
    assert result == {
        point.pk: PeriodConsumption(
            service_point_id=point.pk,
            consumption_hcf=Decimal("4.000"),
            estimated=True,
            missing=False,
            read_dates=(dt.date(2026, 10, 15), OCT_31),
            meter_size="5/8",
            meter_serials=("P-1",),
        )
    }


def test_a_service_point_without_a_read_in_the_period_is_missing(technician: Any) -> None:
    quiet = service_point(technician, premise(technician, "22"))
    services.meter_install(
        meter=receive(technician, "P-2", size="1"),
        service_point=quiet,
        installed_on=dt.date(2026, 10, 10),
        install_read=Decimal(0),
        actor=technician,
    )
    unmetered = service_point(technician, premise(technician, "24"))
    result = consumption_for_period(
        service_point_ids=[quiet.pk, unmetered.pk], period_start=SEP_30, period_end=OCT_31
    )
    assert result[quiet.pk] == PeriodConsumption(
        service_point_id=quiet.pk,
        consumption_hcf=Decimal("0.000"),
        estimated=False,
        missing=True,  # an install read starts the register; it measures nothing
        read_dates=(dt.date(2026, 10, 10),),
        meter_size="1",
        meter_serials=("P-2",),
    )
    assert result[unmetered.pk] == PeriodConsumption(
        service_point_id=unmetered.pk,
        consumption_hcf=Decimal("0.000"),
        estimated=False,
        missing=True,
        read_dates=(),
        meter_size=None,
        meter_serials=(),
    )
    everything = consumption_for_period(service_point_ids=None, period_start=SEP_30, period_end=OCT_31)
    assert sorted(everything) == [quiet.pk]  # None: the service points with a meter or a read in the period


def _bulk_city(count: int, actor: Any) -> tuple[list[int], dict[int, PeriodConsumption]]:
    """``count`` metered service points written in bulk, each with a read history, and what
    consumption_for_period must say about Oct 2026 for each (worked out here, independently)."""
    now = clock.now()
    premises = Premise.objects.bulk_create(
        [
            Premise(
                house_number=str(1_000 + n),
                street_name="Grapefruit Blvd",
                city="Coachella",
                zip_code="92236",
                search_address=f"{1_000 + n} GRAPEFRUIT BOULEVARD",
                search_street=f"GRAPEFRUIT BOULEVARD {1_000 + n}",
                created_at=now,
            )
            for n in range(count)
        ]
    )
    points = ServicePoint.objects.bulk_create(
        [
            ServicePoint(premise=p, read_route="R9", route_sequence=n, created_at=now)
            for n, p in enumerate(premises)
        ]
    )
    sizes = ["5/8", "3/4", "1"]
    meters = Meter.objects.bulk_create(
        [
            Meter(
                serial_number=f"BULK-{n:05d}",
                make="Badger",
                size=sizes[n % 3],
                dials=5,
                read_unit="GAL" if n % 2 else "CF",
                status="installed",
                created_at=now,
            )
            for n in range(count)
        ]
    )
    installations = MeterInstallation.objects.bulk_create(
        [
            MeterInstallation(
                meter=m,
                service_point=p,
                installed_on=dt.date(2026, 6, 1),
                install_read=Decimal(0),
                created_at=now,
            )
            for m, p in zip(meters, points, strict=True)
        ]
    )
    reads: list[Read] = []
    expected: dict[int, PeriodConsumption] = {}
    for n, (meter, point, installation) in enumerate(zip(meters, points, installations, strict=True)):
        per_hcf = Decimal(748) if meter.read_unit == "GAL" else Decimal(100)

        def read(
            day: dt.date,
            value: int,
            consumption: int,
            status: str = ReadStatus.ACTUAL,
            *,
            meter: Meter = meter,
            installation: MeterInstallation = installation,
            point: ServicePoint = point,
            per_hcf: Decimal = per_hcf,
        ) -> Read:
            return Read(
                meter=meter,
                installation=installation,
                service_point=point,
                read_on=day,
                value=Decimal(value),
                source=ReadSource.AMR,
                status=status,
                consumption_hcf=(Decimal(consumption) / per_hcf).quantize(Decimal("0.001")),
                created_by=actor,
                created_at=now,
            )

        september = 500 + n
        reads.append(read(SEP_30, september, september))
        october_use = 300 + 7 * n
        dates: tuple[dt.date, ...] = ()
        if n % 5 == 4:  # not read in October
            pass
        elif n % 5 == 3:  # an estimate, trued up in November
            reads.append(read(OCT_31, september + october_use, october_use, ReadStatus.ESTIMATED))
            dates = (OCT_31,)
        else:
            reads.append(read(dt.date(2026, 10, 30), september + october_use, october_use))
            dates = (dt.date(2026, 10, 30),)
        expected[point.pk] = PeriodConsumption(
            service_point_id=point.pk,
            consumption_hcf=(Decimal(october_use) / per_hcf).quantize(Decimal("0.001"))
            if dates
            else Decimal(0),
            estimated=n % 5 == 3,
            missing=not dates,
            read_dates=dates,
            meter_size=sizes[n % 3],
            meter_serials=(meter.serial_number,),
        )
    Read.objects.bulk_create(reads)
    return [point.pk for point in points], expected


def test_consumption_for_many_service_points_takes_a_few_queries_not_one_each(
    technician: Any, django_assert_max_num_queries: Any
) -> None:
    ids, expected = _bulk_city(1_200, technician)
    with django_assert_max_num_queries(4):  # two per batch of ids: ≤ 2 batches on SQLite, 1 on PostgreSQL
        result = consumption_for_period(service_point_ids=ids, period_start=SEP_30, period_end=OCT_31)
    assert result == expected
    assert sum(1 for item in result.values() if item.missing) == 240
    assert sum(1 for item in result.values() if item.estimated) == 240
    with django_assert_max_num_queries(2):
        assert (
            consumption_for_period(service_point_ids=None, period_start=SEP_30, period_end=OCT_31) == expected
        )


def test_consumption_for_a_query_of_service_points_runs_it_as_a_subquery_in_three_queries(
    technician: Any, django_assert_max_num_queries: Any
) -> None:
    ids, expected = _bulk_city(1_200, technician)
    # half the route's points, named by a query (the billing run's way) instead of a list of ids
    wanted = ServicePoint.objects.filter(read_route="R9", route_sequence__lt=600).values_list("id", flat=True)
    half = set(
        ServicePoint.objects.filter(read_route="R9", route_sequence__lt=600).values_list("id", flat=True)
    )
    assert len(half) == 600 and half < set(ids)
    with django_assert_max_num_queries(3):  # the ids, the reads, the installations
        result = consumption_for_period(service_point_ids=wanted, period_start=SEP_30, period_end=OCT_31)
    assert result == {point_id: expected[point_id] for point_id in sorted(half)}
