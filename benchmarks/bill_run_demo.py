"""Benchmark: the billing run of the demo city's open month (realistic data), against the write floor
and against the bare benchmark (``benchmarks/bill_run.py``).

    export CIVICBILL_VAR_DIR=/tmp/bill-demo PYTHONPATH=.
    DATABASE_URL=sqlite:////tmp/bill-demo/work.sqlite3 .venv/bin/python benchmarks/bill_run_demo.py \\
        --accounts 20000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/civicbill_demo_run .venv/bin/python \\
        benchmarks/bill_run_demo.py --accounts 100000

The city is built once (``civicbill demo-city --accounts N --seed 1 --reset``: a year of reads, bills
and payments, water, sewer and refuse, residential and commercial classes, move-ins and move-outs,
the newest month read and not billed) into a *saved* database: a SQLite file beside the working
one (``work-city-N.sqlite3``) or a PostgreSQL database ``<work>_city_N``, kept for the next
measure (``--rebuild`` builds it again; ``--saved`` names another). Each measure starts from a copy
of it (SQLite's backup API; ``CREATE DATABASE … TEMPLATE``), so a re-measure after a change to the
code does not rebuild the city.

Timed, per cycle, as the demo billed its history (:func:`civicbill.demo.billing.demo_billing_seed`)
and as ``civicbill bill-run`` does: ``bill_run_start`` + ``bill_run_trial`` (the missing-read
estimates, rating, drafts and exceptions), then ``bill_run_commit`` (issue and post), replayed at
06:00 and 06:30 on the day the demo was built (its newest reads are ``READ_LAG_DAYS`` old, so the
missing-read policy estimates the reads still missing, as a visitor's first run does). The write
floor is the runs' rows (bills, bill lines, journal entries and lines) written again by COPY /
executemany alone, as ``bill_run.py`` measures it. The bare benchmark's accounts/s (its recorded
block for the same database) is the yardstick.

``--profile FILE`` runs the trial in this process (no worker processes), writes a cProfile to FILE
and prints the top functions and the queries grouped by their text with their total time.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import platform
import pstats
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
HEADING = "## Billing run of the demo city (`benchmarks/bill_run_demo.py`)"


# -- the saved city and the working copy (before Django is set up) ----------------------------------


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit("set DATABASE_URL to the working database (it is replaced by a copy of the city)")
    return url


def saved_name(url: str, accounts: int, saved: str | None) -> str:
    """The SQLite file or PostgreSQL database the city is kept in."""
    if saved:
        return saved
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        return f"{parsed.path.lstrip('/')}_city_{accounts}"
    work = Path(parsed.path)
    return str(work.with_name(f"{work.stem}-city-{accounts}{work.suffix}"))


def with_database(url: str, name: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        return parsed._replace(path=f"/{name}").geturl()
    return f"sqlite:///{name}"


def _pg_admin(url: str) -> Any:
    import psycopg

    parsed = urlparse(url)
    return psycopg.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username, password=parsed.password,
        dbname="postgres", autocommit=True,
    )  # fmt: skip


def saved_exists(url: str, saved: str) -> bool:
    """Whether the city is saved (a build is saved under its name only once it finished)."""
    if urlparse(url).scheme.startswith("postgres"):
        with _pg_admin(url) as admin:
            return bool(admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [saved]).fetchone())
    return Path(saved).exists()


def build(url: str, saved: str, accounts: int) -> float:
    """Build the city with the CLI into ``<saved>_building`` and give it the saved name when it is
    done (a stopped build is never taken for a city); returns the seconds it took."""
    postgres = urlparse(url).scheme.startswith("postgres")
    building = f"{saved}_building" if postgres else f"{saved}.building"
    if postgres:
        with _pg_admin(url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{building}"')
            admin.execute(f'CREATE DATABASE "{building}"')
    else:
        for name in (building, saved):
            for suffix in ("", "-wal", "-shm"):
                Path(name + suffix).unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": with_database(url, building), "PYTHONPATH": str(ROOT)}
    if not env.get("CIVICBILL_FIELD_KEY"):  # the demo enrolls autopay; its bank numbers need a key
        from cryptography.fernet import Fernet

        env["CIVICBILL_FIELD_KEY"] = Fernet.generate_key().decode()
    print(f"building the demo city of {accounts:,} accounts into {saved} ...", flush=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as var:
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "civicbill.cli", "demo-city", "--accounts", str(accounts), "--seed", "1",
             "--reset", "--json"],
            env={**env, "CIVICBILL_VAR_DIR": var},
            check=True,
        )  # fmt: skip
    if postgres:
        with _pg_admin(url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{saved}"')
            admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{saved}"')
    else:
        source, target = sqlite3.connect(building), sqlite3.connect(saved)
        with target:
            source.backup(target)  # one file, the write-ahead log folded in
        source.close()
        target.close()
        for suffix in ("", "-wal", "-shm"):
            Path(building + suffix).unlink(missing_ok=True)
    return time.perf_counter() - started


def restore(url: str, saved: str) -> float:
    """Replace the working database with a copy of the saved city; returns the seconds it took."""
    started = time.perf_counter()
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        work = parsed.path.lstrip("/")
        with _pg_admin(url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{work}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{work}" TEMPLATE "{saved}"')
    else:
        work = parsed.path
        for suffix in ("", "-wal", "-shm"):
            Path(work + suffix).unlink(missing_ok=True)
        source, target = sqlite3.connect(saved), sqlite3.connect(work)
        with target:
            source.backup(target)
        source.close()
        target.close()
    return time.perf_counter() - started


# -- the measure (Django set up) ---------------------------------------------------------------------


class QueryLog:
    """Queries grouped by their text (numbers and quoted values blanked), with count and seconds."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.count: dict[str, int] = defaultdict(int)

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = re.sub(r"\b\d+\b", "N", re.sub(r"'[^']*'", "'?'", sql))[:300]
            self.seconds[key] += time.perf_counter() - started
            self.count[key] += 1

    def report(self, top: int = 25) -> str:
        rows = sorted(self.seconds.items(), key=lambda item: -item[1])[:top]
        total = sum(self.seconds.values())
        lines = [f"queries: {sum(self.count.values()):,}, {total:.2f} s in the database (this process)"]
        lines += [f"{seconds:8.2f} s {self.count[key]:7,}×  {key}" for key, seconds in rows]
        return "\n".join(lines)


def cpu_s() -> float:
    """CPU seconds of this process and of its finished children (the trial's worker processes). On
    SQLite the database works inside them, so on a shared machine this is the steadier figure."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def open_month() -> tuple[list[Any], dt.date]:
    from civicbill.billing.models import BillingCycle, BillRun
    from civicbill.billing.periods import add_months

    latest = (
        BillRun.objects.filter(status=BillRun.Status.COMMITTED)
        .order_by("-period")
        .values_list("period", flat=True)[:1]
    )
    if not latest:
        raise SystemExit("the database holds no committed run: is it a demo city?")
    return list(BillingCycle.objects.order_by("number")), add_months(latest[0], 1)


def measure(profile: str | None) -> dict[str, Any]:
    from django.db import connection

    from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial, cycle_period
    from civicbill.core import clock
    from civicbill.demo.billing import COMMIT_MINUTE, RUN_HOUR
    from civicbill.demo.seed import READ_LAG_DAYS, at_hour, conversion_user

    actor = conversion_user()
    cycles, month = open_month()
    profiler = cProfile.Profile() if profile else None
    queries = QueryLog()
    trial_s = commit_s = trial_cpu = commit_cpu = 0.0
    runs = []
    per_cycle = []
    for cycle in cycles:
        billing = cycle_period(cycle, month)
        # run the day the demo was built (its reads are that many days old): the missing-read
        # policy estimates what is still unread, as a visitor's first run of the month does
        as_of = max(billing.bill_date, billing.end + dt.timedelta(days=READ_LAG_DAYS))
        with connection.execute_wrapper(queries):
            started, cpu = time.perf_counter(), cpu_s()
            if profiler:
                profiler.enable()
            with clock.replaying(at_hour(as_of, RUN_HOUR)):
                run = bill_run_start(cycle_number=cycle.number, period=month, actor=actor, as_of=as_of)
                run = bill_run_trial(run_id=run.pk, actor=actor, as_of=as_of)
            if profiler:
                profiler.disable()
            trial = time.perf_counter() - started
            trial_cpu += cpu_s() - cpu
            started, cpu = time.perf_counter(), cpu_s()
            if profiler:
                profiler.enable()
            with clock.replaying(at_hour(as_of, RUN_HOUR, COMMIT_MINUTE)):
                run = bill_run_commit(run_id=run.pk, actor=actor, as_of=as_of)
            if profiler:
                profiler.disable()
            commit = time.perf_counter() - started
            commit_cpu += cpu_s() - cpu
        print(
            f"cycle {cycle.number}: {run.accounts_count:,} accounts, {run.bills_count:,} bills "
            f"({run.skipped_count:,} held): trial {trial:.1f} s, commit {commit:.1f} s",
            flush=True,
        )
        per_cycle.append(
            (cycle.number, run.accounts_count, run.bills_count, run.skipped_count, trial, commit)
        )
        trial_s += trial
        commit_s += commit
        runs.append(run)
    if profiler and profile:
        profiler.dump_stats(profile)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        print(out.getvalue())
        print(queries.report())
    return {
        "month": month,
        "runs": runs,
        "per_cycle": per_cycle,
        "trial_s": trial_s,
        "commit_s": commit_s,
        "trial_cpu": trial_cpu,
        "commit_cpu": commit_cpu,
        "queries": sum(queries.count.values()),
        "query_s": sum(queries.seconds.values()),
    }


def write_floor(run_ids: list[int]) -> tuple[float, dict[str, int]]:
    """The runs' rows written again, in one committed transaction (bill_run.py's floor, all cycles)."""
    from bill_run import floor_rows  # benchmarks/ is on sys.path when a script runs
    from django.db import transaction

    from civicbill.core.bulk_rows import write_rows

    merged: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    for run_id in run_ids:
        for table, cols, rows in floor_rows(run_id):
            merged.setdefault(table, (cols, []))[1].extend(rows)
    counts = {table: len(rows) for table, (_cols, rows) in merged.items()}
    started = time.perf_counter()
    with transaction.atomic():
        for table, (cols, rows) in merged.items():
            write_rows(table, cols, rows)
    return time.perf_counter() - started, counts


def bare_rate(vendor: str) -> tuple[float, str] | None:
    """The bare benchmark's recorded run rate (accounts/s) and its heading, for this database."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    block = re.search(rf"<!-- bill_run:{vendor} -->\n(.*?)<!-- /bill_run:{vendor} -->", text, re.S)
    if not block:
        return None
    rate = re.search(r"\| \*\*run\*\* \| \*\*[\d.]+\*\* \| ([\d,]+) accounts \|", block.group(1))
    heading = block.group(1).splitlines()[0].lstrip("# ")
    return (float(rate.group(1).replace(",", "")), heading) if rate else None


def database_label() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]} (file)"


def report(
    options: argparse.Namespace, figures: dict[str, Any], floor_s: float, counts: dict[str, int]
) -> str:
    from django.db import connection

    runs = figures["runs"]
    accounts = sum(run.accounts_count for run in runs)
    bills = sum(run.bills_count for run in runs)
    held = sum(run.skipped_count for run in runs)
    trial_s, commit_s = figures["trial_s"], figures["commit_s"]
    total_s = trial_s + commit_s
    rate = accounts / total_s
    bare = bare_rate(connection.vendor)
    versus = (
        f"The bare benchmark ({bare[1]}) runs {bare[0]:,.0f} accounts/s: this run is "
        f"**{bare[0] / rate:.1f}×** slower per account (target ≤ 2×)."
        if bare
        else "No bare benchmark figure recorded for this database."
    )
    cycles = "; ".join(
        f"cycle {number}: {accts:,} accounts, trial {trial:.1f} s, commit {commit:.1f} s"
        for number, accts, _bills, _held, trial, commit in figures["per_cycle"]
    )
    label = f" — {options.label}" if options.label else ""
    return (
        f"### {database_label()}, demo city of {options.accounts:,} accounts, "
        f"{figures['month']:%Y-%m}{label} "
        f"({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)\n\n"
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at the end. {options.note}\n\n"
        "| stage | seconds | per second | CPU s (Python) |\n|---|---:|---:|---:|\n"
        "| trial (estimate missing reads, rate, store drafts) | "
        f"{trial_s:.1f} | {accounts / trial_s:,.0f} accounts | {figures['trial_cpu']:.1f} |\n"
        f"| commit (issue, post) | {commit_s:.1f} | {bills / commit_s:,.0f} bills | "
        f"{figures['commit_cpu']:.1f} |\n"
        f"| **run** | **{total_s:.1f}** | **{rate:,.0f} accounts**, {bills / total_s:,.0f} bills | "
        f"{figures['trial_cpu'] + figures['commit_cpu']:.1f} |\n"
        f"| write floor (COPY / executemany only) | {floor_s:.1f} | | |\n\n"
        f"Run ÷ write floor: **{total_s / floor_s:.1f}×**. {versus} "
        f"{accounts:,} accounts in {len(runs)} cycles ({cycles}); {bills:,} bills issued, {held:,} held; "
        f"{figures['queries']:,} queries from this process ({figures['query_s']:.1f} s). "
        f"Rows: {counts.get('billing_bill', 0):,} bills, {counts.get('billing_billline', 0):,} bill lines, "
        f"{counts.get('ledger_journalentry', 0):,} journal entries, {counts.get('ledger_journalline', 0):,} "
        f"journal lines; billed {sum(run.total_billed_cents for run in runs) / 100:,.2f} dollars.\n\n"
    )


def record(key: str, text: str) -> None:
    begin, end = f"<!-- bill_run_demo:{key} -->", f"<!-- /bill_run_demo:{key} -->"
    content = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if HEADING not in content:
        content = (
            content.rstrip("\n")
            + f"\n\n{HEADING}\n\n<!-- bill_run_demo:notes -->\n<!-- /bill_run_demo:notes -->\n"
        )
    block = f"{begin}\n{text}{end}\n"
    if begin in content:
        content = content[: content.index(begin)] + block + content[content.index(end) + len(end) + 1 :]
    else:
        notes_end = "<!-- /bill_run_demo:notes -->\n"
        at = content.index(notes_end) + len(notes_end)
        content = content[:at] + "\n" + block + content[at:]
    RESULTS.write_text(content, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--saved", help="the built city: a SQLite file or a PostgreSQL database name")
    parser.add_argument("--rebuild", action="store_true", help="build the city again even if it is saved")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the runs in this process into FILE")
    parser.add_argument("--label", default="", help="added to the heading and the record key (e.g. before)")
    parser.add_argument("--note", default="", help="a sentence added to the recorded block")
    parser.add_argument("--no-record", action="store_true")
    options = parser.parse_args()
    url = database_url()
    saved = saved_name(url, options.accounts, options.saved)
    build_s = None
    if options.rebuild or not saved_exists(url, saved):
        build_s = build(url, saved, options.accounts)
        print(f"built in {build_s:.0f} s", flush=True)
    restore_s = restore(url, saved)
    print(f"working copy of {saved} in {restore_s:.1f} s", flush=True)
    if options.profile:
        os.environ["CIVICBILL_BILL_TRIAL_WORKERS"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbill.settings")
    os.environ.setdefault("CIVICBILL_DEBUG", "0")
    os.environ.setdefault("CIVICBILL_SECRET_KEY", "benchmark-only-not-secret")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # a template copy keeps its statistics; cheap insurance
    figures = measure(options.profile)
    floor_s, counts = write_floor([run.pk for run in figures["runs"]])
    if build_s is not None:
        options.note = f"{options.note} City built in {build_s:.0f} s (not timed).".strip()
    text = report(options, figures, floor_s, counts)
    print(text)
    if not options.no_record and not options.profile:
        vendor = "sqlite" if connection.vendor == "sqlite" else "postgresql"
        key = f"{vendor}:{options.accounts}" + (f":{options.label}" if options.label else "")
        record(key, text)


if __name__ == "__main__":
    main()
