"""``civicbill ach ...``: NACHA ACH files.

- ``civicbill ach validate FILE [--json] [--allow-custom-return-codes] [--strict]``: read the file as
  the bank would, print a summary (batches, entries, debit and credit totals) and every problem
  (line, record, field, found, expected). Exit 0 when valid, 1 when invalid, 2 when the file cannot
  be read at all (missing, a directory, no permission).

The command lives with autopay, whose ``ach draft``, ``ach cancel``, ``ach returns`` and
``ach review`` it carries (:mod:`civicbill.autopay.commands`); ``validate`` needs only the pure NACHA
library (:mod:`civicbill.nacha`), below every app.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from civicbill.autopay import commands as autopay_commands
from civicbill.core.commands import CivicbillCommand
from civicbill.core.money import format_cents
from civicbill.nacha import ReadResult, read_file


class Command(CivicbillCommand):
    help = "NACHA ACH files: validate a file; autopay's draft files and return files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="check a NACHA file and list every problem")
        validate.add_argument("file", help="the NACHA file (any bytes; nothing is changed)")
        validate.add_argument("--json", action="store_true", help="print the result as JSON")
        validate.add_argument(
            "--allow-custom-return-codes",
            action="store_true",
            help="accept non-standard return reason codes such as R97",
        )
        validate.add_argument(
            "--strict",
            action="store_true",
            help="refuse repaired line lengths and missing 9-padding (the rules for files we send)",
        )
        autopay_commands.add_subcommands(sub)

    def run(self, options: dict[str, Any]) -> None:
        if options["action"] in autopay_commands.SUBCOMMANDS:
            getattr(autopay_commands, options["action"])(self, options)
            return
        super().run(options)

    def _validate(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}", returncode=2) from error
        try:
            result = read_file(
                data,
                allow_custom_return_codes=options["allow_custom_return_codes"],
                strict=options["strict"],
            )
        except Exception as error:  # the reader never raises; if it ever does, say so without a traceback
            raise CommandError(
                f"Could not validate {path}: internal error {type(error).__name__}: {error}", returncode=2
            ) from error
        if options["json"]:
            document = {
                "file": str(path),
                "valid": result.valid,
                "summary": result.summary(),
                "problems": [problem.as_dict() for problem in result.problems],
            }
            self.print_json(document)
        else:
            self._print(path, result)
        if not result.valid:
            sys.exit(1)

    def _print(self, path: Path, result: ReadResult) -> None:
        write = self.stdout.write
        summary = result.summary()
        count = summary["errors"]
        verdict = "valid" if result.valid else f"INVALID ({count} error{'' if count == 1 else 's'})"
        write(f"{path.name}: {verdict}")
        sec = f" ({', '.join(summary['sec_codes'])})" if summary["sec_codes"] else ""
        write(f"  batches: {summary['batches']}{sec}")
        write(
            f"  entries: {summary['entries']} (debits: {summary['debit_entries']}, "
            f"credits: {summary['credit_entries']}, prenotes: {summary['prenotes']})"
        )
        if summary["returns"] or summary["notifications_of_change"]:
            changes = summary["notifications_of_change"]
            write(f"  returns: {summary['returns']}, notifications of change: {changes}")
        # a negative total (never in a well-formed file) as -$0.50, not $-1.50
        write(f"  total debits:  {format_cents(summary['total_debit_cents'], credit_style='minus')}")
        write(f"  total credits: {format_cents(summary['total_credit_cents'], credit_style='minus')}")
        if result.problems:
            write("Problems:" if result.errors else "Warnings:")
            for problem in result.problems:
                write(f"  {problem}")
