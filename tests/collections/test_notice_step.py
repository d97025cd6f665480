"""The notices step of the daily run: a late notice once per delinquent bill, a final notice for a
residential account 45 days past due with its copies (Occupant, tenants, third party), nothing for a
protected account or a small balance, nothing twice, and nothing but the list in a trial."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.collections.delinquency_selectors import accounts_owing, delinquency_facts
from civicbill.collections.models import (
    Appeal,
    Arrangement,
    CollectionAction,
    CollectionNotice,
    CollectionRun,
    StageEvent,
    ThirdPartyContact,
)
from civicbill.collections.notice_selectors import final_notices_for
from civicbill.collections.notice_steps import notice_step
from civicbill.collections.policy import DEFAULT_POLICY, CollectionsPolicy
from civicbill.collections.protections import protections_on
from civicbill.collections.run_context import RunContext
from civicbill.collections.stages import current_stages
from civicbill.core.clock import business_calendar
from civicbill.correspondence.models import Letter
from civicbill.customers.models import Customer
from civicbill.workorders.models import WorkOrder

AT = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)
D = dt.date
OWING = {"water": "48.20", "sewer": "41.81"}  # 90.01, owed since the conversion on 2026-11-30


def run_notices(
    day: dt.date, actor: Any, *, trial: bool = False, policy: CollectionsPolicy = DEFAULT_POLICY
) -> RunContext:
    run = CollectionRun.objects.create(run_date=day, trial=trial, started_by=actor, started_at=AT)
    ids = accounts_owing(day)
    ctx = RunContext(
        run=run,
        run_date=day,
        policy=policy,
        calendar=business_calendar(),
        actor=actor,
        at=AT,
        owing=delinquency_facts(ids, day),
        protections=protections_on(ids, day),
    )
    notice_step(ctx)
    CollectionAction.objects.bulk_create(ctx.actions)
    return ctx


def kinds(account: Any) -> list[tuple[str, str]]:
    return list(
        CollectionNotice.objects.filter(account=account).order_by("id").values_list("kind", "recipient_key")
    )


@pytest.mark.django_db
def test_a_late_notice_goes_out_once_two_days_after_the_grace_days(
    make_account: Any, technician: Any
) -> None:
    account = make_account(owing=OWING, language="es")
    assert run_notices(D(2026, 12, 6), technician).actions == []  # due 11-30 + 5 days' grace + 1 day
    ctx = run_notices(D(2026, 12, 7), technician)
    [action] = ctx.actions
    assert (action.step, action.amount_cents, action.detail["pay_by"]) == ("late_notice", 9001, "2027-01-13")
    notice = CollectionNotice.objects.get(account=account)
    assert (
        notice.kind,
        notice.amount_delinquent_cents,
        notice.mailed_on,
        notice.pay_by,
        notice.earliest_shutoff_on,
    ) == (
        "late",
        9001,
        D(2026, 12, 7),
        D(2027, 1, 13),
        None,
    )
    assert (notice.letter.kind, notice.letter.language, notice.letter.channel) == (
        "collections_late_notice",
        "es",
        "mail",
    )
    assert notice.letter.context["amount_delinquent"] == "$90.01"
    assert current_stages([account.pk]) == {account.pk: "late_notice_sent"}
    assert run_notices(D(2026, 12, 7), technician).actions == []  # a rerun sends nothing twice
    assert run_notices(D(2026, 12, 8), technician).actions == []
    assert CollectionNotice.objects.count() == Letter.objects.count() == 1


@pytest.mark.django_db
def test_the_final_notice_states_the_lawful_dates(make_account: Any, technician: Any) -> None:
    account = make_account(owing=OWING)
    run_notices(D(2026, 12, 7), technician)
    assert run_notices(D(2027, 1, 13), technician).actions == []  # 44 days past due
    [action] = run_notices(D(2027, 1, 14), technician).actions
    # mailed Thu 2027-01-14; 7 business days (MLK Day 01-18 closed) -> Tue 01-26; 10 days from 01-19 ->
    # Fri 01-29; 60 days after 11-30 -> Fri 01-29, the day before a weekend -> Monday 02-01
    assert action.step == "final_notice"
    assert (action.detail["mailed_on"], action.detail["earliest_shutoff_on"], action.detail["pay_by"]) == (
        "2027-01-14",
        "2027-02-01",
        "2027-01-29",
    )
    assert kinds(account) == [("late", ""), ("final", "")]  # same address: no Occupant copy
    final = CollectionNotice.objects.get(account=account, kind="final")
    assert (final.amount_delinquent_cents, final.earliest_shutoff_on) == (9001, D(2027, 2, 1))
    assert current_stages([account.pk]) == {account.pk: "final_notice_sent"}
    assert final_notices_for([account.pk, 999]) == {account.pk: (D(2027, 1, 14), D(2027, 2, 1))}
    assert run_notices(D(2027, 1, 15), technician).actions == []


@pytest.mark.django_db
def test_the_occupant_gets_a_copy_only_when_the_bills_go_elsewhere(
    make_account: Any, technician: Any
) -> None:
    at_home = make_account(owing=OWING)
    landlord = make_account(owing=OWING)
    Customer.objects.filter(pk=landlord.customer_id).update(mailing_line1="PO Box 77", mailing_zip="92201")
    run_notices(D(2027, 1, 14), technician)
    assert kinds(at_home) == [("final", "")]
    assert kinds(landlord) == [
        ("final", ""),
        ("final_occupant", "occupant:en"),
        ("final_occupant", "occupant:es"),
    ]
    occupant = CollectionNotice.objects.get(account=landlord, recipient_key="occupant:es")
    assert (occupant.recipient_name, occupant.address_lines[0], occupant.language) == (
        "Ocupante",
        landlord.premise.address_line,
        "es",
    )


@pytest.mark.django_db
def test_tenants_of_a_landlord_billed_building_get_a_notice_per_unit(
    make_account: Any, technician: Any
) -> None:
    building = make_account(owing=OWING, premise_type="multi_family", dwelling_units=6)
    Customer.objects.filter(pk=building.customer_id).update(mailing_line1="PO Box 12")
    run_notices(D(2027, 1, 14), technician)
    assert kinds(building) == [("final", ""), ("tenant", "tenants:en"), ("tenant", "tenants:es")]
    tenants = CollectionNotice.objects.get(account=building, recipient_key="tenants:en")
    assert (tenants.copies, tenants.recipient_name, tenants.earliest_shutoff_on) == (
        6,
        "Residents",
        D(2027, 2, 1),
    )
    assert tenants.letter.kind == "collections_tenant_notice"


@pytest.mark.django_db
def test_a_third_party_named_by_the_customer_gets_the_final_notice(
    make_account: Any, technician: Any
) -> None:
    account = make_account(owing=OWING)
    contact = ThirdPartyContact.objects.create(
        account=account,
        reason="senior",
        name="Ana Ruiz",
        line1="9 Calle Verde",
        city="Indio",
        zip_code="92201",
        language="es",
        starts_on=D(2026, 1, 1),
        recorded_by=technician,
        recorded_at=AT,
    )
    run_notices(D(2026, 12, 7), technician)
    run_notices(D(2027, 1, 14), technician)
    assert kinds(account) == [("late", ""), ("final", ""), ("third_party", f"third_party:{contact.pk}")]
    copy = CollectionNotice.objects.get(kind="third_party")
    assert (copy.recipient_name, copy.address_lines, copy.language) == (
        "Ana Ruiz",
        ["9 Calle Verde", "Indio, CA 92201"],
        "es",
    )


@pytest.mark.django_db
def test_protected_small_and_commercial_accounts(make_account: Any, technician: Any) -> None:
    appealing = make_account(owing=OWING)
    Appeal.objects.create(
        account=appealing,
        opened_on=D(2026, 12, 2),
        reason="meter misread",
        opened_by=technician,
        opened_at=AT,
    )
    small = make_account(owing={"water": "9.99"})  # under the 10.00 minimum
    shop = make_account(owing=OWING, premise_type="commercial")
    ctx = run_notices(D(2027, 1, 14), technician)
    assert [(a.account_id, a.step, a.rule) for a in ctx.actions] == [
        (appealing.pk, "skipped", "final notice not sent: a bill review or appeal is pending"),
    ]
    assert CollectionNotice.objects.count() == 0  # no final notice for a commercial account
    run_notices(D(2026, 12, 7), technician)
    assert kinds(shop) == [("late", "")] and kinds(small) == []


@pytest.mark.django_db
def test_a_trial_lists_the_notices_and_writes_nothing(make_account: Any, technician: Any) -> None:
    account = make_account(owing=OWING)
    Customer.objects.filter(pk=account.customer_id).update(mailing_line1="PO Box 77")
    ctx = run_notices(D(2027, 1, 14), technician, trial=True)
    [action] = ctx.actions
    assert (action.step, action.detail["earliest_shutoff_on"]) == ("final_notice", "2027-02-01")
    assert [r["kind"] for r in action.detail["recipients"]] == ["final", "final_occupant", "final_occupant"]
    assert (CollectionNotice.objects.count(), Letter.objects.count(), StageEvent.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_a_broken_arrangement_brings_a_notice_posted_at_the_premise(
    make_account: Any, technician: Any
) -> None:
    account = make_account(owing=OWING)
    Arrangement.objects.create(
        account=account,
        kind="amortization",
        status="broken",
        delinquent_cents=9001,
        agreed_on=D(2026, 12, 2),
        created_by=technician,
        created_at=AT,
        ended_on=D(2027, 2, 5),
        end_reason="installment 60 days past due",
    )
    run_notices(D(2027, 2, 5), technician)  # Friday
    posted = CollectionNotice.objects.get(account=account, kind="posted_final")
    # posted Fri 02-05; 5 business days: 8, 9, 10, 11, 12 (Fri) -> the day before a weekend -> Tue 02-16
    # (Presidents' Day Mon 02-15 closed)
    assert (posted.mailed_on, posted.earliest_shutoff_on, posted.pay_by) == (
        D(2027, 2, 5),
        D(2027, 2, 16),
        D(2027, 2, 12),
    )
    order = WorkOrder.objects.get(pk=posted.work_order_id)
    assert (order.work_type, order.due_on) == ("post_notice", D(2027, 2, 5))
    assert final_notices_for([account.pk]) == {account.pk: (D(2027, 2, 5), D(2027, 2, 16))}
    run_notices(D(2027, 2, 8), technician)
    assert CollectionNotice.objects.filter(kind="posted_final").count() == 1
