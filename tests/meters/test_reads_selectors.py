"""Read selectors: the exceptions queue, the 13-month usage chart, the AMI hourly profile and leaks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from civicbill.meters.models import IntervalRead, ReadStatus
from civicbill.meters.read_selectors import (
    MonthUsage,
    hourly_profile,
    meter_probable_leak,
    meters_with_probable_leaks,
    open_exception_counts,
    open_exceptions,
    read_history,
)
from civicbill.meters.services import read_exception_reject, read_record
from tests.meters.reads_helpers import AS_OF, AT, add_read, make_site, monthly_history

pytestmark = pytest.mark.django_db
D = dt.date
ZONE = ZoneInfo("America/Los_Angeles")


def test_the_queue_lists_open_exceptions_with_meter_address_account_and_previous_read(
    frozen, csr, technician, django_assert_max_num_queries
):
    first = make_site("M-1", actor=csr, dials=4, route="R1", sequence=20)
    add_read(first, D(2026, 10, 2), 4_530, "12", actor=csr)
    second = make_site("M-2", actor=csr, dials=4, route="R2", sequence=5)
    add_read(second, D(2026, 10, 2), 4_530, "12", actor=csr)
    third = make_site("M-3", actor=csr, dials=4, route="R1", sequence=10)
    for serial in ("M-1", "M-2"):
        read_record(
            meter_serial=serial,
            read_on=D(2026, 11, 1),
            value=Decimal(4512),
            source="manual",
            actor=csr,
            as_of=AS_OF,
        )
    held = read_record(
        meter_serial="M-3", read_on=D(2026, 11, 1), value=Decimal(0), source="manual", actor=csr, as_of=AS_OF
    )
    assert held.code == "zero_consumption"
    with django_assert_max_num_queries(3):
        rows = open_exceptions(limit=50)
    assert [(row.meter_serial, row.read_route, row.route_sequence, row.code) for row in rows] == [
        ("M-3", "R1", 10, "zero_consumption"),
        ("M-1", "R1", 20, "lower_than_previous"),
        ("M-2", "R2", 5, "lower_than_previous"),
    ]
    assert first.account is not None and held.exception is not None
    row = rows[1]
    assert (row.account_number, row.customer_name, row.address) == (
        first.account.number,
        first.account.customer.display_name,
        first.point.premise.address_line,
    )
    assert (row.previous_read_on, row.previous_value, row.value) == (
        D(2026, 10, 2),
        Decimal(4530),
        Decimal(4512),
    )
    assert [r.meter_serial for r in open_exceptions(route="R1", code="lower_than_previous", limit=10)] == [
        "M-1"
    ]
    assert open_exception_counts() == {"lower_than_previous": 2, "zero_consumption": 1}
    read_exception_reject(exception=held.exception, actor=technician, note="stuck meter, replace")
    assert open_exception_counts(route="R1") == {"lower_than_previous": 1}
    assert third.point.read_route == "R1"


def test_read_history_gives_13_months_of_consumption_by_month(frozen, csr):
    site = make_site("M-4", actor=csr, installed_on=D(2025, 9, 1))
    monthly_history(
        site, actor=csr, start=D(2025, 9, 1), months=14, cf_per_day=40
    )  # reads 2025-10-01 .. 2026-11-01
    add_read(
        site, D(2026, 11, 20), 100_000 - 1, "3.5", actor=csr, status=ReadStatus.ESTIMATED, source="estimated"
    )
    history = read_history(service_point=site.point, as_of=AS_OF)
    assert len(history) == 13
    # each read's consumption counts in its read date's month: the read on 2025-12-01 measured November
    assert history[0] == MonthUsage(D(2025, 12, 1), Decimal(12), 1, False)
    assert history[-2] == MonthUsage(D(2026, 11, 1), Decimal("12.4") + Decimal("3.5"), 2, True)
    assert history[-1] == MonthUsage(D(2026, 12, 1), Decimal(0), 0, False)
    assert read_history(meter=site.meter, as_of=AS_OF) == history


def test_the_hourly_profile_and_a_probable_leak_from_ami_intervals(frozen, csr):
    site = make_site("AMI-1", actor=csr, unit="GAL", dials=6)
    quiet = make_site("AMI-2", actor=csr, unit="GAL", dials=6)
    start = dt.datetime(2026, 11, 28, tzinfo=ZONE)
    IntervalRead.objects.bulk_create(
        [
            IntervalRead(
                meter=site.meter, interval_start=start + dt.timedelta(hours=h), consumption=Decimal(3)
            )
            for h in range(48)
        ]
        + [
            IntervalRead(
                meter=quiet.meter, interval_start=start + dt.timedelta(hours=h), consumption=Decimal(h % 3)
            )
            for h in range(48)
        ]
    )
    profile = hourly_profile(meter=site.meter, until=AT, days=7)
    assert len(profile) == 48
    assert profile[0].interval_start == start
    assert (profile[0].consumption_hcf, profile[0].gallons) == (Decimal("0.004"), Decimal("3.0"))
    finding = meter_probable_leak(meter=site.meter, until=AT)
    assert finding is not None and finding.hours == 48
    assert meter_probable_leak(meter=quiet.meter, until=AT) is None
    assert [f.meter_key for f in meters_with_probable_leaks(until=AT, days=4)] == ["AMI-1"]
