"""Money: the only way civicbill makes, parses, rounds and formats amounts.

Amounts are exact. In the database they are integers of cents (``amount_cents``); in Python they
are :class:`Money`, a frozen value holding a ``Decimal`` that is always a whole number of cents.
Rates and intermediate products may carry more decimals (``Decimal``), and become Money only through
:func:`Money.round`, which rounds half up to the cent (ADR 0001). Floats are refused everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

CENT = Decimal("0.01")

# The limits (ADR 0012). One amount typed by a person or read from a file (a payment, a tender, a
# receipt, a deposit, a refund, a file row) is at most $10,000,000.00: far above any utility payment,
# and it keeps every cents column inside 32 bits. A journal line may add up many amounts (a day's
# bank deposit), so the ledger takes lines up to $1,000,000,000.00; the sum of every line ever posted
# stays inside the databases' 64-bit integers (it would take 92 million lines at that cap to overflow).
MAX_AMOUNT_CENTS = 1_000_000_000
MAX_LINE_CENTS = 100_000_000_000
MAX_TEXT_LENGTH = 40  # an amount field holds at most this much text (API schemas); messages quote as much

# ASCII digits only (``\d`` would take ``١٢`` and ``²``); thousands separators only in groups of three
_NUMBER = re.compile(r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.(?P<cents>[0-9]*))?", re.ASCII)

CreditStyle = Literal["CR", "parentheses", "minus"]


class MoneyError(ValueError):
    """An amount could not be read or made exact."""


class AmountLimitError(MoneyError):
    """An amount above the limit (``MAX_AMOUNT_CENTS``); ``str()`` names the limit."""


def _shown(text: str) -> str:
    """The text as quoted in a message (a pasted megabyte is not echoed back)."""
    return repr(text if len(text) <= MAX_TEXT_LENGTH else text[:MAX_TEXT_LENGTH] + "…")


def _why(body: str) -> str:
    """Why text that is almost a number is not an amount (for the message), or ""."""
    if any(ch.isdigit() and not ch.isascii() for ch in body):
        return " (type the digits 0-9)"
    if any(ch.isspace() for ch in body):
        return " (no spaces inside the number)"
    if "," in body:
        return " (commas only between groups of three digits, like 1,234.50)"
    return ""


def _to_decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise MoneyError("floats are not money: pass a str, int or Decimal")
    if isinstance(value, bool):
        raise MoneyError("a boolean is not an amount")
    if isinstance(value, str) and not value.isascii():
        raise MoneyError(f"{_shown(value)} is not an amount (ASCII digits only)")
    try:
        result = value if isinstance(value, Decimal) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise MoneyError(f"{value!r} is not an amount") from error
    if not result.is_finite():
        raise MoneyError(f"{value!r} is not a finite amount")
    return result


def round_half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    """Round half away from zero (the house rule, applied per bill line)."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, order=True, slots=True)
class Money:
    """An exact amount of US dollars, always a whole number of cents."""

    amount: Decimal

    def __post_init__(self) -> None:
        amount = _to_decimal(self.amount)
        try:
            exact = amount.quantize(CENT)
        except InvalidOperation:
            raise MoneyError(f"{amount} is too large to be an amount") from None
        if amount != exact:
            raise MoneyError(f"{amount} has fractions of a cent; use Money.round() to round it to the cent")
        object.__setattr__(self, "amount", exact)

    # -- making -----------------------------------------------------------------------------
    @classmethod
    def zero(cls) -> Money:
        return cls(Decimal("0.00"))

    @classmethod
    def from_cents(cls, cents: int) -> Money:
        if not isinstance(cents, int) or isinstance(cents, bool):
            raise MoneyError(f"cents must be an int, not {type(cents).__name__}")
        return cls(Decimal(cents).scaleb(-2))

    @classmethod
    def round(cls, value: Decimal | int | str) -> Money:
        """The one rounding rule: half up (away from zero) to the cent."""
        try:
            return cls(round_half_up(_to_decimal(value)))
        except InvalidOperation:
            raise MoneyError(f"{value} is too large to be an amount") from None

    @classmethod
    def parse(cls, text: str, *, limit_cents: int | None = MAX_AMOUNT_CENTS) -> Money:
        """Read an amount typed by a person or found in a file: the one parser of money text.

        Accepts ``1234.5``, ``1,234.50``, ``$12``, ``.75`` and a credit as ``-3.00``, ``(3.00)`` or
        ``3.00 CR``. Refuses anything else with a MoneyError naming the text: digits other than ASCII
        ``0-9`` (``١٢``, ``²``, ``①``), thousands separators outside groups of three (``1,00``), spaces
        inside the number (``5 0``), more than two decimals, no digit at all (``.``). An amount whose
        size is above ``limit_cents`` ($10,000,000.00 unless a caller passes another limit; None for
        none) raises AmountLimitError naming the limit.
        """
        if not isinstance(text, str):
            raise MoneyError(f"{text!r} is not an amount: amounts are read from text")
        shown = _shown(text)  # (linear work only: a long number is refused before int() sees it)
        body = text.strip()
        negative = False
        if body[-2:].upper() == "CR":
            negative, body = True, body[:-2].rstrip()
        if body.startswith("(") and body.endswith(")"):
            if negative:
                raise MoneyError(f"{shown} is not an amount")
            negative, body = True, body[1:-1]
        if body.startswith("-"):
            if negative:
                raise MoneyError(f"{shown} is not an amount")
            negative, body = True, body[1:]
        body = body.removeprefix("$")
        if body.startswith("-") and not negative:  # $-3.00
            negative, body = True, body[1:]
        match = _NUMBER.fullmatch(body)
        if match is None or not any(ch.isdigit() for ch in body):
            raise MoneyError(f"{shown} is not an amount{_why(body)}")
        whole = match["whole"].replace(",", "").lstrip("0")
        decimals = match["cents"]
        if decimals is not None:
            if len(decimals) > 2:
                raise MoneyError(f"{shown} has more than two decimals")
            if not decimals:
                raise MoneyError(f"{shown} is not an amount")
        # at most 12 digits before the point here (a longer number is over any limit, and never reaches int())
        if len(whole) > 12:
            raise AmountLimitError(_over_limit(shown, MAX_LINE_CENTS if limit_cents is None else limit_cents))
        cents = int(whole or "0") * 100 + int((decimals or "").ljust(2, "0"))
        if limit_cents is not None and cents > limit_cents:
            raise AmountLimitError(_over_limit(shown, limit_cents))
        return cls.from_cents(-cents if negative else cents)

    # -- reading ------------------------------------------------------------------------------
    @property
    def cents(self) -> int:
        return int(self.amount.scaleb(2))

    def is_zero(self) -> bool:
        return self.amount == 0

    def is_positive(self) -> bool:
        return self.amount > 0

    def is_negative(self) -> bool:
        return self.amount < 0

    # -- arithmetic (Money with Money; multiply/divide go through Decimal and Money.round) -------
    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.amount + other.amount)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.amount - other.amount)

    def __neg__(self) -> Money:
        return Money(-self.amount)

    def __abs__(self) -> Money:
        return Money(abs(self.amount))

    def times(self, factor: Decimal | int | str) -> Money:
        """Multiply by an exact factor, rounding the product half up to the cent."""
        return Money.round(self.amount * _to_decimal(factor))

    def __str__(self) -> str:
        return f"{self.amount:.2f}"

    def __repr__(self) -> str:
        return f"Money('{self.amount:.2f}')"


def _over_limit(shown: str, limit_cents: int) -> str:
    return f"{shown} is over the limit of {format_cents(limit_cents)} for one amount"


def money_sum(amounts: list[Money] | tuple[Money, ...]) -> Money:
    total = Money.zero()
    for amount in amounts:
        total = total + amount
    return total


def format_money(money: Money, *, symbol: bool = True, credit_style: CreditStyle = "CR") -> str:
    """``1234.5`` → ``$1,234.50``; a credit (negative) → ``$1,234.50 CR`` (or ``($1,234.50)``)."""
    magnitude = f"{abs(money.amount):,.2f}"
    text = f"${magnitude}" if symbol else magnitude
    if not money.is_negative():
        return text
    if credit_style == "CR":
        return f"{text} CR"
    if credit_style == "parentheses":
        return f"({text})"
    return f"-{text}"


def format_cents(cents: int, *, symbol: bool = True, credit_style: CreditStyle = "CR") -> str:
    return format_money(Money.from_cents(cents), symbol=symbol, credit_style=credit_style)


def plain_cents(cents: int) -> str:
    """An amount as files carry it (CSV columns, exports): ``1234.50``, a credit ``-12.50``; no symbol,
    no thousands separator. The same text as ``str(Money)``."""
    return str(Money.from_cents(cents))
