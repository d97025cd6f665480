"""The collections policy, effective-dated: each version is a validated document (rules as data).

A version is never edited: a supervisor loads a new one effective from a date. The policy in force on a
date is the version with the latest ``effective_from`` on or before it (collections.selectors.policy_on).
The document's keys and their statutory limits are in collections/policy.py (pure).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CollectionsPolicyVersion(models.Model):
    effective_from = models.DateField(unique=True)
    document = models.JSONField()  # the validated policy (collections.policy.CollectionsPolicy.to_document())
    source_text = models.TextField(blank=True)  # the file as loaded (YAML), kept for the record
    reason = models.CharField(max_length=200)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"Collections policy from {self.effective_from:%Y-%m-%d}"
