"""Helpers for the read tests: a meter installed at a service point of a premise with (optionally)
an account in service, written directly with the ORM (the inventory services have their own tests);
prior reads as the read services would have stored them."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from civicbill.customers.models import Account, Customer, Premise, ServiceAgreement
from civicbill.meters.models import Meter, MeterInstallation, Read, ReadSource, ReadStatus, ServicePoint

AT = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 12, 1)
_numbers = itertools.count(1)


@dataclass
class Site:
    meter: Meter
    point: ServicePoint
    installation: MeterInstallation
    account: Account | None


def make_site(
    serial: str,
    *,
    actor: Any,
    dials: int = 5,
    unit: str = "CF",
    multiplier: Decimal = Decimal(1),
    installed_on: dt.date = dt.date(2025, 1, 1),
    install_read: Decimal | int = 0,
    service_from: dt.date | None = dt.date(2025, 1, 1),
    service_until: dt.date | None = None,
    route: str = "R01",
    sequence: int | None = None,
    endpoint_id: str = "",
) -> Site:
    number = next(_numbers)
    premise = Premise.objects.create(
        house_number=str(100 + number),
        street_name="Avenue 48",
        city="Coachella",
        zip_code="92236",
        search_address=f"{100 + number} AVENUE 48",
        search_street=f"AVENUE 48 {100 + number}",
        created_at=AT,
    )
    point = ServicePoint.objects.create(
        premise=premise,
        read_route=route,
        route_sequence=sequence if sequence is not None else number,
        created_at=AT,
    )
    meter = Meter.objects.create(
        serial_number=serial,
        make="Badger",
        size="5/8",
        dials=dials,
        read_unit=unit,
        multiplier=multiplier,
        status="installed",
        endpoint_id=endpoint_id,
        created_at=AT,
    )
    installation = MeterInstallation.objects.create(
        meter=meter,
        service_point=point,
        installed_on=installed_on,
        install_read=Decimal(install_read),
        created_at=AT,
    )
    Read.objects.create(
        meter=meter,
        installation=installation,
        service_point=point,
        read_on=installed_on,
        value=Decimal(install_read),
        source=ReadSource.INSTALL,
        status=ReadStatus.ACTUAL,
        consumption_hcf=Decimal(0),
        created_by=actor,
        created_at=AT,
    )
    account = None
    if service_from is not None:
        customer = Customer.objects.create(
            last_name=f"Customer {number}",
            first_name="Ana",
            mailing_line1=f"{100 + number} Avenue 48",
            mailing_city="Coachella",
            mailing_zip="92236",
            search_name=f"CUSTOMER {number} ANA",
            search_name_reversed=f"ANA CUSTOMER {number}",
            created_at=AT,
        )
        account = Account.objects.create(
            number=f"9{number:06d}-0",
            customer=customer,
            premise=premise,
            status="active" if service_until is None else "closed",
            opened_on=service_from,
            closed_on=service_until,
            created_at=AT,
        )
        ServiceAgreement.objects.create(
            account=account,
            service="water",
            rate_schedule_code="W-RES",
            start_date=service_from,
            end_date=service_until,
            created_at=AT,
        )
    return Site(meter, point, installation, account)


def add_read(
    site: Site,
    read_on: dt.date,
    value: int | str | Decimal,
    consumption_hcf: int | str | Decimal,
    *,
    actor: Any,
    status: str = ReadStatus.ACTUAL,
    source: str = ReadSource.HANDHELD,
) -> Read:
    """A stored read with the consumption it billed (as the services would have stored it)."""
    return Read.objects.create(
        meter=site.meter,
        installation=site.installation,
        service_point=site.point,
        read_on=read_on,
        value=Decimal(value),
        source=source,
        status=status,
        consumption_hcf=Decimal(consumption_hcf),
        created_by=actor,
        created_at=AT,
    )


def monthly_history(
    site: Site, *, actor: Any, start: dt.date, months: int, cf_per_day: int, value: int = 0
) -> int:
    """Actual reads on the first of each month from ``start`` at ``cf_per_day``; returns the last value."""
    day = start
    for _ in range(months):
        following = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        used = (following - day).days * cf_per_day
        value += used
        add_read(site, following, value, Decimal(used) / 100, actor=actor)
        day = following
    return value
