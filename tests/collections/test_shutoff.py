"""From final notice to shutoff and back: the 48-hour step, the shutoff list with its proof, scheduling,
the field result, and the reconnection with its fee and deposit, across Martin Luther King Jr. Day."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from civicbill.billing.models import Bill
from civicbill.collections.delinquency_selectors import delinquency_facts
from civicbill.collections.eligibility_selectors import eligibility_decisions, shutoff_list
from civicbill.collections.models import (
    Appeal,
    Certification,
    CollectionRun,
    ContactAttempt,
    Reconnection,
    Shutoff,
    StageEvent,
)
from civicbill.collections.protections import protections_on
from civicbill.collections.run_context import RunContext
from civicbill.collections.selectors import policy_on
from civicbill.collections.shutoff_services import (
    average_bill_cents,
    deposit_required_cents,
    reconnect_order,
    reconnection_complete,
    shutoff_result_record,
    shutoff_schedule,
)
from civicbill.collections.shutoff_steps import contact_step, eligibility_step, posted_notice_record
from civicbill.core.clock import business_calendar
from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.money import Money
from civicbill.customers.models import Interaction
from civicbill.ledger import chart
from civicbill.ledger.models import JournalLine
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.selectors import check_books
from civicbill.ledger.services import entry_post
from civicbill.workorders.models import WorkOrder
from tests.collections.notices_on_file import notice_on_file

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("America/Los_Angeles")
OWING = {"water": "180.40", "sewer": "95.10"}  # a conversion balance due 2026-11-30


def local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE)


def final_notice(
    account: Any, mailed_on: dt.date, shutoff_on: dt.date, actor: Any, kind: str = "final"
) -> None:
    """A final notice on file (as the notices step records it)."""
    notice_on_file(account, mailed_on, shutoff_on, actor, kind=kind, at=local(mailed_on, 17))


def run_context(day: dt.date, actor: Any, *, trial: bool = False) -> RunContext:
    at = local(day, 8)
    run = CollectionRun.objects.create(run_date=day, trial=trial, started_by=actor, started_at=at)
    owing = delinquency_facts([a for a in delinquency_facts_ids()], day)
    return RunContext(
        run=run,
        run_date=day,
        policy=policy_on(day),
        calendar=business_calendar(),
        actor=actor,
        at=at,
        owing=owing,
        protections=protections_on(owing, day),
    )


def delinquency_facts_ids() -> list[int]:
    from civicbill.collections.delinquency_selectors import accounts_owing

    return accounts_owing(dt.date(2027, 2, 28))


def test_from_final_notice_to_shutoff_and_reconnection(make_account: Any, technician: Any, csr: Any) -> None:
    called = make_account(owing=OWING, last_name="Called")  # phone 760-555-0001
    posted = make_account(owing=OWING, last_name="Posted", phone="")
    appealing = make_account(owing=OWING, last_name="Appealing")
    Appeal.objects.create(
        account=appealing,
        opened_on=dt.date(2027, 1, 20),
        reason="meter misread",
        opened_by=csr,
        opened_at=local(dt.date(2027, 1, 20), 9),
    )
    Certification.objects.create(
        account=called,
        kind="low_income",
        program="calfresh",
        starts_on=dt.date(2026, 6, 1),
        expires_on=dt.date(2027, 5, 31),
        recorded_by=csr,
        recorded_at=local(dt.date(2026, 6, 1), 9),
    )
    for account in (called, posted, appealing):
        final_notice(account, dt.date(2027, 1, 13), dt.date(2027, 1, 26), technician)

    # Monday 2027-01-25: the shutoff date named (Tue 01-26) is within 2 business days
    ctx = run_context(dt.date(2027, 1, 25), technician)
    contact_step(ctx)
    assert [(a.account_id, a.step) for a in ctx.actions] == [
        (called.pk, "contact"),
        (posted.pk, "posted_notice"),
    ]
    call = ContactAttempt.objects.get(account=called)
    assert (call.channel, call.outcome, call.attempted_at) == (
        "phone",
        "attempted",
        local(dt.date(2027, 1, 25), 8),
    )
    assert Interaction.objects.get(account=called).subject == "48-hour shutoff notice call"
    order = WorkOrder.objects.get(account=posted, work_type="post_notice")
    posted_notice_record(
        work_order_number=order.number,
        posted_at=local(dt.date(2027, 1, 25), 15),
        actor=technician,
        at=local(dt.date(2027, 1, 25), 16),
        as_of=dt.date(2027, 1, 25),
    )

    # 7 business days after Wed 01-13 (MLK Day 01-18 closed) is 01-25; 10 days from 01-18: Thu 01-28;
    # 60 days after the 11-30 due date: Fri 01-29, the day before a weekend: Monday 02-01 it is
    day = dt.date(2027, 1, 27)
    decided = eligibility_decisions([called.pk, posted.pk, appealing.pk], day)
    assert decided[called.pk][1].blocking_rules == ["delinquent_days", "notice_to_termination"]
    assert decided[called.pk][1].earliest_date == dt.date(2027, 2, 1)
    assert eligibility_decisions([called.pk], dt.date(2027, 1, 29))[called.pk][1].blocking_rules == [
        "day_before_closure"
    ]
    shutoff_day = dt.date(2027, 2, 1)
    listed = shutoff_list(shutoff_day)
    assert [facts.account_id for facts, _ in listed] == [called.pk, posted.pk]
    proof = {reason.rule: reason.message for reason in listed[1][1].proof}
    assert proof["contact_48_hour"] == "48-hour notice posted 2027-01-25 15:00, 48 or more hours before."
    assert proof["delinquent_days"] == "63 days delinquent (oldest unpaid bill due 2026-11-30), at least 60."
    blocked = eligibility_decisions([appealing.pk], shutoff_day)[appealing.pk][1]
    assert (blocked.blocking_rules, blocked.earliest_date) == (["appeal_pending", "contact_48_hour"], None)

    run = run_context(shutoff_day, technician)
    eligibility_step(run)
    assert [(a.account_id, a.step, a.amount_cents) for a in run.actions] == [
        (called.pk, "shutoff_eligible", 27550),
        (posted.pk, "shutoff_eligible", 27550),
    ]

    with pytest.raises(PermissionDeniedError):
        shutoff_schedule(
            account_numbers=[called.number], on=shutoff_day, actor=csr, at=local(day, 9), as_of=day
        )
    outcome = shutoff_schedule(
        account_numbers=[called.number, posted.number, appealing.number],
        on=shutoff_day,
        actor=technician,
        at=local(day, 9),
        as_of=day,
    )
    assert [s.account_id for s in outcome.scheduled] == [called.pk, posted.pk]
    assert [r.rule for r in outcome.refused[appealing.number]] == ["appeal_pending", "contact_48_hour"]
    first = outcome.scheduled[0]
    assert (first.work_order.work_type, first.work_order.due_on, first.past_due_cents) == (
        "disconnect",
        shutoff_day,
        27550,
    )
    assert shutoff_list(shutoff_day) == []  # scheduled accounts leave the list

    shutoff_result_record(
        shutoff_id=first.pk,
        result="disconnected",
        on=shutoff_day,
        actor=technician,
        at=local(shutoff_day, 10),
        as_of=shutoff_day,
    )
    shutoff_result_record(
        shutoff_id=outcome.scheduled[1].pk,
        result="not_home",
        on=shutoff_day,
        actor=technician,
        at=local(shutoff_day, 11),
        as_of=shutoff_day,
    )
    assert StageEvent.objects.filter(account=called).latest("id").stage == "disconnected"
    assert [facts.account_id for facts, _ in shutoff_list(dt.date(2027, 2, 2))] == [posted.pk]

    # nothing to reconnect until the delinquent amount is paid
    with pytest.raises(ApplicationError, match=r"still has \$275.50 past due"):
        reconnect_order(
            account_number=called.number,
            on=shutoff_day,
            after_hours=True,
            actor=technician,
            at=local(shutoff_day, 18),
            as_of=shutoff_day,
        )
    entry_post(
        lines=[
            PostingLine.debit(chart.cash_for("water").code, Money.parse("180.40")),
            PostingLine.credit(
                chart.receivable_control_for("water").code,
                Money.parse("180.40"),
                customer_account_id=called.pk,
                service="water",
            ),
            PostingLine.debit(chart.cash_for("sewer").code, Money.parse("95.10")),
            PostingLine.credit(
                chart.receivable_control_for("sewer").code,
                Money.parse("95.10"),
                customer_account_id=called.pk,
                service="sewer",
            ),
        ],
        accounting_date=shutoff_day,
        source_type="payment",
        source_ref="R-1",
        idempotency_key="pay:called",
        reason="payment",
        actor=technician,
    )
    reconnection = reconnect_order(
        account_number=called.number,
        on=shutoff_day,
        after_hours=True,
        actor=technician,
        at=local(shutoff_day, 18),
        as_of=shutoff_day,
    )
    # after hours the fee is $200.00, capped at $150.00 for a low-income household (§116914)
    assert (reconnection.fee_cents, reconnection.low_income, reconnection.deposit_cents) == (15000, True, 0)
    assert reconnection.work_order.work_type == "reconnect"
    fee_lines = JournalLine.objects.filter(entry=reconnection.fee_entry).order_by("id")
    assert [(line.gl_account.code, line.debit_cents, line.credit_cents) for line in fee_lines] == [
        ("500-1210", 15000, 0),
        ("500-4520", 0, 15000),
    ]
    assert check_books().ok
    reconnection_complete(
        reconnection_id=reconnection.pk,
        on=shutoff_day,
        actor=technician,
        at=local(shutoff_day, 19),
        as_of=shutoff_day,
    )
    assert StageEvent.objects.filter(account=called).latest("id").stage == "reconnected"
    with pytest.raises(ApplicationError, match="not disconnected"):
        reconnect_order(
            account_number=called.number,
            on=shutoff_day,
            actor=technician,
            at=local(shutoff_day, 20),
            as_of=shutoff_day,
        )
    assert Reconnection.objects.count() == 1 and Shutoff.objects.count() == 2


def test_a_disconnected_account_owes_three_times_its_average_bill_as_deposit(tom_bill: Bill) -> None:
    account_id = tom_bill.account_id
    bills = list(Bill.objects.filter(account_id=account_id, status="issued").order_by("-bill_date")[:12])
    average = sum(b.current_charges_cents for b in bills) / len(bills)
    assert average_bill_cents(account_id, dt.date(2026, 12, 1)) == round(average)
    assert deposit_required_cents(account_id, dt.date(2026, 12, 1)) == 3 * round(average)


def test_the_eligibility_command_and_api_print_the_documented_answer(
    make_account: Any, technician: Any, client: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command

    account = make_account(owing=OWING, last_name="Asked")
    final_notice(account, dt.date(2027, 1, 13), dt.date(2027, 1, 26), technician)
    out = StringIO()
    call_command("collections", "eligibility", account.number, "--date", "2027-02-01", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "account": account.number,
        "date": "2027-02-01",
        "eligible": False,
        "reasons": [
            {
                "rule": "contact_48_hour",
                "message": "No contact attempt 24 hours before 2027-02-01, nor a notice posted at the "
                "premise 48 hours before.",
            }
        ],
        "earliest_date": "2027-02-02",
    }
    client.force_login(technician)
    answer = client.get(f"/api/collections/eligibility/{account.number}?date=2027-02-01").json()
    assert (answer["eligible"], answer["earliest_date"], [r["rule"] for r in answer["reasons"]]) == (
        False,
        "2027-02-02",
        ["contact_48_hour"],
    )
    assert client.get("/api/collections/eligibility/9999999-9").status_code == 404
    listed = client.get("/api/collections/shutoff-list?date=2027-02-01").json()
    assert listed == {"date": "2027-02-01", "accounts": []}
