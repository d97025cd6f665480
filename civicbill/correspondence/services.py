"""Writes for letters: queue a high-usage notice, mark a letter sent, cancel it.

Every service is keyword-only, runs in one transaction, checks the actor's permission first (so a
refused request writes nothing) and records an audit event. A queued letter holds the facts it
states (``context``); printing it later gives the same words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.core.printable import utility_contact
from civicbill.correspondence.facts import HighUsageFacts
from civicbill.correspondence.models import Letter, LetterChannel, LetterKind, LetterStatus
from civicbill.customers.models import Account, Language
from civicbill.meters.models import Read, ReadStatus

BILLED_READ_STATUSES = (ReadStatus.ACTUAL, ReadStatus.ESTIMATED)
SUBJECTS: dict[str, dict[str, str]] = {
    LetterKind.HIGH_USAGE_NOTICE: {
        Language.ENGLISH: "Your water use was higher than usual",
        Language.SPANISH: "Su consumo de agua fue más alto de lo normal",
    },
    LetterKind.AUTOPAY_RETURN: {
        Language.ENGLISH: "Your automatic payment was returned by your bank",
        Language.SPANISH: "Su banco devolvió su pago automático",
    },
    LetterKind.COLLECTIONS_LATE_NOTICE: {
        Language.ENGLISH: "Your water bill is past due",
        Language.SPANISH: "Su factura de agua está vencida",
    },
    LetterKind.COLLECTIONS_FINAL_NOTICE: {
        Language.ENGLISH: "Final notice: your water service may be shut off",
        Language.SPANISH: "Aviso final: su servicio de agua puede ser suspendido",
    },
    LetterKind.COLLECTIONS_TENANT_NOTICE: {
        Language.ENGLISH: "Notice to residents: the water service of this building may be shut off",
        Language.SPANISH: "Aviso a los residentes: el servicio de agua de este edificio puede ser suspendido",
    },
    LetterKind.COLLECTIONS_POSTED_NOTICE: {
        Language.ENGLISH: "Final notice: water service will be shut off",
        Language.SPANISH: "Aviso final: el servicio de agua será suspendido",
    },
}


def _channel_for(account: Account) -> str:
    customer = account.customer
    return LetterChannel.EMAIL if account.paperless and customer.email else LetterChannel.MAIL


def _account_facts(account: Account) -> dict[str, Any]:
    customer = account.customer
    return {
        "account_number": account.number,
        "customer_name": customer.display_name,
        "mailing_lines": customer.mailing_address_lines,
        "service_address": account.premise.full_address,
    }


def _previous_read(read: Read) -> Read | None:
    """The last billable read before ``read`` at the same service point (else the same meter)."""
    candidates = Read.objects.filter(status__in=BILLED_READ_STATUSES, read_on__lt=read.read_on)
    if read.service_point_id is not None:
        candidates = candidates.filter(service_point_id=read.service_point_id)
    else:
        candidates = candidates.filter(meter_id=read.meter_id)
    return candidates.order_by("-read_on", "-id").first()


@transaction.atomic
def letter_queue_high_usage(
    *,
    account: Account,
    read: Read,
    usual_daily_hcf: Decimal,
    actor: Actor,
    work_order_number: str = "",
    visit_by: dt.date | None = None,
    usual_basis: str = "",
    as_of: dt.date,
) -> Letter:
    """Queue a high water use notice for ``account`` about ``read`` (an accepted read with its
    consumption), in the customer's language, by email when the account is paperless and has an
    email address, else by mail. ``work_order_number`` and ``visit_by`` name the investigation visit;
    ``usual_basis`` says what "usual" means (``same_period_last_year`` or ``last_12_months``).
    """
    require_permission(actor, "reads.review")
    if read.status not in BILLED_READ_STATUSES or read.consumption_hcf is None:
        raise ApplicationError(
            f"The read of {read.value.normalize():f} on {read.read_on:%Y-%m-%d} is "
            f"{read.get_status_display().lower()}, not accepted; accept it before sending a high-usage "
            "notice.",
            code="read_not_accepted",
            field="read",
        )
    if not isinstance(usual_daily_hcf, Decimal) or usual_daily_hcf < 0:
        raise ApplicationError(
            f"Usual daily use must be a Decimal of zero or more HCF, not {usual_daily_hcf!r}.",
            field="usual_daily_hcf",
        )
    previous = _previous_read(read)
    days = (read.read_on - previous.read_on).days if previous else 0
    if days <= 0:
        raise ApplicationError(
            f"There is no earlier read of meter {read.meter.serial_number} before {read.read_on:%Y-%m-%d}, "
            "so the notice cannot say over how many days the water was used.",
            field="read",
        )
    facts = HighUsageFacts(
        read_on=read.read_on,
        read_value=read.value,
        read_unit=read.meter.read_unit,
        previous_read_on=previous.read_on if previous else None,
        previous_read_value=previous.value if previous else None,
        days=days,
        consumption_hcf=read.consumption_hcf,
        usual_daily_hcf=usual_daily_hcf,
    )
    return _queue(
        account=account,
        kind=LetterKind.HIGH_USAGE_NOTICE,
        facts={
            "meter_serial": read.meter.serial_number,
            **facts.as_context(),
            "work_order_number": work_order_number,
            "visit_by": visit_by.isoformat() if visit_by else None,
            "usual_basis": usual_basis,
        },
        reference=work_order_number,
        actor=actor,
        as_of=as_of,
        at=clock.now(),
        summary=lambda letter: (
            f"High water use notice queued ({letter.language}, {letter.channel}): {facts.daily_gallons} "
            f"gallons/day against usually {facts.usual_daily_gallons}"
        ),
    )


def _queue(
    *,
    account: Account,
    kind: str,
    facts: dict[str, Any],
    reference: str,
    actor: Actor,
    as_of: dt.date,
    summary: Callable[[Letter], str],
    language: str | None = None,
    channel: str | None = None,
    at: dt.datetime,
) -> Letter:
    """Queue one letter of ``kind`` in the customer's language (English when theirs has no
    template): the letter date, the account's and the utility's details, then ``facts``; audited with
    ``summary(letter)``. ``language`` and ``channel`` override the customer's; ``at`` the time."""
    language = language or account.customer.preferred_language
    if language not in Language.values:
        language = Language.ENGLISH
    context: dict[str, Any] = {
        "letter_date": as_of.isoformat(),
        **_account_facts(account),
        **utility_contact(),
        **facts,
    }
    letter = Letter.objects.create(
        account=account,
        kind=kind,
        language=language,
        status=LetterStatus.QUEUED,
        channel=channel or _channel_for(account),
        subject=SUBJECTS[kind][language],
        context=context,
        reference=reference,
        created_by=acting_user(actor),
        created_at=at,
    )
    audit_record(
        actor=actor,
        action="letter.queue",
        target=letter,
        at=letter.created_at,
        account_number=account.number,
        summary=summary(letter),
    )
    return letter


def _lock_letter(letter: Letter) -> Letter:
    return Letter.objects.select_for_update().get(pk=letter.pk)


@transaction.atomic
def letter_mark_sent(*, letter: Letter, sent_at: dt.datetime, actor: Actor) -> Letter:
    """Record that a queued letter was mailed or emailed at ``sent_at`` (aware)."""
    require_permission(actor, "reads.review")
    if sent_at.tzinfo is None or sent_at.utcoffset() is None:
        raise ApplicationError("When the letter was sent needs a time zone.", field="sent_at")
    letter = _lock_letter(letter)
    if letter.status != LetterStatus.QUEUED:
        raise ApplicationError(
            f"Letter {letter.pk} is {letter.get_status_display().lower()}; only a queued letter can be sent.",
            code="not_queued",
        )
    letter.status = LetterStatus.SENT
    letter.sent_at = sent_at
    letter.save(update_fields=["status", "sent_at"])
    audit_record(
        actor=actor,
        action="letter.send",
        target=letter,
        at=clock.now(),
        account_number=letter.account.number,
        summary=f"Letter {letter.pk} ({letter.get_kind_display()}) sent by {letter.channel}",
    )
    return letter


@transaction.atomic
def letter_cancel(*, letter: Letter, reason: str, actor: Actor) -> Letter:
    """Withdraw a queued letter (it will not be sent); the reason is kept."""
    require_permission(actor, "reads.review")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ApplicationError("Say why the letter is cancelled.", field="reason", code="required")
    if len(reason) > 200:
        raise ApplicationError(
            f"The reason is too long: {len(reason)} characters, at most 200.", field="reason"
        )
    letter = _lock_letter(letter)
    if letter.status != LetterStatus.QUEUED:
        raise ApplicationError(
            f"Letter {letter.pk} is {letter.get_status_display().lower()}; only a queued letter can be "
            "cancelled.",
            code="not_queued",
        )
    letter.status = LetterStatus.CANCELLED
    letter.cancelled_at = clock.now()
    letter.cancel_reason = reason
    letter.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    audit_record(
        actor=actor,
        action="letter.cancel",
        target=letter,
        at=letter.cancelled_at,
        account_number=letter.account.number,
        summary=f"Letter {letter.pk} cancelled: {reason}",
    )
    return letter


@transaction.atomic
def letter_queue(
    *, account: Account, kind: str, facts: dict[str, Any], reference: str, actor: Actor, as_of: dt.date
) -> Letter:
    """Queue a letter of ``kind`` for ``account`` stating ``facts`` (JSON-ready: dates as ISO text),
    in the customer's language, with the account's and the utility's details added. The template is
    ``correspondence/<kind>.<language>.html``. Used by the services of other apps for the letters
    their events send (autopay returns); ``customers.note`` covers writing to a customer."""
    require_permission(actor, "customers.note")
    if kind not in SUBJECTS:
        raise ApplicationError(f"There is no letter of kind {kind!r}.", field="kind")
    return _queue(
        account=account,
        kind=kind,
        facts=facts,
        reference=reference[:40],
        actor=actor,
        as_of=as_of,
        at=clock.now(),
        summary=lambda letter: (
            f"{letter.get_kind_display()} queued ({letter.language}, {letter.channel}) about {reference}"
        ),
    )


@transaction.atomic
def letter_queue_trusted(
    *,
    account: Account,
    kind: str,
    facts: dict[str, Any],
    reference: str,
    actor: Actor,
    as_of: dt.date,
    at: dt.datetime,
    language: str | None = None,
    channel: str = LetterChannel.MAIL,
) -> Letter:
    """``letter_queue`` for a service that checked its own permission (ADR 0015): the collections
    run queues its notices (``collections.run``). ``facts`` may override the recipient
    (``customer_name``, ``mailing_lines``); ``language`` defaults to the customer's; notices go by
    mail (the statutes ask for a mailed or posted notice)."""
    if kind not in SUBJECTS:
        raise ApplicationError(f"There is no letter of kind {kind!r}.", field="kind")
    return _queue(
        account=account,
        kind=kind,
        facts=facts,
        reference=reference[:40],
        actor=actor,
        as_of=as_of,
        language=language,
        channel=channel,
        at=at,
        summary=lambda letter: (
            f"{letter.get_kind_display()} queued ({letter.language}, {letter.channel}) about {reference}"
        ),
    )
