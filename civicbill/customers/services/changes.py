"""The audited field edit that ``customer_update`` and ``premise_update`` share: refuse fields that
cannot be changed, then apply the cleaned values, save and audit only what really changed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import models

from civicbill.core import clock
from civicbill.core.actors import Actor
from civicbill.core.audit import audit_record, diff, snapshot
from civicbill.customers import validation as check

M = TypeVar("M", bound=models.Model)


def refuse_unknown_fields(changes: Mapping[str, Any], fields: tuple[str, ...], what: str) -> None:
    """Refuse (naming the first) any of ``changes`` that is not one of ``fields`` of ``what``."""
    unknown = sorted(set(changes) - set(fields))
    if unknown:
        raise check.refuse(unknown[0], f"{', '.join(unknown)} cannot be changed on {what}.")


def save_changes_trusted(
    locked: M,
    fields: tuple[str, ...],
    before: dict[str, Any],
    cleaned: Mapping[str, Any],
    *,
    action: str,
    actor: Actor,
    label: Callable[[M], str],
) -> M:
    """Set ``cleaned`` on the ``locked`` row; when that changes any of ``fields`` (against ``before``)
    save it and record the audit event ``action`` ("<label> changed: <fields>"); else write nothing."""
    for name, value in cleaned.items():
        setattr(locked, name, value)
    changed = diff(before, snapshot(locked, fields))
    if not changed:
        return locked
    locked.save(update_fields=list(cleaned))
    audit_record(
        actor=actor,
        action=action,
        target=locked,
        at=clock.now(),
        summary=f"{label(locked)} changed: {', '.join(changed)}",
        changes=changed,
    )
    return locked
