"""What an OWRS import produced, for staff to check against the rate resolution. Pure.

- The classes skipped on import (``document["skipped_classes"]``: class, field, line, problem).
- A **tier table** per imported class and ``Tiered``/``Budget`` charge, in HCF ranges as civicbill
  bills them. OWRS tier starts are the first unit of a tier (RateParser): ``tier_starts: [0, 41]``
  bills units 1–40 in tier 1 and unit 41 on in tier 2, where a rate resolution publishing "0–41 HCF
  at $1.50" means unit 41 is still in tier 1. So every ``Tiered`` table with more than one tier
  carries a note naming the unit that starts tier 2 and the starts the inclusive reading would need.
  A ``Budget`` charge's starts are computed per customer, and each of its tiers includes its upper
  bound; its table names the starts (``indoor``, ``100% of budget``).

A start or price list that depends on a customer's value (``depends_on: meter_size``) gives one
table per distinct list, labelled with the values it applies to (``meter_size 5/8", 3/4", 1"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from civicbill.rates.owrs.calculator import CHARGE_STARTS, RATE_TYPES, _as_list, _as_number, standardize

Variant = tuple[str, list[Any]]  # (the values it applies to, the list)


def _variants(value: Any) -> list[Variant]:
    """A tier field's lists: one for a plain list, one per distinct list of a ``depends_on`` lookup."""
    if isinstance(value, Mapping) and isinstance(value.get("values"), Mapping):
        depends = value.get("depends_on")
        depends_on = "|".join(str(item) for item in (depends if isinstance(depends, list) else [depends]))
        grouped: dict[str, tuple[list[str], list[Any]]] = {}
        for option, item in value["values"].items():
            items = _as_list(item)
            grouped.setdefault(repr(items), ([], items))[0].append(str(option))
        return [(f"{depends_on} {', '.join(options)}", items) for options, items in grouped.values()]
    return [("", _as_list(value))]


def _money(text: Any) -> str:
    price = _as_number(text)
    if price is None:
        return str(text)
    exponent = price.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        price = price.quantize(Decimal("0.01"))
    return f"${price}"


def _plain(number: Decimal) -> str:
    if number == number.to_integral_value():
        return str(int(number))
    return str(number.normalize())


def _tiered_rows(starts: list[Decimal], prices: list[Any]) -> list[dict[str, Any]]:
    """Tier i holds usage above start(i) − 1 up to start(i+1) − 1 (tier 1 from the first unit)."""
    rows = []
    above = Decimal(0)
    for index, price in enumerate(prices):
        up_to = starts[index + 1] - 1 if index + 1 < len(starts) else None
        whole = above == above.to_integral_value() and (up_to is None or up_to == up_to.to_integral_value())
        if up_to is None:
            text = f"{_plain(above + 1)}+ HCF" if whole else f"above {_plain(above)} HCF"
        elif whole:
            text = f"{_plain(above + 1)}–{_plain(up_to)} HCF"
        else:
            text = f"above {_plain(above)} up to {_plain(up_to)} HCF"
        rows.append(
            {
                "tier": index + 1,
                "above": _plain(above),
                "up_to": None if up_to is None else _plain(up_to),
                "price": str(price),
                "text": text,
            }
        )
        if up_to is not None:
            above = up_to
    return rows


def _budget_start(item: Any) -> str:
    number = _as_number(item)
    if number is not None:
        return f"{_plain(number)} HCF"
    text = str(item).strip()
    return f"{text} of budget" if text.endswith("%") else text


def _budget_rows(starts: list[Any], prices: list[Any]) -> list[dict[str, Any]]:
    """Budget tier i holds usage above start(i) up to start(i+1) itself."""
    rows = []
    for index, price in enumerate(prices):
        above = _budget_start(starts[index]) if index else "0"
        up_to = _budget_start(starts[index + 1]) if index + 1 < len(starts) else None
        if up_to is None:
            text = f"above {above}"
        elif index == 0:
            text = f"up to {up_to}"
        else:
            text = f"{above.removesuffix(' of budget') if up_to.endswith('of budget') else above} to {up_to}"
        rows.append({"tier": index + 1, "above": above, "up_to": up_to, "price": str(price), "text": text})
    return rows


def _tiered_notes(tables: list[tuple[list[Decimal], dict[str, Any]]]) -> list[str]:
    notes = []
    for starts, _ in tables:
        if len(starts) < 2:
            continue
        second = starts[1]
        if second == second.to_integral_value():
            notes.append(
                f"An OWRS tier start is the first unit of its tier: unit {_plain(second)} is billed in "
                f"tier 2. A rate resolution that publishes “0–{_plain(second)} HCF” for tier 1 includes "
                f"unit {_plain(second)} in tier 1; in OWRS that is tier_starts "
                f"[{_plain(starts[0])}, {_plain(second + 1)}]. Check this table against the rate resolution."
            )
        else:
            notes.append(
                f"An OWRS tier start is the first unit of its tier: use above {_plain(second - 1)} HCF "
                "is billed in tier 2. Check this table against the rate resolution."
            )
        break
    first_starts = {starts[0] for starts, _ in tables if starts}
    if any(start != 0 for start in first_starts):
        shown = ", ".join(_plain(start) for start in sorted(first_starts) if start != 0)
        notes.append(
            f"The first tier start ({shown}) is not used: tier 1 begins with the first unit (RateParser)."
        )
    return notes


def _charge_table(
    class_name: str, charge_name: str, rate_type: str, fields: Mapping[str, Any]
) -> dict[str, Any]:
    starts_name, prices_name, _ = CHARGE_STARTS[charge_name]
    tables: list[tuple[list[Decimal], dict[str, Any]]] = []
    for starts_when, raw_starts in _variants(fields.get(starts_name)):
        for prices_when, prices in _variants(fields.get(prices_name)):
            when = "; ".join(part for part in (starts_when, prices_when) if part)
            if rate_type == "Tiered":
                starts = [_as_number(item) or Decimal(0) for item in raw_starts]
                rows = _tiered_rows(starts, prices)
            else:
                starts = []
                rows = _budget_rows(raw_starts, prices)
            text = "; ".join(f"{row['text']} at {_money(row['price'])}" for row in rows)
            tables.append((starts, {"when": when, "text": text, "tiers": rows}))
    if rate_type == "Tiered":
        notes = _tiered_notes(tables)
    else:
        notes = [
            "Budget tiers are computed for each customer from the budget; each tier includes its upper "
            "bound (RateParser)."
        ]
    return {
        "class": class_name,
        "charge": charge_name,
        "rate_type": rate_type,
        "tables": [table for _, table in tables],
        "notes": notes,
    }


def tier_tables(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The tier table of each imported class's Tiered/Budget charges of an OWRS version document."""
    owrs = document.get("owrs")
    structure = owrs.get("rate_structure") if isinstance(owrs, Mapping) else None
    if not isinstance(structure, Mapping):
        return []
    classes = document.get("owrs_classes") or list(structure)
    result = []
    for class_name in classes:
        class_rate = structure.get(class_name)
        if not isinstance(class_rate, Mapping):
            continue
        fields = standardize(class_rate)
        for charge_name in CHARGE_STARTS:
            rate_type = fields.get(charge_name)
            if isinstance(rate_type, str) and rate_type.strip() in RATE_TYPES:
                result.append(_charge_table(str(class_name), charge_name, rate_type.strip(), fields))
    return result


def import_report(document: Mapping[str, Any]) -> dict[str, Any]:
    """``skipped_classes`` and ``tier_tables`` of an OWRS version document (JSON-ready)."""
    return {
        "skipped_classes": list(document.get("skipped_classes") or []),
        "tier_tables": tier_tables(document),
    }


def report_lines(document: Mapping[str, Any]) -> list[str]:
    """The import report as text lines (``civicbill rates import-owrs``)."""
    report = import_report(document)
    lines: list[str] = []
    skipped = report["skipped_classes"]
    if skipped:
        count = len({item["class"] for item in skipped})
        lines.append(
            f"Skipped {count} customer class{'es' if count != 1 else ''} (quoting or billing "
            f"{'them' if count != 1 else 'it'} is refused until the file is corrected and imported again):"
        )
        lines.extend(
            f"  {item['class']}: {item['field']} (line {item['line']}): {item['problem']}" for item in skipped
        )
    if report["tier_tables"]:
        lines.append("Tier tables as civicbill bills them (check them against the rate resolution):")
        for charge in report["tier_tables"]:
            heading = f"  {charge['class']} {charge['charge']} ({charge['rate_type']})"
            for table in charge["tables"]:
                when = f", {table['when']}" if table["when"] else ""
                lines.append(f"{heading}{when}: {table['text']}")
            lines.extend(f"    note: {note}" for note in charge["notes"])
    return lines
