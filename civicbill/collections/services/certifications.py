"""Certifications (SB 998, Health & Safety Code §116910) and third-party notice contacts
(Pub. Util. Code §10010.1), recorded by staff with ``collections.certify``, each audited.

- **Low-income**: the household is enrolled in a program (CalWORKs, CalFresh, Medi-Cal, SSI/SSP, WIC)
  or declares income under 200% of the federal poverty line; the program is required. Valid from
  ``starts_on`` for 12 months by default (through the day before the anniversary), at most 24 months.
- **Medical**: a primary-care provider certifies that a shutoff would threaten life or health; the
  provider is required. Valid 180 days by default (``starts_on`` + 179 days), at most 12 months — the
  usual practice of California water systems (the statute sets no term); the expiry date may be given.
- **Revoke** with a reason: from ``revoked_on`` on the certification no longer applies.
- **Third-party contact** of a customer aged 65 or over or a dependent adult: name, address, phone and
  language; from ``starts_on`` until ``ended_on`` (the last day it applies) every notice goes to them too.

These terms are defaults of this module (no policy key): a utility that wants other terms records the
expiry date it wants within the maxima.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction

from civicbill.collections.models import Certification, CertificationKind, IncomeProgram, ThirdPartyContact
from civicbill.collections.services.program_fields import add_months, choice_field, date_field, text_field
from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.customers.models import Account

LOW_INCOME_MONTHS, LOW_INCOME_MAX_MONTHS = 12, 24
MEDICAL_DAYS, MEDICAL_MAX_MONTHS = 180, 12
LANGUAGES = ["en", "es"]
ZIP = re.compile(r"^\d{5}(-\d{4})?$")


def default_expiry(kind: str, starts_on: dt.date) -> dt.date:
    if kind == CertificationKind.LOW_INCOME:
        return add_months(starts_on, LOW_INCOME_MONTHS) - dt.timedelta(days=1)
    return starts_on + dt.timedelta(days=MEDICAL_DAYS - 1)


def latest_expiry(kind: str, starts_on: dt.date) -> dt.date:
    months = LOW_INCOME_MAX_MONTHS if kind == CertificationKind.LOW_INCOME else MEDICAL_MAX_MONTHS
    return add_months(starts_on, months) - dt.timedelta(days=1)


@transaction.atomic
def certification_record(
    *,
    account: Account,
    kind: str,
    starts_on: dt.date,
    actor: Actor,
    at: dt.datetime,
    expires_on: dt.date | None = None,
    program: str = "",
    provider: str = "",
    evidence: str = "",
) -> Certification:
    """Record a low-income (``program``) or medical (``provider``) certification of ``account``."""
    require_permission(actor, "collections.certify")
    kind = choice_field(kind, "kind", list(CertificationKind.values))
    starts_on = date_field(starts_on, "starts_on", "Give the day the certification starts")
    if kind == CertificationKind.LOW_INCOME:
        program = choice_field(program, "program", list(IncomeProgram.values))
        provider = ""
    else:
        provider = text_field(
            provider, "provider", max_length=160, required="Name the primary-care provider who certified"
        )
        program = ""
    evidence = text_field(evidence, "evidence", max_length=300)
    expires_on = expires_on or default_expiry(kind, starts_on)
    if expires_on < starts_on:
        raise ApplicationError(
            f"The certification cannot expire ({expires_on:%Y-%m-%d}) before it starts "
            f"({starts_on:%Y-%m-%d})",
            code="expires_before_start",
            field="expires_on",
        )
    latest = latest_expiry(kind, starts_on)
    if expires_on > latest:
        raise ApplicationError(
            f"A {CertificationKind(kind).label.lower()} starting {starts_on:%Y-%m-%d} expires no later "
            f"than {latest:%Y-%m-%d}; renew it with a new certification after that",
            code="expires_too_late",
            field="expires_on",
        )
    certification = Certification.objects.create(
        account=account,
        kind=kind,
        program=program,
        provider=provider,
        starts_on=starts_on,
        expires_on=expires_on,
        evidence=evidence,
        recorded_by=acting_user(actor),
        recorded_at=at,
    )
    who = IncomeProgram(program).label if program else provider
    audit_record(
        actor=actor,
        action="collections.certify",
        target=certification,
        at=at,
        account_number=account.number,
        summary=f"{certification.get_kind_display()} ({who}) {starts_on:%Y-%m-%d} to {expires_on:%Y-%m-%d}",
        changes={
            "kind": kind,
            "program": program,
            "provider": provider,
            "starts_on": starts_on.isoformat(),
            "expires_on": expires_on.isoformat(),
            "evidence": evidence,
        },
    )
    return certification


@transaction.atomic
def certification_revoke(
    *,
    certification: Certification,
    reason: str,
    actor: Actor,
    at: dt.datetime,
    revoked_on: dt.date | None = None,
) -> Certification:
    """Revoke a certification: from ``revoked_on`` (default: the business day of ``at``) it no longer
    applies."""
    require_permission(actor, "collections.certify")
    reason = text_field(reason, "reason", max_length=200, required="Say why the certification is revoked")
    certification = (
        Certification.objects.select_for_update().select_related("account").get(pk=certification.pk)
    )
    if certification.revoked_on is not None:
        raise ApplicationError(
            f"This certification was already revoked on {certification.revoked_on:%Y-%m-%d}",
            code="already_revoked",
        )
    revoked_on = revoked_on or clock.business_date(at)
    if revoked_on < certification.starts_on:
        raise ApplicationError(
            f"A certification starting {certification.starts_on:%Y-%m-%d} cannot be revoked before it",
            code="revoked_before_start",
            field="revoked_on",
        )
    certification.revoked_on, certification.revoke_reason = revoked_on, reason
    certification.save(update_fields=["revoked_on", "revoke_reason"])
    audit_record(
        actor=actor,
        action="collections.certification_revoke",
        target=certification,
        at=at,
        account_number=certification.account.number,
        summary=f"{certification.get_kind_display()} revoked from {revoked_on:%Y-%m-%d}: {reason}",
        changes={"revoked_on": revoked_on.isoformat(), "reason": reason},
    )
    return certification


@transaction.atomic
def contact_add(
    *,
    account: Account,
    reason: str,
    name: str,
    line1: str,
    city: str,
    zip_code: str,
    actor: Actor,
    at: dt.datetime,
    line2: str = "",
    state: str = "CA",
    phone: str = "",
    language: str = "en",
    starts_on: dt.date | None = None,
) -> ThirdPartyContact:
    """Name a third party who receives a copy of every collections notice of ``account``."""
    require_permission(actor, "collections.certify")
    reason = choice_field(reason, "reason", list(ThirdPartyContact.Reason.values))
    name = text_field(name, "name", max_length=160, required="Give the third party's name")
    line1 = text_field(line1, "line1", max_length=120, required="Give the third party's street address")
    line2 = text_field(line2, "line2", max_length=120)
    city = text_field(city, "city", max_length=80, required="Give the third party's city")
    state = text_field(state, "state", max_length=2, required="Give the state (two letters)").upper()
    if not re.fullmatch(r"[A-Z]{2}", state):
        raise ApplicationError("The state is two letters, e.g. CA", code="bad_state", field="state")
    zip_code = (zip_code or "").strip()
    if not ZIP.match(zip_code):
        raise ApplicationError(
            f"The ZIP code {zip_code!r} is 5 digits (or ZIP+4, 92201-1234)",
            code="bad_zip_code",
            field="zip_code",
        )
    phone = text_field(phone, "phone", max_length=30)
    language = choice_field(language, "language", LANGUAGES)
    starts_on = starts_on or clock.business_date(at)
    contact = ThirdPartyContact.objects.create(
        account=account,
        reason=reason,
        name=name,
        line1=line1,
        line2=line2,
        city=city,
        state=state,
        zip_code=zip_code,
        phone=phone,
        language=language,
        starts_on=starts_on,
        recorded_by=acting_user(actor),
        recorded_at=at,
    )
    audit_record(
        actor=actor,
        action="collections.contact_add",
        target=contact,
        at=at,
        account_number=account.number,
        summary=f"Third party {name} receives notices from {starts_on:%Y-%m-%d} "
        f"({contact.get_reason_display()})",
        changes={
            "reason": reason,
            "name": name,
            "line1": line1,
            "line2": line2,
            "city": city,
            "state": state,
            "zip_code": zip_code,
            "phone": phone,
            "language": language,
            "starts_on": starts_on.isoformat(),
        },
    )
    return contact


@transaction.atomic
def contact_end(
    *, contact: ThirdPartyContact, actor: Actor, at: dt.datetime, ended_on: dt.date | None = None
) -> ThirdPartyContact:
    """The third party stops receiving notices after ``ended_on`` (default: the business day of ``at``)."""
    require_permission(actor, "collections.certify")
    contact = ThirdPartyContact.objects.select_for_update().select_related("account").get(pk=contact.pk)
    if contact.ended_on is not None:
        raise ApplicationError(
            f"This contact already ended on {contact.ended_on:%Y-%m-%d}", code="already_ended"
        )
    ended_on = ended_on or clock.business_date(at)
    if ended_on < contact.starts_on:
        raise ApplicationError(
            f"A contact starting {contact.starts_on:%Y-%m-%d} cannot end before it",
            code="ends_before_start",
            field="ended_on",
        )
    contact.ended_on = ended_on
    contact.save(update_fields=["ended_on"])
    audit_record(
        actor=actor,
        action="collections.contact_end",
        target=contact,
        at=at,
        account_number=contact.account.number,
        summary=f"Third party {contact.name} receives notices through {ended_on:%Y-%m-%d} only",
        changes={"ended_on": ended_on.isoformat()},
    )
    return contact
