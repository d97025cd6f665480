"""Closed accounts' unpaid final bills: balance transfers, write-off batches and recoveries.

- ``BalanceTransfer``: a closed account's balance moved to the same customer's active account (one
  balanced entry, each service's receivable from one account to the other).
- ``WriteOffBatch`` / ``WriteOff``: a batch proposed by one person and approved by another; on approval
  each account's balance is written off in one entry (``SourceType.WRITE_OFF``) against the allowance
  for uncollectible accounts (or the expense, by the policy's ``writeoff_method``; ADR 0018).
- ``WriteOffRecovery``: money received later on a written-off account, posted as a recovery.

Nothing here is ever deleted; the amounts are cents per service as they were written off.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicbill.customers.models import Account
from civicbill.ledger.models import JournalEntry


class BalanceTransfer(models.Model):
    from_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    to_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amounts = models.JSONField()  # service -> cents moved (a credit on a service is negative)
    total_cents = models.BigIntegerField()
    reason = models.CharField(max_length=200)
    business_date = models.DateField()
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    transferred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    transferred_at = models.DateTimeField()

    class Meta:
        ordering = ["-business_date", "-id"]

    def __str__(self) -> str:
        return f"{self.from_account_id} -> {self.to_account_id} {self.total_cents}"


class WriteOffBatch(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        POSTED = "posted", _("Approved and posted")
        REJECTED = "rejected", _("Rejected")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    as_of = models.DateField()  # the date the accounts were found old enough to write off
    writeoff_after_days = models.PositiveIntegerField()  # the policy's age at the proposal
    method = models.CharField(max_length=10)  # allowance | direct (the policy's writeoff_method)
    note = models.CharField(max_length=200, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    posted_on = models.DateField(null=True, blank=True)  # the accounting date of its entries
    decision_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="proposed") | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="writeoff_batch_decided_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="posted") | Q(posted_on__isnull=False),
                name="writeoff_batch_posted_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"write-off batch {self.pk} ({self.status})"


class WriteOff(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        POSTED = "posted", _("Written off")
        DROPPED = "dropped", _("Left out")

    batch = models.ForeignKey(WriteOffBatch, on_delete=models.PROTECT, related_name="writeoffs")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    amounts = models.JSONField()  # service -> cents (the balance per service at the proposal)
    total_cents = models.BigIntegerField()
    final_bill_number = models.CharField(max_length=40, blank=True)
    aged_from = models.DateField()  # the unpaid final bill's due date the age is counted from
    dropped_reason = models.CharField(max_length=200, blank=True)
    entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["batch_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "account"], name="one_writeoff_per_account_per_batch"),
            models.CheckConstraint(
                condition=~Q(status="posted") | Q(entry__isnull=False), name="posted_writeoff_has_its_entry"
            ),
        ]

    def __str__(self) -> str:
        return f"write-off {self.account_id} {self.total_cents} ({self.status})"


class WriteOffRecovery(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount_cents = models.BigIntegerField()
    amounts = models.JSONField()  # service written off -> cents recovered on it
    business_date = models.DateField()
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-business_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="recovery_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"recovery {self.account_id} {self.amount_cents}"
