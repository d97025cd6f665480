"""From bytes to 94-character records, with the tolerance real files need.

- Bytes are read one byte per character (latin-1), so positions never shift; any byte outside
  printable ASCII is an error on its line (and is read as ``?`` so the rest of the line is checked).
- Lines end in ``\\n`` (``\\r\\n`` and a bare ``\\r`` are accepted); blank lines at the end are ignored.
- A file written as one long line (longer than 94 characters) is split every 94 characters.
- A short line (trailing spaces trimmed) is padded with spaces to 94; spaces past column 94 are
  dropped. Each repair is reported once as a warning (an error when ``strict``). A line with anything
  but spaces past column 94 is an error (and its first 94 characters are read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from civicbill.nacha.layouts import RECORD_LENGTH
from civicbill.nacha.problems import ERROR, WARNING, Problem

_BAD_CHARS = re.compile(r"[^\x20-\x7e]")
_BAD_IN_TEXT = re.compile(r"[^\x20-\x7e\n]")


@dataclass(frozen=True, slots=True)
class Lines:
    records: list[str]  # each exactly 94 characters
    problems: list[Problem]


def split_records(data: bytes | str, *, strict: bool = False) -> Lines:
    """The file's records (each 94 characters) and what had to be repaired or could not be."""
    text = data.decode("latin-1") if isinstance(data, bytes | bytearray) else data
    problems: list[Problem] = []
    if "\n" in text:
        raw = text.split("\n")
        raw = [line[:-1] if line.endswith("\r") else line for line in raw]
    else:
        raw = text.split("\r")
    while raw and not raw[-1].strip(" \t\r\n\x00\x1a"):
        raw.pop()  # blank lines (and DOS end-of-file marks) after the last record
    if not raw:
        problems.append(
            Problem(None, "file", "content", "the file is empty (no records)", expected="records")
        )
        return Lines([], problems)

    repair = ERROR if strict else WARNING
    if len(raw) == 1 and len(raw[0].rstrip(" ")) > RECORD_LENGTH:
        line = raw[0]
        raw = [line[start : start + RECORD_LENGTH] for start in range(0, len(line), RECORD_LENGTH)]
        problems.append(
            Problem(
                1,
                "file",
                "line_breaks",
                f"the file is one line of {len(line)} characters; it was split every 94 characters "
                f"into {len(raw)} records",
                found=f"{len(line)} characters on one line",
                expected="one record of 94 characters per line",
                severity=repair,
            )
        )

    records: list[str] = []
    padded: list[int] = []
    padded_lengths: list[int] = []
    trimmed: list[int] = []
    trimmed_lengths: list[int] = []
    # one scan of the whole text first: most files have nothing to report line by line
    any_bad = "\r" in text or _BAD_IN_TEXT.search(text) is not None
    for number, line in enumerate(raw, start=1):
        bad = _BAD_CHARS.search(line) if any_bad else None
        if bad is not None:
            problems.append(
                Problem(
                    number,
                    "",
                    "characters",
                    f"byte 0x{ord(bad.group()):02x} at column {bad.start() + 1} is not printable ASCII",
                    found=repr(bad.group()),
                    expected="printable ASCII (space to ~)",
                    positions=str(bad.start() + 1),
                )
            )
            line = _BAD_CHARS.sub("?", line)
        length = len(line)
        if length < RECORD_LENGTH:
            padded.append(number)
            padded_lengths.append(length)
            line = line.ljust(RECORD_LENGTH)
        elif length > RECORD_LENGTH:
            if line[RECORD_LENGTH:].strip(" "):
                problems.append(
                    Problem(
                        number,
                        "",
                        "record_length",
                        f"the line is {length} characters long; only the first 94 were read",
                        found=str(length),
                        expected="94",
                    )
                )
            else:
                trimmed.append(number)
                trimmed_lengths.append(length)
            line = line[:RECORD_LENGTH]
        records.append(line)

    for numbers, lengths, what in (
        (padded, padded_lengths, "shorter than 94 characters and were padded with spaces"),
        (trimmed, trimmed_lengths, "longer than 94 characters (trailing spaces) and were cut to 94"),
    ):
        if numbers:
            shown = ", ".join(str(n) for n in numbers[:10]) + (", ..." if len(numbers) > 10 else "")
            problems.append(
                Problem(
                    numbers[0],
                    "",
                    "record_length",
                    f"{len(numbers)} line(s) were {what} (lines {shown})",
                    found=f"{lengths[0]} characters",
                    expected="94 characters per record",
                    severity=repair,
                )
            )
    return Lines(records, problems)
