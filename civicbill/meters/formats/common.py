"""What every read file parser shares: the row types, the whole-file refusal, text decoding."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from civicbill.core.textfiles import MAX_LINE_CHARS, TextFileError, split_lines, too_long
from civicbill.core.textfiles import decode as decode_utf8
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
    """The file as text (UTF-8, a byte-order mark allowed); refuses empty and binary files, and a
    byte that is not UTF-8, naming its line."""
    if not content.strip():
        raise FormatError(file_format, f"the file is empty; expected {expected}.")
    try:
        return decode_utf8(content)
    except TextFileError as error:
        raise FormatError(file_format, f"{error}; expected {expected}.") from None


def csv_records(text: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """``(line number, fields, "")`` for each CSV record, blank lines skipped (line numbers count
    them; lines end in LF, CR LF or CR). A record that cannot be read (a line longer than
    :data:`~civicbill.core.textfiles.MAX_LINE_CHARS`, a quoted field running on past the ``csv``
    field limit) comes as ``(line number, None, problem)`` and reading goes on with the next one."""
    lines = split_lines(text)
    long_lines: dict[int, str] = {}
    if lines and max(map(len, lines)) > MAX_LINE_CHARS:  # rare: only then a line at a time
        for number, line in enumerate(lines, start=1):
            problem = too_long(line)
            if problem:
                long_lines[number] = problem
                lines[number - 1] = ""  # read as an empty record, reported below
    reader = csv.reader(lines)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield reader.line_num, None, f"the record cannot be read as CSV ({error})"
            continue
        if reader.line_num in long_lines:
            yield reader.line_num, None, long_lines.pop(reader.line_num)
        elif fields and (len(fields) > 1 or fields[0].strip()):
            yield reader.line_num, fields, ""


def readable_records(
    records: Iterator[tuple[int, list[str] | None, str]], parsed: ParsedFile
) -> Iterator[tuple[int, list[str]]]:
    """The data records of :func:`csv_records` that could be read, as ``(line number, fields)``; one
    that could not is a malformed bad row of ``parsed``. When all are read, ``parsed.rows_total``
    counts them all."""
    total = 0
    for line, fields, problem in records:
        total += 1
        if fields is None:
            parsed.bad_rows.append(BadRow(line, "malformed", problem))
            continue
        yield line, fields
    parsed.rows_total = total


def header_fields(
    file_format: str, first: tuple[int, list[str] | None, str] | None, expected: str
) -> list[str]:
    """The header record's fields ([] when the file has none); a header that cannot be read refuses
    the file."""
    if first is None:
        return []
    line, fields, problem = first
    if fields is None:
        raise FormatError(file_format, f"line {line} (the header): {problem}; expected {expected}.")
    return fields


def iso_date(text: str) -> dt.date | None:
    """``YYYY-MM-DD`` only (``date.fromisoformat`` would also take week dates and ``YYYYMMDD``)."""
    text = text.strip()
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
