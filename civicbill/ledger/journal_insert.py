"""How posted entries reach the tables: lines first, headers last, set-based.

Only the services call :func:`insert_entries`, after validating. The header's ``BEFORE INSERT``
trigger finds the entry's lines already there and checks them (see :mod:`civicbill.ledger.models`).

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
from typing import Any, cast

from django.db import connection, models

from civicbill.core.fast_insert import write_rows
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


def _db_value(name: str, value: Any) -> Any:
    field = cast(models.Field, JournalEntry._meta.get_field(name))
    return field.get_db_prep_save(value, connection)


def insert_entries(
    batch: Sequence[NewEntry], *, posted_by_id: int, posted_at: dt.datetime, gl_ids: dict[str, int]
) -> None:
    """Write the lines of every entry, then every header (two statements whatever the batch size)."""
    posted_at_value = _db_value("posted_at", posted_at)
    dates: dict[dt.date, Any] = {}
    line_rows: list[tuple[Any, ...]] = []
    entry_rows: list[tuple[Any, ...]] = []
    for new in batch:
        spec = new.spec
        entry_id = _db_value("id", new.entry_id)
        for line in spec.lines:
            line_rows.append((entry_id, gl_ids[line.gl_code], line.debit_cents, line.credit_cents,
                              line.customer_account_id, line.service, line.memo))  # fmt: skip
        if spec.accounting_date not in dates:
            dates[spec.accounting_date] = _db_value("accounting_date", spec.accounting_date)
        reverses_id = None if new.reverses_id is None else _db_value("id", new.reverses_id)
        entry_rows.append(
            (entry_id, dates[spec.accounting_date], posted_at_value, spec.source_type, spec.source_ref,
             spec.idempotency_key, spec.reason, spec.memo, reverses_id, posted_by_id, spec.total_cents)
        )  # fmt: skip
    write_rows(JournalLine._meta.db_table, LINE_COLUMNS, line_rows)
    write_rows(JournalEntry._meta.db_table, ENTRY_COLUMNS, entry_rows)


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
