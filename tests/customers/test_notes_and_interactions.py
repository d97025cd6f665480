"""Notes and the interaction log on an account."""

from __future__ import annotations

import datetime as dt

import pytest

from civicbill.core.exceptions import ApplicationError
from civicbill.core.models import AuditEvent
from civicbill.customers import services
from civicbill.customers.models import AccountNote, Interaction
from tests.customers.conftest import FROZEN_AT, TODAY, WATER_SEWER

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(csr, maria, premise_52):
    return services.account_open(
        customer=maria, premise=premise_52, services=WATER_SEWER, start_date=TODAY, actor=csr, as_of=TODAY
    )


def test_a_note_is_kept_with_its_author_and_time(csr, account):
    note = services.note_add(account=account, body="  Customer asked for a leak check form.\n", actor=csr)
    note.refresh_from_db()
    assert note.body == "Customer asked for a leak check form."
    assert note.author == csr
    assert note.created_at == FROZEN_AT
    event = AuditEvent.objects.get(action="account.note")
    assert (event.account_number, event.summary) == (
        "1000001-6",
        "Note added: Customer asked for a leak check form.",
    )


def test_field_staff_may_add_notes(field_worker, account):
    services.note_add(
        account=account, body="Meter box full of water; leak on customer side.", actor=field_worker
    )
    assert AccountNote.objects.get().author == field_worker


@pytest.mark.parametrize("body", ["", "   ", "\n\n"])
def test_a_blank_note_is_refused(csr, account, body):
    with pytest.raises(ApplicationError) as refused:
        services.note_add(account=account, body=body, actor=csr)
    assert refused.value.message == "Write the note before saving it."
    assert refused.value.field == "body"
    assert not AccountNote.objects.exists()
    assert not AuditEvent.objects.filter(action="account.note").exists()


def test_a_call_is_logged_with_channel_direction_subject_outcome_and_time(csr, account):
    at = dt.datetime(2026, 3, 2, 17, 10, tzinfo=dt.UTC)
    interaction = services.interaction_log(
        account=account,
        channel="phone",
        subject="High bill question",
        outcome="Explained tier 2; offered leak check",
        occurred_at=at,
        actor=csr,
    )
    interaction.refresh_from_db()
    assert (interaction.channel, interaction.direction, interaction.subject, interaction.outcome) == (
        "phone",
        "inbound",
        "High bill question",
        "Explained tier 2; offered leak check",
    )
    assert interaction.staff == csr
    assert interaction.occurred_at == at
    event = AuditEvent.objects.get(action="account.interaction")
    assert (event.account_number, event.summary) == ("1000001-6", "Phone (inbound): High bill question")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"subject": "  "}, "subject", "Say what the call or visit was about (the subject)."),
        ({"channel": "fax"}, "channel", "Channel 'fax' is not one of: phone, visit, mail, email."),
        ({"direction": "sideways"}, "direction", "Direction 'sideways' is not one of: inbound, outbound."),
        (
            {"occurred_at": dt.datetime(2026, 3, 2, 9, 10)},
            "occurred_at",
            "When it happened must be a date and time with a time zone, "
            "not datetime.datetime(2026, 3, 2, 9, 10).",
        ),
    ],
)
def test_an_interaction_without_subject_or_with_bad_values_is_refused(csr, account, changes, field, message):
    values = {"channel": "visit", "subject": "Payment arrangement", "occurred_at": FROZEN_AT, **changes}
    with pytest.raises(ApplicationError) as refused:
        services.interaction_log(account=account, actor=csr, **values)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert not Interaction.objects.exists()
    assert not AuditEvent.objects.filter(action="account.interaction").exists()
