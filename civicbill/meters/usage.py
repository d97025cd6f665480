"""Usage selectors: the route sheet (route entry page) and consumption per period (the billing run).

Both are set-based: a fixed handful of queries whatever the number of service points (IN lists are
cut into batches small enough for SQLite's 999 parameters), then pure computation in Python on exact
``Decimal``s (never an SQL SUM over decimals, which SQLite stores as REAL).

Accepted reads are those with status *actual* or *estimated*; reads that are *exception* (waiting for
review), *rejected* or *superseded* never count. Each read's ``consumption_hcf`` is the usage since the
previous accepted read of the same installation (0 for an install read), so a service point's usage
over a period is the sum over its accepted reads in the period, across meter exchanges.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from civicbill.core.chunks import in_list_slices
from civicbill.customers.models import Account
from civicbill.meters.estimation import UsagePeriod, expected_daily_use
from civicbill.meters.models import MeterInstallation, Read, ReadSource, ReadStatus

ACCEPTED_READ_STATUSES = (ReadStatus.ACTUAL, ReadStatus.ESTIMATED)
REGISTER_UNITS_PER_HCF: dict[str, Decimal] = {
    "CF": Decimal(100),
    "HCF": Decimal(1),
    "GAL": Decimal(748),
    "KGAL": Decimal("0.748"),
}
HISTORY_DAYS = 800  # enough for "the same period last year" and the last 12 months
EXPECTED_LOW_FRACTION = Decimal("0.5")  # read validation's default low/high thresholds (50 % / 150 %)
EXPECTED_HIGH_FRACTION = Decimal("1.5")
AVERAGE_PLACES = Decimal("0.0001")


# -- route sheet ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteStop:
    """One meter to read on a route, with what the reader needs to catch a wrong number."""

    service_point_id: int
    route_sequence: int
    premise_address: str
    location_note: str
    account_number: str  # the account in service at the premise on as_of ("" if vacant)
    meter_id: int
    meter_serial: str
    dials: int
    read_unit: str
    multiplier: Decimal
    previous_read_value: Decimal | None  # the last actual read of this meter here (the install read at first)
    previous_read_on: dt.date | None
    average_daily_use_hcf: Decimal | None  # the usual daily use (estimation.expected_daily_use)
    average_basis: str  # "same period last year", "last 12 months", or "" without enough history
    expected_low: Decimal | None  # register values; when expected_high < expected_low the range wraps past 0
    expected_high: Decimal | None


def expected_read_range(
    *,
    previous_value: Decimal,
    days: int,
    average_daily_use_hcf: Decimal,
    dials: int,
    read_unit: str,
    multiplier: Decimal,
    low_fraction: Decimal = EXPECTED_LOW_FRACTION,
    high_fraction: Decimal = EXPECTED_HIGH_FRACTION,
) -> tuple[Decimal, Decimal]:
    """The register values a read ``days`` after ``previous_value`` should fall between: the previous
    value plus 50 % to 150 % of the usual use over those days (whole register units rounded inwards,
    low up and high down, so that a read in the range passes validation), wrapped past the register's
    capacity the way the dials turn. Pure."""
    expected_units = average_daily_use_hcf * days * REGISTER_UNITS_PER_HCF[read_unit] / multiplier
    capacity = Decimal(10) ** dials
    # inward rounding: every whole read shown inside the range passes read validation's thresholds
    low = (previous_value + math.ceil(expected_units * low_fraction)) % capacity
    high = (previous_value + math.floor(expected_units * high_fraction)) % capacity
    return low, high


def _threshold_fractions() -> tuple[Decimal, Decimal]:
    """Read validation's low and high thresholds (``CIVICBILL_READ_LOW_PERCENT`` / ``_HIGH_PERCENT``)."""
    low = getattr(settings, "CIVICBILL_READ_LOW_PERCENT", None)
    high = getattr(settings, "CIVICBILL_READ_HIGH_PERCENT", None)
    return (
        EXPECTED_LOW_FRACTION if low is None else Decimal(low) / 100,
        EXPECTED_HIGH_FRACTION if high is None else Decimal(high) / 100,
    )


def usage_periods(reads: Sequence[tuple[dt.date, Decimal | None]]) -> list[UsagePeriod]:
    """A service point's accepted reads (date, consumption_hcf), oldest first, as usage periods."""
    return [
        UsagePeriod(start=before[0], end=after[0], hcf=after[1] or Decimal(0))
        for before, after in pairwise(reads)
    ]


def route_sheet(read_route: str, as_of: dt.date) -> list[RouteStop]:
    """The meters of a read route in sequence on ``as_of`` (the read date), each with its previous actual
    read and the range the new read should fall in: the previous read plus 50 % to 150 % (read
    validation's thresholds, ``CIVICBILL_READ_LOW_PERCENT`` / ``CIVICBILL_READ_HIGH_PERCENT``) of the usual
    use (:func:`civicbill.meters.estimation.expected_daily_use`: the same period last year when the
    history reaches back that far, else the last 12 months) over the days since it. Service points with
    no meter installed are left out (there is nothing to read). Four queries (per ~1,000 stops)
    whatever the route's length."""
    installations = list(
        MeterInstallation.objects.filter(service_point__read_route=read_route, installed_on__lte=as_of)
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gt=as_of))
        .select_related("meter", "service_point__premise")
        .order_by("service_point__route_sequence", "service_point_id")
    )
    point_ids = [installation.service_point_id for installation in installations]
    installation_ids = {installation.pk for installation in installations}
    since = as_of - dt.timedelta(days=HISTORY_DAYS)
    history: dict[int, list[tuple[dt.date, Decimal | None]]] = defaultdict(list)
    previous: dict[int, tuple[Decimal, dt.date]] = {}
    for batch in in_list_slices(point_ids):
        rows = (
            Read.objects.filter(
                service_point_id__in=batch,
                read_on__gt=since,
                read_on__lte=as_of,
                status__in=ACCEPTED_READ_STATUSES,
            )
            .order_by("read_on", "id")
            .values_list(
                "service_point_id", "installation_id", "read_on", "value", "status", "consumption_hcf"
            )
        )
        for point_id, installation_id, read_on, value, status, consumption in rows:
            history[point_id].append((read_on, consumption))
            if installation_id in installation_ids and status == ReadStatus.ACTUAL:
                previous[installation_id] = (value, read_on)
    # an installation with no actual read in the last 12 months: its last actual read, however old
    stale = sorted(installation_ids - set(previous))
    for batch in in_list_slices(stale):
        last_reads = (
            Read.objects.filter(installation_id__in=batch, read_on__lte=as_of, status=ReadStatus.ACTUAL)
            .order_by("read_on", "id")
            .values_list("installation_id", "value", "read_on")
        )
        for installation_id, value, read_on in last_reads:
            previous[installation_id] = (value, read_on)
    premise_ids = {installation.service_point.premise_id for installation in installations}
    account_at: dict[int, str] = {}
    for batch in in_list_slices(sorted(premise_ids)):
        accounts = (
            Account.objects.filter(premise_id__in=batch, opened_on__lte=as_of)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=as_of))
            .order_by("opened_on", "id")
            .values_list("premise_id", "number")
        )
        account_at.update(dict(accounts))
    low_fraction, high_fraction = _threshold_fractions()
    stops = []
    for installation in installations:
        meter, point = installation.meter, installation.service_point
        last = previous.get(installation.pk)
        daily = None
        if last is not None:
            daily = expected_daily_use(usage_periods(history.get(point.pk, [])), last[1], as_of)
        low = high = None
        if last is not None and daily is not None:
            low, high = expected_read_range(
                previous_value=last[0],
                days=(as_of - last[1]).days,
                average_daily_use_hcf=daily.hcf_per_day,
                dials=meter.dials,
                read_unit=meter.read_unit,
                multiplier=Decimal(meter.multiplier),
                low_fraction=low_fraction,
                high_fraction=high_fraction,
            )
        stops.append(
            RouteStop(
                service_point_id=point.pk,
                route_sequence=point.route_sequence,
                premise_address=point.premise.address_line,
                location_note=point.location_note,
                account_number=account_at.get(point.premise_id, ""),
                meter_id=meter.pk,
                meter_serial=meter.serial_number,
                dials=meter.dials,
                read_unit=meter.read_unit,
                multiplier=Decimal(meter.multiplier),
                previous_read_value=None if last is None else last[0],
                previous_read_on=None if last is None else last[1],
                average_daily_use_hcf=None if daily is None else daily.hcf_per_day.quantize(AVERAGE_PLACES),
                average_basis="" if daily is None else daily.basis_label,
                expected_low=low,
                expected_high=high,
            )
        )
    return stops


# -- consumption per period (the billing run) ----------------------------------------------------


@dataclass(frozen=True)
class PeriodConsumption:
    """A service point's usage in a billing period, in HCF."""

    service_point_id: int
    consumption_hcf: Decimal  # the sum over accepted reads in (period_start, period_end]
    estimated: bool  # any of those reads is an estimate
    missing: bool  # no read measured usage in the period (an install read alone measures nothing)
    read_dates: tuple[dt.date, ...]  # every accepted read in the period, oldest first
    meter_size: str | None  # the meter in place at period end (else the last one in the period)
    meter_serials: tuple[str, ...]  # the meters at the service point during the period, oldest first
    # (service_point_id, read_on, status, source, consumption_hcf) of each accepted read, oldest first
    read_rows: tuple[tuple[Any, ...], ...] = field(default=(), repr=False, compare=False)

    @property
    def exchanged(self) -> bool:
        """More than one meter measured the period (an exchange or replacement)."""
        return len(self.meter_serials) > 1

    def occupancy_bounds(
        self, start_date: dt.date, end_date: dt.date | None
    ) -> tuple[dt.date | None, dt.date | None]:
        """The reads of this period that bound an occupant's use, for service from ``start_date`` to
        ``end_date`` (the last day of service; None while it continues): ``(after, through)``, the
        occupant's use being measured by the reads dated after ``after`` up to ``through``.

        The occupant's use starts at the read at (or just before) ``start_date``, the move-in read, and
        ends at the read at (or just before) the day after ``end_date`` (the move-out read, or the next
        occupant's move-in read), so that two occupants in a row share that read as their boundary: no
        unit is billed to both and none is lost. ``after`` is None when no read of the period is on or
        before ``start_date`` (the use runs from the period's start); ``through`` is None when service
        continues past the period's reads (to the period's end), and equals the day before the first
        read when none of the period's reads is on or before the day after ``end_date`` (nothing of the
        period is the occupant's)."""
        rows = self.read_rows
        after: dt.date | None = None
        for row in rows:
            if row[1] > start_date:
                break
            after = row[1]
        if end_date is None or not rows:
            return after, None
        end_boundary = end_date + dt.timedelta(days=1) if end_date < dt.date.max else end_date
        if rows[-1][1] <= end_boundary:
            return after, None  # service lasted past the period's last read: nothing to cut at the end
        through = rows[0][1] - dt.timedelta(days=1)  # no read of the period is the occupant's ...
        for row in rows:
            if row[1] > end_boundary:
                break
            through = row[1]  # ... unless one is on or before the day after the last day of service
        return after, through

    def between(self, after: dt.date | None, through: dt.date | None) -> PeriodConsumption:
        """The use measured by this period's reads dated after ``after`` up to ``through`` (None: no
        bound on that side), with the same meters. Pure."""
        kept = tuple(
            row
            for row in self.read_rows
            if (after is None or row[1] > after) and (through is None or row[1] <= through)
        )
        if len(kept) == len(self.read_rows):
            return self
        return _period_consumption(self.service_point_id, kept, self.meter_size, self.meter_serials)

    def for_occupancy(self, start_date: dt.date, end_date: dt.date | None) -> PeriodConsumption:
        """The part of this period's use that belongs to an occupant with service from ``start_date`` to
        ``end_date`` (:meth:`occupancy_bounds`)."""
        return self.between(*self.occupancy_bounds(start_date, end_date))


def _period_consumption(
    point_id: int, point_reads: Sequence[tuple[Any, ...]], meter_size: str | None, serials: tuple[str, ...]
) -> PeriodConsumption:
    install, estimate, zero = ReadSource.INSTALL, ReadStatus.ESTIMATED, Decimal("0.000")
    measuring = [row for row in point_reads if row[3] != install]
    return PeriodConsumption(
        service_point_id=point_id,
        consumption_hcf=sum((row[4] or Decimal(0) for row in measuring), zero),
        estimated=any(row[2] == estimate for row in point_reads),
        missing=not measuring,
        read_dates=tuple(row[1] for row in point_reads),
        meter_size=meter_size,
        meter_serials=serials,
        read_rows=tuple(point_reads),
    )


def consumption_for_period(
    *,
    service_point_ids: Iterable[int] | QuerySet[Any, int] | None,
    period_start: dt.date,
    period_end: dt.date,
) -> dict[int, PeriodConsumption]:
    """Usage per service point for reads dated after ``period_start`` up to and including ``period_end``.

    ``service_point_ids=None`` means every service point that had a meter or an accepted read in the
    period. Every requested service point is in the answer (``missing`` when nothing was read).
    Two queries in all when ``None``; three when the ids are a query (``values_list("id",
    flat=True)``), which the database runs as a subquery, however many points it names (the billing
    run's way); else two per batch of ids (~950 on SQLite, ~9,950 on PostgreSQL): never one per
    service point."""
    if period_end < period_start:
        raise ValueError(f"period_end {period_end} is before period_start {period_start}")
    reads = Read.objects.filter(
        read_on__gt=period_start, read_on__lte=period_end, status__in=ACCEPTED_READ_STATUSES
    ).order_by("service_point_id", "read_on", "id")
    installations = MeterInstallation.objects.filter(installed_on__lte=period_end).filter(
        Q(removed_on__isnull=True) | Q(removed_on__gt=period_start)
    )
    read_fields = ("service_point_id", "read_on", "status", "source", "consumption_hcf")
    installation_fields = (
        "service_point_id",
        "installed_on",
        "removed_on",
        "meter__serial_number",
        "meter__size",
    )
    read_rows: list[tuple[Any, ...]] = []
    installation_rows: list[tuple[Any, ...]] = []
    if service_point_ids is None:
        read_rows = list(reads.exclude(service_point_id=None).values_list(*read_fields))
        installation_rows = list(installations.values_list(*installation_fields))
        wanted = sorted({row[0] for row in read_rows} | {row[0] for row in installation_rows})
    elif isinstance(service_point_ids, QuerySet):
        wanted = sorted(set(service_point_ids))
        read_rows = list(reads.filter(service_point_id__in=service_point_ids).values_list(*read_fields))
        installation_rows = list(
            installations.filter(service_point_id__in=service_point_ids).values_list(*installation_fields)
        )
    else:
        wanted = sorted(set(service_point_ids))
        for batch in in_list_slices(wanted):
            read_rows.extend(reads.filter(service_point_id__in=batch).values_list(*read_fields))
            installation_rows.extend(
                installations.filter(service_point_id__in=batch).values_list(*installation_fields)
            )
    reads_by_point: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in read_rows:
        reads_by_point[row[0]].append(row)
    meters_by_point: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in sorted(installation_rows, key=lambda row: (row[0], row[1])):
        meters_by_point[row[0]].append(row)
    result = {}
    for point_id in wanted:
        meters = meters_by_point.get(point_id, [])
        at_end = [row for row in meters if row[2] is None or row[2] > period_end]
        in_place = at_end[-1] if at_end else (meters[-1] if meters else None)
        result[point_id] = _period_consumption(
            point_id,
            reads_by_point.get(point_id, ()),
            None if in_place is None else in_place[4],
            tuple(row[3] for row in meters),
        )
    return result
