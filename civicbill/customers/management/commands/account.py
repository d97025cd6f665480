"""``civicbill account search QUERY [--json]`` and ``civicbill account show NUMBER [--json]``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicbill.core.exceptions import NotFoundError
from civicbill.core.money import format_cents
from civicbill.customers.selectors import account_get, account_search
from civicbill.customers.summary import account_summary


class Command(BaseCommand):
    help = "Find accounts (search) or print one account (show)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        search = sub.add_parser("search", help="by account number, name, service address, phone or email")
        search.add_argument("query")
        search.add_argument("--limit", type=int, default=25)
        search.add_argument("--json", action="store_true", help="print JSON")
        show = sub.add_parser(
            "show", help="customer, premise, services, balance by service, recent transactions"
        )
        show.add_argument("number")
        show.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "search":
            self._search(options["query"], limit=options["limit"], as_json=options["json"])
        else:
            self._show(options["number"], as_json=options["json"])

    def _search(self, query: str, *, limit: int, as_json: bool) -> None:
        if not query.strip():
            raise CommandError(
                "Give something to search for: an account number, name, address, phone or email"
            )
        hits = account_search(query, limit=limit)
        if as_json:
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "number": h.number,
                            "customer_name": h.customer_name,
                            "service_address": h.service_address,
                            "status": h.status,
                            "phone": h.phone,
                            "matched_on": h.matched_on,
                        }
                        for h in hits
                    ],
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        if not hits:
            self.stdout.write(f"No account matches {query!r}.")
        for hit in hits:
            self.stdout.write(f"{hit.number}  {hit.status:<8} {hit.customer_name:<32} {hit.service_address}")

    def _show(self, number: str, *, as_json: bool) -> None:
        try:
            account = account_get(number)
        except NotFoundError as error:
            raise CommandError(error.message) from error
        summary = account_summary(account)
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        write = self.stdout.write
        write(f"Account {summary['number']} ({summary['status']}) — {summary['customer']['name']}")
        write(f"  service address: {summary['premise']['address']}")
        write(f"  phone: {summary['customer']['phone'] or '—'}   language: {summary['language']}")
        for service in summary["services"]:
            write(
                f"  {service['service']:<10} {service['rate_schedule_code']:<10} "
                f"{service['start_date']} → {service['end_date'] or ''}"
            )
        write(f"  balance: {format_cents(summary['balance_cents'])}")
        for service, cents in summary["balance_cents_by_service"].items():
            write(f"    {service:<10} {format_cents(cents):>14}")
        for row in summary["recent_transactions"]:
            write(
                f"  {row['accounting_date']}  {row['description']:<22}"
                f" {format_cents(row['amount_cents']):>14} {format_cents(row['balance_cents']):>14}"
            )
