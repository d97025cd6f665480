"""The demo city's billing history: Coachella rates, one billing cycle per premise cycle, twelve
committed monthly runs from the generated reads (and the customers' payments of them), ending with
the latest month's reads imported but not billed, so a visitor's first act can be that month's run.

The generated history holds 13 monthly reads before the latest; the first of them only measures use
since the meter was installed, so the first billable month is the second one: 12 months of bills.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from civicbill.billing.models import Bill, BillingCycle, BillLine
from civicbill.billing.periods import add_months
from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial, billing_cycle_ensure
from civicbill.core.money import Money
from civicbill.customers.models import Premise
from civicbill.demo.meters_generator import read_dates
from civicbill.ledger import chart
from civicbill.ledger.posting import EntrySpec, PostingLine
from civicbill.ledger.services import entries_post_bulk
from civicbill.rates.services import load_demo_schedules

HISTORY_MONTHS = 12
PAYING_SHARE = 0.9  # most customers pay each bill in full about twelve days after it is dated
CYCLE_NAMES = {1: "North", 2: "East", 3: "South", 4: "West"}


@dataclass(frozen=True)
class BillingSeedResult:
    cycles: int
    runs: int
    bills: int
    billed_cents: int
    payments: int
    unbilled_period: str


def demo_billing_seed(
    *, actor: Any, conversion_date: dt.date, seed: int, progress: Callable[[str], None] | None = None
) -> BillingSeedResult:
    """Rates, cycles and 12 months of committed runs (with payments) up to the latest read month."""
    load_demo_schedules(actor=actor, as_of=conversion_date)
    dates = read_dates(conversion_date - dt.timedelta(days=8))
    read_day = dates[-1].day
    numbers = sorted(set(Premise.objects.values_list("billing_cycle", flat=True)))
    for number in numbers:
        billing_cycle_ensure(number=number, name=CYCLE_NAMES.get(number, ""), read_day=read_day, actor=actor)
    latest = dates[-1].replace(day=1)
    months = [add_months(latest, -offset) for offset in range(HISTORY_MONTHS, 0, -1)]
    rng = random.Random(seed * 104_729 + 3)  # noqa: S311 - synthetic demo data
    runs = bills = billed = payments = 0
    for month in months:
        for cycle in BillingCycle.objects.filter(number__in=numbers):
            run = bill_run_start(cycle_number=cycle.number, period=month, actor=actor, as_of=conversion_date)
            bill_run_trial(run_id=run.pk, actor=actor, as_of=conversion_date)
            run = bill_run_commit(run_id=run.pk, actor=actor, as_of=conversion_date)
            runs += 1
            bills += run.bills_count
            billed += run.total_billed_cents
            payments += _pay_bills(run_id=run.pk, rng=rng, actor=actor, conversion_date=conversion_date)
        if progress:
            progress(f"{month:%Y-%m}")
    return BillingSeedResult(
        cycles=len(numbers),
        runs=runs,
        bills=bills,
        billed_cents=billed,
        payments=payments,
        unbilled_period=f"{latest:%Y-%m}",
    )


def _pay_bills(*, run_id: int, rng: random.Random, actor: Any, conversion_date: dt.date) -> int:
    """Payments of most of the run's bills (each service's charges), as ledger entries."""
    charges: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for bill_id, service, amount in BillLine.objects.filter(
        bill__run_id=run_id, bill__status="issued"
    ).values_list("bill_id", "service", "amount_cents"):
        charges[bill_id][service] += amount
    specs = []
    for bill_id, number, account_id, bill_date in (
        Bill.objects.filter(run_id=run_id, status="issued")
        .order_by("id")
        .values_list("id", "number", "account_id", "bill_date")
    ):
        if rng.random() >= PAYING_SHARE:
            continue
        paid_on = min(bill_date + dt.timedelta(days=rng.randint(6, 18)), conversion_date)
        lines = []
        for service, amount in sorted(charges[bill_id].items()):
            if amount <= 0:
                continue
            money = Money.from_cents(amount)
            lines.append(PostingLine.debit(chart.cash_for(chart.fund_for(service)).code, money))
            lines.append(
                PostingLine.credit(
                    chart.receivable_control_for(service).code,
                    money,
                    customer_account_id=account_id,
                    service=service,
                )
            )
        if lines:
            specs.append(
                EntrySpec(
                    lines=tuple(lines),
                    accounting_date=paid_on,
                    source_type="payment",
                    source_ref=f"demo payment of {number}",
                    idempotency_key=f"demo-payment:{number}",
                    reason="payment",
                    memo="Payment (demo history)",
                )
            )
    return entries_post_bulk(entries=specs, actor=actor) if specs else 0
