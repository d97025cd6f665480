"""Work orders from the command line:

- ``civicbill workorders list [--status S] [--type T] [--route R] [--assignee U] [--json]``
- ``civicbill workorders complete NUMBER --date D [--read R] [--findings TEXT] [--notes TEXT] --user U
  [--json]``
- ``civicbill workorders sheet --date D [--route R] --output FILE.pdf``
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from civicbill.core import clock
from civicbill.core.commands import CivicbillCommand, add_user_argument, date_type
from civicbill.core.numbers import parse_typed_decimal
from civicbill.workorders import selectors, services
from civicbill.workorders.models import WorkOrderStatus, WorkOrderType
from civicbill.workorders.pdf import field_sheet_pdf
from civicbill.workorders.summary import workorder_summary


def _read(text: str) -> Decimal:
    value = parse_typed_decimal(text)
    if value is None:
        raise CommandError(f"--read {text!r} is not a number (like 4512)")
    return value


class Command(CivicbillCommand):
    help = "List work orders, complete one, or print the daily field sheet."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="work orders by due date, highest priority first")
        listing.add_argument(
            "--status", choices=["active", *WorkOrderStatus.values], help="active = open or assigned"
        )
        listing.add_argument("--type", dest="work_type", choices=WorkOrderType.values)
        listing.add_argument("--route", help="read route")
        listing.add_argument("--assignee", help="user name of the field worker")
        listing.add_argument("--limit", type=int, default=500)
        listing.add_argument("--json", action="store_true", help="print JSON")
        complete = sub.add_parser("complete", help="complete a work order (with a read, findings)")
        complete.add_argument("number", help="WO-000012 (or 12)")
        complete.add_argument(
            "--date", required=True, type=date_type("--date"), help="the day the work was done, YYYY-MM-DD"
        )
        complete.add_argument("--read", type=_read, default=None, help="the meter read taken")
        complete.add_argument("--findings", default="", help="what was found and done")
        complete.add_argument("--notes", default="", help="notes for the office")
        add_user_argument(complete, help="the staff user name doing it")
        complete.add_argument("--json", action="store_true", help="print the work order as JSON")
        sheet = sub.add_parser("sheet", help="write the daily field sheet as PDF")
        sheet.add_argument("--date", required=True, type=date_type("--date"), help="YYYY-MM-DD")
        sheet.add_argument("--route", default=None)
        sheet.add_argument("--output", required=True, help="the PDF file to write")

    def _list(self, options: dict[str, Any]) -> None:
        assignee = self.user_named(options["assignee"]) if options["assignee"] else None
        orders = list(
            selectors.workorders_list(
                status=options["status"],
                work_type=options["work_type"],
                route=options["route"],
                assignee=assignee,
            )[: max(0, options["limit"])]
        )
        if options["json"]:
            self.print_json([workorder_summary(o) for o in orders])
            return
        if not orders:
            self.stdout.write("No work orders match.")
        for order in orders:
            who = order.assigned_to.username if order.assigned_to else "-"
            self.stdout.write(
                f"{order.number}  {order.due_on:%Y-%m-%d}  {order.status:<9} {order.work_type:<16} "
                f"{order.premise.address_line:<28} {who}"
            )

    def _complete(self, options: dict[str, Any]) -> None:
        actor = self.actor(options)
        order = selectors.workorder_get(options["number"])
        order = services.workorder_complete(
            work_order=order,
            completed_on=options["date"],
            findings=options["findings"],
            read_value=options["read"],
            notes=options["notes"],
            as_of=clock.today(),
            actor=actor,
        )
        order = selectors.workorder_get(order.number)
        if options["json"]:
            self.print_json(workorder_summary(order))
        else:
            read = f", read {order.read.value}" if order.read else ""
            self.stdout.write(f"{order.number} completed on {order.completed_on:%Y-%m-%d}{read}.")

    def _sheet(self, options: dict[str, Any]) -> None:
        rows = selectors.field_sheet(on=options["date"], route=options["route"])
        output = Path(options["output"])
        try:
            output.write_bytes(field_sheet_pdf(rows, on=options["date"], route=options["route"]))
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}") from error
        stops = f"{len(rows)} stop" if len(rows) == 1 else f"{len(rows)} stops"
        self.stdout.write(f"Field sheet for {options['date']:%Y-%m-%d}: {stops} written to {output}.")
