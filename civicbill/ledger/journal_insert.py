"""How posted entries reach the tables: lines first, headers last, set-based.

Only the services call :func:`insert_entries`, after validating, and the billing run's commit calls
:func:`write_entry_rows` (the same writer, from tuples it builds itself). The header's insert trigger
finds the entry's lines already there and checks them (see :mod:`civicbill.ledger.models`; per row on
SQLite, per statement on PostgreSQL: ADR 0009).

Rows are written with ``COPY`` on PostgreSQL and one ``executemany`` statement on SQLite rather
than ``bulk_create``: the ORM's per-row model and per-value compile cost was most of the time of
posting 10,000 entries, and PostgreSQL's client-side parameter binding made multi-row ``INSERT``
slower still (``benchmarks/ledger_posting.md``). Triggers and constraints run for ``COPY`` exactly
as for ``INSERT``. Values are prepared by the model fields, so the database receives what the ORM
would send (on SQLite a UUID is 32 hex digits, a date is text).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from civicbill.core.bulk_rows import prepare_value, value_preparer, write_rows
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import MAX_LINE_CENTS, format_cents
from civicbill.ledger.models import JournalEntry, JournalLine
from civicbill.ledger.posting import EntrySpec

LINE_COLUMNS = (
    "entry_id", "gl_account_id", "debit_cents", "credit_cents", "customer_account_id", "service", "memo",
)  # fmt: skip
ENTRY_COLUMNS = (
    "id", "accounting_date", "posted_at", "source_type", "source_ref", "idempotency_key", "reason", "memo",
    "reverses_id", "posted_by_id", "total_cents",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class NewEntry:
    """A validated entry about to be written, with the UUID its lines will name."""

    spec: EntrySpec
    entry_id: uuid.UUID
    reverses_id: uuid.UUID | None = None


# an entry as rows to write: (id, accounting date, source type, source ref, idempotency key, reason,
# memo, reverses, declared total in cents or None for the sum of the debits,
# lines as (gl code, debit cents, credit cents, customer account id, service, memo))
EntryRow = tuple[
    uuid.UUID, dt.date, str, str, str, str, str, "uuid.UUID | None", "int | None",
    Sequence[tuple[str, int, int, "int | None", "str | None", str]],
]  # fmt: skip


def write_entry_rows(
    entries: Sequence[EntryRow], *, posted_by_id: int, posted_at: dt.datetime, gl_ids: dict[str, int]
) -> int:
    """Write every entry's lines, then every header: two statements whatever the number of entries.
    The batch paths (a billing run's commit) build these tuples themselves; the others go through
    :func:`insert_entries`. Returns the number of entries written."""
    prepared_id = value_preparer(JournalEntry, "id")  # native, or 32 hex digits on SQLite
    day = value_preparer(JournalEntry, "accounting_date")  # each date once
    posted_at_value = prepare_value(JournalEntry, "posted_at", posted_at)
    line_rows: list[tuple[Any, ...]] = []
    entry_rows: list[tuple[Any, ...]] = []
    for (
        entry_id,
        accounting_date,
        source_type,
        source_ref,
        key,
        reason,
        memo,
        reverses,
        total,
        lines,
    ) in entries:
        entry_value = prepared_id(entry_id)
        debits = 0
        for gl_code, debit, credit, account_id, service, line_memo in lines:
            if debit > MAX_LINE_CENTS or credit > MAX_LINE_CENTS:  # the last guard: no sum may overflow
                raise ApplicationError(
                    f"Journal entry {source_ref} refused: a line of {format_cents(max(debit, credit))} is "
                    f"over the limit of {format_cents(MAX_LINE_CENTS)} for one journal line",
                    code="amount_over_limit",
                )
            line_rows.append((entry_value, gl_ids[gl_code], debit, credit, account_id, service, line_memo))
            debits += debit
        entry_rows.append(
            (entry_value, day(accounting_date), posted_at_value, source_type, source_ref, key, reason, memo,
             prepared_id(reverses), posted_by_id,
             debits if total is None else total)
        )  # fmt: skip
    write_rows(JournalLine._meta.db_table, LINE_COLUMNS, line_rows)
    write_rows(JournalEntry._meta.db_table, ENTRY_COLUMNS, entry_rows)
    return len(entry_rows)


def insert_entries(
    batch: Sequence[NewEntry], *, posted_by_id: int, posted_at: dt.datetime, gl_ids: dict[str, int]
) -> None:
    """Write validated entries (lines first, headers last; two statements whatever the batch size)."""
    write_entry_rows(
        [
            (new.entry_id, new.spec.accounting_date, new.spec.source_type, new.spec.source_ref,
             new.spec.idempotency_key, new.spec.reason, new.spec.memo, new.reverses_id, new.spec.total_cents,
             [(line.gl_code, line.debit_cents, line.credit_cents, line.customer_account_id, line.service,
               line.memo) for line in new.spec.lines])
            for new in batch
        ],
        posted_by_id=posted_by_id,
        posted_at=posted_at,
        gl_ids=gl_ids,
    )  # fmt: skip


def posted_entry(new: NewEntry, *, posted_by: Any, posted_at: dt.datetime) -> JournalEntry:
    """The model instance of an entry just written (no query)."""
    spec = new.spec
    entry = JournalEntry(
        id=new.entry_id,
        accounting_date=spec.accounting_date,
        posted_at=posted_at,
        source_type=spec.source_type,
        source_ref=spec.source_ref,
        idempotency_key=spec.idempotency_key,
        reason=spec.reason,
        memo=spec.memo,
        reverses_id=new.reverses_id,
        posted_by=posted_by,
        total_cents=spec.total_cents,
    )
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry
