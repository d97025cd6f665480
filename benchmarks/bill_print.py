"""Benchmark: a billing run's print file (one PDF in mail sort order) for 10,000 bills.

    .venv/bin/python benchmarks/bill_print.py [--bills 10000] [--workers 2] [--fresh] [--no-record]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/civicbill_print_bench \
        .venv/bin/python benchmarks/bill_print.py

Without ``DATABASE_URL`` it uses its own SQLite file, ``$CIVICBILL_VAR_DIR/bench-bill-print.sqlite3``
(``var/`` by default). Set-up (not timed) bulk-creates customers, premises and accounts (10% Spanish,
5% paperless, four ZIP codes), a committed run with one bill per account (water meter charge, one or
two usage tiers, sewer; reads, previous balance, a payment) and twelve earlier issued bills per
account for the usage chart. Then it times what ``civicbill bills pdf --run RUN`` does: load the
documents (three queries), render them in ``--workers`` processes with ReportLab, join the parts
with pypdf, write the file; and the CSV extract. The figures go to ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "bill_print"
NOW = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)
NOVEMBER = dt.date(2026, 11, 1)
ZIPS = ("92236", "92201", "92203", "92254")
STREETS = ("Avenue 48", "Avenue 50", "Grapefruit Blvd", "Cesar Chavez St", "Van Buren St", "Harrison St")
NAMES = ("García", "Hernández", "López", "Martínez", "Peña", "Smith", "Nguyen", "Rivera", "Baker", "Flores")


def setup_django() -> None:
    var = Path(os.environ.get("CIVICBILL_VAR_DIR", ROOT / "var"))
    var.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var / 'bench-bill-print.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbill.settings")
    import django

    django.setup()


def load(bills: int, seed: int) -> tuple[int, bool]:
    """Create the synthetic run (once): ``bills`` bills to print plus one paperless bill for every
    twenty; returns (run id, whether it was created now)."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from civicbill.billing.documents.chart import add_months
    from civicbill.billing.models import Bill, BillingCycle, BillLine, BillRun
    from civicbill.customers.models import Account, Customer, Premise
    from civicbill.customers.normalize import account_number_for

    existing = BillRun.objects.filter(cycle__number=1, period=NOVEMBER).first()
    paperless_bills = bills // 20
    if existing and existing.bills_count == bills + paperless_bills:
        return existing.pk, False
    rng = random.Random(seed)
    with transaction.atomic():
        user, _ = User.objects.get_or_create(username="bench")
        cycle = BillingCycle.objects.create(number=1, name="Cycle 1", created_at=NOW)
        run = BillRun.objects.create(
            cycle=cycle,
            period=NOVEMBER,
            period_start=dt.date(2026, 10, 29),
            period_end=dt.date(2026, 11, 28),
            bill_date=dt.date(2026, 11, 30),
            due_date=dt.date(2026, 12, 21),
            status=BillRun.Status.COMMITTED,
            started_by=user,
            started_at=NOW,
            bills_count=bills + paperless_bills,
        )
        customers, premises = [], []
        for index in range(bills + paperless_bills):
            house, street, zip_code = str(rng.randrange(1, 90000)), rng.choice(STREETS), rng.choice(ZIPS)
            name = rng.choice(NAMES)
            customers.append(
                Customer(
                    first_name="Ana",
                    last_name=name,
                    mailing_line1=f"{house} {street}",
                    mailing_city="Coachella",
                    mailing_zip=zip_code,
                    preferred_language="es" if index % 10 == 0 else "en",
                    email=f"c{index}@example.com",
                    search_name=f"{name} ANA".upper(),
                    search_name_reversed=f"ANA {name}".upper(),
                    created_at=NOW,
                )
            )
            premises.append(
                Premise(
                    house_number=house,
                    street_name=street,
                    city="Coachella",
                    zip_code=zip_code,
                    search_address=f"{house} {street}".upper(),
                    search_street=f"{street} {house}".upper(),
                    created_at=NOW,
                )
            )
        customers = Customer.objects.bulk_create(customers, batch_size=2000)
        premises = Premise.objects.bulk_create(premises, batch_size=2000)
        accounts = Account.objects.bulk_create(
            [
                Account(
                    number=account_number_for(2000000 + index),
                    customer=customer,
                    premise=premise,
                    status="active",
                    paperless=index >= bills,
                    opened_on=dt.date(2020, 1, 1),
                    created_at=NOW,
                )
                for index, (customer, premise) in enumerate(zip(customers, premises, strict=True))
            ],
            batch_size=2000,
        )
        history = []
        for account in accounts:
            for back in range(12, 0, -1):
                period = add_months(NOVEMBER, -back)
                history.append(
                    Bill(
                        number=f"H{account.pk}-{period:%y%m}",
                        account=account,
                        status="issued",
                        period=period,
                        period_start=period,
                        period_end=period + dt.timedelta(days=27),
                        bill_date=period + dt.timedelta(days=29),
                        due_date=period + dt.timedelta(days=50),
                        consumption_hcf=Decimal(rng.randrange(4, 60)),
                        estimated=rng.randrange(30) == 0,
                        created_at=NOW,
                    )
                )
        Bill.objects.bulk_create(history, batch_size=5000)
        current, lines = [], []
        for index, account in enumerate(accounts):
            usage = rng.randrange(3, 70)
            tier1, tier2 = min(usage, 41), max(usage - 41, 0)
            water = 1380 + tier1 * 150 + tier2 * 165
            charges = water + 4181
            previous = rng.randrange(0, 20000)
            paid = -previous if rng.randrange(5) else 0
            current.append(
                Bill(
                    number=f"2611-{index + 1:06d}",
                    account=account,
                    run=run,
                    status="issued",
                    period=NOVEMBER,
                    period_start=dt.date(2026, 10, 29),
                    period_end=dt.date(2026, 11, 28),
                    bill_date=dt.date(2026, 11, 30),
                    due_date=dt.date(2026, 12, 21),
                    language=customers[index].preferred_language,
                    meter_serial=f"BDG-{index:06d}",
                    previous_read_on=dt.date(2026, 10, 28),
                    previous_read=Decimal(1000 + index),
                    current_read_on=dt.date(2026, 11, 28),
                    current_read=Decimal(1000 + index + usage),
                    consumption_hcf=Decimal(usage),
                    estimated=rng.randrange(40) == 0,
                    previous_balance_cents=previous,
                    payments_cents=paid,
                    current_charges_cents=charges,
                    total_due_cents=previous + paid + charges,
                    created_at=NOW,
                    issued_at=NOW,
                )
            )
        current = Bill.objects.bulk_create(current, batch_size=5000)
        for bill in current:
            usage = int(bill.consumption_hcf)
            rows: list[tuple[str, str, str, int, str, int | None, str, int]] = [
                ("water", "service_charge", 'Meter charge (3/4" meter)', 1, "month", None, "13.80", 1380)
            ]
            rows.append(
                (
                    "water",
                    "commodity_charge",
                    "Water usage, tier 1 (0–41 HCF)",
                    min(usage, 41),
                    "HCF",
                    1,
                    "1.50",
                    min(usage, 41) * 150,
                )
            )
            if usage > 41:
                rows.append(
                    (
                        "water",
                        "commodity_charge",
                        "Water usage, tier 2 (above 41 HCF)",
                        usage - 41,
                        "HCF",
                        2,
                        "1.65",
                        (usage - 41) * 165,
                    )
                )
            rows.append(("sewer", "sewer_charge", "Sewer service", 1, "unit", None, "41.81", 4181))
            for sequence, (service, key, text, quantity, unit, tier, price, cents) in enumerate(
                rows, start=1
            ):
                lines.append(
                    BillLine(
                        bill=bill,
                        sequence=sequence,
                        service=service,
                        charge_key=key,
                        description=text,
                        quantity=Decimal(quantity),
                        unit=unit,
                        tier=tier,
                        price=price,
                        amount_cents=cents,
                        version_label=f"{'W' if service == 'water' else 'S'}-RES from 2017-07-01",
                    )
                )
        BillLine.objects.bulk_create(lines, batch_size=5000)
    return run.pk, True


def record(section_key: str, text: str) -> None:
    begin, end = f"<!-- {section_key} -->", f"<!-- /{section_key} -->"
    content = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    block = f"{begin}\n{text.rstrip()}\n{end}"
    if begin in content and end in content:
        content = content[: content.index(begin)] + block + content[content.index(end) + len(end) :]
    else:
        content = content.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bills", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fresh", action="store_true", help="delete the SQLite file first")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    var = Path(os.environ.get("CIVICBILL_VAR_DIR", ROOT / "var"))
    if args.fresh and "DATABASE_URL" not in os.environ:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{var / 'bench-bill-print.sqlite3'}{suffix}").unlink(missing_ok=True)
    setup_django()
    import django
    from django.core.management import call_command
    from django.db import connection

    from civicbill.billing.documents import files

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    run_id, created = load(args.bills, args.seed)
    setup_s = time.perf_counter() - started

    out = Path(tempfile.gettempdir()) / f"bill-print-{run_id}.pdf"
    cpu0 = os.times()
    t0 = time.perf_counter()
    documents, paperless = files.run_print_documents(run_id)
    t1 = time.perf_counter()
    content, rendered = files.render_many(documents, workers=args.workers, title=f"Billing run {run_id}")
    t2 = time.perf_counter()
    out.write_bytes(content)
    t3 = time.perf_counter()
    cpu1 = os.times()
    cpu_s = (cpu1.user + cpu1.system + cpu1.children_user + cpu1.children_system) - (
        cpu0.user + cpu0.system + cpu0.children_user + cpu0.children_system
    )
    load_average = os.getloadavg()[0]
    extract = files.run_print_extract(run_id)
    csv_path = out.with_suffix(".csv")
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        files.write_extract_csv(extract, handle)
    t4 = time.perf_counter()
    pages = sum(r.pages for r in rendered)
    total = t3 - t0
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if vendor == "sqlite" else "show server_version")
        version = cursor.fetchone()[0]
    print(f"bills printed {len(documents)} ({len(paperless)} paperless left out), pages {pages}")
    print(
        f"load documents {t1 - t0:.1f} s, render and join {t2 - t1:.1f} s, "
        f"write {t3 - t2:.1f} s; "
        f"total {total:.1f} s"
    )
    print(
        f"CPU time (this process and the workers) {cpu_s:.1f} s; load average at the end {load_average:.1f}"
    )
    print(f"CSV extract (no drawing) {t4 - t3:.1f} s; PDF {len(content) / 1e6:.1f} MB at {out}")
    if args.no_record:
        return
    set_up = f"in {setup_s:.0f} s" if created else "(loaded by an earlier run of this script)"
    record(
        f"{SECTION}:{vendor}",
        f"### {vendor} {version}: {len(documents):,} bills\n\n"
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}, Django {django.get_version()}; "
        f"ReportLab, {args.workers} worker processes\n"
        f"- set-up (not timed): {len(documents) + len(paperless):,} accounts with 13 months of bills "
        f"{set_up}\n\n"
        "| bills printed | pages | load documents | render (2 processes) and join (meanwhile) | write "
        "| **total** | CPU time | PDF size "
        "| CSV extract |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {len(documents):,} ({len(paperless):,} paperless left out) | {pages:,} | {t1 - t0:.1f} s "
        f"| {t2 - t1:.1f} s | {t3 - t2:.1f} s | **{total:.1f} s** "
        f"| {cpu_s:.1f} s "
        f"| {len(content) / 1e6:.1f} MB | {t4 - t3:.1f} s |\n\n"
        f"Load average (1 min) when it finished: {load_average:.1f} (other work on the machine slows it).\n",
    )


if __name__ == "__main__":
    main()
