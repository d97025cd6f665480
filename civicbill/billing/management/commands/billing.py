"""``civicbill billing unbilled [--as-of D] [--cycle N] [--json]``: accounts left unbilled.

Lists every billed account (active, or moved out and not yet final-billed) that has no issued bill
for a period its cycle billed (a committed run of the last 12 months) or skipped, with the reason
(held by staff, missing read, high bill not released, no rate schedule, not in the run, no run for
the month ...), the first unbilled month and the held draft. Read-only: no ``--user``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from civicbill.billing.unbilled import unbilled_accounts
from civicbill.core import clock
from civicbill.core.commands import CivicbillCommand, date_type
from civicbill.core.money import format_cents


class Command(CivicbillCommand):
    help = "Billing reports: the accounts left unbilled, with the reason."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        unbilled = sub.add_parser(
            "unbilled", help="accounts without an issued bill for a period they should have one"
        )
        unbilled.add_argument(
            "--as-of", dest="as_of", type=date_type("--as-of"), help="the business date (default: today)"
        )
        unbilled.add_argument("--cycle", type=int, help="one billing cycle only")
        unbilled.add_argument("--json", action="store_true", help="print the list as JSON")

    def _unbilled(self, options: dict[str, Any]) -> None:
        as_of = options["as_of"] or clock.today()
        report = unbilled_accounts(as_of=as_of, cycle_number=options["cycle"])
        data = report.as_dict()
        lines = [
            f"{data['count']} accounts left unbilled as of {as_of} ({data['periods']} periods since "
            f"{data['since']}; held drafts {format_cents(data['drafts_cents'])})"
        ]
        if report.accounts:
            lines.append(", ".join(f"{reason}: {count}" for reason, count in data["by_reason"].items()))
        for account in report.accounts:
            draft = f" draft {account.draft_number}" if account.draft_number else ""
            lines.append(
                f"  {account.number}  cycle {account.cycle}  since {account.since:%Y-%m} "
                f"({len(account.periods)})  {account.reason}: {account.latest.message}{draft}"
            )
        self.emit(options, data, "\n".join(lines))
