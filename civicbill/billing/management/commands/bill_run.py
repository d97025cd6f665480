"""``civicbill bill-run --cycle C|all --period YYYY-MM|next [--trial] [--json] [--user U]``

Runs the billing of one cycle (or every cycle) for a month. A run that already exists for that
cycle and month is resumed where it stopped (a crashed trial is tried again, a stopped commit
carries on, a committed run is only reported), so the same command run again after a crash
finishes the job. ``--trial`` stops at review; without it the run commits after its trial,
billing every account without a blocking exception and listing those it skipped. ``next`` bills
each cycle's month after its last committed run. Runs as the system user ``billing-run``
(Technician) unless ``--user`` names a staff member.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser

from civicbill.billing import selectors
from civicbill.billing.models import BillingCycle, BillRun
from civicbill.billing.periods import add_months, parse_month
from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial, cycle_period
from civicbill.core import clock
from civicbill.core.commands import (
    BILLING_RUN_USER,
    CivicbillCommand,
    ProgressBar,
    add_user_argument,
    date_type,
)
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import format_cents


def next_period(cycle: BillingCycle, today: dt.date) -> dt.date:
    """The month after the cycle's last committed run; before any run, the latest month already read."""
    following = selectors.next_unbilled_period(cycle.number)
    if following is not None:
        return following
    month = today.replace(day=1)
    return month if today.day >= cycle.read_day else add_months(month, -1)


class Command(CivicbillCommand):
    help = "Bill a cycle (or all cycles) for a month: trial, then commit (resumes an existing run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", required=True, help="a cycle number or 'all'")
        parser.add_argument("--period", required=True, help="the billing month YYYY-MM, or 'next'")
        parser.add_argument("--trial", action="store_true", help="stop at review: store drafts, post nothing")
        parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
        add_user_argument(parser, system_user=BILLING_RUN_USER, help="the staff user running it")
        parser.add_argument(
            "--as-of", dest="as_of", type=date_type("--as-of"), help="the business date (default: today)"
        )

    def run(self, options: dict[str, Any]) -> None:
        actor = self.actor(options)
        as_of = options["as_of"] or clock.today()
        if options["cycle"] == "all":
            cycles = list(BillingCycle.objects.order_by("number"))
            if not cycles:
                raise CommandError("No billing cycle is set up")
        else:
            try:
                number = int(options["cycle"])
            except ValueError:
                raise CommandError(f"--cycle must be a number or 'all', not {options['cycle']!r}") from None
            cycle = BillingCycle.objects.filter(number=number).first()
            if cycle is None:
                raise CommandError(f"There is no billing cycle {number}")
            cycles = [cycle]
        fixed = None
        if options["period"] != "next":
            try:
                fixed = parse_month(options["period"])
            except ValueError as error:
                raise CommandError(str(error)) from None
        outcomes = []
        for cycle in cycles:
            period = fixed or next_period(cycle, as_of)
            if fixed is None and cycle_period(cycle, period).end > as_of:
                outcomes.append({"cycle": cycle.number, "period": f"{period:%Y-%m}", "status": "not_due"})
                continue
            try:
                run = self._run(cycle, period, actor=actor, as_of=as_of, options=options)
            except ApplicationError as error:
                raise CommandError(f"Cycle {cycle.number}, {period:%Y-%m}: {error.message}") from None
            outcomes.append(selectors.bill_run_outcome(run=run))
        if options["json"]:
            self.print_json({"runs": outcomes})
            return
        for outcome in outcomes:
            self._print(outcome)

    def _run(
        self,
        cycle: BillingCycle,
        period: dt.date,
        *,
        actor: User,
        as_of: dt.date,
        options: dict[str, Any],
    ) -> BillRun:
        trial_only = options["trial"]
        run = selectors.bill_run_for(cycle_number=cycle.number, period=period)
        if run is None:
            run = bill_run_start(cycle_number=cycle.number, period=period, actor=actor, as_of=as_of)
        if run.status in (BillRun.Status.TRIAL_RUNNING, BillRun.Status.FAILED) or (
            trial_only and run.status == BillRun.Status.TRIAL
        ):
            with self._bar(options, f"cycle {cycle.number} trial") as progress:
                run = bill_run_trial(run_id=run.pk, actor=actor, as_of=as_of, progress=progress)
        if not trial_only and run.status in (BillRun.Status.TRIAL, BillRun.Status.COMMITTING):
            with self._bar(options, f"cycle {cycle.number} commit") as progress:
                run = bill_run_commit(run_id=run.pk, actor=actor, as_of=as_of, progress=progress)
        return run

    def _bar(self, options: dict[str, Any], desc: str) -> ProgressBar:
        return self.progress(options, desc=desc, unit="bills")

    def _print(self, outcome: dict[str, Any]) -> None:
        if outcome["status"] == "not_due":
            self.stdout.write(
                f"Cycle {outcome['cycle']}: {outcome['period']} is not read yet; nothing billed"
            )
            return
        exceptions = ", ".join(f"{code} {count}" for code, count in outcome["exceptions"].items()) or "none"
        self.stdout.write(
            f"Run {outcome['run_id']}: cycle {outcome['cycle']} {outcome['period']} "
            f"({outcome['period_start']} to {outcome['period_end']}) {outcome['status']}: "
            f"{outcome['bills']} bills, {format_cents(outcome['total_billed_cents'])}; "
            f"exceptions: {exceptions}"
        )
        if outcome["skipped_accounts"]:
            self.stdout.write(
                f"  held back ({len(outcome['skipped_accounts'])}): "
                + " ".join(outcome["skipped_accounts"][:50])
            )
