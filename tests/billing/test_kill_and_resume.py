# ruff: noqa: S608
"""A commit killed with SIGKILL half-way, then the same command again: every bill once, books balanced.

Runs on a scratch database of its own through the real console script (the rest of the suite runs
inside rolled-back transactions, where a process cannot be killed mid-commit).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

# the queries below are built from our own integers (run ids), never from input

ROOT = Path(__file__).resolve().parents[2]


def _env(url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "CIVICBILL_VAR_DIR": str(var_dir), **extra}


def civicbill(url: str, var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script
        [sys.executable, "-m", "civicbill.cli", *args],
        cwd=ROOT, env=_env(url, var_dir), capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """(DATABASE_URL, query) for an empty database of its own; query(sql) returns all rows."""
    if connection.vendor == "sqlite":
        path = tmp_path / "scratch.sqlite3"

        def query_sqlite(sql: str) -> list[tuple[Any, ...]]:
            with sqlite3.connect(path, timeout=30) as db:
                return db.execute(sql).fetchall()

        yield f"sqlite:///{path}", query_sqlite
        return
    import psycopg

    db = settings.DATABASES["default"]
    server: dict[str, Any] = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }
    name = f"civicbill_billing_scratch_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{quote(server['password'])}" if server["password"] else ""

    def query_pg(sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(dbname=name, autocommit=True, **server) as conn:
            return conn.execute(sql).fetchall()  # type: ignore[arg-type,unused-ignore]

    try:
        yield (
            f"postgresql://{quote(server['user'])}{password}@{server['host']}:{server['port']}/{name}",
            query_pg,
        )
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_commit_killed_mid_way_finishes_on_the_rerun_without_duplicates_or_gaps(
    scratch: tuple[str, Any], tmp_path: Path
) -> None:
    url, query = scratch
    seeded = civicbill(url, tmp_path, "demo-city", "--accounts", "120", "--seed", "5", "--reset", "--json")
    assert seeded.returncode == 0, seeded.stderr
    period = json.loads(seeded.stdout)["billing"]["unbilled_period"]
    trial = civicbill(url, tmp_path, "bill-run", "--cycle", "all", "--period", period, "--trial", "--json")
    assert trial.returncode == 0, trial.stderr
    runs = json.loads(trial.stdout)["runs"]
    run_ids = ", ".join(str(run["run_id"]) for run in runs)
    assert [run["status"] for run in runs] == ["trial"] * 4
    bills_before = query("SELECT COUNT(*) FROM ledger_journalentry WHERE source_type = 'bill'")[0][0]

    committing = subprocess.Popen(  # noqa: S603 - our own console script
        [sys.executable, "-m", "civicbill.cli", "bill-run", "--cycle", "all", "--period", period, "--json"],
        cwd=ROOT,
        env=_env(url, tmp_path, CIVICBILL_BILL_COMMIT_CHUNK="4", CIVICBILL_BILL_COMMIT_PAUSE_S="0.15"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    issued_sql = f"SELECT COUNT(*) FROM billing_bill WHERE run_id IN ({run_ids}) AND status = 'issued'"
    deadline = time.monotonic() + 120
    while query(issued_sql)[0][0] < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(committing.pid, signal.SIGKILL)
    committing.wait(timeout=30)
    assert committing.returncode == -signal.SIGKILL
    issued_at_kill = query(issued_sql)[0][0]
    statuses = [row[0] for row in query(f"SELECT status FROM billing_billrun WHERE id IN ({run_ids})")]
    assert "committing" in statuses  # the kill came half-way through
    assert issued_at_kill >= 20

    rerun = civicbill(url, tmp_path, "bill-run", "--cycle", "all", "--period", period, "--json")
    assert rerun.returncode == 0, rerun.stderr
    outcome = json.loads(rerun.stdout)["runs"]
    assert [run["status"] for run in outcome] == ["committed"] * 4
    eligible = sum(run["bills"] for run in outcome)
    assert eligible == query(issued_sql)[0][0] > issued_at_kill
    # one entry per issued bill with charges, none twice, none missing
    posted = query(
        "SELECT b.number, COUNT(e.id) FROM billing_bill b LEFT JOIN ledger_journalentry e "
        f"ON e.idempotency_key = 'bill:' || b.number WHERE b.run_id IN ({run_ids}) AND b.status = 'issued' "
        "AND b.current_charges_cents <> 0 GROUP BY b.number"
    )
    assert posted and all(count == 1 for _number, count in posted)
    linked = query(
        f"SELECT COUNT(*) FROM billing_bill WHERE run_id IN ({run_ids}) AND status = 'issued' "
        "AND current_charges_cents <> 0 AND journal_entry_id IS NULL"
    )[0][0]
    assert linked == 0
    bills_after = query("SELECT COUNT(*) FROM ledger_journalentry WHERE source_type = 'bill'")[0][0]
    assert bills_after - bills_before == len(posted)
    total = sum(run["total_billed_cents"] for run in outcome)
    posted_cents = query(
        "SELECT COALESCE(SUM(l.debit_cents - l.credit_cents), 0) FROM ledger_journalline l "
        "JOIN ledger_journalentry e ON e.id = l.entry_id JOIN billing_bill b ON b.journal_entry_id = e.id "
        f"WHERE b.run_id IN ({run_ids}) AND l.customer_account_id IS NOT NULL"
    )[0][0]
    assert int(posted_cents) == total
    books = civicbill(url, tmp_path, "check-books")
    assert books.returncode == 0, books.stdout + books.stderr


def civicbill_with(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script
        [sys.executable, "-m", "civicbill.cli", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def _drafts(query: Any, run_id: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """A run's drafts as stored (bills with their lines; exceptions), without ids or timestamps."""
    lines = query(
        "SELECT b.account_id, b.number, b.meter_serial, b.previous_read_on, b.previous_read, "
        "b.current_read_on, b.current_read, b.consumption_hcf, b.estimated, b.previous_balance_cents, "
        "b.payments_cents, b.adjustments_cents, b.current_charges_cents, b.total_due_cents, l.sequence, "
        "l.service, l.charge_key, l.description, l.quantity, l.unit, l.tier, l.price, l.amount_cents, "
        "l.proration, l.line_period_start, l.line_period_end, l.rate_version_id, l.version_label, l.detail "
        f"FROM billing_bill b JOIN billing_billline l ON l.bill_id = b.id WHERE b.run_id = {run_id} "
        "AND b.status = 'draft' ORDER BY b.account_id, l.sequence"
    )
    exceptions = query(
        "SELECT account_id, code, blocking, message, resolution FROM billing_billexception "
        f"WHERE run_id = {run_id} ORDER BY account_id, code"
    )
    return lines, exceptions


def _processes_with(text: str) -> list[int]:
    """Live processes whose environment holds ``text`` (a scratch database's URL)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="trial workers run on Linux only")
def test_a_trial_in_worker_processes_killed_mid_way_carries_on_and_drafts_what_one_process_drafts(
    scratch: tuple[str, Any], tmp_path: Path
) -> None:
    url, query = scratch
    seeded = civicbill(url, tmp_path, "demo-city", "--accounts", "120", "--seed", "5", "--reset", "--json")
    assert seeded.returncode == 0, seeded.stderr
    period = json.loads(seeded.stdout)["billing"]["unbilled_period"]
    trial = ("bill-run", "--cycle", "1", "--period", period, "--trial")
    one_process = civicbill_with(_env(url, tmp_path, CIVICBILL_BILL_TRIAL_WORKERS="1"), *trial, "--json")
    assert one_process.returncode == 0, one_process.stderr
    [run] = json.loads(one_process.stdout)["runs"]
    expected = _drafts(query, run["run_id"])
    assert run["accounts"] == len({line[0] for line in expected[0]}) == 30

    # the trial again (it replaces the drafts) in two workers, three accounts a chunk, killed half-way
    workers = _env(url, tmp_path, CIVICBILL_BILL_TRIAL_WORKERS="2", CIVICBILL_BILL_TRIAL_CHUNK="3")
    trying = subprocess.Popen(  # noqa: S603 - our own console script
        [sys.executable, "-m", "civicbill.cli", *trial],
        cwd=ROOT, env={**workers, "CIVICBILL_BILL_TRIAL_PAUSE_S": "0.3"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    drafts_sql = f"SELECT COUNT(*) FROM billing_bill WHERE run_id = {run['run_id']}"
    status_sql = f"SELECT status FROM billing_billrun WHERE id = {run['run_id']}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (
        query(status_sql)[0][0] == "trial_running" and 6 <= query(drafts_sql)[0][0] < 30
    ):
        time.sleep(0.02)
    os.kill(trying.pid, signal.SIGKILL)
    trying.wait(timeout=30)
    time.sleep(0.5)
    assert _processes_with(url) == []  # the workers died with the trial that forked them
    assert 6 <= query(drafts_sql)[0][0] < 30
    assert query(status_sql)[0][0] == "trial_running"

    rerun = civicbill_with(workers, *trial, "--json")
    assert rerun.returncode == 0, rerun.stderr
    [outcome] = json.loads(rerun.stdout)["runs"]
    assert (outcome["status"], outcome["accounts"], outcome["drafts"]) == ("trial", 30, 30)
    assert _drafts(query, run["run_id"]) == expected
    books = civicbill(url, tmp_path, "check-books")
    assert books.returncode == 0, books.stdout + books.stderr
