"""A number typed by a person (a meter read, a multiplier) is read from ASCII digits only."""

from decimal import Decimal

import pytest

from civicbill.core.numbers import parse_typed_decimal


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("6920", Decimal("6920")),
        (" 10,040 ", Decimal("10040")),
        ("1,234,567.125", Decimal("1234567.125")),
        ("0.5", Decimal("0.5")),
        (".5", Decimal("0.5")),
        ("007", Decimal("7")),
    ],
)
def test_plain_and_grouped_numbers_are_read(typed: str, value: Decimal) -> None:
    assert parse_typed_decimal(typed) == value


@pytest.mark.parametrize(
    "typed",
    ["", ".", "1.", "٦٩٢٠", "६९२०", "6²", "①", "1,0040", "1,00", "6 920", "6e3", "NaN", "Infinity", "-5",
     "+5", "1.2.3", "6\x00920", "9" * 19, "1,000,000,000,000,000,000"],
)  # fmt: skip
def test_anything_else_is_not_a_number(typed: str) -> None:
    assert parse_typed_decimal(typed) is None
