"""How validated reads reach the tables, set-based (only the read services call this).

Accepted reads and AMI intervals are written with ``COPY`` on PostgreSQL and one ``executemany`` per
chunk on SQLite, as the ledger does (civicbill/ledger/journal_insert.py): the ORM's per-object cost
was most of the time of a large import. Exception reads need their ids (each gets a
``ReadException``), so they go through ``bulk_create``, which returns ids on both databases; they are
few. Values are prepared by the model fields, so the database receives what the ORM would send.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, cast

from django.db import connection, models

from civicbill.meters.formats import IntervalRow
from civicbill.meters.models import IntervalRead, Read, ReadException, ReadStatus
from civicbill.meters.validation import ReadResult

READ_COLUMNS = (
    "meter_id", "installation_id", "service_point_id", "read_on", "value", "source", "status",
    "consumption_hcf", "rolled_over", "supersedes_id", "read_import_id", "note", "created_by_id",
    "created_at",
)  # fmt: skip
INTERVAL_COLUMNS = ("meter_id", "interval_start", "consumption", "read_import_id")
CHUNK_ROWS = 50_000


def _prep(model: type[models.Model], name: str) -> Callable[[Any], Any]:
    field = cast(models.Field, model._meta.get_field(name))
    return lambda value: field.get_db_prep_save(value, connection)


def write_rows(table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert ``rows`` (values already prepared) into ``table``; returns how many."""
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 - our own names
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= CHUNK_ROWS:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def insert_accepted_reads(
    results: Iterable[ReadResult],
    *,
    read_import_id: int | None,
    created_by_id: int,
    created_at: dt.datetime,
    notes: dict[int, str] | None = None,
) -> int:
    """Write accepted results as ACTUAL (or ESTIMATED, for estimated candidates) reads.

    Decimals go to the driver as they are (Django's ``adapt_decimalfield_value`` passes them through on
    both databases); dates are prepared by the field once per distinct date."""
    date_value = _prep(Read, "read_on")
    dates: dict[dt.date, Any] = {}
    at = _prep(Read, "created_at")(created_at)
    notes = notes or {}
    actual, estimated = ReadStatus.ACTUAL.value, ReadStatus.ESTIMATED.value

    def rows() -> Iterable[tuple[Any, ...]]:
        for index, result in enumerate(results):
            candidate = result.candidate
            read_on = candidate.read_on
            day = dates.get(read_on)
            if day is None:
                day = dates[read_on] = date_value(read_on)
            source = candidate.source
            yield (
                result.meter_id, result.installation_id, result.service_point_id, day, result.value, source,
                estimated if source == "estimated" else actual, result.consumption_hcf, result.rolled_over, None,
                read_import_id, notes.get(index, ""), created_by_id, at,
            )  # fmt: skip

    return write_rows(Read._meta.db_table, READ_COLUMNS, rows())


def insert_exception_reads(
    results: Sequence[ReadResult],
    *,
    read_import_id: int | None,
    created_by_id: int,
    created_at: dt.datetime,
    notes: Sequence[str] | None = None,
) -> list[Read]:
    """Write exception results as EXCEPTION reads, each with its OPEN ReadException."""
    reads = Read.objects.bulk_create(
        [
            Read(
                meter_id=cast(int, result.meter_id),
                installation_id=result.installation_id,
                service_point_id=result.service_point_id,
                read_on=result.candidate.read_on,
                value=cast(Decimal, result.value),
                source=result.candidate.source,
                status=ReadStatus.EXCEPTION,
                consumption_hcf=result.consumption_hcf,
                rolled_over=result.rolled_over,
                read_import_id=read_import_id,
                note=(notes[index] if notes else "")[:200],
                created_by_id=created_by_id,
                created_at=created_at,
            )
            for index, result in enumerate(results)
        ],
        batch_size=2_000,
    )
    ReadException.objects.bulk_create(
        [
            ReadException(read=read, code=result.code, message=result.message[:300], created_at=created_at)
            for read, result in zip(reads, results, strict=True)
        ],
        batch_size=2_000,
    )
    return reads


def insert_intervals(
    intervals: Iterable[IntervalRow], *, meter_ids: dict[str, int], read_import_id: int | None
) -> int:
    """Write AMI intervals (``meter_ids``: the file's meter key → meter id)."""
    instant = _prep(IntervalRead, "interval_start")
    rows = (
        (meter_ids[row.meter_key], instant(row.interval_start), row.consumption or Decimal(0), read_import_id)
        for row in intervals
    )
    return write_rows(IntervalRead._meta.db_table, INTERVAL_COLUMNS, rows)
