# ruff: noqa: E501, S608 - set-up rows one per line; SQL built from our own table names
"""Benchmark: a billing run (trial + commit with ledger postings) over N accounts, against the write floor.

    DATABASE_URL=sqlite:////tmp/bill-bench.sqlite3 PYTHONPATH=. .venv/bin/python benchmarks/bill_run.py \\
        --accounts 100000 --reset
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/civicbill_bill_bench PYTHONPATH=. \\
        .venv/bin/python benchmarks/bill_run.py --accounts 1000000 --reset

Set-up (not timed), written with COPY / executemany straight into the tables: the Coachella demo
schedules, billing cycle 1 (read on the 28th), N single-family accounts with water (W-RES) and sewer
(S-RES) agreements, a water service point and meter (5/8" or 3/4") each, and two accepted reads
(2026-10-28 and 2026-11-28, 4-40 HCF apart, so tiers and both meter prices occur).

Timed: ``bill_run_trial`` then ``bill_run_commit`` for cycle 1, November 2026, exactly as
``civicbill bill-run`` runs them: every account rated, drafts and lines stored, then every bill
issued with its balanced journal entry (AR by service / revenue by service) in chunks.

The write floor: the same rows (bills, bill lines, journal entries, journal lines) written again
with COPY (PostgreSQL) or one executemany (SQLite) alone, into the same tables with their indexes,
constraints and triggers, in one committed transaction. The ratio run ÷ floor says
how much the run costs beyond writing its results. Figures are recorded in ``benchmarks/RESULTS.md``
unless ``--no-record``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbill.settings")
os.environ.setdefault("CIVICBILL_DEBUG", "0")
os.environ.setdefault("CIVICBILL_SECRET_KEY", "benchmark-only-not-secret")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402

from civicbill.billing.models import Bill, BillLine  # noqa: E402
from civicbill.billing.services import (  # noqa: E402
    bill_run_commit,
    bill_run_start,
    bill_run_trial,
    billing_cycle_ensure,
)
from civicbill.core.bulk_rows import insert_rows, write_rows  # noqa: E402
from civicbill.customers.models import Account, Customer, Premise, ServiceAgreement  # noqa: E402
from civicbill.ledger.models import JournalEntry, JournalLine  # noqa: E402
from civicbill.meters.models import Meter, MeterInstallation, Read, ServicePoint  # noqa: E402
from civicbill.rates.services import load_demo_schedules_trusted  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
AT = dt.datetime(2026, 1, 5, 17, 0, tzinfo=dt.UTC)
OPENED = dt.date(2026, 1, 2)
PERIOD = dt.date(2026, 11, 1)
AS_OF = dt.date(2026, 12, 1)
BATCH = 100_000


def reset() -> None:
    from scratch_db import drop_all_tables  # benchmarks/ is on sys.path when a script runs

    drop_all_tables()


def copy_model(model: type[models.Model], count: int, values: Callable[[int], dict[str, Any]]) -> None:
    """Insert ``count`` rows with ids 1..count: ``values(n)`` gives the fields that vary, every other
    concrete field takes its default."""
    fields = [f for f in model._meta.concrete_fields]
    names = [cast(Any, f).attname for f in fields]
    defaults = {name: f.get_default() for name, f in zip(names, fields, strict=True)}
    for start in range(1, count + 1, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, count + 1)):
            row = {**defaults, "id": n, **values(n)}
            rows.append(tuple(row[name] for name in names))
        insert_rows(model, names, rows)


def set_up(accounts: int) -> tuple[User, float]:
    started = time.perf_counter()
    actor = User.objects.create_user(username="bench", password="bench-password-1")  # noqa: S106
    actor.groups.add(Group.objects.get_or_create(name="Technician")[0])
    load_demo_schedules_trusted(actor=actor, as_of=AS_OF)
    billing_cycle_ensure(number=1, name="Bench", read_day=28, actor=actor, at=AT)
    with transaction.atomic():
        copy_model(
            Customer, accounts,
            lambda n: {"last_name": f"Customer {n}", "mailing_line1": f"{n} Avenue 48", "mailing_city": "Coachella",
                       "mailing_zip": "92236", "search_name": f"CUSTOMER {n}", "created_at": AT},
        )  # fmt: skip
        copy_model(
            Premise, accounts,
            lambda n: {"house_number": str(n), "street_name": "Avenue 48", "city": "Coachella", "zip_code": "92236",
                       "search_address": f"{n} AVENUE 48", "read_route": f"R{n // 500:04d}", "created_at": AT},
        )  # fmt: skip
        copy_model(
            Account, accounts,
            lambda n: {"number": f"{n:07d}-0", "customer_id": n, "premise_id": n, "status": "active",
                       "opened_on": OPENED, "created_at": AT},
        )  # fmt: skip
        copy_model(
            ServiceAgreement, 2 * accounts,
            lambda n: {"account_id": (n + 1) // 2, "service": "water" if n % 2 else "sewer",
                       "rate_schedule_code": "W-RES" if n % 2 else "S-RES", "start_date": OPENED, "created_at": AT},
        )  # fmt: skip
        copy_model(
            ServicePoint, accounts,
            lambda n: {"premise_id": n, "read_route": f"R{n // 500:04d}", "route_sequence": n % 500, "created_at": AT},
        )  # fmt: skip
        copy_model(
            Meter, accounts,
            lambda n: {"serial_number": f"B{n:08d}", "make": "Badger", "size": "3/4" if n % 3 == 0 else "5/8",
                       "dials": 6, "status": "installed", "created_at": AT},
        )  # fmt: skip
        copy_model(
            MeterInstallation, accounts,
            lambda n: {"meter_id": n, "service_point_id": n, "installed_on": OPENED, "install_read": Decimal(0),
                       "created_at": AT},
        )  # fmt: skip

        def read(n: int) -> dict[str, Any]:
            meter = (n + 1) // 2
            first = n % 2 == 1
            used = 4 + (meter * 7919) % 37  # 4 - 40 HCF
            value = 100_000 + meter % 1000 + (0 if first else used * 100)
            return {
                "meter_id": meter, "installation_id": meter, "service_point_id": meter,
                "read_on": dt.date(2026, 10, 28) if first else dt.date(2026, 11, 28), "value": Decimal(value),
                "source": "amr", "status": "actual", "consumption_hcf": Decimal(20 if first else used),
                "created_by_id": actor.pk, "created_at": AT,
            }  # fmt: skip

        copy_model(Read, 2 * accounts, read)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (
                    Customer,
                    Premise,
                    Account,
                    ServiceAgreement,
                    ServicePoint,
                    Meter,
                    MeterInstallation,
                    Read,
                ):
                    table = model._meta.db_table
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return actor, time.perf_counter() - started


def fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def columns(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def floor_rows(run_id: int) -> Iterator[tuple[str, list[str], list[tuple[Any, ...]]]]:
    """The run's rows as they are stored, renumbered so they can be written again (new ids, bill
    numbers, entry ids and keys; another billing month) without touching a unique constraint."""
    bill_cols, line_cols = columns(Bill), columns(BillLine)
    entry_cols, jline_cols = columns(JournalEntry), columns(JournalLine)
    bills = fetch(f"SELECT {', '.join(bill_cols)} FROM billing_bill WHERE run_id = %s ORDER BY id", [run_id])
    offset = 10**9
    index = {name: i for i, name in enumerate(bill_cols)}
    new_bills = []
    for stored in bills:
        row = list(stored)
        row[index["id"]] += offset
        row[index["number"]] = "X" + row[index["number"]]
        row[index["period"]] = dt.date(2030, 1, 1) if connection.vendor == "postgresql" else "2030-01-01"
        row[index["journal_entry_id"]] = None
        new_bills.append(tuple(row))
    lines = fetch(
        f"SELECT {', '.join(line_cols)} FROM billing_billline WHERE bill_id IN "
        "(SELECT id FROM billing_bill WHERE run_id = %s) ORDER BY id",
        [run_id],
    )
    line_index = {name: i for i, name in enumerate(line_cols)}
    new_lines = []
    for stored in lines:
        row = list(stored)
        row[line_index["id"]] += offset
        row[line_index["bill_id"]] += offset
        new_lines.append(tuple(row))
    entries = fetch(
        f"SELECT {', '.join('e.' + c for c in entry_cols)} FROM ledger_journalentry e "
        "JOIN billing_bill b ON b.journal_entry_id = e.id WHERE b.run_id = %s",
        [run_id],
    )
    entry_index = {name: i for i, name in enumerate(entry_cols)}
    new_id: dict[Any, Any] = {}
    new_entries = []
    for stored in entries:
        row = list(stored)
        fresh = uuid.uuid4()
        new_id[row[entry_index["id"]]] = fresh if connection.vendor == "postgresql" else fresh.hex
        row[entry_index["id"]] = new_id[row[entry_index["id"]]]
        row[entry_index["idempotency_key"]] = "X" + row[entry_index["idempotency_key"]]
        new_entries.append(tuple(row))
    jlines = fetch(
        f"SELECT {', '.join('l.' + c for c in jline_cols)} FROM ledger_journalline l "
        "JOIN billing_bill b ON b.journal_entry_id = l.entry_id WHERE b.run_id = %s",
        [run_id],
    )
    jline_index = {name: i for i, name in enumerate(jline_cols)}
    new_jlines = []
    for stored in jlines:
        row = list(stored)
        row[jline_index["entry_id"]] = new_id[row[jline_index["entry_id"]]]
        new_jlines.append(tuple(c for c, name in zip(row, jline_cols, strict=True) if name != "id"))
    yield "billing_bill", bill_cols, new_bills
    yield "billing_billline", line_cols, new_lines
    yield "ledger_journalline", [c for c in jline_cols if c != "id"], new_jlines
    yield "ledger_journalentry", entry_cols, new_entries


def write_floor(run_id: int) -> tuple[float, dict[str, int]]:
    tables = list(floor_rows(run_id))
    counts = {table: len(rows) for table, _cols, rows in tables}
    started = time.perf_counter()
    with transaction.atomic():  # committed, so commit-time checks (deferred keys, triggers) count too
        for table, cols, rows in tables:
            write_rows(table, cols, rows)
    return time.perf_counter() - started, counts


def database_label() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return (
                f"PostgreSQL {cursor.fetchone()[0].split()[0]} (database {connection.settings_dict['NAME']})"
            )
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]} (file)"


def record(key: str, text: str) -> None:
    begin, end = f"<!-- bill_run:{key} -->", f"<!-- /bill_run:{key} -->"
    content = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    heading = "## Billing run (`benchmarks/bill_run.py`)"
    if heading not in content:
        content = (
            content.rstrip("\n") + f"\n\n{heading}\n\n<!-- bill_run:notes -->\n<!-- /bill_run:notes -->\n"
        )
    block = f"{begin}\n{text}{end}\n"
    if begin in content:
        content = content[: content.index(begin)] + block + content[content.index(end) + len(end) + 1 :]
    else:
        notes_end = "<!-- /bill_run:notes -->\n"
        at = content.index(notes_end) + len(notes_end)
        content = content[:at] + "\n" + block + content[at:]
    RESULTS.write_text(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--reset", action="store_true", help="drop every table first")
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument(
        "--resume-commit",
        type=float,
        metavar="TRIAL_SECONDS",
        help="the database holds a run whose commit stopped: time the rest of the commit (the trial's "
        "seconds, measured before, are given here)",
    )
    options = parser.parse_args()
    if options.resume_commit is not None:
        resume(options)
        return
    if options.reset:
        reset()
    call_command("migrate", interactive=False, verbosity=0)
    if Account.objects.exists():
        raise SystemExit("the database holds accounts already: pass --reset")
    actor, setup_s = set_up(options.accounts)
    print(f"set-up: {options.accounts:,} accounts in {setup_s:.1f} s", flush=True)

    def show(stage: str) -> Callable[[int, int], None]:
        def report(done: int, total: int) -> None:
            print(f"\r{stage}: {done:,}/{total:,}", end="", file=sys.stderr, flush=True)

        return report

    started = time.perf_counter()
    run = bill_run_start(cycle_number=1, period=PERIOD, actor=actor, as_of=AS_OF)
    run = bill_run_trial(run_id=run.pk, actor=actor, as_of=AS_OF, progress=show("trial"))
    trial_s = time.perf_counter() - started
    print(f"\ntrial: {trial_s:.1f} s", flush=True)
    started = time.perf_counter()
    run = bill_run_commit(run_id=run.pk, actor=actor, as_of=AS_OF, progress=show("commit"))
    commit_s = time.perf_counter() - started
    print(f"\ncommit: {commit_s:.1f} s", flush=True)
    report(options, run, trial_s=trial_s, commit_s=commit_s, note=f"Set-up (not timed): {setup_s:.0f} s.")


def resume(options: argparse.Namespace) -> None:
    from civicbill.billing.models import BillRun

    run = BillRun.objects.get(cycle__number=1, period=PERIOD)
    actor = User.objects.get(username="bench")
    before = Bill.objects.filter(run=run, status="issued").count()
    started = time.perf_counter()
    run = bill_run_commit(run_id=run.pk, actor=actor, as_of=AS_OF)
    commit_s = time.perf_counter() - started
    print(f"commit (resumed, {before:,} bills issued before): {commit_s:.1f} s", flush=True)
    report(
        options,
        run,
        trial_s=options.resume_commit,
        commit_s=commit_s * run.bills_count / max(1, run.bills_count - before),
        note=f"The first commit was stopped after {before:,} bills; the commit time is the resumed "
        f"commit's ({commit_s:.0f} s for {run.bills_count - before:,} bills) scaled to all bills.",
    )


def report(options: argparse.Namespace, run: Any, *, trial_s: float, commit_s: float, note: str) -> None:
    floor_s, counts = write_floor(run.pk)
    total_s = trial_s + commit_s
    label = database_label()
    text = (
        f"### {label}, {options.accounts:,} accounts ({dt.date.today():%Y-%m-%d})\n\n"  # noqa: DTZ011
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}. "
        f"{note}\n\n"
        "| stage | seconds | per second |\n|---|---:|---:|\n"
        f"| trial (rate, store drafts) | {trial_s:.1f} | {options.accounts / trial_s:,.0f} accounts |\n"
        f"| commit (issue, post) | {commit_s:.1f} | {run.bills_count / commit_s:,.0f} bills |\n"
        f"| **run** | **{total_s:.1f}** | {options.accounts / total_s:,.0f} accounts |\n"
        f"| write floor (COPY only) | {floor_s:.1f} | |\n\n"
        f"Run ÷ write floor: **{total_s / floor_s:.1f}×**. Rows: {counts['billing_bill']:,} bills, "
        f"{counts['billing_billline']:,} bill lines, {counts['ledger_journalentry']:,} journal entries, "
        f"{counts['ledger_journalline']:,} journal lines; billed {run.total_billed_cents / 100:,.2f} dollars.\n\n"
    )
    print(text)
    if not options.no_record:
        record("sqlite" if connection.vendor == "sqlite" else "postgresql", text)


if __name__ == "__main__":
    main()
