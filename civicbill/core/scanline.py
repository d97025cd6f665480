"""The remittance stub's scan line: build it, read it back, check it. Pure.

Layout (26 digits, printed in four groups)::

    AAAAAAAA NNNNNNNNN YYYYMMDD C
    |        |         |        +-- check digit over the 25 digits before it (mod 10, weights 2,1,2,1...)
    |        |         +----------- due date
    |        +--------------------- amount due in cents, zero-filled (0 when nothing is due)
    +------------------------------ account number without its dash (7-digit sequence + its check digit)

``10000016 000007811 20261222 5`` is account 1000001-6, $78.11 due on 2026-12-22. The lockbox
returns the scan line with each payment; :func:`parse_scan_line` reads it back and refuses a line
whose check digit (or the account number's own check digit) does not hold.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from civicbill.core.checkdigit import mod10_check_digit
from civicbill.core.money import Money

ACCOUNT_DIGITS = 8
AMOUNT_DIGITS = 9
DATE_DIGITS = 8
SCAN_LINE_DIGITS = ACCOUNT_DIGITS + AMOUNT_DIGITS + DATE_DIGITS + 1  # 26
MAX_AMOUNT_CENTS = 10**AMOUNT_DIGITS - 1

_SEPARATORS = re.compile(r"[\s\-]")


class ScanLineError(ValueError):
    """A scan line that cannot be read or whose check digit does not hold. ``str()`` says why."""


@dataclass(frozen=True, slots=True)
class ScanLine:
    account_number: str  # canonical, "1000001-8"
    amount_due: Money
    due_date: dt.date

    @property
    def digits(self) -> str:
        """The 26 digits, as the barcode carries them and a scanner types them."""
        return build_scan_line(
            account_number=self.account_number, amount_due=self.amount_due, due_date=self.due_date
        )

    @property
    def printed(self) -> str:
        return format_scan_line(self.digits)


def _account_digits(account_number: str) -> str:
    digits = _SEPARATORS.sub("", account_number)
    if len(digits) != ACCOUNT_DIGITS or not digits.isdigit():
        raise ScanLineError(f"account number {account_number!r} is not 7 digits, a dash and a check digit")
    if mod10_check_digit(digits[:-1]) != int(digits[-1]):
        raise ScanLineError(f"account number {account_number!r} has a wrong check digit")
    return digits


def build_scan_line(*, account_number: str, amount_due: Money, due_date: dt.date) -> str:
    """The 26-digit scan line. A credit or zero balance is encoded as nothing due (all zeros)."""
    account = _account_digits(account_number)
    cents = max(amount_due.cents, 0)
    if cents > MAX_AMOUNT_CENTS:
        raise ScanLineError(f"amount due {amount_due} does not fit the scan line's {AMOUNT_DIGITS} digits")
    body = f"{account}{cents:0{AMOUNT_DIGITS}d}{due_date:%Y%m%d}"
    return f"{body}{mod10_check_digit(body)}"


def format_scan_line(digits: str) -> str:
    """``10000016000007811202612225`` → ``10000016 000007811 20261222 5`` (how the stub prints it)."""
    a, n, d = ACCOUNT_DIGITS, ACCOUNT_DIGITS + AMOUNT_DIGITS, ACCOUNT_DIGITS + AMOUNT_DIGITS + DATE_DIGITS
    return f"{digits[:a]} {digits[a:n]} {digits[n:d]} {digits[d:]}"


def parse_scan_line(text: str) -> ScanLine:
    """Read a scan line as a scanner or a clerk typed it (spaces and dashes ignored).

    Raises :class:`ScanLineError` naming the problem: wrong length, not digits, a check digit that
    does not hold (a misread or mistyped digit), an impossible due date.
    """
    digits = _SEPARATORS.sub("", text)
    if not (digits.isascii() and digits.isdigit()):  # "²".isdigit() is True
        raise ScanLineError(f"scan line {text[:60]!r} must hold digits only (0-9)")
    if len(digits) != SCAN_LINE_DIGITS:
        raise ScanLineError(
            f"scan line {text!r} has {len(digits)} digits; a scan line has {SCAN_LINE_DIGITS}"
        )
    if mod10_check_digit(digits[:-1]) != int(digits[-1]):
        raise ScanLineError(f"scan line {text!r} fails its check digit (a digit was misread or mistyped)")
    account = digits[:ACCOUNT_DIGITS]
    if mod10_check_digit(account[:-1]) != int(account[-1]):
        raise ScanLineError(f"scan line {text!r} holds account {account}, whose check digit is wrong")
    amount = digits[ACCOUNT_DIGITS : ACCOUNT_DIGITS + AMOUNT_DIGITS]
    date_text = digits[ACCOUNT_DIGITS + AMOUNT_DIGITS : -1]
    try:
        due_date = dt.date(int(date_text[:4]), int(date_text[4:6]), int(date_text[6:]))
    except ValueError:
        raise ScanLineError(f"scan line {text!r} holds {date_text}, which is not a date") from None
    return ScanLine(
        account_number=f"{account[:-1]}-{account[-1]}",
        amount_due=Money.from_cents(int(amount)),
        due_date=due_date,
    )


def is_valid_scan_line(text: str) -> bool:
    try:
        parse_scan_line(text)
    except ScanLineError:
        return False
    return True
