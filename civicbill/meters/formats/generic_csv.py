"""The generic read CSV (``--format csv``), documented in docs/reads-formats.md.

The header is exactly ``meter_serial,read_date,read_value,source``; dates are ISO ``YYYY-MM-DD``;
``source`` is one of manual, handheld, amr, ami, field (any case). The read value is checked by the
validator (so a non-number gets the stable ``not_numeric`` code).
"""

from __future__ import annotations

import datetime as dt

from civicbill.meters.formats.common import (
    FILE_SOURCES,
    BadRow,
    FormatError,
    ParsedFile,
    csv_records,
    decode_text,
    header_fields,
    iso_date,
    readable_records,
)
from civicbill.meters.validation import Candidate

FORMAT = "csv"
HEADER = ("meter_serial", "read_date", "read_value", "source")
EXPECTED = f"a CSV whose first line is exactly {','.join(HEADER)}"
_SOURCES = {source: source for source in FILE_SOURCES}


def parse(content: bytes) -> ParsedFile:
    text = decode_text(content, FORMAT, EXPECTED)
    records = csv_records(text)
    first = header_fields(FORMAT, next(records, None), EXPECTED)
    if first is None or tuple(name.strip() for name in first) != HEADER:
        found = ",".join(first)[:120] if first else ""
        raise FormatError(FORMAT, f"expected {EXPECTED}; the first line is {found!r}.")
    parsed = ParsedFile(FORMAT)
    reads, bad = parsed.reads, parsed.bad_rows
    dates: dict[str, dt.date | None] = {}  # a file repeats a handful of read dates
    for line, fields in readable_records(records, parsed):
        if len(fields) != 4:
            bad.append(
                BadRow(line, "malformed", f"expected 4 fields ({','.join(HEADER)}), found {len(fields)}")
            )
            continue
        serial, date_text, value_text, source_text = fields
        serial = serial.strip()
        if not serial:
            bad.append(BadRow(line, "malformed", "meter_serial is empty"))
            continue
        try:
            read_on = dates[date_text]
        except KeyError:
            read_on = dates[date_text] = iso_date(date_text)
        if read_on is None:
            bad.append(
                BadRow(line, "bad_date", f"read_date {date_text.strip()!r} is not a date (YYYY-MM-DD)")
            )
            continue
        source = _SOURCES.get(source_text) or _SOURCES.get(source_text.strip().lower())
        if source is None:
            bad.append(
                BadRow(
                    line,
                    "bad_source",
                    f"source {source_text.strip()!r} is not one of {', '.join(FILE_SOURCES)}",
                )
            )
            continue
        reads.append(Candidate(serial, read_on, value_text, source, line))
    return parsed
