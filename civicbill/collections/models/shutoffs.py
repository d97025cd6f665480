"""Shutoffs for nonpayment and the reconnections that follow (collections.shutoff_services).

A scheduled shutoff is a DISCONNECT field work order plus this row: the date it was scheduled for,
the eligibility proof on that date (every rule met, as the decision said), and later the field result.
A reconnection (after payment of the delinquent amount or an arrangement) is a RECONNECT work order
with the fee charged for it and, after a disconnection, the deposit required.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicbill.customers.models import Account


class ShutoffResult(models.TextChoices):
    PENDING = "pending", _("Not yet worked")
    DISCONNECTED = "disconnected", _("Disconnected")
    COULD_NOT_ACCESS = "could_not_access", _("Could not access the meter")
    PAID_IN_FIELD = "paid_in_field", _("Paid in the field")
    NOT_HOME = "not_home", _("Customer not home")
    CANCELLED = "cancelled", _("Cancelled")


class Shutoff(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    work_order = models.OneToOneField("workorders.WorkOrder", on_delete=models.PROTECT, related_name="+")
    scheduled_on = models.DateField()
    past_due_cents = models.BigIntegerField()  # the delinquent amount on the day it was scheduled
    proof = models.JSONField(default=list)  # [{"rule", "message"}] every condition met
    result = models.CharField(max_length=16, choices=ShutoffResult.choices, default=ShutoffResult.PENDING)
    result_on = models.DateField(null=True, blank=True)
    result_note = models.CharField(max_length=300, blank=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scheduled_at = models.DateTimeField()

    class Meta:
        ordering = ["-scheduled_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result="pending") | Q(result_on__isnull=False), name="shutoff_result_has_a_date"
            ),
        ]
        indexes = [models.Index(fields=["account", "result"], name="shutoff_account_result")]

    def __str__(self) -> str:
        return f"Shutoff of {self.account_id} on {self.scheduled_on:%Y-%m-%d} ({self.result})"


class Reconnection(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    shutoff = models.OneToOneField(Shutoff, on_delete=models.PROTECT, related_name="reconnection")
    work_order = models.OneToOneField("workorders.WorkOrder", on_delete=models.PROTECT, related_name="+")
    ordered_on = models.DateField()
    after_hours = models.BooleanField(default=False)
    low_income = models.BooleanField(default=False)  # the fee was capped (§116914)
    fee_cents = models.BigIntegerField()
    fee_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deposit_cents = models.BigIntegerField(default=0)
    deposit_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=200)  # paid, arrangement ...
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField()

    class Meta:
        ordering = ["-ordered_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(fee_cents__gte=0), name="reconnection_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(deposit_cents__gte=0), name="reconnection_deposit_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Reconnection of {self.account_id} ordered {self.ordered_on:%Y-%m-%d}"
