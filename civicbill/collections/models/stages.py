"""Each account's collection stage, as an append-only history of events.

The current stage of an account is its latest event (by ``occurred_on`` then ``id``); an account with
no event is current. Every event names the rule that moved it, so the account page can explain it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicbill.customers.models import Account


class CollectionStage(models.TextChoices):
    CURRENT = "current", _("Current")
    PAST_DUE = "past_due", _("Past due")
    LATE_NOTICE_SENT = "late_notice_sent", _("Late notice sent")
    FINAL_NOTICE_SENT = "final_notice_sent", _("Final notice sent")
    FORTY_EIGHT_HOUR_NOTICE = "48_hour_notice", _("48-hour notice")
    ELIGIBLE_FOR_SHUTOFF = "eligible_for_shutoff", _("Eligible for shutoff")
    SHUTOFF_SCHEDULED = "shutoff_scheduled", _("Shutoff scheduled")
    DISCONNECTED = "disconnected", _("Disconnected")
    RECONNECTED = "reconnected", _("Reconnected")
    IN_ARRANGEMENT = "in_arrangement", _("In arrangement")
    APPEAL_PENDING = "appeal_pending", _("Appeal pending")
    CLOSED_UNPAID = "closed_unpaid", _("Closed — final bill unpaid")
    WRITTEN_OFF = "written_off", _("Written off")


class StageEvent(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="collection_stages")
    stage = models.CharField(max_length=24, choices=CollectionStage.choices)
    occurred_on = models.DateField()  # the business date the stage began
    rule = models.CharField(max_length=200)  # the rule that moved the account, in staff words
    detail = models.JSONField(default=dict, blank=True)
    run = models.ForeignKey(
        "collections.CollectionRun", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["account", "occurred_on", "id"], name="stage_account_on")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.stage} {self.occurred_on:%Y-%m-%d}"


# the stages of an account past due and not yet disconnected, protected or closed
# (the worklist's "past due now")
DELINQUENT_STAGES = frozenset(
    {
        CollectionStage.PAST_DUE,
        CollectionStage.LATE_NOTICE_SENT,
        CollectionStage.FINAL_NOTICE_SENT,
        CollectionStage.FORTY_EIGHT_HOUR_NOTICE,
        CollectionStage.ELIGIBLE_FOR_SHUTOFF,
        CollectionStage.SHUTOFF_SCHEDULED,
    }
)
