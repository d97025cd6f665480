"""Applying one OWRS customer class to one customer, with RateParser's semantics. Pure.

Fields are evaluated on demand (in any order; RateParser needs ``tier_starts`` before the
``Tiered`` charge, civicbill does not). A customer's own values (``usage_ccf``, ``meter_size``,
``hhsize`` ...) take precedence over fields of the same name, as in RateParser's data frame.

- ``depends_on`` + ``values``: a lookup keyed by the customer's values, joined with ``|`` for
  several keys (``3/4"|POTABLE``). Sizes match across spellings (``1|1/2"`` = ``1 1/2"`` =
  civicbill ``1-1/2``); text matches ignoring case when there is no exact match.
- ``Tiered`` (``commodity_charge`` with ``tier_starts``/``tier_prices``, ``sewer_charge`` with
  ``sewer_tier_starts``/``sewer_tier_prices``): tier *i* holds usage up to start(i+1) − 1, so
  ``[0, 15, 21]`` puts units 1–14 in tier 1, 15–20 in tier 2 and the rest in tier 3.
- ``Budget``: the starts are computed per customer — ``indoor``/``outdoor`` rounded to whole units,
  ``p%`` = round(p/100 × budget) (``sewer_budget`` for sewer), halves to even as R rounds — and
  tier *i* holds usage up to start(i+1) itself.
- The ``_commodity`` spellings (``tier_starts_commodity``, ``budget_commodity``, ``gpcd_commodity`` ...)
  are read as the plain names, as the California Data Collaborative's tools do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from itertools import combinations
from typing import Any

from civicbill.rates.owrs.formula import FormulaError, evaluate, parse_formula, sum_terms
from civicbill.rates.sizes import normalize_size

RATE_TYPES = ("Tiered", "Budget")
CHARGE_STARTS = {
    "commodity_charge": ("tier_starts", "tier_prices", "budget"),
    "sewer_charge": ("sewer_tier_starts", "sewer_tier_prices", "sewer_budget"),
}
_NUMBER_TEXT = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ".", "-", "+")


class OwrsError(ValueError):
    """The OWRS file cannot price this customer; the message says what is missing or wrong."""


@dataclass(frozen=True)
class TierUsage:
    tier: int
    start: Decimal  # the tier's start as computed for this customer
    usage: Decimal
    price: Decimal


@dataclass
class OwrsCharge:
    """One evaluated field: its value and, for a Tiered/Budget charge, the usage in each tier."""

    name: str
    value: Decimal
    tiers: list[TierUsage] = field(default_factory=list)
    rate_type: str = ""
    detail: dict[str, str] = field(default_factory=dict)


def standardize(class_rate: Mapping[str, Any]) -> dict[str, Any]:
    """The class's fields, with ``X_commodity`` also readable as ``X`` (unless ``X`` is defined)."""
    fields = dict(class_rate)
    for name, value in class_rate.items():
        if name.endswith("_commodity") and name != "_commodity":
            base = name[: -len("_commodity")]
            fields.setdefault(base, value)
    return fields


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    if not text or text[0] not in _NUMBER_TEXT:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _key_text(value: Any) -> str:
    number = _as_number(value)
    if number is not None and not isinstance(value, str):
        return str(number.normalize()) if number != number.to_integral_value() else str(int(number))
    if (
        number is not None
        and isinstance(value, str)
        and number == number.to_integral_value()
        and "." in value
    ):
        return str(int(number))
    return str(value)


def round_half_even(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)


class ClassCalculator:
    """Evaluates the fields of one customer class for one customer."""

    def __init__(self, rate_structure: Mapping[str, Any], cust_class: str, data: Mapping[str, Any]) -> None:
        class_rate = rate_structure.get(cust_class)
        if class_rate is None:
            raise OwrsError(f"No rate information for customer class {cust_class} is present in rate file.")
        if not isinstance(class_rate, Mapping):
            raise OwrsError(f"The rate structure of customer class {cust_class} is not a mapping of fields.")
        self.cust_class = cust_class
        self.fields = standardize(class_rate)
        self.data = dict(data)
        self.data.setdefault("cust_class", cust_class)
        self.values: dict[str, Any] = {}
        self.charges: dict[str, OwrsCharge] = {}
        self.evaluating: list[str] = []

    # -- reading fields --------------------------------------------------------------------------
    def value(self, name: str) -> Any:
        """A field's value: a Decimal, a list (tiers) or text."""
        if name in self.data:
            return self.data[name]
        if name in self.values:
            return self.values[name]
        if name not in self.fields:
            raise OwrsError(
                f"The field {name} is not present in the OWRS file for customer class {self.cust_class}"
            )
        if name in self.evaluating:
            chain = " → ".join([*self.evaluating[self.evaluating.index(name) :], name])
            raise OwrsError(
                f"The fields of customer class {self.cust_class} refer to each other in a loop: {chain}"
            )
        self.evaluating.append(name)
        try:
            result = self._evaluate(name, self.fields[name])
        finally:
            self.evaluating.pop()
        self.values[name] = result
        return result

    def number(self, name: str) -> Decimal:
        value = self.value(name)
        number = _as_number(value)
        if number is None:
            raise OwrsError(
                f"The field {name} of customer class {self.cust_class} is {value!r}, not a number"
            )
        return number

    def _evaluate(self, name: str, part: Any) -> Any:
        if isinstance(part, Mapping):
            return self._lookup(name, part)
        if isinstance(part, list):
            return list(part)
        if part is None:
            raise OwrsError(f"The field {name} of customer class {self.cust_class} has no value")
        if isinstance(part, str) and part.strip() in RATE_TYPES:
            if name not in CHARGE_STARTS:
                raise OwrsError(
                    f"{part.strip()} can only be the rate type of commodity_charge or sewer_charge, "
                    f"not of {name}"
                )
            return self._charge(name, part.strip()).value
        number = _as_number(part)
        if number is not None:
            return number
        if isinstance(part, bool):
            raise OwrsError(f"The field {name} of customer class {self.cust_class} is a yes/no, not a number")
        try:
            return evaluate(parse_formula(str(part)), self.number)
        except FormulaError as error:
            raise OwrsError(f"{name} ({self.cust_class}): {error}") from None

    def _lookup(self, name: str, part: Mapping[str, Any]) -> Any:
        has_depends, has_values = "depends_on" in part, "values" in part
        if has_depends != has_values:
            raise OwrsError(
                "Each 'depends_on' clause must have a corresponding 'values' clause, and vice versa."
            )
        if not has_depends:
            raise OwrsError(
                f"The field {name} of customer class {self.cust_class} is a mapping without depends_on"
            )
        depends = part["depends_on"]
        depends_on = [str(item) for item in (depends if isinstance(depends, list) else [depends])]
        keys = []
        for dependency in depends_on:
            try:
                keys.append(self.value(dependency))
            except OwrsError:
                raise OwrsError(
                    f"One of the fields ({', '.join(depends_on)}) is not present. "
                    "It can be defined either in the data or in the rate file."
                ) from None
        values = part["values"]
        if not isinstance(values, Mapping):
            raise OwrsError(f"The values of {name} ({self.cust_class}) must be a mapping")
        wanted = [_key_text(key) for key in keys]
        joined = "|".join(wanted)
        if joined in values:
            return values[joined]
        for candidate, result in values.items():
            for parts in _key_splits(str(candidate), len(depends_on)):
                if all(
                    _same_key(dependency, want, have)
                    for dependency, want, have in zip(depends_on, wanted, parts, strict=True)
                ):
                    return result
        described = ", ".join(f"{dep}={want}" for dep, want in zip(depends_on, wanted, strict=True))
        raise OwrsError(
            f"{name} of customer class {self.cust_class} has no value for {described} "
            f"(it has {', '.join(str(key) for key in values)})"
        )

    # -- Tiered and Budget charges ---------------------------------------------------------------
    def _charge(self, name: str, rate_type: str) -> OwrsCharge:
        starts_name, prices_name, budget_name = CHARGE_STARTS[name]
        if starts_name not in self.fields and starts_name not in self.data:
            raise OwrsError(
                f"{starts_name} is not present in the {self.cust_class} rate structure ({name}: {rate_type})"
            )
        if prices_name not in self.fields and prices_name not in self.data:
            raise OwrsError(
                f"{prices_name} is not present in the {self.cust_class} rate structure ({name}: {rate_type})"
            )
        raw_starts = _as_list(self.value(starts_name))
        prices = [self._tier_number(prices_name, item) for item in _as_list(self.value(prices_name))]
        if len(raw_starts) != len(prices):
            raise OwrsError(
                f"{starts_name} has {len(raw_starts)} tiers and {prices_name} {len(prices)} "
                f"in customer class {self.cust_class}"
            )
        usage = self.number("usage_ccf")
        detail: dict[str, str] = {}
        if rate_type == "Tiered":
            starts = []
            for item in raw_starts:
                number = _as_number(item)
                if number is None:
                    raise OwrsError(
                        f"{starts_name} of a Tiered {name} must be numbers; {item!r} in customer class "
                        f"{self.cust_class} is a budget tier start (use {name}: Budget)"
                    )
                starts.append(number)
            usages = _usage_in_tiers(usage, starts, budget_based=False)
        else:
            budget = self.number(budget_name)
            starts = [self._budget_start(starts_name, item, budget, detail) for item in raw_starts]
            detail["budget"] = str(budget)
            usages = _usage_in_tiers(usage, starts, budget_based=True)
        tiers = [
            TierUsage(tier=index + 1, start=start, usage=used, price=price)
            for index, (start, used, price) in enumerate(zip(starts, usages, prices, strict=True))
        ]
        charge = OwrsCharge(
            name=name,
            value=sum((tier.usage * tier.price for tier in tiers), Decimal(0)),
            tiers=tiers,
            rate_type=rate_type,
            detail=detail,
        )
        self.charges[name] = charge
        return charge

    def _tier_number(self, name: str, item: Any) -> Decimal:
        number = _as_number(item)
        if number is None:
            raise OwrsError(f"{name} in customer class {self.cust_class} must be numbers, not {item!r}")
        return number

    def _budget_start(self, name: str, item: Any, budget: Decimal, detail: dict[str, str]) -> Decimal:
        number = _as_number(item)
        if number is not None:
            return number
        text = str(item).strip().lower()
        if text in ("indoor", "outdoor"):
            rounded = round_half_even(self.number(text))
            detail[text] = str(rounded)
            return rounded
        if text.endswith("%"):
            percent = _as_number(text[:-1])
            if percent is None:
                raise OwrsError(f"{name} in customer class {self.cust_class}: {item!r} is not a percentage")
            return round_half_even(percent / 100 * budget)
        raise OwrsError(
            f"{name} in customer class {self.cust_class}: {item!r} is not a number, indoor, outdoor "
            "or a percentage"
        )

    # -- the bill --------------------------------------------------------------------------------
    def bill_terms(self) -> list[tuple[int, str]] | None:
        """The ``bill`` formula as signed field names when it is a plain sum, else None."""
        if "bill" not in self.fields:
            raise OwrsError(
                f"The field bill is not present in the OWRS file for customer class {self.cust_class}"
            )
        bill = self.fields["bill"]
        if not isinstance(bill, str) or _as_number(bill) is not None:
            return None
        try:
            return sum_terms(parse_formula(bill))
        except FormulaError as error:
            raise OwrsError(f"bill ({self.cust_class}): {error}") from None


def _key_splits(candidate: str, count: int) -> list[list[str]]:
    """Ways to read a ``values`` key as ``count`` parts joined by ``|`` (a size may hold one: ``1|1/2"``)."""
    if count == 1:
        return [[candidate]]
    pieces = candidate.split("|")
    if len(pieces) < count:
        return []
    splits = []
    for cuts in combinations(range(1, len(pieces)), count - 1):
        bounds = (0, *cuts, len(pieces))
        splits.append(["|".join(pieces[bounds[i] : bounds[i + 1]]) for i in range(count)])
    return splits


def _same_key(dependency: str, want: str, have: str) -> bool:
    if want == have:
        return True
    if dependency.endswith("size"):
        return normalize_size(want) == normalize_size(have)
    want_number, have_number = _as_number(want), _as_number(have)
    if want_number is not None and have_number is not None:
        return want_number == have_number
    return want.strip().lower() == have.strip().lower()


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str) and ("\n" in value or " " in value.strip()):
        return value.split()
    return [value]


def _usage_in_tiers(usage: Decimal, starts: list[Decimal], *, budget_based: bool) -> list[Decimal]:
    """RateParser's tier split: Tiered tiers end at start(i+1) − 1, Budget tiers at start(i+1)."""
    result: list[Decimal] = []
    lower = Decimal(0)
    for index in range(len(starts) - 1):
        top = starts[index + 1] if budget_based else starts[index + 1] - 1
        used = max(min(usage - lower, top - lower), Decimal(0))
        result.append(used)
        lower += used
    result.append(max(usage - lower, Decimal(0)))
    return result


def calculate_class(
    rate_structure: Mapping[str, Any], cust_class: str, data: Mapping[str, Any]
) -> tuple[Decimal, ClassCalculator]:
    """The bill (exact, unrounded, as RateParser computes it) and the calculator holding each field."""
    calculator = ClassCalculator(rate_structure, cust_class, data)
    return calculator.number("bill"), calculator
