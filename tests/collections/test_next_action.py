"""The account page's estimate of the next collections step and its date (pure)."""

from __future__ import annotations

import datetime as dt

from civicbill.collections.next_action import Situation, milestones, next_action
from civicbill.collections.policy import DEFAULT_POLICY, CollectionsPolicy
from civicbill.core.clock import BusinessCalendar

CAL = BusinessCalendar()


def _owing(
    as_of: dt.date, stage: str = "past_due", since: dt.date | None = None, **more: object
) -> Situation:
    values: dict[str, object] = {
        "as_of": as_of, "stage": stage, "stage_since": since,
        "balance_cents": 12_000, "past_due_cents": 12_000,
        "oldest_due_date": dt.date(2026, 9, 25), "oldest_bill_date": dt.date(2026, 9, 4),
    }  # fmt: skip
    values.update(more)
    return Situation(**values)  # type: ignore[arg-type]


def test_the_steps_of_a_bill_due_friday_september_25() -> None:
    steps = milestones(_owing(dt.date(2026, 10, 1)), DEFAULT_POLICY, CAL)
    assert [(m.step, m.on, m.done) for m in steps] == [
        ("penalty", dt.date(2026, 10, 1), True),  # due + 5 grace days + 1
        ("late_notice", dt.date(2026, 10, 1), False),  # due + 5 + 1
        ("final_notice", dt.date(2026, 11, 9), False),  # due + 45 = Mon 11-09
        ("48_hour_notice", dt.date(2026, 11, 20), False),  # 48 hours before: Sun 11-22 -> Fri 11-20
        # 60 days: Tue 11-24; 7 business days after 11-09 (Veterans Day 11-11 closed): 11-19; 5 + 10 days
        # after the notice: 11-24. Tue 11-24 is followed by a business day (Wed 11-25): allowed.
        ("shutoff_eligible", dt.date(2026, 11, 24), False),
    ]
    action = next_action(_owing(dt.date(2026, 10, 1)), DEFAULT_POLICY, CAL)
    assert (action.step, action.on, action.estimate) == ("late_notice", dt.date(2026, 10, 1), True)


def test_a_shutoff_never_falls_before_thanksgiving_or_on_the_friday_after() -> None:
    situation = _owing(dt.date(2026, 11, 20), stage="final_notice_sent", since=dt.date(2026, 11, 10),
                       oldest_due_date=dt.date(2026, 9, 26))  # fmt: skip
    # 60 days after 09-26: Wed 11-25, the day before Thanksgiving (avoided); Thanksgiving and the day
    # after are holidays, then the weekend: Mon 11-30. 48 hours before is Sat 11-28 -> Wed 11-25.
    action = next_action(situation, DEFAULT_POLICY, CAL)
    assert (action.step, action.on) == ("48_hour_notice", dt.date(2026, 11, 25))
    assert action.milestones[-1].on == dt.date(2026, 11, 30)


def test_a_final_notice_waits_19_days_after_the_bill_was_mailed() -> None:
    situation = _owing(
        dt.date(2026, 10, 1), oldest_due_date=dt.date(2026, 9, 1), oldest_bill_date=dt.date(2026, 9, 28)
    )
    steps = {m.step: m.on for m in milestones(situation, DEFAULT_POLICY, CAL)}
    assert steps["final_notice"] == dt.date(2026, 10, 19)  # 09-28 + 19 days = Sat 10-17 -> Mon 10-19


def test_protections_stop_the_next_step() -> None:
    on = dt.date(2026, 11, 2)
    assert next_action(_owing(on, appeal_pending=True), DEFAULT_POLICY, CAL).step == "appeal_pending"
    assert next_action(_owing(on, in_arrangement=True), DEFAULT_POLICY, CAL).step == "in_arrangement"
    moratorium = next_action(_owing(on, moratorium_ends_on=dt.date(2026, 11, 15)), DEFAULT_POLICY, CAL)
    assert (moratorium.step, moratorium.on) == ("moratorium", dt.date(2026, 11, 16))
    both = next_action(_owing(on, medical=True, low_income=True), DEFAULT_POLICY, CAL)
    assert both.notes == ("medical_and_low_income",)


def test_nothing_to_do_below_the_minimum_or_when_nothing_is_owed() -> None:
    on = dt.date(2026, 11, 2)
    assert next_action(_owing(on, past_due_cents=999), DEFAULT_POLICY, CAL).step == "below_minimum"
    assert next_action(_owing(on, balance_cents=-500), DEFAULT_POLICY, CAL).step == "nothing_owed"
    later = _owing(on, stage="current", oldest_due_date=None, next_due_date=dt.date(2026, 11, 20))
    assert (next_action(later, DEFAULT_POLICY, CAL).step, next_action(later, DEFAULT_POLICY, CAL).on) == (
        "not_yet_due",
        dt.date(2026, 11, 20),
    )


def test_a_closed_account_with_an_unpaid_final_bill_waits_for_write_off_review() -> None:
    situation = _owing(dt.date(2026, 11, 2), stage="closed_unpaid", oldest_due_date=dt.date(2026, 10, 1))
    action = next_action(situation, CollectionsPolicy(writeoff_after_days=90), CAL)
    assert (action.step, action.on) == ("writeoff_review", dt.date(2026, 12, 30))
