"""Badger Meter BEACON AMA **billing read export** (``--format beacon``).

BEACON's Billing Read Export is a CSV with a header row naming its columns: Account_ID,
Location_ID, Service_Point_ID, Meter_ID, Register_Number, Endpoint_SN, Read_Method, Read, Read_Unit,
Billing_Read, Read_Time and, in newer exports, further columns. Columns are found by name (any
order, any case; extra columns are ignored). Required: ``Meter_ID``, ``Read_Time`` and ``Billing_Read``
or ``Read``. What civicbill takes from each row:

- the meter: ``Meter_ID`` is the civicbill meter serial number;
- the value: ``Billing_Read`` (the read at the billing system's resolution, taken to be in the
  meter's own read unit) when given, else ``Read`` with its ``Read_Unit`` (GAL, CUBIC_FEET), which
  must be the meter's read unit;
- the date: the date of ``Read_Time`` (``YYYY-MM-DD[ HH:MM[:SS]]``, ISO 8601 with an offset, or
  ``MM/DD/YYYY[ HH:MM[:SS][ AM|PM]]``); a time with an offset is converted to the utility's zone;
- the source: ``Read_Method`` AMR → amr, Fixed or Network → ami, Manual → manual, n/a or blank → amr;
- ``Register_Number`` blank, 0 or 1 (single register); compound meter registers (L, H, 2) are
  reported as bad rows: civicbill models one register per meter.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from civicbill.meters.formats.common import (
    BadRow,
    FormatError,
    ParsedFile,
    csv_records,
    decode_text,
    header_fields,
    readable_records,
)
from civicbill.meters.validation import Candidate

FORMAT = "beacon"
EXPECTED = "a BEACON billing read export CSV with the columns Meter_ID, Read_Time and Billing_Read or Read"
KNOWN_COLUMNS = (
    "Account_ID", "Location_ID", "Service_Point_ID", "Meter_ID", "Register_Number", "Endpoint_SN",
    "Read_Method", "Read", "Read_Unit", "Billing_Read", "Read_Time",
)  # fmt: skip
UNITS = {
    "GAL": "GAL",
    "GALLON": "GAL",
    "GALLONS": "GAL",
    "CUBIC_FEET": "CF",
    "CF": "CF",
    "CCF": "HCF",
    "HCF": "HCF",
}
METHODS = {"amr": "amr", "fixed": "ami", "network": "ami", "manual": "manual", "n/a": "amr", "": "amr"}
SINGLE_REGISTER = {"", "0", "1"}
_US_FORMATS = ("%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %I:%M:%S %p")


def read_date(text: str, zone: ZoneInfo) -> dt.date | None:
    """The date of a BEACON ``Read_Time`` in the utility's zone; None when it is not a date."""
    text = text.strip()
    if not text:
        return None
    if "/" in text:
        for pattern in _US_FORMATS:
            try:
                return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a local date is wanted
            except ValueError:
                continue
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        return moment.astimezone(zone).date()
    return moment.date()


def parse(content: bytes, *, zone: ZoneInfo) -> ParsedFile:
    text = decode_text(content, FORMAT, EXPECTED)
    records = csv_records(text)
    first = header_fields(FORMAT, next(records, None), EXPECTED)
    header = [name.strip().lower() for name in first] if first else []
    columns = {name: index for index, name in enumerate(header)}
    missing = [name for name in ("Meter_ID", "Read_Time") if name.lower() not in columns] + (
        [] if "billing_read" in columns or "read" in columns else ["Billing_Read or Read"]
    )
    if missing:
        found = ",".join(first)[:120] if first else ""
        raise FormatError(
            FORMAT,
            f"the header lacks {', '.join(missing)}; expected {EXPECTED}. The first line is {found!r}.",
        )
    meter_at, time_at = columns["meter_id"], columns["read_time"]
    billing_at, read_at = columns.get("billing_read"), columns.get("read")
    unit_at, method_at = columns.get("read_unit"), columns.get("read_method")
    register_at = columns.get("register_number")
    width = len(header)
    parsed = ParsedFile(FORMAT)
    for line, fields in readable_records(records, parsed):
        if len(fields) < width:
            fields = fields + [""] * (width - len(fields))
        serial = fields[meter_at].strip()
        if not serial:
            parsed.bad_rows.append(BadRow(line, "malformed", "Meter_ID is empty"))
            continue
        register = fields[register_at].strip().upper() if register_at is not None else ""
        if register not in SINGLE_REGISTER:
            parsed.bad_rows.append(
                BadRow(
                    line,
                    "compound_register",
                    f"Register_Number {register!r}: civicbill reads single-register meters only",
                )
            )
            continue
        read_on = read_date(fields[time_at], zone)
        if read_on is None:
            parsed.bad_rows.append(
                BadRow(line, "bad_date", f"Read_Time {fields[time_at].strip()!r} is not a date")
            )
            continue
        unit: str | None = None
        value = fields[billing_at].strip() if billing_at is not None else ""
        if not value and read_at is not None:
            value = fields[read_at].strip()
            unit_text = fields[unit_at].strip().upper() if unit_at is not None else ""
            if unit_text:
                unit = UNITS.get(unit_text)
                if unit is None:
                    parsed.bad_rows.append(
                        BadRow(
                            line, "unit_mismatch", f"Read_Unit {unit_text!r} is not a unit civicbill reads"
                        )
                    )
                    continue
        if not value:
            parsed.bad_rows.append(BadRow(line, "no_read", "no read: Billing_Read and Read are blank"))
            continue
        method = fields[method_at].strip().lower() if method_at is not None else ""
        source = METHODS.get(method, "amr")
        parsed.reads.append(Candidate(serial, read_on, value, source, line, unit))
    return parsed
