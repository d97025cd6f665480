"""Amounts in API requests: dollars and cents as a string (``"90.01"``), read by ``Money.parse``.

A JSON number is refused by the schema (no float ever carries money). :data:`AmountText` is the
schema type of every amount field: at most 40 characters (else 422 naming the field) and documented
with the accepted pattern; :func:`parse_amount` turns it into Money or answers 400 ``bad_amount``
naming the field (not an amount, more than two decimals, a digit other than 0-9, a thousands
separator out of place) or ``amount_over_limit`` naming the limit (ADR 0012).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints, WithJsonSchema

from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import (
    MAX_AMOUNT_CENTS,
    MAX_TEXT_LENGTH,
    AmountLimitError,
    Money,
    MoneyError,
    format_cents,
)

AMOUNT_PATTERN = r"^\s*-?\$?([0-9]{1,3}(,[0-9]{3})+|[0-9]*)(\.[0-9]{1,2})?\s*$"

_DESCRIPTION = f'Dollars and cents as a string, "90.01"; at most {format_cents(MAX_AMOUNT_CENTS)}'

AmountText = Annotated[
    str,
    StringConstraints(max_length=MAX_TEXT_LENGTH),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": MAX_TEXT_LENGTH,
            "pattern": AMOUNT_PATTERN,
            "description": _DESCRIPTION,
            "examples": ["90.01"],
        }
    ),
]


def parse_amount(text: str, field: str) -> Money:
    """``text`` as Money, or a 400 naming ``field`` and what is wrong."""
    try:
        return Money.parse(text)
    except AmountLimitError as error:
        raise ApplicationError(f"{field} {error}", code="amount_over_limit", field=field) from None
    except MoneyError as error:
        raise ApplicationError(
            f'{field} {error}: send dollars and cents as a string, like "90.01"',
            code="bad_amount",
            field=field,
        ) from None
