"""Customers, premises (service addresses), accounts, service agreements, notes and interactions.

Search columns (``search_name``, ``search_address``, ``phone_digits``, ``email_lower``) are
normalised copies kept by the services (never by ``save()``), indexed for prefix lookups.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicbill.core.utility_services import Service


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


class Customer(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        BUSINESS = "business", "Business"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSON)
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    business_name = models.CharField(max_length=160, blank=True)
    mailing_line1 = models.CharField(max_length=120)
    mailing_line2 = models.CharField(max_length=120, blank=True)
    mailing_city = models.CharField(max_length=80)
    mailing_state = models.CharField(max_length=2, default="CA")
    mailing_zip = models.CharField(max_length=10)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    preferred_language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    # normalised for search (kept by the services)
    search_name = models.CharField(max_length=200, db_index=True, editable=False)
    search_name_reversed = models.CharField(max_length=200, db_index=True, editable=False)
    phone_digits = models.CharField(max_length=15, blank=True, db_index=True, editable=False)
    # the digits backwards, so the last seven ("555-0134" without area code) are an indexed prefix
    phone_digits_reversed = models.CharField(max_length=15, blank=True, db_index=True, editable=False)
    email_lower = models.CharField(max_length=254, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="business", business_name__gt="") | Q(kind="person", last_name__gt=""),
                name="customer_has_a_name",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.BUSINESS:
            return self.business_name
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def mailing_address_lines(self) -> list[str]:
        lines = [self.mailing_line1]
        if self.mailing_line2:
            lines.append(self.mailing_line2)
        lines.append(f"{self.mailing_city}, {self.mailing_state} {self.mailing_zip}")
        return lines


class Premise(models.Model):
    """A service address."""

    class PremiseType(models.TextChoices):
        SINGLE_FAMILY = "single_family", "Single-family"
        MULTI_FAMILY = "multi_family", "Multi-family"
        COMMERCIAL = "commercial", "Commercial"
        INDUSTRIAL = "industrial", "Industrial"
        IRRIGATION = "irrigation", "Irrigation"
        INSTITUTIONAL = "institutional", "Institutional"

    house_number = models.CharField(max_length=12)
    street_name = models.CharField(max_length=120)
    unit = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=80)
    state = models.CharField(max_length=2, default="CA")
    zip_code = models.CharField(max_length=10)
    parcel_number = models.CharField(max_length=20, blank=True, db_index=True)
    premise_type = models.CharField(
        max_length=20, choices=PremiseType.choices, default=PremiseType.SINGLE_FAMILY
    )
    dwelling_units = models.PositiveIntegerField(default=1)
    billing_cycle = models.PositiveSmallIntegerField(default=1)
    read_route = models.CharField(max_length=12, blank=True)
    route_sequence = models.PositiveIntegerField(default=0)
    # "52 AVENUE 48 UNIT 3": house number first, street words normalised (AVE -> AVENUE ...)
    search_address = models.CharField(max_length=200, db_index=True, editable=False)
    # the street part alone ("AVENUE 48 52"), so "avenue 48" finds every house on the street
    search_street = models.CharField(max_length=200, db_index=True, editable=False)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(dwelling_units__gte=1), name="premise_has_a_dwelling_unit")
        ]

    def __str__(self) -> str:
        return self.address_line

    @property
    def address_line(self) -> str:
        unit = f" #{self.unit}" if self.unit else ""
        return f"{self.house_number} {self.street_name}{unit}"

    @property
    def full_address(self) -> str:
        return f"{self.address_line}, {self.city}, {self.state} {self.zip_code}"


class Account(models.Model):
    """The billing relationship of one customer at one premise."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"
        FINAL = "final", "Final"
        CLOSED = "closed", "Closed"

    number = models.CharField(max_length=12, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="accounts")
    premise = models.ForeignKey(Premise, on_delete=models.PROTECT, related_name="accounts")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    paperless = models.BooleanField(default=False)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="account_closes_after_it_opens",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def language(self) -> str:
        """Documents for this account are written in the customer's preferred language."""
        return self.customer.preferred_language


class AccountNumberCounter(models.Model):
    """The last account sequence handed out (one row, locked while a number is allocated).

    Account numbers are ``<7-digit sequence>-<check digit>``; ``account_open`` takes the row lock,
    uses max(this, the highest existing sequence) + 1 and stores it back, so two clerks opening
    accounts at the same moment never get the same number. ``Account.number`` being unique is the
    last line of defence.
    """

    name = models.CharField(max_length=40, unique=True)
    last_sequence = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_sequence}"


class ServiceAgreement(models.Model):
    """One service on an account, rated by a schedule, from a start date to an optional end date.

    The agreement also carries the billing determinants that belong to it (the billing run passes
    them to the rate schedule): a refuse agreement's ``containers`` and ``container_size``, a fire
    line's ``service_size`` (the size of the fire service line, not of the domestic meter).
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="agreements")
    service = models.CharField(max_length=12, choices=Service.choices)
    rate_schedule_code = models.CharField(max_length=40)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    # refuse: how many containers are collected (blank = the schedule's default of one)
    containers = models.PositiveSmallIntegerField(null=True, blank=True)
    # refuse: the container's size as the schedule prices it ("96" gallons, "3YD"); blank = not priced by size
    container_size = models.CharField(max_length=20, blank=True)
    # fire line: the fire service line's size in meter-size spelling ("4", "1-1/2"); blank = not recorded
    service_size = models.CharField(max_length=6, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["account", "service", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="agreement_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["account", "service"],
                condition=Q(end_date__isnull=True),
                name="one_open_agreement_per_service",
            ),
            models.CheckConstraint(
                condition=Q(containers__isnull=True) | Q(containers__gte=1),
                name="agreement_containers_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account.number} {self.service} {self.rate_schedule_code}"

    def is_active_on(self, day: object) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)  # type: ignore[operator]


class AccountNote(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="notes")
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.account.number}: {self.body[:40]}"


class Interaction(models.Model):
    """A call, visit, letter or email with the customer about this account."""

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        VISIT = "visit", "Visit"
        MAIL = "mail", "Mail"
        EMAIL = "email", "Email"

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="interactions")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.INBOUND)
    subject = models.CharField(max_length=200)
    outcome = models.TextField(blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.account.number} {self.channel}: {self.subject}"
