"""Set-based writes of bills, their lines and exceptions, and of the bills' journal entries.

Bills are written with ids reserved beforehand (PostgreSQL: the table's sequence; SQLite: after the
highest id, inside the writing transaction, SQLite having one writer at a time) so their lines can
name them, then everything goes out in one ``COPY`` (PostgreSQL) or ``executemany`` (SQLite) per
table through :func:`civicbill.core.fast_insert.write_rows`.

Journal entries are written by the ledger's own writer
(:func:`civicbill.ledger.journal_insert.write_entry_rows`: lines first, headers last), from tuples
rather than validated ``EntrySpec`` objects; the ledger's triggers check every entry as it lands.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.db import connection, models

from civicbill.core.fast_insert import write_rows
from civicbill.ledger import chart
from civicbill.ledger.journal_insert import write_entry_rows

# values both databases take as they are (ints, text, booleans); dates, decimals and timestamps are
# prepared by their field (SQLite stores them as text in Django's format)
RAW_TYPES = frozenset(
    {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "PositiveIntegerField",
     "PositiveSmallIntegerField", "SmallIntegerField", "ForeignKey", "CharField", "TextField", "BooleanField"}
)  # fmt: skip


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model`` (call inside the transaction that inserts them)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - our table name
        highest = cursor.fetchone()[0]
    return list(range(highest + 1, highest + count + 1))


class ModelRows:
    """Rows of some of ``model``'s columns prepared for :func:`write_rows` the way its fields would
    send them (``get_db_prep_save``), each distinct value of a column once (a dict look-up per
    value); a JSON column takes a Python value and is written as JSON text (the same object once)."""

    def __init__(
        self, model: type[models.Model], columns: Sequence[str], *, json_columns: frozenset[str] = frozenset()
    ) -> None:
        self.fields = [cast(models.Field, model._meta.get_field(name)) for name in columns]
        self.table = model._meta.db_table
        self.db_columns = [field.column for field in self.fields]
        self.kinds = [
            "json" if name in json_columns else "raw" if field.get_internal_type() in RAW_TYPES else "prep"
            for name, field in zip(columns, self.fields, strict=True)
        ]
        self._prepared: list[dict[Any, Any]] = [{} for _ in columns]
        self._json_texts: dict[int, tuple[Any, str]] = {}

    def _json(self, value: Any) -> str | None:
        if value is None:
            return None
        known = self._json_texts.get(id(value))
        if known is None or known[0] is not value:
            known = self._json_texts[id(value)] = (value, json.dumps(value, sort_keys=True, default=str))
        return known[1]

    def _column(self, index: int, values: Sequence[Any]) -> Sequence[Any]:
        kind = self.kinds[index]
        if kind == "raw":
            return values
        if kind == "json":
            return [self._json(value) for value in values]
        field, prepared = self.fields[index], self._prepared[index]
        for value in set(values).difference(prepared):
            prepared[value] = None if value is None else field.get_db_prep_save(value, connection)
        return list(map(prepared.__getitem__, values))

    def row(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """One row, prepared."""
        return tuple(self._column(index, (value,))[0] for index, value in enumerate(values))

    def rows(self, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """Many rows, prepared column by column."""
        if not rows:
            return []
        columns = [self._column(index, values) for index, values in enumerate(zip(*rows, strict=True))]
        return list(zip(*columns, strict=True))

    def write(self, prepared_rows: Sequence[Sequence[Any]]) -> int:
        return write_rows(self.table, self.db_columns, prepared_rows)


def write_model_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    json_columns: frozenset[str] = frozenset(),
) -> int:
    """Like ``insert_rows``: values prepared by the model's fields (each distinct value once); a JSON
    column takes a Python value and is written as JSON text."""
    writer = ModelRows(model, columns, json_columns=json_columns)
    return writer.write(writer.rows(list(rows)))


def bill_entry_lines(
    *, account_id: int, charges_by_service: dict[str, int], memo: str
) -> list[tuple[str, int, int, int | None, str | None, str]]:
    """A bill's journal lines (gl code, debit, credit, customer account, service, memo): per service,
    Dr receivable (naming the account and service) / Cr revenue for charges, the reverse for a net
    credit. Services that net to zero have no lines."""
    lines: list[tuple[str, int, int, int | None, str | None, str]] = []
    for service, amount in charges_by_service.items():
        if amount == 0:
            continue
        receivable = chart.receivable_control_for(service).code
        revenue = chart.revenue_for(service).code
        if amount > 0:
            lines.append((receivable, amount, 0, account_id, service, memo))
            lines.append((revenue, 0, amount, None, None, memo))
        else:
            lines.append((revenue, -amount, 0, None, None, memo))
            lines.append((receivable, 0, -amount, account_id, service, memo))
    return lines


def write_entries(
    entries: Sequence[tuple[uuid.UUID, dt.date, str, str, str, str, str, uuid.UUID | None, list[Any]]],
    *,
    posted_by_id: int,
    posted_at: dt.datetime,
    gl_ids: dict[str, int],
) -> int:
    """Write bills' entries ``(id, accounting date, source type, source ref, key, reason, memo,
    reverses, lines)`` through the ledger's writer (each entry's total is the sum of its debits)."""
    return write_entry_rows(
        [(*entry[:8], None, entry[8]) for entry in entries],
        posted_by_id=posted_by_id,
        posted_at=posted_at,
        gl_ids=gl_ids,
    )
