"""Benchmark: importing a lockbox file of N payments, on a scratch database (target ≥ 5,000 payments/s).

    DATABASE_URL=sqlite:////tmp/lockbox-bench.sqlite3 PYTHONPATH=. \\
        .venv/bin/python benchmarks/lockbox_import.py --payments 100000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/civicbill_lockbox_bench PYTHONPATH=. \\
        .venv/bin/python benchmarks/lockbox_import.py --payments 100000

The database must be empty and migrated (``civicbill migrate``). Set-up, not timed: N accounts
(bulk-created) each owing water and sewer (one conversion entry each, via ``entries_post_bulk``),
and a ``lockbox-csv`` file of N payments: half by scan line, half by account number, 1 in 100 on
an unknown account (to suspense), amounts that pay in full, part or overpay. Timed: one
``payment_file_import`` call (parse, match, allocate, post N entries, store payments and
allocations), then ``check_books``. The figure is printed; record it in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbill.settings")
os.environ.setdefault("CIVICBILL_DEBUG", "0")
os.environ.setdefault("CIVICBILL_SECRET_KEY", "benchmark-only-not-secret")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402

from civicbill.billing.documents.scanline import build_scan_line  # noqa: E402
from civicbill.core.checkdigit import with_check_digit  # noqa: E402
from civicbill.core.money import Money  # noqa: E402
from civicbill.customers.models import Account, Customer, Premise  # noqa: E402
from civicbill.ledger.posting import EntrySpec, conversion_lines  # noqa: E402
from civicbill.ledger.selectors import check_books  # noqa: E402
from civicbill.ledger.services import entries_post_bulk  # noqa: E402
from civicbill.payments.services import payment_file_import  # noqa: E402

AT = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC)
FIRST = 6_000_000


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


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--payments", type=int, default=100_000)
    options = parser.parse_args()
    count = options.payments
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
    lines = ["H,BENCH,2026-12-01"]
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
    lines.append(f"T,{count},{total // 100}.{total % 100:02d}")
    content = ("\n".join(lines) + "\n").encode()
    print(f"set-up: {count:,} accounts and the file in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    result = payment_file_import(
        content=content, file_name="bench.csv", file_format="lockbox-csv", as_of=AT, actor=actor
    )
    elapsed = time.perf_counter() - started
    record = result.payment_import
    print(
        f"{connection.vendor}: imported {record.detail_count:,} payments ({record.posted_count:,} posted, "
        f"{record.suspense_count:,} to suspense) in {elapsed:.1f} s = "
        f"{record.detail_count / elapsed:,.0f} payments/s"
    )
    started = time.perf_counter()
    report = check_books()
    print(f"check_books: {'ok' if report.ok else 'FAILED'} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
