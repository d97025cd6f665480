"""What the database refuses at a real COMMIT, on a scratch database of its own.

The rest of the suite runs inside one rolled-back transaction per test, where commit-time checks
can only be run early. Here a fresh database is migrated by the real console script, raw DB-API
connections commit (or fail to), and ``civicbill check-books`` runs as a process with its exit code.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

# the tests run in file order: the last one leaves the scratch database broken on purpose

ROOT = Path(__file__).resolve().parents[2]


def civicbill(url: str, var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "CIVICBILL_VAR_DIR": str(var_dir)}
    return subprocess.run(  # noqa: S603 - our own console script
        [sys.executable, "-m", "civicbill.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="module")
def scratch(var_dir: Path) -> Iterator[tuple[str, Callable[[], Any]]]:
    """A migrated database of its own, shared by this module's tests (each uses its own entries):
    (DATABASE_URL, connect) where connect() opens a raw DB-API connection."""
    if connection.vendor == "sqlite":
        path = var_dir / "scratch.sqlite3"
        url = f"sqlite:///{path}"
        migrated = civicbill(url, var_dir, "migrate", "--skip-checks", "--no-input")
        assert migrated.returncode == 0, migrated.stderr
        # sqlite3's default is foreign_keys OFF; Django always turns them on
        yield url, lambda: sqlite3.connect(path, isolation_level="DEFERRED")
        return

    import psycopg

    db = settings.DATABASES["default"]
    server = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }
    name = f"civicbill_ledger_scratch_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{quote(server['password'])}" if server["password"] else ""
    url = f"postgresql://{quote(server['user'])}{password}@{server['host']}:{server['port']}/{name}"
    try:
        migrated = civicbill(url, var_dir, "migrate", "--skip-checks", "--no-input")
        assert migrated.returncode == 0, migrated.stderr
        yield url, lambda: psycopg.connect(dbname=name, **server)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sql(conn: Any, statement: str) -> str:
    return statement if isinstance(conn, sqlite3.Connection) else statement.replace("?", "%s")


def _entry_id(conn: Any, entry_id: uuid.UUID) -> Any:
    return entry_id.hex if isinstance(conn, sqlite3.Connection) else entry_id


def insert_lines(conn: Any, entry_id: uuid.UUID, amounts: list[tuple[str, int, int]]) -> None:
    for code, debit_cents, credit_cents in amounts:
        conn.execute(
            _sql(
                conn,
                "INSERT INTO ledger_journalline (entry_id, gl_account_id, debit_cents, credit_cents, "
                "memo) SELECT ?, id, ?, ?, '' FROM ledger_glaccount WHERE code = ?",
            ),
            (_entry_id(conn, entry_id), debit_cents, credit_cents, code),
        )


def insert_header(conn: Any, entry_id: uuid.UUID, total_cents: int) -> None:
    conn.execute(
        _sql(
            conn,
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, "
            "is_staff, is_active, date_joined) SELECT '!', false, 'sql', '', '', '', false, true, "
            "'2026-09-15 00:00:00+00' WHERE NOT EXISTS (SELECT 1 FROM auth_user WHERE username = 'sql')",
        )
    )
    conn.execute(
        _sql(
            conn,
            "INSERT INTO ledger_journalentry (id, accounting_date, posted_at, source_type, source_ref, "
            "idempotency_key, reason, memo, posted_by_id, total_cents) SELECT ?, '2026-09-15', "
            "'2026-09-15 18:00:00+00', 'manual', 'SQL', ?, 'test', '', id, ? FROM auth_user "
            "WHERE username = 'sql'",
        ),
        (_entry_id(conn, entry_id), f"sql:{entry_id}", total_cents),
    )


def check_books(url: str, var_dir: Path) -> tuple[int, dict[str, Any]]:
    result = civicbill(url, var_dir, "check-books", "--json", "--skip-checks")
    return result.returncode, json.loads(result.stdout)


def test_committed_entries_balance_and_lines_without_a_header_never_commit(
    scratch: tuple[str, Callable[[], Any]], var_dir: Path
) -> None:
    url, connect = scratch
    good, orphan = uuid.uuid4(), uuid.uuid4()
    conn = connect()
    if isinstance(conn, sqlite3.Connection):
        conn.execute("PRAGMA foreign_keys = ON")  # as Django's connections always do
    insert_lines(conn, good, [("500-1000", 2500, 0), ("500-2200", 0, 2500)])
    insert_header(conn, good, 2500)
    conn.commit()

    insert_lines(conn, orphan, [("500-1000", 900, 0), ("500-2200", 0, 900)])
    with pytest.raises(Exception, match=r"(?i)foreign key|no header"):
        conn.commit()
    conn.rollback()
    conn.close()

    returncode, report = check_books(url, var_dir)
    assert (returncode, report["ok"], report["entry_count"], report["line_count"]) == (0, True, 1, 2)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
def test_a_line_slipped_in_by_a_concurrent_writer_fails_at_its_commit(
    scratch: tuple[str, Callable[[], Any]], var_dir: Path
) -> None:
    url, connect = scratch
    entry_id = uuid.uuid4()
    poster, intruder = connect(), connect()
    insert_lines(poster, entry_id, [("500-1000", 2500, 0), ("500-2200", 0, 2500)])
    insert_header(poster, entry_id, 2500)
    # the header is not committed yet, so the intruder's seal check cannot see it
    insert_lines(intruder, entry_id, [("500-1000", 1, 0)])
    poster.commit()

    with pytest.raises(Exception, match="not balanced at commit"):
        intruder.commit()
    intruder.close()
    lines = poster.execute(
        "SELECT count(*) FROM ledger_journalline WHERE entry_id = %s", (entry_id,)
    ).fetchone()
    poster.close()

    assert lines == (2,)
    returncode, report = check_books(url, var_dir)
    assert (returncode, report["ok"]) == (0, True)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a SQLite session may turn foreign keys off")
def test_sqlite_with_foreign_keys_off_commits_orphan_lines_and_check_books_exits_1_naming_them(
    scratch: tuple[str, Callable[[], Any]], var_dir: Path
) -> None:
    url, connect = scratch
    conn = connect()  # sqlite3's default: foreign_keys OFF (Django always turns them on)
    insert_lines(conn, uuid.uuid4(), [("500-1000", 900, 0), ("500-2200", 0, 900)])
    conn.commit()
    conn.close()

    returncode, report = check_books(url, var_dir)

    assert (returncode, report["ok"], report["failed"]) == (1, False, ["no_orphan_lines"])
