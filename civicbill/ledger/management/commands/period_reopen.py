"""``civicbill period-reopen YYYY-MM --user USERNAME --reason TEXT``: reopen a closed month."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from civicbill.core.commands import CivicbillCommand, add_user_argument, month_type
from civicbill.ledger.management.commands.period_close import LEDGER_UNKNOWN_USER
from civicbill.ledger.services import period_reopen


class Command(CivicbillCommand):
    help = "Reopen a closed accounting month (Supervisor; the reason goes into the audit trail)."
    unknown_user_message = LEDGER_UNKNOWN_USER

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", type=month_type(), help="the month, YYYY-MM")
        add_user_argument(parser, help="the supervisor reopening the month")
        parser.add_argument("--reason", required=True, help="why the month is reopened")

    def run(self, options: dict[str, Any]) -> None:
        period = period_reopen(month=options["month"], reason=options["reason"], actor=self.actor(options))
        self.stdout.write(self.style.SUCCESS(f"Reopened accounting period {period.month:%Y-%m}."))
