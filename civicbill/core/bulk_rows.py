"""Bulk writes for the batch paths: values prepared by the model's fields, rows written by ``COPY``
on PostgreSQL and ``executemany`` on SQLite.

``bulk_create`` builds a model instance and compiles every value of every row; for hundreds of
thousands of rows that is most of the time of a billing run, a read import or a lockbox file. Here:

- :class:`FieldValues` prepares one field's values as the field would send them
  (``get_db_prep_save``), each distinct value once (a batch repeats its dates, timestamps, statuses);
  integers, text and booleans (and keys to integer ids) go as they are, UUIDs as the database takes
  them (native on PostgreSQL, 32 hex digits on SQLite);
- :class:`ModelRows` prepares whole rows of some of a model's columns, column by column, and writes
  them; :func:`insert_rows` does both at once; a JSON column named in ``json_columns`` takes a
  Python value and is written as JSON text (keys sorted, the same object dumped once);
- :func:`write_rows` writes rows already prepared (one ``COPY``, or ``executemany`` in chunks);
  :func:`copy_lines` sends rows already in ``COPY``'s text format (PostgreSQL only), which is cheaper
  than adapting each value when the caller can format a line itself;
- :func:`reserve_ids` gives primary keys beforehand, so rows written later can name them.

Triggers, constraints and defaults in the database apply as for any INSERT. Nothing here returns
primary keys: callers that need them reserve them or read them back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from itertools import chain, islice
from typing import Any, cast

from django.db import connection, models

# values both databases take as they are; dates, decimals and timestamps are prepared by their
# field (SQLite stores them as text in Django's format)
RAW_TYPES = frozenset(
    {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
     "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField", "CharField",
     "TextField", "BooleanField"}
)  # fmt: skip
EXECUTEMANY_ROWS = 50_000  # rows per executemany (SQLite)
COPY_NULL = "\\N"  # NULL in COPY's text format


def _kind(field: models.Field) -> str:
    """How a field's values are prepared: ``raw`` (as they are), ``uuid`` or ``prep`` (by the field).
    A foreign key's values are its target's."""
    target = cast(models.ForeignKey, field).target_field if field.is_relation else field
    internal = target.get_internal_type()
    if internal in RAW_TYPES:
        return "raw"
    return "uuid" if internal == "UUIDField" else "prep"


def _as_it_is(value: Any) -> Any:
    return value


class FieldValues:
    """One model field's values prepared for the database on the current connection, each distinct
    value once (a dict look-up per value); ``None`` stays ``None``. :attr:`one` prepares one value,
    :meth:`many` a column of them."""

    __slots__ = ("_prepared", "column", "field", "kind", "one")

    def __init__(self, model: type[models.Model], name: str) -> None:
        # get_field knows a foreign key by its attname (``meter_id``) as well as by its name
        self.field = cast(models.Field, model._meta.get_field(name))
        self.column: str = self.field.column
        self.kind = _kind(self.field)
        self._prepared: dict[Any, Any] = {None: None}
        self.one: Callable[[Any], Any] = self._one()

    def _prepare(self, value: Any) -> Any:
        return self.field.get_db_prep_save(value, connection)

    def _one(self) -> Callable[[Any], Any]:
        """A function of one value, made for the field's kind (the batch paths call it per row)."""
        if self.kind == "raw":
            return _as_it_is
        prepare = self._prepare
        if self.kind == "uuid":  # distinct ids: not kept
            as_hex = not connection.features.has_native_uuid_field  # as UUIDField sends them

            def uuid_value(value: Any) -> Any:
                if value.__class__ is uuid.UUID:
                    return value.hex if as_hex else value
                return None if value is None else prepare(value)

            return uuid_value
        prepared = self._prepared

        def known_value(value: Any) -> Any:
            try:
                return prepared[value]
            except KeyError:
                result = prepared[value] = prepare(value)
                return result

        return known_value

    def many(self, values: Sequence[Any]) -> Sequence[Any]:
        """A column of values, prepared (the same sequence when the field takes them as they are)."""
        if self.kind == "raw":
            return values
        if self.kind == "uuid":
            return list(map(self.one, values))
        prepared = self._prepared
        for value in set(values).difference(prepared):
            prepared[value] = self._prepare(value)
        return list(map(prepared.__getitem__, values))


def value_preparer(model: type[models.Model], name: str) -> Callable[[Any], Any]:
    """A function preparing values of ``model``'s field ``name`` one at a time, each distinct value
    once (for rows a caller builds itself)."""
    return FieldValues(model, name).one


def prepare_value(model: type[models.Model], name: str, value: Any) -> Any:
    """One value of ``model``'s field ``name`` as the field would send it (for a value used once,
    such as a batch's timestamp)."""
    return FieldValues(model, name).one(value)


class ModelRows:
    """Rows of some of ``model``'s columns (foreign keys as ``<name>_id``), prepared column by column
    by :class:`FieldValues` and written by :func:`write_rows`. A column in ``json_columns`` takes a
    Python value and is written as JSON text (the same object dumped once)."""

    def __init__(
        self, model: type[models.Model], columns: Sequence[str], *, json_columns: frozenset[str] = frozenset()
    ) -> None:
        self.table: str = model._meta.db_table
        self.fields = [FieldValues(model, name) for name in columns]
        self.db_columns = [field.column for field in self.fields]
        self._json = [name in json_columns for name in columns]
        self._json_texts: dict[int, tuple[Any, str]] = {}
        # the columns to prepare (the others are written as they are), and how to prepare one value
        self._prepared = [
            index for index, field in enumerate(self.fields) if self._json[index] or field.kind != "raw"
        ]
        self._ones = [
            self._json_text if is_json else field.one
            for field, is_json in zip(self.fields, self._json, strict=True)
        ]

    def _json_text(self, value: Any) -> str | None:
        if value is None:
            return None
        known = self._json_texts.get(id(value))
        if known is None or known[0] is not value:
            known = self._json_texts[id(value)] = (value, json.dumps(value, sort_keys=True, default=str))
        return known[1]

    def _column(self, index: int, values: Sequence[Any]) -> Sequence[Any]:
        if self._json[index]:
            return [self._json_text(value) for value in values]
        return self.fields[index].many(values)

    def row(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """One row, prepared."""
        prepared = list(values)
        for index in self._prepared:
            prepared[index] = self._ones[index](prepared[index])
        return tuple(prepared)

    def rows(self, rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
        """Many rows, prepared column by column (the rows themselves when every column is written as
        it is)."""
        rows = rows if isinstance(rows, list) else list(rows)
        if not rows or not self._prepared:
            return rows
        columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
        for index in self._prepared:
            columns[index] = self._column(index, columns[index])
        return list(zip(*columns, strict=True))

    def write(self, prepared_rows: Iterable[Sequence[Any]]) -> int:
        """Write rows prepared by :meth:`rows` or :meth:`row`; returns how many."""
        return write_rows(self.table, self.db_columns, prepared_rows)

    def insert(self, rows: Iterable[Sequence[Any]]) -> int:
        """Prepare and write ``rows``; returns how many."""
        return self.write(self.rows(rows))


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    json_columns: frozenset[str] = frozenset(),
) -> int:
    """Insert ``rows`` (tuples of Python values in ``columns`` order; foreign keys as ``<name>_id``
    columns), prepared by the model's fields; returns how many."""
    return ModelRows(model, columns, json_columns=json_columns).insert(rows)


def write_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write rows whose values are already prepared for the database into ``table``: one ``COPY``
    on PostgreSQL, ``executemany`` of :data:`EXECUTEMANY_ROWS` rows at a time on SQLite. ``rows`` may
    be a generator (it is consumed as it is written). Returns how many rows were written."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return 0
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # errors raised inside COPY become Django's IntegrityError etc., as for cursor.execute
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                write_row = copy.write_row
                for row in chain((first,), iterator):
                    write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 - our own names
        batch = [first, *islice(iterator, EXECUTEMANY_ROWS - 1)]
        while batch:
            cursor.executemany(sql, batch)
            count += len(batch)
            batch = list(islice(iterator, EXECUTEMANY_ROWS))
    return count


def copy_text(value: str) -> str:
    """A text value for ``COPY``'s text format (backslash, tab and line ends escaped)."""
    if not value:
        return ""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_lines(
    table: str,
    columns: Sequence[str],
    lines: Iterable[str],
    *,
    chunk: int = 20_000,
    statement_rows: int | None = None,
) -> int:
    """PostgreSQL only: ``COPY`` rows already in ``COPY``'s text format (one line each, with its
    newline; :data:`COPY_NULL` for NULL, :func:`copy_text` for text), sent ``chunk`` lines at a time.
    Formatting a line in Python is several times cheaper than psycopg adapting each value of each row
    (``write_row``). With ``statement_rows``, a new ``COPY`` statement starts after that many rows,
    so statement-level triggers run on each part while later rows are still being prepared."""
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    sql = f"COPY {table} ({names}) FROM STDIN"
    iterator = iter(lines)
    count = 0
    with connection.cursor() as cursor, connection.wrap_database_errors:
        while True:
            in_statement = 0
            with cursor.cursor.copy(sql) as copy:
                batch = list(islice(iterator, chunk))
                while batch:
                    copy.write("".join(batch))
                    count += len(batch)
                    in_statement += len(batch)
                    if statement_rows is not None and in_statement >= statement_rows:
                        break
                    batch = list(islice(iterator, chunk))
            if not batch:
                return count


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model`` (call inside the transaction that inserts them):
    PostgreSQL draws them from the table's sequence; SQLite, having one writer at a time, takes the
    ones after the highest id."""
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
