"""``civicbill reads ...``: meter read files and estimation for scripted work.

- ``civicbill reads import FILE --format csv|beacon|sensus-route|ami-interval [--preview] [--json]
  --user U``: validate every read and store the accepted ones and the exceptions (``--preview``:
  validate and report, write nothing). Prints counts, bad rows with their line numbers and exceptions
  by rule. A progress bar shows on a terminal. Exits 1 when the file is refused (not the declared
  format, imported before) and 2 when it was imported with bad rows.
- ``civicbill reads estimate --route R --date D --user U [--json]``: estimate the reads missing on a
  route for a read date.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from civicbill.core import clock
from civicbill.core.commands import CivicbillCommand, add_user_argument, date_type
from civicbill.meters.formats import FORMATS
from civicbill.meters.models import ServicePoint
from civicbill.meters.services.read_estimates import EstimateReport, estimate_missing_reads
from civicbill.meters.services.reads import ImportReport, reads_import
from civicbill.meters.validation import shown

SHOWN_ROWS = 20


class Command(CivicbillCommand):
    help = "Import meter read files (csv, beacon, sensus-route, ami-interval) and estimate missing reads."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        importing = sub.add_parser("import", help="validate and store a read file")
        importing.add_argument("file", type=Path)
        importing.add_argument("--format", required=True, choices=FORMATS, dest="file_format")
        importing.add_argument("--preview", action="store_true", help="validate and report; write nothing")
        importing.add_argument("--json", action="store_true", help="print the report as JSON")
        add_user_argument(importing, help="the staff user importing")
        importing.add_argument(
            "--date", type=date_type("--date"), help="today's date for the read window (default: today)"
        )
        estimate = sub.add_parser("estimate", help="estimate the reads missing on a route")
        estimate.add_argument("--route", required=True)
        estimate.add_argument(
            "--date", required=True, type=date_type("--date"), help="the read date, YYYY-MM-DD"
        )
        add_user_argument(estimate, help="the staff user")
        estimate.add_argument("--json", action="store_true", help="print the report as JSON")

    def run(self, options: dict[str, Any]) -> None:
        if options["action"] == "import":
            self._import(options)
        else:
            self._estimate(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        actor = self.actor(options)
        with self.progress(options, unit="rows") as bar:
            report = reads_import(
                content=content,
                file_name=path.name,
                file_format=options["file_format"],
                actor=actor,
                as_of=options["date"] or clock.today(),
                preview=options["preview"],
                progress=bar.stage,
            )
        if options["json"]:
            self.print_json(report.as_dict())
        else:
            self._print_import(report)
        if report.rows_bad:
            sys.exit(2)

    def _print_import(self, report: ImportReport) -> None:
        write = self.stdout.write
        verb = "Preview of" if report.preview else "Imported"
        write(f"{verb} {report.file_name} ({report.file_format}): {report.rows_total} rows")
        write(f"  accepted: {report.reads_accepted}")
        write(f"  held for review: {report.reads_exception}")
        for code, count in sorted(report.exceptions_by_code.items()):
            write(f"    {code}: {count}")
        write(f"  bad rows: {report.rows_bad}")
        for bad in report.bad_rows[:SHOWN_ROWS]:
            write(f"    line {bad.line}: {bad.reason} ({bad.code})")
        if report.rows_bad > SHOWN_ROWS:
            write(f"    ... and {report.rows_bad - SHOWN_ROWS} more (--json lists them all)")
        if report.intervals_stored:
            write(f"  AMI intervals stored: {report.intervals_stored}")
        for note in report.notes:
            write(f"  note: {note.reason}")
        for leak in report.probable_leaks:
            write(f"  probable leak, meter {leak.meter_key}: {leak.summary}")
        if report.preview:
            write("Nothing was written (preview).")

    def _estimate(self, options: dict[str, Any]) -> None:
        actor = self.actor(options)
        point_ids = list(
            ServicePoint.objects.filter(read_route=options["route"]).values_list("pk", flat=True)
        )
        if not point_ids:
            raise CommandError(f"No service points on route {options['route']!r}")
        report = estimate_missing_reads(
            service_point_ids=point_ids, read_on=options["date"], actor=actor, as_of=clock.today()
        )
        if options["json"]:
            self.print_json(report.as_dict())
        else:
            self._print_estimate(report, options["route"])

    def _print_estimate(self, report: EstimateReport, route: str) -> None:
        write = self.stdout.write
        write(f"Route {route}, reads for {report.read_on}: {report.service_points} meters installed")
        write(f"  already read: {report.already_read}")
        write(f"  estimated: {report.estimated}")
        write(f"  held for review: {report.exceptions}")
        for line in report.lines:
            value = "" if line.value is None else f"{shown(line.value)}"
            write(f"    {line.meter_serial:<16} {line.status:<10} {value:>12}  {line.message}")
