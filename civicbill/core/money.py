"""Money: the only way civicbill makes, parses, rounds and formats amounts.

Amounts are exact. In the database they are integers of cents (``amount_cents``); in Python they
are :class:`Money`, a frozen value holding a ``Decimal`` that is always a whole number of cents.
Rates and intermediate products may carry more decimals (``Decimal``), and become Money only through
:func:`Money.round`, which rounds half up to the cent (ADR 0001). Floats are refused everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

CENT = Decimal("0.01")

CreditStyle = Literal["CR", "parentheses", "minus"]


class MoneyError(ValueError):
    """An amount could not be read or made exact."""


def _to_decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise MoneyError("floats are not money: pass a str, int or Decimal")
    if isinstance(value, bool):
        raise MoneyError("a boolean is not an amount")
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
        if amount != amount.quantize(CENT):
            raise MoneyError(f"{amount} has fractions of a cent; use Money.round() to round it to the cent")
        object.__setattr__(self, "amount", amount.quantize(CENT))

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
        return cls(round_half_up(_to_decimal(value)))

    @classmethod
    def parse(cls, text: str) -> Money:
        """Read an amount typed by a person or found in a file.

        Accepts ``1,234.50``, ``$12``, ``(3.00)`` and ``3.00 CR``.

        Raises MoneyError naming the text when it is not an amount in whole cents.
        """
        raw = text
        cleaned = text.strip().replace(",", "").replace("$", "").replace(" ", "")
        negative = False
        if cleaned.startswith("(") and cleaned.endswith(")"):
            negative, cleaned = True, cleaned[1:-1]
        if cleaned.upper().endswith("CR"):
            negative, cleaned = True, cleaned[:-2]
        if cleaned.startswith("-"):
            negative, cleaned = not negative, cleaned[1:]
        if not cleaned or not all(ch.isdigit() or ch == "." for ch in cleaned) or cleaned.count(".") > 1:
            raise MoneyError(f"{raw!r} is not an amount")
        value = Decimal(cleaned)
        if value != value.quantize(CENT):
            raise MoneyError(f"{raw!r} has more than two decimals")
        return cls(-value if negative else value)

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
