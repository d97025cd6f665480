"""The rating contract: what the billing run hands the engine and what it gets back. Pure.

The billing run never reads rate tables itself. For one service agreement and one billing period it

1. asks :func:`civicbill.rates.selectors.rating_plans` (one call per run, bulk) for the
   :class:`RatingPlan` of every schedule code it needs: the schedule versions in effect at any day
   of the period, oldest first;
2. builds :class:`Determinants` from the account, premise, meter and consumption; and
3. calls :func:`civicbill.rates.engine.rate_period` (pure), which splits the period where a new
   version takes effect, prorates fixed charges and tier widths by days, and returns a
   :class:`RatingResult` of :class:`ChargeLine` s whose amounts are already rounded to the cent.

Determinant names follow OWRS so a schedule converted from an OWRS file and a hand-written one
read the same variables: ``usage_ccf`` (= usage in HCF), ``days_in_period``, ``meter_size``
(OWRS spelling: ``3/4"``, ``1|1/2"``), ``cust_class``, ``dwelling_units``, ``hhsize``, ``et_amount``,
``irrigable_area``, ``usage_month``, ``usage_zone``, ``water_type``, ``winter_average_ccf``,
``containers`` ...
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class Determinants:
    """Everything a schedule may price on, for one agreement and one billing period."""

    usage_hcf: Decimal  # billed consumption for the whole period (0 for services without a meter)
    customer_class: str  # the class inside the schedule, e.g. RESIDENTIAL_SINGLE
    meter_size: str | None = None  # civicbill MeterSize value ("3/4", "1-1/2"); the engine maps to OWRS
    dwelling_units: int = 1
    variables: Mapping[str, Decimal | str] = field(default_factory=dict)  # any other OWRS-named value


@dataclass(frozen=True, slots=True)
class ChargeLine:
    """One priced line of a bill segment. ``amount`` is rounded half up to the cent (ADR 0001)."""

    service: str  # civicbill Service value (water, sewer, refuse, fire_line)
    charge_key: str  # stable key from the schedule ("service_charge", "commodity_charge", ...)
    description: str  # English text for the bill; documents translate by charge_key/description
    quantity: Decimal  # HCF in the tier, months, units, containers; 1 for a flat charge
    unit: str  # "HCF", "month", "unit", "container", "%", ...
    amount: Decimal  # exact cents as Decimal("12.34"); negative for a credit line
    tier: int | None = None  # 1-based tier number for block charges
    price: Decimal | None = None  # unit price as written in the schedule (may carry > 2 decimals)
    proration: Decimal | None = None  # days ÷ standard days when applied, else None
    period_start: dt.date | None = None  # the sub-period this line rates (a rate change splits a period)
    period_end: dt.date | None = None
    version_id: int | None = None  # RateScheduleVersion.pk the price came from
    version_label: str = ""  # e.g. "W-RES from 2017-07-01", for "explain this bill"
    detail: Mapping[str, Any] = field(default_factory=dict)  # e.g. tier bounds, budget, formula


@dataclass(frozen=True, slots=True)
class RatingResult:
    lines: tuple[ChargeLine, ...]
    errors: tuple[str, ...] = ()  # e.g. "no price for meter size 10\"": the billing run raises an exception

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class PlanVersion:
    """One schedule version as the engine needs it: its id, start day and parsed document."""

    version_id: int | None
    effective_from: dt.date
    document: Mapping[str, Any]  # the parsed schedule (civicbill-yaml) or OWRS document, JSON-ready
    source_format: str = "civicbill-yaml"  # or "owrs"
    label: str = ""  # "W-RES from 2017-07-01"


@dataclass(frozen=True, slots=True)
class RatingPlan:
    """A schedule and the versions in effect at any day of one period, oldest first.

    A version runs until the next version's ``effective_from``; the engine splits the period there.
    """

    code: str
    service: str
    versions: tuple[PlanVersion, ...]
