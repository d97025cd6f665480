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
import json
import sys
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from civicbill.billing import selectors
from civicbill.billing.models import BillingCycle, BillRun
from civicbill.billing.periods import add_months, parse_month
from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial, cycle_period
from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import format_cents
from civicbill.core.permissions import TECHNICIAN

SYSTEM_USER = "billing-run"


def system_user() -> User:
    user, created = User.objects.get_or_create(
        username=SYSTEM_USER, defaults={"first_name": "Billing", "last_name": "run (command line)"}
    )
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get_or_create(name=TECHNICIAN)[0])
    return user


def _actor(username: str | None) -> User:
    if not username:
        return system_user()
    actor = User.objects.filter(username=username, is_active=True).first()
    if actor is None:
        raise CommandError(f"No active user named {username!r}")
    return actor


def next_period(cycle: BillingCycle, today: dt.date) -> dt.date:
    """The month after the cycle's last committed run; before any run, the latest month already read."""
    following = selectors.next_unbilled_period(cycle.number)
    if following is not None:
        return following
    month = today.replace(day=1)
    return month if today.day >= cycle.read_day else add_months(month, -1)


class _Bar:
    def __init__(self, enabled: bool, desc: str) -> None:
        self.enabled, self.desc = enabled, desc
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = tqdm(total=total, unit="bills", desc=self.desc, file=sys.stderr)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Command(BaseCommand):
    help = "Bill a cycle (or all cycles) for a month: trial, then commit (resumes an existing run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", required=True, help="a cycle number or 'all'")
        parser.add_argument("--period", required=True, help="the billing month YYYY-MM, or 'next'")
        parser.add_argument("--trial", action="store_true", help="stop at review: store drafts, post nothing")
        parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
        parser.add_argument("--user", help="the staff user running it (default: the system user billing-run)")
        parser.add_argument("--as-of", dest="as_of", help="the business date (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = _actor(options["user"])
        as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else clock.today()
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
        show_bar = not options["json"] and sys.stderr.isatty()
        outcomes = []
        for cycle in cycles:
            period = fixed or next_period(cycle, as_of)
            if fixed is None and cycle_period(cycle, period).end > as_of:
                outcomes.append({"cycle": cycle.number, "period": f"{period:%Y-%m}", "status": "not_due"})
                continue
            try:
                run = self._run(
                    cycle, period, actor=actor, as_of=as_of, trial_only=options["trial"], bar=show_bar
                )
            except ApplicationError as error:
                raise CommandError(f"Cycle {cycle.number}, {period:%Y-%m}: {error.message}") from None
            outcomes.append(selectors.bill_run_outcome(run=run))
        if options["json"]:
            self.stdout.write(json.dumps({"runs": outcomes}, indent=2))
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
        trial_only: bool,
        bar: bool,
    ) -> BillRun:
        run = selectors.bill_run_for(cycle_number=cycle.number, period=period)
        if run is None:
            run = bill_run_start(cycle_number=cycle.number, period=period, actor=actor, as_of=as_of)
        if run.status in (BillRun.Status.TRIAL_RUNNING, BillRun.Status.FAILED) or (
            trial_only and run.status == BillRun.Status.TRIAL
        ):
            progress = _Bar(bar, f"cycle {cycle.number} trial")
            run = bill_run_trial(run_id=run.pk, actor=actor, as_of=as_of, progress=progress)
            progress.close()
        if not trial_only and run.status in (BillRun.Status.TRIAL, BillRun.Status.COMMITTING):
            progress = _Bar(bar, f"cycle {cycle.number} commit")
            run = bill_run_commit(run_id=run.pk, actor=actor, as_of=as_of, progress=progress)
            progress.close()
        return run

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
