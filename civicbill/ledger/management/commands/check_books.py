"""``civicbill check-books [--json]``: verify the ledger; exit 1 naming each broken check."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from civicbill.core.commands import CivicbillCommand
from civicbill.ledger.selectors import check_books


class Command(CivicbillCommand):
    help = "Verify the books: balanced entries, trial balance, funds, subledger ties, reversals, periods."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def run(self, options: dict[str, Any]) -> None:
        report = check_books()
        if options["json"]:
            self.print_json(report.to_dict())
        else:
            self.stdout.write(f"Checked {report.entry_count} entries, {report.line_count} lines")
            for check in report.checks:
                mark = "ok    " if check.ok else "FAILED"
                self.stdout.write(f"  {mark} {check.name}: {check.detail}")
                for problem in check.problems:
                    self.stdout.write(f"           - {problem}")
        if not report.ok:
            names = ", ".join(check.name for check in report.failed)
            raise CommandError(f"the books are not in order: {names}", returncode=1)
        if not options["json"]:
            self.stdout.write(self.style.SUCCESS("The books are in order."))
