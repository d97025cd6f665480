"""Clerks at the same moment: account numbers never repeat, and a premise never gets two occupants.

Real threads, each with its own connection and transaction (PostgreSQL row locks; SQLite's
BEGIN IMMEDIATE write lock), in a separate process against a throw-away database: a SQLite file in
a temporary folder, or, when ``DATABASE_URL`` points at PostgreSQL, a database named after it with
``_concurrency`` appended. (pytest-django's transactional tests cannot be used here: they empty the
tables afterwards, which the append-only audit trail refuses.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

WORKER = Path(__file__).with_name("concurrency_worker.py")


def _scratch_database_url(tmp: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'concurrency.sqlite3'}"
    import psycopg

    base, name = url.rsplit("/", 1)
    name = f"{name}_concurrency"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@pytest.fixture(scope="module")
def race_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("customers-concurrency")
    env = {**os.environ, "DATABASE_URL": _scratch_database_url(tmp), "CIVICBILL_VAR_DIR": str(tmp)}
    for command in (
        [sys.executable, "-m", "civicbill.cli", "migrate", "--no-input", "-v0"],
        [sys.executable, str(WORKER)],
    ):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_clerks_opening_accounts_at_the_same_moment_get_different_numbers(race_results):
    assert sorted(race_results["separate_premises"]) == ["1000001-6", "1000002-4", "1000003-2", "1000004-0"]


def test_two_clerks_moving_two_customers_into_one_premise_at_once_open_one_account(race_results):
    assert sorted(race_results["same_premise"]) == ["1000005-7", "refused: premise_occupied"]
