"""Set-based inserts for batch paths: ``COPY`` on PostgreSQL, one ``executemany`` on SQLite.

``bulk_create`` builds a model instance and compiles every value of every row; for hundreds of
thousands of rows that is most of the time. Here values are prepared by the model's own fields (so the
database receives exactly what the ORM would send) and written in one statement. Triggers, constraints
and defaults in the database apply as for any INSERT. Returns nothing: callers that need primary keys
use ``bulk_create``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.db import connection, models


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order; foreign keys as ``<name>_id`` columns)."""
    # get_field knows a foreign key by its attname (``meter_id``) as well as a field named ``endpoint_id``
    fields = [cast(models.Field, model._meta.get_field(name)) for name in columns]
    db_columns = [field.column for field in fields]
    # a batch repeats most values (dates, timestamps, statuses, foreign keys): prepare each value once
    caches: list[dict[Any, Any]] = [{} for _ in fields]

    def prepare(field: models.Field, cache: dict[Any, Any], value: Any) -> Any:
        if value is None:
            return None
        try:
            return cache[value]
        except KeyError:
            cache[value] = prepared_value = field.get_db_prep_save(value, connection)
            return prepared_value

    prepared = [
        tuple(prepare(field, cache, value) for field, cache, value in zip(fields, caches, row, strict=True))
        for row in rows
    ]
    return write_rows(model._meta.db_table, db_columns, prepared)


def write_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Write rows whose values are already prepared for the database (``get_db_prep_save``) in one
    statement: ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""
    if not rows:
        return 0
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # errors raised inside COPY become Django's IntegrityError etc., as for cursor.execute
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", list(rows))  # noqa: S608
    return len(rows)
