"""The next collections step for an account and its date: an ESTIMATE for the account page. Pure.

From the account's stage, its oldest unpaid bill (due date, bill date), what it owes and what
protects it, and the policy in force, this says what the daily run will do next and no sooner than
when: "late notice on ...", "final notice on ...", "eligible for shutoff no sooner than ...". It is a
forecast for the person at the counter, named as such on the page: the run decides each step on its
day (collections.run steps), and shutoff eligibility is decided exactly, with every rule's proof,
by the shutoff eligibility check. What this module does not know (an office closure recorded later,
a payment tomorrow, a 48-hour notice not yet posted) can move the dates.

The estimate, from the oldest unpaid bill due on D (policy keys in brackets):
- penalty: D + [grace_days] + 1 (the first day past grace);
- late notice: D + [grace_days] + [late_notice_after_days];
- final notice: the later of D + [final_notice_delinquent_days] and the bill date +
  [notice_after_bill_mailed_days], on a business day; once sent, the date it was sent;
- shutoff no sooner than the latest of D + [shutoff_delinquent_days], the final notice +
  [final_notice_lead_business_days] business days, and the final notice + [notice_days_start_after_mailing]
  + [notice_to_termination_days] days; moved to a business day (and, with [avoid_day_before_closure],
  one whose next day is a business day too);
- 48-hour notice or contact: no later than [posted_notice_hours_before_shutoff] hours before that
  day, on a business day (the one before, when that falls on a weekend or holiday).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from civicbill.collections.policy import CollectionsPolicy

# the stages in the order the run moves an account through them
STAGE_RANK = {
    "current": 0,
    "past_due": 1,
    "late_notice_sent": 2,
    "final_notice_sent": 3,
    "48_hour_notice": 4,
    "eligible_for_shutoff": 5,
    "shutoff_scheduled": 6,
}
PENALTY, LATE_NOTICE, FINAL_NOTICE, FORTY_EIGHT_HOUR, SHUTOFF = (
    "penalty", "late_notice", "final_notice", "48_hour_notice", "shutoff_eligible",
)  # fmt: skip
MILESTONE_RANK = {PENALTY: 1, LATE_NOTICE: 2, FINAL_NOTICE: 3, FORTY_EIGHT_HOUR: 4, SHUTOFF: 5}


class Calendar(Protocol):
    def is_business_day(self, day: dt.date) -> bool: ...
    def add_business_days(self, day: dt.date, count: int) -> dt.date: ...
    def next_business_day(self, day: dt.date) -> dt.date: ...


@dataclass(frozen=True, slots=True)
class Situation:
    """What the account page knows about an account on ``as_of``."""

    as_of: dt.date
    stage: str
    stage_since: dt.date | None  # the day the current stage began
    balance_cents: int
    past_due_cents: int
    oldest_due_date: dt.date | None  # of the oldest unpaid bill past due
    oldest_bill_date: dt.date | None = None  # that bill's date (mailed then)
    appeal_pending: bool = False
    in_arrangement: bool = False
    moratorium_ends_on: dt.date | None = None
    low_income: bool = False
    medical: bool = False
    next_due_date: dt.date | None = None  # the earliest due date of what is owed and not yet due


@dataclass(frozen=True, slots=True)
class Milestone:
    step: str
    on: dt.date
    done: bool


@dataclass(frozen=True, slots=True)
class NextAction:
    """``step``: nothing_owed, not_yet_due, below_minimum, appeal_pending, in_arrangement, moratorium,
    penalty, late_notice, final_notice, 48_hour_notice, shutoff_eligible, reconnect_on_payment,
    writeoff_review, written_off. ``on``: its estimated date (None when none applies)."""

    step: str
    on: dt.date | None
    milestones: tuple[Milestone, ...] = ()
    notes: tuple[str, ...] = field(default=())  # medical_and_low_income: no shutoff with an arrangement
    estimate: bool = True


def _shutoff_day(day: dt.date, policy: CollectionsPolicy, calendar: Calendar) -> dt.date:
    """The first day on or after ``day`` a shutoff may happen (business day; and, when the policy
    avoids the day before a closure, one whose next day is a business day too)."""
    current = calendar.next_business_day(day)
    while policy.avoid_day_before_closure and not calendar.is_business_day(current + dt.timedelta(days=1)):
        current = calendar.next_business_day(current + dt.timedelta(days=1))
    return current


def milestones(situation: Situation, policy: CollectionsPolicy, calendar: Calendar) -> list[Milestone]:
    """The steps of the oldest unpaid bill with their estimated dates; ``done`` from the stage."""
    due = situation.oldest_due_date
    if due is None:
        return []
    rank = STAGE_RANK.get(situation.stage, 0)
    penalty_on = due + dt.timedelta(days=policy.grace_days + 1)
    late_on = due + dt.timedelta(days=policy.grace_days + policy.late_notice_after_days)
    if situation.stage == "final_notice_sent" and situation.stage_since is not None:
        final_on = situation.stage_since
    else:
        final_on = due + dt.timedelta(days=policy.final_notice_delinquent_days)
        if situation.oldest_bill_date is not None:
            final_on = max(
                final_on, situation.oldest_bill_date + dt.timedelta(days=policy.notice_after_bill_mailed_days)
            )
        final_on = calendar.next_business_day(final_on)
    earliest = max(
        due + dt.timedelta(days=policy.shutoff_delinquent_days),
        calendar.add_business_days(final_on, policy.final_notice_lead_business_days),
        final_on
        + dt.timedelta(days=policy.notice_days_start_after_mailing + policy.notice_to_termination_days),
    )
    shutoff_on = _shutoff_day(earliest, policy, calendar)
    notice_48_on = shutoff_on - dt.timedelta(days=-(-policy.posted_notice_hours_before_shutoff // 24))
    while not calendar.is_business_day(notice_48_on):  # field staff post notices on business days
        notice_48_on -= dt.timedelta(days=1)
    return [
        Milestone(PENALTY, penalty_on, situation.as_of >= penalty_on),
        Milestone(LATE_NOTICE, late_on, rank >= MILESTONE_RANK[LATE_NOTICE]),
        Milestone(FINAL_NOTICE, final_on, rank >= MILESTONE_RANK[FINAL_NOTICE]),
        Milestone(FORTY_EIGHT_HOUR, notice_48_on, rank >= MILESTONE_RANK[FORTY_EIGHT_HOUR]),
        Milestone(SHUTOFF, shutoff_on, rank >= MILESTONE_RANK[SHUTOFF]),
    ]


def next_action(situation: Situation, policy: CollectionsPolicy, calendar: Calendar) -> NextAction:
    """The next step and its estimated date (see the module's description)."""
    notes = ("medical_and_low_income",) if situation.medical and situation.low_income else ()
    if situation.stage == "written_off":
        return NextAction("written_off", None, notes=notes)
    if situation.stage == "disconnected":
        return NextAction("reconnect_on_payment", None, notes=notes)
    if situation.stage == "closed_unpaid":
        since = situation.oldest_due_date or situation.stage_since
        on = since + dt.timedelta(days=policy.writeoff_after_days) if since else None
        return NextAction("writeoff_review", on, notes=notes)
    if situation.balance_cents <= 0:
        return NextAction("nothing_owed", None, notes=notes)
    steps = tuple(milestones(situation, policy, calendar))
    if situation.appeal_pending:
        return NextAction("appeal_pending", None, steps, notes)
    if situation.in_arrangement:
        return NextAction("in_arrangement", None, steps, notes)
    if situation.moratorium_ends_on is not None and situation.moratorium_ends_on >= situation.as_of:
        return NextAction("moratorium", situation.moratorium_ends_on + dt.timedelta(days=1), steps, notes)
    if not steps:
        return NextAction("not_yet_due", situation.next_due_date, steps, notes)
    if situation.past_due_cents < policy.minimum_balance_cents:
        return NextAction("below_minimum", None, steps, notes)
    pending = next((step for step in steps if not step.done), None)
    if pending is None:
        return NextAction(SHUTOFF, steps[-1].on, steps, notes)
    return NextAction(pending.step, pending.on, steps, notes)
