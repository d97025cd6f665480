"""What the remittance file readers return, and the small field readers they share. Pure."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from civicbill.core.money import MAX_AMOUNT_CENTS, format_cents  # one payment: at most $10,000,000.00
from civicbill.core.textfiles import TextFileError

_AMOUNT = re.compile(r"^[0-9]{1,10}\.[0-9]{2}$")
_ACCOUNT = re.compile(r"^([0-9]{7})-?([0-9])$")
_DIGITS = re.compile(r"^[0-9]+$")
SHOWN_CHARS = 40  # a field quoted in a message is cut to this


class FieldError(ValueError):
    """A field that cannot be read; ``str()`` says why."""


@dataclass(frozen=True, slots=True)
class RemittanceRow:
    """One payment as the file describes it (identifiers not yet matched to an account)."""

    line_number: int
    amount_cents: int
    deposit_date: dt.date
    scan_line: str = ""  # digits as in the file (blank when absent)
    account_number: str = ""  # canonical "1000001-6" when readable, else as in the file
    check_number: str = ""
    reference: str = ""  # online confirmation number
    payer_name: str = ""
    method: str = ""  # online: card / ach / ivr


@dataclass(frozen=True, slots=True)
class RowProblem:
    line_number: int
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line_number, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ParsedFile:
    file_format: str
    batch_reference: str
    deposit_date: dt.date | None
    rows: tuple[RemittanceRow, ...]
    row_problems: tuple[RowProblem, ...]
    # problems that refuse the whole file (missing header/trailer, totals that do not tie)
    file_problems: tuple[str, ...] = ()
    detail_count: int = 0  # detail records seen (good and bad)
    trailer_count: int | None = None
    trailer_total_cents: int | None = None
    read_total_cents: int = 0  # the sum of every detail amount that could be read
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_refused(self) -> bool:
        return bool(self.file_problems)


def shown(text: str) -> str:
    """A field as quoted in a message: ``repr``, cut to :data:`SHOWN_CHARS` characters."""
    text = text.strip()
    return repr(text) if len(text) <= SHOWN_CHARS else f"{text[:SHOWN_CHARS]!r}…"


def is_digits(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` also takes ``²`` and other scripts' digits)."""
    return bool(_DIGITS.match(text))


def read_count(text: str) -> int | None:
    """A count of records (ASCII digits), or None."""
    text = text.strip()
    return int(text) if is_digits(text) else None


def read_amount(text: str, *, allow_zero: bool = False) -> int:
    """``"123.45"`` → 12345 cents. ASCII digits, two decimals, no sign, no thousands separators;
    positive unless ``allow_zero`` (a trailer's total)."""
    text = text.strip()
    if not _AMOUNT.match(text):
        raise FieldError(f"amount {shown(text)} is not like 123.45")
    cents = int(text.replace(".", ""))
    if cents <= 0 and not (allow_zero and cents == 0):
        raise FieldError(f"amount {text} is not positive")
    return cents


def over_limit_problem(cents: int) -> str:
    """Why a payment row above the limit (ADR 0012) is refused, or "". The amount was read: it counts
    toward the file's total (the bank's trailer includes it), but the row does not post."""
    if cents <= MAX_AMOUNT_CENTS:
        return ""
    limit = format_cents(MAX_AMOUNT_CENTS)
    return f"amount {format_cents(cents)} is over the limit of {limit} for one payment"


def read_cents(text: str, width_name: str = "amount") -> int:
    """Zero-filled cents of a fixed-width field (``"0000012345"`` → 12345)."""
    text = text.strip()
    if not is_digits(text):
        raise FieldError(f"{width_name} {shown(text)} is not digits (cents)")
    return int(text)


def read_date(text: str, *, compact: bool = False) -> dt.date:
    text = text.strip()
    try:
        if compact:
            if len(text) != 8 or not is_digits(text):
                raise ValueError
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if len(text) != 10 or not is_digits(text[:4] + text[5:7] + text[8:]) or text[4::3] != "--":
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        shape = "YYYYMMDD" if compact else "YYYY-MM-DD"
        raise FieldError(f"date {shown(text)} is not a date like {shape}") from None


def canonical_account(text: str) -> str:
    """``"10000016"`` or ``"1000001-6"`` → ``"1000001-6"``; other text is returned stripped (it will
    not match an account, and goes to suspense)."""
    text = text.strip()
    found = _ACCOUNT.match(text)
    return f"{found.group(1)}-{found.group(2)}" if found else text


FORMATS: dict[str, Callable[[bytes], ParsedFile]] = {}


def parse_file(content: bytes, file_format: str) -> ParsedFile:
    """Read ``content`` in ``file_format`` (one of :data:`FORMATS`)."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown payment file format {file_format!r}; known: {', '.join(sorted(FORMATS))}")
    return FORMATS[file_format](content)


def unreadable(file_format: str, error: TextFileError) -> ParsedFile:
    """The refusal of a file that is not UTF-8 text (a byte that is not UTF-8, a NUL byte)."""
    return ParsedFile(
        file_format=file_format,
        batch_reference="",
        deposit_date=None,
        rows=(),
        row_problems=(),
        file_problems=(str(error),),
    )


def trailer_problems(
    *, trailer_count: int | None, trailer_total_cents: int | None, detail_count: int, read_total_cents: int
) -> list[str]:
    from civicbill.core.money import format_cents

    if trailer_count is None or trailer_total_cents is None:
        return ["the file has no trailer record (count and total): it may be cut short"]
    problems = []
    if trailer_count != detail_count:
        problems.append(f"the trailer counts {trailer_count} payments but the file has {detail_count}")
    if trailer_total_cents != read_total_cents:
        problems.append(
            f"the trailer totals {format_cents(trailer_total_cents)} but the payments add up to "
            f"{format_cents(read_total_cents)}"
        )
    return problems
