"""The billing run's missing-read policy: estimate after N days, or hold.

``CIVICBILL_MISSING_READ_POLICY`` is ``estimate`` (the default) or ``hold``;
``CIVICBILL_MISSING_READ_ESTIMATE_AFTER_DAYS`` (default 5) is N. Under ``estimate``, a trial tried N
days or more after the cycle's read day first gives every water service point of the cycle that
still has no accepted read for the period an estimated read dated on the read day, through the
meters' estimation service (:func:`civicbill.meters.services.read_estimates.estimate_missing_reads`:
same period last year, else the last 3 periods; marked estimated; the next actual read trues up).
The bill then bills that use and is marked estimated (a non-blocking ``estimated`` exception).
A point the service cannot estimate (no history, a read waiting in the exceptions queue, too many
estimates in a row) keeps its ``missing_read`` hold. Under ``hold``, or before N days, nothing is
estimated and the bill is held.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef

from civicbill.billing.facts import BILLED_STATUSES
from civicbill.billing.periods import BillingPeriod
from civicbill.core.actors import Actor
from civicbill.core.utility_services import Service
from civicbill.meters.models import Read, ServicePoint
from civicbill.meters.services.read_estimates import EstimateReport, estimate_missing_reads
from civicbill.meters.usage import ACCEPTED_READ_STATUSES

POLICIES = ("estimate", "hold")


@dataclass(frozen=True, slots=True)
class MissingReadPolicy:
    policy: str  # "estimate" or "hold"
    after_days: int  # estimate this many days after the read day

    def estimates_on(self, read_day: dt.date, as_of: dt.date) -> bool:
        return self.policy == "estimate" and as_of >= read_day + dt.timedelta(days=self.after_days)

    def describe(self) -> str:
        if self.policy == "hold":
            return "hold"
        return f"estimate after {self.after_days} days"


def missing_read_policy() -> MissingReadPolicy:
    """The policy from the settings (a wrong value is refused, naming the setting)."""
    policy = str(getattr(settings, "CIVICBILL_MISSING_READ_POLICY", "estimate")).strip().lower()
    if policy not in POLICIES:
        raise ImproperlyConfigured(f"CIVICBILL_MISSING_READ_POLICY must be estimate or hold, not {policy!r}")
    days = int(getattr(settings, "CIVICBILL_MISSING_READ_ESTIMATE_AFTER_DAYS", 5))
    if days < 0:
        raise ImproperlyConfigured(
            f"CIVICBILL_MISSING_READ_ESTIMATE_AFTER_DAYS must be 0 or more, not {days}"
        )
    return MissingReadPolicy(policy, days)


def unread_water_points(*, cycle_number: int, billing: BillingPeriod) -> list[int]:
    """Water service points at the cycle's billed premises without an accepted read dated in the
    period's read window (one query)."""
    read = Read.objects.filter(
        service_point_id=OuterRef("pk"),
        read_on__gt=billing.reads_after,
        read_on__lte=billing.reads_through,
        status__in=ACCEPTED_READ_STATUSES,
    )
    return list(
        ServicePoint.objects.filter(
            service=Service.WATER,
            premise__billing_cycle=cycle_number,
            premise__accounts__status__in=BILLED_STATUSES,
        )
        .filter(~Exists(read))
        .values_list("id", flat=True)
        .distinct()
        .order_by("id")
    )


def estimate_for_trial_trusted(
    *, cycle_number: int, billing: BillingPeriod, actor: Actor, as_of: dt.date
) -> EstimateReport | None:
    """Apply the policy before a trial's rating (the caller checked ``billing.run``; the estimation
    service checks ``reads.review``, which every role that runs billing has). None when the policy
    estimates nothing (hold, too early, or every point read)."""
    policy = missing_read_policy()
    if not policy.estimates_on(billing.end, as_of):
        return None
    points = unread_water_points(cycle_number=cycle_number, billing=billing)
    if not points:
        return None
    return estimate_missing_reads(
        service_point_ids=points,
        read_on=billing.end,
        actor=actor,
        as_of=as_of,
        window_days=(billing.end - billing.reads_after).days,
    )
