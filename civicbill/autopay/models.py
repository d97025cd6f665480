"""Autopay: enrollments (bank details encrypted), draft files and their entries, return files and
the returns and notifications of change they carry. Money is integer cents.

What the database itself guarantees:

* one live (not ended) enrollment per customer account; an ended one says when and why;
* one live (not cancelled) draft file per effective entry date, and one file ID modifier per
  creation date (a cancelled file keeps its modifier: the bank may have seen it);
* a trace number is used once, ever; a bill is drafted at most once (a cancelled draft entry frees it);
* the same return file (SHA-256) is imported once.

Bank account numbers are stored only encrypted (``account_number_encrypted``, ADR 0010) beside
their last four digits; draft and return files are stored encrypted too, as they carry the numbers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicbill.autopay.crypto import masked


class AccountType(models.TextChoices):
    CHECKING = "checking", "Checking"
    SAVINGS = "savings", "Savings"


class Enrollment(models.Model):
    """A customer account's authorization to draft its bills from a bank account."""

    class Status(models.TextChoices):
        PRENOTE_PENDING = "prenote_pending", "Prenote pending"
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    class EndReason(models.TextChoices):
        CUSTOMER_REQUEST = "customer_request", "Customer asked to stop"
        BANK_RETURN = "bank_return", "Payment returned by the bank"
        PRENOTE_RETURN = "prenote_return", "Prenote returned by the bank"
        ACCOUNT_CLOSED = "account_closed", "Utility account closed"
        OTHER = "other", "Other"

    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PRENOTE_PENDING)
    routing_number = models.CharField(max_length=9)
    account_number_encrypted = models.TextField()
    account_number_last4 = models.CharField(max_length=4)
    account_type = models.CharField(max_length=8, choices=AccountType.choices)
    holder_name = models.CharField(max_length=22)  # the name on the bank account, as NACHA carries it
    authorized_on = models.DateField()
    authorized_by = models.CharField(max_length=120)  # who signed or said yes (the account holder)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    prenote_sent_on = models.DateField(null=True, blank=True)  # the prenote's effective entry date
    activated_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=~Q(status="ended"), name="autopay_one_live_enrollment"
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | Q(ended_on__isnull=False) & ~Q(end_reason=""),
                name="autopay_ended_says_when_and_why",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(activated_on__isnull=False),
                name="autopay_active_says_since_when",
            ),
        ]
        indexes = [models.Index(fields=["status", "account"], name="autopay_enrollment_status")]

    def __str__(self) -> str:
        return f"Autopay {self.pk} {self.account_type} {self.masked_account_number} ({self.status})"

    @property
    def masked_account_number(self) -> str:
        return masked(self.account_number_last4)

    @property
    def is_live(self) -> bool:
        return self.status != self.Status.ENDED


class EnrollmentEvent(models.Model):
    """The history of an enrollment, as staff read it (bank details masked)."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        PRENOTE_SENT = "prenote_sent", "Prenote sent"
        PRENOTE_CANCELLED = "prenote_cancelled", "Prenote's file cancelled"
        ACTIVATED = "activated", "Drafting started"
        BANK_CHANGED = "bank_changed", "Bank details changed"
        CORRECTED = "corrected", "Bank details corrected (notification of change)"
        RETURNED = "returned", "Payment returned"
        ENDED = "ended", "Ended"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_on = models.DateField()
    recorded_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.kind} {self.occurred_on}"


class DraftFile(models.Model):
    """One NACHA PPD debit file: its totals, its bytes (encrypted) and its entries."""

    class Status(models.TextChoices):
        CREATED = "created", "Created"
        CANCELLED = "cancelled", "Cancelled"

    effective_date = models.DateField()
    creation_date = models.DateField()  # the file header's date (utility time zone)
    file_id_modifier = models.CharField(max_length=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CREATED)
    file_name = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    debit_count = models.IntegerField()
    prenote_count = models.IntegerField()
    total_debit_cents = models.BigIntegerField()
    entry_hash = models.BigIntegerField()
    record_count = models.IntegerField()  # 94-character records, 9-padding included
    first_trace_sequence = models.IntegerField()
    last_trace_sequence = models.IntegerField()
    file_sha256 = models.CharField(max_length=64)
    content_encrypted = models.TextField()  # the file's bytes (they carry account numbers)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["effective_date"],
                condition=Q(status="created"),
                name="autopay_one_live_draft_per_day",
            ),
            models.UniqueConstraint(
                fields=["creation_date", "file_id_modifier"], name="autopay_file_id_modifier_once_a_day"
            ),
            models.CheckConstraint(
                condition=Q(status="created") | Q(cancelled_at__isnull=False) & ~Q(cancel_reason=""),
                name="autopay_cancelled_draft_says_when_and_why",
            ),
            models.CheckConstraint(
                condition=Q(total_debit_cents__gte=0), name="autopay_draft_total_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Draft file {self.pk} for {self.effective_date} ({self.status})"

    @property
    def entry_count(self) -> int:
        return self.debit_count + self.prenote_count


class DraftEntry(models.Model):
    """One entry of a draft file: a debit of a bill (with its ACH payment) or a prenote."""

    class Kind(models.TextChoices):
        DEBIT = "debit", "Debit"
        PRENOTE = "prenote", "Prenote"

    class Status(models.TextChoices):
        DRAFTED = "drafted", "Drafted"
        RETURNED = "returned", "Returned"
        CANCELLED = "cancelled", "Cancelled"

    draft_file = models.ForeignKey(DraftFile, on_delete=models.PROTECT, related_name="entries")
    sequence = models.IntegerField()  # position in the file, from 1
    trace_number = models.CharField(max_length=15, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFTED)
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="draft_entries")
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="+")
    bill = models.ForeignKey(
        "billing.Bill", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    transaction_code = models.PositiveSmallIntegerField()
    amount_cents = models.BigIntegerField()
    routing_number = models.CharField(max_length=9)
    account_number_last4 = models.CharField(max_length=4)
    effective_date = models.DateField()
    clears_on = models.DateField(null=True, blank=True)  # pending until this day (debits)
    payment = models.OneToOneField(
        "payments.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="ach_draft_entry"
    )

    class Meta:
        ordering = ["draft_file", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["draft_file", "sequence"], name="autopay_entry_sequence_once"),
            models.UniqueConstraint(
                fields=["bill"],
                condition=~Q(status="cancelled") & Q(bill__isnull=False),
                name="autopay_bill_drafted_once",
            ),
            models.CheckConstraint(
                condition=Q(kind="prenote", amount_cents=0, bill__isnull=True)
                | Q(kind="debit", amount_cents__gt=0, bill__isnull=False),
                name="autopay_entry_kind_matches_amount",
            ),
        ]
        indexes = [models.Index(fields=["account", "status"], name="autopay_entry_account")]

    def __str__(self) -> str:
        return f"{self.trace_number} {self.kind} {self.amount_cents}"

    @property
    def masked_account_number(self) -> str:
        return masked(self.account_number_last4)


class ReturnFile(models.Model):
    """One imported return / notification-of-change file. The same file (SHA-256) is refused twice."""

    file_sha256 = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(max_length=255)
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content_encrypted = models.TextField()
    return_count = models.IntegerField(default=0)
    change_count = models.IntegerField(default=0)
    unmatched_count = models.IntegerField(default=0)
    ignored_count = models.IntegerField(default=0)  # entries that are neither a return nor a NOC
    returned_cents = models.BigIntegerField(default=0)
    fees_cents = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"Return file {self.pk} {self.file_name}"


class AchReturn(models.Model):
    """One return (addenda 99) or notification of change (addenda 98) and what was done about it."""

    class Kind(models.TextChoices):
        RETURN = "return", "Return"
        CHANGE = "change", "Notification of change"

    class Outcome(models.TextChoices):
        REVERSED_KEPT = "reversed_kept", "Payment reversed, fee charged; autopay continues"
        REVERSED_ENDED = "reversed_ended", "Payment reversed, fee charged; autopay ended"
        PRENOTE_ENDED = "prenote_ended", "Prenote returned; autopay ended"
        PRENOTE_NOTED = "prenote_noted", "Prenote returned; enrollment already ended or changed"
        CORRECTED = "corrected", "Bank details corrected"
        CHANGE_NOTED = "change_noted", "Notification noted; nothing to change"
        ALREADY_RETURNED = "already_returned", "Already returned; nothing done"
        UNMATCHED = "unmatched", "Matches no draft entry: held in suspense"
        RESOLVED = "resolved", "Unmatched, then resolved by staff"

    return_file = models.ForeignKey(ReturnFile, on_delete=models.PROTECT, related_name="items")
    line_number = models.IntegerField()  # the entry detail's line in the file
    kind = models.CharField(max_length=8, choices=Kind.choices)
    code = models.CharField(max_length=3)  # R01 / C01
    original_trace_number = models.CharField(max_length=15, db_index=True)
    amount_cents = models.BigIntegerField()
    name_in_file = models.CharField(max_length=22, blank=True)
    routing_in_file = models.CharField(max_length=9, blank=True)
    account_last4_in_file = models.CharField(max_length=4, blank=True)
    detail = models.CharField(max_length=300, blank=True)  # what changed (masked), or why unmatched
    draft_entry = models.ForeignKey(
        DraftEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="returns"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    returned_item = models.OneToOneField(
        "payments.ReturnedItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fee_cents = models.BigIntegerField(default=0)
    letter = models.ForeignKey(
        "correspondence.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # an unmatched return of money: Dr 100-2900 Suspense / Cr 100-1000 Cash until staff resolve it
    suspense_entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution_entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["return_file", "line_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0), name="autopay_return_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="resolved") | Q(resolved_at__isnull=False, draft_entry__isnull=False),
                name="autopay_resolved_return_says_when_and_what",
            ),
        ]
        indexes = [models.Index(fields=["outcome"], name="autopay_return_outcome")]

    def __str__(self) -> str:
        return f"{self.code} {self.original_trace_number} ({self.outcome})"

    @property
    def masked_account_in_file(self) -> str:
        return masked(self.account_last4_in_file) if self.account_last4_in_file else ""
