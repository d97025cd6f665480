"""Rate schedules and their effective-dated versions.

A :class:`RateSchedule` is one code (``W-RES``) for one service. Each :class:`RateScheduleVersion`
holds the file exactly as loaded and its parsed document; a version runs from its
``effective_from`` until the next version's, so versions of one schedule never overlap. Versions
are never edited: a rate change is a new version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from civicbill.core.utility_services import Service


class SourceFormat(models.TextChoices):
    CIVICBILL_YAML = "civicbill-yaml", "civicbill schedule (YAML)"
    OWRS = "owrs", "Open Water Rate Specification"


class RateSchedule(models.Model):
    code = models.CharField(max_length=20, unique=True)  # "W-RES": what service agreements name
    service = models.CharField(max_length=12, choices=Service.choices)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


class RateScheduleVersion(models.Model):
    schedule = models.ForeignKey(RateSchedule, on_delete=models.PROTECT, related_name="versions")
    effective_from = models.DateField()
    source_format = models.CharField(max_length=16, choices=SourceFormat.choices)
    source_name = models.CharField(max_length=200, blank=True)  # the file name it was loaded from
    source_text = models.TextField()  # the file exactly as loaded
    document = models.JSONField()  # the parsed, validated document the engine reads
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["schedule__code", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "effective_from"], name="one_rate_version_per_schedule_and_day"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.schedule.code} from {self.effective_from.isoformat()}"
