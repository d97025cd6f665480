"""Consumption between two register reads, in the billing unit (HCF). Pure: no database.

- Register units: CF, HCF, gallons, thousand gallons; ``multiplier`` scales the register (a ×10 meter
  reading 1234 has registered 12,340 units).
- A current read below the previous one on an N-dial register is a **rollover** when plausible:
  consumption = 10^N − previous + current (5 dials, 99,986 → 11 is 25 units). Here it is plausible when
  the wrapped usage is at most ``max_rollover_fraction`` of the register's capacity (default one half,
  the physical bound; :data:`NO_HISTORY_ROLLOVER_FRACTION`, a tenth, for a live read judged without
  history). The read validator judges a rollover against the meter's usual use when there is history
  (:func:`rollover_units`); otherwise the read is lower than the previous one and is an exception, never
  a huge bill (60,000 → 10,000 on 5 dials would be 50,000 CF).
- 1 HCF = 100 cubic feet = 748 gallons (the industry's rounded figure, used by utilities' bills).
  Results keep exact decimals; billing rounds money, not water.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

GALLONS_PER_HCF = Decimal(748)
CUBIC_FEET_PER_HCF = Decimal(100)

HCF_PER_UNIT: dict[str, Decimal] = {
    "CF": Decimal(1) / CUBIC_FEET_PER_HCF,
    "HCF": Decimal(1),
    "GAL": Decimal(1) / GALLONS_PER_HCF,
    "KGAL": Decimal(1000) / GALLONS_PER_HCF,
}
HCF_PLACES = Decimal("0.001")


def to_hcf(units: Decimal, read_unit: str) -> Decimal:
    """Register units → HCF, exact for CF and HCF, to 1/1000 HCF for gallons (about 0.75 gallon)."""
    try:
        factor = HCF_PER_UNIT[read_unit]
    except KeyError:
        raise ValueError(
            f"unknown read unit {read_unit!r}; expected one of {', '.join(HCF_PER_UNIT)}"
        ) from None
    value = units * factor
    return value if read_unit in ("CF", "HCF") else value.quantize(HCF_PLACES)


@dataclass(frozen=True, slots=True)
class Register:
    dials: int
    read_unit: str
    multiplier: Decimal = Decimal(1)

    @property
    def capacity(self) -> int:
        """How many register units before it wraps to zero (10^dials)."""
        return 10**self.dials


@dataclass(frozen=True, slots=True)
class Consumption:
    units: Decimal  # register units × multiplier
    hcf: Decimal
    rolled_over: bool


# a rollover judged without the meter's history: the wrapped use may be at most a tenth of the register
NO_HISTORY_ROLLOVER_FRACTION = Decimal("0.1")


class NotPlausibleError(ValueError):
    """The current read is lower than the previous and not a plausible rollover."""


def _shown(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def rollover_units(register: Register, *, previous: Decimal, current: Decimal) -> Decimal:
    """The use a lower ``current`` read would mean if the register wrapped: (10^dials − previous +
    current) × multiplier, in register units."""
    return (register.capacity - previous + current) * register.multiplier


def not_plausible_rollover(
    register: Register, *, previous: Decimal, current: Decimal, on: str = "", what: str = "register"
) -> str:
    """The words for a lower read that is not taken as a rollover ("... it would mean 50,000 CF")."""
    units = rollover_units(register, previous=previous, current=current)
    return (
        f"Read {_shown(current)} is lower than the previous read {_shown(previous)}{on} "
        f"and is not a plausible rollover for a {register.dials}-dial {what}: "
        f"it would mean {_shown(units)} {register.read_unit}"
    )


def consumption_between(
    register: Register,
    *,
    previous: Decimal,
    current: Decimal,
    max_rollover_fraction: Decimal = Decimal("0.5"),
) -> Consumption:
    """Usage from ``previous`` to ``current`` on ``register``; raises NotPlausibleError when the current
    read is lower than the previous and the wrap would mean implausibly large usage."""
    if current >= previous:
        raw, rolled = current - previous, False
    else:
        raw, rolled = register.capacity - previous + current, True
        if raw > register.capacity * max_rollover_fraction:
            raise NotPlausibleError(not_plausible_rollover(register, previous=previous, current=current))
    units = raw * register.multiplier
    return Consumption(units=units, hcf=to_hcf(units, register.read_unit), rolled_over=rolled)


def hcf_between(
    register: Register, *, max_rollover_fraction: Decimal = Decimal("0.5")
) -> Callable[[Decimal, Decimal], tuple[Decimal, bool]]:
    """:func:`consumption_between` for one register with its constants worked out once, for batch
    validation: ``between(previous, current)`` gives ``(hcf, rolled_over)``, the same figures in
    the same Decimal steps (a test checks it), or raises NotPlausibleError."""
    capacity = register.capacity
    limit = capacity * max_rollover_fraction
    multiplier = register.multiplier
    try:
        factor = HCF_PER_UNIT[register.read_unit]
    except KeyError:
        raise ValueError(
            f"unknown read unit {register.read_unit!r}; expected one of {', '.join(HCF_PER_UNIT)}"
        ) from None
    exact = register.read_unit in ("CF", "HCF")

    def between(previous: Decimal, current: Decimal) -> tuple[Decimal, bool]:
        if current >= previous:
            raw, rolled = current - previous, False
        else:
            raw, rolled = capacity - previous + current, True
            if raw > limit:
                raise NotPlausibleError(not_plausible_rollover(register, previous=previous, current=current))
        hcf = raw * multiplier * factor
        return (hcf if exact else hcf.quantize(HCF_PLACES)), rolled

    return between


def fits_register(register: Register, value: Decimal) -> bool:
    """A read must be non-negative and have no more whole digits than the register has dials."""
    return Decimal(0) <= value < register.capacity
