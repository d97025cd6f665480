"""Billing reads: runs, exceptions, the billing register, one bill in full, the next period to bill."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Sum

from civicbill.billing.models import Bill, BillException, BillingCycle, BillLine, BillRun
from civicbill.billing.periods import add_months, month_start
from civicbill.core.utility_services import FUND_FOR_SERVICE
from civicbill.ledger import chart
from civicbill.ledger.models import JournalLine
from civicbill.rates.classes import customer_class_for_premise_type


def bill_run_get(run_id: int) -> BillRun | None:
    return BillRun.objects.select_related("cycle", "started_by", "committed_by").filter(pk=run_id).first()


def bill_run_for(*, cycle_number: int, period: dt.date) -> BillRun | None:
    """The live (not cancelled) run of a cycle for a billing month, if any."""
    return (
        BillRun.objects.filter(cycle__number=cycle_number, period=month_start(period))
        .exclude(status=BillRun.Status.CANCELLED)
        .first()
    )


def bill_run_exception_counts(*, run: BillRun) -> dict[str, int]:
    """Exceptions of the run by code (every code present, ordered by code)."""
    rows = BillException.objects.filter(run=run).values("code").annotate(n=Count("id")).order_by("code")
    return {row["code"]: row["n"] for row in rows}


def bill_run_outcome(*, run: BillRun) -> dict[str, Any]:
    """The run's outcome as JSON-ready values (what ``bill-run --json`` prints)."""
    run.refresh_from_db()
    issued = Bill.objects.filter(run=run).exclude(status=Bill.Status.DRAFT)
    drafts = Bill.objects.filter(run=run, status=Bill.Status.DRAFT)
    held = list(drafts.order_by("account__number").values_list("account__number", flat=True)[:1000])
    return {
        "run_id": run.pk,
        "cycle": run.cycle.number,
        "period": f"{run.period:%Y-%m}",
        "period_start": run.period_start.isoformat(),
        "period_end": run.period_end.isoformat(),
        "bill_date": run.bill_date.isoformat(),
        "due_date": run.due_date.isoformat(),
        "status": run.status,
        "accounts": run.accounts_count,
        "bills": issued.count() if run.status != BillRun.Status.TRIAL else drafts.count(),
        "drafts": drafts.count(),
        "total_billed_cents": run.total_billed_cents,
        "exceptions": bill_run_exception_counts(run=run),
        "skipped_accounts": held if run.status == BillRun.Status.COMMITTED else [],
    }


def next_unbilled_period(cycle_number: int | None = None) -> dt.date | None:
    """The month after the latest committed run (of the cycle, or of any cycle); None before any run."""
    runs = BillRun.objects.filter(status=BillRun.Status.COMMITTED)
    if cycle_number is not None:
        runs = runs.filter(cycle__number=cycle_number)
    latest = runs.aggregate(period=Max("period"))["period"]
    return add_months(latest, 1) if latest else None


def cycles_list() -> list[BillingCycle]:
    return list(BillingCycle.objects.all())


# -- the billing register ------------------------------------------------------------------------------
@dataclass
class RegisterRow:
    service: str
    customer_class: str
    fund: str
    bills: int = 0
    consumption_hcf: Decimal = Decimal("0.000")
    revenue_cents: int = 0


@dataclass
class BillingRegister:
    """A run's issued (or, before commit, drafted) bills summed by service and class, with fund totals
    and what the journal holds for the same bills."""

    run_id: int
    status: str
    bill_count: int
    total_cents: int
    rows: list[RegisterRow] = field(default_factory=list)
    by_service_cents: dict[str, int] = field(default_factory=dict)
    by_fund_cents: dict[str, int] = field(default_factory=dict)
    journal_revenue_cents: dict[str, int] = field(default_factory=dict)  # GL revenue code -> net credit
    journal_receivable_cents: dict[str, int] = field(default_factory=dict)  # service -> net debit

    @property
    def ties_to_journal(self) -> bool:
        """Revenue per service on the bills = net credits on that service's revenue account = net
        debits on its receivable, over the journal entries of the same bills."""
        for service, amount in self.by_service_cents.items():
            revenue = self.journal_revenue_cents.get(chart.revenue_for(service).code, 0)
            if revenue != amount or self.journal_receivable_cents.get(service, 0) != amount:
                return False
        return sum(self.journal_revenue_cents.values()) == self.total_cents


def billing_register(*, run: BillRun) -> BillingRegister:
    """Counts, consumption and revenue of the run by service, customer class and fund (a handful of
    grouped queries over integer cents; consumption summed in Python as exact decimals)."""
    committed = run.status in (BillRun.Status.COMMITTED, BillRun.Status.COMMITTING)
    statuses = (Bill.Status.ISSUED, Bill.Status.CANCELLED) if committed else (Bill.Status.DRAFT,)
    bills = Bill.objects.filter(run=run, status__in=statuses)
    rows: dict[tuple[str, str], RegisterRow] = {}
    premise_type_of: dict[str, str] = {}
    by_line = (
        BillLine.objects.filter(bill__in=bills)
        .values("service", "bill__account__premise__premise_type")
        .annotate(cents=Sum("amount_cents"), bills=Count("bill_id", distinct=True))
        .order_by()
    )
    for row in by_line:
        premise_type = row["bill__account__premise__premise_type"]
        customer_class = premise_type_of.setdefault(
            premise_type, customer_class_for_premise_type(premise_type)
        )
        key = (row["service"], customer_class)
        entry = rows.setdefault(
            key, RegisterRow(row["service"], customer_class, FUND_FOR_SERVICE[row["service"]])
        )
        entry.bills += row["bills"]
        entry.revenue_cents += int(row["cents"] or 0)
    water_use: dict[str, Decimal] = defaultdict(Decimal)
    for premise_type, consumption in bills.values_list("account__premise__premise_type", "consumption_hcf"):
        water_use[customer_class_for_premise_type(premise_type)] += consumption or Decimal(0)
    for (service, customer_class), entry in rows.items():
        if service == "water":
            entry.consumption_hcf = water_use.get(customer_class, Decimal("0.000"))
    register = BillingRegister(
        run_id=run.pk,
        status=run.status,
        bill_count=bills.count(),
        total_cents=sum(entry.revenue_cents for entry in rows.values()),
        rows=sorted(rows.values(), key=lambda r: (r.service, r.customer_class)),
    )
    for entry in register.rows:
        register.by_service_cents[entry.service] = (
            register.by_service_cents.get(entry.service, 0) + entry.revenue_cents
        )
        register.by_fund_cents[entry.fund] = register.by_fund_cents.get(entry.fund, 0) + entry.revenue_cents
    if committed:
        lines = (
            JournalLine.objects.filter(entry__bill__run=run)
            .values("gl_account__code", "service")
            .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
            .order_by()
        )
        for row in lines:
            debit, credit = int(row["debit"] or 0), int(row["credit"] or 0)
            if row["service"]:
                register.journal_receivable_cents[row["service"]] = (
                    register.journal_receivable_cents.get(row["service"], 0) + debit - credit
                )
            else:
                code = row["gl_account__code"]
                register.journal_revenue_cents[code] = (
                    register.journal_revenue_cents.get(code, 0) + credit - debit
                )
    return register


# -- one bill -------------------------------------------------------------------------------------------
def bill_get(number: str) -> Bill | None:
    return (
        Bill.objects.select_related(
            "account__customer", "account__premise", "run", "replaces", "journal_entry"
        )
        .filter(number=number)
        .first()
    )


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def bill_detail(bill: Bill) -> dict[str, Any]:
    """The bill with its lines, reads and money summary, JSON-ready (``civicbill bill show --json``)."""
    account = bill.account
    replaced_by = Bill.objects.filter(replaces=bill).values_list("number", flat=True).first()
    return {
        "number": bill.number,
        "account": account.number,
        "customer": account.customer.display_name,
        "service_address": account.premise.full_address,
        "kind": bill.kind,
        "status": bill.status,
        "run_id": bill.run_id,
        "period": f"{bill.period:%Y-%m}",
        "period_start": bill.period_start.isoformat(),
        "period_end": bill.period_end.isoformat(),
        "bill_date": bill.bill_date.isoformat(),
        "due_date": bill.due_date.isoformat(),
        "language": bill.language,
        "reads": {
            "meter_serial": bill.meter_serial,
            "previous_read_on": bill.previous_read_on.isoformat() if bill.previous_read_on else None,
            "previous_read": _decimal_text(bill.previous_read),
            "current_read_on": bill.current_read_on.isoformat() if bill.current_read_on else None,
            "current_read": _decimal_text(bill.current_read),
            "consumption_hcf": _decimal_text(bill.consumption_hcf),
            "estimated": bill.estimated,
        },
        "lines": [
            {
                "sequence": line.sequence,
                "service": line.service,
                "charge_key": line.charge_key,
                "description": line.description,
                "quantity": _decimal_text(line.quantity),
                "unit": line.unit,
                "tier": line.tier,
                "price": line.price or None,
                "proration": line.proration or None,
                "amount_cents": line.amount_cents,
                "period_start": line.line_period_start.isoformat() if line.line_period_start else None,
                "period_end": line.line_period_end.isoformat() if line.line_period_end else None,
                "version": line.version_label,
            }
            for line in bill.lines.order_by("sequence")
        ],
        "money": {
            "previous_balance_cents": bill.previous_balance_cents,
            "payments_cents": bill.payments_cents,
            "adjustments_cents": bill.adjustments_cents,
            "current_charges_cents": bill.current_charges_cents,
            "total_due_cents": bill.total_due_cents,
        },
        "journal_entry": str(bill.journal_entry_id) if bill.journal_entry_id else None,
        "cancel_entry": str(bill.cancel_entry_id) if bill.cancel_entry_id else None,
        "cancel_reason": bill.cancel_reason or None,
        "replaces": bill.replaces.number if bill.replaces else None,
        "replaced_by": replaced_by,
        "exceptions": [
            {"code": e.code, "blocking": e.blocking, "message": e.message, "resolution": e.resolution}
            for e in bill.exceptions.order_by("code")
        ],
    }
