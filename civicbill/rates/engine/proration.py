"""Proration by days. Pure.

A **whole cycle** counts as *standard* when its length is within ``PRORATION_TOLERANCE_DAYS`` of
the standard period (30 days by default, so 28–32-day monthly periods are billed whole). Otherwise
fixed charges and tier widths scale by ``days ÷ standard_days`` (a 10-day period pays 10/30).

A **partial period** (an agreement that starts or ends inside a billing cycle) gets no allowance:
it always scales by its days ÷ the cycle's days (29 days of a 31-day cycle pay 29/31).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

PRORATION_TOLERANCE_DAYS = 2
QUANTITY_PLACES = Decimal("0.0001")
_ONE = Decimal(1)  # tier bounds and split usage are kept to 4 decimals


def days_inclusive(start: dt.date, end: dt.date) -> int:
    """Days of service from ``start`` to ``end``, both included."""
    return (end - start).days + 1


def proration_fraction(days: int, standard_days: int, *, partial: bool = False) -> tuple[int, int] | None:
    """``(days, standard_days)`` when the period is prorated, ``None`` when it is billed whole.

    A whole cycle within ±``PRORATION_TOLERANCE_DAYS`` of ``standard_days`` is billed whole; a
    ``partial`` period (part of a cycle) is prorated whenever its days differ from the cycle's.
    """
    if days == standard_days:
        return None
    if not partial and abs(days - standard_days) <= PRORATION_TOLERANCE_DAYS:
        return None
    return days, standard_days


def period_factor(days: int, standard_days: int, *, partial: bool = False) -> Decimal:
    """1 for a period billed whole, else ``days / standard_days`` (exact); see :func:`proration_fraction`."""
    fraction = proration_fraction(days, standard_days, partial=partial)
    if fraction is None:
        return _ONE
    return Decimal(fraction[0]) / Decimal(fraction[1])


def quantity(value: Decimal) -> Decimal:
    """A quantity (HCF, tier bound) rounded half up to 4 decimals."""
    return tidy(value.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP))


def tidy(value: Decimal) -> Decimal:
    """The same number without trailing zeros (``15.0000`` → ``15``, ``2.5000`` → ``2.5``)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent == 0:
        return value
    if value == value.to_integral_value():
        return value.quantize(_ONE)
    return value.normalize()


def split_usage(usage: Decimal, day_counts: list[int]) -> list[Decimal]:
    """Split ``usage`` pro rata by days; every part but the last is rounded, the last takes the rest."""
    total_days = sum(day_counts)
    parts: list[Decimal] = []
    for days in day_counts[:-1]:
        parts.append(quantity(usage * Decimal(days) / Decimal(total_days)))
    parts.append(usage - sum(parts, Decimal(0)))
    return parts
