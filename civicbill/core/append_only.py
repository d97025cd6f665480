"""Database triggers that make a table append-only, on SQLite and PostgreSQL alike.

Used from migrations: ``operations = [..., *append_only_operations("ledger_journalline")]``. Once
installed, any ``UPDATE`` or ``DELETE`` on the table fails inside the database itself, whatever
code (or person with a SQL prompt) tries it. Corrections are new rows (ADR 0002).
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


def append_only_operations(table: str) -> list[Any]:
    return [
        vendor_sql(
            {"sqlite": _sqlite_sql(table), "postgresql": _postgresql_sql(table)},
            {"sqlite": _drop_sql("sqlite", table), "postgresql": _drop_sql("postgresql", table)},
        )
    ]
