"""Billing cycles, billing runs, bills and their lines, and the run's exceptions.

A billing run rates every active account of a cycle for one period. Its **trial** stores each
account's bill as a ``draft`` :class:`Bill` (with its :class:`BillLine` s) and every problem as a
:class:`BillException`; it posts nothing. **Commit** issues the drafts that have no blocking
exception: each issued bill gets one balanced journal entry (AR by service against revenue by
service) and becomes immutable. A correction is a cancel (reversing entry) and a rebill (a new
bill), never an edit.

One bill per account per billing month per kind is a database constraint (cancelled bills
excepted), so a run killed at any moment and started again can neither double-bill nor skip.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicbill.core.utility_services import Service


class BillingCycle(models.Model):
    """A group of routes read and billed together each month (``Premise.billing_cycle``)."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=80)
    read_day = models.PositiveSmallIntegerField(default=28)  # meters are read on this day (1-28)
    read_window_days = models.PositiveSmallIntegerField(default=3)  # a read this close counts
    bill_lag_days = models.PositiveSmallIntegerField(default=2)  # bill date = period end + lag
    due_days = models.PositiveSmallIntegerField(default=21)  # due date = bill date + due days
    standard_days = models.PositiveSmallIntegerField(default=30)  # proration base
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(read_day__gte=1, read_day__lte=28), name="cycle_read_day_1_28"
            ),
            models.CheckConstraint(condition=Q(due_days__gte=1), name="cycle_due_days_positive"),
            models.CheckConstraint(condition=Q(standard_days__gte=1), name="cycle_standard_days_positive"),
        ]

    def __str__(self) -> str:
        return f"Cycle {self.number} ({self.name})"


class BillKind(models.TextChoices):
    REGULAR = "regular", "Regular"
    FINAL = "final", "Final"
    REBILL = "rebill", "Rebill"


class BillRun(models.Model):
    """One billing run: one cycle, one billing month, trial then commit."""

    class Status(models.TextChoices):
        TRIAL_RUNNING = "trial_running", "Trial running"
        TRIAL = "trial", "Trial ready for review"
        COMMITTING = "committing", "Committing"
        COMMITTED = "committed", "Committed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    cycle = models.ForeignKey(BillingCycle, on_delete=models.PROTECT, related_name="runs")
    period = models.DateField()  # the billing month: its first day ("YYYY-MM")
    period_start = models.DateField()  # first day of service billed (the day after the last read day)
    period_end = models.DateField()  # the cycle's read day in the billing month
    bill_date = models.DateField()
    due_date = models.DateField()
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.TRIAL_RUNNING)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    trial_finished_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    committed_at = models.DateTimeField(null=True, blank=True)
    accounts_count = models.PositiveIntegerField(default=0)  # active accounts in the cycle
    bills_count = models.PositiveIntegerField(default=0)  # issued (after commit) or drafted (trial)
    skipped_count = models.PositiveIntegerField(default=0)  # held back by a blocking exception
    total_billed_cents = models.BigIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)  # the background task, for the progress page
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-period", "cycle__number", "-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "period"],
                condition=~Q(status="cancelled"),
                name="one_live_run_per_cycle_and_month",
            )
        ]

    def __str__(self) -> str:
        return f"Run {self.pk}: cycle {self.cycle_id} {self.period:%Y-%m} ({self.status})"


class Bill(models.Model):
    """A bill for one account and one period. Immutable once issued (cancel/rebill corrects it)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (trial)"
        ISSUED = "issued", "Issued"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(max_length=20, unique=True)
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="bills")
    run = models.ForeignKey(BillRun, on_delete=models.PROTECT, related_name="bills", null=True, blank=True)
    kind = models.CharField(max_length=8, choices=BillKind.choices, default=BillKind.REGULAR)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    period = models.DateField()  # the billing month (first day)
    period_start = models.DateField()
    period_end = models.DateField()
    bill_date = models.DateField()
    due_date = models.DateField()
    language = models.CharField(max_length=2, default="en")  # the customer's, when the bill was made
    # the water service's reads for the period (blank for accounts without a meter)
    meter_serial = models.CharField(max_length=40, blank=True)
    previous_read_on = models.DateField(null=True, blank=True)
    previous_read = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    current_read_on = models.DateField(null=True, blank=True)
    current_read = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    consumption_hcf = models.DecimalField(max_digits=14, decimal_places=3, default=0)
    estimated = models.BooleanField(default=False)
    # the money: previous balance + payments (negative) + adjustments + current charges = total due
    previous_balance_cents = models.BigIntegerField(default=0)  # total due on the last issued bill
    payments_cents = models.BigIntegerField(default=0)  # since the last bill, as a negative amount
    adjustments_cents = models.BigIntegerField(default=0)  # other postings since the last bill
    current_charges_cents = models.BigIntegerField(default=0)
    total_due_cents = models.BigIntegerField(default=0)
    journal_entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="bill", null=True, blank=True
    )
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, related_name="replaced_by", null=True, blank=True
    )
    cancel_reason = models.CharField(max_length=200, blank=True)
    cancel_entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="cancelled_bill", null=True, blank=True
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "period", "kind"],
                condition=~Q(status="cancelled"),
                name="one_bill_per_account_month_and_kind",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="bill_period_ordered"
            ),
        ]
        indexes = [models.Index(fields=["run", "status"], name="bill_run_status")]

    def __str__(self) -> str:
        return f"Bill {self.number}"


class BillLine(models.Model):
    """One priced line of a bill (a ``rates.types.ChargeLine`` as stored)."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="lines")
    sequence = models.PositiveSmallIntegerField()
    service = models.CharField(max_length=12, choices=Service.choices)
    charge_key = models.CharField(max_length=60)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=16, decimal_places=4)
    unit = models.CharField(max_length=20)
    tier = models.PositiveSmallIntegerField(null=True, blank=True)
    price = models.CharField(max_length=60, blank=True)  # exact decimal text, may carry > 2 places
    amount_cents = models.BigIntegerField()
    proration = models.CharField(max_length=60, blank=True)  # exact decimal text (up to 28 digits)
    line_period_start = models.DateField(null=True, blank=True)
    line_period_end = models.DateField(null=True, blank=True)
    rate_version_id = models.PositiveIntegerField(null=True, blank=True)  # rates.RateScheduleVersion pk
    version_label = models.CharField(max_length=120, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["bill", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "sequence"], name="bill_line_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.bill_id}#{self.sequence} {self.description}"


class BillException(models.Model):
    """Something a person should look at before (or after) a bill goes out."""

    class Code(models.TextChoices):
        MISSING_READ = "missing_read", "Missing read"
        ESTIMATED = "estimated", "Estimated read"
        ZERO_BILL = "zero_bill", "Zero bill"
        NEGATIVE_BILL = "negative_bill", "Negative bill"
        HIGH_BILL = "high_bill", "Bill over 3× the account's average"
        NO_SCHEDULE = "no_schedule", "No rate schedule in effect"
        RATING_ERROR = "rating_error", "Rating error"

    class Resolution(models.TextChoices):
        OPEN = "open", "Open"
        RELEASED = "released", "Released: bill it"
        HELD = "held", "Held: do not bill this run"

    run = models.ForeignKey(BillRun, on_delete=models.PROTECT, related_name="exceptions")
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="+")
    bill = models.ForeignKey(
        Bill, on_delete=models.SET_NULL, related_name="exceptions", null=True, blank=True
    )
    code = models.CharField(max_length=20, choices=Code.choices)
    blocking = models.BooleanField()  # a blocking exception keeps the bill out of the commit
    message = models.CharField(max_length=300)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, default=Resolution.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["run", "code", "account"]
        indexes = [models.Index(fields=["run", "code"], name="bill_exception_run_code")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.account_id} {self.code}"
