"""Benchmark: bulk posting and checking the ledger of a city, on a scratch database.

    DATABASE_URL=sqlite:////tmp/ledger-bench.sqlite3 PYTHONPATH=. \\
        .venv/bin/python benchmarks/ledger_posting.py --accounts 10000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/civicbill_ledger_bench PYTHONPATH=. \\
        .venv/bin/python benchmarks/ledger_posting.py --accounts 10000

The database must be empty and migrated (``civicbill migrate``). Measured, each step committed:
opening balances for every account in one ``entries_post_bulk`` (2 services each: 4 lines), then a
bill run of one entry per account (3 services: 6 lines), then ``check_books``, ``trial_balance``
and ``account_balances`` of every account. Recorded results: ``benchmarks/ledger_posting.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbill.settings")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402

from civicbill.core.money import Money  # noqa: E402
from civicbill.customers.models import Account, Customer, Premise  # noqa: E402
from civicbill.ledger import chart  # noqa: E402
from civicbill.ledger.models import JournalEntry  # noqa: E402
from civicbill.ledger.posting import EntrySpec, PostingLine, conversion_lines  # noqa: E402
from civicbill.ledger.selectors import account_balances, check_books, trial_balance  # noqa: E402
from civicbill.ledger.services import entries_post_bulk  # noqa: E402

AT = dt.datetime(2026, 6, 30, 17, 0, tzinfo=dt.UTC)


def timed(label: str, step: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = step()
    print(f"{label:<48} {time.perf_counter() - started:8.2f} s")
    return result


def make_accounts(count: int) -> list[int]:
    customers = Customer.objects.bulk_create(
        [
            Customer(
                last_name=f"Customer {n}",
                mailing_line1=f"{n} Avenue 48",
                mailing_city="Coachella",
                mailing_zip="92236",
                search_name=f"CUSTOMER {n}",
                created_at=AT,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    premises = Premise.objects.bulk_create(
        [
            Premise(
                house_number=str(n),
                street_name="Avenue 48",
                city="Coachella",
                zip_code="92236",
                created_at=AT,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    Account.objects.bulk_create(
        [
            Account(
                number=f"B{n:07d}", customer=c, premise=p, status="active", opened_on=AT.date(), created_at=AT
            )
            for n, (c, p) in enumerate(zip(customers, premises, strict=True))
        ],
        batch_size=2000,
    )
    return list(Account.objects.filter(number__startswith="B").values_list("id", flat=True))


def opening_specs(account_ids: list[int]) -> list[EntrySpec]:
    return [
        EntrySpec(
            lines=conversion_lines(
                customer_account_id=account_id,
                balances_by_service={
                    "water": Money.from_cents(1000 + account_id % 5000),
                    "sewer": Money.from_cents(4181),
                },
            ),
            accounting_date=dt.date(2026, 6, 30),
            source_type="conversion",
            source_ref=str(account_id),
            idempotency_key=f"bench-conversion:{account_id}",
            reason="conversion",
        )
        for account_id in account_ids
    ]


def bill_specs(account_ids: list[int]) -> list[EntrySpec]:
    specs = []
    for account_id in account_ids:
        lines: list[PostingLine] = []
        for service, cents in (("water", 3000 + account_id % 7000), ("sewer", 4181), ("refuse", 2550)):
            amount = Money.from_cents(cents)
            lines += [
                PostingLine.debit(
                    chart.receivable_control_for(service).code,
                    amount,
                    customer_account_id=account_id,
                    service=service,
                ),
                PostingLine.credit(chart.revenue_for(service).code, amount),
            ]
        specs.append(
            EntrySpec(
                lines=tuple(lines),
                accounting_date=dt.date(2026, 7, 15),
                source_type="bill",
                source_ref=f"bench {account_id}",
                idempotency_key=f"bench-bill:{account_id}",
                reason="cycle_bill",
            )
        )
    return specs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000)
    count = parser.parse_args().accounts
    if JournalEntry.objects.exists():
        raise SystemExit("use an empty, migrated database")
    print(f"{connection.vendor}, {count} accounts")
    actor = User.objects.create_user(username="bench-technician")
    actor.groups.add(Group.objects.get_or_create(name="Technician")[0])
    account_ids = timed("create accounts (benchmark set-up)", lambda: make_accounts(count))
    posted = timed(
        f"entries_post_bulk: {count} opening balances",
        lambda: entries_post_bulk(entries=opening_specs(account_ids), actor=actor),
    )
    assert posted == count
    posted = timed(
        f"entries_post_bulk: {count} bills (6 lines)",
        lambda: entries_post_bulk(entries=bill_specs(account_ids), actor=actor),
    )
    assert posted == count
    again = timed(
        "entries_post_bulk again (all skipped)",
        lambda: entries_post_bulk(entries=bill_specs(account_ids), actor=actor),
    )
    assert again == 0
    report = timed("check_books", check_books)
    assert report.ok, report.failed
    print(f"  {report.entry_count} entries, {report.line_count} lines")
    timed("trial_balance", trial_balance)
    balances = timed(f"account_balances of {count} accounts", lambda: account_balances(account_ids))
    assert len(balances) == count


if __name__ == "__main__":
    main()
