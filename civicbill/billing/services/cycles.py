"""Billing cycles and the periods they bill."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from civicbill.billing.models import BillingCycle
from civicbill.billing.periods import (
    BillingPeriod,
    CycleRules,
    billing_period,
    business_due_date,
    period_containing,
)
from civicbill.core import clock
from civicbill.core.actors import Actor
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.permissions import require_permission


def cycle_rules(cycle: BillingCycle) -> CycleRules:
    return CycleRules(
        cycle.number, cycle.read_day, cycle.read_window_days, cycle.bill_lag_days, cycle.due_days
    )


def cycle_get(number: int) -> BillingCycle:
    cycle = BillingCycle.objects.filter(number=number).first()
    if cycle is None:
        raise NotFoundError(f"There is no billing cycle {number}", field="cycle")
    return cycle


def cycle_period(cycle: BillingCycle, month: dt.date) -> BillingPeriod:
    """The period ``cycle`` bills in ``month`` (bill and due dates moved to business days)."""
    return billing_period(cycle_rules(cycle), month, clock.business_calendar())


def cycle_period_containing(cycle: BillingCycle, day: dt.date) -> BillingPeriod:
    return period_containing(cycle_rules(cycle), day, clock.business_calendar())


def cycle_due_date(cycle: BillingCycle, bill_date: dt.date) -> dt.date:
    """When a bill of ``cycle`` dated ``bill_date`` falls due: the cycle's ``due_days`` later, moved
    to the next business day past weekends, holidays and the office closures recorded now."""
    return business_due_date(bill_date, cycle.due_days, clock.business_calendar())


@transaction.atomic
def billing_cycle_ensure(
    *,
    number: int,
    name: str = "",
    read_day: int = 28,
    read_window_days: int = 3,
    bill_lag_days: int = 2,
    due_days: int = 21,
    actor: Actor,
    at: dt.datetime,
) -> BillingCycle:
    """The cycle ``number``, created with these rules if it does not exist yet (an existing cycle
    is returned unchanged)."""
    require_permission(actor, "billing.run")
    if not 1 <= read_day <= 28:
        raise ApplicationError(f"read_day must be 1-28, not {read_day}", field="read_day")
    if due_days < 1:
        raise ApplicationError(f"due_days must be at least 1, not {due_days}", field="due_days")
    existing = BillingCycle.objects.filter(number=number).first()
    if existing is not None:
        return existing
    cycle = BillingCycle.objects.create(
        number=number,
        name=name or f"Cycle {number}",
        read_day=read_day,
        read_window_days=read_window_days,
        bill_lag_days=bill_lag_days,
        due_days=due_days,
        created_at=at,
    )
    audit_record(
        actor=actor,
        action="billing_cycle.create",
        target=cycle,
        at=cycle.created_at,
        summary=f"Billing cycle {number} created: read day {read_day}, due {due_days} days after the bill",
    )
    return cycle
