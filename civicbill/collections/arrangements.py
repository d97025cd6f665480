"""Payment arrangements: the schedule and the breach rule (pure: no Django).

Health & Safety Code §116910 requires a utility to offer a customer who cannot pay within the normal
period an arrangement on the **delinquent balance** — amortization over up to 12 months, a temporary
deferral, or an alternative (reduced) schedule. Current charges stay due as billed.

The schedule (:func:`schedule_preview`):

- **amortization**: ``months`` (1 .. ``policy.arrangement_max_months``) monthly installments of equal
  cents; the remainder of the division goes on the **first** installment ($1,117.62 over 12 months is
  $93.19 then 11 × $93.13). Installments fall monthly from ``first_due_on`` on the same day of the
  month, clamped to the month's end (first due 2027-01-31: 2027-02-28, 2027-03-31 ...).
- **deferral**: one installment of the whole balance on ``first_due_on``.
- **alternative**: the dates and amounts given; every amount above zero, dates strictly increasing,
  and the amounts summing exactly to the balance.

Every refusal is a :class:`ScheduleError` naming the field.

The breach rule (:func:`arrangement_standing`): the account's **covered** amount on a day is what it
paid after ``agreed_on`` (credits to its receivable by payment entries, less returned payments —
adjustments, credits and write-offs are not payments) minus the current charges billed after
``agreed_on`` (bill entries), never below zero. The balance arranged already reflects the agreement
day itself, so only later entries count. Installment *n* is **paid** when the covered amount reaches
the sum of installments 1..n. An installment still unpaid ``breach_days`` (60) calendar days after its
due date breaks the arrangement — counted from the due date, or from the next business day when the
installment falls on a weekend, holiday or closure (the office could not take the payment). The run
records the breach on the first run date on or after that day (a holiday only moves it later). When
every installment is covered the arrangement is completed.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

AMORTIZATION = "amortization"
DEFERRAL = "deferral"
ALTERNATIVE = "alternative"
KINDS = (AMORTIZATION, DEFERRAL, ALTERNATIVE)


class ScheduleError(ValueError):
    """A schedule refused; ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class Installment:
    sequence: int  # 1-based
    due_on: dt.date
    amount_cents: int


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, the day clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def amortize(balance_cents: int, months: int, first_due_on: dt.date) -> list[Installment]:
    """Equal monthly installments; the remainder of the division on the first one."""
    base, remainder = divmod(balance_cents, months)
    return [
        Installment(n + 1, add_months(first_due_on, n), base + (remainder if n == 0 else 0))
        for n in range(months)
    ]


def schedule_preview(
    *,
    kind: str,
    balance_cents: int,
    first_due_on: dt.date | None,
    agreed_on: dt.date,
    max_months: int,
    months: int | None = None,
    dates: Sequence[dt.date] = (),
    amounts: Sequence[int] = (),
) -> list[Installment]:
    """The installments of an arrangement of ``kind`` on ``balance_cents`` (see the module doc)."""
    if kind not in KINDS:
        raise ScheduleError(f"Unknown arrangement kind {kind!r}", field="kind")
    if balance_cents <= 0:
        raise ScheduleError("There is no delinquent balance to arrange", field="amount")
    if kind == ALTERNATIVE:
        return _alternative(balance_cents, agreed_on, max_months, dates, amounts)
    if first_due_on is None:
        raise ScheduleError("Give the date the first installment is due", field="first_due_on")
    if first_due_on < agreed_on:
        raise ScheduleError("The first installment cannot be due before the agreement", field="first_due_on")
    if kind == DEFERRAL:
        if first_due_on > add_months(agreed_on, max_months):
            raise ScheduleError(
                f"A deferral can run at most {max_months} months from the agreement", field="first_due_on"
            )
        return [Installment(1, first_due_on, balance_cents)]
    if months is None:
        raise ScheduleError("Give the number of monthly installments", field="months")
    if months < 1 or months > max_months:
        raise ScheduleError(f"The installments must be between 1 and {max_months} months", field="months")
    if months > balance_cents:
        raise ScheduleError("Each installment must be at least one cent", field="months")
    return amortize(balance_cents, months, first_due_on)


def _alternative(
    balance_cents: int,
    agreed_on: dt.date,
    max_months: int,
    dates: Sequence[dt.date],
    amounts: Sequence[int],
) -> list[Installment]:
    if not dates:
        raise ScheduleError("Give at least one installment date", field="dates")
    if len(dates) != len(amounts):
        raise ScheduleError("Give one amount for every installment date", field="amounts")
    if dates[0] < agreed_on:
        raise ScheduleError("An installment cannot be due before the agreement", field="dates")
    for earlier, later in itertools.pairwise(dates):
        if later <= earlier:
            raise ScheduleError("The installment dates must increase", field="dates")
    if dates[-1] > add_months(agreed_on, max_months):
        raise ScheduleError(
            f"The last installment can be at most {max_months} months after the agreement", field="dates"
        )
    if any(amount <= 0 for amount in amounts):
        raise ScheduleError("Every installment amount must be above zero", field="amounts")
    total = sum(amounts)
    if total != balance_cents:
        raise ScheduleError(
            f"The installments add up to {_dollars(total)}, not the balance of {_dollars(balance_cents)}",
            field="amounts",
        )
    return [Installment(n + 1, day, cents) for n, (day, cents) in enumerate(zip(dates, amounts, strict=True))]


def _dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


@dataclass(frozen=True, slots=True)
class Standing:
    """Where an arrangement stands on a day."""

    covered_cents: int  # payments after agreed_on less current charges billed after it (>= 0)
    paid: int  # installments covered (1..paid)
    due: int  # installments due on or before the day
    completed: bool
    breached: Installment | None  # the first installment unpaid breach_days after its due date
    breach_on: dt.date | None  # the day it became a breach

    @property
    def behind(self) -> bool:
        return self.paid < self.due


def breach_day(
    installment: Installment, breach_days: int, next_business_day: Callable[[dt.date], dt.date]
) -> dt.date:
    """The day an unpaid installment breaks the arrangement (see the module doc)."""
    return next_business_day(installment.due_on) + dt.timedelta(days=breach_days)


def arrangement_standing(
    installments: Sequence[Installment],
    *,
    payments_cents: int,
    current_charges_cents: int,
    on: dt.date,
    breach_days: int,
    next_business_day: Callable[[dt.date], dt.date] = lambda day: day,
) -> Standing:
    """How ``installments`` stand on ``on`` given the account's payments and current charges since
    the agreement (both counted after ``agreed_on``; see the module doc)."""
    covered = max(0, payments_cents - current_charges_cents)
    cumulative = 0
    paid = 0
    due = 0
    breached: Installment | None = None
    breach_on: dt.date | None = None
    for installment in installments:
        cumulative += installment.amount_cents
        if cumulative <= covered:
            paid = installment.sequence
        if installment.due_on <= on:
            due = installment.sequence
        if breached is None and cumulative > covered:
            day = breach_day(installment, breach_days, next_business_day)
            if day <= on:
                breached, breach_on = installment, day
    completed = bool(installments) and paid == len(installments)
    return Standing(
        covered, paid, due, completed, None if completed else breached, breach_on if not completed else None
    )
