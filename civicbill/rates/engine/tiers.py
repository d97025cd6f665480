"""Usage into tiers. Pure.

civicbill schedules write each tier's *inclusive upper bound* ("first 41 HCF at $1.50"): tier 1
holds usage up to 41, tier 2 the usage above 41 up to its bound, and the last tier the rest.
"""

from __future__ import annotations

from decimal import Decimal


def usage_in_tiers(usage: Decimal, bounds: list[Decimal | None]) -> list[Decimal]:
    """Usage per tier for cumulative inclusive upper ``bounds`` (the last is None: no bound)."""
    result: list[Decimal] = []
    lower = Decimal(0)
    remaining = max(usage, Decimal(0))
    for bound in bounds:
        if bound is None:
            used = remaining
        else:
            width = max(bound - lower, Decimal(0))
            used = min(remaining, width)
            lower = max(lower, bound)
        result.append(used)
        remaining -= used
    return result
