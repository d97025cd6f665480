"""A metered customer for the work order and letter tests: Rosa Peña (Spanish) at 52 Avenue 48 with a
5-dial CF meter on route R07, a year of steady reads (10 HCF a month), and a high read of 45 HCF
on 2026-11-30 waiting in the exceptions queue.

Meters, service point and installation are made through the meters services and the high read through
the reads service (it holds it as ``high_usage``); the history reads are written directly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from civicbill.core import clock
from civicbill.customers.models import Account
from civicbill.meters import services as meter_services
from civicbill.meters.models import (
    Meter,
    MeterInstallation,
    Read,
    ReadException,
    ReadSource,
    ReadStatus,
    ServicePoint,
)
from civicbill.meters.services.reads import read_record

INSTALLED_ON = dt.date(2025, 10, 31)
HIGH_READ_ON = dt.date(2026, 11, 30)
MONTH_ENDS = [
    dt.date(2025, 11, 30),
    dt.date(2025, 12, 31),
    dt.date(2026, 1, 31),
    dt.date(2026, 2, 28),
    dt.date(2026, 3, 31),
    dt.date(2026, 4, 30),
    dt.date(2026, 5, 31),
    dt.date(2026, 6, 30),
    dt.date(2026, 7, 31),
    dt.date(2026, 8, 31),
    dt.date(2026, 9, 30),
    dt.date(2026, 10, 31),
]


def receive(actor: Any, serial: str, *, dials: int = 5, unit: str = "CF") -> Meter:
    return meter_services.meter_receive(
        serial_number=serial,
        make="Badger",
        model="M25",
        size="5/8",
        meter_type="positive_displacement",
        dials=dials,
        read_unit=unit,
        received_on=dt.date(2025, 10, 1),
        actor=actor,
    )


@dataclass
class Site:
    account: Account
    point: ServicePoint
    meter: Meter
    installation: MeterInstallation
    last_read: Read  # 2026-10-31, register 13000
    high_read: Read  # 2026-11-30, register 17500 (45 HCF in 30 days)
    exception: ReadException


def add_read(site_installation: MeterInstallation, read_on: dt.date, value: int, *, actor: Any) -> Read:
    previous = Read.objects.filter(installation=site_installation).order_by("-read_on", "-id").first()
    assert previous is not None
    return Read.objects.create(
        meter=site_installation.meter,
        installation=site_installation,
        service_point_id=site_installation.service_point_id,
        read_on=read_on,
        value=Decimal(value),
        source=ReadSource.HANDHELD,
        status=ReadStatus.ACTUAL,
        consumption_hcf=(Decimal(value) - previous.value) / 100,
        created_by=actor,
        created_at=clock.now(),
    )


def make_site(account: Account, actor: Any, *, serial: str = "B2500417") -> Site:
    point = meter_services.service_point_create(
        premise=account.premise,
        read_route="R07",
        route_sequence=120,
        location_note="left of driveway",
        actor=actor,
    )
    meter = receive(actor, serial)
    installation = meter_services.meter_install(
        meter=meter, service_point=point, installed_on=INSTALLED_ON, install_read=Decimal(1000), actor=actor
    )
    value = 1000
    last = None
    for month_end in MONTH_ENDS:
        value += 1000  # 10 HCF a month
        last = add_read(installation, month_end, value, actor=actor)
    assert last is not None
    outcome = read_record(
        meter_serial=serial,
        read_on=HIGH_READ_ON,
        value=Decimal(value + 4500),
        source=ReadSource.HANDHELD,
        actor=actor,
        as_of=HIGH_READ_ON,
    )
    assert outcome.exception is not None and outcome.exception.code == "high_usage", outcome
    high_read, exception = outcome.read, outcome.exception
    meter.refresh_from_db()
    return Site(account, point, meter, installation, last, high_read, exception)
