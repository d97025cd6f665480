"""``civicbill account search QUERY [--json]``, ``civicbill account show NUMBER [--json]``,
``civicbill account transfer NUMBER --date D --house-number H --street S --zip Z [--move-out-read R]
[--move-in-read R] --user U [--json]``,
``civicbill account agreement-set NUMBER --service S [--containers N] [--container-size S]
[--service-size S] --user U [--json]``,
``civicbill account move-out NUMBER --date D [--read R] [--forwarding-address A] --user U [--json]`` and
``civicbill account move-in --premise-of NUMBER --customer-name NAME [--language en|es] [--phone P]
[--email E] --date D [--read R] --user U [--json]``.

The command lives in the meters app (not customers) because a move records the meter read that ends
one customer's use and starts the next one's (``meters.services.moves``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.management.base import CommandError, CommandParser

from civicbill.core import clock
from civicbill.core.commands import CivicbillCommand, add_user_argument, date_type
from civicbill.core.money import format_cents
from civicbill.core.numbers import parse_typed_decimal
from civicbill.customers.normalize import split_person_name, split_postal_address
from civicbill.customers.selectors import account_get, account_search
from civicbill.customers.services import agreement_determinants_set
from civicbill.customers.summary import account_summary, agreement_values
from civicbill.meters.services.moves import (
    MoveResult,
    account_move_in,
    account_move_out,
    account_transfer,
    services_at,
)


def _read_value(text: str | None, option: str = "--read") -> Decimal | None:
    if text is None:
        return None
    value = parse_typed_decimal(text)
    if value is None:
        raise CommandError(f"{option} {text!r} is not a meter read (digits, at most 3 decimals)")
    return value


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
        transfer.add_argument(
            "--move-out-read",
            help="the meter read at the current address on --date (omitted: a read on file, else estimated)",
        )
        transfer.add_argument(
            "--move-in-read",
            help="the meter read at the new address the next day (omitted: the previous occupant's "
            "move-out read, else estimated)",
        )
        add_user_argument(transfer, help="the staff user name doing it")
        transfer.add_argument("--json", action="store_true", help="print the new account as JSON")
        agreement = sub.add_parser(
            "agreement-set",
            help="change an open agreement's determinants: refuse containers and size, fire service size",
        )
        agreement.add_argument("number")
        agreement.add_argument("--service", required=True, help="refuse or fire_line (the open agreement)")
        agreement.add_argument(
            "--containers", help="refuse: how many containers are collected (empty: the schedule's default)"
        )
        agreement.add_argument(
            "--container-size", help="refuse: the size priced, e.g. 96 or 3YD (empty: none)"
        )
        agreement.add_argument("--service-size", help="fire line: the fire service size, e.g. 4 or 1-1/2")
        add_user_argument(agreement, help="the staff user name doing it")
        agreement.add_argument("--json", action="store_true", help="print the agreement as JSON")
        out = sub.add_parser(
            "move-out",
            help="end service (the account becomes final) with the move-out read; then `bill final`",
        )
        out.add_argument("number")
        out.add_argument(
            "--date", required=True, type=date_type("--date"), help="the last day of service, YYYY-MM-DD"
        )
        out.add_argument("--read", help="the meter read on that day (omitted: estimated, and marked so)")
        out.add_argument(
            "--forwarding-address",
            help='where the final bill and later letters go: "LINE1[, LINE2], CITY, ST ZIP"',
        )
        add_user_argument(out, help="the staff user name doing it")
        out.add_argument("--json", action="store_true", help="print JSON")
        into = sub.add_parser(
            "move-in", help="a new customer at the premise of an account, with the start read"
        )
        into.add_argument(
            "--premise-of",
            required=True,
            metavar="NUMBER",
            help="an account at the premise (the last occupant)",
        )
        into.add_argument("--customer-name", required=True, help='"FIRST LAST" (a person)')
        into.add_argument("--language", choices=("en", "es"), default="en")
        into.add_argument("--phone", default="")
        into.add_argument("--email", default="")
        into.add_argument(
            "--date", required=True, type=date_type("--date"), help="the first day of service, YYYY-MM-DD"
        )
        into.add_argument(
            "--read",
            help="the meter read on that day (omitted: the previous occupant's move-out read of the day "
            "before, else estimated and marked so)",
        )
        add_user_argument(into, help="the staff user name doing it")
        into.add_argument(
            "--json", action="store_true", help="print JSON (the new account in account_number)"
        )

    def run(self, options: dict[str, Any]) -> None:
        if options["action"] == "search":
            self._search(options["query"], limit=options["limit"], as_json=options["json"])
        elif options["action"] == "transfer":
            self._transfer(options)
        elif options["action"] == "agreement-set":
            self._agreement_set(options)
        elif options["action"] == "move-out":
            self._move_out(options)
        elif options["action"] == "move-in":
            self._move_in(options)
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
        result = account_transfer(
            account=account_get(options["number"]),
            address=address,
            move_date=options["date"],
            move_out_read=_read_value(options["move_out_read"], "--move-out-read"),
            move_in_read=_read_value(options["move_in_read"], "--move-in-read"),
            as_of=clock.today(),
            actor=actor,
        )
        new_account = result.move_in.account
        if options["json"]:
            self.print_json(
                {
                    **account_summary(new_account, as_of=clock.today()),
                    "move_out": result.move_out.as_dict(),
                    "move_in": result.move_in.as_dict(),
                }
            )
            return
        self.stdout.write(
            f"Account {options['number']} is final after {options['date']}; "
            f"new account {new_account.number} at {new_account.premise.address_line}."
        )
        self._print_read(result.move_out, "move-out read")
        self._print_read(result.move_in, "move-in read")

    def _agreement_set(self, options: dict[str, Any]) -> None:
        actor = self.actor(options)
        changes: dict[str, Any] = {}
        if options["containers"] is not None:
            text = options["containers"].strip()
            if text and not text.isdigit():
                raise CommandError(f"--containers {text!r} is not a whole number")
            changes["containers"] = int(text) if text else None
        if options["container_size"] is not None:
            changes["container_size"] = options["container_size"]
        if options["service_size"] is not None:
            changes["service_size"] = options["service_size"]
        if not changes:
            raise CommandError("Give --containers, --container-size or --service-size to change")
        agreement = agreement_determinants_set(
            account=account_get(options["number"]), service=options["service"], actor=actor, **changes
        )
        values = agreement_values(agreement)
        if options["json"]:
            self.print_json(values)
            return
        self.stdout.write(
            f"Account {options['number']}: {values['service']} ({values['rate_schedule_code']}) "
            f"containers {values['containers'] if values['containers'] is not None else 'default'}, "
            f"container size {values['container_size'] or '—'}, service size {values['service_size'] or '—'}."
        )

    def _move_out(self, options: dict[str, Any]) -> None:
        actor = self.actor(options)
        read = _read_value(options["read"])
        forwarding = None
        if options["forwarding_address"] is not None:
            try:
                forwarding = split_postal_address(options["forwarding_address"])
            except ValueError as error:
                raise CommandError(f"--forwarding-address: {error}") from None
        result = account_move_out(
            account=account_get(options["number"]),
            end_date=options["date"],
            read=read,
            forwarding_address=forwarding,
            actor=actor,
            as_of=clock.today(),
        )
        self._print_move(result, options)

    def _move_in(self, options: dict[str, Any]) -> None:
        actor = self.actor(options)
        read = _read_value(options["read"])
        first_name, last_name = split_person_name(options["customer_name"])
        previous = account_get(options["premise_of"])
        result = account_move_in(
            data={
                "kind": "person",
                "first_name": first_name,
                "last_name": last_name,
                "phone": options["phone"],
                "email": options["email"],
                "preferred_language": options["language"],
                "start_date": options["date"],
                "mailing_same_as_service": True,
            },
            services=services_at(previous),
            premise=previous.premise,
            read=read,
            actor=actor,
            as_of=clock.today(),
        )
        self._print_move(result, options)

    def _print_move(self, result: MoveResult, options: dict[str, Any]) -> None:
        if options["json"]:
            self.print_json(result.as_dict())
            return
        account, write = result.account, self.stdout.write
        if result.kind == "move_out":
            write(f"Account {account.number} is final: service ended {account.closed_on}.")
        else:
            write(
                f"Account {account.number} opened for {account.customer.display_name} at "
                f"{account.premise.address_line}: service from {account.opened_on} ({account.status})."
            )
        self._print_read(result)
        if result.forwarding_address:
            write(f"  bills and letters now go to: {', '.join(result.forwarding_address)}")
        if result.kind == "move_out":
            write(f"  next: civicbill bill final {account.number} --user {options['user']}")

    def _print_read(self, result: MoveResult, label: str = "read") -> None:
        """The read bounding the use at a move (recorded, on file, estimated or held), or why none."""
        write = self.stdout.write
        if result.read is not None:
            read = result.read.as_dict()
            how = (
                "estimated"
                if read["estimated"]
                else "held for review"
                if read["held_for_review"]
                else "actual"
            )
            on_file = "" if read["recorded"] else " (already on file)"
            write(
                f"  {label} {read['value']} on meter {read['meter_serial']} on {read['read_on']}: "
                f"{how}{on_file}"
            )
        if result.read_note:
            write(f"  {result.read_note}")

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
