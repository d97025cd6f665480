"""Mod-10 check digits (weights 2,1,2,1... from the left; digits of each product added).

Used for account numbers and remittance-stub scan lines: a transposed or mistyped digit is caught
before it reaches the ledger.
"""

from __future__ import annotations


def mod10_check_digit(digits: str) -> int:
    if not digits or not digits.isdigit():
        raise ValueError(f"{digits!r} must be a non-empty string of digits")
    total = 0
    for position, char in enumerate(digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def with_check_digit(digits: str) -> str:
    return f"{digits}{mod10_check_digit(digits)}"


def has_valid_check_digit(number: str) -> bool:
    if len(number) < 2 or not number.isdigit():
        return False
    return mod10_check_digit(number[:-1]) == int(number[-1])
