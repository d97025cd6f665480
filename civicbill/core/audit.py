"""The audit trail: every create/change of customer, account and money records.

Services call :func:`audit_record` inside their transaction, so the change and its audit row
commit (or roll back) together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q

from civicbill.core.actors import Actor
from civicbill.core.models import AuditEvent

_MASKED_FIELDS = {"bank_account_number", "password"}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a model instance as JSON-ready values (for before/after)."""
    result = {}
    for name in fields:
        value = (
            getattr(instance, f"{name}_id", None)
            if hasattr(instance, f"{name}_id")
            else getattr(instance, name)
        )
        result[name] = "••••" if name in _MASKED_FIELDS else _plain(value)
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Only what changed: ``{field: {"before": old, "after": new}}``."""
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    target: models.Model,
    at: dt.datetime,
    account_number: str = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. ``action`` is ``<entity>.<verb>`` (``account.open``).

    ``at`` is when the change was recorded, passed in by the caller like every time (ADR 0003): a
    service stamps its write once (``clock.now()``) and gives the audit event the same instant.
    """
    return AuditEvent.objects.create(
        occurred_at=at,
        actor=actor if actor is not None and actor.is_authenticated and actor.pk else None,
        actor_username=getattr(actor, "username", "") or "system",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        account_number=account_number,
        summary=summary[:300],
        changes=changes or {},
    )


def audit_for_account(
    account_number: str, *, related: list[tuple[str, str]] | tuple[tuple[str, str], ...] = (), limit: int = 50
) -> list[AuditEvent]:
    """The audit trail of one account, newest first, with the events of records it depends on
    (``related``: ``(target_type, target_id)`` pairs such as its customer and premise)."""
    condition = Q(account_number=account_number)
    for target_type, target_id in related:
        condition |= Q(target_type=target_type, target_id=target_id)
    return list(AuditEvent.objects.filter(condition).order_by("-occurred_at", "-id")[:limit])
