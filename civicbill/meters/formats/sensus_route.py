"""The handheld route file (``--format sensus-route``): civicbill's documented fixed-width layout,
modelled on Sensus AutoRead route files (it is not a Sensus specification; see
docs/reads-formats.md). civicbill writes the route (previous read, low/high limits per meter), the
handheld fills in the read, date, time and read code, and the file comes back here.

Every record is exactly 100 characters (ASCII; lines end in LF, CR LF or CR). Columns, 1-based:

====== ========= ===== =====================================================================
record columns   width field
====== ========= ===== =====================================================================
H      1         1     record type ``H`` (one, first)
H      2-9       8     route, left-justified
H      10-17     8     scheduled read date ``YYYYMMDD``
M      1         1     record type ``M`` (one per meter, in route sequence)
M      2-9       8     route, left-justified
M      10-14     5     sequence, zero-filled
M      15-38     24    meter serial number, left-justified
M      39-48     10    previous read, right-justified (written by civicbill; informational)
M      49-58     10    low limit, right-justified (informational)
M      59-68     10    high limit, right-justified (informational)
M      69-78     10    read value, right-justified (blank when not read)
M      79-86     8     read date ``YYYYMMDD`` (blank when not read)
M      87-90     4     read time ``HHMM`` (optional)
M      91-92     2     read code (below)
M      93-96     4     reader id (optional)
T      1         1     record type ``T`` (one, last)
T      2-9       8     route
T      10-15     6     number of M records, zero-filled
====== ========= ===== =====================================================================

Read codes: 00 read, 01 read and confirmed on the spot (after a high/low warning), 10 no access,
11 meter obscured, 12 unsafe (dog, hazard), 20 meter damaged or stopped, 99 skipped. A meter with a
code other than 00/01 was not read: it is reported (code ``not_read``) and left for estimation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from civicbill.core.textfiles import split_lines
from civicbill.meters.formats.common import BadRow, FormatError, ParsedFile, decode_text
from civicbill.meters.validation import Candidate

FORMAT = "sensus-route"
RECORD_LENGTH = 100
EXPECTED = f"fixed-width records of {RECORD_LENGTH} characters: one H header, M meter records, one T trailer"
READ_CODES = {
    "00": "read",
    "01": "read and confirmed on the spot",
    "10": "no access",
    "11": "meter obscured",
    "12": "unsafe (dog, hazard)",
    "20": "meter damaged or stopped",
    "99": "skipped",
}
READ = ("00", "01")


def _yyyymmdd(text: str) -> dt.date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value:f}"


def header_record(route: str, read_on: dt.date) -> str:
    return f"H{route:<8.8}{read_on:%Y%m%d}".ljust(RECORD_LENGTH)


def meter_record(
    *,
    route: str,
    sequence: int,
    meter_serial: str,
    previous: Decimal | None = None,
    low: Decimal | None = None,
    high: Decimal | None = None,
    value: Decimal | str | None = None,
    read_on: dt.date | None = None,
    read_time: str = "",
    read_code: str = "00",
    reader: str = "",
) -> str:
    """One M record (civicbill writes these when it sends a route; tests build files with it)."""
    shown = value if isinstance(value, str) else _number(value)
    record = (
        f"M{route:<8.8}{sequence:05d}{meter_serial:<24.24}{_number(previous):>10.10}{_number(low):>10.10}"
        f"{_number(high):>10.10}{shown:>10.10}{read_on.strftime('%Y%m%d') if read_on else '':<8}"
        f"{read_time:<4.4}{read_code:<2.2}{reader:<4.4}"
    )
    return record.ljust(RECORD_LENGTH)


def trailer_record(route: str, count: int) -> str:
    return f"T{route:<8.8}{count:06d}".ljust(RECORD_LENGTH)


def route_file(route: str, read_on: dt.date, meters: Sequence[str]) -> bytes:
    """A whole file from M records (CR LF line ends, as handhelds write them)."""
    lines = [header_record(route, read_on), *meters, trailer_record(route, len(meters))]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def parse(content: bytes) -> ParsedFile:
    text = decode_text(content, FORMAT, EXPECTED)
    if not text.isascii():
        raise FormatError(FORMAT, f"the file has characters that are not ASCII; expected {EXPECTED}.")
    records: list[tuple[int, str]] = []
    for number, record in enumerate(split_lines(text), start=1):
        if not record.strip():
            continue
        if len(record) != RECORD_LENGTH:
            raise FormatError(FORMAT, f"line {number} is {len(record)} characters long; expected {EXPECTED}.")
        if record[0] not in "HMT":
            raise FormatError(FORMAT, f"line {number} has record type {record[0]!r}; expected {EXPECTED}.")
        records.append((number, record))
    if records[0][1][0] != "H":
        raise FormatError(FORMAT, f"the first record is not the H header; expected {EXPECTED}.")
    if records[-1][1][0] != "T":
        raise FormatError(
            FORMAT, f"the last record is not the T trailer: the file may be cut short. Expected {EXPECTED}."
        )
    types = [record[0] for _, record in records]
    if types.count("H") != 1 or types.count("T") != 1:
        raise FormatError(
            FORMAT,
            f"the file has {types.count('H')} H and {types.count('T')} T records; expected {EXPECTED}.",
        )
    header, trailer = records[0][1], records[-1][1]
    route = header[1:9].strip()
    meters = records[1:-1]
    count_text = trailer[9:15]
    if not count_text.isdigit() or int(count_text) != len(meters):
        raise FormatError(
            FORMAT,
            f"the trailer says {count_text.strip() or 'nothing'} meter records but the file has "
            f"{len(meters)}: the file may be cut short or edited.",
        )
    parsed = ParsedFile(FORMAT, rows_total=len(meters))
    for line, record in meters:
        if record[1:9].strip() != route:
            parsed.bad_rows.append(
                BadRow(line, "malformed", f"route {record[1:9].strip()!r} is not the file's route {route!r}")
            )
            continue
        serial = record[14:38].strip()
        code = record[90:92]
        if not serial:
            parsed.bad_rows.append(
                BadRow(line, "malformed", "the meter serial number (columns 15-38) is blank")
            )
            continue
        if code not in READ_CODES:
            parsed.bad_rows.append(
                BadRow(line, "malformed", f"read code {code!r} (columns 91-92) is not known")
            )
            continue
        if code not in READ:
            parsed.bad_rows.append(
                BadRow(line, "not_read", f"meter {serial} not read: {READ_CODES[code]} (code {code})")
            )
            continue
        read_on = _yyyymmdd(record[78:86])
        if read_on is None:
            parsed.bad_rows.append(
                BadRow(
                    line, "bad_date", f"read date {record[78:86].strip()!r} (columns 79-86) is not YYYYMMDD"
                )
            )
            continue
        parsed.reads.append(Candidate(serial, read_on, record[68:78], "handheld", line))
    return parsed
