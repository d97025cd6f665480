"""The facts a high-usage notice states, computed from reads. Pure: no database.

Quantities are exact ``Decimal``s; what the letter shows is rounded for people (whole gallons, one
decimal for "times your usual use"). 1 HCF = 748 gallons (the industry's rounded figure).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from civicbill.meters.consumption import GALLONS_PER_HCF

_HCF_PLACES = Decimal("0.001")
_ONE_PLACE = Decimal("0.1")
_WHOLE = Decimal(1)


def _whole(value: Decimal) -> Decimal:
    return value.quantize(_WHOLE, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """A register value without trailing zeros or exponent: 4512.000 → ``4512``, 12.50 → ``12.5``."""
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class HighUsageFacts:
    read_on: dt.date
    read_value: Decimal
    read_unit: str
    previous_read_on: dt.date | None
    previous_read_value: Decimal | None
    days: int
    consumption_hcf: Decimal
    usual_daily_hcf: Decimal

    @property
    def daily_hcf(self) -> Decimal:
        return (self.consumption_hcf / self.days).quantize(_HCF_PLACES, rounding=ROUND_HALF_UP)

    @property
    def consumption_gallons(self) -> Decimal:
        return _whole(self.consumption_hcf * GALLONS_PER_HCF)

    @property
    def daily_gallons(self) -> Decimal:
        return _whole(self.consumption_hcf * GALLONS_PER_HCF / self.days)

    @property
    def usual_daily_gallons(self) -> Decimal:
        return _whole(self.usual_daily_hcf * GALLONS_PER_HCF)

    @property
    def times_usual(self) -> Decimal | None:
        """How many times the usual daily use (one decimal); None when there is no usual use."""
        if self.usual_daily_hcf <= 0:
            return None
        return (self.consumption_hcf / self.days / self.usual_daily_hcf).quantize(
            _ONE_PLACE, rounding=ROUND_HALF_UP
        )

    @property
    def percent_of_usual(self) -> Decimal | None:
        if self.usual_daily_hcf <= 0:
            return None
        return _whole(self.consumption_hcf / self.days / self.usual_daily_hcf * 100)

    def as_context(self) -> dict[str, str | int | None]:
        """JSON-ready: dates as ISO text, quantities as decimal text (never floats)."""

        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "read_on": self.read_on.isoformat(),
            "read_value": plain(self.read_value),
            "read_unit": self.read_unit,
            "previous_read_on": self.previous_read_on.isoformat() if self.previous_read_on else None,
            "previous_read_value": (
                None if self.previous_read_value is None else plain(self.previous_read_value)
            ),
            "days": self.days,
            "consumption_hcf": str(self.consumption_hcf),
            "consumption_gallons": str(self.consumption_gallons),
            "daily_hcf": str(self.daily_hcf),
            "daily_gallons": str(self.daily_gallons),
            "usual_daily_hcf": str(self.usual_daily_hcf),
            "usual_daily_gallons": str(self.usual_daily_gallons),
            "times_usual": text(self.times_usual),
            "percent_of_usual": text(self.percent_of_usual),
        }
