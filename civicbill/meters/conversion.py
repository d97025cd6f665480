"""Bulk loading of meters, service points, installations and read history from a legacy system
(and the demo city). Every meter and read is validated by the same pure rules the services use
(register fit, rollover plausibility); if any row is bad, nothing is written and the error names the
row. Set-based: a handful of ``bulk_create`` statements, one audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor
from civicbill.core.audit import audit_record
from civicbill.core.bulk_rows import insert_rows
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.meters.consumption import NotPlausibleError, Register, consumption_between, fits_register
from civicbill.meters.models import (
    Meter,
    MeterInstallation,
    MeterSize,
    MeterStatus,
    MeterStatusChange,
    MeterType,
    Read,
    ReadSource,
    ReadStatus,
    ReadUnit,
    ServicePoint,
)

BATCH_SIZE = 2_000


@dataclass(frozen=True)
class MeterRow:
    serial_number: str
    make: str
    model: str
    size: str
    meter_type: str
    dials: int
    read_unit: str
    endpoint_id: str = ""
    multiplier: Decimal = Decimal(1)
    premise_id: int | None = None  # None: the meter is in stock
    read_route: str = ""
    route_sequence: int = 0
    installed_on: dt.date | None = None
    install_read: Decimal = Decimal(0)
    reads: tuple[tuple[dt.date, Decimal], ...] = ()  # accepted history, oldest first
    read_source: str = ReadSource.AMR
    estimated_reads: frozenset[dt.date] = frozenset()  # the days of ``reads`` the legacy system estimated


def _problems(rows: Sequence[MeterRow]) -> list[str]:
    problems = []
    serials: set[str] = set()
    for number, row in enumerate(rows, start=1):
        where = f"row {number} ({row.serial_number})"
        if row.serial_number in serials:
            problems.append(f"{where}: the serial number appears twice")
        serials.add(row.serial_number)
        if row.size not in MeterSize.values or row.meter_type not in MeterType.values:
            problems.append(f"{where}: unknown size {row.size!r} or type {row.meter_type!r}")
        if row.read_unit not in ReadUnit.values or not 1 <= row.dials <= 10:
            problems.append(f"{where}: unknown unit {row.read_unit!r} or dials {row.dials} not 1-10")
            continue
        register = Register(row.dials, row.read_unit, row.multiplier)
        previous = row.install_read
        for read_on, value in row.reads:
            if not fits_register(register, value):
                problems.append(f"{where}: read {value} on {read_on} does not fit {row.dials} dials")
                break
            try:
                consumption_between(register, previous=previous, current=value)
            except NotPlausibleError as error:
                problems.append(f"{where}: {error} on {read_on}")
                break
            previous = value
    if existing := set(
        Meter.objects.filter(serial_number__in=serials).values_list("serial_number", flat=True)
    ):
        problems.append(f"serial numbers already in inventory: {', '.join(sorted(existing)[:5])}")
    return problems


@transaction.atomic
def meters_convert(*, rows: Sequence[MeterRow], received_on: dt.date, actor: Actor) -> int:
    """Create the meters (installed ones with their service point, installation and read history).
    All or nothing. Returns how many meters were created."""
    require_permission(actor, "meters.manage")
    problems = _problems(rows)
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise ApplicationError(
            f"{len(problems)} problems, so no meter was loaded: {shown}", code="invalid_batch"
        )
    now = clock.now()
    meters = Meter.objects.bulk_create(
        [
            Meter(
                serial_number=row.serial_number,
                make=row.make,
                model=row.model,
                size=row.size,
                meter_type=row.meter_type,
                endpoint_id=row.endpoint_id,
                dials=row.dials,
                read_unit=row.read_unit,
                multiplier=row.multiplier,
                status=MeterStatus.INSTALLED if row.premise_id else MeterStatus.IN_STOCK,
                created_at=now,
            )
            for row in rows
        ],
        batch_size=BATCH_SIZE,
    )
    history_columns = (
        "meter_id",
        "from_status",
        "to_status",
        "changed_on",
        "reason",
        "actor_id",
        "created_at",
    )
    # each change on its own date: an installed meter was in stock by the day it was installed (the
    # legacy record knows no earlier date), a meter still in stock since it was received
    history = [
        (
            meter.pk,
            "",
            MeterStatus.IN_STOCK,
            min(received_on, row.installed_on) if row.premise_id and row.installed_on else received_on,
            "converted from the legacy system",
            actor.pk,
            now,
        )
        for meter, row in zip(meters, rows, strict=True)
    ] + [
        (
            meter.pk,
            MeterStatus.IN_STOCK,
            MeterStatus.INSTALLED,
            row.installed_on or received_on,
            "installed (legacy record)",
            actor.pk,
            now,
        )
        for meter, row in zip(meters, rows, strict=True)
        if row.premise_id
    ]
    insert_rows(MeterStatusChange, history_columns, history)
    installed = [
        (meter, row, row.premise_id) for meter, row in zip(meters, rows, strict=True) if row.premise_id
    ]
    points = ServicePoint.objects.bulk_create(
        [
            ServicePoint(
                premise_id=premise_id,
                read_route=row.read_route,
                route_sequence=row.route_sequence,
                created_at=now,
            )
            for _, row, premise_id in installed
        ],
        batch_size=BATCH_SIZE,
    )
    installations = MeterInstallation.objects.bulk_create(
        [
            MeterInstallation(
                meter=meter,
                service_point=point,
                installed_on=row.installed_on or received_on,
                install_read=row.install_read,
                created_at=now,
            )
            for (meter, row, _), point in zip(installed, points, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    columns = ("meter_id", "installation_id", "service_point_id", "read_on", "value", "source", "status",
               "consumption_hcf", "rolled_over", "note", "created_by_id", "created_at")  # fmt: skip
    reads: list[tuple[Any, ...]] = []
    for (meter, row, _), point, installation in zip(installed, points, installations, strict=True):
        register = Register(row.dials, row.read_unit, row.multiplier)
        reads.append((meter.pk, installation.pk, point.pk, installation.installed_on, row.install_read,
                      ReadSource.INSTALL, ReadStatus.ACTUAL, Decimal(0), False, "", actor.pk,
                      now))  # fmt: skip
        previous = row.install_read
        for read_on, value in row.reads:
            used = consumption_between(register, previous=previous, current=value)
            # an estimate bills its use; the next actual read, measured from it, trues it up
            estimated = read_on in row.estimated_reads
            source, status = (
                (ReadSource.ESTIMATED, ReadStatus.ESTIMATED)
                if estimated
                else (row.read_source, ReadStatus.ACTUAL)
            )
            reads.append((meter.pk, installation.pk, point.pk, read_on, value, source,
                          status, used.hcf, used.rolled_over, "", actor.pk, now))  # fmt: skip
            previous = value
    insert_rows(Read, columns, reads)
    if meters:
        audit_record(
            actor=actor,
            action="meter.convert",
            target=meters[0],
            at=now,
            summary=f"Converted {len(meters)} meters ({len(installed)} installed, {len(reads)} reads)",
            changes={"meters": len(meters), "installed": len(installed), "reads": len(reads)},
        )
    return len(meters)
