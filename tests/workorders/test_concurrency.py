"""Clerks at the same moment: work order numbers never repeat, and one premise does not get the same
order twice. Real threads in a separate process against a throw-away database (see
tests/customers/test_concurrency.py for why)."""

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
    name = f"{name}_workorders_concurrency"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@pytest.fixture(scope="module")
def race_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("workorders-concurrency")
    url = _scratch_database_url(tmp)
    env = {**os.environ, "DATABASE_URL": url, "CIVICBILL_VAR_DIR": str(tmp)}
    for command in (
        [sys.executable, "-m", "civicbill.cli", "migrate", "--no-input", "-v0"],
        [sys.executable, str(WORKER)],
    ):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_clerks_creating_work_orders_at_the_same_moment_get_different_numbers(race_results):
    assert sorted(race_results["separate_premises"]) == ["WO-000001", "WO-000002", "WO-000003", "WO-000004"]


def test_two_clerks_creating_the_same_order_at_once_create_it_once(race_results):
    assert sorted(race_results["same_premise"]) == ["WO-000005", "refused: duplicate"]
