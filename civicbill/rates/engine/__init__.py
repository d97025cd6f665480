"""The rating engine: a schedule plan and billing determinants in, priced bill lines out. Pure.

:func:`rate_period` splits the period where a new schedule version takes effect (usage split pro
rata by days), prorates fixed charges and tier widths when the period is not a standard whole
cycle or is only part of a billing cycle (``cycle_days``; see :mod:`.proration`), and prices
each sub-period with the version's class: civicbill-yaml documents through :mod:`.charges`, OWRS
documents through :mod:`civicbill.rates.owrs.calculator` (RateParser's semantics). Errors come
back as values in ``RatingResult.errors``; the lines are then empty.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from civicbill.rates.engine.charges import RatingError, SubPeriodContext, rate_class
from civicbill.rates.engine.period import split_by_version
from civicbill.rates.engine.proration import days_inclusive, proration_fraction, split_usage
from civicbill.rates.types import ChargeLine, Determinants, PlanVersion, RatingPlan, RatingResult

__all__ = ["RatingError", "rate_period", "select_class", "variables_used"]

_ONE = Decimal(1)


def select_class(version: PlanVersion, customer_class: str) -> str:
    """The class of a version that rates ``customer_class``: the only one, or the one named so."""
    classes = version.document.get("classes") if version.source_format != "owrs" else None
    if classes is not None:
        if len(classes) == 1:
            return next(iter(classes))
        if customer_class in classes:
            return customer_class
        raise RatingError(
            f"{version.label or 'the schedule'} has no class {customer_class!r} "
            f"(it has {', '.join(sorted(classes))})"
        )
    return customer_class


_BUDGET_VARIABLES = frozenset({"hhsize", "et_amount", "irrigable_area"})


def variables_used(plan: RatingPlan) -> frozenset[str] | None:
    """The ``Determinants.variables`` names any version of ``plan`` may read (``by``, ``cap``,
    ``containers`` of a per-container charge, the budget's), or None when that cannot be known (an
    OWRS version's formulas may read any name). The billing run passes a schedule only these, so
    accounts that differ in a value the schedule ignores still share one rating."""
    names: set[str] = set()
    for version in plan.versions:
        if version.source_format == "owrs":
            return None
        for body in version.document.get("classes", {}).values():
            for charge in body.get("charges", ()):
                for key in ("by", "cap"):
                    if charge.get(key):
                        names.add(str(charge[key]))
                if charge.get("per") == "container":
                    names.add("containers")
                if charge.get("type") == "budget":
                    names |= _BUDGET_VARIABLES
    return frozenset(names)


def rate_period(
    *,
    plan: RatingPlan,
    determinants: Determinants,
    period_start: dt.date,
    period_end: dt.date,
    standard_days: int | None = None,
    cycle_days: int | None = None,
) -> RatingResult:
    """Price one service agreement for one period (both dates included).

    Without ``cycle_days`` the period is a whole cycle: billed whole when its length is within
    ±2 days of ``standard_days`` (the schedule's own, 30 unless the file says otherwise), else
    prorated by days ÷ ``standard_days``.

    With ``cycle_days`` (the billing run, a final bill, a rebill, a quote of part of a cycle) the
    period is the agreement's days of a billing cycle of ``cycle_days`` days: a period of exactly
    ``cycle_days`` is a whole cycle, billed as one month whatever the month's length; a shorter one
    (a move-in or move-out inside the cycle) is prorated by days ÷ ``cycle_days`` exactly, with no
    allowance (29 of 31 days pay 29/31). A longer one (a final bill catching up more than a cycle)
    is measured against ``cycle_days`` like a whole cycle: within ±2 days one month, else days ÷
    ``cycle_days``.
    """
    if period_end < period_start:
        return RatingResult(
            lines=(), errors=(f"the period ends ({period_end}) before it starts ({period_start})",)
        )
    days = days_inclusive(period_start, period_end)
    versions = plan.versions
    if len(versions) == 1 and versions[0].effective_from <= period_start:
        # the common case: one version for the whole period
        parts = [(versions[0], period_start, period_end, days)]
        usages = [determinants.usage_hcf]
    else:
        sub_periods, uncovered = split_by_version(versions, period_start, period_end)
        if uncovered is not None:
            return RatingResult(lines=(), errors=(f"{plan.code} has no version in effect on {uncovered}",))
        parts = [(part.version, part.start, part.end, part.days) for part in sub_periods]
        usages = split_usage(determinants.usage_hcf, [part[3] for part in parts])
    lines: list[ChargeLine] = []
    try:
        for (version, start, end, part_days), usage in zip(parts, usages, strict=True):
            label = version.label or f"{plan.code} from {version.effective_from}"
            document = version.document
            if cycle_days is not None:
                standard, partial = cycle_days, days < cycle_days
            else:
                standard, partial = standard_days or int(document.get("standard_days", 30)), False
            share = _ONE if part_days == days else Decimal(part_days) / Decimal(days)
            whole = proration_fraction(days, standard, partial=partial)
            # the factor of this sub-period as a fraction of a month: "29/31", "17/31" (a rate change)
            base = days if whole is None else standard
            factor = Decimal(part_days) / Decimal(base) if part_days != base else _ONE
            context = SubPeriodContext(
                service=plan.service,
                version_id=version.version_id,
                version_label=label,
                start=start,
                end=end,
                days=part_days,
                factor=factor,
                share=share,
                usage=usage,
                unit=str(document.get("unit", "HCF")),
                standard_days=standard,
                fraction="" if factor == _ONE else f"{part_days}/{base}",
            )
            if version.source_format == "owrs":
                from civicbill.rates.owrs.lines import rate_owrs_lines

                lines.extend(rate_owrs_lines(document, determinants, context))
            else:
                class_name = select_class(version, determinants.customer_class)
                lines.extend(rate_class(document["classes"][class_name]["charges"], determinants, context))
    except RatingError as error:
        return RatingResult(lines=(), errors=(f"{plan.code}: {error}",))
    return RatingResult(lines=tuple(lines))
