"""The PostgreSQL roles of docs/deployment.md, section 3, run as written: migrations as the owner, the
application as a role that does not own the tables, which works normally but cannot disable, drop or
sidestep the append-only triggers, nor create tables. PostgreSQL only; a scratch database and two
roles named after the test database, dropped afterwards."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _documented_sql() -> tuple[list[str], list[str], list[str]]:
    """(statements on the server, statements in the new database, the catch-up grants) from the doc."""
    section = (
        (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8").split("## 3.", 1)[1].split("## 4.")[0]
    )
    blocks = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
    setup, catch_up = blocks[0], blocks[1]
    server_part, database_part = setup.split("\\c civicbill\n")

    def statements(text: str) -> list[str]:
        lines = [line for line in text.splitlines() if not line.strip().startswith("--")]
        return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]

    return statements(server_part), statements(database_part), statements(catch_up)


@pytest.fixture
def roles() -> Iterator[dict[str, Any]]:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL roles")
    import psycopg

    db = settings.DATABASES["default"]
    server: dict[str, Any] = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
    }
    if db["PASSWORD"]:
        server["password"] = db["PASSWORD"]
    base = db["NAME"]
    names = {"civicbill_owner": f"{base}_owner", "civicbill_app": f"{base}_app", "civicbill": f"{base}_roles"}

    def rename(sql: str) -> str:
        for doc_name, ours in sorted(names.items(), key=lambda kv: -len(kv[0])):
            sql = re.sub(rf"\b{doc_name}\b", ours, sql)
        return sql.replace("OWNER-PASSWORD", "owner-pass-1").replace("APP-PASSWORD", "app-pass-1")

    def drop() -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{names["civicbill"]}" WITH (FORCE)')
            for role in (names["civicbill_app"], names["civicbill_owner"]):
                admin.execute(f'DROP ROLE IF EXISTS "{role}"')

    drop()
    on_server, in_database, catch_up = _documented_sql()
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            for statement in on_server:
                admin.execute(rename(statement))  # type: ignore[arg-type,unused-ignore]
        with psycopg.connect(dbname=names["civicbill"], autocommit=True, **server) as admin:
            for statement in in_database:
                admin.execute(rename(statement))  # type: ignore[arg-type,unused-ignore]
        host = f"{server['host']}:{server['port']}/{names['civicbill']}"
        yield {
            "owner_url": f"postgresql://{names['civicbill_owner']}:owner-pass-1@{host}",
            "app_url": f"postgresql://{names['civicbill_app']}:app-pass-1@{host}",
            "catch_up": [rename(s) for s in catch_up],
            "server": server,
            "database": names["civicbill"],
        }
    finally:
        drop()


def _civicbill(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script
        [sys.executable, "-m", "civicbill.cli", *args],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": url, "CIVICBILL_VAR_DIR": str(tmp_path)},
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def test_the_application_role_works_but_cannot_touch_the_triggers(roles: dict[str, Any], tmp_path: Path):
    import psycopg

    migrated = _civicbill(roles["owner_url"], tmp_path, "migrate", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    # the default privileges gave the application role every table the migrations made
    made = _civicbill(roles["app_url"], tmp_path, "demo-users")
    assert made.returncode == 0, made.stderr[-3000:]
    token = _civicbill(roles["app_url"], tmp_path, "api-token", "csr", "--name", "probe")
    assert token.returncode == 0 and token.stdout.startswith("cb_"), token.stderr[-3000:]
    books = _civicbill(roles["app_url"], tmp_path, "check-books")
    assert books.returncode == 0 and "The books are in order." in books.stdout, books.stderr[-3000:]

    refused = {
        "ALTER TABLE ledger_journalline DISABLE TRIGGER ALL": "must be owner of table ledger_journalline",
        "DROP TRIGGER ledger_journalline_append_only ON ledger_journalline": "must be owner of relation",
        "ALTER TABLE core_auditevent DISABLE TRIGGER USER": "must be owner of table core_auditevent",
        "SET session_replication_role = replica": "permission denied to set parameter",
        "CREATE TABLE sneaky (id int)": "permission denied for schema public",
        "TRUNCATE ledger_journalline CASCADE": "permission denied for table ledger_journalline",
    }
    answers = {}
    with psycopg.connect(roles["app_url"], autocommit=True) as app:
        for statement in refused:
            try:
                app.execute(statement)  # type: ignore[arg-type,unused-ignore]
                answers[statement] = "accepted"
            except psycopg.Error as error:
                answers[statement] = str(error).splitlines()[0]
        assert app.execute("SELECT count(*) FROM auth_user").fetchone() == (6,)
    for statement, expected in refused.items():
        assert answers[statement] != "accepted", statement
        assert expected in answers[statement], (statement, answers[statement])
    # the catch-up grants of the doc run cleanly as well
    with psycopg.connect(dbname=roles["database"], autocommit=True, **roles["server"]) as admin:
        for statement in roles["catch_up"]:
            admin.execute(statement)
