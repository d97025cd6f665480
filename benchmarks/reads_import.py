"""Benchmark: import, validate and store 1,000,000 meter reads (generic CSV) for ~80,000 meters.

    DATABASE_URL=sqlite:////tmp/reads-bench.sqlite3 PYTHONPATH=. .venv/bin/python benchmarks/reads_import.py
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/civicbill_reads_bench PYTHONPATH=. \\
        .venv/bin/python benchmarks/reads_import.py

The scratch database is migrated here; ``--reset`` empties it first (every table is dropped). Set-up,
not timed: 80,000 accounts with water service, service points, meters (6 dials, cubic feet) installed
on 2025-10-01 with their install reads, written by bulk insert. Then a generic CSV is generated: a
read on the first of every month from 2025-11-01 (half the meters) or 2025-12-01 (the other half) to
2026-11-01, 1,000,000 rows; use varies by meter, season (±20 %) and a little noise; 1 read in 200
triples the use (a high-usage exception) and meters starting near 999,999 roll over during the year.

Timed: one ``reads_import`` call, as ``civicbill reads import FILE --format csv`` makes it: parse,
load the context, lock the meters, validate every read (each meter's year chained in memory),
store the accepted reads (COPY / executemany) and the exceptions, commit. Figures are appended to
``benchmarks/RESULTS.md`` (one section per database, replaced when re-run) unless ``--no-record``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import platform
import pstats
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbill.settings")
# production settings: with DEBUG on, Django keeps the text of every query (IN lists included)
os.environ.setdefault("CIVICBILL_DEBUG", "0")
os.environ.setdefault("CIVICBILL_SECRET_KEY", "benchmark-only-not-secret")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from civicbill.customers.models import Account, Customer, Premise, ServiceAgreement  # noqa: E402
from civicbill.meters.models import (  # noqa: E402
    Meter,
    MeterInstallation,
    Read,
    ReadException,
    ReadImport,
    ServicePoint,
)
from civicbill.meters.services import reads_import  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
AT = dt.datetime(2025, 10, 1, 17, 0, tzinfo=dt.UTC)
INSTALLED_ON = dt.date(2025, 10, 1)
AS_OF = dt.date(2026, 11, 30)
SEASON = {1: 0.85, 2: 0.8, 3: 0.9, 4: 1.0, 5: 1.1, 6: 1.2, 7: 1.2, 8: 1.2, 9: 1.1, 10: 1.0, 11: 0.9, 12: 0.85}
BATCH = 5_000


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    days, day = [], first
    while day <= last:
        days.append(day)
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return days


def reset() -> None:
    from scratch_db import drop_all_tables  # benchmarks/ is on sys.path when a script runs

    drop_all_tables()


def set_up(meters: int) -> tuple[User, list[tuple[str, int]], float]:
    """The city: accounts, service points, meters and installations. Returns the actor, each meter's
    (serial, install read) and the seconds it took."""
    started = time.perf_counter()
    actor = User.objects.create_user(username="bench", password="bench-password-1")  # noqa: S106
    actor.groups.add(Group.objects.get_or_create(name="Technician")[0])
    customers = Customer.objects.bulk_create(
        (
            Customer(
                last_name=f"Customer {n}", mailing_line1=f"{n} Avenue 48", mailing_city="Coachella",
                mailing_zip="92236", search_name=f"CUSTOMER {n}", created_at=AT,
            )
            for n in range(meters)
        ),
        batch_size=BATCH,
    )  # fmt: skip
    premises = Premise.objects.bulk_create(
        (
            Premise(
                house_number=str(n), street_name="Avenue 48", city="Coachella", zip_code="92236",
                search_address=f"{n} AVENUE 48", created_at=AT,
            )
            for n in range(meters)
        ),
        batch_size=BATCH,
    )  # fmt: skip
    accounts = Account.objects.bulk_create(
        (
            Account(
                number=f"B{n:07d}",
                customer=c,
                premise=p,
                status="active",
                opened_on=INSTALLED_ON,
                created_at=AT,
            )
            for n, (c, p) in enumerate(zip(customers, premises, strict=True))
        ),
        batch_size=BATCH,
    )
    ServiceAgreement.objects.bulk_create(
        (
            ServiceAgreement(
                account=a, service="water", rate_schedule_code="W-RES", start_date=INSTALLED_ON, created_at=AT
            )
            for a in accounts
        ),
        batch_size=BATCH,
    )
    points = ServicePoint.objects.bulk_create(
        (
            ServicePoint(premise=p, read_route=f"R{n // 500:03d}", route_sequence=n % 500, created_at=AT)
            for n, p in enumerate(premises)
        ),
        batch_size=BATCH,
    )
    installs = [(f"W{n:07d}", 999_000 + n % 900 if n % 50 == 0 else n % 5_000) for n in range(meters)]
    meter_rows = Meter.objects.bulk_create(
        (
            Meter(
                serial_number=s,
                make="Badger",
                size="5/8",
                dials=6,
                read_unit="CF",
                status="installed",
                created_at=AT,
            )
            for s, _ in installs
        ),
        batch_size=BATCH,
    )
    installations = MeterInstallation.objects.bulk_create(
        (
            MeterInstallation(
                meter=m, service_point=p, installed_on=INSTALLED_ON, install_read=r, created_at=AT
            )
            for m, p, (_, r) in zip(meter_rows, points, installs, strict=True)
        ),
        batch_size=BATCH,
    )
    Read.objects.bulk_create(
        (
            Read(
                meter=i.meter, installation=i, service_point=i.service_point, read_on=INSTALLED_ON,
                value=i.install_read, source="install", status="actual", consumption_hcf=0, created_by=actor,
                created_at=AT,
            )
            for i in installations
        ),
        batch_size=BATCH,
    )  # fmt: skip
    return actor, installs, time.perf_counter() - started


def set_up_again() -> tuple[User, list[tuple[str, int]], float]:
    """An earlier run's city with its imports removed (reads, exceptions, import records), so that the
    import can be timed again without the set-up. Returns what :func:`set_up` returns."""
    started = time.perf_counter()
    actor = User.objects.get(username="bench")
    with connection.cursor() as cursor:  # raw SQL: the ORM would collect a million reads first
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE meters_readexception, meters_read, meters_readimport CASCADE")
            cursor.execute(
                "INSERT INTO meters_read (meter_id, installation_id, service_point_id, read_on, value, "
                "source, status, consumption_hcf, rolled_over, note, created_by_id, created_at) "
                "SELECT meter_id, id, service_point_id, installed_on, install_read, 'install', 'actual', 0, "
                "false, '', %s, created_at FROM meters_meterinstallation ORDER BY id",
                [actor.pk],
            )
        else:
            for table in (ReadException, Read, ReadImport):
                where = " WHERE read_import_id IS NOT NULL" if table is Read else ""
                cursor.execute(f"DELETE FROM {table._meta.db_table}{where}")  # noqa: S608 - our own names
    installs = [
        (serial, int(read))
        for serial, read in MeterInstallation.objects.order_by("meter_id").values_list(
            "meter__serial_number", "install_read"
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE meters_read" if connection.vendor == "postgresql" else "ANALYZE")
    return actor, installs, time.perf_counter() - started


def generate(installs: list[tuple[str, int]], reads: int, seed: int) -> tuple[bytes, bytes]:
    """The generic CSV: a monthly read per meter, month after month, ``reads`` rows in all; and the
    next month's file (one read per meter on 2026-12-01), for the monthly import after the year."""
    rng = random.Random(seed)
    months = month_starts(dt.date(2025, 11, 1), dt.date(2026, 12, 1))
    meters = len(installs)
    full = reads - meters * (len(months) - 2)  # meters with a read in all 13 months
    if not 0 <= full <= meters:
        raise SystemExit(f"{reads} reads do not fit {meters} meters with 12 or 13 monthly reads")
    value = [float(r) for _, r in installs]
    rate = [20 + (n * 7919) % 60 for n in range(meters)]  # CF a day
    lines = ["meter_serial,read_date,read_value,source"]
    following = list(lines)
    previous = INSTALLED_ON
    for index, day in enumerate(months):
        days = (day - previous).days
        previous = day
        for n, (serial, _) in enumerate(installs):
            used = rate[n] * days * SEASON[day.month] * rng.uniform(0.92, 1.08)
            if rng.random() < 0.005:
                used *= 3
            value[n] = (value[n] + used) % 1_000_000
            if index == 0 and n >= full:
                continue  # these meters' first read is a month later (their first period is two months)
            (following if index == len(months) - 1 else lines).append(
                f"{serial},{day.isoformat()},{int(value[n])},amr"
            )
    return ("\n".join(lines) + "\n").encode(), ("\n".join(following) + "\n").encode()


def server_cpu_s() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend, when the server runs on this
    machine (``/proc``); None otherwise (SQLite runs inside this process)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_label() -> tuple[str, str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return (
                "postgresql",
                f"PostgreSQL {cursor.fetchone()[0].split()[0]} (database {connection.settings_dict['NAME']})",
            )
        cursor.execute("SELECT sqlite_version()")
        return "sqlite", f"SQLite {cursor.fetchone()[0]} (file, WAL)"


def record(key: str, text: str) -> None:
    begin, end = f"<!-- reads_import:{key} -->", f"<!-- /reads_import:{key} -->"
    content = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    heading = "## Meter read import (`benchmarks/reads_import.py`)"
    if heading not in content:
        content = (
            content.rstrip("\n")
            + f"\n\n{heading}\n\n<!-- reads_import:notes -->\n<!-- /reads_import:notes -->\n"
        )
    block = f"{begin}\n{text}{end}\n"
    if begin in content:
        content = content[: content.index(begin)] + block + content[content.index(end) + len(end) + 1 :]
    else:
        notes_end = "<!-- /reads_import:notes -->\n"
        at = content.index(notes_end) + len(notes_end)
        content = content[:at] + "\n" + block + content[at:]
    RESULTS.write_text(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meters", type=int, default=80_000)
    parser.add_argument("--reads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reset", action="store_true", help="drop every table of the scratch database first")
    parser.add_argument(
        "--again",
        action="store_true",
        help="keep an earlier run's city (delete its imported reads) instead of setting it up again",
    )
    parser.add_argument("--profile", action="store_true", help="print the import's top functions (cProfile)")
    parser.add_argument("--no-record", action="store_true", help="print only; leave RESULTS.md alone")
    options = parser.parse_args()
    if options.reset:
        reset()
    call_command("migrate", interactive=False, verbosity=0)
    if Meter.objects.exists() and not options.again:
        raise SystemExit("the scratch database already has meters; pass --reset (or --again)")
    kept = options.again and Meter.objects.exists()
    if kept:
        actor, installs, set_up_s = set_up_again()
        print(f"set-up kept; the earlier imports removed in {set_up_s:.1f} s")
    else:
        actor, installs, set_up_s = set_up(options.meters)
        print(f"set-up: {options.meters:,} meters, accounts and installations in {set_up_s:.1f} s")
    started = time.perf_counter()
    content, next_month = generate(installs, options.reads, options.seed)
    print(
        f"generated {options.reads:,} reads ({len(content) / 1e6:.1f} MB) "
        f"in {time.perf_counter() - started:.1f} s"
    )

    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks[stage] = time.perf_counter()

    profiler = cProfile.Profile() if options.profile else None
    load_before = os.getloadavg()[0]
    server_before = server_cpu_s()
    cpu_before = time.process_time()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    report = reads_import(
        content=content, file_name="bench.csv", file_format="csv", actor=actor, as_of=AS_OF, progress=progress
    )
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    python_cpu_s = time.process_time() - cpu_before
    server_after = server_cpu_s()
    server_s = None if server_before is None or server_after is None else server_after - server_before
    cpu_text = f"CPU: Python {python_cpu_s:.1f} s" + (
        "" if server_s is None else f", PostgreSQL backend {server_s:.1f} s"
    )
    stored = Read.objects.filter(read_import_id=report.read_import_id).count()
    held = ReadException.objects.filter(read__read_import_id=report.read_import_id).count()
    assert stored == report.reads_accepted + report.reads_exception and held == report.reads_exception
    rate = options.reads / elapsed
    parse_s = marks["parse"] - started
    validate_s = marks["validate"] - marks["parse"]
    store_s = started + elapsed - marks["validate"]
    print(
        f"imported {options.reads:,} reads in {elapsed:.1f} s: {rate:,.0f} reads/s "
        f"(parse {parse_s:.1f} s, load + lock + validate while streaming {validate_s:.1f} s, "
        f"rest of store + commit {store_s:.1f} s); {report.reads_accepted:,} accepted, "
        f"{report.reads_exception:,} exceptions {report.exceptions_by_code}, "
        f"{report.rows_bad} bad rows; {cpu_text}; load average before/after "
        f"{load_before:.1f}/{os.getloadavg()[0]:.1f}"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    started = time.perf_counter()
    monthly = reads_import(
        content=next_month,
        file_name="next-month.csv",
        file_format="csv",
        actor=actor,
        as_of=dt.date(2026, 12, 5),
    )
    monthly_s = time.perf_counter() - started
    print(
        f"then the next month, {options.meters:,} reads against a year of history, in {monthly_s:.1f} s: "
        f"{options.meters / monthly_s:,.0f} reads/s ({monthly.reads_exception:,} exceptions)"
    )
    key, label = database_label()
    text = (
        f"### {label}\n\n"
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}, Django {django.get_version()}\n"
        + (
            f"- set-up (not timed): {options.meters:,} meters with accounts and installations kept from an "
            f"earlier run (`--again`), its imports removed in {set_up_s:.0f} s\n\n"
            if kept
            else f"- set-up (not timed): {options.meters:,} meters with accounts and installations "
            f"in {set_up_s:.0f} s\n\n"
        )
        + "| reads | total | reads/s | parse | load, lock, validate (accepted reads streamed to the database "
        "meanwhile) | rest of store + commit | accepted | exceptions |\n"
        f"|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {options.reads:,} | {elapsed:.1f} s | **{rate:,.0f}** | {parse_s:.1f} s | {validate_s:.1f} s | "
        f"{store_s:.1f} s | {report.reads_accepted:,} | {report.reads_exception:,} |\n\n"
        f"{cpu_text} ("
        + (
            "SQLite works inside the Python process"
            if server_s is None
            else "the two overlap: the server works on one core, Python on the other"
        )
        + f"); load average {load_before:.1f} before the import, {os.getloadavg()[0]:.1f} "
        "after (other jobs shared the machine when it is above ~1).\n\n"
        f"Then the next month's file, one read for each of the {options.meters:,} meters with 13 months of "
        f"history in the database: {monthly_s:.1f} s, {options.meters / monthly_s:,.0f} reads/s "
        f"({monthly.reads_exception:,} held for review).\n"
    )
    if not options.no_record:
        record(key, text)
        print(f"recorded in {RESULTS.relative_to(ROOT)}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
