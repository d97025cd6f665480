"""An OWRS class as bill lines for the engine. Pure.

The ``bill`` formula decides the lines: when it is a plain sum of fields
(``service_charge+commodity_charge``) each field is a line, and a ``Tiered``/``Budget`` charge is
one line per tier used; any other formula is one ``bill`` line. Each line is rounded half up to
the cent (ADR 0001), so the total is the sum of the rounded lines. OWRS versions are not prorated
by civicbill (RateParser has no proration); ``days_in_period`` is the sub-period's days.

A class skipped on import (the document's ``skipped_classes``) is refused, naming the field at
fault and its line.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from civicbill.core.money import round_half_up
from civicbill.rates.engine.charges import RatingError
from civicbill.rates.engine.proration import tidy
from civicbill.rates.owrs.calculator import ClassCalculator, OwrsError
from civicbill.rates.sizes import owrs_size
from civicbill.rates.types import ChargeLine, Determinants

if TYPE_CHECKING:
    from civicbill.rates.engine.charges import SubPeriodContext


def owrs_data(determinants: Determinants, *, usage: Decimal, days: int, month: int | None) -> dict[str, Any]:
    """A customer's values by OWRS name, from the engine's determinants."""
    data: dict[str, Any] = {
        "usage_ccf": usage,
        "cust_class": determinants.customer_class,
        "dwelling_units": Decimal(determinants.dwelling_units),
        "days_in_period": Decimal(days),
    }
    if determinants.meter_size:
        data["meter_size"] = owrs_size(determinants.meter_size)
    if month is not None:
        data["usage_month"] = Decimal(month)
    for name, value in determinants.variables.items():
        data[name] = value
    if "irrigable_area" in data and "irr_area" not in data:
        data["irr_area"] = data["irrigable_area"]
    if "irr_area" in data and "irrigable_area" not in data:
        data["irrigable_area"] = data["irr_area"]
    return data


def skipped_class_message(problems: list[Mapping[str, Any]]) -> str:
    """The error of quoting or billing a skipped class (``problems``: its ``skipped_classes`` entries)."""
    first = problems[0]
    reasons = "; ".join(f"{item['field']} (line {item['line']}): {item['problem']}" for item in problems)
    return (
        f"Customer class {first['class']} was skipped when the OWRS file was imported: {reasons}. "
        "Correct the file and import it again."
    )


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def rate_owrs_lines(
    document: Mapping[str, Any], determinants: Determinants, context: SubPeriodContext
) -> list[ChargeLine]:
    """Price the customer's class of an OWRS document for one sub-period."""
    skipped = [
        item
        for item in document.get("skipped_classes") or ()
        if item.get("class") == determinants.customer_class
    ]
    if skipped:
        raise RatingError(skipped_class_message(skipped))
    data = owrs_data(determinants, usage=context.usage, days=context.days, month=context.end.month)
    try:
        calculator = ClassCalculator(
            document["owrs"].get("rate_structure") or {}, determinants.customer_class, data
        )
        terms = calculator.bill_terms()
        if terms is None:
            terms_values = [(1, "bill", calculator.number("bill"))]
        else:
            terms_values = [(sign, name, calculator.number(name)) for sign, name in terms]
    except OwrsError as error:
        raise RatingError(str(error)) from None

    def line(**kwargs: Any) -> ChargeLine:
        return ChargeLine(
            service=context.service,
            period_start=context.start,
            period_end=context.end,
            version_id=context.version_id,
            version_label=context.version_label,
            **kwargs,
        )

    lines: list[ChargeLine] = []
    for sign, name, value in terms_values:
        charge = calculator.charges.get(name)
        if charge is None:
            lines.append(
                line(
                    charge_key=name,
                    description=_title(name),
                    quantity=Decimal(1),
                    unit="month",
                    amount=round_half_up(sign * value),
                    price=value,
                    detail={"owrs_field": name, "value": str(value)},
                )
            )
            continue
        for tier in charge.tiers:
            if tier.usage == 0 and not (tier.tier == 1 and context.usage == 0):
                continue
            lines.append(
                line(
                    charge_key=name,
                    description=f"{_title(name)}, tier {tier.tier}",
                    quantity=tidy(tier.usage),
                    unit=str(document.get("unit", "HCF")),
                    amount=round_half_up(sign * tier.usage * tier.price),
                    tier=tier.tier,
                    price=tier.price,
                    detail={
                        "owrs_field": name,
                        "rate_type": charge.rate_type,
                        "tier_start": str(tidy(tier.start)),
                        **charge.detail,
                    },
                )
            )
    return lines
