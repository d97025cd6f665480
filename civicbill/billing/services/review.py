"""Reviewing a trial: release (bill it) or hold (not this run) an exception."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from civicbill.billing.models import BillException, BillRun
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.permissions import require_permission

DECISIONS = (BillException.Resolution.RELEASED, BillException.Resolution.HELD)


@transaction.atomic
def bill_exception_resolve(
    *,
    resolution: str,
    note: str = "",
    actor: Actor,
    exception_id: int | None = None,
    exception: BillException | None = None,
    at: dt.datetime,
) -> BillException:
    """Decide one exception of a run in review. ``released`` bills the account in this run even
    when the exception is blocking; ``held`` keeps the bill out of the commit. A decision can be
    changed until the run is committed. The decision survives a re-run of the trial."""
    require_permission(actor, "billing.run")
    if resolution not in DECISIONS:
        raise ApplicationError(
            f"Resolution must be released or held, not {resolution!r}", code="invalid", field="resolution"
        )
    wanted = exception_id if exception_id is not None else getattr(exception, "pk", None)
    if wanted is None:
        raise ApplicationError("Name the exception to decide", code="invalid", field="exception")
    locked = (
        BillException.objects.select_for_update().select_related("run", "account").filter(pk=wanted).first()
    )
    if locked is None:
        raise NotFoundError(f"There is no billing exception {wanted}")
    if locked.run.status not in (BillRun.Status.TRIAL, BillRun.Status.TRIAL_RUNNING):
        raise ApplicationError(
            f"Run {locked.run_id} is {locked.run.get_status_display().lower()}; "
            "exceptions are decided while the trial is in review",
            code="run_not_in_review",
        )
    before = locked.resolution
    locked.resolution = resolution
    locked.resolution_note = note.strip()[:300]
    locked.resolved_by = acting_user(actor)
    locked.resolved_at = at
    locked.save(update_fields=["resolution", "resolution_note", "resolved_by", "resolved_at"])
    audit_record(
        actor=actor,
        action="bill_exception.resolve",
        target=locked,
        at=locked.resolved_at,
        account_number=locked.account.number,
        summary=f"Run {locked.run_id} {locked.code} {resolution}: {locked.resolution_note}",
        changes={"resolution": {"from": before, "to": resolution}, "note": locked.resolution_note},
    )
    if exception is not None:
        exception.resolution = locked.resolution
    return locked
