"""How validated reads reach the tables, set-based (only the read services call this).

Accepted reads and AMI intervals are written with ``COPY`` on PostgreSQL and one ``executemany`` per
chunk on SQLite, as the ledger does (civicbill/ledger/journal_insert.py): the ORM's per-object cost
was most of the time of a large import. Exception reads need their ids (each gets a
``ReadException``), so they go through ``bulk_create``, which returns ids on both databases; they are
few. Values are prepared by the model fields, so the database receives what the ORM would send.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
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
NULL = "\\N"  # COPY's text format


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


def _copy_text(value: str) -> str:
    """A text value for COPY's text format (backslash, tab and line ends escaped)."""
    if not value:
        return ""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_lines(table: str, columns: Sequence[str], lines: Iterable[str], *, chunk: int = 20_000) -> int:
    """PostgreSQL only: ``COPY`` rows already in COPY's text format (one line each, with its newline),
    sent in chunks. Formatting a line in Python is several times cheaper than psycopg adapting each
    value of each row (``write_row``)."""
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    count = 0
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= chunk:
                copy.write("".join(batch))
                count += len(batch)
                batch = []
        if batch:
            copy.write("".join(batch))
            count += len(batch)
    return count


@contextmanager
def foreign_keys_checked_at_once(model: type[models.Model]) -> Iterator[None]:
    """PostgreSQL: check the table's (deferred) foreign keys row by row as rows arrive instead of all
    at commit, so the server checks them while Python is still validating and sending later rows
    (two cores at work instead of one after the other). Switched back when the block succeeds."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' AND condeferrable",
            [model._meta.db_table],
        )
        names = ", ".join(connection.ops.quote_name(row[0]) for row in cursor.fetchall())
    if not names:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")


def insert_accepted_reads(
    results: Iterable[ReadResult],
    *,
    read_import_id: int | None,
    created_by_id: int,
    created_at: dt.datetime,
    notes: dict[int, str] | None = None,
) -> int:
    """Write accepted results as ACTUAL (or ESTIMATED, for estimated candidates) reads.

    PostgreSQL gets COPY text lines; SQLite gets tuples, Decimals and dates as they are (Django
    registers sqlite3 adapters for both, and ``adapt_decimalfield_value`` passes Decimals through)."""
    notes = notes or {}
    actual, estimated = ReadStatus.ACTUAL.value, ReadStatus.ESTIMATED.value
    if connection.vendor == "postgresql":
        at = created_at.isoformat()
        import_id = NULL if read_import_id is None else str(read_import_id)
        tail = f"\t{NULL}\t{import_id}\t"  # supersedes_id, read_import_id
        ending = f"\t{created_by_id}\t{at}\n"

        def lines() -> Iterable[str]:
            for index, result in enumerate(results):
                candidate = result.candidate
                source = candidate.source
                yield (
                    f"{result.meter_id}\t{result.installation_id}\t{result.service_point_id}\t"
                    f"{candidate.read_on}\t{result.value}\t{source}\t"
                    f"{estimated if source == 'estimated' else actual}\t{result.consumption_hcf}\t"
                    f"{'t' if result.rolled_over else 'f'}{tail}{_copy_text(notes.get(index, ''))}{ending}"
                )

        return copy_lines(Read._meta.db_table, READ_COLUMNS, lines())
    at_value = _prep(Read, "created_at")(created_at)

    def rows() -> Iterable[tuple[Any, ...]]:
        for index, result in enumerate(results):
            candidate = result.candidate
            source = candidate.source
            yield (
                result.meter_id, result.installation_id, result.service_point_id, candidate.read_on,
                result.value, source, estimated if source == "estimated" else actual, result.consumption_hcf,
                result.rolled_over, None, read_import_id, notes.get(index, ""), created_by_id, at_value,
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
