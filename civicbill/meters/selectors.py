"""Reads of the meters app: inventory, a meter's history, service points, and the usage selectors
(route sheet for the route entry page; consumption per period for the billing run) in
:mod:`civicbill.meters.usage`, re-exported here so callers import every read from ``selectors``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.utility_services import Service
from civicbill.customers.models import Account
from civicbill.meters.models import (
    Meter,
    MeterInstallation,
    MeterSize,
    MeterStatus,
    MeterStatusChange,
    MeterTest,
    Read,
    ServicePoint,
)
from civicbill.meters.usage import (
    ACCEPTED_READ_STATUSES,
    PeriodConsumption,
    RouteStop,
    consumption_for_period,
    expected_read_range,
    route_sheet,
)

__all__ = [
    "ACCEPTED_READ_STATUSES",
    "InstallationRecord",
    "MeterHistory",
    "PeriodConsumption",
    "RouteStop",
    "consumption_for_period",
    "expected_read_range",
    "inventory_counts",
    "meter_get",
    "meter_history",
    "meters_list",
    "route_sheet",
    "service_point_for_account",
]

DEFAULT_LIST_LIMIT = 200


def meter_get(serial: str) -> Meter:
    """The meter with this serial number (exact, else the only one ignoring case)."""
    typed = "".join(str(serial).split())
    if not typed:
        raise NotFoundError("Type a meter serial number.", field="serial")
    meter = Meter.objects.filter(serial_number=typed).first()
    if meter is None:
        matches = list(Meter.objects.filter(serial_number__iexact=typed)[:2])
        meter = matches[0] if len(matches) == 1 else None
    if meter is None:
        raise NotFoundError(f"No meter with serial number {typed}.", field="serial")
    return meter


def meters_list(
    *,
    status: str | None = None,
    size: str | None = None,
    serial_prefix: str | None = None,
    limit: int = DEFAULT_LIST_LIMIT,
) -> list[Meter]:
    """Meters in serial order, filtered by status (``in_stock``), size (``5/8``) and serial prefix."""
    if status and status not in MeterStatus.values:
        raise ApplicationError(
            f"{status!r} is not a meter status; use one of {', '.join(MeterStatus.values)}.", field="status"
        )
    if size and size not in MeterSize.values:
        raise ApplicationError(
            f"{size!r} is not a meter size; use one of {', '.join(MeterSize.values)}.", field="size"
        )
    meters = Meter.objects.all()
    if status:
        meters = meters.filter(status=status)
    if size:
        meters = meters.filter(size=size)
    if serial_prefix and serial_prefix.strip():
        meters = meters.filter(serial_number__startswith=serial_prefix.strip())
    return list(meters.order_by("serial_number")[: max(0, limit)])


def inventory_counts() -> dict[tuple[str, str], int]:
    """How many meters there are by (status, size): one GROUP BY."""
    rows = Meter.objects.values_list("status", "size").annotate(count=Count("id")).order_by()
    return {(status, size): count for status, size, count in rows}


def service_point_for_account(account: Account) -> ServicePoint | None:
    """The water service point of the account's premise (the first in route order if there are several)."""
    return (
        ServicePoint.objects.filter(premise_id=account.premise_id, service=Service.WATER)
        .select_related("premise")
        .order_by("read_route", "route_sequence", "id")
        .first()
    )


# -- a meter's history ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InstallationRecord:
    """One installation of the meter, where it was, and who had the account there meanwhile."""

    installation: MeterInstallation
    service_point: ServicePoint
    premise_address: str
    account_number: str  # the account in service at the premise on the install date ("" if none)
    account_numbers: tuple[str, ...]  # every account at the premise while the meter was there, oldest first


@dataclass(frozen=True)
class MeterHistory:
    meter: Meter
    status_changes: tuple[MeterStatusChange, ...]  # oldest first
    installations: tuple[InstallationRecord, ...]  # oldest first
    reads: tuple[Read, ...]  # by read date (each with value, status, source, consumption_hcf)
    tests: tuple[MeterTest, ...]  # oldest first


def _overlaps(account: Account, start: dt.date, end: dt.date | None) -> bool:
    return (end is None or account.opened_on <= end) and (
        account.closed_on is None or account.closed_on >= start
    )


def meter_history(meter: Meter) -> MeterHistory:
    """Everything that happened to a meter: status changes, installations, reads, tests (5 queries)."""
    installations = list(
        MeterInstallation.objects.filter(meter=meter)
        .select_related("service_point__premise")
        .order_by("installed_on", "id")
    )
    premise_ids = {installation.service_point.premise_id for installation in installations}
    accounts = list(Account.objects.filter(premise_id__in=premise_ids).order_by("opened_on", "id"))
    records = []
    for installation in installations:
        point = installation.service_point
        there = [
            account
            for account in accounts
            if account.premise_id == point.premise_id
            and _overlaps(account, installation.installed_on, installation.removed_on)
        ]
        at_install = [
            account
            for account in there
            if _overlaps(account, installation.installed_on, installation.installed_on)
        ]
        records.append(
            InstallationRecord(
                installation=installation,
                service_point=point,
                premise_address=point.premise.full_address,
                account_number=(at_install[-1] if at_install else there[0]).number if there else "",
                account_numbers=tuple(account.number for account in there),
            )
        )
    return MeterHistory(
        meter=meter,
        status_changes=tuple(
            MeterStatusChange.objects.filter(meter=meter).select_related("actor").order_by("changed_on", "id")
        ),
        installations=tuple(records),
        reads=tuple(Read.objects.filter(meter=meter).order_by("read_on", "id")),
        tests=tuple(
            MeterTest.objects.filter(meter=meter).select_related("actor").order_by("tested_on", "id")
        ),
    )
