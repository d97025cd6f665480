"""``civicbill period-close YYYY-MM --user USERNAME``: close an accounting month."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from civicbill.core.commands import CivicbillCommand, add_user_argument, month_type
from civicbill.ledger.services import period_close

# The ledger's commands have always said "no active user named ..." (a test reads it so)
LEDGER_UNKNOWN_USER = "no active user named {name!r}"


class Command(CivicbillCommand):
    help = "Close an accounting month so nothing more can be posted into it (Supervisor)."
    unknown_user_message = LEDGER_UNKNOWN_USER

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", type=month_type(), help="the month, YYYY-MM")
        add_user_argument(parser, help="the supervisor closing the month")

    def run(self, options: dict[str, Any]) -> None:
        period = period_close(month=options["month"], actor=self.actor(options))
        self.stdout.write(self.style.SUCCESS(f"Closed accounting period {period.month:%Y-%m}."))
