"""``civicbill demo-city --accounts N [--seed S] [--reset] [--json]``: a deterministic synthetic city."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.db import connection

from civicbill.core import clock
from civicbill.core.commands import CivicbillCommand
from civicbill.core.money import format_cents
from civicbill.customers.models import Account
from civicbill.demo.billing import demo_billing_seed
from civicbill.demo.seed import conversion_user, demo_city_seed


def _reset_database() -> None:
    """Start from an empty database. The ledger and audit trail are append-only, so rows cannot be
    deleted: the whole schema (PostgreSQL) or file (SQLite) is dropped and migrated afresh."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")
            tables = [
                row[0]
                for row in cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                ).fetchall()
            ]
            for table in tables:
                cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
            cursor.execute("PRAGMA foreign_keys = ON")
    connection.close()
    call_command("migrate", interactive=False, verbosity=0)


class Command(CivicbillCommand):
    help = "Seed a deterministic synthetic city (customers, premises, accounts, opening balances)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, default=2_000, help="how many accounts (default 2000)")
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same city")
        parser.add_argument(
            "--reset", action="store_true", help="DROP every table and start from an empty database first"
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def run(self, options: dict[str, Any]) -> None:
        count = options["accounts"]
        if count < 1 or count > 2_000_000:
            raise CommandError(f"--accounts must be between 1 and 2000000, not {count}")
        if options["reset"]:
            _reset_database()
        else:
            call_command("migrate", interactive=False, verbosity=0)
            existing = Account.objects.count()
            if existing:
                raise CommandError(
                    f"The database already holds {existing} accounts; pass --reset to start over "
                    "(it drops every table)."
                )
        started = time.perf_counter()
        today = clock.today()  # the day the demo is built: nothing in it is dated later
        with self.progress(options, desc="demo city", unit="accounts", total=count) as bar:
            result = demo_city_seed(accounts=count, seed=options["seed"], as_of=today, progress=bar.advance)
        billing = demo_billing_seed(actor=conversion_user(), as_of=today, seed=options["seed"])
        elapsed_s = time.perf_counter() - started
        if options["json"]:
            self.print_json(
                {**result.__dict__, "billing": dataclasses.asdict(billing), "seconds": round(elapsed_s, 2)},
                indent=None,
            )
            return
        self.stdout.write(
            f"Demo city: {result.accounts} accounts, {result.opening_balance_entries} opening balances "
            f"({format_cents(result.owing_cents)} owing, {format_cents(result.credit_cents)} in credit) "
            f"in {elapsed_s:.1f} s"
        )
        self.stdout.write(
            f"Billing: {billing.runs} committed runs over {billing.cycles} cycles, {billing.bills} bills "
            f"({format_cents(billing.billed_cents)}); {billing.unbilled_period} is read and ready to bill"
        )
        paid = billing.payment_history
        self.stdout.write(
            f"Payments: {paid.payments} (counter {paid.counter}, lockbox {paid.lockbox}, "
            f"online {paid.online}, autopay {paid.autopay}), {paid.misc_receipts} misc receipts, "
            f"{paid.voided} voided; "
            f"{paid.drawer_sessions} drawer sessions closed and approved; {paid.closed_days} days "
            f"closed with deposits of {format_cents(paid.deposits_cents)}; {paid.payment_files} "
            f"lockbox/online files; {paid.suspense_items} to suspense ({paid.suspense_open} open); "
            f"{paid.returned_checks} returned payments (checks, ACH); "
            f"{paid.accounts_in_credit} accounts in credit; "
            f"refunds {paid.refunds_approved} approved, {paid.refunds_requested} awaiting approval"
        )
        autopay = billing.autopay
        replies = ", ".join(f"{count} {code}" for code, count in sorted(autopay.replies.items())) or "none"
        self.stdout.write(
            f"Autopay: {autopay.enrolled} accounts enrolled; {autopay.draft_files} draft files, "
            f"{autopay.debits} debits ({format_cents(autopay.debit_cents)}); bank replies: {replies}"
        )
