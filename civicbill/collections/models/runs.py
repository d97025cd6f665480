"""The daily collections run (`civicbill collections run --date D [--trial]`) and its actions.

A trial run lists what it would do and changes nothing else; a posted run does it. Every action names
the account and the rule behind it, so the run can be explained line by line.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicbill.customers.models import Account


class CollectionRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    run_date = models.DateField(db_index=True)  # the business date the run acts for
    trial = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    accounts_examined = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)  # step -> number of actions
    task_id = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)
    # why the run did nothing: the office is closed that day (a weekend, a holiday, a closure)
    closed_because = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-run_date", "-id"]

    def __str__(self) -> str:
        kind = "trial" if self.trial else "run"
        return f"Collections {kind} {self.run_date:%Y-%m-%d} ({self.status})"


class ActionStep(models.TextChoices):
    PENALTY = "penalty", _("Late penalty")
    INTEREST = "interest", _("Interest")
    LATE_NOTICE = "late_notice", _("Late notice")
    FINAL_NOTICE = "final_notice", _("Final notice")
    CONTACT = "contact", _("48-hour contact")
    POSTED_NOTICE = "posted_notice", _("48-hour notice posted")
    SHUTOFF_ELIGIBLE = "shutoff_eligible", _("Eligible for shutoff")
    ARRANGEMENT = "arrangement", _("Payment arrangement")
    SKIPPED = "skipped", _("Not acted on")


class CollectionAction(models.Model):
    run = models.ForeignKey(CollectionRun, on_delete=models.PROTECT, related_name="actions")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=18, choices=ActionStep.choices)
    rule = models.CharField(max_length=300)  # the rule behind it, in staff words
    amount_cents = models.BigIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["run", "id"]
        indexes = [models.Index(fields=["run", "step"], name="collection_action_run_step")]

    def __str__(self) -> str:
        return f"{self.step} on {self.account_id}: {self.rule}"
