"""``civicbill period-close YYYY-MM --user USERNAME``: close an accounting month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicbill.core.exceptions import ApplicationError
from civicbill.ledger.services import period_close


def parse_month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 - a calendar month, not an instant
    except ValueError:
        raise CommandError(f"{text!r} is not a month (YYYY-MM)") from None


def active_user(username: str) -> Any:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user named {username!r}")
    return user


class Command(BaseCommand):
    help = "Close an accounting month so nothing more can be posted into it (Supervisor)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", type=parse_month, help="the month, YYYY-MM")
        parser.add_argument("--user", required=True, help="the supervisor closing the month")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = period_close(month=options["month"], actor=active_user(options["user"]))
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Closed accounting period {period.month:%Y-%m}."))
