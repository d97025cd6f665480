"""``civicbill gl export --date D [--format csv] --out FILE --user U [--again] [--json]``: the day's
journal summarized by GL account and fund for the city's financial system (layout in
docs/payment-files.md). A date is exported once unless ``--again``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from civicbill.core import clock
from civicbill.core.commands import CivicbillCommand, add_user_argument, date_type
from civicbill.ledger.export import FORMATS, gl_export
from civicbill.ledger.management.commands.period_close import LEDGER_UNKNOWN_USER


class Command(CivicbillCommand):
    unknown_user_message = LEDGER_UNKNOWN_USER
    help = "General ledger: export a day's journal summarized by GL account and fund."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="export one accounting date")
        export.add_argument("--date", type=date_type("--date"), required=True)
        export.add_argument("--format", choices=FORMATS, default="csv")
        export.add_argument("--out", type=Path, required=True, help="the file to write")
        add_user_argument(export, help="the supervisor exporting")
        export.add_argument("--again", action="store_true", help="export a date already exported")
        export.add_argument("--json", action="store_true")

    def _export(self, options: dict[str, Any]) -> None:
        out: Path = options["out"]
        export, text = gl_export(
            accounting_date=options["date"],
            as_of=clock.now(),
            actor=self.actor(options),
            file_format=options["format"],
            file_name=out.name,
            again=options["again"],
        )
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
            self.print_json(row)
        else:
            self.stdout.write(
                f"Exported {row['date']}{' again' if export.is_again else ''}: {export.entry_count} entries "
                f"to {out}"
            )
