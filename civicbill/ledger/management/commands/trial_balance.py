"""``civicbill trial-balance [--as-of YYYY-MM-DD] [--json]``: debits, credits and balance per GL account."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from civicbill.core.commands import CivicbillCommand, date_type
from civicbill.core.money import format_money
from civicbill.core.utility_services import Fund
from civicbill.ledger.selectors import trial_balance


class Command(CivicbillCommand):
    help = "Print the trial balance per GL account (entries dated up to --as-of, all by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", type=date_type("--as-of"), default=None, help="accounting date (YYYY-MM-DD), inclusive"
        )
        parser.add_argument("--json", action="store_true", help="print JSON")

    def run(self, options: dict[str, Any]) -> None:
        result = trial_balance(as_of=options["as_of"])
        if options["json"]:
            self.print_json(
                {
                    "as_of": result.as_of.isoformat() if result.as_of else None,
                    "balanced": result.is_balanced,
                    "rows": [
                        {
                            "code": r.code,
                            "name": r.name,
                            "fund": r.fund,
                            "account_type": r.account_type,
                            "debits": str(r.debits),
                            "credits": str(r.credits),
                            "balance": str(r.balance),
                        }
                        for r in result
                    ],
                    "total_debits": str(result.total_debits),
                    "total_credits": str(result.total_credits),
                    "funds": {
                        fund: {"debits": str(d), "credits": str(c)}
                        for fund, (d, c) in result.fund_totals.items()
                    },
                }
            )
            return
        title = f"Trial balance as of {result.as_of}" if result.as_of else "Trial balance (all entries)"
        self.stdout.write(title)
        self.stdout.write(f"{'code':<9} {'account':<50} {'debits':>15} {'credits':>15} {'balance':>17}")
        fund = None
        for row in result:
            if row.fund != fund:
                fund = row.fund
                self.stdout.write(Fund(fund).label)
            self.stdout.write(
                f"{row.code:<9} {row.name[:50]:<50} {format_money(row.debits):>15} "
                f"{format_money(row.credits):>15} {format_money(row.balance):>17}"
            )
        self.stdout.write(
            f"{'':<9} {'Total':<50} {format_money(result.total_debits):>15} "
            f"{format_money(result.total_credits):>15}"
        )
        if not result.is_balanced:
            raise CommandError(
                "the trial balance does not balance; run `civicbill check-books`", returncode=1
            )
