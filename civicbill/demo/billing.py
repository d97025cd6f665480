"""The demo city's billing history: Coachella rates, one billing cycle per premise cycle, twelve
committed monthly runs from the generated reads, ending with the latest month's reads imported but
not billed, so a visitor's first act can be that month's run.

After each month's runs, the customers pay those bills before the next month is billed, through
the real payment channels (:mod:`civicbill.demo.payments`: the counter's drawers and closed days,
lockbox and online files, suspense, returned checks, refunds); the newest bills are partly unpaid.

The generated history holds 13 monthly reads before the latest; the first of them only measures use
since the meter was installed, so the first billable month is the second one: 12 months of bills.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from civicbill.autopay.demo import DemoMonth, autopay_ready, demo_autopay_enroll, demo_autopay_month
from civicbill.autopay.selectors import live_autopay_account_ids
from civicbill.billing.models import BillingCycle
from civicbill.billing.periods import add_months
from civicbill.billing.services import (
    bill_run_commit,
    bill_run_start,
    bill_run_trial,
    billing_cycle_ensure,
    cycle_period,
)
from civicbill.core import clock
from civicbill.core.actors import Actor
from civicbill.customers.models import Account, Premise
from civicbill.demo.meters_generator import read_dates
from civicbill.demo.payments import DemoPayments, PaymentHistory
from civicbill.demo.seed import CONVERSION_HOUR, at_hour, conversion_date_for, latest_read_on
from civicbill.rates.services import load_demo_schedules_trusted

HISTORY_MONTHS = 12
AUTOPAY_SHARE = 0.15  # of the accounts, enrolled before the first month of history
AUTOPAY_LEAD_DAYS = 45  # enrolled this long before the first bill date (the prenotes wait ~2 weeks)
AUTOPAY_REPLY_DAYS = 7  # a due date is drafted when the bank's reply (2 business days on) is past
CYCLE_NAMES = {1: "North", 2: "East", 3: "South", 4: "West"}
RUN_HOUR = 6  # a month's runs are started and tried at 06:00 on their bill date
COMMIT_MINUTE = 30  # and committed half an hour later


@dataclass(frozen=True)
class BillingSeedResult:
    cycles: int
    runs: int
    bills: int
    billed_cents: int
    payments: int
    unbilled_period: str
    payment_history: PaymentHistory
    autopay: AutopayHistory


def demo_billing_seed(
    *,
    actor: Actor,
    as_of: dt.date,
    seed: int,
    progress: Callable[[str], None] | None = None,
    autopay_account_ids: Collection[int] = frozenset(),
    autopay_share: float = AUTOPAY_SHARE,
) -> BillingSeedResult:
    """Rates, cycles and 12 months of committed runs up to the latest read month of a demo built on
    ``as_of``, each month's bills paid through the payment channels before the next month is billed.
    About ``autopay_share`` of the accounts enroll in ACH autopay before the first bill (prenotes
    sent), and their bills are drafted on each due date, with the bank's replies (a few returns, a
    notification of change); the bills of ``autopay_account_ids`` (a test's choice) are left unpaid by
    the other channels.

    Every step is replayed at the time of the event (:func:`civicbill.core.clock.replaying`): the
    rates and cycles at the conversion, each run on its bill date, each payment on its day, so what
    the services stamp (run, bill, journal and audit times) is the event's time, never after ``as_of``."""
    conversion_date = conversion_date_for(as_of)
    with clock.replaying(at_hour(conversion_date, CONVERSION_HOUR)):
        load_demo_schedules_trusted(actor=actor, as_of=conversion_date)
        dates = read_dates(latest_read_on(as_of))
        read_day = dates[-1].day
        numbers = sorted(set(Premise.objects.values_list("billing_cycle", flat=True)))
        for number in numbers:
            billing_cycle_ensure(
                number=number,
                name=CYCLE_NAMES.get(number, ""),
                read_day=read_day,
                actor=actor,
                at=clock.now(),
            )
    latest = dates[-1].replace(day=1)
    months = [add_months(latest, -offset) for offset in range(HISTORY_MONTHS, 0, -1)]
    cycles = list(BillingCycle.objects.filter(number__in=numbers))
    rng = random.Random(seed * 7_919 + 11)  # noqa: S311 - synthetic demo data
    enrolled: set[int] = set(autopay_account_ids)
    if autopay_share > 0 and autopay_ready():
        first_bill_date = min(cycle_period(cycle, months[0]).bill_date for cycle in cycles)
        enrolled_on = max(first_bill_date - dt.timedelta(days=AUTOPAY_LEAD_DAYS), conversion_date)
        with clock.replaying(_at_ten(enrolled_on)) as enrolled_at:
            enrolled |= demo_autopay_enroll(
                rng=rng,
                account_ids=Account.objects.values_list("pk", flat=True),
                as_of=enrolled_at,
                actor=actor,
                share=autopay_share,
            )
    with clock.replaying(at_hour(conversion_date, CONVERSION_HOUR)):  # the staff and drawers
        history = DemoPayments(seed=seed, autopay_account_ids=enrolled)
    autopay = AutopayHistory(enrolled=len(enrolled))
    runs = bills = billed = 0
    for month in months:
        run_ids = []
        for cycle in cycles:
            bill_date = cycle_period(cycle, month).bill_date
            # the run is started, tried and committed early on its bill date
            with clock.replaying(at_hour(bill_date, RUN_HOUR)):
                run = bill_run_start(cycle_number=cycle.number, period=month, actor=actor, as_of=bill_date)
                bill_run_trial(run_id=run.pk, actor=actor, as_of=bill_date)
            with clock.replaying(at_hour(bill_date, RUN_HOUR, COMMIT_MINUTE)):
                run = bill_run_commit(run_id=run.pk, actor=actor, as_of=bill_date)
            runs += 1
            bills += run.bills_count
            billed += run.total_billed_cents
            run_ids.append(run.pk)
        # paid before the next month's bills are dated (the newest: before the demo is built)
        next_bill_date = min(
            (cycle_period(cycle, add_months(month, 1)).bill_date for cycle in cycles), default=as_of
        )
        newest = month == months[-1]
        if enrolled:
            # the autopay accounts' bills are drafted on their due date; an account whose autopay
            # ended (a return) pays through the other channels from then on
            for due_date in sorted({cycle_period(cycle, month).due_date for cycle in cycles}):
                if due_date + dt.timedelta(days=AUTOPAY_REPLY_DAYS) < as_of:
                    autopay.add(
                        demo_autopay_month(
                            due_date=due_date,
                            as_of=_at_ten(due_date - dt.timedelta(days=2)),
                            actor=actor,
                            rng=rng,
                        )
                    )
            history.autopay_account_ids = frozenset(live_autopay_account_ids() | set(autopay_account_ids))
        history.pay_month(
            run_ids=run_ids,
            pay_until=(as_of if newest else next_bill_date) - dt.timedelta(days=1),
            newest=newest,
        )
        if progress:
            progress(f"{month:%Y-%m}")
    payments = history.result()
    return BillingSeedResult(
        cycles=len(numbers),
        runs=runs,
        bills=bills,
        billed_cents=billed,
        payments=payments.payments,
        unbilled_period=f"{latest:%Y-%m}",
        payment_history=payments,
        autopay=autopay,
    )


def _at_ten(day: dt.date) -> dt.datetime:
    """10:00 in the utility's time zone on ``day``."""
    return at_hour(day, 10)


@dataclass
class AutopayHistory:
    """What the demo's autopay did: enrolled accounts, draft files, debits, returns by code."""

    enrolled: int
    draft_files: int = 0
    debits: int = 0
    debit_cents: int = 0
    replies: dict[str, int] = field(default_factory=dict)  # R01, R03, C01 -> count

    def add(self, month: DemoMonth) -> None:
        if month.draft_file_id is None:
            return
        self.draft_files += 1
        self.debits += month.debit_count
        self.debit_cents += month.total_debit_cents
        for code, count in month.returns.items():
            self.replies[code] = self.replies.get(code, 0) + count
