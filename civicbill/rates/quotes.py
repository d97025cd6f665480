"""Quoting one bill on a schedule (the quote page, the API and ``civicbill rates quote``).

:func:`quote_plan` is pure; :func:`rate_quote` looks the schedule up first. Neither stores anything.
Errors raise ApplicationError with ``field`` set to the input at fault (``schedule``,
``customer_class``, ``meter_size``, ``variables``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from civicbill.core.exceptions import ApplicationError
from civicbill.rates.engine import rate_period
from civicbill.rates.sizes import normalize_size
from civicbill.rates.types import ChargeLine, Determinants, RatingPlan

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class QuoteLine:
    line: ChargeLine

    def __getattr__(self, name: str) -> Any:
        return getattr(self.line, name)

    @property
    def amount_cents(self) -> int:
        return int(self.line.amount.scaleb(2))

    def as_json(self) -> dict[str, Any]:
        line = self.line
        return {
            "description": line.description,
            "amount": str(line.amount),
            "service": line.service,
            "charge_key": line.charge_key,
            "quantity": str(line.quantity),
            "unit": line.unit,
            "tier": line.tier,
            "price": None if line.price is None else str(line.price),
            "proration": None if line.proration is None else str(line.proration),
            "period_start": line.period_start.isoformat() if line.period_start else None,
            "period_end": line.period_end.isoformat() if line.period_end else None,
            "version_id": line.version_id,
            "version_label": line.version_label,
            "detail": dict(line.detail),
        }


@dataclass(frozen=True)
class Quote:
    schedule_code: str
    customer_class: str
    period_start: dt.date
    period_end: dt.date
    days: int
    lines: tuple[QuoteLine, ...]
    total: Decimal
    cycle_days: int | None = None  # the period is part of a billing cycle of this many days

    @property
    def total_cents(self) -> int:
        return int(self.total.scaleb(2))

    @property
    def proration(self) -> str | None:
        """The factor(s) the lines were prorated by, as days of a month: ``"17/31"`` (a rate change
        inside the period names each part: ``"13/31, 14/31"``); ``None`` when billed whole."""
        fractions: list[str] = []
        for line in self.lines:
            fraction = line.line.detail.get("proration") if line.line.proration is not None else None
            if fraction and fraction not in fractions:
                fractions.append(str(fraction))
        return ", ".join(fractions) or None

    def proration_text(self) -> str:
        """One sentence naming the factor: ``Prorated 17/31: 17 days of a 31-day cycle.``"""
        if self.proration is None:
            return "" if self.cycle_days is None else f"Not prorated: {self.days} days billed as one month."
        if self.cycle_days is not None and self.days < self.cycle_days:
            fraction = f"{self.days}/{self.cycle_days}"
            return f"Prorated {fraction}: {self.days} days of a {self.cycle_days}-day cycle."
        return f"Prorated {self.proration}: {self.days} days."

    def as_json(self) -> dict[str, Any]:
        return {
            "total": str(self.total),
            "schedule": self.schedule_code,
            "customer_class": self.customer_class,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "days": self.days,
            "cycle_days": self.cycle_days,
            "proration": self.proration,
            "lines": [line.as_json() for line in self.lines],
        }


def determinant_value(text: str) -> Decimal | str:
    """A typed value: a number when it reads as one (``4.8``), else the text (``POTABLE``, ``3/4"``)."""
    value = text.strip()
    if value[:1].isdigit() or value[:1] in ".-":
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        if number.is_finite():
            return number
    return value


def quote_plan(
    *,
    plan: RatingPlan,
    customer_class: str,
    usage_hcf: Decimal,
    period_end: dt.date,
    days: int | None = None,
    meter_size: str | None = None,
    variables: Mapping[str, str | Decimal] | None = None,
    cycle_days: int | None = None,
) -> Quote:
    """Price one bill of ``days`` days ending on ``period_end`` (pure).

    ``cycle_days`` says the ``days`` are part of a billing cycle of that length (a move-in or
    move-out): they prorate by days ÷ cycle days exactly, as the billing run does. Without it the
    period is a whole cycle (within ±2 days of the schedule's standard days: one month).
    """
    days = days or DEFAULT_DAYS
    if usage_hcf < 0:
        raise ApplicationError("The usage cannot be negative.", field="usage")
    if cycle_days is not None and cycle_days < 1:
        raise ApplicationError("The cycle must have at least one day.", field="cycle_days")
    values: dict[str, Decimal | str] = {
        name.strip(): determinant_value(value) if isinstance(value, str) else value
        for name, value in (variables or {}).items()
    }
    given_size = values.pop("meter_size", None)
    size = meter_size or (str(given_size) if given_size is not None else None)
    units = values.pop("dwelling_units", Decimal(1))
    if not isinstance(units, Decimal) or units != units.to_integral_value() or units < 0:
        raise ApplicationError(f"dwelling_units must be a whole number, not {units!r}.", field="variables")
    period_start = period_end - dt.timedelta(days=days - 1)
    customer_class = customer_class.strip().upper()
    result = rate_period(
        plan=plan,
        determinants=Determinants(
            usage_hcf=usage_hcf,
            customer_class=customer_class,
            meter_size=normalize_size(size) if size else None,
            dwelling_units=int(units),
            variables=values,
        ),
        period_start=period_start,
        period_end=period_end,
        cycle_days=cycle_days,
    )
    if result.errors:
        message = "; ".join(result.errors)
        field = "meter_size" if "meter_size" in message else "customer_class" if "class" in message else None
        raise ApplicationError(message, code="rating_error", field=field or "variables")
    return Quote(
        schedule_code=plan.code,
        customer_class=customer_class,
        period_start=period_start,
        period_end=period_end,
        days=days,
        lines=tuple(QuoteLine(line) for line in result.lines),
        total=result.total,
        cycle_days=cycle_days,
    )


def rate_quote(
    *,
    schedule_code: str,
    customer_class: str,
    usage_hcf: Decimal,
    as_of: dt.date,
    days: int | None = None,
    meter_size: str | None = None,
    variables: Mapping[str, str | Decimal] | None = None,
    cycle_days: int | None = None,
) -> Quote:
    """Quote a bill on a loaded schedule for the ``days`` days ending on ``as_of`` (of a billing
    cycle of ``cycle_days`` days when given; see :func:`quote_plan`)."""
    from civicbill.rates.selectors import rating_plans, schedule_get

    code = schedule_get(schedule_code).code
    period_end = as_of
    period_start = period_end - dt.timedelta(days=(days or DEFAULT_DAYS) - 1)
    plan = rating_plans(codes=[code], period_start=period_start, period_end=period_end).get(code)
    if plan is None:
        raise ApplicationError(
            f"{code} has no version in effect from {period_start} to {period_end}.", field="schedule"
        )
    return quote_plan(
        plan=plan,
        customer_class=customer_class,
        usage_hcf=usage_hcf,
        period_end=period_end,
        days=days,
        meter_size=meter_size,
        variables=variables,
        cycle_days=cycle_days,
    )
