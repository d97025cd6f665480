"""Field work orders: re-reads, high-usage and leak investigations, meter work, disconnects."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicbill.customers.models import Account, Premise
from civicbill.meters.models import Meter, Read, ReadException, ServicePoint


class WorkOrderType(models.TextChoices):
    REREAD = "reread", "Re-read"
    HIGH_CONSUMPTION = "high_consumption", "Investigate high consumption"
    LEAK_CHECK = "leak_check", "Leak check"
    METER_TEST = "meter_test", "Meter test"
    METER_EXCHANGE = "meter_exchange", "Meter exchange / replace"
    BROKEN_METER = "broken_meter", "Broken meter"
    DISCONNECT = "disconnect", "Disconnect"
    RECONNECT = "reconnect", "Reconnect"
    MOVE_IN_READ = "move_in_read", "Move-in read"
    MOVE_OUT_READ = "move_out_read", "Move-out read"
    POST_NOTICE = "post_notice", "Post a 48-hour shutoff notice"


class WorkOrderStatus(models.TextChoices):
    OPEN = "open", "Open"
    ASSIGNED = "assigned", "Assigned"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Priority(models.IntegerChoices):
    LOW = 1, "Low"
    NORMAL = 2, "Normal"
    HIGH = 3, "High"
    URGENT = 4, "Urgent"


class WorkOrder(models.Model):
    number = models.CharField(max_length=12, unique=True)
    work_type = models.CharField(max_length=20, choices=WorkOrderType.choices, db_index=True)
    status = models.CharField(
        max_length=10, choices=WorkOrderStatus.choices, default=WorkOrderStatus.OPEN, db_index=True
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    premise = models.ForeignKey(Premise, on_delete=models.PROTECT, related_name="work_orders")
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="work_orders"
    )
    service_point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, null=True, blank=True)
    meter = models.ForeignKey(
        Meter, on_delete=models.PROTECT, null=True, blank=True, related_name="work_orders"
    )
    read_exception = models.ForeignKey(
        ReadException, on_delete=models.PROTECT, null=True, blank=True, related_name="work_orders"
    )
    description = models.TextField()
    due_on = models.DateField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_work_orders",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    findings = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="completed_work_orders",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    read = models.ForeignKey(
        Read, on_delete=models.PROTECT, null=True, blank=True, related_name="work_orders"
    )
    new_meter = models.ForeignKey(
        Meter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchange_work_orders",
        help_text="the meter installed when completing this order exchanged the meter",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cancelled_work_orders",
    )
    cancel_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_work_orders"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "-priority", "number"]
        indexes = [models.Index(fields=["status", "due_on"], name="workorder_status_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
                name="completed_work_order_has_a_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancel_reason__gt=""),
                name="cancelled_work_order_has_a_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="assigned") | Q(assigned_to__isnull=False),
                name="assigned_work_order_has_an_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_work_type_display()} ({self.status})"


class WorkOrderNumberCounter(models.Model):
    """The last work order sequence handed out (one row, locked while a number is allocated).

    Numbers are ``WO-`` and six digits (``WO-000001``; a seventh digit appears after 999,999).
    ``workorder_create`` takes the row lock, so two clerks creating orders at the same moment never
    get the same number; ``WorkOrder.number`` being unique is the last line of defence.
    """

    name = models.CharField(max_length=40, unique=True)
    last_sequence = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_sequence}"
