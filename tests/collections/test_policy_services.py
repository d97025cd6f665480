"""Loading a collections policy version: supervisors only, validated, never in the past, audited."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from civicbill.collections.models import CollectionsPolicyVersion
from civicbill.collections.policy_services import policy_version_load
from civicbill.collections.selectors import policy_on
from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.models import AuditEvent

pytestmark = pytest.mark.django_db
SAMPLE = (Path(__file__).resolve().parents[2] / "civicbill/collections/policies/demo-city.yaml").read_text()
AT = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)  # Tuesday 2026-12-01, 09:00 in Coachella


def test_a_supervisor_loads_a_version_that_takes_effect_on_its_date(supervisor: Any) -> None:
    version = policy_version_load(
        text=SAMPLE, effective_from=dt.date(2027, 1, 1), reason="FY 2027 policy", actor=supervisor, at=AT
    )
    assert (version.effective_from, version.reason, version.loaded_by, version.source_text) == (
        dt.date(2027, 1, 1),
        "FY 2027 policy",
        supervisor,
        SAMPLE,
    )
    assert policy_on(dt.date(2026, 12, 31)).reconnect_cap_index == {2021: Decimal("1")}  # the default still
    assert policy_on(dt.date(2027, 1, 1)).reconnect_cap_index[2026] == Decimal("1.17")
    event = AuditEvent.objects.get(action="collections_policy.load")
    assert (event.actor, event.summary) == (
        supervisor,
        "Collections policy effective 2027-01-01 loaded: FY 2027 policy",
    )


def test_a_policy_taking_effect_today_is_allowed(supervisor: Any) -> None:
    version = policy_version_load(
        text="grace_days: 7\n", effective_from=dt.date(2026, 12, 1), reason="now", actor=supervisor, at=AT
    )
    assert policy_on(dt.date(2026, 12, 1)).grace_days == 7 and version.document["grace_days"] == 7


def test_a_policy_in_the_past_is_refused_naming_the_date(supervisor: Any) -> None:
    with pytest.raises(ApplicationError) as caught:
        policy_version_load(
            text=SAMPLE, effective_from=dt.date(2026, 11, 30), reason="late", actor=supervisor, at=AT
        )
    assert (caught.value.code, caught.value.field) == ("retroactive_policy", "effective_from")
    assert CollectionsPolicyVersion.objects.count() == 0


def test_a_twelve_percent_penalty_is_refused_and_nothing_is_stored(supervisor: Any) -> None:
    with pytest.raises(ApplicationError) as caught:
        policy_version_load(
            text="grace_days: 5\npenalty_percent: 12\n",
            effective_from=dt.date(2027, 1, 1),
            reason="more",
            actor=supervisor,
            at=AT,
        )
    assert caught.value.message == (
        "The policy was not loaded: line 2: penalty_percent: is 12%; a late penalty may be at most 10% "
        "of the delinquent charges (Gov. Code §54348)"
    )
    assert (caught.value.code, caught.value.field) == ("invalid_policy", "text")
    assert CollectionsPolicyVersion.objects.count() == 0
    assert not AuditEvent.objects.filter(action="collections_policy.load").exists()


def test_a_second_version_on_the_same_day_and_a_missing_reason_are_refused(supervisor: Any) -> None:
    policy_version_load(text=SAMPLE, effective_from=dt.date(2027, 1, 1), reason="FY", actor=supervisor, at=AT)
    with pytest.raises(ApplicationError, match="already takes effect on 2027-01-01"):
        policy_version_load(
            text=SAMPLE, effective_from=dt.date(2027, 1, 1), reason="again", actor=supervisor, at=AT
        )
    with pytest.raises(ApplicationError) as caught:
        policy_version_load(
            text=SAMPLE, effective_from=dt.date(2027, 2, 1), reason="  ", actor=supervisor, at=AT
        )
    assert caught.value.field == "reason"
    assert CollectionsPolicyVersion.objects.count() == 1


@pytest.mark.parametrize("who", ["csr", "technician", "auditor"])
def test_only_a_supervisor_loads_a_policy(who: str, request: pytest.FixtureRequest) -> None:
    with pytest.raises(PermissionDeniedError):
        policy_version_load(
            text=SAMPLE,
            effective_from=dt.date(2027, 1, 1),
            reason="x",
            actor=request.getfixturevalue(who),
            at=AT,
        )
    assert CollectionsPolicyVersion.objects.count() == 0


def test_the_policy_load_command_stores_a_version_and_names_a_bad_key(
    supervisor: Any, tmp_path: Path
) -> None:
    good, bad = tmp_path / "policy.yaml", tmp_path / "bad.yaml"
    good.write_text(SAMPLE, encoding="utf-8")
    bad.write_text("grace_days: 5\nshutoff_delinquent_days: 30\n", encoding="utf-8")
    out = StringIO()
    with time_machine.travel(AT, tick=False):
        call_command(
            "collections",
            "policy-load",
            str(good),
            "--effective",
            "2027-01-01",
            "--reason",
            "FY 2027",
            "--user",
            supervisor.username,
            "--json",
            stdout=out,
        )
        with pytest.raises(CommandError) as caught:
            call_command(
                "collections",
                "policy-load",
                str(bad),
                "--effective",
                "2027-02-01",
                "--reason",
                "x",
                "--user",
                supervisor.username,
            )
    assert json.loads(out.getvalue())["effective_from"] == "2027-01-01"
    assert str(caught.value) == (
        "The policy was not loaded: line 2: shutoff_delinquent_days: is 30 days; the law requires at "
        "least 60 (no residential shutoff until the bill is 60 days delinquent) "
        "(Health & Safety Code §116908)"
    )
    assert list(CollectionsPolicyVersion.objects.values_list("effective_from", flat=True)) == [
        dt.date(2027, 1, 1)
    ]
