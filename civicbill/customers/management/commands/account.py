"""``civicbill account search QUERY [--json]``, ``civicbill account show NUMBER [--json]`` and
``civicbill account transfer NUMBER --date D --house-number H --street S --zip Z --user U [--json]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from civicbill.core import clock
from civicbill.core.commands import CivicbillCommand, add_user_argument, date_type
from civicbill.core.money import format_cents
from civicbill.customers.selectors import account_get, account_search
from civicbill.customers.services import customer_transfer_to_address
from civicbill.customers.summary import account_summary


class Command(CivicbillCommand):
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
        transfer = sub.add_parser("transfer", help="move the customer to a new address (old account finals)")
        transfer.add_argument("number")
        transfer.add_argument(
            "--date",
            required=True,
            type=date_type("--date"),
            help="last day at the current address, YYYY-MM-DD",
        )
        transfer.add_argument("--house-number", required=True)
        transfer.add_argument("--street", required=True)
        transfer.add_argument("--unit", default="")
        transfer.add_argument("--city", default="Coachella")
        transfer.add_argument("--zip", required=True)
        transfer.add_argument("--premise-type", default="single_family")
        add_user_argument(transfer, help="the staff user name doing it")
        transfer.add_argument("--json", action="store_true", help="print the new account as JSON")

    def run(self, options: dict[str, Any]) -> None:
        if options["action"] == "search":
            self._search(options["query"], limit=options["limit"], as_json=options["json"])
        elif options["action"] == "transfer":
            self._transfer(options)
        else:
            self._show(options["number"], as_json=options["json"])

    def _search(self, query: str, *, limit: int, as_json: bool) -> None:
        if not query.strip():
            raise CommandError(
                "Give something to search for: an account number, name, address, phone or email"
            )
        hits = account_search(query, limit=limit)
        if as_json:
            self.print_json(
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
                ]
            )
            return
        if not hits:
            self.stdout.write(f"No account matches {query!r}.")
        for hit in hits:
            self.stdout.write(f"{hit.number}  {hit.status:<8} {hit.customer_name:<32} {hit.service_address}")

    def _transfer(self, options: dict[str, Any]) -> None:
        actor = self.actor(options)
        address = {
            "house_number": options["house_number"],
            "street_name": options["street"],
            "unit": options["unit"],
            "city": options["city"],
            "zip_code": options["zip"],
            "premise_type": options["premise_type"],
        }
        new_account = customer_transfer_to_address(
            account=account_get(options["number"]),
            address=address,
            move_date=options["date"],
            as_of=clock.today(),
            actor=actor,
        )
        if options["json"]:
            self.print_json(account_summary(new_account, as_of=clock.today()))
        else:
            self.stdout.write(
                f"Account {options['number']} is final after {options['date']}; "
                f"new account {new_account.number} at {new_account.premise.address_line}."
            )

    def _show(self, number: str, *, as_json: bool) -> None:
        summary = account_summary(account_get(number), as_of=clock.today())
        if as_json:
            self.print_json(summary)
            return
        write = self.stdout.write
        write(f"Account {summary['number']} ({summary['status']}) — {summary['customer']['name']}")
        write(f"  service address: {summary['premise']['address']}")
        write(f"  phone: {summary['customer']['phone'] or '—'}   language: {summary['language']}")
        for service in summary["services"]:
            write(
                f"  {service['service']:<10} {service['rate_schedule_code']:<10} "
                f"{service['start_date']} → {service['end_date'] or ''}"
                + (f"  containers: {service['containers']}" if service["containers"] is not None else "")
                + (f"  container size: {service['container_size']}" if service["container_size"] else "")
                + (f'  fire service size: {service["service_size"]}"' if service["service_size"] else "")
            )
        write(f"  balance: {format_cents(summary['balance_cents'])}")
        for service, cents in summary["balance_cents_by_service"].items():
            write(f"    {service:<10} {format_cents(cents):>14}")
        for row in summary["recent_transactions"]:
            write(
                f"  {row['accounting_date']}  {row['description']:<22}"
                f" {format_cents(row['amount_cents']):>14} {format_cents(row['balance_cents']):>14}"
            )
