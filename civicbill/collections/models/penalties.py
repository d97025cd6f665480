"""Late penalties and interest assessed by the daily collections run (collections/penalties.py rules).

One row per bill, kind and sequence (the penalty is sequence 0; interest month n is sequence n): the
unique constraint is what makes a rerun post nothing new, even two runs at once. A low-income
household's waived interest (§116914) is a row too, with nothing charged and ``waived_cents`` set and no
journal entry, so a rerun does not charge it and the next waiver is counted from it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicbill.customers.models import Account


class PenaltyKind(models.TextChoices):
    PENALTY = "penalty", _("Late penalty")
    INTEREST = "interest", _("Interest")


class PenaltyAssessment(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="penalty_assessments")
    bill = models.ForeignKey("billing.Bill", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=PenaltyKind.choices)
    sequence = models.PositiveSmallIntegerField()  # 0: the penalty; n: interest month n
    basis_cents = models.BigIntegerField()  # the bill's unpaid penalisable charges on the run date
    amount_cents = models.BigIntegerField()  # charged (0 when waived)
    waived_cents = models.BigIntegerField(default=0)  # low-income interest waived (§116914)
    split = models.JSONField(default=dict)  # service -> cents charged (or waived)
    charged_from = models.DateField()  # the delinquency date (penalty) or the monthiversary (interest)
    assessed_on = models.DateField()  # the run date
    rule = models.CharField(max_length=300)
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    run = models.ForeignKey("collections.CollectionRun", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["assessed_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "kind", "sequence"], name="penalty_once_per_bill_month"),
            models.CheckConstraint(
                condition=(Q(kind="penalty", sequence=0) | Q(kind="interest", sequence__gte=1)),
                name="penalty_sequence_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0, waived_cents__gte=0, basis_cents__gt=0),
                name="penalty_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=(
                    Q(amount_cents__gt=0, waived_cents=0, journal_entry__isnull=False)
                    | Q(amount_cents=0, waived_cents__gt=0, journal_entry__isnull=True)
                ),
                name="penalty_charged_or_waived",
            ),
        ]
        indexes = [models.Index(fields=["account", "assessed_on"], name="penalty_account_on")]

    def __str__(self) -> str:
        return f"{self.kind} {self.sequence} on bill {self.bill_id}: {self.amount_cents}"
