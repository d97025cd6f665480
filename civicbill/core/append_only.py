"""Database triggers that make a table append-only, on SQLite and PostgreSQL alike.

Used from migrations: ``operations = [..., *append_only_operations("ledger_journalline")]``. Once
installed, any ``UPDATE`` or ``DELETE`` on the table fails inside the database itself, whatever
code (or person with a SQL prompt) tries it. Corrections are new rows (ADR 0002).

SQLite's ``INSERT OR REPLACE`` (and ``REPLACE INTO``) deletes a conflicting row *without* firing
``DELETE`` triggers unless ``PRAGMA recursive_triggers`` is on. Two locks close that door:
``settings.py`` turns the pragma on for every connection the application opens, so the delete
trigger refuses the replacement; and :func:`no_replace_operations` adds a ``BEFORE INSERT`` trigger
refusing a row whose primary key (or other unique column) is already taken, which holds even for a
connection without the pragma (the ``sqlite3`` shell). PostgreSQL has no ``REPLACE``; its
``INSERT ... ON CONFLICT DO UPDATE`` fires the ``UPDATE`` trigger and is refused by it.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _sqlite_sql(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be updated'); END;""",
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be deleted'); END;""",
    ]


def _postgresql_sql(table: str) -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: rows cannot be %', TG_TABLE_NAME, lower(TG_OP) || 'd'
                USING ERRCODE = 'integrity_constraint_violation';
        END $$;""",
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {table}_append_only();""",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only();""",
    ]


def _drop_sql(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update;", f"DROP TRIGGER IF EXISTS {table}_no_delete;"]
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        f"DROP FUNCTION IF EXISTS {table}_append_only();",
    ]


def vendor_sql(
    sql_by_vendor: dict[str, list[str]], reverse_by_vendor: dict[str, list[str]] | None = None
) -> Any:
    """A migration operation running the statements written for the current database vendor."""

    def forward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in sql_by_vendor:
            raise RuntimeError(f"civicbill supports SQLite and PostgreSQL, not {vendor}")
        for statement in sql_by_vendor[vendor]:
            schema_editor.execute(statement, params=None)

    def backward(apps: Any, schema_editor: Any) -> None:
        for statement in (reverse_by_vendor or {}).get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return migrations.RunPython(forward, backward)


def _sqlite_no_replace_sql(table: str, unique_columns: tuple[str, ...]) -> list[str]:
    def same(key: str) -> str:  # "a" or a composite "a, b"
        return " AND ".join(f"{column} = NEW.{column}" for column in (c.strip() for c in key.split(",")))

    taken = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} WHERE {same(key)})"  # noqa: S608 (names from migrations)
        for key in unique_columns
    )
    message = f"{table} is append-only: a row with this key exists and cannot be replaced"
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON {table}
        WHEN {taken}
        BEGIN SELECT RAISE(ABORT, '{message}'); END;"""
    ]


def no_replace_operations(table: str, unique_columns: tuple[str, ...] = ("id",)) -> list[Any]:
    """SQLite: refuse an inserted row whose key (each of ``unique_columns``) is already taken, so
    ``INSERT OR REPLACE`` cannot delete an append-only row even on a connection without
    ``PRAGMA recursive_triggers``. Name every unique key (a column, or ``"a, b"`` for a composite
    one): ``REPLACE`` deletes the row that conflicts on *any* of them. Costs one index probe per
    key per inserted row. PostgreSQL needs nothing (it has no ``REPLACE``; ``ON CONFLICT DO
    UPDATE`` is refused by the update trigger)."""
    return [
        vendor_sql(
            {"sqlite": _sqlite_no_replace_sql(table, unique_columns), "postgresql": []},
            {"sqlite": [f"DROP TRIGGER IF EXISTS {table}_no_replace;"], "postgresql": []},
        )
    ]


def append_only_operations(table: str) -> list[Any]:
    return [
        vendor_sql(
            {"sqlite": _sqlite_sql(table), "postgresql": _postgresql_sql(table)},
            {"sqlite": _drop_sql("sqlite", table), "postgresql": _drop_sql("postgresql", table)},
        )
    ]
