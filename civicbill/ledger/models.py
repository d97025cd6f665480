"""The ledger: chart of accounts, append-only journal (entries and lines), accounting periods.

How the database keeps the journal honest (migration 0003, SQLite and PostgreSQL alike):

* **Append-only.** ``UPDATE`` and ``DELETE`` on entries and lines fail in the database
  (:func:`civicbill.core.append_only.append_only_operations`; PostgreSQL refuses ``TRUNCATE`` too).
* **Balanced, lines first.** An entry is posted by inserting its lines first (their ``entry_id`` is
  the header's UUID, generated in Python) and its header last. The foreign key from line to
  header is ``DEFERRABLE INITIALLY DEFERRED`` (Django makes every foreign key so on both
  databases), so the lines may wait for their header until commit. A ``BEFORE INSERT`` trigger on
  the header counts and sums the entry's lines and aborts unless there are at least two and
  ``SUM(debit_cents) = SUM(credit_cents) = total_cents``. Once the header exists the entry is
  *sealed*: a ``BEFORE INSERT`` trigger on lines refuses any line whose header is already there.
  A line whose header never comes fails the deferred foreign key at commit. Hence every committed
  entry is balanced, whatever code (or person at a SQL prompt) writes to the tables. Writing
  thousands of lines and then thousands of headers in one statement each (bulk posting) works the
  same way, because both triggers run for each row.
* **Concurrent writers (PostgreSQL).** Two transactions could race: one posts an entry while
  another inserts a stray line naming the same (not yet visible) header. PostgreSQL therefore also
  re-checks, at commit, that every entry a transaction added lines to exists and still balances to
  its declared total. SQLite has one writer at a time, so the ``BEFORE INSERT`` triggers already
  see everything.
* **Per statement on PostgreSQL** (migration 0007, ADR 0009): there the checks above run once per
  ``INSERT``/``COPY`` statement over its transition table (and the commit-time re-check once per
  line statement, through the queue table ``ledger_line_commit_check``), not once per row.
* **Closed periods.** A ``BEFORE INSERT`` trigger on the header refuses an accounting date in a
  closed month, and one refusing a reversal of a reversal; the services check both first and say
  so in words.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from civicbill.core.utility_services import Fund, Service
from civicbill.ledger.chart import AccountType


class SourceType(models.TextChoices):
    """What kind of business event a journal entry records."""

    CONVERSION = "conversion", "Conversion opening balance"
    BILL = "bill", "Bill"
    PAYMENT = "payment", "Payment"
    ADJUSTMENT = "adjustment", "Adjustment"
    PENALTY = "penalty", "Late penalty"
    DEPOSIT = "deposit", "Deposit"
    REFUND = "refund", "Refund"
    WRITE_OFF = "write_off", "Write-off"
    RETURNED_PAYMENT = "returned_payment", "Returned payment"
    FEE = "fee", "Fee"
    DRAWER = "drawer", "Cash drawer over/short"
    REVERSAL = "reversal", "Reversal"
    MANUAL = "manual", "Manual journal entry"


class GLAccount(models.Model):
    """An account of the general ledger, in one fund."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    account_type = models.CharField(max_length=10, choices=AccountType.choices)
    fund = models.CharField(max_length=10, choices=Fund.choices)
    is_receivable_control = models.BooleanField(default=False)
    # the service of a receivable control or revenue account (null for the others)
    service = models.CharField(max_length=12, choices=Service.choices, null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "GL account"
        constraints = [
            models.CheckConstraint(
                condition=Q(is_receivable_control=False)
                | Q(service__isnull=False, account_type=AccountType.ASSET),
                name="receivable_control_is_an_asset_of_a_service",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class JournalEntry(models.Model):
    """One balanced money event. Append-only: corrected only by a reversing entry."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    accounting_date = models.DateField(db_index=True)
    posted_at = models.DateTimeField()
    # not stored: True on the instance a service returns for a retried request (nothing was posted)
    replayed = False
    source_type = models.CharField(max_length=20, choices=SourceType.choices)
    source_ref = models.CharField(max_length=120, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    reason = models.CharField(max_length=60)
    memo = models.CharField(max_length=500, blank=True)
    # an entry can be reversed at most once (unique), by an entry that is not itself reversed
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # the sum of the debits (= the sum of the credits), declared by the poster, checked by the database
    total_cents = models.BigIntegerField()

    class Meta:
        verbose_name_plural = "journal entries"
        constraints = [
            models.CheckConstraint(condition=Q(total_cents__gt=0), name="entry_total_is_positive"),
            models.CheckConstraint(condition=~Q(reverses=F("id")), name="entry_does_not_reverse_itself"),
        ]
        indexes = [models.Index(fields=["source_type", "source_ref"], name="ledger_entry_source_idx")]

    def __str__(self) -> str:
        return f"{self.accounting_date} {self.source_type} {self.source_ref} ({self.id})"


class JournalLine(models.Model):
    """A debit or a credit on a GL account. Lines on receivable control accounts name the customer
    account and service (the AR subledger); other lines name neither."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    gl_account = models.ForeignKey(GLAccount, on_delete=models.PROTECT, related_name="lines")
    debit_cents = models.BigIntegerField(default=0)
    credit_cents = models.BigIntegerField(default=0)
    # indexed by the (customer_account, entry) index below, whose first column it is
    customer_account = models.ForeignKey(
        "customers.Account",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_lines",
        db_index=False,
    )
    service = models.CharField(max_length=12, choices=Service.choices, null=True, blank=True)
    memo = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(debit_cents__gte=0, credit_cents__gte=0), name="line_amounts_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(debit_cents__gt=0, credit_cents=0) | Q(debit_cents=0, credit_cents__gt=0),
                name="line_is_a_debit_or_a_credit",
            ),
            models.CheckConstraint(
                condition=Q(customer_account__isnull=True, service__isnull=True)
                | Q(customer_account__isnull=False, service__isnull=False),
                name="line_names_account_and_service_together",
            ),
        ]
        indexes = [models.Index(fields=["customer_account", "entry"], name="ledger_line_account_entry_idx")]

    def __str__(self) -> str:
        side = f"Dr {self.debit_cents}" if self.debit_cents else f"Cr {self.credit_cents}"
        return f"{self.gl_account_id} {side}"


class AccountingPeriod(models.Model):
    """An accounting month. A month without a row is open."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    month = models.DateField(unique=True)  # the first day of the month
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_by__isnull=False, closed_at__isnull=False),
                name="closed_period_says_who_and_when",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.status}"


class PeriodCloseRecord(models.Model):
    """What an accounting month held when it was closed: its entry count and debit/credit totals,
    with one :class:`PeriodCloseTotal` per GL account. Append-only; a reopened month closed again
    gets a new record, and ``check-books`` compares each closed month with its latest record, so an
    entry moved into or out of a closed month (by whatever means) is named."""

    month = models.DateField(db_index=True)  # the first day of the month
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entry_count = models.IntegerField()
    debit_cents = models.BigIntegerField()
    credit_cents = models.BigIntegerField()

    class Meta:
        ordering = ["month", "id"]
        constraints = [
            models.UniqueConstraint(fields=["month", "closed_at"], name="one_close_record_per_close")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} closed {self.closed_at:%Y-%m-%d %H:%M}"


class PeriodCloseTotal(models.Model):
    """One GL account's debits and credits in a month as they stood when the month was closed."""

    record = models.ForeignKey(PeriodCloseRecord, on_delete=models.PROTECT, related_name="totals")
    gl_account = models.ForeignKey(GLAccount, on_delete=models.PROTECT, related_name="+")
    line_count = models.IntegerField()
    debit_cents = models.BigIntegerField()
    credit_cents = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "gl_account"], name="one_close_total_per_gl_account")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.gl_account_id} Dr {self.debit_cents} Cr {self.credit_cents}"


class GLExport(models.Model):
    """One export of a day's journal (summarized by GL account and fund) to the city's financial
    system. The journal rows are not touched: which entries went out is in :class:`GLExportEntry`."""

    accounting_date = models.DateField(db_index=True)
    file_format = models.CharField(max_length=10, default="csv")
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64)
    is_again = models.BooleanField(default=False)  # a deliberate re-export (--again)
    exported_at = models.DateTimeField()
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entry_count = models.IntegerField()
    debit_cents = models.BigIntegerField()
    credit_cents = models.BigIntegerField()

    class Meta:
        ordering = ["accounting_date", "id"]
        verbose_name = "GL export"
        constraints = [
            models.UniqueConstraint(
                fields=["accounting_date"], condition=Q(is_again=False), name="one_first_gl_export_per_date"
            ),
            models.CheckConstraint(condition=Q(debit_cents=F("credit_cents")), name="gl_export_balances"),
        ]

    def __str__(self) -> str:
        return f"GL export {self.accounting_date} ({self.entry_count} entries)"


class GLExportEntry(models.Model):
    """A journal entry included in a GL export."""

    export = models.ForeignKey(GLExport, on_delete=models.PROTECT, related_name="entries")
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="gl_exports")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["export", "entry"], name="entry_once_per_gl_export")]

    def __str__(self) -> str:
        return f"{self.export_id} {self.entry_id}"
