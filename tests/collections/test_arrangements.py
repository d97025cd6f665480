"""Payment arrangements: the schedule, the protection they give, and the run that finds a breach 60 days
after an unpaid installment's due date (counted from the next business day) or a completion."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command

from civicbill.collections.arrangements import (
    Installment,
    ScheduleError,
    add_months,
    arrangement_standing,
    schedule_preview,
)
from civicbill.collections.models import (
    Arrangement,
    CollectionAction,
    CollectionNotice,
    CollectionStage,
    PenaltyAssessment,
)
from civicbill.collections.protections import protections_on
from civicbill.collections.services.arrangements import arrangement_cancel, arrangement_create
from civicbill.collections.stages import current_stages
from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.money import Money
from civicbill.customers.models import Account
from civicbill.ledger.selectors import check_books
from civicbill.payments import services as payments
from civicbill.payments.services import AccountAmount, TenderInput
from tests.collections.test_run import at, bill_cycle, billed, run_on  # noqa: F401 - the fixture

D = dt.date
DEC15, JAN15 = D(2026, 12, 15), D(2027, 1, 15)
AGREED = D(2026, 11, 23)  # Monday: the October bill ($82.61, due Fri 11-20) is past due


def _amortize(cents: int, months: int, first: dt.date) -> list[Installment]:
    return schedule_preview(
        kind="amortization", balance_cents=cents, first_due_on=first, agreed_on=D(2026, 12, 1), max_months=12,
        months=months,
    )  # fmt: skip


def test_twelve_months_of_1117_62_are_93_19_then_eleven_of_93_13_monthly_clamped_to_the_month_end() -> None:
    schedule = _amortize(111762, 12, D(2027, 1, 31))
    assert [i.amount_cents for i in schedule] == [9319] + [9313] * 11
    assert sum(i.amount_cents for i in schedule) == 111762
    assert [i.due_on for i in schedule[:4]] == [
        D(2027, 1, 31),
        D(2027, 2, 28),
        D(2027, 3, 31),
        D(2027, 4, 30),
    ]
    assert schedule[-1] == Installment(12, D(2027, 12, 31), 9313)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)  # a leap year


def test_a_deferral_is_one_sum_on_a_date_and_an_alternative_schedule_must_add_up() -> None:
    deferral = schedule_preview(kind="deferral", balance_cents=8261, first_due_on=D(2027, 2, 15),
                                agreed_on=AGREED, max_months=12)  # fmt: skip
    assert deferral == [Installment(1, D(2027, 2, 15), 8261)]
    alternative = schedule_preview(
        kind="alternative", balance_cents=8261, first_due_on=None, agreed_on=AGREED, max_months=12,
        dates=[DEC15, JAN15], amounts=[2000, 6261],
    )  # fmt: skip
    assert [(i.due_on, i.amount_cents) for i in alternative] == [
        (D(2026, 12, 15), 2000),
        (D(2027, 1, 15), 6261),
    ]


@pytest.mark.parametrize(
    ("options", "field", "words"),
    [
        ({"kind": "alternative", "dates": [DEC15, JAN15], "amounts": [2000, 6000]},
         "amounts", "add up to $80.00, not the balance of $82.61"),
        ({"kind": "alternative", "dates": [JAN15, DEC15], "amounts": [2000, 6261]}, "dates", "increase"),
        ({"kind": "alternative", "dates": [DEC15], "amounts": [2000, 6261]}, "amounts", "one amount"),
        ({"kind": "alternative", "dates": [DEC15, JAN15], "amounts": [0, 8261]}, "amounts", "above zero"),
        ({"kind": "amortization", "months": 13, "first_due_on": DEC15}, "months", "between 1 and 12"),
        ({"kind": "amortization", "months": 3}, "first_due_on", "first installment"),
        ({"kind": "amortization", "months": 3, "first_due_on": D(2026, 11, 1)}, "first_due_on", "before"),
        ({"kind": "barter", "months": 3}, "kind", "Unknown"),
    ],
)  # fmt: skip
def test_a_schedule_refused_names_the_field(options: dict[str, Any], field: str, words: str) -> None:
    options = {"first_due_on": None, **options}
    with pytest.raises(ScheduleError) as refused:
        schedule_preview(balance_cents=8261, agreed_on=AGREED, max_months=12, **options)
    assert refused.value.field == field and words in refused.value.message


def test_an_installment_is_paid_when_payments_less_current_charges_cover_it() -> None:
    schedule = [Installment(1, D(2026, 12, 21), 3000), Installment(2, D(2027, 1, 21), 3000)]
    standing = arrangement_standing(schedule, payments_cents=10511, current_charges_cents=7511,
                                    on=D(2027, 2, 20), breach_days=60)  # fmt: skip
    assert (standing.covered_cents, standing.paid, standing.due, standing.behind) == (3000, 1, 2, True)
    assert standing.breached is None  # installment 2 breaks on 2027-03-22
    later = arrangement_standing(schedule, payments_cents=10511, current_charges_cents=7511,
                                 on=D(2027, 3, 22), breach_days=60)  # fmt: skip
    assert (later.breached, later.breach_on) == (schedule[1], D(2027, 3, 22))


def _defer(account: Account, due: dt.date, actor: User, day: dt.date) -> Arrangement:
    return arrangement_create(account=account, kind="deferral", first_due_on=due, actor=actor, at=at(day))


def _pay(account: Account, amount: str, day: dt.date, cashier: User, drawer: Any, key: str) -> None:
    when = dt.datetime.combine(day, dt.time(17, 0), tzinfo=dt.UTC)  # 09:00 in Coachella
    session = payments.drawer_session_open(drawer=drawer, starting_float=Money.parse("0.00"), as_of=when,
                                           actor=cashier)  # fmt: skip
    payments.payment_take(session=session, accounts=[AccountAmount(account, Money.parse(amount))],
                          tenders=[TenderInput("cash", Money.parse(amount))], idempotency_key=key,
                          as_of=when, actor=cashier)  # fmt: skip


@pytest.mark.django_db
def test_an_arrangement_protects_the_account_then_breaks_sixty_days_after_the_thanksgiving_installment(
    billed: Callable[..., Account],  # noqa: F811
    technician: User,
    csr: User,
) -> None:
    account = billed()
    bill_cycle(technician)
    arrangement = arrangement_create(
        account=account, kind="amortization", months=3, first_due_on=D(2026, 11, 26), terms="Three payments",
        actor=csr, at=at(AGREED),
    )  # fmt: skip
    assert (arrangement.delinquent_cents, arrangement.agreed_on, arrangement.status) == (
        8261,
        AGREED,
        "active",
    )
    assert [(i.due_on, i.amount_cents) for i in arrangement.installments.all()] == [
        (D(2026, 11, 26), 2755), (D(2026, 12, 26), 2753), (D(2027, 1, 26), 2753),
    ]  # fmt: skip
    assert protections_on([account.pk], AGREED)[account.pk].arrangement_id == arrangement.pk
    assert current_stages([account.pk])[account.pk] == CollectionStage.IN_ARRANGEMENT
    with pytest.raises(ApplicationError) as refused:
        _defer(account, D(2026, 12, 21), csr, AGREED)
    assert refused.value.field == "account"

    # protected: the run of 11-27 posts no penalty and sends no notice
    run = run_on(D(2026, 11, 27), technician)
    assert "penalty" not in run.counts and "late_notice" not in run.counts
    assert not CollectionNotice.objects.filter(account=account).exists()
    # installment 1 falls on Thanksgiving; the office opens again Monday 11-30 (the day after is a
    # holiday too): 60 days from then is Friday 2027-01-29, not 2027-01-25
    run = run_on(D(2027, 1, 28), technician)
    assert "arrangement" not in run.counts and not PenaltyAssessment.objects.filter(account=account).exists()
    run = run_on(D(2027, 1, 29), technician)
    arrangement.refresh_from_db()
    assert (arrangement.status, arrangement.ended_on) == ("broken", D(2027, 1, 29))
    assert arrangement.end_reason == "installment 1 of $27.55 due 2026-11-26 unpaid 60 days"
    [action] = CollectionAction.objects.filter(run=run, step="arrangement")
    assert (action.amount_cents, action.detail["outcome"], action.detail["installment"]) == (
        2755,
        "broken",
        1,
    )
    # the same run no longer protects it: the penalties are charged, the posted final notice is queued
    assert run.counts["penalty"] == 2  # both bills' penalties
    assert PenaltyAssessment.objects.filter(account=account, kind="penalty").count() == 2
    assert CollectionNotice.objects.filter(account=account, kind="posted_final").exists()
    assert check_books().ok


@pytest.mark.django_db
def test_an_arrangement_paid_up_is_completed_by_the_run(
    billed: Callable[..., Account],  # noqa: F811
    technician: User,
    csr: User,
    supervisor: User,
    drawers: Any,
) -> None:
    account = billed()
    bill_cycle(technician)
    arrangement = _defer(account, D(2026, 12, 21), csr, AGREED)
    _pay(account, "100.00", D(2026, 12, 2), csr, drawers[0], "part")  # covers 24.89 after November's 75.11
    run_on(D(2026, 12, 2), technician)
    arrangement.refresh_from_db()
    assert arrangement.status == "active"
    _pay(account, "57.72", D(2026, 12, 3), supervisor, drawers[1], "rest")  # 157.72 = 82.61 + 75.11: paid up
    run = run_on(D(2026, 12, 3), technician)
    arrangement.refresh_from_db()
    assert (arrangement.status, arrangement.ended_on, run.counts.get("arrangement")) == (
        "completed", D(2026, 12, 3), 1,
    )  # fmt: skip
    assert current_stages([account.pk])[account.pk] == CollectionStage.CURRENT
    assert check_books().ok


@pytest.mark.django_db
def test_nothing_past_due_a_clerk_without_the_right_and_a_cancel(
    billed: Callable[..., Account],  # noqa: F811
    technician: User,
    csr: User,
    field_worker: User,
) -> None:
    account = billed()
    bill_cycle(technician)
    with pytest.raises(ApplicationError) as refused:
        _defer(account, D(2026, 12, 1), csr, D(2026, 11, 19))  # fmt: skip
    assert (refused.value.code, refused.value.field) == ("nothing_past_due", "amount")
    with pytest.raises(PermissionDeniedError):
        _defer(account, D(2026, 12, 21), field_worker, AGREED)
    arrangement = _defer(account, D(2026, 12, 21), csr, AGREED)
    with pytest.raises(ApplicationError) as refused:
        arrangement_cancel(arrangement=arrangement, reason=" ", actor=csr, at=at(D(2026, 11, 30)))
    assert refused.value.field == "reason"
    arrangement_cancel(arrangement=arrangement, reason="Customer asked", actor=csr, at=at(D(2026, 11, 30)))
    arrangement.refresh_from_db()
    assert (arrangement.status, arrangement.ended_on) == ("cancelled", D(2026, 11, 30))
    assert current_stages([account.pk])[account.pk] == CollectionStage.PAST_DUE
    assert not protections_on([account.pk], D(2026, 11, 30))[account.pk].in_arrangement


@pytest.mark.django_db
def test_the_command_line_creates_shows_and_cancels_as_json(
    billed: Callable[..., Account],  # noqa: F811
    technician: User,
    csr: User,
) -> None:
    account = billed()
    bill_cycle(technician)
    out = io.StringIO()
    with time_machine.travel(at(AGREED), tick=False):
        call_command("collections", "arrangement", "create", account.number, "--kind", "amortization",
                     "--months", "2", "--first-due", "2026-12-21", "--user", csr.username, "--json",
                     stdout=out)  # fmt: skip
    made = json.loads(out.getvalue())
    assert (made["delinquent_cents"], made["status"]) == (8261, "active")
    assert [(i["due_on"], i["amount_cents"]) for i in made["installments"]] == [
        ("2026-12-21", 4131), ("2027-01-21", 4130),
    ]  # fmt: skip
    out = io.StringIO()
    with time_machine.travel(at(D(2026, 11, 24)), tick=False):
        call_command("collections", "arrangement", "show", account.number, stdout=out)
        assert "2026-12-21        $41.31" in out.getvalue()
        out = io.StringIO()
        call_command("collections", "arrangement", "cancel", account.number, "--reason", "Recorded in error",
                     "--user", csr.username, "--json", stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["status"] == "cancelled"
    assert Arrangement.objects.get().end_reason == "Recorded in error"
