"""Collection notices: the late and final notices of the daily run and their copies.

One row per notice to one recipient. The notice keeps the facts it states (amount delinquent, the
dates, the recipient's name and address) and points at the letter that prints it
(correspondence.Letter) and, for a notice posted at the premise, the field work order. A notice is a
record of what was sent: it is never edited or deleted.

A rerun of the same day sends nothing twice: a notice is unique per account, kind, the due date of the
bill it is about and its recipient (``recipient_key``: ``""`` for the customer, ``occupant``,
``third_party:<id>``, ``tenants``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicbill.customers.models import Account


class NoticeKind(models.TextChoices):
    LATE = "late", _("Late notice (courtesy reminder)")
    FINAL = "final", _("Final notice")
    FINAL_OCCUPANT = "final_occupant", _("Final notice, copy to the occupant")
    THIRD_PARTY = "third_party", _("Final notice, copy to the third party")
    TENANT = "tenant", _("Notice to tenants")
    POSTED_FINAL = "posted_final", _("Final notice posted at the premise")


FINAL_KINDS = (NoticeKind.FINAL, NoticeKind.FINAL_OCCUPANT, NoticeKind.THIRD_PARTY, NoticeKind.TENANT)


class CollectionNotice(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="collection_notices")
    kind = models.CharField(max_length=14, choices=NoticeKind.choices)
    recipient_key = models.CharField(max_length=24, blank=True)  # "" = the customer (see module doc)
    bill = models.ForeignKey(
        "billing.Bill", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # the delinquent bill the notice is about (none for a balance no bill made)
    due_on = models.DateField()  # that bill's due date
    amount_delinquent_cents = models.BigIntegerField()
    notice_date = models.DateField(db_index=True)  # the run's date (the letter's date)
    mailed_on = models.DateField()  # mailed (or posted at the premise) on
    pay_by = models.DateField()  # payment or an arrangement is needed by this day
    earliest_shutoff_on = models.DateField(null=True, blank=True)  # none on a late notice
    language = models.CharField(max_length=2)
    recipient_name = models.CharField(max_length=160)
    address_lines = models.JSONField(default=list)  # the recipient's address, line by line
    recipient_zip = models.CharField(max_length=10, blank=True)  # for the mail sort
    copies = models.PositiveSmallIntegerField(default=1)  # a tenant notice: one per dwelling unit
    third_party = models.ForeignKey(
        "collections.ThirdPartyContact", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # a notice posted at the premise
    letter = models.OneToOneField(
        "correspondence.Letter", on_delete=models.PROTECT, related_name="collection_notice"
    )
    run = models.ForeignKey(
        "collections.CollectionRun", on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )
    rule = models.CharField(max_length=300)  # why it was sent, in staff words
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-notice_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "due_on", "recipient_key"],
                name="notice_once_per_bill_and_recipient",
            ),
            models.CheckConstraint(condition=Q(amount_delinquent_cents__gt=0), name="notice_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind="late") | Q(earliest_shutoff_on__isnull=False),
                name="final_notice_has_a_shutoff_date",
            ),
            models.CheckConstraint(condition=Q(copies__gte=1), name="notice_copies_positive"),
        ]
        indexes = [
            models.Index(fields=["account", "kind", "notice_date"], name="notice_account_kind_date"),
            models.Index(fields=["run", "kind"], name="notice_run_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.account_id} on {self.notice_date:%Y-%m-%d}"
