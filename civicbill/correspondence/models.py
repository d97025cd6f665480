"""Letters and emails to customers, queued in the customer's language and rendered as PDF.

A letter keeps the facts it states in ``context`` (JSON: dates as ISO text, quantities as decimal
text), so it prints the same words tomorrow as today even when the account changes. It is never
edited once queued; it is sent or cancelled.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicbill.customers.models import Account, Language


class LetterKind(models.TextChoices):
    HIGH_USAGE_NOTICE = "high_usage_notice", "High water use notice"
    AUTOPAY_RETURN = "autopay_return", "Autopay payment returned"
    COLLECTIONS_LATE_NOTICE = "collections_late_notice", "Late notice (past-due reminder)"
    COLLECTIONS_FINAL_NOTICE = "collections_final_notice", "Final notice before shutoff"
    COLLECTIONS_TENANT_NOTICE = "collections_tenant_notice", "Notice to tenants before shutoff"
    COLLECTIONS_POSTED_NOTICE = "collections_posted_notice", "Final notice posted at the premise"


class LetterStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"


class LetterChannel(models.TextChoices):
    MAIL = "mail", "Mail"
    EMAIL = "email", "Email"


class Letter(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=40, choices=LetterKind.choices, db_index=True)
    language = models.CharField(max_length=2, choices=Language.choices)
    status = models.CharField(max_length=10, choices=LetterStatus.choices, default=LetterStatus.QUEUED)
    channel = models.CharField(max_length=10, choices=LetterChannel.choices, default=LetterChannel.MAIL)
    subject = models.CharField(max_length=200)
    context = models.JSONField(default=dict, blank=True)
    reference = models.CharField(
        max_length=40, blank=True, db_index=True, help_text="what the letter is about, e.g. WO-000012"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="letter_status_created")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="sent_letter_has_a_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancel_reason__gt=""),
                name="cancelled_letter_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Letter {self.pk} {self.kind} ({self.language}, {self.status}) for {self.account_id}"
