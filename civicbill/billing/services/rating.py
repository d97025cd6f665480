"""The rates app's plans and pure engine as the one function the bill calculation calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from civicbill.billing.calculation import RateFunction
from civicbill.rates.types import Determinants, RatingResult


def rate_function(*, codes: Iterable[str], period_start: dt.date, period_end: dt.date) -> RateFunction:
    """Load the plans of ``codes`` once (bulk) and rate with memoisation: accounts with the same
    schedule, class, meter size, units, other determinants, use and days share one engine call.

    A schedule gets only the variables it reads (``variables_used``: a winter average means nothing
    to a flat sewer charge), so accounts differing only in others share its rating. The function's
    ``uses`` attribute (code → names, or None when unknown) tells the bill calculation the same."""
    from civicbill.rates.engine import rate_period, variables_used
    from civicbill.rates.selectors import rating_plans

    plans = rating_plans(codes=sorted(set(codes)), period_start=period_start, period_end=period_end)
    uses = {code: variables_used(plan) for code, plan in plans.items()}
    cache: dict[tuple[object, ...], RatingResult] = {}

    def rate(
        code: str, determinants: Determinants, start: dt.date, end: dt.date, standard_days: int
    ) -> RatingResult | None:
        plan = plans.get(code)
        if plan is None:
            return None
        names = uses[code]
        if names is not None and any(name not in names for name in determinants.variables):
            determinants = replace(
                determinants,
                variables={name: value for name, value in determinants.variables.items() if name in names},
            )
        key = (
            code,
            determinants.usage_hcf,
            determinants.customer_class,
            determinants.meter_size,
            determinants.dwelling_units,
            tuple(sorted(determinants.variables.items())),
            start,
            end,
            standard_days,
        )
        result = cache.get(key)
        if result is None:
            result = rate_period(
                plan=plan,
                determinants=determinants,
                period_start=start,
                period_end=end,
                # the cycle's days: a whole cycle is one month, an agreement's part of it days ÷ these
                cycle_days=standard_days,
            )
            cache[key] = result
        return result

    rate.uses = uses  # type: ignore[attr-defined]
    return rate
