"""Helpers for the meter inventory and installation tests: meters, premises and service points made
through the services, and accepted reads written directly (the reads pipeline has its own tests)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from civicbill.core import clock
from civicbill.customers import services as customer_services
from civicbill.customers.models import Premise
from civicbill.meters import services
from civicbill.meters.consumption import Register, consumption_between
from civicbill.meters.models import (
    Meter,
    MeterInstallation,
    Read,
    ReadSource,
    ReadStatus,
    ServicePoint,
)

RECEIVED_ON = dt.date(2026, 7, 1)
ACCEPTED = (ReadStatus.ACTUAL, ReadStatus.ESTIMATED)


def receive(
    actor: Any,
    serial: str,
    *,
    dials: int = 5,
    unit: str = "CF",
    size: str = "5/8",
    multiplier: Decimal = Decimal(1),
    received_on: dt.date = RECEIVED_ON,
) -> Meter:
    return services.meter_receive(
        serial_number=serial,
        make="Badger",
        model="M25",
        size=size,
        meter_type="positive_displacement",
        dials=dials,
        read_unit=unit,
        multiplier=multiplier,
        received_on=received_on,
        actor=actor,
    )


def premise(actor: Any, house_number: str, street: str = "Avenue 48", **fields: Any) -> Premise:
    return customer_services.premise_create(
        house_number=house_number,
        street_name=street,
        city="Coachella",
        zip_code="92236",
        premise_type="single_family",
        actor=actor,
        **fields,
    )


def service_point(actor: Any, at: Premise, *, route: str = "R01", sequence: int = 10) -> ServicePoint:
    return services.service_point_create(premise=at, read_route=route, route_sequence=sequence, actor=actor)


def add_read(
    installation: MeterInstallation,
    read_on: dt.date,
    value: int | str | Decimal,
    *,
    actor: Any,
    status: str = ReadStatus.ACTUAL,
    source: str = ReadSource.MANUAL,
) -> Read:
    """An accepted read with its consumption since the installation's previous accepted read."""
    meter = installation.meter
    current = Decimal(value)
    consumption_hcf = None
    rolled_over = False
    if status in ACCEPTED:
        previous = (
            Read.objects.filter(installation=installation, status__in=ACCEPTED)
            .order_by("-read_on", "-id")
            .first()
        )
        assert previous is not None
        used = consumption_between(
            Register(meter.dials, meter.read_unit, Decimal(meter.multiplier)),
            previous=Decimal(previous.value),
            current=current,
        )
        consumption_hcf, rolled_over = used.hcf, used.rolled_over
    return Read.objects.create(
        meter=meter,
        installation=installation,
        service_point_id=installation.service_point_id,
        read_on=read_on,
        value=current,
        source=source,
        status=status,
        consumption_hcf=consumption_hcf,
        rolled_over=rolled_over,
        created_by=actor,
        created_at=clock.now(),
    )
