"""Meter fields and vendor shipment files. Pure: no ORM.

The services check every field here before writing, so a page, the API, the CLI and a shipment file
are held to the same rules. A bad field raises :class:`ApplicationError` naming the field and the
value in words a clerk can act on; :func:`parse_shipment` turns those into per-row reasons.

Vendor shipment CSV (UTF-8, comma separated, the first line a header; column names are case-insensitive
and may come in any order)::

    serial,make,model,size,dials,unit,multiplier[,purchase_date][,cost][,type][,endpoint_id]

- ``size``: 5/8, 3/4, 1, 1-1/2 (also 1.5, 1 1/2, 1½), 2, 3, 4, 6, 8, with or without ``"``.
- ``dials``: a whole number from 1 to 10. ``unit``: CF, HCF, GAL or KGAL (or their names).
- ``multiplier``: positive, at most 4 decimals; blank means 1.
- ``purchase_date``: YYYY-MM-DD. ``cost``: dollars and cents (``142.50``). ``type``: positive
  displacement (the default when blank), compound, turbine, AMR, AMI. ``endpoint_id``: the radio's id.

A file that is not UTF-8 text, is empty, or whose first line is not such a header is refused whole
(:class:`ShipmentFileError`); otherwise every bad row is reported with its line number and reason,
and the good rows are kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money, MoneyError
from civicbill.core.textfiles import csv_fields, split_lines, too_long
from civicbill.meters.models import MeterSize, MeterType, ReadUnit

REQUIRED_COLUMNS = ("serial", "make", "model", "size", "dials", "unit", "multiplier")
OPTIONAL_COLUMNS = ("purchase_date", "cost", "type", "endpoint_id")
MAX_DIALS = 10
READ_PLACES = Decimal("0.001")  # register values are stored with 3 decimals
MULTIPLIER_PLACES = Decimal("0.0001")
MAX_MULTIPLIER = Decimal(1_000_000)

LABELS = {
    "serial_number": "Serial number",
    "make": "Make",
    "model": "Model",
    "size": "Size",
    "meter_type": "Meter type",
    "dials": "Dials",
    "read_unit": "Read unit",
    "multiplier": "Multiplier",
    "endpoint_id": "Endpoint id",
    "purchase_date": "Purchase date",
    "purchase_cost": "Purchase cost",
    "read_route": "Read route",
    "route_sequence": "Route sequence",
    "location_note": "Location note",
    "reason": "Reason",
    "notes": "Notes",
}

_SIZE_ALIASES: dict[str, str] = {
    "5/8": MeterSize.SIZE_5_8,
    "5/8x3/4": MeterSize.SIZE_5_8,
    "5/8-x-3/4": MeterSize.SIZE_5_8,
    "0.625": MeterSize.SIZE_5_8,
    "3/4": MeterSize.SIZE_3_4,
    "0.75": MeterSize.SIZE_3_4,
    "1": MeterSize.SIZE_1,
    "1.0": MeterSize.SIZE_1,
    "1-1/2": MeterSize.SIZE_1_1_2,
    "1.5": MeterSize.SIZE_1_1_2,
    "1½": MeterSize.SIZE_1_1_2,
    "2": MeterSize.SIZE_2,
    "3": MeterSize.SIZE_3,
    "4": MeterSize.SIZE_4,
    "6": MeterSize.SIZE_6,
    "8": MeterSize.SIZE_8,
}
_UNIT_ALIASES: dict[str, str] = {
    "CF": ReadUnit.CUBIC_FEET,
    "CUBIC FEET": ReadUnit.CUBIC_FEET,
    "FT3": ReadUnit.CUBIC_FEET,
    "HCF": ReadUnit.HCF,
    "CCF": ReadUnit.HCF,
    "GAL": ReadUnit.GALLONS,
    "GALLONS": ReadUnit.GALLONS,
    "KGAL": ReadUnit.KGAL,
    "THOUSAND GALLONS": ReadUnit.KGAL,
}


def label(field: str) -> str:
    return LABELS.get(field, field.replace("_", " ").capitalize())


def refuse(field: str, message: str, *, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def _as_text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | float) or not isinstance(value, str | int | Decimal):
        raise refuse(field, f"{label(field)} must be text, not {value!r}.")
    return " ".join(str(value).split())


# -- fields --------------------------------------------------------------------------------------


def clean_text(value: Any, field: str, *, max_length: int, required: bool = False) -> str:
    text = _as_text(value, field)
    if required and not text:
        raise refuse(field, f"{label(field)} is required.", code="required")
    if len(text) > max_length:
        raise refuse(field, f"{label(field)} is longer than {max_length} characters: {text[:20]!r}…")
    return text


def clean_serial(value: Any) -> str:
    serial = clean_text(value, "serial_number", max_length=40, required=True)
    if " " in serial:
        raise refuse("serial_number", f"Serial number {serial!r} has a space in it; type it without spaces.")
    return serial


def clean_size(value: Any) -> str:
    raw = _as_text(value, "size")
    if not raw:
        raise refuse("size", "Size is required (5/8, 3/4, 1, 1-1/2, 2, 3, 4, 6 or 8).", code="required")
    key = raw.lower()
    for noise in ('"', "”", "inches", "inch", "in"):
        key = key.replace(noise, "")
    key = "-".join(key.split()).replace("-½", "½")  # "1 1/2" -> "1-1/2", "1 ½" -> "1½"
    if key in _SIZE_ALIASES:
        return _SIZE_ALIASES[key]
    raise refuse(
        "size", f"Size {raw!r} is not a meter size; use one of {', '.join(MeterSize.values)}.", code="unknown"
    )


_TYPE_ALIASES: dict[str, str] = {
    **{choice.value.replace("_", " "): choice.value for choice in MeterType},
    **{choice.label.split(" (")[0].lower(): choice.value for choice in MeterType},
    "pd": MeterType.POSITIVE_DISPLACEMENT,
    "displacement": MeterType.POSITIVE_DISPLACEMENT,
}


def clean_meter_type(value: Any) -> str:
    raw = _as_text(value, "meter_type")
    if not raw:
        return MeterType.POSITIVE_DISPLACEMENT
    key = " ".join(raw.lower().replace("-", " ").replace("_", " ").split())
    if key in _TYPE_ALIASES:
        return _TYPE_ALIASES[key]
    names = ", ".join(choice.value.replace("_", " ") for choice in MeterType)
    raise refuse("meter_type", f"Meter type {raw!r} is not known; use one of {names}.", code="unknown")


def clean_dials(value: Any) -> int:
    raw = _as_text(value, "dials")
    if not raw:
        raise refuse(
            "dials", "Dials is required (how many digits the register shows, 1 to 10).", code="required"
        )
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_DIALS:
        raise refuse("dials", f"Dials must be a whole number from 1 to {MAX_DIALS}, not {raw!r}.")
    return int(raw)


def clean_read_unit(value: Any) -> str:
    raw = _as_text(value, "read_unit")
    if not raw:
        raise refuse("read_unit", "Read unit is required (CF, HCF, GAL or KGAL).", code="required")
    unit = _UNIT_ALIASES.get(raw.upper())
    if unit is None:
        raise refuse(
            "read_unit", f"Read unit {raw!r} is not known; use CF, HCF, GAL or KGAL.", code="unknown"
        )
    return unit


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, float | bool):
        raise refuse(field, f"{label(field)} must be an exact number, not {value!r}.")
    raw = value if isinstance(value, Decimal) else _as_text(value, field).replace(",", "")
    if isinstance(raw, str) and not raw.isascii():  # Decimal() also reads other scripts' digits
        raise refuse(field, f"{label(field)} must be a number written with the digits 0-9, not {raw[:40]!r}.")
    try:
        number = Decimal(raw)
    except (InvalidOperation, ValueError):
        raise refuse(field, f"{label(field)} must be a number, not {value!r}.") from None
    if not number.is_finite():
        raise refuse(field, f"{label(field)} must be a number, not {value!r}.")
    return number


def clean_multiplier(value: Any) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal(1)
    number = _decimal(value, "multiplier")
    if number <= 0:
        raise refuse("multiplier", f"Multiplier must be more than 0, not {value}.")
    if number != number.quantize(MULTIPLIER_PLACES) or number >= MAX_MULTIPLIER:
        raise refuse("multiplier", f"Multiplier {value} must be less than 1,000,000 with at most 4 decimals.")
    return number


def tidy(value: Decimal) -> Decimal:
    """A register value without trailing decimal zeros, for messages (``4512.000`` → ``4512``)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def clean_register_read(value: Any, field: str) -> Decimal:
    """A register value as typed: a non-negative number with at most 3 decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise refuse(field, f"{label(field)} is required.", code="required")
    number = _decimal(value, field)
    if number < 0:
        raise refuse(field, f"{label(field)} cannot be negative ({value}).")
    if number != number.quantize(READ_PLACES):
        raise refuse(field, f"{label(field)} {value} has more than 3 decimals.")
    return number.quantize(READ_PLACES)


def clean_purchase_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    raw = _as_text(value, "purchase_date")
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise refuse("purchase_date", f"Purchase date {raw!r} is not a date like 2026-03-15.") from None


def clean_purchase_cost(value: Any) -> Money | None:
    if value is None:
        return None
    if isinstance(value, Money):
        cost = value
    else:
        raw = _as_text(value, "purchase_cost")
        if not raw:
            return None
        try:
            cost = Money.parse(raw)
        except MoneyError:
            raise refuse("purchase_cost", f"Purchase cost {raw!r} is not an amount like 142.50.") from None
    if cost.is_negative():
        raise refuse("purchase_cost", f"Purchase cost cannot be negative ({cost}).")
    return cost


@dataclass(frozen=True, slots=True)
class MeterSpec:
    """A meter's checked fields, ready to create."""

    serial_number: str
    make: str
    model: str
    size: str
    meter_type: str
    dials: int
    read_unit: str
    multiplier: Decimal
    endpoint_id: str = ""
    purchase_date: dt.date | None = None
    purchase_cost: Money | None = None


def clean_meter(
    *,
    serial_number: Any,
    make: Any,
    model: Any = "",
    size: Any,
    meter_type: Any = "",
    dials: Any,
    read_unit: Any,
    multiplier: Any = None,
    endpoint_id: Any = "",
    purchase_date: Any = None,
    purchase_cost: Any = None,
) -> MeterSpec:
    """Check every field of a new meter; the first problem raises ApplicationError naming its field."""
    return MeterSpec(
        serial_number=clean_serial(serial_number),
        make=clean_text(make, "make", max_length=60, required=True),
        model=clean_text(model, "model", max_length=60),
        size=clean_size(size),
        meter_type=clean_meter_type(meter_type),
        dials=clean_dials(dials),
        read_unit=clean_read_unit(read_unit),
        multiplier=clean_multiplier(multiplier),
        endpoint_id=clean_text(endpoint_id, "endpoint_id", max_length=40),
        purchase_date=clean_purchase_date(purchase_date),
        purchase_cost=clean_purchase_cost(purchase_cost),
    )


# -- shipment files ------------------------------------------------------------------------------


class ShipmentFileError(ApplicationError):
    """The whole file is refused: not text, empty, or not the shipment header."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="bad_file", field="file")


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    serial_number: str
    reason: str


@dataclass(frozen=True, slots=True)
class ShipmentRow:
    line: int
    meter: MeterSpec


@dataclass(frozen=True, slots=True)
class Shipment:
    rows: tuple[ShipmentRow, ...]
    bad_rows: tuple[BadRow, ...]

    @property
    def rows_total(self) -> int:
        return len(self.rows) + len(self.bad_rows)


def _header(cells: list[str], file_name: str) -> list[str]:
    names = [cell.strip().lower().lstrip("\ufeff") for cell in cells]
    expected = ",".join(REQUIRED_COLUMNS)
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ShipmentFileError(
            f"{file_name} is not a meter shipment file: its first line must be the header {expected} "
            f"(missing {', '.join(missing)})."
        )
    unknown = [name for name in names if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise ShipmentFileError(
            f"{file_name}: unknown column {unknown[0]!r} in the header; the columns are {expected} "
            f"and optionally {','.join(OPTIONAL_COLUMNS)}."
        )
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ShipmentFileError(f"{file_name}: the column {twice[0]!r} appears twice in the header.")
    return names


def parse_shipment(content: bytes, *, file_name: str = "the file") -> Shipment:
    """Read a vendor shipment CSV: good rows and bad rows (with line numbers), or refuse the file whole.

    A serial number that appears twice in the file is reported on its second (and later) lines.
    Blank lines are skipped. Checking serials already in inventory is the service's job.
    """
    if not content.strip():
        raise ShipmentFileError(f"{file_name} is empty; a shipment file starts with the header line.")
    if b"\x00" in content:
        raise ShipmentFileError(f"{file_name} is not a CSV text file (it holds binary data).")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bad_line = content[: error.start].count(b"\n") + 1
        raise ShipmentFileError(
            f"{file_name} is not a CSV text file (line {bad_line} is not UTF-8 text); "
            "save it from the spreadsheet as CSV UTF-8."
        ) from None
    lines = split_lines(text)
    rows: list[ShipmentRow] = []
    bad: list[BadRow] = []
    first_line_of: dict[str, int] = {}
    header_line = lines[0] if lines else ""
    if too_long(header_line):
        raise ShipmentFileError(
            f"{file_name} is not a meter shipment file (line 1: {too_long(header_line)})."
        )
    names = _header(csv_fields(header_line), file_name)
    for start, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        problem = too_long(line)
        if problem:
            bad.append(BadRow(start, "", problem))
            continue
        cells = csv_fields(line)
        if not any(cell.strip() for cell in cells):
            continue
        values = dict(zip(names, cells, strict=False))
        serial = " ".join(values.get("serial", "").split())[:40]
        if len(cells) != len(names):
            bad.append(
                BadRow(start, serial, f"the row has {len(cells)} cells but the header has {len(names)}")
            )
            continue
        try:
            spec = clean_meter(
                serial_number=values["serial"],
                make=values["make"],
                model=values["model"],
                size=values["size"],
                meter_type=values.get("type", ""),
                dials=values["dials"],
                read_unit=values["unit"],
                multiplier=values["multiplier"],
                endpoint_id=values.get("endpoint_id", ""),
                purchase_date=values.get("purchase_date"),
                purchase_cost=values.get("cost"),
            )
        except ApplicationError as error:
            bad.append(BadRow(start, serial, error.message))
            continue
        if spec.serial_number in first_line_of:
            bad.append(
                BadRow(
                    start,
                    spec.serial_number,
                    f"serial number {spec.serial_number} is also on line {first_line_of[spec.serial_number]} "
                    "of this file",
                )
            )
            continue
        first_line_of[spec.serial_number] = start
        rows.append(ShipmentRow(start, spec))
    if not rows and not bad:
        raise ShipmentFileError(f"{file_name} has a header but no meter rows.")
    return Shipment(rows=tuple(rows), bad_rows=tuple(bad))
