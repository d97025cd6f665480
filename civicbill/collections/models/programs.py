"""What protects an account from penalties and shutoff: arrangements, appeals, certifications,
third-party contacts and emergency moratoriums (SB 998, Health & Safety Code §116900-116926).

Rows are recorded with who and when; a program ends by a dated status change (audited), never by
deleting it, so the history of why an account was or was not shut off stays on file.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicbill.customers.models import Account


class ArrangementKind(models.TextChoices):
    AMORTIZATION = "amortization", _("Amortization (installments)")
    DEFERRAL = "deferral", _("Deferral (pay later in one sum)")
    ALTERNATIVE = "alternative", _("Alternative schedule")


class ArrangementStatus(models.TextChoices):
    ACTIVE = "active", _("Honoured")
    COMPLETED = "completed", _("Completed")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")


class Arrangement(models.Model):
    """A payment arrangement on the delinquent balance; current charges stay due as billed."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="arrangements")
    kind = models.CharField(max_length=14, choices=ArrangementKind.choices)
    status = models.CharField(
        max_length=10, choices=ArrangementStatus.choices, default=ArrangementStatus.ACTIVE
    )
    delinquent_cents = models.BigIntegerField()  # the balance arranged (> 0)
    agreed_on = models.DateField()
    language = models.CharField(max_length=2, default="en")
    terms = models.CharField(max_length=500, blank=True)  # what was agreed, in staff words
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    ended_on = models.DateField(null=True, blank=True)  # completed, broken or cancelled on
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-agreed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(delinquent_cents__gt=0), name="arrangement_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="active") | Q(ended_on__isnull=False), name="ended_arrangement_has_a_date"
            ),
        ]
        indexes = [models.Index(fields=["account", "status"], name="arrangement_account_status")]

    def __str__(self) -> str:
        return f"Arrangement {self.pk} on {self.account_id} ({self.status})"


class ArrangementInstallment(models.Model):
    """One installment; it is paid when the account's payments after ``agreed_on`` cover the
    installments due so far on top of the current charges (collections.arrangements decides)."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.PROTECT, related_name="installments")
    sequence = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount_cents = models.BigIntegerField()

    class Meta:
        ordering = ["arrangement", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "sequence"], name="installment_sequence_unique"),
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="installment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Installment {self.sequence} due {self.due_on:%Y-%m-%d}"


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Decided: bill stands")
    ADJUSTED = "adjusted", _("Decided: bill adjusted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Appeal(models.Model):
    """A bill review or appeal: while pending, no penalty and no shutoff for the account."""

    class Kind(models.TextChoices):
        BILL_REVIEW = "bill_review", _("Bill review")
        APPEAL = "appeal", _("Appeal")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="appeals")
    bill = models.ForeignKey(
        "billing.Bill", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.BILL_REVIEW)
    status = models.CharField(max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    opened_on = models.DateField()
    reason = models.CharField(max_length=500)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    decided_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=500, blank=True)
    adjustment_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_on__isnull=False), name="decided_appeal_has_a_date"
            ),
        ]
        indexes = [models.Index(fields=["account", "status"], name="appeal_account_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.account_id} ({self.status})"


class CertificationKind(models.TextChoices):
    LOW_INCOME = "low_income", _("Low-income household")
    MEDICAL = "medical", _("Medical certification")


class IncomeProgram(models.TextChoices):
    CALWORKS = "calworks", "CalWORKs"
    CALFRESH = "calfresh", "CalFresh"
    MEDI_CAL = "medi_cal", "Medi-Cal"
    SSI_SSP = "ssi_ssp", "SSI/SSP"
    WIC = "wic", "WIC"
    UNDER_200_FPL = "under_200_fpl", _("Income under 200% of the federal poverty line")


class Certification(models.Model):
    """Low-income status (§116910) or a primary-care provider's certification that shutoff would
    threaten life or health (§116910(a)(1)). Valid from ``starts_on`` through ``expires_on``."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="certifications")
    kind = models.CharField(max_length=10, choices=CertificationKind.choices)
    program = models.CharField(max_length=14, choices=IncomeProgram.choices, blank=True)  # low-income only
    provider = models.CharField(max_length=160, blank=True)  # medical only: the primary-care provider
    starts_on = models.DateField()
    expires_on = models.DateField()
    evidence = models.CharField(max_length=300, blank=True)  # what was seen (card, letter ...)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    revoked_on = models.DateField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("starts_on")), name="certification_dates"
            ),
            models.CheckConstraint(
                condition=~Q(kind="low_income") | Q(program__gt=""), name="low_income_names_program"
            ),
            models.CheckConstraint(
                condition=~Q(kind="medical") | Q(provider__gt=""), name="medical_names_provider"
            ),
        ]
        indexes = [models.Index(fields=["account", "kind"], name="certification_account_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on:%Y-%m-%d} to {self.expires_on:%Y-%m-%d}"


class ThirdPartyContact(models.Model):
    """A third party named by a customer aged 65 or over or a dependent adult to receive the same
    notices (Pub. Util. Code §10010.1)."""

    class Reason(models.TextChoices):
        SENIOR = "senior", _("Customer aged 65 or over")
        DEPENDENT_ADULT = "dependent_adult", _("Dependent adult")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="third_party_contacts")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    name = models.CharField(max_length=160)
    line1 = models.CharField(max_length=120)
    line2 = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=80)
    state = models.CharField(max_length=2, default="CA")
    zip_code = models.CharField(max_length=10)
    phone = models.CharField(max_length=30, blank=True)
    language = models.CharField(max_length=2, default="en")
    starts_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"Third party {self.name} for {self.account_id}"


class MoratoriumScope(models.TextChoices):
    ALL = "all", _("All accounts")
    CYCLE = "cycle", _("A billing cycle")
    ZIP = "zip", _("A ZIP code")
    ROUTE = "route", _("A read route")


class Moratorium(models.Model):
    """An emergency moratorium (disaster, heat emergency): no penalties and no shutoffs in scope
    from ``starts_on`` through ``ends_on`` inclusive."""

    starts_on = models.DateField()
    ends_on = models.DateField()
    scope = models.CharField(max_length=6, choices=MoratoriumScope.choices, default=MoratoriumScope.ALL)
    scope_value = models.CharField(max_length=12, blank=True)  # the cycle number, ZIP or route
    reason = models.CharField(max_length=200)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField()
    lifted_on = models.DateField(null=True, blank=True)  # ended early (the last day it applied)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="moratorium_dates"),
            models.CheckConstraint(
                condition=Q(scope="all", scope_value="") | (~Q(scope="all") & Q(scope_value__gt="")),
                name="moratorium_scope_value",
            ),
        ]

    def __str__(self) -> str:
        return f"Moratorium {self.starts_on:%Y-%m-%d} to {self.ends_on:%Y-%m-%d} ({self.scope})"
