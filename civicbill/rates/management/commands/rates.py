"""``civicbill rates ...``: rate schedules from the command line.

- ``civicbill rates load FILE --user U [--json]``: store a civicbill schedule file as a new version.
- ``civicbill rates add CODE FILE --user U [--json]``: a supervisor adds a future-dated version.
- ``civicbill rates import-owrs FILE --code CODE [--service water] [--effective-from D] --user U [--json]``:
  prints the classes skipped as malformed (class, field, line, problem) and the tier table of each
  imported class as civicbill bills it (``skipped_classes`` and ``tier_tables`` in ``--json``).
- ``civicbill rates list [--json]`` and ``civicbill rates show CODE [--json]``
- ``civicbill rates quote (--schedule CODE | --owrs FILE) --class CLASS --usage N [--days D]
  [--cycle-days C] [--var NAME=VALUE ...] [--date YYYY-MM-DD] [--json]``: price one bill without
  storing anything.
  ``--var`` sets any determinant by its OWRS name (``meter_size=3/4"``, ``hhsize=3``, ``et_amount=4.8``,
  ``irrigable_area=1300``, ``water_type=POTABLE``, ``dwelling_units=4``, ``winter_average_ccf=12`` ...).
  ``--cycle-days C`` quotes ``--days`` as part of a C-day billing cycle (prorated D/C exactly, as a
  bill is); the text names the factor (``Prorated 17/31: 17 days of a 31-day cycle.``).

Every error exits non-zero with a message naming what is wrong.
"""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from civicbill.core import clock
from civicbill.core.commands import CivicbillCommand, add_user_argument, date_type
from civicbill.core.utility_services import Service
from civicbill.rates import selectors, services
from civicbill.rates.models import RateSchedule, RateScheduleVersion
from civicbill.rates.owrs.convert import owrs_schedule_document
from civicbill.rates.owrs.report import import_report, report_lines
from civicbill.rates.quotes import quote_plan, rate_quote
from civicbill.rates.types import PlanVersion, RatingPlan


def _usage(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a usage (a number of HCF, like 15)") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a usage (a number of HCF, like 15)")
    return value


def _days(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 400:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days (1 to 400)")
    return int(text)


def _variable(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    name = name.strip()
    if not equals or not name or not value.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE (like hhsize=3)")
    return name, value.strip()


def _read(path_text: str) -> tuple[str, str]:
    path = Path(path_text)
    try:
        return path.read_text(encoding="utf-8"), path.name
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not a UTF-8 text file") from None


def version_json(version: RateScheduleVersion, *, with_document: bool = False) -> dict[str, Any]:
    document = version.document
    classes = (
        document.get("owrs_classes") if version.source_format == "owrs" else list(document.get("classes", {}))
    )
    result: dict[str, Any] = {
        "id": version.pk,
        "label": version.label,
        "effective_from": version.effective_from.isoformat(),
        "source_format": version.source_format,
        "source_name": version.source_name,
        "loaded_by": version.loaded_by.username,
        "loaded_at": version.loaded_at.isoformat(),
        "classes": classes,
    }
    if version.source_format == "owrs":
        result.update(import_report(document))
    if with_document:
        result["document"] = document
    return result


def schedule_json(schedule: RateSchedule) -> dict[str, Any]:
    return {
        "code": schedule.code,
        "service": schedule.service,
        "name": schedule.name,
        "description": schedule.description,
    }


def _retroactive_reason(options: dict[str, Any]) -> str | None:
    """``--retroactive`` needs ``--reason`` and the reverse: the service gets the reason or None."""
    if options["retroactive"] != (options["reason"] is not None):
        raise CommandError("--retroactive and --reason go together: give both, or neither.")
    return options["reason"] if options["retroactive"] else None


class Command(CivicbillCommand):
    help = "Rate schedules: load a file, import OWRS, list, show, and quote a bill."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        user_help = "the staff user doing this"

        load = sub.add_parser("load", help="store a civicbill schedule file (YAML) as a new version")
        load.add_argument("file")
        add_user_argument(load, help=user_help)
        load.add_argument(
            "--retroactive",
            action="store_true",
            help="a version of an existing schedule effective before today (with --reason; audited)",
        )
        load.add_argument(
            "--reason", help="why the version is loaded retroactively (kept in the audit trail)"
        )
        load.add_argument("--json", action="store_true", help="print the new version as JSON")

        add = sub.add_parser("add", help="add a future-dated version to an existing schedule (supervisor)")
        add.add_argument("code")
        add.add_argument("file")
        add_user_argument(add, help=user_help)
        add.add_argument("--json", action="store_true", help="print the new version as JSON")

        owrs = sub.add_parser("import-owrs", help="store an OWRS file as a version of schedule CODE")
        owrs.add_argument("file")
        owrs.add_argument("--code", required=True, help="the schedule code, like W-RES")
        owrs.add_argument("--service", default=Service.WATER, choices=Service.values)
        owrs.add_argument(
            "--effective-from",
            type=date_type("--effective-from"),
            help="instead of the file's metadata.effective_date",
        )
        add_user_argument(owrs, help=user_help)
        owrs.add_argument(
            "--retroactive",
            action="store_true",
            help="a version of an existing schedule effective before today (with --reason; audited)",
        )
        owrs.add_argument(
            "--reason", help="why the version is loaded retroactively (kept in the audit trail)"
        )
        owrs.add_argument("--json", action="store_true", help="print the new version as JSON")

        listing = sub.add_parser("list", help="schedules with their versions")
        listing.add_argument("--json", action="store_true")

        show = sub.add_parser("show", help="a schedule, its versions and their parsed documents")
        show.add_argument("code")
        show.add_argument("--json", action="store_true")

        quote = sub.add_parser("quote", help="price one bill without storing anything")
        source = quote.add_mutually_exclusive_group(required=True)
        source.add_argument("--schedule", help="a loaded schedule code, like W-RES")
        source.add_argument("--owrs", help="an OWRS file to evaluate directly")
        quote.add_argument(
            "--class", dest="customer_class", required=True, help="customer class, like RESIDENTIAL_SINGLE"
        )
        quote.add_argument("--usage", required=True, type=_usage, help="usage in HCF for the period")
        quote.add_argument("--days", type=_days, default=30, help="days in the period (default 30)")
        quote.add_argument(
            "--cycle-days",
            type=_days,
            help="the billing cycle's days when --days is only part of it (a move-in or move-out): "
            "prorates by days/cycle days exactly, as the billing run does",
        )
        quote.add_argument("--var", action="append", type=_variable, default=[], metavar="NAME=VALUE")
        quote.add_argument("--date", type=date_type("--date"), help="the period's last day (default today)")
        quote.add_argument("--json", action="store_true")

    # -- helpers ---------------------------------------------------------------------------------
    def _loaded(self, version: RateScheduleVersion, options: dict[str, Any]) -> None:
        if options["json"]:
            self.print_json(version_json(version))
        else:
            self.stdout.write(f"Loaded {version.label} ({version.source_format}, {version.source_name}).")
            for warning in version.document.get("warnings", []):
                self.stdout.write(f"  warning: {warning}")
            if version.source_format == "owrs":
                for line in report_lines(version.document):
                    self.stdout.write(line)

    # -- subcommands -----------------------------------------------------------------------------
    def _load(self, options: dict[str, Any]) -> None:
        actor = self.actor(options)
        text, name = _read(options["file"])
        version = services.schedule_version_load(
            text=text,
            source_name=name,
            actor=actor,
            as_of=clock.today(),
            retroactive_reason=_retroactive_reason(options),
        )
        self._loaded(version, options)

    def _add(self, options: dict[str, Any]) -> None:
        actor = self.actor(options)
        text, name = _read(options["file"])
        version = services.schedule_version_add(
            code=options["code"], text=text, source_name=name, actor=actor, as_of=clock.today()
        )
        self._loaded(version, options)

    def _import_owrs(self, options: dict[str, Any]) -> None:
        actor = self.actor(options)
        text, name = _read(options["file"])
        version = services.schedule_version_import_owrs(
            text=text,
            code=options["code"],
            service=options["service"],
            effective_from=options["effective_from"],
            source_name=name,
            actor=actor,
            as_of=clock.today(),
            retroactive_reason=_retroactive_reason(options),
        )
        self._loaded(version, options)

    def _list(self, options: dict[str, Any]) -> None:
        schedules = selectors.schedules_list()
        if options["json"]:
            self.print_json(
                [
                    {
                        **schedule_json(schedule),
                        "versions": schedule.versions_count,  # type: ignore[attr-defined]
                        "first_effective_from": schedule.first_effective_from,  # type: ignore[attr-defined]
                        "latest_effective_from": schedule.latest_effective_from,  # type: ignore[attr-defined]
                    }
                    for schedule in schedules
                ]
            )
            return
        for schedule in schedules:
            self.stdout.write(
                f"{schedule.code:<12} {schedule.service:<10} {schedule.versions_count:>3} versions, "  # type: ignore[attr-defined]
                f"latest from {schedule.latest_effective_from}  {schedule.name}"
            )

    def _show(self, options: dict[str, Any]) -> None:
        schedule = selectors.schedule_get(options["code"])
        versions = selectors.schedule_versions(schedule=schedule)
        if options["json"]:
            self.print_json(
                {
                    **schedule_json(schedule),
                    "versions": [version_json(v, with_document=True) for v in versions],
                }
            )
            return
        self.stdout.write(f"{schedule.code}: {schedule.name} ({schedule.service})")
        if schedule.description:
            self.stdout.write(f"  {schedule.description}")
        for version in versions:
            data = version_json(version)
            self.stdout.write(
                f"  from {data['effective_from']}  {data['source_format']:<14} {data['source_name']}  "
                f"classes: {', '.join(data['classes'] or [])}  (loaded by {data['loaded_by']})"
            )

    def _quote(self, options: dict[str, Any]) -> None:
        period_end = options["date"] or clock.today()
        variables = dict(options["var"])
        if options["owrs"]:
            text, name = _read(options["owrs"])
            parsed = owrs_schedule_document(text=text, code="OWRS", source_name=name)
            period_start = period_end - dt.timedelta(days=options["days"] - 1)
            plan = RatingPlan(
                code=name,
                service=Service.WATER,
                versions=(
                    PlanVersion(
                        version_id=None,
                        effective_from=period_start,
                        document=parsed.document,
                        source_format="owrs",
                        label=f"{name} (OWRS, effective {parsed.effective_from})",
                    ),
                ),
            )
            quote = quote_plan(
                plan=plan,
                customer_class=options["customer_class"],
                usage_hcf=options["usage"],
                period_end=period_end,
                days=options["days"],
                variables=variables,
                cycle_days=options["cycle_days"],
            )
        else:
            quote = rate_quote(
                schedule_code=options["schedule"],
                customer_class=options["customer_class"],
                usage_hcf=options["usage"],
                as_of=period_end,
                days=options["days"],
                variables=variables,
                cycle_days=options["cycle_days"],
            )
        if options["json"]:
            self.print_json(quote.as_json())
            return
        for line in quote.lines:
            fraction = line.detail.get("proration") if line.proration is not None else None
            self.stdout.write(
                f"{line.description:<60} {line.quantity:>10} {line.unit:<9} {line.amount:>10}"
                + (f"  × {fraction}" if fraction else "")
            )
        self.stdout.write(f"{'Total':<81} {quote.total:>10}")
        if quote.proration_text():
            self.stdout.write(quote.proration_text())
