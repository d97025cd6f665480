"""``civicbill bills ...``: bill documents from the command line.

- ``civicbill bills pdf --run RUN --out FILE [--workers N] [--json]``: a committed run's print file,
  one PDF in mail sort order (paperless accounts left out and listed).
- ``civicbill bills pdf --bill NUMBER --out FILE [--json]``: one bill (a draft is marked DRAFT, a
  cancelled bill VOID).
- ``civicbill bills extract --run RUN --out FILE.csv [--json]``: the print vendor's CSV extract (the
  columns are listed in docs/bills.md), in the same order as the print file.
- ``civicbill bills scan-line TEXT [--json]``: read a remittance scan line back and check it.

Exits 1 with a message naming the problem: an unknown run or bill, a run that is only a trial, a
file that cannot be written, a scan line whose check digit fails.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from civicbill.billing.documents import files
from civicbill.core.commands import CivicbillCommand
from civicbill.core.scanline import ScanLineError, parse_scan_line


def _run_id(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a run id (a number, like 12)")
    return int(text)


class Command(CivicbillCommand):
    help = "Bill documents: a bill's or a run's PDF, the print vendor's CSV extract, scan lines."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        pdf = sub.add_parser("pdf", help="a run's print file or one bill as PDF")
        which = pdf.add_mutually_exclusive_group(required=True)
        which.add_argument("--run", type=_run_id, help="billing run id: its print file in mail sort order")
        which.add_argument("--bill", help="bill number: that bill alone")
        pdf.add_argument("--out", required=True, help="the PDF file to write")
        pdf.add_argument("--workers", type=int, default=2, help="processes rendering a run (default 2)")
        pdf.add_argument("--json", action="store_true", help="print the result as JSON")

        extract = sub.add_parser("extract", help="the print vendor's CSV extract of a run")
        extract.add_argument("--run", type=_run_id, required=True, help="billing run id")
        extract.add_argument("--out", required=True, help="the CSV file to write")
        extract.add_argument("--json", action="store_true", help="print the result as JSON")

        scan = sub.add_parser("scan-line", help="read a remittance stub's scan line and check it")
        scan.add_argument("text", help="the 26 digits (spaces allowed)")
        scan.add_argument("--json", action="store_true", help="print the result as JSON")

    @staticmethod
    def _out(path_text: str) -> Path:
        path = Path(path_text)
        if not path.parent.exists():
            raise CommandError(f"Cannot write {path}: the folder {path.parent} does not exist.")
        return path

    def _pdf(self, options: dict[str, Any]) -> None:
        out = self._out(options["out"])
        if options["bill"]:
            content = files.bill_pdf(bill_number=options["bill"])
            self._write(out, content)
            data = {"bill_number": options["bill"].strip(), "file": str(out), "bytes": len(content)}
            self.emit(options, data, f"Bill {data['bill_number']} written to {out}.")
            return
        run_id = options["run"]
        files.printable_run(run_id)  # refuse an unknown or trial run before any work
        try:
            with self.progress(options, desc=f"run {run_id}", unit="bills") as bar:
                result = files.run_print_file(
                    run_id, out=out, workers=max(1, options["workers"]), progress=bar
                )
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror or error}") from error
        data = {**result.as_dict(), "file": str(out)}
        text = (
            f"Run {run_id}: {data['bills_printed']} bills on {data['pages']} pages written to {out} "
            f"(mail sort order); {len(result.paperless)} paperless bills not printed."
        )
        for document in result.paperless:
            text += f"\n  paperless: {document.bill_number} {document.account_number} {document.email}"
        self.emit(options, data, text)

    @staticmethod
    def _write(out: Path, content: bytes) -> None:
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror or error}") from error

    def _extract(self, options: dict[str, Any]) -> None:
        out = self._out(options["out"])
        result = files.run_print_extract(options["run"])
        try:
            with out.open("w", newline="", encoding="utf-8") as handle:
                files.write_extract_csv(result, handle)
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror or error}") from error
        data = {**result.as_dict(), "file": str(out), "columns": list(files.EXTRACT_COLUMNS)}
        self.emit(
            options,
            data,
            f"Run {options['run']}: {data['bills_printed']} rows written to {out} "
            f"({len(result.paperless)} paperless bills not included).",
        )

    def _scan_line(self, options: dict[str, Any]) -> None:
        try:
            scan = parse_scan_line(options["text"])
        except ScanLineError as error:
            raise CommandError(str(error)) from error
        data = {
            "account_number": scan.account_number,
            "amount_due": str(scan.amount_due),
            "due_date": scan.due_date.isoformat(),
            "scan_line": scan.printed,
        }
        self.emit(
            options,
            data,
            f"Account {scan.account_number}, ${scan.amount_due} due {scan.due_date.isoformat()} "
            "(the check digit holds).",
        )
