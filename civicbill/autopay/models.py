"""Autopay: enrollments (bank details encrypted), draft files and their entries, return files and
the returns and notifications of change they carry. Money is integer cents.

What the database itself guarantees:

* one live (not ended) enrollment per customer account; an ended one says when and why;
* one live (not cancelled) draft file per effective entry date, and one file ID modifier per
  creation date (a cancelled file keeps its modifier: the bank may have seen it);
* a trace number is used once, ever; a bill is drafted at most once (a cancelled draft entry frees it);
* the same return file (SHA-256) is imported once;
* an authorization (the customer's permission to draft, with its copy) cannot be deleted, nor its
  evidence changed, until two years after it ended (triggers, migration 0002).

Bank account numbers are stored only encrypted (``account_number_encrypted``, ADR 0010) beside
their last four digits; draft and return files are stored encrypted too, as they carry the numbers.
"""

from __future__ import annotations

import datetime as dt

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
    # which bank details the enrollment holds: 1 when enrolled, +1 at every change (staff or a NOC).
    # A draft entry records the version it was drafted from; a NOC applies only to that version.
    bank_version = models.PositiveIntegerField(default=1)

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
        CHANGE_NOT_APPLIED = "change_not_applied", "Notification of change not applied (review)"
        RETURN_HELD = "return_held", "Late return held for review"
        RETURN_DISHONORED = "return_dishonored", "Late return dishonored"
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
    # the enrollment's bank_version the entry was drafted from (null: drafted before versions existed)
    bank_version = models.PositiveIntegerField(null=True, blank=True)
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


class ReviewDecision(models.TextChoices):
    ACCEPTED = "accepted", "Accepted (handled as a timely return)"
    DISHONORED = "dishonored", "Dishonored (payment stands)"
    ACKNOWLEDGED = "acknowledged", "Seen by staff"


#: the outcomes that wait in the review queue until staff decide
REVIEW_OUTCOMES = ("held_untimely", "change_not_applied")


class AchReturn(models.Model):
    """One return (addenda 99) or notification of change (addenda 98) and what was done about it."""

    class Kind(models.TextChoices):
        RETURN = "return", "Return"
        CHANGE = "change", "Notification of change"

    class Outcome(models.TextChoices):
        REVERSED_KEPT = "reversed_kept", "Payment reversed; autopay continues"
        REVERSED_ENDED = "reversed_ended", "Payment reversed; autopay ended"
        PRENOTE_ENDED = "prenote_ended", "Prenote returned; autopay ended"
        PRENOTE_NOTED = "prenote_noted", "Prenote returned; enrollment already ended or changed"
        CORRECTED = "corrected", "Bank details corrected"
        CHANGE_NOTED = "change_noted", "Notification noted; nothing to change"
        CHANGE_NOT_APPLIED = (
            "change_not_applied",
            "Not applied: the bank details have changed since the draft (review)",
        )
        HELD_UNTIMELY = "held_untimely", "Late return held for review (money in suspense)"
        DISHONORED = "dishonored", "Late return dishonored; payment stands"
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
    # the day the return was made available (the file's creation date) and its NACHA deadline
    received_on = models.DateField(null=True, blank=True)
    deadline = models.DateField(null=True, blank=True)
    # the review queue: late returns and notifications of change not applied wait for a decision
    review_decision = models.CharField(max_length=12, choices=ReviewDecision.choices, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_note = models.CharField(max_length=200, blank=True)

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
            models.CheckConstraint(
                condition=Q(review_decision="") | Q(reviewed_at__isnull=False, reviewed_by__isnull=False),
                name="autopay_review_says_when_and_who",
            ),
        ]
        indexes = [models.Index(fields=["outcome"], name="autopay_return_outcome")]

    def __str__(self) -> str:
        return f"{self.code} {self.original_trace_number} ({self.outcome})"

    @property
    def masked_account_in_file(self) -> str:
        return masked(self.account_last4_in_file) if self.account_last4_in_file else ""

    @property
    def awaits_review(self) -> bool:
        return self.outcome in REVIEW_OUTCOMES and not self.review_decision

    @property
    def dishonor_by(self) -> dt.date | None:
        """For a late return waiting for review: the last banking day to send its dishonor (R68)."""
        if self.outcome != self.Outcome.HELD_UNTIMELY or self.received_on is None:
            return None
        from civicbill.autopay.banking import banking_calendar  # models stay free of app imports at load
        from civicbill.autopay.rules import dishonor_by

        return dishonor_by(
            received_on=self.received_on, add_banking_days=banking_calendar().add_business_days
        )


class Authorization(models.Model):
    """The customer's authorization to draft one set of bank details: how it was given (written,
    online, a recorded phone call) and its copy (a file, stored encrypted, or a reference to where
    the copy is kept). Enrolling takes one; every change of bank details by staff takes a new one.

    NACHA asks the originator to keep an authorization for two years after it ends (autopay ended, or
    replaced by a new one): ``retain_until`` is set then, and database triggers refuse to delete the
    row before that day or to change its evidence at all."""

    class Method(models.TextChoices):
        WRITTEN = "written", "Written and signed"
        ONLINE = "online", "Online (authenticated)"
        PHONE_RECORDED = "phone_recorded", "Telephone, recorded"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="authorizations")
    bank_version = models.PositiveIntegerField()  # the enrollment's bank details it authorizes
    routing_number = models.CharField(max_length=9)
    account_number_last4 = models.CharField(max_length=4)
    account_type = models.CharField(max_length=8, choices=AccountType.choices)
    method = models.CharField(max_length=16, choices=Method.choices)
    authorized_on = models.DateField()
    authorized_by = models.CharField(max_length=120)
    reference = models.CharField(max_length=200, blank=True)  # where the copy is kept, or a call id
    document_name = models.CharField(max_length=120, blank=True)
    document_content_type = models.CharField(max_length=100, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    document_encrypted = models.TextField(blank=True)  # the copy (it may show the account number)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    ended_on = models.DateField(null=True, blank=True)  # autopay ended or the details were replaced
    retain_until = models.DateField(null=True, blank=True)  # ended_on + 2 years

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reference="") | ~Q(document_encrypted=""),
                name="autopay_authorization_has_a_copy",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, retain_until__isnull=True)
                | Q(ended_on__isnull=False, retain_until__gt=models.F("ended_on")),
                name="autopay_authorization_retained_after_it_ends",
            ),
            models.UniqueConstraint(
                fields=["enrollment", "bank_version"], name="autopay_one_authorization_per_bank_version"
            ),
        ]

    def __str__(self) -> str:
        return f"Authorization {self.pk} ({self.method}) of enrollment {self.enrollment_id}"

    @property
    def masked_account_number(self) -> str:
        return masked(self.account_number_last4)

    @property
    def has_document(self) -> bool:
        return bool(self.document_encrypted)
