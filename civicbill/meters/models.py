"""Meters, where they are installed, and the reads that say how much water was used.

Register values and consumption are exact ``Decimal``s (``DecimalField``), never floats; sums over
them are done in Python, not SQL (SQLite stores decimals as REAL). A meter's status history, its
installations and its reads are kept forever: a correction supersedes a read, it does not edit it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicbill.core.utility_services import Service
from civicbill.customers.models import Premise


class MeterSize(models.TextChoices):
    SIZE_5_8 = "5/8", '5/8"'
    SIZE_3_4 = "3/4", '3/4"'
    SIZE_1 = "1", '1"'
    SIZE_1_1_2 = "1-1/2", '1½"'
    SIZE_2 = "2", '2"'
    SIZE_3 = "3", '3"'
    SIZE_4 = "4", '4"'
    SIZE_6 = "6", '6"'
    SIZE_8 = "8", '8"'


class MeterType(models.TextChoices):
    POSITIVE_DISPLACEMENT = "positive_displacement", "Positive displacement"
    COMPOUND = "compound", "Compound"
    TURBINE = "turbine", "Turbine"
    AMR = "amr", "AMR (drive-by radio)"
    AMI = "ami", "AMI (fixed network)"


class ReadUnit(models.TextChoices):
    CUBIC_FEET = "CF", "Cubic feet"
    HCF = "HCF", "Hundred cubic feet (HCF)"
    GALLONS = "GAL", "Gallons"
    KGAL = "KGAL", "Thousand gallons"


class MeterStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    IN_STOCK = "in_stock", "In stock"
    INSTALLED = "installed", "Installed"
    REMOVED = "removed", "Removed"
    TESTED = "tested", "Tested"
    RETIRED = "retired", "Retired"


class Meter(models.Model):
    serial_number = models.CharField(max_length=40, unique=True)
    make = models.CharField(max_length=60)
    model = models.CharField(max_length=60, blank=True)
    size = models.CharField(max_length=6, choices=MeterSize.choices)
    meter_type = models.CharField(
        max_length=24, choices=MeterType.choices, default=MeterType.POSITIVE_DISPLACEMENT
    )
    endpoint_id = models.CharField(
        max_length=40, blank=True, db_index=True, help_text="AMR/AMI radio endpoint"
    )
    dials = models.PositiveSmallIntegerField()
    read_unit = models.CharField(max_length=4, choices=ReadUnit.choices, default=ReadUnit.CUBIC_FEET)
    multiplier = models.DecimalField(max_digits=10, decimal_places=4, default=1)
    purchase_date = models.DateField(null=True, blank=True)
    purchase_cost_cents = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=MeterStatus.choices, default=MeterStatus.IN_STOCK, db_index=True
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(dials__gte=1, dials__lte=10), name="meter_dials_1_to_10"),
            models.CheckConstraint(condition=Q(multiplier__gt=0), name="meter_multiplier_positive"),
            models.CheckConstraint(
                condition=Q(purchase_cost_cents__isnull=True) | Q(purchase_cost_cents__gte=0),
                name="meter_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.serial_number


class MeterStatusChange(models.Model):
    """The meter's life: received → in stock → installed → removed → tested → in stock / retired."""

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=MeterStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=MeterStatus.choices)
    changed_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["meter", "changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.meter} {self.from_status}→{self.to_status} {self.changed_on}"


class MeterTest(models.Model):
    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="tests")
    tested_on = models.DateField()
    accuracy_percent = models.DecimalField(max_digits=6, decimal_places=2)
    passed = models.BooleanField()
    notes = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.meter} {self.tested_on} {self.accuracy_percent}% {'pass' if self.passed else 'fail'}"


class ServicePoint(models.Model):
    """Where a service is delivered at a premise (a meter box), with its read route and sequence."""

    premise = models.ForeignKey(Premise, on_delete=models.PROTECT, related_name="service_points")
    service = models.CharField(max_length=12, choices=Service.choices, default=Service.WATER)
    read_route = models.CharField(max_length=12, db_index=True)
    route_sequence = models.PositiveIntegerField(default=0)
    location_note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["read_route", "route_sequence", "id"]

    def __str__(self) -> str:
        return f"{self.premise} {self.service} ({self.read_route}/{self.route_sequence})"


class MeterInstallation(models.Model):
    """A meter at a service point from ``installed_on`` (with the install read) to ``removed_on``."""

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="installations")
    service_point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="installations")
    installed_on = models.DateField()
    install_read = models.DecimalField(max_digits=14, decimal_places=3)
    removed_on = models.DateField(null=True, blank=True)
    removal_read = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["service_point", "installed_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meter"], condition=Q(removed_on__isnull=True), name="meter_installed_once_at_a_time"
            ),
            models.UniqueConstraint(
                fields=["service_point"],
                condition=Q(removed_on__isnull=True),
                name="one_meter_per_service_point",
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=models.F("installed_on")),
                name="installation_removed_after_installed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meter} at {self.service_point} from {self.installed_on}"


class ReadSource(models.TextChoices):
    MANUAL = "manual", "Manual"
    HANDHELD = "handheld", "Handheld"
    AMR = "amr", "AMR"
    AMI = "ami", "AMI"
    FIELD = "field", "Field work order"
    ESTIMATED = "estimated", "Estimated"
    INSTALL = "install", "Install"
    REMOVAL = "removal", "Removal"


class ReadStatus(models.TextChoices):
    ACTUAL = "actual", "Actual"
    ESTIMATED = "estimated", "Estimated"
    EXCEPTION = "exception", "Exception (awaiting review)"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"


class ReadImport(models.Model):
    """One imported read file. The same file is refused a second time: the same bytes
    (``file_sha256``) or the same records with other line endings, a byte-order mark or blank space
    (``content_sha256``, :func:`civicbill.core.textfiles.content_fingerprint`)."""

    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, unique=True)
    # SHA-256 of the normalised content; null for files imported before it was recorded (nullable so
    # that adding it does not rebuild the table under the reads' reference triggers on SQLite)
    content_sha256 = models.CharField(max_length=64, null=True, blank=True)
    file_format = models.CharField(max_length=20)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    imported_at = models.DateTimeField()
    rows_total = models.PositiveIntegerField(default=0)
    rows_accepted = models.PositiveIntegerField(default=0)
    rows_exception = models.PositiveIntegerField(default=0)
    rows_bad = models.PositiveIntegerField(default=0)
    bad_rows = models.JSONField(default=list, blank=True)  # [{"line": 12, "reason": "..."}]

    class Meta:
        # partial (as SQLite adds it as an index without rebuilding the table)
        constraints = [
            models.UniqueConstraint(
                fields=["content_sha256"],
                condition=Q(content_sha256__isnull=False),
                name="one_read_import_per_content",
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.file_format}) {self.imported_at:%Y-%m-%d}"


class Read(models.Model):
    """A register reading. Consumption (in HCF, the billing unit) is fixed when the read is accepted."""

    # no single-column indexes on meter, service point or status: the (meter, read_on) and
    # (service_point, read_on) indexes serve those lookups, and every index costs each imported read
    # (benchmarks/RESULTS.md, meter read import).
    # The five references below are checked by the database with triggers, not FOREIGN KEY
    # constraints (``db_constraint=False``): PostgreSQL checks a foreign key row by row (~9 µs a row
    # each, 45 s for a million imported reads), the trigger once per statement for the distinct rows
    # referenced; deleting a referenced row is refused as before. Migration 0003, ADR 0007.
    meter = models.ForeignKey(
        Meter, on_delete=models.PROTECT, related_name="reads", db_index=False, db_constraint=False
    )
    installation = models.ForeignKey(
        MeterInstallation,
        on_delete=models.PROTECT,
        related_name="reads",
        null=True,
        blank=True,
        db_constraint=False,
    )
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.PROTECT,
        related_name="reads",
        null=True,
        blank=True,
        db_index=False,
        db_constraint=False,
    )
    read_on = models.DateField(db_index=True)
    value = models.DecimalField(max_digits=14, decimal_places=3)
    source = models.CharField(max_length=10, choices=ReadSource.choices)
    status = models.CharField(max_length=10, choices=ReadStatus.choices)
    consumption_hcf = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    rolled_over = models.BooleanField(default=False)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    read_import = models.ForeignKey(
        ReadImport, on_delete=models.PROTECT, null=True, blank=True, related_name="reads", db_constraint=False
    )
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, db_constraint=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["meter", "read_on", "id"]
        indexes = [
            models.Index(fields=["service_point", "read_on"]),
            models.Index(fields=["meter", "read_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.meter} {self.read_on} {self.value} ({self.status})"


class ReadException(models.Model):
    """A read that failed a validation rule, waiting for staff: accept, correct, reject or re-read."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REREAD_REQUESTED = "reread_requested", "Re-read requested"
        ACCEPTED = "accepted", "Accepted"
        CORRECTED = "corrected", "Corrected"
        REJECTED = "rejected", "Rejected"
        RESOLVED = "resolved", "Resolved by a re-read"

    read = models.OneToOneField(Read, on_delete=models.PROTECT, related_name="exception")
    code = models.CharField(max_length=40, db_index=True)
    message = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.read} {self.code} {self.status}"


class IntervalRead(models.Model):
    """AMI hourly interval consumption (meter units) for leak detection and the usage profile."""

    meter = models.ForeignKey(
        Meter, on_delete=models.PROTECT, related_name="interval_reads", db_index=False
    )  # the (meter, interval_start) unique constraint's index serves lookups by meter
    interval_start = models.DateTimeField()
    consumption = models.DecimalField(max_digits=14, decimal_places=3)
    read_import = models.ForeignKey(ReadImport, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meter", "interval_start"], name="one_interval_per_hour")
        ]

    def __str__(self) -> str:
        return f"{self.meter} {self.interval_start:%Y-%m-%d %H:00} {self.consumption}"
