"""The civicbill rate schedule file (YAML): parse, validate, normalise. Pure.

``parse_schedule(text)`` returns a :class:`ScheduleDocument` (its ``document`` is the JSON-ready
form stored on a version and read by the engine) or raises :class:`ScheduleFileError` naming the
key and the line. The format is documented in docs/rates.md; the decision in ADR 0006.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from civicbill.core.utility_services import Service
from civicbill.rates.sizes import normalize_size
from civicbill.rates.yamlio import LocatedDocument, Path, YamlFileError, load_located, path_text

FORMAT = "civicbill-yaml"
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,19}$")
CLASS_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{0,39}$")
VARIABLE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

TOP_KEYS = {
    "schedule",
    "service",
    "name",
    "description",
    "effective_from",
    "standard_days",
    "unit",
    "classes",
}
CHARGE_TYPES = ("fixed", "tiered", "budget", "volumetric", "minimum", "percent")
PER_VALUES = ("account", "dwelling_unit", "container")
_COMMON = {"key", "type", "description"}
CHARGE_KEYS: dict[str, set[str]] = {
    "fixed": _COMMON | {"amount", "by", "prices", "per", "prorate"},
    "tiered": _COMMON | {"tiers", "prorate"},
    "budget": _COMMON | {"gallons_per_person_per_day", "outdoor_factors", "gallons_per_unit", "tiers"},
    "volumetric": _COMMON | {"price", "cap", "factor"},
    "minimum": _COMMON | {"amount", "prorate"},
    "percent": _COMMON | {"rate", "of"},
}
DEFAULT_DESCRIPTIONS = {
    "fixed": "Service charge",
    "tiered": "Usage",
    "budget": "Usage (budget-based)",
    "volumetric": "Volume charge",
    "minimum": "Minimum charge",
    "percent": "Surcharge",
}


class ScheduleFileError(YamlFileError):
    """A schedule file was refused; the message names the key and the line."""


@dataclass(frozen=True)
class ScheduleDocument:
    code: str
    service: str
    name: str
    description: str
    effective_from: dt.date
    document: dict[str, Any]


class _Reader:
    def __init__(self, located: LocatedDocument) -> None:
        self.located = located

    def fail(self, path: Path, message: str) -> ScheduleFileError:
        return ScheduleFileError(message, line=self.located.line(path), key=path_text(path))

    def mapping(self, value: Any, path: Path, allowed: set[str] | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "must be a mapping of keys to values")
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    raise self.fail(
                        (*path, key), f"unknown key {key!r}; expected one of {', '.join(sorted(allowed))}"
                    )
        return value

    def required(self, mapping: dict[str, Any], key: str, path: Path) -> Any:
        if key not in mapping or mapping[key] is None:
            raise self.fail(path, f"missing required key {key!r}")
        return mapping[key]

    def text(self, value: Any, path: Path) -> str:
        if isinstance(value, bool) or value is None or isinstance(value, list | dict):
            raise self.fail(path, "must be text")
        return str(value).strip()

    def number(self, value: Any, path: Path, *, positive: bool = False) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, Decimal | str):
            raise self.fail(path, f"must be a number like 1.50, not {value!r}")
        try:
            number = Decimal(str(value).strip().replace("$", "").replace(",", ""))
        except ArithmeticError:
            raise self.fail(path, f"must be a number like 1.50, not {value!r}") from None
        if not number.is_finite() or number < 0 or (positive and number == 0):
            raise self.fail(
                path, f"must be a {'positive' if positive else 'non-negative'} number, not {value}"
            )
        return number

    def variable(self, value: Any, path: Path) -> str:
        name = self.text(value, path)
        if not VARIABLE_PATTERN.match(name):
            raise self.fail(path, f"{name!r} is not a determinant name (lower_case, like hhsize)")
        return name


def parse_schedule(text: str) -> ScheduleDocument:
    """Read and validate one schedule version file. Raises ScheduleFileError (key + line)."""
    try:
        located = load_located(text)
    except YamlFileError as error:
        raise ScheduleFileError(error.message, line=error.line) from None
    reader = _Reader(located)
    if isinstance(located.data, dict) and "rate_structure" in located.data:
        raise reader.fail(
            ("rate_structure",),
            "this is an OWRS file; import it with `civicbill rates import-owrs FILE --code CODE`",
        )
    top = reader.mapping(located.data, (), TOP_KEYS)
    code = reader.text(reader.required(top, "schedule", ()), ("schedule",)).upper()
    if not CODE_PATTERN.match(code):
        raise reader.fail(
            ("schedule",), f"{code!r} is not a schedule code (capitals, digits, dashes, like W-RES)"
        )
    service = reader.text(reader.required(top, "service", ()), ("service",)).lower()
    if service not in Service.values:
        raise reader.fail(
            ("service",), f"{service!r} is not a service; use one of {', '.join(Service.values)}"
        )
    effective_text = reader.text(reader.required(top, "effective_from", ()), ("effective_from",))
    try:
        effective_from = dt.date.fromisoformat(effective_text)
    except ValueError:
        raise reader.fail(("effective_from",), f"{effective_text!r} is not a date like 2017-07-01") from None
    standard_days = 30
    if "standard_days" in top:
        days = reader.number(top["standard_days"], ("standard_days",), positive=True)
        if days != days.to_integral_value() or days > 400:
            raise reader.fail(("standard_days",), "must be a whole number of days, like 30")
        standard_days = int(days)
    classes_raw = reader.mapping(reader.required(top, "classes", ()), ("classes",))
    if not classes_raw:
        raise reader.fail(("classes",), "needs at least one customer class")
    classes: dict[str, Any] = {}
    for class_name, class_body in classes_raw.items():
        path: Path = ("classes", class_name)
        if not CLASS_PATTERN.match(class_name):
            raise reader.fail(path, f"{class_name!r} is not a class name (capitals, like RESIDENTIAL_SINGLE)")
        body = reader.mapping(class_body, path, {"charges", "description"})
        charges_raw = reader.required(body, "charges", path)
        if not isinstance(charges_raw, list) or not charges_raw:
            raise reader.fail((*path, "charges"), "must be a list of at least one charge")
        charges: list[dict[str, Any]] = []
        for index, charge_raw in enumerate(charges_raw):
            charge = _charge(reader, charge_raw, (*path, "charges", index), [c["key"] for c in charges])
            charges.append(charge)
        classes[class_name] = {"charges": charges}
    name = reader.text(top.get("name") or code, ("name",))
    description = reader.text(top.get("description") or "", ("description",))
    document: dict[str, Any] = {
        "format": FORMAT,
        "schedule": code,
        "service": service,
        "name": name,
        "description": description,
        "effective_from": effective_from.isoformat(),
        "standard_days": standard_days,
        "unit": reader.text(top.get("unit") or "HCF", ("unit",)),
        "classes": classes,
    }
    return ScheduleDocument(
        code=code,
        service=service,
        name=name,
        description=description,
        effective_from=effective_from,
        document=document,
    )


def _charge(reader: _Reader, raw: Any, path: Path, earlier_keys: list[str]) -> dict[str, Any]:
    first = reader.mapping(raw, path)
    kind = reader.text(reader.required(first, "type", path), (*path, "type")).lower()
    if kind not in CHARGE_TYPES:
        raise reader.fail(
            (*path, "type"), f"{kind!r} is not a charge type; use one of {', '.join(CHARGE_TYPES)}"
        )
    body = reader.mapping(raw, path, CHARGE_KEYS[kind])
    key = reader.variable(reader.required(body, "key", path), (*path, "key"))
    if key in earlier_keys:
        raise reader.fail((*path, "key"), f"charge key {key!r} is used twice in this class")
    charge: dict[str, Any] = {
        "key": key,
        "type": kind,
        "description": reader.text(
            body.get("description") or DEFAULT_DESCRIPTIONS[kind], (*path, "description")
        ),
    }
    if kind == "fixed":
        if ("amount" in body) == ("prices" in body):
            raise reader.fail(path, "a fixed charge needs either 'amount' or 'by' with 'prices'")
        if "amount" in body:
            charge["amount"] = str(reader.number(body["amount"], (*path, "amount")))
        else:
            by = reader.variable(reader.required(body, "by", path), (*path, "by"))
            prices = reader.mapping(body["prices"], (*path, "prices"))
            if not prices:
                raise reader.fail((*path, "prices"), "needs at least one price")
            charge["by"] = by
            charge["prices"] = {
                (normalize_size(name) if by.endswith("size") else str(name)): str(
                    reader.number(value, (*path, "prices", name))
                )
                for name, value in prices.items()
            }
        per = reader.text(body.get("per") or "account", (*path, "per"))
        if per not in PER_VALUES:
            raise reader.fail((*path, "per"), f"{per!r} is not one of {', '.join(PER_VALUES)}")
        charge["per"] = per
        charge["prorate"] = _flag(reader, body, "prorate", path)
    elif kind == "tiered":
        charge["tiers"] = _tiers(reader, body, path, budget=False)
        charge["prorate"] = _flag(reader, body, "prorate", path)
    elif kind == "budget":
        charge["gallons_per_person_per_day"] = str(
            reader.number(
                reader.required(body, "gallons_per_person_per_day", path),
                (*path, "gallons_per_person_per_day"),
            )
        )
        factors = body.get("outdoor_factors") or []
        if not isinstance(factors, list):
            raise reader.fail((*path, "outdoor_factors"), "must be a list of numbers, like [0.7, 0.62]")
        charge["outdoor_factors"] = [
            str(reader.number(value, (*path, "outdoor_factors", index)))
            for index, value in enumerate(factors)
        ]
        charge["gallons_per_unit"] = str(
            reader.number(
                body.get("gallons_per_unit", Decimal(748)), (*path, "gallons_per_unit"), positive=True
            )
        )
        charge["tiers"] = _tiers(reader, body, path, budget=True)
    elif kind == "volumetric":
        charge["price"] = str(reader.number(reader.required(body, "price", path), (*path, "price")))
        charge["factor"] = str(reader.number(body.get("factor", Decimal(1)), (*path, "factor")))
        charge["cap"] = reader.variable(body["cap"], (*path, "cap")) if body.get("cap") else None
    elif kind == "minimum":
        charge["amount"] = str(reader.number(reader.required(body, "amount", path), (*path, "amount")))
        charge["prorate"] = _flag(reader, body, "prorate", path)
    elif kind == "percent":
        charge["rate"] = str(reader.number(reader.required(body, "rate", path), (*path, "rate")))
        of = body.get("of")
        if of is None:
            charge["of"] = None
        else:
            if not isinstance(of, list) or not of:
                raise reader.fail((*path, "of"), "must be a list of earlier charge keys")
            names = [reader.variable(name, (*path, "of", index)) for index, name in enumerate(of)]
            for index, name in enumerate(names):
                if name not in earlier_keys:
                    raise reader.fail(
                        (*path, "of", index), f"{name!r} is not an earlier charge in this class"
                    )
            charge["of"] = names
    return charge


def _flag(reader: _Reader, body: dict[str, Any], key: str, path: Path) -> bool:
    value = body.get(key, True)
    if not isinstance(value, bool):
        raise reader.fail((*path, key), "must be true or false")
    return value


def _tiers(reader: _Reader, body: dict[str, Any], path: Path, *, budget: bool) -> list[dict[str, Any]]:
    raw = reader.required(body, "tiers", path)
    tiers_path = (*path, "tiers")
    if not isinstance(raw, list) or not raw:
        raise reader.fail(
            tiers_path, "must be a list of tiers, like [{up_to: 41, price: 1.50}, {price: 1.65}]"
        )
    tiers: list[dict[str, Any]] = []
    previous: Decimal | None = None
    for index, tier_raw in enumerate(raw):
        tier_path = (*tiers_path, index)
        tier = reader.mapping(tier_raw, tier_path, {"up_to", "price"})
        price = str(reader.number(reader.required(tier, "price", tier_path), (*tier_path, "price")))
        last = index == len(raw) - 1
        up_to_raw = tier.get("up_to")
        if last:
            if up_to_raw is not None:
                raise reader.fail(
                    (*tier_path, "up_to"), "the last tier has no upper bound (it holds the rest)"
                )
            tiers.append({"up_to": None, "price": price})
            continue
        if up_to_raw is None:
            raise reader.fail(tier_path, "missing required key 'up_to' (only the last tier has none)")
        if budget:
            tiers.append({"up_to": _budget_bound(reader, up_to_raw, (*tier_path, "up_to")), "price": price})
            continue
        bound = reader.number(up_to_raw, (*tier_path, "up_to"), positive=True)
        if previous is not None and bound <= previous:
            raise reader.fail((*tier_path, "up_to"), f"must be above the previous tier's bound ({previous})")
        previous = bound
        tiers.append({"up_to": str(bound), "price": price})
    return tiers


def _budget_bound(reader: _Reader, value: Any, path: Path) -> str:
    text = str(value).strip().lower()
    if text in ("indoor", "outdoor"):
        return text
    if text.endswith("%"):
        return str(reader.number(text[:-1], path, positive=True)) + "%"
    return str(reader.number(value, path, positive=True))
