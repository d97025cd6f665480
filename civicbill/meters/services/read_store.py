"""How validated reads reach the tables, set-based (only the read services call this).

Reads and AMI intervals are written with ``COPY`` on PostgreSQL and one ``executemany`` per chunk on
SQLite (:mod:`civicbill.core.bulk_rows`), as the ledger does: the ORM's per-object cost was most of
the time of a large import. On PostgreSQL the accepted reads go as lines of ``COPY``'s text format,
made here. An import's held reads (status EXCEPTION) are written the same way and
their ids read back for their ``ReadException`` rows; the few exception reads of an estimation run
go through ``bulk_create``, which returns ids on both databases. A read's references are checked by
the database's triggers once per statement (migration ``meters 0003``, ADR 0007).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, cast

from django.db import connection

from civicbill.core.bulk_rows import COPY_NULL as NULL
from civicbill.core.bulk_rows import (
    copy_lines,
    copy_text,
    insert_rows,
    prepare_value,
    value_preparer,
    write_rows,
)
from civicbill.meters.formats import IntervalRow
from civicbill.meters.models import IntervalRead, Read, ReadException, ReadSource, ReadStatus
from civicbill.meters.validation import ReadResult

READ_COLUMNS = (
    "meter_id", "installation_id", "service_point_id", "read_on", "value", "source", "status",
    "consumption_hcf", "rolled_over", "supersedes_id", "read_import_id", "note", "created_by_id",
    "created_at",
)  # fmt: skip
INTERVAL_COLUMNS = ("meter_id", "interval_start", "consumption", "read_import_id")
COPY_STATEMENT_ROWS = 100_000  # accepted reads per COPY statement (each checked by the trigger)


def insert_accepted_reads_trusted(
    results: Iterable[ReadResult],
    *,
    read_import_id: int | None,
    created_by_id: int,
    created_at: dt.datetime,
    notes: dict[int, str] | None = None,
    status: str | None = None,
) -> int:
    """Write accepted results as ACTUAL (or ESTIMATED, for estimated candidates) reads; with
    ``status``, every result with that status (the import's held reads: EXCEPTION).

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
            # an import repeats each installation (meter, installation, service point), read date
            # and source many times: their text is made once
            starts: dict[tuple[int | None, ...], str] = {}
            days: dict[dt.date, str] = {}
            kinds = {
                source: f"{source}\t{status or (estimated if source == 'estimated' else actual)}\t"
                for source in ReadSource.values
            }
            for index, result in enumerate(results):
                candidate = result.candidate
                ids = (result.meter_id, result.installation_id, result.service_point_id)
                start = starts.get(ids)
                if start is None:
                    start = starts[ids] = "".join(f"{NULL if value is None else value}\t" for value in ids)
                day = days.get(candidate.read_on)
                if day is None:
                    day = days[candidate.read_on] = f"{candidate.read_on}\t"
                note = copy_text(notes[index]) if notes and index in notes else ""
                used = result.consumption_hcf
                yield (
                    f"{start}{day}{result.value}\t{kinds[candidate.source]}{NULL if used is None else used}\t"
                    f"{'t' if result.rolled_over else 'f'}{tail}{note}{ending}"
                )

        return copy_lines(Read._meta.db_table, READ_COLUMNS, lines(), statement_rows=COPY_STATEMENT_ROWS)
    at_value = prepare_value(Read, "created_at", created_at)

    def rows() -> Iterable[tuple[Any, ...]]:
        for index, result in enumerate(results):
            candidate = result.candidate
            source = candidate.source
            yield (
                result.meter_id, result.installation_id, result.service_point_id, candidate.read_on,
                result.value, source, status or (estimated if source == "estimated" else actual),
                result.consumption_hcf,
                result.rolled_over, None, read_import_id, notes.get(index, ""), created_by_id, at_value,
            )  # fmt: skip

    return write_rows(Read._meta.db_table, READ_COLUMNS, rows())


def insert_exception_reads_trusted(
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


def insert_held_reads_trusted(
    results: Sequence[ReadResult], *, read_import_id: int, created_by_id: int, created_at: dt.datetime
) -> int:
    """An import's exception results as EXCEPTION reads, each with its OPEN ReadException, set-based
    like the accepted reads (``bulk_create`` built a model instance per read and per exception). The
    reads' ids are read back in insertion order: they are the import's only EXCEPTION reads, and the
    ids of one statement's rows increase in the order the rows are written."""
    if not results:
        return 0
    insert_accepted_reads_trusted(
        results,
        read_import_id=read_import_id,
        created_by_id=created_by_id,
        created_at=created_at,
        status=ReadStatus.EXCEPTION.value,
    )
    read_ids = list(
        Read.objects.filter(read_import_id=read_import_id, status=ReadStatus.EXCEPTION)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if len(read_ids) != len(results):  # pragma: no cover - the import writes its held reads once
        raise RuntimeError(f"wrote {len(results)} held reads but found {len(read_ids)}")
    open_status = ReadException.Status.OPEN.value
    return insert_rows(
        ReadException,
        ("read_id", "code", "message", "status", "decision_note", "created_at"),
        (
            (read_id, result.code, result.message[:300], open_status, "", created_at)
            for read_id, result in zip(read_ids, results, strict=True)
        ),
    )


def insert_intervals_trusted(
    intervals: Iterable[IntervalRow], *, meter_ids: dict[str, int], read_import_id: int | None
) -> int:
    """Write AMI intervals (``meter_ids``: the file's meter key → meter id)."""
    instant = value_preparer(IntervalRead, "interval_start")  # an hour of many meters: each instant once
    rows = (
        (meter_ids[row.meter_key], instant(row.interval_start), row.consumption or Decimal(0), read_import_id)
        for row in intervals
    )
    return write_rows(IntervalRead._meta.db_table, INTERVAL_COLUMNS, rows)
