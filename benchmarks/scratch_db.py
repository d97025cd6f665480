"""Shared by the benchmarks: empty the scratch database a benchmark was pointed at (``--reset``)."""

from __future__ import annotations

from django.db import connection


def drop_all_tables() -> None:
    """Drop every table (PostgreSQL: the public schema) so ``migrate`` starts from nothing. The
    ledger's rows cannot be deleted (append-only triggers), so a scratch database is emptied whole."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            names = cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            for (name,) in names.fetchall():
                cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
            cursor.execute("PRAGMA foreign_keys = ON")
    connection.close()
