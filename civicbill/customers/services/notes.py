"""Notes and the interaction log (calls, visits, letters, emails) on an account."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.permissions import require_permission
from civicbill.customers import validation as check
from civicbill.customers.models import Account, AccountNote, Interaction

# -- notes and interactions ----------------------------------------------------------------------


@transaction.atomic
def note_add(*, account: Account, body: str, actor: Actor) -> AccountNote:
    require_permission(actor, "customers.note")
    body = check.text(body, "body", max_length=check.MAX_TEXT_LENGTH)
    if not body:
        raise check.refuse("body", "Write the note before saving it.", code="required")
    note = AccountNote.objects.create(
        account=account, body=body, author=acting_user(actor), created_at=clock.now()
    )
    audit_record(
        actor=actor,
        action="account.note",
        target=note,
        at=note.created_at,
        account_number=account.number,
        summary=f"Note added: {body[:120]}",
    )
    return note


@transaction.atomic
def interaction_log(
    *,
    account: Account,
    channel: str,
    direction: str = Interaction.Direction.INBOUND,
    subject: str,
    outcome: str = "",
    occurred_at: dt.datetime,
    actor: Actor,
) -> Interaction:
    """Log a call, visit, letter or email with the customer about this account."""
    require_permission(actor, "customers.note")
    channel = check.choice(channel, "channel", Interaction.Channel.values)
    direction = check.choice(direction, "direction", Interaction.Direction.values)
    subject = check.text(subject, "subject", max_length=200)
    if not subject:
        raise check.refuse("subject", "Say what the call or visit was about (the subject).", code="required")
    outcome = check.text(outcome, "outcome", max_length=check.MAX_TEXT_LENGTH)
    occurred_at = check.aware_datetime(occurred_at, "occurred_at")
    interaction = Interaction.objects.create(
        account=account,
        channel=channel,
        direction=direction,
        subject=subject,
        outcome=outcome,
        staff=acting_user(actor),
        occurred_at=occurred_at,
    )
    audit_record(
        actor=actor,
        action="account.interaction",
        target=interaction,
        at=clock.now(),
        account_number=account.number,
        summary=f"{Interaction.Channel(channel).label} ({direction}): {subject}",
    )
    return interaction
