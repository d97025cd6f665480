"""``civicbill gl export --date D [--format csv] --out FILE --user U [--again] [--json]``: the day's
journal summarized by GL account and fund for the city's financial system (layout in
docs/payment-files.md). A date is exported once unless ``--again``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError
from civicbill.ledger.export import FORMATS, gl_export
from civicbill.ledger.management.commands.period_close import active_user


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-01") from None


class Command(BaseCommand):
    help = "General ledger: export a day's journal summarized by GL account and fund."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="export one accounting date")
        export.add_argument("--date", type=_date, required=True)
        export.add_argument("--format", choices=FORMATS, default="csv")
        export.add_argument("--out", type=Path, required=True, help="the file to write")
        export.add_argument("--user", required=True, help="the supervisor exporting")
        export.add_argument("--again", action="store_true", help="export a date already exported")
        export.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        try:
            export, text = gl_export(
                accounting_date=options["date"],
                as_of=clock.now(),
                actor=active_user(options["user"]),
                file_format=options["format"],
                file_name=out.name,
                again=options["again"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        out.write_text(text, encoding="utf-8")
        row = {
            "export": export.pk,
            "date": export.accounting_date.isoformat(),
            "file": str(out),
            "entry_count": export.entry_count,
            "debit_cents": export.debit_cents,
            "credit_cents": export.credit_cents,
            "again": export.is_again,
        }
        if options["json"]:
            self.stdout.write(json.dumps(row, indent=2))
        else:
            self.stdout.write(
                f"Exported {row['date']}{' again' if export.is_again else ''}: {export.entry_count} entries "
                f"to {out}"
            )
