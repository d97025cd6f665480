"""Reading the text files staff import (payment files, read files, meter shipments), and knowing a
file when it comes again. Pure: bytes in, lines or a fingerprint out.

Every importer reads its file through here so that they all behave alike on files that are not
what they seem:

* the text is UTF-8 (a byte-order mark is ignored); a byte that is not UTF-8, or a NUL byte, refuses
  the file with the line it is on (:class:`TextFileError`): nothing is quietly replaced;
* lines end in LF, CR LF or CR (only those: a form feed or U+2028 inside a field is not a new line);
* a line longer than :data:`MAX_LINE_CHARS` is reported on its own (:func:`csv_lines` gives it no
  fields) instead of reaching the ``csv`` module, whose field limit would raise on it.

:func:`content_fingerprint` hashes the file's normalised text, so that the same file sent again
with other line endings, a byte-order mark, trailing blanks or extra blank lines is still known.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_LINE_CHARS = 10_000  # a record of any format civicbill reads is a few hundred characters
_NEW_LINE_BYTES = re.compile(rb"\r\n|\r|\n")
_BOM = "\ufeff"
_BOM_BYTES = _BOM.encode()
# what a tidy file has none of: blanks before a line end, blank lines (after CR LF became LF)
_UNTIDY = re.compile(rb"[ \t\f\v\n]\n")


class TextFileError(ValueError):
    """The file is not text civicbill can read; ``str()`` names the line and the problem."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def _line_of(content: bytes, offset: int) -> int:
    """The 1-based line holding byte ``offset`` (any line ending)."""
    return len(_NEW_LINE_BYTES.findall(content[:offset])) + 1


def decode(content: bytes) -> str:
    """The file as text: UTF-8 (a byte-order mark dropped), with no NUL byte; else TextFileError
    naming the line (and its byte) that cannot be read."""
    nul = content.find(b"\x00")
    if nul != -1:
        raise TextFileError(_line_of(content, nul), "has a NUL byte: the file is binary, not text")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = _line_of(content, error.start)
        start = max(content.rfind(b"\n", 0, error.start), content.rfind(b"\r", 0, error.start)) + 1
        column = len(content[start : error.start].decode("utf-8", errors="replace")) + 1
        raise TextFileError(
            line,
            f"byte 0x{content[error.start]:02X} (column {column}) is not UTF-8 text; save the file "
            'as UTF-8 ("CSV UTF-8" in a spreadsheet) and import it again',
        ) from None
    return text[1:] if text.startswith(_BOM) else text


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` (LF, CR LF or CR), without their endings; a last line ending adds no
    empty line."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def numbered_lines(content: bytes) -> list[tuple[int, str]]:
    """``(line number, text)`` of every line that is not blank; TextFileError when the file is not
    UTF-8 text."""
    return [
        (number, line) for number, line in enumerate(split_lines(decode(content)), start=1) if line.strip()
    ]


def too_long(line: str, limit: int = MAX_LINE_CHARS) -> str:
    """The problem of a line longer than ``limit``, or ``""``."""
    if len(line) <= limit:
        return ""
    return f"the line is {len(line):,} characters long; a record is at most {limit:,}"


@dataclass(frozen=True, slots=True)
class CsvLine:
    """One line of a CSV file: its fields, or (``fields`` None) why they cannot be read, with the
    line's first character (a record type, for formats that have one)."""

    number: int
    fields: list[str] | None
    problem: str = ""
    first_char: str = ""


def csv_fields(line: str) -> list[str]:
    """The fields of one CSV line (a quoted field does not run on to the next line)."""
    return next(csv.reader([line]), [])


def csv_lines(content: bytes, *, limit: int = MAX_LINE_CHARS) -> Iterator[CsvLine]:
    """Each line that is not blank, as CSV fields; a line longer than ``limit`` (or one the ``csv``
    module refuses) comes with its problem instead. TextFileError when the file is not UTF-8 text."""
    for number, line in numbered_lines(content):
        problem = too_long(line, limit)
        if problem:
            yield CsvLine(number, None, problem, line.lstrip()[:1])
            continue
        try:
            yield CsvLine(number, csv_fields(line))
        except csv.Error as error:  # pragma: no cover - a short line without NUL always parses
            yield CsvLine(number, None, f"is not a CSV record ({error})", line.lstrip()[:1])


def content_fingerprint(content: bytes) -> str:
    """SHA-256 (hex) of the file's normalised content: the byte-order mark dropped, CR LF and CR made
    LF, every line's trailing blanks (spaces, tabs) and every blank line dropped. Two files with the
    same fingerprint hold the same records. Bytes that are not UTF-8 are hashed as they are."""
    data = content[len(_BOM_BYTES) :] if content.startswith(_BOM_BYTES) else content
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if _UNTIDY.search(data):  # else (most files) only the ends are trimmed
        lines = (line.rstrip(b" \t\f\v") for line in data.split(b"\n"))
        data = b"\n".join(line for line in lines if line)
    return hashlib.sha256(data.strip(b"\n")).hexdigest()
