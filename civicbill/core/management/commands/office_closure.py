"""``civicbill office-closure add DATE --reason R --user U`` and ``civicbill office-closure list [--json]``.

Office closures join weekends and US/California holidays in the business-day calendar.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicbill.core.calendar_services import office_closure_add
from civicbill.core.exceptions import ApplicationError
from civicbill.core.models import OfficeClosure


class Command(BaseCommand):
    help = "Record or list the days the business office is closed."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="record a closure")
        add.add_argument("date", type=dt.date.fromisoformat, help="YYYY-MM-DD")
        add.add_argument("--reason", required=True)
        add.add_argument("--user", required=True, help="the staff user name recording it")
        listing = sub.add_parser("list", help="list closures")
        listing.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            closures = [
                {"closed_on": c.closed_on.isoformat(), "reason": c.reason}
                for c in OfficeClosure.objects.all()
            ]
            if options["json"]:
                self.stdout.write(json.dumps(closures))
            else:
                for row in closures:
                    self.stdout.write(f"{row['closed_on']}  {row['reason']}")
            return
        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user named {options['user']!r}")
        try:
            closure = office_closure_add(closed_on=options["date"], reason=options["reason"], actor=actor)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Recorded: the office is closed on {closure.closed_on:%Y-%m-%d} ({closure.reason})."
        )
