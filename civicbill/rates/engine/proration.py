"""Proration by days. Pure.

A period counts as *standard* when its length is within ``PRORATION_TOLERANCE_DAYS`` of the
standard period (30 days by default, so 28–32-day monthly periods are billed whole). Otherwise
fixed charges and tier widths scale by ``days ÷ standard_days`` (a 10-day move-in pays 10/30).
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


def period_factor(days: int, standard_days: int) -> Decimal:
    """1 for a standard-length period, else ``days / standard_days`` (exact)."""
    if abs(days - standard_days) <= PRORATION_TOLERANCE_DAYS:
        return _ONE
    return Decimal(days) / Decimal(standard_days)


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
