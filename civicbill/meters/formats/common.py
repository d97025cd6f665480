"""What every read file parser shares: the row types, the whole-file refusal, text decoding."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from civicbill.meters.validation import Candidate

# sources a file may give (estimated, install and removal reads come from their own services)
FILE_SOURCES = ("manual", "handheld", "amr", "ami", "field")


class FormatError(ValueError):
    """The file is not the declared format: it is refused whole. The message names the format and
    what was expected."""

    def __init__(self, file_format: str, message: str) -> None:
        super().__init__(f"Not a {FORMAT_LABELS.get(file_format, file_format)} file: {message}")
        self.file_format = file_format


FORMAT_LABELS = {
    "csv": "generic read CSV",
    "beacon": "Badger BEACON billing read export",
    "sensus-route": "sensus-route (civicbill handheld route file)",
    "ami-interval": "AMI interval CSV",
}


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class IntervalRow:
    """One hourly AMI interval. ``meter_key`` is a serial number or an endpoint id (the file's
    header says which); ``consumption`` is in the meter's read unit before the multiplier;
    ``register_read`` is the register at the end of the interval."""

    meter_key: str
    interval_start: dt.datetime
    consumption: Decimal | None
    register_read: Decimal | None
    line: int


@dataclass
class ParsedFile:
    file_format: str
    reads: list[Candidate] = field(default_factory=list)
    intervals: list[IntervalRow] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    meter_key: str = "serial"  # "serial" or "endpoint": what the file's meter column holds
    rows_total: int = 0  # data rows (lines that are not headers, trailers or blank)


def decode_text(content: bytes, file_format: str, expected: str) -> str:
    """The file as text (UTF-8, a byte-order mark allowed); refuses empty and binary files."""
    if not content.strip():
        raise FormatError(file_format, f"the file is empty; expected {expected}.")
    if b"\x00" in content[:65536]:
        raise FormatError(file_format, f"the file is binary, not text; expected {expected}.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FormatError(
            file_format,
            f"the file is not UTF-8 text (byte {error.start + 1} cannot be read); expected {expected}.",
        ) from None


def csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """``(line number, fields)`` for each CSV record, blank lines skipped (line numbers count them)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    for fields in reader:
        if fields and (len(fields) > 1 or fields[0].strip()):
            yield reader.line_num, fields


def iso_date(text: str) -> dt.date | None:
    """``YYYY-MM-DD`` only (``date.fromisoformat`` would also take week dates and ``YYYYMMDD``)."""
    text = text.strip()
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
