"""AMI hourly interval CSV (``--format ami-interval``), documented in docs/reads-formats.md.

Header, exactly one of::

    meter_serial,interval_start,consumption,register_read
    endpoint_id,interval_start,consumption,register_read

``interval_start`` is ISO 8601 with its UTC offset (``2026-11-01T00:00:00-07:00`` or ``...Z``), on the
hour. ``consumption`` is the use during the hour, in the meter's read unit (before the multiplier);
``register_read`` is the register at the end of the hour. Either may be blank, not both.

Each interval becomes an ``IntervalRead``; :func:`daily_register_reads` then derives one register
read per meter per day of the utility's calendar for billing: the register at the end of the day's
last interval when the file carries register reads, else the last actual read before the file plus
the day's interval consumption (only through complete days: a day with missing hours stops it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from civicbill.meters.consumption import Register
from civicbill.meters.formats.common import (
    BadRow,
    FormatError,
    IntervalRow,
    ParsedFile,
    csv_records,
    decode_text,
    header_fields,
    readable_records,
)
from civicbill.meters.validation import Candidate, parse_read_value

FORMAT = "ami-interval"
HEADERS: dict[tuple[str, ...], str] = {
    ("meter_serial", "interval_start", "consumption", "register_read"): "serial",
    ("endpoint_id", "interval_start", "consumption", "register_read"): "endpoint",
}
EXPECTED = (
    "a CSV whose first line is exactly meter_serial,interval_start,consumption,register_read "
    "(or endpoint_id,interval_start,consumption,register_read)"
)
ONE_HOUR = dt.timedelta(hours=1)


def _number(text: str) -> tuple[Decimal | None, bool]:
    """(value, ok): blank is (None, True); a bad number is (None, False)."""
    text = text.strip()
    if not text:
        return None, True
    value = parse_read_value(text)
    return value, value is not None


def parse(content: bytes) -> ParsedFile:
    text = decode_text(content, FORMAT, EXPECTED)
    records = csv_records(text)
    first = header_fields(FORMAT, next(records, None), EXPECTED)
    key = HEADERS.get(tuple(name.strip() for name in first)) if first else None
    if key is None:
        found = ",".join(first)[:120] if first else ""
        raise FormatError(FORMAT, f"expected {EXPECTED}; the first line is {found!r}.")
    parsed = ParsedFile(FORMAT, meter_key=key)
    seen: set[tuple[str, dt.datetime]] = set()
    for line, fields in readable_records(records, parsed):
        if len(fields) != 4:
            parsed.bad_rows.append(BadRow(line, "malformed", f"expected 4 fields, found {len(fields)}"))
            continue
        meter, start_text, consumption_text, register_text = fields
        meter = meter.strip()
        if not meter:
            parsed.bad_rows.append(BadRow(line, "malformed", "the meter column is empty"))
            continue
        try:
            start = dt.datetime.fromisoformat(start_text.strip())
        except ValueError:
            start = None
        if start is None or start.tzinfo is None:
            parsed.bad_rows.append(
                BadRow(
                    line,
                    "bad_date",
                    f"interval_start {start_text.strip()!r} is not an ISO date-time with a UTC offset",
                )
            )
            continue
        if start.minute or start.second or start.microsecond:
            parsed.bad_rows.append(
                BadRow(line, "bad_date", f"interval_start {start_text.strip()!r} is not on the hour")
            )
            continue
        start = start.astimezone(dt.UTC)
        consumption, consumption_ok = _number(consumption_text)
        register, register_ok = _number(register_text)
        if not (consumption_ok and register_ok):
            bad = consumption_text if not consumption_ok else register_text
            parsed.bad_rows.append(
                BadRow(line, "not_numeric", f"{bad.strip()!r} is not a non-negative number")
            )
            continue
        if consumption is None and register is None:
            parsed.bad_rows.append(BadRow(line, "no_read", "consumption and register_read are both blank"))
            continue
        if (meter, start) in seen:
            parsed.bad_rows.append(
                BadRow(line, "duplicate", f"a second interval for {meter} at {start_text.strip()}")
            )
            continue
        seen.add((meter, start))
        parsed.intervals.append(IntervalRow(meter, start, consumption, register, line))
    return parsed


@dataclass
class DerivedReads:
    reads: list[Candidate] = field(default_factory=list)  # one per meter per day, source "ami"
    intervals: list[IntervalRow] = field(default_factory=list)  # with consumption filled in
    notes: list[BadRow] = field(default_factory=list)


def _hours_in_day(day: dt.date, zone: ZoneInfo) -> int:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return round((end - start).total_seconds() / 3600)


def daily_register_reads(
    intervals: Sequence[IntervalRow],
    *,
    zone: ZoneInfo,
    serials: Mapping[str, str],
    registers: Mapping[str, Register],
    baselines: Mapping[str, tuple[dt.date, Decimal]],
) -> DerivedReads:
    """Daily register reads and complete intervals for the meters in ``serials`` (file key → serial).

    ``registers`` and ``baselines`` (the last actual read: date, value) are keyed by serial number.
    """
    derived = DerivedReads()
    by_meter: dict[str, list[IntervalRow]] = defaultdict(list)
    for row in intervals:
        by_meter[row.meter_key].append(row)
    for key, rows in by_meter.items():
        serial = serials[key]
        register = registers[serial]
        rows.sort(key=lambda row: row.interval_start)
        derived.intervals.extend(_with_consumption(rows, register))
        if any(row.register_read is not None for row in rows):
            _reads_from_registers(derived, serial, rows, zone)
        else:
            _reads_from_consumption(derived, serial, rows, zone, register, baselines.get(serial))
    return derived


def _with_consumption(rows: list[IntervalRow], register: Register) -> list[IntervalRow]:
    """Intervals with a consumption: given, or the register difference from the hour before (the
    first interval of a meter without one only anchors the register)."""
    complete = []
    previous: IntervalRow | None = None
    for row in rows:
        if row.consumption is not None:
            complete.append(row)
        elif (
            previous is not None
            and previous.register_read is not None
            and row.register_read is not None
            and previous.interval_start + ONE_HOUR == row.interval_start
        ):
            used = (row.register_read - previous.register_read) % register.capacity
            complete.append(IntervalRow(row.meter_key, row.interval_start, used, row.register_read, row.line))
        previous = row
    return complete


def _reads_from_registers(
    derived: DerivedReads, serial: str, rows: list[IntervalRow], zone: ZoneInfo
) -> None:
    last_of_day: dict[dt.date, IntervalRow] = {}
    for row in rows:
        if row.register_read is not None:
            last_of_day[row.interval_start.astimezone(zone).date()] = row
    for day, row in sorted(last_of_day.items()):
        derived.reads.append(Candidate(serial, day, row.register_read or Decimal(0), "ami", row.line))


def _reads_from_consumption(
    derived: DerivedReads,
    serial: str,
    rows: list[IntervalRow],
    zone: ZoneInfo,
    register: Register,
    baseline: tuple[dt.date, Decimal] | None,
) -> None:
    if baseline is None:
        derived.notes.append(
            BadRow(rows[0].line, "no_baseline", f"meter {serial} has no earlier register read to add the "
                   "interval consumption to: intervals stored, no daily read derived")
        )  # fmt: skip
        return
    baseline_on, value = baseline
    days: dict[dt.date, list[IntervalRow]] = defaultdict(list)
    for row in rows:
        day = row.interval_start.astimezone(zone).date()
        if day > baseline_on:
            days[day].append(row)
    expected = baseline_on + dt.timedelta(days=1)
    for day in sorted(days):
        day_rows = days[day]
        if day != expected or len(day_rows) != _hours_in_day(day, zone):
            known_to = expected - dt.timedelta(days=1)
            reason = (
                f"meter {serial}: hours missing on or before {day}, so no daily read from {day} on "
                f"(the register is known to {known_to})"
            )
            derived.notes.append(BadRow(day_rows[0].line, "incomplete_day", reason))
            return
        value = (value + sum(row.consumption or 0 for row in day_rows)) % register.capacity
        derived.reads.append(Candidate(serial, day, value, "ami", day_rows[-1].line))
        expected = day + dt.timedelta(days=1)
