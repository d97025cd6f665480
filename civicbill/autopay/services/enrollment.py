"""Enrolling an account in autopay, changing its bank details, ending it.

An enrollment starts *prenote pending*: the next draft file carries a zero-dollar prenote (28/38)
to the bank account; once the prenote has waited ``CIVICBILL_ACH_PRENOTE_WAIT_BUSINESS_DAYS``
business days without a return, the next draft file makes it *active* and drafts its bills. New bank
details typed by staff need a new prenote (back to *prenote pending*); a bank's notification of
change does not (NACHA: the bank itself gave the corrected details).

Every set of bank details staff type carries the customer's authorization (:class:`AuthorizationIn`:
written, online or a recorded call, with a copy: a file, stored encrypted, or a reference to where the
copy is kept). The enrollment's ``bank_version`` goes up at every change, so a draft entry knows which
details it was drafted from. When autopay ends, or new details replace the old, the authorization is
kept two more years (``retain_until``; the database refuses to delete it before then).

The account number is encrypted before it is stored and never leaves this module in clear except
for the draft file (:func:`bank_account_number`); history, audit and messages show ``****6789``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from civicbill.autopay import crypto, locks, rules
from civicbill.autopay.models import AccountType, Authorization, Enrollment, EnrollmentEvent
from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.customers.models import Account

BANK_FIELDS = ("routing_number", "account_number", "account_type")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
RETENTION_YEARS = 2


@dataclass(frozen=True, slots=True)
class AuthorizationIn:
    """The customer's authorization as staff record it: how it was given, when and by whom, and its
    copy (``document``: a file's bytes, stored encrypted; or ``reference``: where the copy is kept,
    such as a recording's id, or both)."""

    method: str
    authorized_on: dt.date
    authorized_by: str
    reference: str = ""
    document_name: str = ""
    document_content_type: str = ""
    document: bytes = b""

    def __repr__(self) -> str:  # never print the document
        return (
            f"AuthorizationIn({self.method!r}, {self.authorized_on}, {self.authorized_by!r}, "
            f"reference={self.reference!r}, document={len(self.document)} bytes)"
        )


def retained_until(ended_on: dt.date) -> dt.date:
    """Two years after an authorization ends (29 February ends on 1 March)."""
    try:
        return ended_on.replace(year=ended_on.year + RETENTION_YEARS)
    except ValueError:
        return dt.date(ended_on.year + RETENTION_YEARS, 3, 1)


def checked_authorization(authorization: AuthorizationIn, *, today: dt.date) -> AuthorizationIn:
    """The authorization as it will be stored, or ``ApplicationError`` naming the field."""
    if authorization.method not in Authorization.Method.values:
        raise ApplicationError(
            "Say how the customer authorized the drafts: written, online or a recorded call",
            code="bad_authorization_method",
            field="authorization_method",
        )
    if authorization.authorized_on > today:
        raise ApplicationError(
            f"The authorization date {authorization.authorized_on:%Y-%m-%d} is after today "
            f"({today:%Y-%m-%d})",
            code="authorization_in_future",
            field="authorized_on",
        )
    authorized_by = " ".join(str(authorization.authorized_by or "").split())
    if not authorized_by:
        raise ApplicationError(
            "Say who authorized the drafts (the bank account holder's name)",
            code="required",
            field="authorized_by",
        )
    reference = " ".join(str(authorization.reference or "").split())
    if not reference and not authorization.document:
        raise ApplicationError(
            "Attach a copy of the authorization (the signed form, the online record or the call "
            "recording) or say where it is kept",
            code="authorization_copy_required",
            field="authorization_reference",
        )
    if len(reference) > 200:
        raise ApplicationError(
            f"The authorization reference has {len(reference)} characters; at most 200",
            code="too_long",
            field="authorization_reference",
        )
    if len(authorization.document) > MAX_DOCUMENT_BYTES:
        raise ApplicationError(
            f"The authorization copy is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB",
            code="document_too_large",
            field="authorization_document",
        )
    return AuthorizationIn(
        method=authorization.method,
        authorized_on=authorization.authorized_on,
        authorized_by=authorized_by[:120],
        reference=reference,
        document_name=" ".join(authorization.document_name.split())[:120] if authorization.document else "",
        document_content_type=authorization.document_content_type[:100] if authorization.document else "",
        document=authorization.document,
    )


def _record_authorization(
    *, enrollment: Enrollment, authorization: AuthorizationIn, as_of: dt.datetime, actor: Actor
) -> Authorization:
    """Store a checked authorization of the enrollment's current bank details (its copy encrypted)."""
    return Authorization.objects.create(
        enrollment=enrollment,
        bank_version=enrollment.bank_version,
        routing_number=enrollment.routing_number,
        account_number_last4=enrollment.account_number_last4,
        account_type=enrollment.account_type,
        method=authorization.method,
        authorized_on=authorization.authorized_on,
        authorized_by=authorization.authorized_by,
        reference=authorization.reference,
        document_name=authorization.document_name,
        document_content_type=authorization.document_content_type,
        document_sha256=hashlib.sha256(authorization.document).hexdigest() if authorization.document else "",
        document_encrypted=crypto.encrypt_bytes(authorization.document) if authorization.document else "",
        taken_by=acting_user(actor),
        recorded_at=as_of,
    )


def _end_authorizations(*, enrollment: Enrollment, on: dt.date) -> int:
    """The enrollment's open authorizations end ``on`` (autopay ended, or new details replaced them):
    kept until two years later."""
    return Authorization.objects.filter(enrollment=enrollment, ended_on__isnull=True).update(
        ended_on=on, retain_until=retained_until(on)
    )


def describe_authorization(authorization: AuthorizationIn) -> str:
    copy = []
    if authorization.document:
        copy.append(f"copy {authorization.document_name or 'attached'}")
    if authorization.reference:
        copy.append(f"reference {authorization.reference}")
    method = Authorization.Method(authorization.method).label.lower()
    return (
        f"authorized {method} by {authorization.authorized_by} on {authorization.authorized_on:%Y-%m-%d} "
        f"({'; '.join(copy)})"
    )


@dataclass(frozen=True, slots=True)
class BankDetails:
    """Checked bank details; ``account_number`` in clear (kept only in memory)."""

    routing_number: str
    account_number: str
    account_type: str

    def __repr__(self) -> str:  # never print the number (tracebacks, logs)
        return (
            f"BankDetails(routing_number={self.routing_number!r}, account_number="
            f"{crypto.masked(self.account_number[-4:])!r}, account_type={self.account_type!r})"
        )


@sensitive_variables("account_number", "number")
def checked_bank_details(*, routing_number: str, account_number: str, account_type: str) -> BankDetails:
    """The details as they will be stored, or ``ApplicationError`` naming the field (never
    repeating the account number)."""
    routing = str(routing_number or "").strip()
    problem = rules.routing_number_problem(routing)
    if problem:
        raise ApplicationError(problem, code="bad_routing_number", field="routing_number")
    number = rules.clean_account_number(account_number or "")
    problem = rules.account_number_problem(number)
    if problem:
        raise ApplicationError(problem, code="bad_account_number", field="account_number")
    if account_type not in AccountType.values:
        raise ApplicationError("Choose checking or savings", code="bad_account_type", field="account_type")
    return BankDetails(routing, number, account_type)


def bank_account_number(enrollment: Enrollment) -> str:
    """The clear account number, for the draft file only."""
    return crypto.decrypt_text(enrollment.account_number_encrypted)


def describe_bank(*, routing_number: str, last4: str, account_type: str) -> str:
    return f"{account_type} {crypto.masked(last4)} at {routing_number}"


def record_event_trusted(
    *, enrollment: Enrollment, kind: str, occurred_on: dt.date, actor: Actor, detail: str = ""
) -> EnrollmentEvent:
    return EnrollmentEvent.objects.create(
        enrollment=enrollment,
        kind=kind,
        occurred_on=occurred_on,
        recorded_at=clock.now(),
        actor=acting_user(actor),
        detail=detail[:300],
    )


def _bank_snapshot(enrollment: Enrollment) -> dict[str, str]:
    return {
        "routing_number": enrollment.routing_number,
        "account_number": enrollment.masked_account_number,
        "account_type": enrollment.account_type,
        "holder_name": enrollment.holder_name,
    }


@sensitive_variables("account_number", "details", "kwds")
@transaction.atomic
def autopay_enroll(
    *,
    account: Account,
    routing_number: str,
    account_number: str,
    account_type: str,
    authorization: AuthorizationIn,
    as_of: dt.datetime,
    actor: Actor,
    holder_name: str = "",
) -> Enrollment:
    """Enroll ``account``: bank details checked (routing check digit, account number shape), the
    number encrypted, the customer's authorization recorded with its copy, status *prenote
    pending* (the next draft file sends the prenote). Refused when the account already has a live
    enrollment or is closed, or without the authorization's method and copy."""
    require_permission(actor, "autopay.enroll")
    crypto.require_key()
    details = checked_bank_details(
        routing_number=routing_number, account_number=account_number, account_type=account_type
    )
    today = clock.business_date(as_of)
    authorization = checked_authorization(authorization, today=today)
    authorized_on, authorized_by = authorization.authorized_on, authorization.authorized_by
    if account.status == Account.Status.CLOSED:
        raise ApplicationError(
            f"Account {account.number} is closed; it cannot be enrolled in autopay", code="account_closed"
        )
    live = Enrollment.objects.filter(account=account).exclude(status=Enrollment.Status.ENDED).first()
    if live is not None:
        raise ApplicationError(
            f"Account {account.number} is already enrolled ({live.get_status_display().lower()}, "
            f"{live.masked_account_number}); change its bank details or end it first",
            code="already_enrolled",
        )
    name = " ".join((holder_name or account.customer.display_name).split())[:22]
    enrollment = Enrollment.objects.create(
        account=account,
        status=Enrollment.Status.PRENOTE_PENDING,
        routing_number=details.routing_number,
        account_number_encrypted=crypto.encrypt_text(details.account_number),
        account_number_last4=details.account_number[-4:],
        account_type=details.account_type,
        holder_name=name,
        authorized_on=authorized_on,
        authorized_by=authorized_by[:120],
        taken_by=acting_user(actor),
        created_at=as_of,
    )
    _record_authorization(enrollment=enrollment, authorization=authorization, as_of=as_of, actor=actor)
    bank = describe_bank(
        routing_number=enrollment.routing_number,
        last4=enrollment.account_number_last4,
        account_type=enrollment.account_type,
    )
    record_event_trusted(
        enrollment=enrollment,
        kind=EnrollmentEvent.Kind.ENROLLED,
        occurred_on=today,
        actor=actor,
        detail=f"{bank}; {describe_authorization(authorization)}",
    )
    audit_record(
        actor=actor,
        action="autopay.enroll",
        target=enrollment,
        at=as_of,
        account_number=account.number,
        summary=f"Enrolled in autopay: {bank}, authorized by {enrollment.authorized_by}",
        changes={
            **_bank_snapshot(enrollment),
            "authorized_on": authorized_on.isoformat(),
            "authorized_by": enrollment.authorized_by,
            "authorization_method": authorization.method,
            "authorization_copy": "document" if authorization.document else "reference",
            "status": "prenote_pending",
        },
    )
    return enrollment


def end_enrollment_trusted(
    *, enrollment: Enrollment, reason: str, note: str, on: dt.date, as_of: dt.datetime, actor: Actor
) -> Enrollment:
    """End a locked, live enrollment (inside the caller's transaction and permission check)."""
    before = enrollment.status
    enrollment.status = Enrollment.Status.ENDED
    enrollment.ended_on = on
    enrollment.end_reason = reason
    enrollment.end_note = note[:200]
    enrollment.save(update_fields=["status", "ended_on", "end_reason", "end_note"])
    _end_authorizations(enrollment=enrollment, on=on)
    label = Enrollment.EndReason(reason).label
    record_event_trusted(
        enrollment=enrollment,
        kind=EnrollmentEvent.Kind.ENDED,
        occurred_on=on,
        actor=actor,
        detail=f"{label}{': ' + note if note else ''}",
    )
    audit_record(
        actor=actor,
        action="autopay.end",
        target=enrollment,
        at=as_of,
        account_number=enrollment.account.number,
        summary=f"Autopay ended ({label}){': ' + note if note else ''}",
        changes={"status": {"before": before, "after": "ended"}, "end_reason": reason, "note": note},
    )
    return enrollment


@transaction.atomic
def autopay_end(
    *, enrollment: Enrollment, reason: str, note: str, as_of: dt.datetime, actor: Actor
) -> Enrollment:
    """End autopay at the customer's request (or another reason staff give). Drafts already in a
    file stay; the next file drafts nothing for this account."""
    require_permission(actor, "autopay.enroll")
    if reason not in (Enrollment.EndReason.CUSTOMER_REQUEST, Enrollment.EndReason.OTHER):
        raise ApplicationError(
            "Staff end autopay at the customer's request or for another reason they write down",
            code="bad_reason",
            field="reason",
        )
    note = " ".join(str(note or "").split())
    if reason == Enrollment.EndReason.OTHER and not note:
        raise ApplicationError("Say why autopay is ended", code="required", field="note")
    locked = locks.lock_enrollment(enrollment.pk)
    if not locked.is_live:
        raise ApplicationError(
            f"This autopay enrollment already ended on {locked.ended_on:%Y-%m-%d}", code="already_ended"
        )
    return end_enrollment_trusted(
        enrollment=locked, reason=reason, note=note, on=clock.business_date(as_of), as_of=as_of, actor=actor
    )


@sensitive_variables("details", "account_number")
def change_bank_details_trusted(
    *,
    enrollment: Enrollment,
    details: BankDetails,
    new_prenote: bool,
    event_kind: str,
    note: str,
    as_of: dt.datetime,
    actor: Actor,
    holder_name: str = "",
) -> list[str]:
    """Apply new bank details to a locked, live enrollment (inside the caller's transaction and
    permission check); returns the names of the fields that changed (audited masked)."""
    before = _bank_snapshot(enrollment)
    changed_number = crypto.decrypt_text(enrollment.account_number_encrypted) != details.account_number
    enrollment.routing_number = details.routing_number
    enrollment.account_type = details.account_type
    if changed_number:
        enrollment.account_number_encrypted = crypto.encrypt_text(details.account_number)
        enrollment.account_number_last4 = details.account_number[-4:]
    if holder_name:
        enrollment.holder_name = " ".join(holder_name.split())[:22]
    after = _bank_snapshot(enrollment)
    changed = [
        name for name in after if after[name] != before[name] or (name == "account_number" and changed_number)
    ]
    if not changed:
        return []
    bank_changed = any(name in changed for name in BANK_FIELDS)
    if bank_changed:  # a new name on the same account is not new bank details
        enrollment.bank_version += 1
    fields = [
        "routing_number",
        "account_type",
        "account_number_encrypted",
        "account_number_last4",
        "holder_name",
        "bank_version",
    ]
    if new_prenote:
        enrollment.status = Enrollment.Status.PRENOTE_PENDING
        enrollment.prenote_sent_on = None
        enrollment.activated_on = None
        fields += ["status", "prenote_sent_on", "activated_on"]
    enrollment.save(update_fields=fields)
    bank = describe_bank(
        routing_number=enrollment.routing_number,
        last4=enrollment.account_number_last4,
        account_type=enrollment.account_type,
    )
    was = describe_bank(
        routing_number=before["routing_number"],
        last4=before["account_number"][-4:],
        account_type=before["account_type"],
    )
    record_event_trusted(
        enrollment=enrollment,
        kind=event_kind,
        occurred_on=clock.business_date(as_of),
        actor=actor,
        detail=f"{was} → {bank}{'; new prenote' if new_prenote else ''}{'; ' + note if note else ''}",
    )
    changes: dict[str, Any] = {name: {"before": before[name], "after": after[name]} for name in changed}
    if bank_changed:
        changes["bank_version"] = {"before": enrollment.bank_version - 1, "after": enrollment.bank_version}
    if new_prenote:
        changes["status"] = {"before": "active or prenote_pending", "after": "prenote_pending"}
    audit_record(
        actor=actor,
        action="autopay.bank_change"
        if event_kind == EnrollmentEvent.Kind.BANK_CHANGED
        else "autopay.correct",
        target=enrollment,
        at=as_of,
        account_number=enrollment.account.number,
        summary=f"Autopay bank details: {was} → {bank}{'; ' + note if note else ''}",
        changes=changes,
    )
    return changed


@sensitive_variables("account_number", "details", "kwds")
@transaction.atomic
def autopay_bank_change(
    *,
    enrollment: Enrollment,
    routing_number: str,
    account_number: str,
    account_type: str,
    authorization: AuthorizationIn,
    as_of: dt.datetime,
    actor: Actor,
    note: str = "",
) -> Enrollment:
    """New bank details from the customer, typed by staff: checked, encrypted, with the customer's
    new authorization (its method and copy; the old one is kept two more years), and a new prenote
    is sent before drafting again (the enrollment goes back to *prenote pending*)."""
    require_permission(actor, "autopay.enroll")
    crypto.require_key()
    details = checked_bank_details(
        routing_number=routing_number, account_number=account_number, account_type=account_type
    )
    today = clock.business_date(as_of)
    authorization = checked_authorization(authorization, today=today)
    locked = locks.lock_enrollment(enrollment.pk)
    if not locked.is_live:
        raise ApplicationError(
            "This autopay enrollment has ended; enroll the account again with the new details",
            code="already_ended",
        )
    changed = change_bank_details_trusted(
        enrollment=locked,
        details=details,
        new_prenote=True,
        event_kind=EnrollmentEvent.Kind.BANK_CHANGED,
        note="; ".join(
            part
            for part in (" ".join(str(note or "").split()), describe_authorization(authorization))
            if part
        ),
        as_of=as_of,
        actor=actor,
    )
    if not changed:
        raise ApplicationError("These are the bank details already on file", code="unchanged")
    _end_authorizations(enrollment=locked, on=today)
    locked.authorized_on = authorization.authorized_on
    locked.authorized_by = authorization.authorized_by
    locked.save(update_fields=["authorized_on", "authorized_by"])
    _record_authorization(enrollment=locked, authorization=authorization, as_of=as_of, actor=actor)
    return locked
