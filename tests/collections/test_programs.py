"""Appeals, certifications, third-party contacts and emergency moratoriums: who may record them, what is
audited, what is refused (naming the field), what protects the account, and the daily run holding back
the penalty while an appeal is pending or a moratorium is in force — and charging it the first run after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from civicbill.billing.models import Bill
from civicbill.collections.models import CollectionStage
from civicbill.collections.protections import moratoriums_on, protections_on
from civicbill.collections.services.appeals import appeal_decide, appeal_open
from civicbill.collections.services.certifications import (
    certification_record,
    certification_revoke,
    contact_add,
    contact_end,
)
from civicbill.collections.services.moratoriums import moratorium_declare, moratorium_lift
from civicbill.collections.stages import current_stages
from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.customers.models import Account
from civicbill.ledger.selectors import check_books
from tests.collections.test_run import READS, at, bill_cycle, charged, run_on

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)  # Tuesday 2026-12-01, 09:00 in Coachella


@pytest.fixture
def billed(cycle: Any, make_account: Callable[..., Account], technician: User) -> Callable[..., Account]:
    """Accounts billed for October and November 2026 (the October bill due Friday 2026-11-20)."""
    return lambda **options: make_account(reads=READS, **options)


def refused_field(call: Callable[[], Any]) -> str | None:
    with pytest.raises(ApplicationError) as refusal:
        call()
    return refusal.value.field


def audited(action: str) -> list[tuple[str, str, str]]:
    return [
        (e.actor_username, e.account_number, e.summary)
        for e in AuditEvent.objects.filter(action=action).order_by("id")
    ]


# -- appeals ---------------------------------------------------------------------------------------------
def test_an_appeal_is_opened_by_staff_once_at_a_time_and_decided_by_a_technician_or_supervisor(
    make_account: Callable[..., Account], csr: User, technician: User, field_worker: User
) -> None:
    account = make_account()
    with pytest.raises(PermissionDeniedError):
        appeal_open(account=account, reason="Meter misread", actor=field_worker, at=AT)
    assert refused_field(lambda: appeal_open(account=account, reason="  ", actor=csr, at=AT)) == "reason"
    assert (
        refused_field(lambda: appeal_open(account=account, kind="lawsuit", reason="x", actor=csr, at=AT))
        == "kind"
    )
    assert (
        refused_field(lambda: appeal_open(account=account, bill="B-NONE", reason="x", actor=csr, at=AT))
        == "bill"
    )
    appeal = appeal_open(account=account, kind="appeal", reason="Meter misread", actor=csr, at=AT)
    assert (appeal.status, appeal.opened_on, appeal.opened_by) == ("pending", dt.date(2026, 12, 1), csr)
    assert current_stages([account.pk])[account.pk] == CollectionStage.APPEAL_PENDING
    assert audited("collections.appeal_open") == [("csr", account.number, "Appeal opened: Meter misread")]
    assert protections_on([account.pk], dt.date(2026, 12, 1))[account.pk].appeal_pending
    assert not protections_on([account.pk], dt.date(2026, 11, 30))[account.pk].appeal_pending
    assert refused_field(lambda: appeal_open(account=account, reason="again", actor=csr, at=AT)) == "account"

    decided_at = dt.datetime(2026, 12, 3, 17, 0, tzinfo=dt.UTC)
    with pytest.raises(PermissionDeniedError):
        appeal_decide(appeal=appeal, status="upheld", outcome="Read verified", actor=csr, at=decided_at)
    assert (
        refused_field(
            lambda: appeal_decide(appeal=appeal, status="maybe", outcome="x", actor=technician, at=decided_at)
        )
        == "status"
    )
    assert (
        refused_field(
            lambda: appeal_decide(appeal=appeal, status="upheld", outcome="", actor=technician, at=decided_at)
        )
        == "outcome"
    )
    decided = appeal_decide(
        appeal=appeal, status="upheld", outcome="Read verified", actor=technician, at=decided_at
    )
    assert (decided.status, decided.decided_on, decided.decided_by) == (
        "upheld",
        dt.date(2026, 12, 3),
        technician,
    )
    assert current_stages([account.pk])[account.pk] == CollectionStage.CURRENT  # nothing past due
    assert audited("collections.appeal_decide") == [
        ("technician", account.number, "Appeal Decided: bill stands: Read verified")
    ]
    assert not protections_on([account.pk], dt.date(2026, 12, 3))[account.pk].appeal_pending
    with pytest.raises(ApplicationError, match="already decided on 2026-12-03"):
        appeal_decide(appeal=appeal, status="withdrawn", outcome="x", actor=technician, at=decided_at)


def test_no_penalty_while_the_appeal_is_pending_and_the_first_run_after_the_decision_charges_it(
    billed: Callable[..., Account], technician: User, csr: User
) -> None:
    account = billed()
    bill_cycle(technician)
    october = Bill.objects.filter(account=account).order_by("period").first()
    assert october is not None and october.due_date == dt.date(2026, 11, 20)
    appeal = appeal_open(
        account=account, bill=october.number, reason="Leak repaired", actor=csr, at=at(dt.date(2026, 11, 24))
    )
    assert appeal.bill == october

    run_on(dt.date(2026, 11, 27), technician)  # delinquent on Thanksgiving, but the appeal is pending
    assert charged(account) == []
    run_on(dt.date(2026, 11, 30), technician)
    assert charged(account) == []

    appeal_decide(
        appeal=appeal, status="upheld", outcome="No leak found", actor=technician, at=at(dt.date(2026, 12, 1))
    )
    assert current_stages([account.pk])[account.pk] == CollectionStage.PAST_DUE
    run_on(dt.date(2026, 12, 1), technician)
    assert charged(account) == [
        ("202610", 0, "penalty", 826, {"water": 408, "sewer": 418}, dt.date(2026, 12, 1))
    ]
    assert check_books().ok


# -- certifications and third-party contacts --------------------------------------------------------------
def test_low_income_and_medical_certifications_protect_from_start_to_expiry_until_revoked(
    make_account: Callable[..., Account], csr: User, field_worker: User
) -> None:
    account = make_account()
    start = dt.date(2026, 12, 1)
    with pytest.raises(PermissionDeniedError):
        certification_record(
            account=account, kind="low_income", program="calfresh", starts_on=start, actor=field_worker, at=AT
        )
    assert (
        refused_field(
            lambda: certification_record(
                account=account, kind="low_income", starts_on=start, actor=csr, at=AT
            )
        )
        == "program"
    )
    assert (
        refused_field(
            lambda: certification_record(account=account, kind="medical", starts_on=start, actor=csr, at=AT)
        )
        == "provider"
    )
    assert (
        refused_field(
            lambda: certification_record(
                account=account,
                kind="medical",
                provider="Dr. Soto",
                starts_on=start,
                expires_on=dt.date(2027, 12, 1),
                actor=csr,
                at=AT,
            )
        )
        == "expires_on"
    )  # a medical certification lasts at most 12 months: through 2027-11-30
    assert (
        refused_field(
            lambda: certification_record(
                account=account,
                kind="medical",
                provider="Dr. Soto",
                starts_on=start,
                expires_on=dt.date(2026, 11, 30),
                actor=csr,
                at=AT,
            )
        )
        == "expires_on"
    )

    low = certification_record(
        account=account,
        kind="low_income",
        program="calfresh",
        starts_on=start,
        evidence="CalFresh EBT card seen",
        actor=csr,
        at=AT,
    )
    medical = certification_record(
        account=account,
        kind="medical",
        provider="Dr. Elena Soto, Indio Clinic",
        starts_on=start,
        actor=csr,
        at=AT,
    )
    assert low.expires_on == dt.date(2027, 11, 30)  # 12 months
    assert medical.expires_on == dt.date(2027, 5, 29)  # 180 days, 2026-12-01 to 2027-05-29
    assert audited("collections.certify") == [
        ("csr", account.number, "Low-income household (CalFresh) 2026-12-01 to 2027-11-30"),
        (
            "csr",
            account.number,
            "Medical certification (Dr. Elena Soto, Indio Clinic) 2026-12-01 to 2027-05-29",
        ),
    ]
    on = protections_on([account.pk], dt.date(2027, 5, 29))[account.pk]
    assert (on.low_income, on.medical) == (True, True)
    on = protections_on([account.pk], dt.date(2027, 5, 30))[account.pk]
    assert (on.low_income, on.medical) == (True, False)

    assert (
        refused_field(lambda: certification_revoke(certification=low, reason="", actor=csr, at=AT))
        == "reason"
    )
    certification_revoke(
        certification=low, reason="No longer enrolled", revoked_on=dt.date(2027, 3, 1), actor=csr, at=AT
    )
    assert protections_on([account.pk], dt.date(2027, 2, 28))[account.pk].low_income
    assert not protections_on([account.pk], dt.date(2027, 3, 1))[account.pk].low_income
    assert audited("collections.certification_revoke") == [
        ("csr", account.number, "Low-income household revoked from 2027-03-01: No longer enrolled")
    ]
    with pytest.raises(ApplicationError, match="already revoked on 2027-03-01"):
        certification_revoke(certification=low, reason="again", actor=csr, at=AT)


def test_a_third_party_receives_notices_from_start_through_the_day_it_ends(
    make_account: Callable[..., Account], csr: User, field_worker: User
) -> None:
    account = make_account()
    details = dict(
        account=account,
        reason="senior",
        name="Marta López",
        line1="45-100 Oasis St",
        city="Indio",
        zip_code="92201",
        phone="760-555-0142",
        language="es",
    )
    with pytest.raises(PermissionDeniedError):
        contact_add(**details, actor=field_worker, at=AT)
    assert (
        refused_field(lambda: contact_add(**{**details, "zip_code": "9220"}, actor=csr, at=AT)) == "zip_code"
    )
    assert refused_field(lambda: contact_add(**{**details, "name": ""}, actor=csr, at=AT)) == "name"
    assert refused_field(lambda: contact_add(**{**details, "reason": "friend"}, actor=csr, at=AT)) == "reason"
    assert refused_field(lambda: contact_add(**{**details, "language": "fr"}, actor=csr, at=AT)) == "language"
    contact = contact_add(**details, actor=csr, at=AT)
    assert (contact.starts_on, contact.language) == (dt.date(2026, 12, 1), "es")
    assert protections_on([account.pk], dt.date(2026, 12, 1))[account.pk].third_party_contact_ids == [
        contact.pk
    ]
    assert (
        refused_field(lambda: contact_end(contact=contact, ended_on=dt.date(2026, 11, 30), actor=csr, at=AT))
        == "ended_on"
    )
    contact_end(contact=contact, ended_on=dt.date(2026, 12, 31), actor=csr, at=AT)
    assert protections_on([account.pk], dt.date(2026, 12, 31))[account.pk].third_party_contact_ids == [
        contact.pk
    ]
    assert protections_on([account.pk], dt.date(2027, 1, 1))[account.pk].third_party_contact_ids == []
    assert [a for _, _, a in audited("collections.contact_add")] == [
        "Third party Marta López receives notices from 2026-12-01 (Customer aged 65 or over)"
    ]
    assert [a for _, _, a in audited("collections.contact_end")] == [
        "Third party Marta López receives notices through 2026-12-31 only"
    ]


# -- moratoriums -------------------------------------------------------------------------------------------
def test_only_a_supervisor_declares_a_moratorium_and_its_scope_must_exist(
    cycle: Any, make_account: Callable[..., Account], supervisor: User, technician: User
) -> None:
    make_account(zip_code="92201")
    dates = dict(starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 10), reason="Heat emergency")
    with pytest.raises(PermissionDeniedError):
        moratorium_declare(**dates, actor=technician, at=AT)
    for scope, value in (("cycle", "9"), ("cycle", "one"), ("zip", "9220"), ("route", "R-99"), ("all", "1")):
        assert (
            refused_field(
                lambda: moratorium_declare(**dates, scope=scope, scope_value=value, actor=supervisor, at=AT)  # noqa: B023
            )
            == "scope_value"
        ), (scope, value)
    assert (
        refused_field(
            lambda: moratorium_declare(**{**dates, "ends_on": dt.date(2026, 11, 30)}, actor=supervisor, at=AT)
        )
        == "ends_on"
    )
    assert (
        refused_field(lambda: moratorium_declare(**{**dates, "reason": ""}, actor=supervisor, at=AT))
        == "reason"
    )
    by_cycle = moratorium_declare(**dates, scope="cycle", scope_value="1", actor=supervisor, at=AT)
    assert (by_cycle.scope, by_cycle.scope_value) == ("cycle", "1")
    assert audited("collections.moratorium_declare") == [
        ("supervisor", "", "Moratorium on billing cycle 1 2026-12-01 to 2026-12-10: Heat emergency")
    ]
    with pytest.raises(PermissionDeniedError):
        moratorium_lift(moratorium=by_cycle, actor=technician, at=AT)
    assert (
        refused_field(
            lambda: moratorium_lift(
                moratorium=by_cycle, lifted_on=dt.date(2026, 12, 10), actor=supervisor, at=AT
            )
        )
        == "lifted_on"
    )
    moratorium_lift(moratorium=by_cycle, lifted_on=dt.date(2026, 12, 4), actor=supervisor, at=AT)
    assert [m.pk for m in moratoriums_on(dt.date(2026, 12, 4))] == [by_cycle.pk]
    assert moratoriums_on(dt.date(2026, 12, 5)) == []
    assert audited("collections.moratorium_lift") == [
        ("supervisor", "", "Moratorium on billing cycle 1 lifted: last day 2026-12-04")
    ]


def test_no_penalty_under_a_moratorium_and_the_first_run_after_it_is_lifted_charges_it(
    billed: Callable[..., Account], technician: User, supervisor: User
) -> None:
    sheltered, outside = billed(zip_code="92201"), billed(zip_code="92236", last_name="Fuera")
    bill_cycle(technician)
    moratorium = moratorium_declare(
        starts_on=dt.date(2026, 11, 25),
        ends_on=dt.date(2026, 12, 31),
        scope="zip",
        scope_value="92201",
        reason="Heat emergency",
        actor=supervisor,
        at=at(dt.date(2026, 11, 24)),
    )
    assert protections_on([sheltered.pk], dt.date(2026, 11, 27))[sheltered.pk].moratorium is not None
    run_on(dt.date(2026, 11, 27), technician)  # the day after Thanksgiving: the office is closed
    assert (charged(sheltered), len(charged(outside))) == ([], 0)

    moratorium_lift(
        moratorium=moratorium, lifted_on=dt.date(2026, 11, 30), actor=supervisor, at=at(dt.date(2026, 11, 30))
    )
    run_on(dt.date(2026, 11, 30), technician)  # the last day it applied
    assert (charged(sheltered), len(charged(outside))) == ([], 1)
    run_on(dt.date(2026, 12, 1), technician)
    assert charged(sheltered) == [
        ("202610", 0, "penalty", 826, {"water": 408, "sewer": 418}, dt.date(2026, 12, 1))
    ]
    assert check_books().ok
