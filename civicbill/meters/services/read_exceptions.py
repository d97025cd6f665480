"""The read exceptions queue: staff accept, correct or reject a held read, or send a re-read.

A held read (status EXCEPTION) has one ``ReadException``: OPEN, or RE-READ REQUESTED once a re-read
work order is out. Deciding it:

- **accept**: the read is re-validated against the reads as they are now (a later read may have come
  in) and becomes ACTUAL (ESTIMATED for an estimate) with the consumption it bills; refused when it
  cannot be measured (lower than the previous read, not installed, a later read already accepted);
- **correct**: a new read with the corrected value supersedes the held one (which becomes
  SUPERSEDED); the new read is validated like any other and may itself be held;
- **reject**: the read becomes REJECTED and bills nothing;
- **re-read**: :func:`read_exception_mark_reread_requested` when the work order is created, and
  :func:`read_exception_resolve_by_reread` when it is completed with a read (entered with
  ``read_record(source="field")``): the re-read supersedes the held read. When the field re-read is
  itself held only for its usage (high, low or zero use), the visit has confirmed it: it is accepted.

Reviewing needs ``reads.review``; resolving by a re-read needs ``reads.enter`` (field staff complete
re-read work orders). The meter is locked first, as for every read write. Every decision is audited.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.meters import locks
from civicbill.meters.models import Read, ReadException, ReadSource, ReadStatus
from civicbill.meters.services.reads import (
    ReadOutcome,
    account_number_for_point,
    store_single_trusted,
    validate_single,
)
from civicbill.meters.validation import (
    HIGH_USAGE,
    LOW_USAGE,
    ZERO_CONSUMPTION,
    Candidate,
    ReadResult,
    Verdict,
    shown,
)

REVIEWABLE = (ReadException.Status.OPEN, ReadException.Status.REREAD_REQUESTED)
CONFIRMED_BY_A_FIELD_READ = (HIGH_USAGE, LOW_USAGE, ZERO_CONSUMPTION)


def _locked(exception: ReadException) -> ReadException:
    """The exception, fresh, with its meter locked; refused once decided."""
    meter_id = Read.objects.filter(exception__pk=exception.pk).values_list("meter_id", flat=True).first()
    if meter_id is None:
        raise ApplicationError(f"Read exception #{exception.pk} does not exist.", code="not_found")
    locks.lock_meter(meter_id)
    current = ReadException.objects.select_related("read__meter", "decided_by").get(pk=exception.pk)
    if current.status not in REVIEWABLE:
        who = current.decided_by.username if current.decided_by else "someone"
        when = f" on {clock.business_date(current.decided_at):%Y-%m-%d}" if current.decided_at else ""
        raise ApplicationError(
            f"This read exception is already {current.get_status_display().lower()} (by {who}{when}).",
            code="already_decided",
        )
    return current


def _decide(exception: ReadException, status: str, *, actor: Actor, note: str, at: dt.datetime) -> None:
    exception.status = status
    exception.decided_by = acting_user(actor)
    exception.decided_at = at
    exception.decision_note = note[:300]
    exception.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


def _audit(
    exception: ReadException, action: str, *, actor: Actor, at: dt.datetime, summary: str, **changes: Any
) -> None:
    read = exception.read
    audit_record(
        actor=actor,
        action=f"read_exception.{action}",
        target=exception,
        at=at,
        account_number=account_number_for_point(read.service_point_id, read.read_on),
        summary=summary,
        changes={"code": exception.code, "read": read.pk, "status": exception.status, **changes},
    )


def _required_note(note: str, what: str) -> str:
    text = " ".join(str(note or "").split())
    if not text:
        raise ApplicationError(f"Say why the read is {what} (a note is required).", field="note")
    return text


def _revalidated(read: Read, *, value: Decimal, as_of: dt.date) -> ReadResult:
    return validate_single(
        Candidate(read.meter.serial_number, read.read_on, value, read.source),
        as_of=as_of,
        exclude_read_ids=[read.pk],
    )


def _make_accepted(read: Read, result: ReadResult) -> None:
    read.status = ReadStatus.ESTIMATED if read.source == ReadSource.ESTIMATED else ReadStatus.ACTUAL
    read.consumption_hcf = result.consumption_hcf
    read.rolled_over = result.rolled_over
    read.installation_id = result.installation_id
    read.service_point_id = result.service_point_id
    read.save(update_fields=["status", "consumption_hcf", "rolled_over", "installation", "service_point"])


@transaction.atomic
def read_exception_accept(
    *, exception: ReadException, actor: Actor, note: str = "", as_of: dt.date
) -> ReadException:
    """Accept the held read as read: it bills the consumption measured against the reads as they are
    now (for a ``true_up_credit``, the negative consumption)."""
    require_permission(actor, "reads.review")
    current = _locked(exception)
    read = current.read
    result = _revalidated(read, value=read.value, as_of=as_of)
    if result.verdict is Verdict.BAD or result.consumption_hcf is None:
        raise ApplicationError(
            f"This read cannot be accepted: {result.message} Correct it, reject it or ask for a re-read.",
            code="cannot_accept",
        )
    _make_accepted(read, result)
    at = clock.now()
    _decide(current, ReadException.Status.ACCEPTED, actor=actor, note=note, at=at)
    _audit(
        current,
        "accept",
        actor=actor,
        at=at,
        summary=f"Accepted read {shown(read.value)} of meter {read.meter.serial_number} on {read.read_on} "
        f"({current.code}): {result.consumption_hcf} HCF",
        consumption_hcf=str(result.consumption_hcf),
        note=note,
    )
    return current


@transaction.atomic
def read_exception_correct(
    *,
    exception: ReadException,
    corrected_value: Decimal,
    actor: Actor,
    note: str,
    as_of: dt.date,
) -> ReadOutcome:
    """Replace the held read with a corrected value (a new read; the held one is SUPERSEDED). The new
    read is validated like any other: it is accepted, or held again with its own exception."""
    require_permission(actor, "reads.review")
    text = _required_note(note, "corrected")
    current = _locked(exception)
    old = current.read
    if Decimal(corrected_value) == old.value:
        raise ApplicationError(
            f"{shown(corrected_value)} is the value already read; accept the read instead of correcting it.",
            field="corrected_value",
        )
    result = _revalidated(old, value=corrected_value, as_of=as_of)
    if result.verdict is Verdict.BAD:
        raise ApplicationError(result.message, code=result.code, field="corrected_value")
    at = clock.now()
    old.status = ReadStatus.SUPERSEDED
    old.save(update_fields=["status"])
    outcome = store_single_trusted(
        result, actor=actor, at=at, supersedes=old, note=f"Corrects {shown(old.value)}: {text}"
    )
    _decide(current, ReadException.Status.CORRECTED, actor=actor, note=text, at=at)
    _audit(
        current,
        "correct",
        actor=actor,
        at=at,
        summary=f"Corrected read {shown(old.value)} of meter {old.meter.serial_number} on {old.read_on} to "
        f"{shown(outcome.read.value)}: "
        + ("accepted" if outcome.accepted else f"held again ({outcome.code})"),
        old_value=str(old.value),
        new_value=str(outcome.read.value),
        new_read=outcome.read.pk,
        note=text,
    )
    return outcome


@transaction.atomic
def read_exception_reject(*, exception: ReadException, actor: Actor, note: str) -> ReadException:
    """Reject the held read: it bills nothing (a re-read or an estimate will take its place)."""
    require_permission(actor, "reads.review")
    text = _required_note(note, "rejected")
    current = _locked(exception)
    read = current.read
    read.status = ReadStatus.REJECTED
    read.save(update_fields=["status"])
    at = clock.now()
    _decide(current, ReadException.Status.REJECTED, actor=actor, note=text, at=at)
    _audit(
        current,
        "reject",
        actor=actor,
        at=at,
        summary=f"Rejected read {shown(read.value)} of meter {read.meter.serial_number} on {read.read_on} "
        f"({current.code}): {text}",
        note=text,
    )
    return current


@transaction.atomic
def read_exception_mark_reread_requested(*, exception: ReadException, actor: Actor) -> ReadException:
    """A re-read work order is out for this read (the work-orders service calls this)."""
    require_permission(actor, "reads.review")
    current = _locked(exception)
    if current.status == ReadException.Status.REREAD_REQUESTED:
        return current
    current.status = ReadException.Status.REREAD_REQUESTED
    current.save(update_fields=["status"])
    read = current.read
    _audit(
        current,
        "reread_requested",
        actor=actor,
        at=clock.now(),
        summary=f"Re-read requested for meter {read.meter.serial_number} "
        f"(read {shown(read.value)} on {read.read_on}, {current.code})",
    )
    return current


@transaction.atomic
def read_exception_resolve_by_reread(
    *, exception: ReadException, reread: Read, actor: Actor
) -> ReadException:
    """The re-read (a read of the same meter on or after the held one, entered with ``read_record``)
    replaces the held read, which becomes SUPERSEDED; the exception is RESOLVED. A field re-read held
    only for its usage is accepted: the visit confirmed the reading."""
    require_permission(actor, "reads.enter")
    current = _locked(exception)
    old = current.read
    fresh = Read.objects.select_related("meter").get(pk=reread.pk)
    problem = None
    if fresh.pk == old.pk or fresh.meter_id != old.meter_id:
        problem = f"the re-read must be a new read of meter {old.meter.serial_number}"
    elif fresh.read_on < old.read_on:
        problem = f"the re-read ({fresh.read_on}) is dated before the read it replaces ({old.read_on})"
    elif fresh.status not in (ReadStatus.ACTUAL, ReadStatus.EXCEPTION) or fresh.supersedes_id is not None:
        problem = f"read #{fresh.pk} is {fresh.get_status_display().lower()} and cannot replace another read"
    if problem:
        raise ApplicationError(f"Cannot resolve the exception with this re-read: {problem}.", field="reread")
    at = clock.now()
    old.status = ReadStatus.SUPERSEDED
    old.save(update_fields=["status"])
    fresh.supersedes = old
    fresh.save(update_fields=["supersedes"])
    _decide(
        current,
        ReadException.Status.RESOLVED,
        actor=actor,
        note=f"Resolved by the re-read {shown(fresh.value)} on {fresh.read_on} (read #{fresh.pk})",
        at=at,
    )
    _audit(
        current,
        "resolve_by_reread",
        actor=actor,
        at=at,
        summary=f"Read {shown(old.value)} of meter {old.meter.serial_number} on {old.read_on} replaced by "
        f"the re-read {shown(fresh.value)} on {fresh.read_on}",
        reread=fresh.pk,
    )
    held = ReadException.objects.filter(read=fresh, status=ReadException.Status.OPEN).first()
    if held is not None and fresh.source == ReadSource.FIELD and held.code in CONFIRMED_BY_A_FIELD_READ:
        fresh.status = ReadStatus.ACTUAL
        fresh.save(update_fields=["status"])
        held.read = fresh
        _decide(
            held,
            ReadException.Status.ACCEPTED,
            actor=actor,
            note=f"Confirmed by the field re-read that resolved exception #{current.pk}",
            at=at,
        )
        _audit(
            held,
            "accept",
            actor=actor,
            at=at,
            summary=f"Field re-read {shown(fresh.value)} of meter {fresh.meter.serial_number} on "
            f"{fresh.read_on} confirmed ({held.code}): {fresh.consumption_hcf} HCF",
            consumption_hcf=str(fresh.consumption_hcf),
        )
    return current
