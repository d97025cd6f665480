"""The collections context's shared pieces: the policy in force on a date and the stage history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from civicbill.collections.models import CollectionsPolicyVersion, StageEvent
from civicbill.collections.policy import DEFAULT_POLICY, CollectionsPolicy, policy_from_document
from civicbill.collections.selectors import policy_on
from civicbill.collections.stages import current_stages, stage_history, stage_record_trusted

AT = dt.datetime(2026, 12, 7, 17, 0, tzinfo=dt.UTC)


def test_the_default_policy_stays_inside_the_statutes() -> None:
    assert DEFAULT_POLICY.penalty_percent == Decimal("10")
    assert DEFAULT_POLICY.monthly_interest_percent == Decimal("0.5")
    assert DEFAULT_POLICY.shutoff_delinquent_days == 60
    assert DEFAULT_POLICY.final_notice_lead_business_days == 7


def test_a_policy_survives_its_stored_document() -> None:
    policy = CollectionsPolicy(
        grace_days=10,
        penalty_percent=Decimal("7.5"),
        reconnect_cap_index={2021: Decimal("1"), 2026: Decimal("1.2")},
    )
    assert policy_from_document(policy.to_document()) == policy


def test_low_income_reconnection_caps_follow_the_cpi_index_of_the_year() -> None:
    policy = CollectionsPolicy(reconnect_cap_index={2021: Decimal("1"), 2025: Decimal("1.215")})
    assert policy.low_income_reconnect_caps(2024) == (5000, 15000)
    assert policy.low_income_reconnect_caps(2026) == (6075, 18225)


@pytest.mark.django_db
def test_the_policy_in_force_is_the_latest_version_effective_on_the_day(supervisor) -> None:
    CollectionsPolicyVersion.objects.create(
        effective_from=dt.date(2026, 7, 1),
        document=CollectionsPolicy(grace_days=15).to_document(),
        reason="Council resolution 2026-41",
        loaded_by=supervisor,
        loaded_at=AT,
    )
    assert policy_on(dt.date(2026, 6, 30)) == DEFAULT_POLICY
    assert policy_on(dt.date(2026, 7, 1)).grace_days == 15


@pytest.mark.django_db
def test_an_account_stage_is_its_latest_event_and_the_history_is_kept(make_account, technician) -> None:
    account = make_account()
    assert current_stages([account.pk]) == {account.pk: "current"}
    stage_record_trusted(account_id=account.pk, stage="past_due", on=dt.date(2026, 12, 1),
                         rule="due 11-21 + 5 days grace", actor=technician, at=AT)  # fmt: skip
    stage_record_trusted(account_id=account.pk, stage="late_notice_sent", on=dt.date(2026, 12, 2),
                         rule="late notice", actor=technician, at=AT)  # fmt: skip
    again = stage_record_trusted(account_id=account.pk, stage="late_notice_sent", on=dt.date(2026, 12, 3),
                                 rule="late notice", actor=technician, at=AT)  # fmt: skip
    assert again.occurred_on == dt.date(2026, 12, 2)  # a repeat of the current stage is not recorded
    assert current_stages([account.pk]) == {account.pk: "late_notice_sent"}
    assert current_stages([account.pk], as_of=dt.date(2026, 12, 1)) == {account.pk: "past_due"}
    assert [e.stage for e in stage_history(account.pk)] == ["late_notice_sent", "past_due"]
    with pytest.raises(DatabaseError), transaction.atomic():
        StageEvent.objects.filter(account=account).update(rule="changed")


@pytest.mark.django_db
def test_the_policy_in_force_prints_from_the_command_line() -> None:
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("collections", "policy-show", "--as-of", "2026-12-01", "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["as_of"] == "2026-12-01"
    assert (printed["policy"]["penalty_percent"], printed["policy"]["shutoff_delinquent_days"]) == ("10", 60)
