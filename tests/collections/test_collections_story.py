"""Two customers run forward through the daily collections of late 2026 and early 2027, one run a day
across Thanksgiving, Christmas and New Year: what each is charged, sent and sees.

- Rosa pays nothing: the penalty on the day after Thanksgiving, a late notice, interest each month, the
  final notice, the 48-hour call, the shutoff list, a disconnection, then she pays at the counter and is
  reconnected with the fee.
- Tom pays his October bill and its penalty at the counter on Tuesday 2026-12-01: his stage goes back
  to current and he never gets a final notice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from civicbill.billing.models import Bill
from civicbill.collections.models import CollectionAction, CollectionNotice, PenaltyAssessment
from civicbill.collections.services.run import collections_run
from civicbill.collections.shutoff_services import (
    reconnect_order,
    reconnection_complete,
    shutoff_result_record,
    shutoff_schedule,
)
from civicbill.collections.stages import current_stages
from civicbill.core import clock
from civicbill.core.money import Money
from civicbill.ledger.selectors import account_balance, check_books
from civicbill.payments import services as payments
from civicbill.payments.services import AccountAmount, TenderInput
from tests.collections.test_run import READS, at, bill_cycle

pytestmark = pytest.mark.django_db


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def run_through(first: dt.date, last: dt.date, actor: User) -> None:
    for day in days(first, last):
        collections_run(run_date=day, trial=False, actor=actor, at=at(day))
    assert check_books().ok


def pay(account: Any, amount: str, day: dt.date, drawers: Any, csr: User, key: str) -> None:
    opened = dt.datetime.combine(day, dt.time(16, 0), tzinfo=dt.UTC)
    session = payments.drawer_session_open(
        drawer=drawers[0], starting_float=Money.parse("100.00"), as_of=opened, actor=csr
    )
    payments.payment_take(
        session=session, accounts=[AccountAmount(account, Money.parse(amount))],
        tenders=[TenderInput("cash", Money.parse(amount))], idempotency_key=key,
        as_of=opened + dt.timedelta(minutes=5), actor=csr,
    )  # fmt: skip


def stage(account: Any, day: dt.date) -> str:
    return current_stages([account.pk], as_of=day)[account.pk]


def test_two_customers_through_three_months_of_daily_collections(
    cycle: Any, make_account: Any, make_user: Any, technician: User, supervisor: User, csr: User, drawers: Any
) -> None:
    rosa = make_account(reads=READS, last_name="Peña", phone="760-555-0101")
    tom = make_account(reads=READS, last_name="Baker", phone="760-555-0102")
    bill_cycle(technician)
    bills = Bill.objects.filter(account=rosa).order_by("period")
    assert [(b.due_date, b.current_charges_cents) for b in bills] == [
        (dt.date(2026, 11, 20), 8261), (dt.date(2026, 12, 21), 7511),
    ]  # fmt: skip

    # to the end of November: delinquent on Thanksgiving, the office closed Thursday to Sunday: both
    # penalised and sent a late notice on Monday 11-30
    run_through(dt.date(2026, 11, 21), dt.date(2026, 11, 30), technician)
    for account in (rosa, tom):
        charged = PenaltyAssessment.objects.filter(account=account)
        assert [(p.kind, p.amount_cents, p.assessed_on) for p in charged] == [
            ("penalty", 826, dt.date(2026, 11, 30))
        ]
        assert [(n.kind, n.mailed_on) for n in CollectionNotice.objects.filter(account=account)] == [
            ("late", dt.date(2026, 11, 30)),
        ]
        assert stage(account, dt.date(2026, 11, 30)) == "late_notice_sent"

    # Tom pays October's bill and its penalty on Tuesday December 1
    pay(tom, "90.87", dt.date(2026, 12, 1), drawers, csr, "tom-1")
    run_through(dt.date(2026, 12, 1), dt.date(2027, 1, 19), technician)
    assert stage(tom, dt.date(2026, 12, 1)) == "current"  # paid: nothing past due
    assert not CollectionNotice.objects.filter(account=tom, kind="final").exists()

    # Rosa: interest on October's bill each month from its delinquency (Thanksgiving), November's penalty
    assert [
        (p.kind, p.amount_cents, p.assessed_on) for p in PenaltyAssessment.objects.filter(account=rosa)
    ] == [
        ("penalty", 826, dt.date(2026, 11, 30)),
        ("interest", 41, dt.date(2026, 12, 28)),  # Dec 26 was a Saturday
        ("penalty", 751, dt.date(2026, 12, 28)),  # due Mon Dec 21 + 5 days: delinquent Sun Dec 27
    ]
    # the final notice 45 days after October's due date; shutoff no sooner than Tue 2027-01-19: 7 business
    # days after mailing is 01-13, mailing + 5 + 10 days and due + 60 days are both 01-19 (MLK Day is 01-18)
    final = CollectionNotice.objects.get(account=rosa, kind="final")
    assert (final.mailed_on, final.earliest_shutoff_on, final.amount_delinquent_cents) == (
        dt.date(2027, 1, 4), dt.date(2027, 1, 19), 8261 + 826 + 41 + 7511 + 751,
    )  # fmt: skip
    # the 48-hour call two business days ahead (Thursday 01-14), logged; eligible on 01-19, not before
    [contact] = CollectionAction.objects.filter(account=rosa, step="contact")
    assert contact.run.run_date == dt.date(2027, 1, 14)
    eligible_on = sorted(
        CollectionAction.objects.filter(account=rosa, step="shutoff_eligible").values_list(
            "run__run_date", flat=True
        )
    )
    assert eligible_on == [dt.date(2027, 1, 19)]
    assert stage(rosa, dt.date(2027, 1, 19)) == "eligible_for_shutoff"

    # the supervisor schedules the shutoff that day, the field disconnects; Rosa pays and is reconnected
    day = dt.date(2027, 1, 19)
    outcome = shutoff_schedule(account_numbers=[rosa.number], on=day, actor=supervisor, at=at(day), as_of=day)
    [scheduled] = outcome.scheduled
    shutoff_result_record(shutoff_id=scheduled.pk, result="disconnected", on=day, actor=technician,
                          at=at(day), as_of=day)  # fmt: skip
    assert stage(rosa, day) == "disconnected"
    assert account_balance(rosa) == Money.parse("173.90")
    pay(rosa, "173.90", day, drawers[1:], make_user("CSR", "marisol"), "rosa-1")
    after = at(day) + dt.timedelta(hours=3)  # after the payment at the counter
    with clock.replaying(after):  # the deposit is posted at the clock's time
        reconnection = reconnect_order(
            account_number=rosa.number, on=day, actor=technician, at=after, as_of=day
        )
    assert (reconnection.fee_cents, reconnection.low_income) == (7500, False)  # business hours
    reconnection_complete(reconnection_id=reconnection.pk, on=day, actor=technician, at=after, as_of=day)
    assert stage(rosa, day) == "reconnected"

    # the rest of January: the fee and the deposit are billed charges now, nothing more is penalised
    run_through(dt.date(2027, 1, 20), dt.date(2027, 1, 31), technician)
    assert PenaltyAssessment.objects.filter(account=rosa, assessed_on__gt=day).count() == 0
    assert check_books().ok
