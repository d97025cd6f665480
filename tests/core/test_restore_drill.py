"""The restore drill (docs/deployment.md, issue 11): ``scripts/restore-drill`` dumps a small seeded
city, restores it into ``<name>_restore``, and finds the books in order, the trial balance identical
and the append-only triggers back. PostgreSQL only; on a scratch database of its own (named after
the test database, so CI's clean-up drops whatever a killed run leaves)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.fixture
def city_database(tmp_path: Path) -> Iterator[tuple[str, str]]:
    if connection.vendor != "postgresql":
        pytest.skip("the restore drill is for PostgreSQL (pg_dump / pg_restore)")
    import psycopg

    db = settings.DATABASES["default"]
    server: dict[str, Any] = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }
    name = f"{db['NAME']}_drill"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{quote(server['password'])}" if server["password"] else ""
    try:
        yield f"postgresql://{quote(server['user'])}{password}@{server['host']}:{server['port']}/{name}", name
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'DROP DATABASE IF EXISTS "{name}_restore" WITH (FORCE)')
            left = admin.execute(
                "SELECT count(*) FROM pg_database WHERE datname = %s", [f"{name}_restore"]
            ).fetchone()
    assert left == (0,)


def test_a_dump_restores_into_the_same_books(city_database: tuple[str, str], tmp_path: Path):
    url, name = city_database
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CIVICBILL_VAR_DIR": str(tmp_path),
        "CIVICBILL": str(Path(sys.executable).with_name("civicbill")),
    }
    seeded = subprocess.run(
        [sys.executable, "-m", "civicbill.cli", "demo-city", "--accounts", "20", "--seed", "3", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    drill = subprocess.run(  # noqa: S603 - our own script
        [str(ROOT / "scripts" / "restore-drill")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert drill.returncode == 0, drill.stdout[-3000:] + drill.stderr[-3000:]
    assert "The books are in order." in drill.stdout
    assert "== trial balance: original and restored\nidentical" in drill.stdout
    assert "the restored journal refuses a DELETE" in drill.stdout
    assert drill.stdout.rstrip().endswith(f"restore-drill: passed ({name} restored into {name}_restore)")


def test_the_drill_refuses_a_database_that_is_not_postgresql(tmp_path: Path):
    done = subprocess.run(  # noqa: S603 - our own script
        [str(ROOT / "scripts" / "restore-drill")],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "restore-drill: DATABASE_URL must name a PostgreSQL database (postgresql://user@host/name)\n"
    )
