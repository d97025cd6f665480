"""``civicbill office-closure add DATE --reason R --user U`` and ``civicbill office-closure list [--json]``.

Office closures join weekends and US/California holidays in the business-day calendar.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from civicbill.core.calendar_services import office_closure_add
from civicbill.core.commands import CivicbillCommand, add_user_argument, date_type
from civicbill.core.models import OfficeClosure


class Command(CivicbillCommand):
    help = "Record or list the days the business office is closed."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="record a closure")
        add.add_argument("date", type=date_type(), help="YYYY-MM-DD")
        add.add_argument("--reason", required=True)
        add_user_argument(add, help="the staff user name recording it")
        listing = sub.add_parser("list", help="list closures")
        listing.add_argument("--json", action="store_true")

    def _list(self, options: dict[str, Any]) -> None:
        closures = [
            {"closed_on": c.closed_on.isoformat(), "reason": c.reason} for c in OfficeClosure.objects.all()
        ]
        if options["json"]:
            self.print_json(closures, indent=None)
        else:
            for row in closures:
                self.stdout.write(f"{row['closed_on']}  {row['reason']}")

    def _add(self, options: dict[str, Any]) -> None:
        closure = office_closure_add(
            closed_on=options["date"], reason=options["reason"], actor=self.actor(options)
        )
        self.stdout.write(
            f"Recorded: the office is closed on {closure.closed_on:%Y-%m-%d} ({closure.reason})."
        )
