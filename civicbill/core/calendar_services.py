"""Recording the days the business office is closed (no shutoffs, not a business day)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.models import OfficeClosure
from civicbill.core.permissions import require_permission


@transaction.atomic
def office_closure_add(*, closed_on: dt.date, reason: str, actor: Actor) -> OfficeClosure:
    require_permission(actor, "admin.calendar")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Say why the office is closed (the reason is shown to staff).", field="reason")
    if len(reason) > 200:
        raise ApplicationError("The reason is longer than 200 characters.", field="reason")
    if existing := OfficeClosure.objects.filter(closed_on=closed_on).first():
        raise ApplicationError(
            f"{closed_on:%Y-%m-%d} is already recorded as closed: {existing.reason}", field="closed_on"
        )
    closure = OfficeClosure.objects.create(closed_on=closed_on, reason=reason)
    audit_record(
        actor=actor,
        action="office_closure.add",
        target=closure,
        at=clock.now(),
        summary=f"Office closed {closed_on:%Y-%m-%d}: {reason}",
        changes={"closed_on": {"before": None, "after": closed_on.isoformat()}},
    )
    return closure
