"""``civicbill bill show NUMBER [--json]``; ``civicbill bill final ACCOUNT --user U [--json]``;
``civicbill bill cancel-rebill NUMBER --reason TEXT --user U [--json]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from civicbill.billing import selectors
from civicbill.billing.services import bill_cancel_rebill, final_bill_issue
from civicbill.core import clock
from civicbill.core.commands import CivicbillCommand, add_user_argument
from civicbill.core.money import format_cents


class Command(CivicbillCommand):
    help = "Show a bill; issue a final bill; cancel and rebill a bill."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="a bill with its lines, reads and money summary")
        show.add_argument("number")
        show.add_argument("--json", action="store_true")
        final = sub.add_parser("final", help="issue the final bill of a moved-out account")
        final.add_argument("account")
        add_user_argument(final)
        final.add_argument("--json", action="store_true")
        cancel = sub.add_parser("cancel-rebill", help="cancel an issued bill and issue a corrected one")
        cancel.add_argument("number")
        cancel.add_argument("--reason", required=True)
        add_user_argument(cancel)
        cancel.add_argument("--json", action="store_true")

    def run(self, options: dict[str, Any]) -> None:
        if options["action"] == "show":
            bill = selectors.bill_get(options["number"])
            if bill is None:
                raise CommandError(f"There is no bill {options['number']}")
        elif options["action"] == "final":
            bill = final_bill_issue(
                account_number=options["account"], actor=self.actor(options), as_of=clock.today()
            )
        else:
            outcome = bill_cancel_rebill(
                bill_number=options["number"],
                reason=options["reason"],
                actor=self.actor(options),
                as_of=clock.today(),
            )
            bill = outcome.rebill
        detail = selectors.bill_detail(bill)
        if options["json"]:
            self.print_json(detail)
            return
        money = detail["money"]
        self.stdout.write(
            f"Bill {detail['number']} ({detail['kind']}, {detail['status']}) account {detail['account']} "
            f"{detail['period_start']} to {detail['period_end']}, due {detail['due_date']}"
        )
        for line in detail["lines"]:
            self.stdout.write(
                f"  {line['service']:<9} {line['description']:<40} "
                f"{line['quantity'] or '':>10} {line['unit']:<6} "
                f"{format_cents(line['amount_cents']):>12}"
            )
        self.stdout.write(
            f"  previous balance {format_cents(money['previous_balance_cents'])}, payments "
            f"{format_cents(money['payments_cents'])}, "
            f"adjustments {format_cents(money['adjustments_cents'])}, "
            f"current charges {format_cents(money['current_charges_cents'])}, "
            f"total due {format_cents(money['total_due_cents'])}"
        )
