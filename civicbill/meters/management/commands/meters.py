"""``civicbill meters ...``: meter inventory for scripted work.

- ``civicbill meters receive FILE [--date D] [--dry-run] [--json] --user U``: a vendor shipment CSV
  (header ``serial,make,model,size,dials,unit,multiplier``); good rows received, each bad row reported
  with its line number. Exits 1 when any row was refused (after printing the report).
- ``civicbill meters list [--status S] [--size Z] [--serial PREFIX] [--limit N] [--json]``
- ``civicbill meters counts [--json]``: meters by status and size.
- ``civicbill meters install SERIAL --account NUMBER --date D --read R --user U [--json]``
- ``civicbill meters exchange OLD NEW --date D --old-read R --new-read R --user U [--json]``
- ``civicbill meters show SERIAL [--json]``: the meter, its installations, its reads (date, value,
  status, source, consumption in HCF) and tests.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from civicbill.core import clock
from civicbill.core.commands import CivicbillCommand, add_user_argument, date_type
from civicbill.core.exceptions import ApplicationError
from civicbill.core.numbers import parse_typed_decimal
from civicbill.meters import selectors, services
from civicbill.meters.models import Meter, MeterInstallation, MeterSize, MeterStatus
from civicbill.meters.shipment import clean_size, tidy
from civicbill.meters.summary import meter_row, meter_summary

# this command's dates have always been refused as "is not a date like 2026-12-01" (a test reads it so)
_date = date_type("--date", example="2026-12-01")


def _register_read(text: str) -> Decimal:
    value = parse_typed_decimal(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a meter read (digits, like 10040)")
    return value


def _status(text: str) -> str:
    status = text.strip().lower().replace("-", "_").replace(" ", "_")
    if status not in MeterStatus.values:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a meter status; use one of {', '.join(MeterStatus.values)}"
        )
    return status


def _size(text: str) -> str:
    try:
        return clean_size(text)
    except ApplicationError as error:
        raise argparse.ArgumentTypeError(error.message) from None


def _installation_json(installation: MeterInstallation) -> dict[str, Any]:
    point = installation.service_point
    return {
        "installation_id": installation.pk,
        "meter": installation.meter.serial_number,
        "service_point_id": point.pk,
        "premise_address": point.premise.address_line,
        "read_route": point.read_route,
        "route_sequence": point.route_sequence,
        "installed_on": installation.installed_on.isoformat(),
        "install_read": str(installation.install_read),
    }


class Command(CivicbillCommand):
    help = "Meter inventory: receive a shipment file, list, count, install, exchange, show a meter."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        user_help = "the staff user name doing it"

        receive = sub.add_parser("receive", help="receive a vendor shipment CSV into stock")
        receive.add_argument("file", help="CSV with header serial,make,model,size,dials,unit,multiplier")
        receive.add_argument("--date", type=_date, help="the day the meters arrived (default today)")
        receive.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
        receive.add_argument("--json", action="store_true", help="print the result as JSON")
        add_user_argument(receive, help=user_help)

        listing = sub.add_parser("list", help="meters in serial order")
        listing.add_argument("--status", type=_status, help=f"one of {', '.join(MeterStatus.values)}")
        listing.add_argument("--size", type=_size, help=f"one of {', '.join(MeterSize.values)}")
        listing.add_argument("--serial", help="serial numbers starting with this")
        listing.add_argument("--limit", type=int, default=1000)
        listing.add_argument("--json", action="store_true", help="print JSON")

        counts = sub.add_parser("counts", help="how many meters by status and size")
        counts.add_argument("--json", action="store_true", help="print JSON")

        install = sub.add_parser("install", help="install a meter from stock at an account's premise")
        install.add_argument("serial")
        install.add_argument("--account", required=True, help="account number, like 1000001-8")
        install.add_argument("--date", required=True, type=_date, help="install date, YYYY-MM-DD")
        install.add_argument("--read", required=True, type=_register_read, help="the register read")
        add_user_argument(install, help=user_help)
        install.add_argument("--json", action="store_true", help="print the installation as JSON")

        exchange = sub.add_parser("exchange", help="replace an installed meter with one from stock")
        exchange.add_argument("old", help="serial of the installed meter")
        exchange.add_argument("new", help="serial of the meter from stock")
        exchange.add_argument("--date", required=True, type=_date, help="exchange date, YYYY-MM-DD")
        exchange.add_argument("--old-read", required=True, type=_register_read, help="old meter's last read")
        exchange.add_argument("--new-read", required=True, type=_register_read, help="new meter's read")
        add_user_argument(exchange, help=user_help)
        exchange.add_argument("--json", action="store_true", help="print the new installation as JSON")

        show = sub.add_parser("show", help="a meter with its installations, reads and tests")
        show.add_argument("serial")
        show.add_argument("--json", action="store_true", help="print JSON")

    # -- subcommands -----------------------------------------------------------------------------

    def _receive(self, options: dict[str, Any]) -> None:
        actor = self.actor(options)
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        with self.progress(options, desc="receiving", unit="meters") as bar:
            result = services.meters_receive_file(
                content=content,
                file_name=path.name,
                received_on=options["date"] or clock.today(),
                actor=actor,
                dry_run=options["dry_run"],
                progress=bar,
            )
        if options["json"]:
            self.print_json(result.as_dict())
        else:
            verb = "would be received (dry run)" if result.dry_run else "received into stock"
            self.stdout.write(
                f"{path.name}: {result.rows_total} rows, {result.received_count} meters {verb}, "
                f"{len(result.bad_rows)} rows refused."
            )
            for row in result.bad_rows:
                self.stdout.write(f"  line {row.line}: {row.reason}")
        if result.bad_rows:
            raise CommandError(
                f"{len(result.bad_rows)} of {result.rows_total} rows in {path.name} were refused "
                f"(first: line {result.bad_rows[0].line}: {result.bad_rows[0].reason}); "
                + ("nothing was written (dry run)." if result.dry_run else "the good rows were received.")
            )

    def _list(self, options: dict[str, Any]) -> None:
        meters = selectors.meters_list(
            status=options["status"],
            size=options["size"],
            serial_prefix=options["serial"],
            limit=options["limit"],
        )
        if options["json"]:
            self.print_json([meter_row(meter) for meter in meters])
            return
        if not meters:
            self.stdout.write("No meter matches.")
        for meter in meters:
            self.stdout.write(
                f"{meter.serial_number:<16} {meter.get_status_display():<10} {meter.get_size_display():<5} "
                f"{meter.make} {meter.model}  {meter.dials} dials {meter.read_unit}"
            )

    def _counts(self, options: dict[str, Any]) -> None:
        counts = selectors.inventory_counts()
        rows = sorted(counts.items(), key=lambda item: (item[0][0], MeterSize.values.index(item[0][1])))
        if options["json"]:
            self.print_json([{"status": status, "size": size, "count": n} for (status, size), n in rows])
            return
        for (status, size), count in rows:
            self.stdout.write(f"{MeterStatus(status).label:<10} {MeterSize(size).label:<5} {count:>8,}")

    def _install(self, options: dict[str, Any]) -> None:
        actor = self.actor(options)
        installation = services.meter_install_for_account(
            account_number=options["account"],
            serial=options["serial"],
            installed_on=options["date"],
            read=options["read"],
            actor=actor,
        )
        self._report_installation(installation, options, verb="installed")

    def _exchange(self, options: dict[str, Any]) -> None:
        actor = self.actor(options)
        old, new = selectors.meter_get(options["old"]), selectors.meter_get(options["new"])
        installation = services.meter_exchange(
            old_meter=old,
            new_meter=new,
            exchanged_on=options["date"],
            old_read=options["old_read"],
            new_read=options["new_read"],
            actor=actor,
        )
        self._report_installation(installation, options, verb=f"installed in place of {old.serial_number}")

    def _report_installation(
        self, installation: MeterInstallation, options: dict[str, Any], *, verb: str
    ) -> None:
        installation = MeterInstallation.objects.select_related("meter", "service_point__premise").get(
            pk=installation.pk
        )
        if options["json"]:
            self.print_json(_installation_json(installation))
            return
        point = installation.service_point
        self.stdout.write(
            f"Meter {installation.meter.serial_number} {verb} at {point.premise.address_line} "
            f"(route {point.read_route} #{point.route_sequence}) on {installation.installed_on}, "
            f"read {tidy(installation.install_read):,}."
        )

    def _show(self, options: dict[str, Any]) -> None:
        meter: Meter = selectors.meter_get(options["serial"])
        summary = meter_summary(selectors.meter_history(meter))
        if options["json"]:
            self.print_json(summary)
            return
        write = self.stdout.write
        m = summary["meter"]
        write(
            f'Meter {m["serial_number"]} ({m["status"]}): {m["make"]} {m["model"]} {m["size"]}" '
            f"{m['meter_type']}, {m['dials']} dials, {m['read_unit']} × {m['multiplier']}"
        )
        for item in summary["installations"]:
            write(
                f"  at {item['premise_address']} (account {item['account_number'] or '—'}) from "
                f"{item['installed_on']} read {item['install_read']} to {item['removed_on'] or 'now'}"
                + (f" read {item['removal_read']}" if item["removal_read"] else "")
            )
        for read in summary["reads"]:
            write(
                f"  {read['read_on']}  {read['value']:>14}  {read['status']:<10} {read['source']:<9} "
                f"{read['consumption_hcf'] or '—':>10} HCF"
            )
        for test in summary["tests"]:
            verdict = "pass" if test["passed"] else "fail"
            write(f"  tested {test['tested_on']}: {test['accuracy_percent']}% {verdict}")
