"""What read validation needs, loaded set-based: a fixed handful of queries per few thousand meters,
whatever the batch (IN lists are cut into slices small enough for any database).

Loaded for the meters of a batch: the meters (by serial, endpoint id or id), every installation of
those meters and every installation at their service points (for the history across meter
exchanges), the service points' reads from :data:`HISTORY_DAYS` before the earliest read of the batch
(actual, estimated, and exceptions awaiting review), the whole read history of an installation whose
last actual read is older than that, and the service agreements at the service points' premises.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from civicbill.core.chunks import in_list_slices
from civicbill.customers.models import ServiceAgreement
from civicbill.meters import locks
from civicbill.meters.consumption import Register
from civicbill.meters.models import Meter, MeterInstallation, Read, ReadStatus, ServicePoint
from civicbill.meters.validation import (
    InstallationInfo,
    MeterInfo,
    PriorRead,
    ServiceSpan,
    Thresholds,
    ValidationContext,
    usage_history,
)

HISTORY_DAYS = 450  # the last 12 months and the same period last year, with room for a long period
LOADED_STATUSES = (ReadStatus.ACTUAL, ReadStatus.ESTIMATED, ReadStatus.EXCEPTION)


def one_of(field: str, values: Collection[Any]) -> Iterator[Q]:
    """Conditions that together select the rows whose ``field`` is one of ``values``: on PostgreSQL one
    condition with a single array parameter (``IN (SELECT unnest(%s))``, so no statement with tens of
    thousands of placeholders is built and parsed), elsewhere IN lists small enough for SQLite."""
    ordered = sorted(set(values))
    if not ordered:
        return
    if connection.vendor == "postgresql":
        array_type = "bigint[]" if isinstance(ordered[0], int) else "text[]"
        # the SQL text is ours (one of two array types); the values go as one bound parameter
        raw = RawSQL(f"SELECT unnest(%s::{array_type})", (ordered,))  # noqa: S611
        yield Q(**{f"{field}__in": raw})
        return
    for chunk in in_list_slices(ordered):
        yield Q(**{f"{field}__in": chunk})


def thresholds_from_settings() -> Thresholds:
    return Thresholds(
        high_percent=settings.CIVICBILL_READ_HIGH_PERCENT,
        low_percent=settings.CIVICBILL_READ_LOW_PERCENT,
        max_consecutive_estimates=settings.CIVICBILL_READ_MAX_CONSECUTIVE_ESTIMATES,
    )


@dataclass(frozen=True)
class LoadedContext:
    context: ValidationContext
    serial_by_endpoint: dict[str, str]
    meters_by_id: dict[int, MeterInfo]


def _meter_rows(
    serials: Collection[str], endpoint_ids: Collection[str], meter_ids: Collection[int]
) -> list[tuple]:
    columns = ("id", "serial_number", "dials", "read_unit", "multiplier", "endpoint_id")
    rows: list[tuple] = []
    for field, values in (("serial_number", serials), ("endpoint_id", endpoint_ids), ("id", meter_ids)):
        for condition in one_of(field, values):
            rows.extend(Meter.objects.filter(condition).values_list(*columns))
    return rows


def _installations(meter_ids: list[int]) -> list[InstallationInfo]:
    columns = ("id", "meter_id", "service_point_id", "installed_on", "install_read", "removed_on")
    found: dict[int, InstallationInfo] = {}
    point_ids: set[int] = set()
    for condition in one_of("meter_id", meter_ids):
        for row in MeterInstallation.objects.filter(condition).values_list(*columns):
            found[row[0]] = InstallationInfo(*row)
            point_ids.add(row[2])
    for condition in one_of("service_point_id", point_ids):  # earlier meters' installations too
        for row in MeterInstallation.objects.filter(condition).values_list(*columns):
            found.setdefault(row[0], InstallationInfo(*row))
    return sorted(found.values(), key=lambda i: (i.installed_on, i.installation_id))


def _read_rows(
    field: str,
    keys: list[int],
    *,
    since: dt.date | None,
    before: dt.date | None,
    exclude_read_ids: Collection[int],
) -> Iterator[tuple[Any, ...]]:
    """``(id, installation_id, read_on, value, status, consumption_hcf)`` of the loaded reads, by raw
    SQL: the history query returns a year of a city's reads, and Django's per-value converters were
    most of its time on SQLite (which stores decimals as REAL: they are read back as text here, the
    digits Django's converter would round them to)."""
    table = connection.ops.quote_name(Read._meta.db_table)
    postgres = connection.vendor == "postgresql"
    value, consumption = ("value", "consumption_hcf")
    if not postgres:
        value, consumption = "CAST(value AS TEXT)", "CAST(consumption_hcf AS TEXT)"
    where = ["status IN (%s, %s, %s)", "installation_id IS NOT NULL"]
    params: list[Any] = [status.value for status in LOADED_STATUSES]
    if since is not None:
        where.append("read_on >= %s")
        params.append(since)
    if before is not None:
        where.append("read_on < %s")
        params.append(before)
    if exclude_read_ids:
        where.append("NOT (id IN (" + ", ".join(["%s"] * len(exclude_read_ids)) + "))")
        params.extend(exclude_read_ids)
    slices: list[Sequence[int]] = [keys] if postgres else list(in_list_slices(keys))
    with connection.cursor() as cursor:
        for chunk in slices:
            if not chunk:
                continue
            keyed = f"{field} = ANY(%s)" if postgres else f"{field} IN ({', '.join(['%s'] * len(chunk))})"
            sql = (
                f"SELECT id, installation_id, read_on, {value}, status, {consumption} FROM {table} "  # noqa: S608
                f"WHERE {keyed} AND {' AND '.join(where)}"
            )
            cursor.execute(sql, [list(chunk), *params] if postgres else [*chunk, *params])
            if postgres:
                yield from cursor.fetchall()
            else:
                for read_id, installation_id, read_on, text, status, used in cursor.fetchall():
                    day = read_on if isinstance(read_on, dt.date) else dt.date.fromisoformat(read_on)
                    yield (
                        read_id,
                        installation_id,
                        day,
                        Decimal(text),
                        status,
                        None if used is None else Decimal(used),
                    )


def _reads(
    point_ids: list[int],
    installation_ids: list[int] | None,
    *,
    since: dt.date | None,
    before: dt.date | None,
    exclude_read_ids: Collection[int],
) -> dict[int, list[PriorRead]]:
    """The reads by installation, oldest first. Sorted here, not by the database: ordering a year of a
    city's reads cost the server more than the query itself, and most come back in order anyway."""
    field, keys = (
        ("service_point_id", point_ids) if installation_ids is None else ("installation_id", installation_ids)
    )
    rows: dict[int, list[tuple[dt.date, int, PriorRead]]] = defaultdict(list)
    for read_id, installation_id, read_on, value, status, consumption in _read_rows(
        field, sorted(set(keys)), since=since, before=before, exclude_read_ids=exclude_read_ids
    ):
        rows[installation_id].append(
            (read_on, read_id, PriorRead(installation_id, read_on, value, status, consumption))
        )
    by_installation: dict[int, list[PriorRead]] = {}
    for installation_id, found in rows.items():
        if any(earlier[:2] > later[:2] for earlier, later in pairwise(found)):
            found.sort(key=lambda row: row[:2])
        by_installation[installation_id] = [row[2] for row in found]
    return by_installation


def _service_spans(point_ids: list[int]) -> dict[int, list[ServiceSpan]]:
    """When an account had the service point's service at its premise (service agreements' dates).

    Reads the customers app's agreements directly (a read-only join on the premise); a bulk selector
    in customers.selectors would be the tidier home for it.
    """
    points: dict[tuple[int, str], list[int]] = defaultdict(list)
    for condition in one_of("pk", point_ids):
        for point_id, premise_id, service in ServicePoint.objects.filter(condition).values_list(
            "id", "premise_id", "service"
        ):
            points[(premise_id, service)].append(point_id)
    spans: dict[int, list[ServiceSpan]] = defaultdict(list)
    for condition in one_of("account__premise_id", {premise_id for premise_id, _ in points}):
        for premise_id, service, start, end in ServiceAgreement.objects.filter(condition).values_list(
            "account__premise_id", "service", "start_date", "end_date"
        ):
            for point_id in points.get((premise_id, service), ()):
                spans[point_id].append(ServiceSpan(start, end))
    return spans


def load_context(
    *,
    as_of: dt.date,
    earliest_read_on: dt.date,
    serials: Collection[str] = (),
    endpoint_ids: Collection[str] = (),
    meter_ids: Collection[int] = (),
    exclude_read_ids: Collection[int] = (),
    lock: bool = False,
    thresholds: Thresholds | None = None,
) -> LoadedContext:
    """The validation context for these meters. With ``lock``, the meters' rows are locked (in id
    order) before their reads are loaded, so no other writer adds a read to them until commit.
    ``exclude_read_ids``: reads to leave out (the one being re-validated by a review decision)."""
    meters: dict[str, MeterInfo] = {}
    by_id: dict[int, MeterInfo] = {}
    by_endpoint: dict[str, str] = {}
    for meter_id, serial, dials, unit, multiplier, endpoint in _meter_rows(serials, endpoint_ids, meter_ids):
        info = MeterInfo(meter_id, serial, Register(dials, unit, Decimal(multiplier).normalize()))
        meters[serial] = by_id[meter_id] = info
        if endpoint:
            by_endpoint[endpoint] = serial
    ids = sorted(by_id)
    if lock:
        locks.lock_meter_ids(ids)
    installations = _installations(ids)
    point_ids = sorted({i.service_point_id for i in installations})
    since = earliest_read_on - dt.timedelta(days=HISTORY_DAYS)
    reads = _reads(point_ids, None, since=since, before=None, exclude_read_ids=exclude_read_ids)
    # an installation of these meters with no actual read since then: load its whole history
    stale = [
        i.installation_id
        for i in installations
        if i.meter_id in by_id
        and i.installed_on < since
        and (i.removed_on is None or i.removed_on >= since)
        and not any(read.status == ReadStatus.ACTUAL for read in reads.get(i.installation_id, ()))
    ]
    if stale:
        older = _reads([], stale, since=None, before=since, exclude_read_ids=exclude_read_ids)
        for installation_id, earlier in older.items():
            reads[installation_id] = earlier + reads.get(installation_id, [])
    by_meter: dict[int, list[InstallationInfo]] = defaultdict(list)
    by_point: dict[int, list[InstallationInfo]] = defaultdict(list)
    for installation in installations:
        by_point[installation.service_point_id].append(installation)
        if installation.meter_id in by_id:
            by_meter[installation.meter_id].append(installation)
    complete = set(stale)
    history = {
        point_id: usage_history(at_point, reads, complete=complete, loaded_from=since)
        for point_id, at_point in by_point.items()
    }
    context = ValidationContext(
        as_of=as_of,
        meters=meters,
        installations=dict(by_meter),
        reads=dict(reads),
        history=history,
        service=dict(_service_spans(point_ids)),
        thresholds=thresholds or thresholds_from_settings(),
    )
    return LoadedContext(context=context, serial_by_endpoint=by_endpoint, meters_by_id=by_id)


def meters_installed_at(point_ids: Collection[int], day: dt.date) -> dict[int, int]:
    """service point id → id of the meter installed there on ``day``."""
    found: dict[int, int] = {}
    for condition in one_of("service_point_id", point_ids):
        for point_id, meter_id in (
            MeterInstallation.objects.filter(condition, installed_on__lte=day)
            .filter(Q(removed_on__isnull=True) | Q(removed_on__gte=day))
            .values_list("service_point_id", "meter_id")
        ):
            found[point_id] = meter_id
    return found
