"""Reads for the read pages: the exceptions queue, a 13-month usage chart, the AMI hourly profile
and probable leaks, recent imports. Set-based: a fixed handful of queries per call, sums in Python
on exact Decimals (never an SQL SUM over decimals, which SQLite stores as REAL).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from civicbill.core import clock
from civicbill.customers.models import Account
from civicbill.meters.consumption import GALLONS_PER_HCF, to_hcf
from civicbill.meters.leaks import HourlyUse, LeakFinding, continuous_flow, probable_leaks
from civicbill.meters.models import (
    IntervalRead,
    Meter,
    Read,
    ReadException,
    ReadImport,
    ReadStatus,
    ServicePoint,
)

OPEN_STATUSES = (ReadException.Status.OPEN, ReadException.Status.REREAD_REQUESTED)
ACCEPTED_STATUSES = (ReadStatus.ACTUAL, ReadStatus.ESTIMATED)


# -- the exceptions queue ------------------------------------------------------------------------


@dataclass(frozen=True)
class ExceptionRow:
    """One held read as the queue page shows it."""

    exception_id: int
    code: str
    message: str
    status: str
    created_at: dt.datetime
    read_id: int
    read_on: dt.date
    value: Decimal
    source: str
    consumption_hcf: Decimal | None
    meter_id: int
    meter_serial: str
    dials: int
    read_unit: str
    service_point_id: int | None
    read_route: str
    route_sequence: int | None
    address: str
    account_number: str  # the account at the premise on the read date ("" when vacant)
    customer_name: str
    previous_read_on: dt.date | None  # the last actual read before this one at the same installation
    previous_value: Decimal | None


def _accounts_on(premise_days: dict[int, set[dt.date]]) -> dict[tuple[int, dt.date], Account]:
    """The account at each premise on each day (the latest opened on or before it, not closed before)."""
    if not premise_days:
        return {}
    latest = max(day for days in premise_days.values() for day in days)
    accounts = list(
        Account.objects.filter(premise_id__in=list(premise_days), opened_on__lte=latest)
        .select_related("customer")
        .order_by("opened_on", "id")
    )
    found: dict[tuple[int, dt.date], Account] = {}
    for account in accounts:
        for day in premise_days[account.premise_id]:
            if account.opened_on <= day and (account.closed_on is None or account.closed_on >= day):
                found[(account.premise_id, day)] = account  # later openings win
    return found


def open_exceptions(
    *, route: str | None = None, code: str | None = None, limit: int = 100
) -> list[ExceptionRow]:
    """Held reads waiting for a decision (open, or with a re-read requested), in route order, with
    the meter, address, account and previous actual read. Four queries whatever the limit."""
    query = ReadException.objects.filter(status__in=OPEN_STATUSES).select_related(
        "read__meter", "read__service_point__premise"
    )
    if route:
        query = query.filter(read__service_point__read_route=route)
    if code:
        query = query.filter(code=code)
    exceptions = list(
        query.order_by(
            "read__service_point__read_route", "read__service_point__route_sequence", "created_at", "id"
        )[:limit]
    )
    installation_days: dict[int, dt.date] = {}
    premise_days: dict[int, set[dt.date]] = defaultdict(set)
    for exception in exceptions:
        read = exception.read
        if read.installation_id is not None:
            installation_days[read.installation_id] = max(
                read.read_on, installation_days.get(read.installation_id, read.read_on)
            )
        if read.service_point is not None:
            premise_days[read.service_point.premise_id].add(read.read_on)
    previous: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    if installation_days:
        since = min(installation_days.values()) - dt.timedelta(days=800)
        for installation_id, read_on, value in (
            Read.objects.filter(
                installation_id__in=list(installation_days), status=ReadStatus.ACTUAL, read_on__gte=since
            )
            .order_by("read_on", "id")
            .values_list("installation_id", "read_on", "value")
        ):
            previous[installation_id].append((read_on, value))
    accounts = _accounts_on(premise_days)
    rows = []
    for exception in exceptions:
        read = exception.read
        point = read.service_point
        before = [item for item in previous.get(read.installation_id or 0, ()) if item[0] < read.read_on]
        account = accounts.get((point.premise_id, read.read_on)) if point else None
        rows.append(
            ExceptionRow(
                exception_id=exception.pk,
                code=exception.code,
                message=exception.message,
                status=exception.status,
                created_at=exception.created_at,
                read_id=read.pk,
                read_on=read.read_on,
                value=read.value,
                source=read.source,
                consumption_hcf=read.consumption_hcf,
                meter_id=read.meter_id,
                meter_serial=read.meter.serial_number,
                dials=read.meter.dials,
                read_unit=read.meter.read_unit,
                service_point_id=point.pk if point else None,
                read_route=point.read_route if point else "",
                route_sequence=point.route_sequence if point else None,
                address=point.premise.address_line if point else "",
                account_number=account.number if account else "",
                customer_name=account.customer.display_name if account else "",
                previous_read_on=before[-1][0] if before else None,
                previous_value=before[-1][1] if before else None,
            )
        )
    return rows


def open_exception_counts(*, route: str | None = None) -> dict[str, int]:
    """How many held reads wait, by rule code (for the queue's filter)."""
    query = ReadException.objects.filter(status__in=OPEN_STATUSES)
    if route:
        query = query.filter(read__service_point__read_route=route)
    return dict(query.values_list("code").annotate(count=Count("id")).order_by("code"))


# -- usage history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthUsage:
    month: dt.date  # the first day of the month
    consumption_hcf: Decimal  # the consumption of the reads dated in the month
    reads: int
    estimated: bool  # an estimated read billed part of it


def _month_starts(as_of: dt.date, months: int) -> list[dt.date]:
    starts = []
    year, month = as_of.year, as_of.month
    for _ in range(months):
        starts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def read_history(
    *,
    service_point: ServicePoint | None = None,
    meter: Meter | None = None,
    as_of: dt.date,
    months: int = 13,
) -> list[MonthUsage]:
    """Consumption by month for the chart on the account page: the ``months`` months up to the one of
    ``as_of`` (oldest first, months without reads included as zero). Each accepted read's consumption
    counts in the month of its read date. One query."""
    if (service_point is None) == (meter is None):
        raise ValueError("give a service point or a meter")
    starts = _month_starts(as_of, months)
    condition = Q(service_point=service_point) if service_point is not None else Q(meter=meter)
    totals: dict[dt.date, Decimal] = defaultdict(Decimal)
    counts: Counter[dt.date] = Counter()
    estimated: set[dt.date] = set()
    for read_on, consumption, status in Read.objects.filter(
        condition, status__in=ACCEPTED_STATUSES, read_on__gte=starts[0], read_on__lte=as_of
    ).values_list("read_on", "consumption_hcf", "status"):
        month = read_on.replace(day=1)
        totals[month] += consumption or Decimal(0)
        counts[month] += 1
        if status == ReadStatus.ESTIMATED:
            estimated.add(month)
    return [MonthUsage(month, totals[month], counts[month], month in estimated) for month in starts]


# -- AMI: hourly profile and leaks ---------------------------------------------------------------


@dataclass(frozen=True)
class HourlyPoint:
    interval_start: dt.datetime  # aware, in the utility's zone
    consumption_hcf: Decimal
    gallons: Decimal


def _hours(meter: Meter, since: dt.datetime, until: dt.datetime) -> list[HourlyUse]:
    multiplier = Decimal(meter.multiplier)
    return [
        HourlyUse(start, to_hcf(consumption * multiplier, meter.read_unit))
        for start, consumption in IntervalRead.objects.filter(
            meter=meter, interval_start__gte=since, interval_start__lt=until
        )
        .order_by("interval_start")
        .values_list("interval_start", "consumption")
    ]


def hourly_profile(*, meter: Meter, until: dt.datetime, days: int = 7) -> list[HourlyPoint]:
    """The meter's hourly use over the ``days`` days before ``until`` (the account page chart)."""
    zone = clock.utility_zone()
    return [
        HourlyPoint(
            hour.interval_start.astimezone(zone),
            hour.consumption,
            (hour.consumption * GALLONS_PER_HCF).quantize(Decimal("0.1")),
        )
        for hour in _hours(meter, until - dt.timedelta(days=days), until)
    ]


def meter_probable_leak(*, meter: Meter, until: dt.datetime, days: int = 7) -> LeakFinding | None:
    """A probable continuous leak in the meter's last ``days`` days of hourly data, if any."""
    return continuous_flow(meter.serial_number, _hours(meter, until - dt.timedelta(days=days), until))


def meters_with_probable_leaks(*, until: dt.datetime, days: int = 2) -> list[LeakFinding]:
    """Every AMI meter whose hourly data in the ``days`` days before ``until`` shows continuous flow.
    Two queries (the intervals of the window, then their meters)."""
    since = until - dt.timedelta(days=days)
    rows = list(
        IntervalRead.objects.filter(interval_start__gte=since, interval_start__lt=until).values_list(
            "meter_id", "interval_start", "consumption"
        )
    )
    meters = {
        meter.pk: meter
        for meter in Meter.objects.filter(pk__in={row[0] for row in rows}).only(
            "serial_number", "read_unit", "multiplier"
        )
    }
    hours: dict[str, list[HourlyUse]] = defaultdict(list)
    for meter_id, start, consumption in rows:
        meter = meters[meter_id]
        hours[meter.serial_number].append(
            HourlyUse(start, to_hcf(consumption * Decimal(meter.multiplier), meter.read_unit))
        )
    return probable_leaks(hours)


# -- imports -------------------------------------------------------------------------------------


def recent_imports(*, limit: int = 20) -> list[ReadImport]:
    """The latest read files imported, newest first, with who imported them."""
    return list(ReadImport.objects.select_related("imported_by").order_by("-imported_at", "-id")[:limit])
