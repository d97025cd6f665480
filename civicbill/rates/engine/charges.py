"""Pricing one customer class of a civicbill-yaml schedule for one sub-period. Pure.

Every line's amount is rounded half up to the cent (ADR 0001); minimum and percentage charges
work on the already-rounded amounts of the lines before them, so the printed lines add up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from civicbill.core.money import round_half_up
from civicbill.rates.engine.proration import quantity, tidy
from civicbill.rates.engine.tiers import usage_in_tiers
from civicbill.rates.sizes import normalize_size
from civicbill.rates.types import ChargeLine, Determinants

UNIT_FOR_PER = {"account": "month", "dwelling_unit": "unit", "container": "container"}


class RatingError(ValueError):
    """A determinant the schedule needs is missing or has no price; the message says which."""


@dataclass(frozen=True, slots=True)
class SubPeriodContext:
    service: str
    version_id: int | None
    version_label: str
    start: dt.date
    end: dt.date
    days: int
    factor: Decimal  # proration of fixed charges and tier widths for this sub-period (1 = none)
    share: Decimal  # this sub-period's days ÷ the period's days
    usage: Decimal  # the usage rated in this sub-period
    unit: str  # the schedule's usage unit (HCF)
    standard_days: int
    fraction: str = ""  # the factor as days of a month, "29/31" ("" when not prorated)


def variable(determinants: Determinants, name: str) -> Decimal | str | None:
    """A determinant by its OWRS name (``usage_ccf``, ``meter_size``, ``hhsize`` ...)."""
    if name in determinants.variables:
        return determinants.variables[name]
    if name == "meter_size":
        return determinants.meter_size
    if name in ("usage_ccf", "usage_hcf"):
        return determinants.usage_hcf
    if name == "cust_class":
        return determinants.customer_class
    if name == "dwelling_units":
        return Decimal(determinants.dwelling_units)
    return None


def number_variable(determinants: Determinants, name: str, what: str) -> Decimal:
    value = variable(determinants, name)
    if value is None or value == "":
        raise RatingError(f"{what} needs the determinant {name!r}")
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise RatingError(f"determinant {name!r} must be a number, not {value!r}") from None


def rate_class(
    charges: list[Mapping[str, Any]], determinants: Determinants, context: SubPeriodContext
) -> list[ChargeLine]:
    """The lines of one class's charges, in schedule order."""
    lines: list[ChargeLine] = []
    for charge in charges:
        kind = charge["type"]
        if kind == "fixed":
            lines.append(_fixed(charge, determinants, context))
        elif kind == "tiered":
            lines.extend(_tiered(charge, context))
        elif kind == "budget":
            lines.extend(_budget(charge, determinants, context))
        elif kind == "volumetric":
            lines.append(_volumetric(charge, determinants, context))
        elif kind == "minimum":
            line = _minimum(charge, lines, context)
            if line is not None:
                lines.append(line)
        elif kind == "percent":
            lines.append(_percent(charge, lines, context))
        else:  # pragma: no cover - the parser refuses other types
            raise RatingError(f"unknown charge type {kind!r}")
    return lines


def _line(
    charge: Mapping[str, Any],
    context: SubPeriodContext,
    *,
    quantity_value: Decimal,
    unit: str,
    amount: Decimal,
    description: str | None = None,
    tier: int | None = None,
    price: Decimal | None = None,
    prorated: bool = False,
    detail: dict[str, Any] | None = None,
) -> ChargeLine:
    return ChargeLine(
        service=context.service,
        charge_key=charge["key"],
        description=description or charge["description"],
        quantity=tidy(quantity_value),
        unit=unit,
        amount=round_half_up(amount),
        tier=tier,
        price=price,
        proration=context.factor if prorated and context.factor != 1 else None,
        period_start=context.start,
        period_end=context.end,
        version_id=context.version_id,
        version_label=context.version_label,
        detail=detail or {},
    )


def _fixed(charge: Mapping[str, Any], determinants: Determinants, context: SubPeriodContext) -> ChargeLine:
    per = charge["per"]
    if per == "dwelling_unit":
        count = Decimal(determinants.dwelling_units)
    elif per == "container":
        given = variable(determinants, "containers") is not None
        count = number_variable(determinants, "containers", charge["key"]) if given else Decimal(1)
    else:
        count = Decimal(1)
    detail: dict[str, Any] = {"per": per}
    if "amount" in charge:
        price = Decimal(charge["amount"])
    else:
        by = charge["by"]
        key = variable(determinants, by)
        if key is None or key == "":
            raise RatingError(f"{charge['key']} is priced by {by}, and no {by} was given")
        lookup = normalize_size(key) if by.endswith("size") else str(key)
        if lookup not in charge["prices"]:
            raise RatingError(f"{charge['key']} has no price for {by} {key}")
        price = Decimal(charge["prices"][lookup])
        detail[by] = lookup
    factor = context.factor if charge.get("prorate", True) else Decimal(1)
    if factor != 1:
        detail["proration"] = context.fraction
    description = charge["description"]
    if "by" in charge and charge["by"] == "meter_size":
        description = f'{description} ({detail["meter_size"]}" meter)'
    return _line(
        charge,
        context,
        quantity_value=count,
        unit=UNIT_FOR_PER[per],
        amount=count * price * factor,
        description=description,
        price=price,
        prorated=charge.get("prorate", True),
        detail=detail,
    )


def _tiered(charge: Mapping[str, Any], context: SubPeriodContext) -> list[ChargeLine]:
    prorate = charge.get("prorate", True)
    factor = context.factor if prorate else Decimal(1)
    if factor == 1:
        bounds: list[Decimal | None] = [
            None if tier["up_to"] is None else Decimal(tier["up_to"]) for tier in charge["tiers"]
        ]
    else:
        bounds = [
            None if tier["up_to"] is None else quantity(Decimal(tier["up_to"]) * factor)
            for tier in charge["tiers"]
        ]
    return _tier_lines(charge, context, bounds, prorated=prorate and factor != 1, extra={})


def _tier_lines(
    charge: Mapping[str, Any],
    context: SubPeriodContext,
    bounds: list[Decimal | None],
    *,
    prorated: bool,
    extra: dict[str, Any],
) -> list[ChargeLine]:
    lines = []
    used = usage_in_tiers(context.usage, bounds)
    lower = Decimal(0)
    for number, (tier, in_tier, bound) in enumerate(zip(charge["tiers"], used, bounds, strict=True), start=1):
        if in_tier > 0 or (number == 1 and context.usage == 0):
            price = Decimal(tier["price"])
            label = f"above {tidy(lower)}" if bound is None else f"{tidy(lower)}–{tidy(bound)}"
            lines.append(
                _line(
                    charge,
                    context,
                    quantity_value=in_tier,
                    unit=context.unit,
                    amount=in_tier * price,
                    description=f"{charge['description']}, tier {number} ({label} {context.unit})",
                    tier=number,
                    price=price,
                    prorated=prorated,
                    detail={
                        "tier_from": str(tidy(lower)),
                        "tier_to": None if bound is None else str(bound),
                        **({"proration": context.fraction} if prorated else {}),
                        **extra,
                    },
                )
            )
        if bound is not None:
            lower = max(lower, bound)
    return lines


def _budget(
    charge: Mapping[str, Any], determinants: Determinants, context: SubPeriodContext
) -> list[ChargeLine]:
    what = f"the budget-based charge {charge['key']}"
    gallons_per_unit = Decimal(charge["gallons_per_unit"])
    hhsize = number_variable(determinants, "hhsize", what)
    indoor_exact = hhsize * Decimal(charge["gallons_per_person_per_day"]) * context.days / gallons_per_unit
    outdoor_exact = Decimal(0)
    if charge["outdoor_factors"]:
        outdoor_exact = (
            number_variable(determinants, "et_amount", what)
            * number_variable(determinants, "irrigable_area", what)
            * context.share
            / gallons_per_unit
        )
        for factor in charge["outdoor_factors"]:
            outdoor_exact *= Decimal(factor)
    indoor = indoor_exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    outdoor = outdoor_exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    budget = indoor + outdoor
    bounds: list[Decimal | None] = []
    for tier in charge["tiers"]:
        bound = tier["up_to"]
        if bound is None:
            bounds.append(None)
        elif bound == "indoor":
            bounds.append(indoor)
        elif bound == "outdoor":
            bounds.append(outdoor)
        elif bound.endswith("%"):
            bounds.append((Decimal(bound[:-1]) / 100 * budget).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        else:
            bounds.append(quantity(Decimal(bound) * context.factor))
    extra = {"indoor": str(indoor), "outdoor": str(outdoor), "budget": str(budget)}
    return _tier_lines(charge, context, bounds, prorated=False, extra=extra)


def _volumetric(
    charge: Mapping[str, Any], determinants: Determinants, context: SubPeriodContext
) -> ChargeLine:
    billed = context.usage
    detail: dict[str, Any] = {"usage": str(tidy(context.usage))}
    cap_name = charge.get("cap")
    if cap_name and variable(determinants, cap_name) not in (None, ""):
        cap = quantity(number_variable(determinants, cap_name, charge["key"]) * context.factor)
        detail["cap"] = str(cap)
        detail["cap_from"] = cap_name
        billed = min(billed, cap)
    factor = Decimal(charge["factor"])
    if factor != 1:
        detail["factor"] = str(factor)
    billed = quantity(billed * factor)
    price = Decimal(charge["price"])
    return _line(
        charge,
        context,
        quantity_value=billed,
        unit=context.unit,
        amount=billed * price,
        price=price,
        detail=detail,
    )


def _minimum(
    charge: Mapping[str, Any], lines: list[ChargeLine], context: SubPeriodContext
) -> ChargeLine | None:
    factor = context.factor if charge.get("prorate", True) else Decimal(1)
    minimum = round_half_up(Decimal(charge["amount"]) * factor)
    charged = sum((line.amount for line in lines), Decimal("0.00"))
    if charged >= minimum:
        return None
    return _line(
        charge,
        context,
        quantity_value=Decimal(1),
        unit="month",
        amount=minimum - charged,
        description=f"{charge['description']} (to the ${minimum} minimum)",
        price=Decimal(charge["amount"]),
        prorated=charge.get("prorate", True),
        detail={
            "minimum": str(minimum),
            "charged": str(charged),
            **({"proration": context.fraction} if factor != 1 else {}),
        },
    )


def _percent(charge: Mapping[str, Any], lines: list[ChargeLine], context: SubPeriodContext) -> ChargeLine:
    of = charge.get("of")
    base_lines = [line for line in lines if of is None or line.charge_key in of]
    base = sum((line.amount for line in base_lines), Decimal("0.00"))
    rate = Decimal(charge["rate"])
    return _line(
        charge,
        context,
        quantity_value=rate,
        unit="%",
        amount=base * rate / 100,
        description=f"{charge['description']} ({tidy(rate)}% of ${base})",
        detail={"base": str(base), "of": of or "all charges above"},
    )
