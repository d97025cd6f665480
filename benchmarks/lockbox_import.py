"""Benchmark: importing a lockbox file of N payments, on a scratch database (target ≥ 5,000 payments/s).

    DATABASE_URL=sqlite:////tmp/lockbox-bench.sqlite3 PYTHONPATH=. \\
        .venv/bin/python benchmarks/lockbox_import.py --payments 100000 --reset
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/civicbill_lockbox_bench PYTHONPATH=. \\
        .venv/bin/python benchmarks/lockbox_import.py --payments 100000 --reset

The database is migrated here and must hold no accounts: ``--reset`` drops every table first.
``--profile FILE`` writes a cProfile of the import (``python -m pstats FILE``). Set-up, not timed: N accounts
(bulk-created) each owing water and sewer (one conversion entry each, via ``entries_post_bulk``),
and a ``lockbox-csv`` file of N payments: half by scan line, half by account number, 1 in 100 on
an unknown account (to suspense), amounts that pay in full, part or overpay. Timed: one
``payment_file_import`` call (parse, match, allocate, post N entries, store payments and
allocations), then ``check_books``. The figures are printed and written to benchmarks/RESULTS.md
(``--no-record`` to skip), with the load average: the machine is shared.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbill.settings")
os.environ.setdefault("CIVICBILL_DEBUG", "0")
os.environ.setdefault("CIVICBILL_SECRET_KEY", "benchmark-only-not-secret")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from civicbill.core.checkdigit import with_check_digit  # noqa: E402
from civicbill.core.money import Money  # noqa: E402
from civicbill.core.scanline import build_scan_line  # noqa: E402
from civicbill.customers.models import Account, Customer, Premise  # noqa: E402
from civicbill.ledger.posting import EntrySpec, conversion_lines  # noqa: E402
from civicbill.ledger.selectors import check_books  # noqa: E402
from civicbill.ledger.services import entries_post_bulk  # noqa: E402
from civicbill.payments.services import payment_file_import  # noqa: E402

AT = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC)
FIRST = 6_000_000
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def reset() -> None:
    from scratch_db import drop_all_tables  # benchmarks/ is on sys.path when a script runs

    drop_all_tables()


def make_accounts(count: int) -> list[tuple[int, str]]:
    customers = Customer.objects.bulk_create(
        [
            Customer(
                last_name=f"Payer {n}", mailing_line1=f"{n} Avenue 50", mailing_city="Coachella",
                mailing_zip="92236", search_name=f"PAYER {n}", created_at=AT,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )  # fmt: skip
    premises = Premise.objects.bulk_create(
        [
            Premise(
                house_number=str(n),
                street_name="Avenue 50",
                city="Coachella",
                zip_code="92236",
                created_at=AT,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    numbers = [with_check_digit(f"{FIRST + n:07d}") for n in range(count)]
    Account.objects.bulk_create(
        [
            Account(
                number=f"{number[:7]}-{number[7]}", customer=c, premise=p, status="active",
                opened_on=dt.date(2026, 1, 1), created_at=AT,
            )
            for number, c, p in zip(numbers, customers, premises, strict=True)
        ],
        batch_size=2000,
    )  # fmt: skip
    return list(Account.objects.filter(number__gte=f"{FIRST:07d}").order_by("pk").values_list("pk", "number"))


def owed(account_id: int) -> tuple[int, int]:
    return 2000 + account_id % 5000, 4181


def backend_pid() -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def process_cpu_s(pid: int | None) -> float | None:
    """User + system CPU seconds of a local process (Linux /proc), or None."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def lockbox_file(accounts: list[tuple[int, str]], *, batch: str) -> bytes:
    """A ``lockbox-csv`` file paying each account (full, half or over), 1 in 100 on an unknown account."""
    lines = [f"H,{batch},2026-12-01"]
    total = 0
    for n, (pk, number) in enumerate(accounts):
        due = sum(owed(pk))
        cents = (due, due // 2, due + 1000)[n % 3]
        total += cents
        amount = f"{cents // 100}.{cents % 100:02d}"
        if n % 100 == 99:
            lines.append(f"D,,9999999-8,{amount},{n},,Unknown")
        elif n % 2:
            lines.append(f"D,,{number},{amount},{n},,Payer {n}")
        else:
            scan = build_scan_line(
                account_number=number, amount_due=Money.from_cents(due), due_date=dt.date(2026, 12, 22)
            )
            lines.append(f"D,{scan},,{amount},{n},,Payer {n}")
    lines.append(f"T,{len(accounts)},{total // 100}.{total % 100:02d}")
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--reset", action="store_true", help="drop every table of the scratch database first")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the import to FILE")
    parser.add_argument("--set-up-only", action="store_true", help="stop after the set-up (for profiling)")
    parser.add_argument("--no-record", action="store_true")
    options = parser.parse_args()
    count = options.payments
    if options.reset:
        reset()
    call_command("migrate", interactive=False, verbosity=0)
    if Account.objects.exists():
        raise SystemExit("the scratch database already has accounts; pass --reset")
    actor, _ = User.objects.get_or_create(username="lockbox-bench")
    actor.groups.add(Group.objects.get_or_create(name="Supervisor")[0])
    started = time.perf_counter()
    accounts = make_accounts(count)
    entries_post_bulk(
        entries=[
            EntrySpec(
                lines=conversion_lines(
                    customer_account_id=pk,
                    balances_by_service={
                        "water": Money.from_cents(owed(pk)[0]),
                        "sewer": Money.from_cents(owed(pk)[1]),
                    },
                ),
                accounting_date=dt.date(2026, 11, 30),
                source_type="conversion",
                source_ref=str(pk),
                idempotency_key=f"lockbox-bench-conversion:{pk}",
                reason="conversion",
            )
            for pk, _number in accounts
        ],
        actor=actor,
    )
    content = lockbox_file(accounts, batch="BENCH")
    print(f"set-up: {count:,} accounts and the file in {time.perf_counter() - started:.1f} s")
    if options.set_up_only:
        return

    load_before = os.getloadavg()
    profile = cProfile.Profile() if options.profile else None
    backend = backend_pid()
    backend_before = process_cpu_s(backend)
    cpu = os.times()
    started = time.perf_counter()
    if profile is not None:
        profile.enable()
    result = payment_file_import(
        content=content, file_name="bench.csv", file_format="lockbox-csv", as_of=AT, actor=actor
    )
    if profile is not None:
        profile.disable()
        profile.dump_stats(options.profile)
    elapsed = time.perf_counter() - started
    end_cpu = os.times()
    python_s = end_cpu.user + end_cpu.system - cpu.user - cpu.system
    backend_after = process_cpu_s(backend)
    server_s = (
        backend_after - backend_before if backend_before is not None and backend_after is not None else None
    )
    load_after = os.getloadavg()
    record = result.payment_import
    rate = record.detail_count / elapsed
    print(
        f"{connection.vendor}: imported {record.detail_count:,} payments ({record.posted_count:,} posted, "
        f"{record.suspense_count:,} to suspense) in {elapsed:.1f} s = {rate:,.0f} payments/s; "
        f"CPU of this process {python_s:.1f} s"
        + (f", of the PostgreSQL backend {server_s:.1f} s" if server_s is not None else "")
        + f"; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    started = time.perf_counter()
    report = check_books()
    books_s = time.perf_counter() - started
    print(f"check_books: {'ok' if report.ok else 'FAILED'} in {books_s:.1f} s")
    if options.no_record or options.profile:
        return
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        version = cursor.fetchone()[0]
    database = (
        f"PostgreSQL {version.split()[0]}"
        if connection.vendor == "postgresql"
        else f"SQLite {version} (file)"
    )
    write_section(
        f"lockbox_import:{connection.vendor}",
        "| database | payments | import | per second | CPU: this process | CPU: PostgreSQL backend "
        "| load average before / after | check_books | run |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---|\n"
        f"| {database} | {record.detail_count:,} ({record.posted_count:,} posted, {record.suspense_count:,} "
        f"suspense) | {elapsed:.1f} s | **{rate:,.0f}** | {python_s:.1f} s "
        f"| {'—' if server_s is None else f'{server_s:.1f} s'} "
        f"| {load_before[0]:.1f} / {load_after[0]:.1f} | {books_s:.1f} s ({'ok' if report.ok else 'FAILED'}) "
        f"| {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()} |",
    )


def write_section(key: str, block: str) -> None:
    """Replace what stands between the ``<!-- key -->`` markers in RESULTS.md (the text around them is
    kept by hand)."""
    begin, end = f"<!-- {key} -->", f"<!-- /{key} -->"
    text = RESULTS.read_text(encoding="utf-8")
    if begin not in text or end not in text:
        print(f"no {begin} section in {RESULTS}; the figures were:\n{block}")
        return
    text = text[: text.index(begin) + len(begin)] + "\n" + block + "\n" + text[text.index(end) :]
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
