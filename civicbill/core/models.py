"""Cross-cutting records: the audit trail, office closures, login failures, task progress."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One create/change of customer, account or money data: who, when, what, before and after.

    Append-only (database triggers). Written only by :func:`civicbill.core.audit.audit_record`.
    """

    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_username = models.CharField(max_length=150)
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64)
    account_number = models.CharField(max_length=20, blank=True, db_index=True)
    summary = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        when = f"{self.occurred_at:%Y-%m-%d %H:%M}"
        return f"{when} {self.actor_username} {self.action} {self.target_type}#{self.target_id}"


class OfficeClosure(models.Model):
    """A day the business office is closed besides weekends and public holidays (no shutoffs)."""

    closed_on = models.DateField(unique=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["closed_on"]

    def __str__(self) -> str:
        return f"{self.closed_on} {self.reason}"


class LoginFailure(models.Model):
    """A failed sign-in, kept to lock a user name after repeated failures."""

    username = models.CharField(max_length=150, db_index=True)
    failed_at = models.DateTimeField(db_index=True)
    remote_addr = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.username} {self.failed_at:%Y-%m-%d %H:%M}"


class TaskProgress(models.Model):
    """Progress of a batch job, shown as a progress bar by pages and the CLI."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    exceptions = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label} {self.done}/{self.total} {self.status}"

    @property
    def percent(self) -> int:
        if self.total == 0:
            return 100 if self.status == self.Status.SUCCEEDED else 0
        return min(100, (self.done * 100) // self.total)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class ApiToken(models.Model):
    """A bearer token for scripts calling the JSON API as a staff user. Only a hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=80)
    token_prefix = models.CharField(max_length=8)
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    # a token past expires_at, or revoked, is refused (null: created before expiry existed)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} {self.name} ({self.token_prefix}…)"

    def is_usable(self, at: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)


class StaffProfile(models.Model):
    """What civicbill keeps about a staff user beyond Django's user: a temporary password set by an
    administrator must be changed at the next sign-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    must_change_password = models.BooleanField(default=False)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}{' (must change password)' if self.must_change_password else ''}"
