"""``civicbill period-reopen YYYY-MM --user USERNAME --reason TEXT``: reopen a closed month."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicbill.core.exceptions import ApplicationError
from civicbill.ledger.management.commands.period_close import active_user, parse_month
from civicbill.ledger.services import period_reopen


class Command(BaseCommand):
    help = "Reopen a closed accounting month (Supervisor; the reason goes into the audit trail)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", type=parse_month, help="the month, YYYY-MM")
        parser.add_argument("--user", required=True, help="the supervisor reopening the month")
        parser.add_argument("--reason", required=True, help="why the month is reopened")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = period_reopen(
                month=options["month"], reason=options["reason"], actor=active_user(options["user"])
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Reopened accounting period {period.month:%Y-%m}."))
