"""The 48-hour step before a shutoff (Pub. Util. Code §10010.1(c)): a contact attempted by phone or in
person at least 24 hours before, or else a notice posted at the premise at least 48 hours before.

Each attempt is one append-only row with its time and outcome, pointing at what records it: the
customers Interaction logged for a phone call, or the field work order that posted the notice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicbill.customers.models import Account, Interaction


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    POSTED = "posted", _("Notice posted at the premise")


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("Reached the customer")
    NO_ANSWER = "no_answer", _("No answer")
    LEFT_MESSAGE = "left_message", _("Left a message")
    POSTED = "posted", _("Notice posted")
    ATTEMPTED = "attempted", _("Call placed by the run (outcome not yet recorded)")


class ContactAttempt(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    attempted_at = models.DateTimeField()  # the call, the visit, or the posting
    channel = models.CharField(max_length=10, choices=ContactChannel.choices)
    outcome = models.CharField(max_length=12, choices=ContactOutcome.choices)
    interaction = models.ForeignKey(
        Interaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    run = models.ForeignKey(
        "collections.CollectionRun", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [models.Index(fields=["account", "attempted_at"], name="contact_attempt_account_at")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(channel="posted") | Q(outcome="posted"), name="posted_contact_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.outcome} on {self.account_id} at {self.attempted_at:%Y-%m-%d %H:%M}"
