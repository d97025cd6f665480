from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicbill.core.money import Money, MoneyError, format_cents, format_money, money_sum


def test_amounts_are_exact_cents():
    assert Money.from_cents(1234) == Money(Decimal("12.34"))
    assert Money.from_cents(1234).cents == 1234
    assert Money.parse("0.10") + Money.parse("0.20") == Money.parse("0.30")


def test_rounding_is_half_up_to_the_cent_once_per_line():
    assert Money.round(Decimal("3.015")) == Money.from_cents(302)
    assert Money.round(Decimal("3.0149")) == Money.from_cents(301)
    assert Money.round(Decimal("-3.015")) == Money.from_cents(-302)
    assert Money.from_cents(1380).times(Decimal("29") / Decimal("30")) == Money.from_cents(1334)


def test_fractions_of_a_cent_are_refused_unless_rounded():
    with pytest.raises(MoneyError, match="fractions of a cent"):
        Money(Decimal("1.005"))


def test_floats_are_not_money():
    with pytest.raises(MoneyError, match="floats are not money"):
        Money(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("12", 1200), ("$1,234.50", 123450), ("(3.00)", -300), ("3.00 CR", -300), ("-0.05", -5), (" 7.1 ", 710)],
)
def test_amounts_typed_by_a_person_are_read(typed, cents):
    assert Money.parse(typed).cents == cents


@pytest.mark.parametrize("typed", ["", "abc", "1.234", "1..2", "12-", "$", "1e3"])
def test_what_is_not_an_amount_is_refused_naming_it(typed):
    with pytest.raises(MoneyError, match=r"is not an amount|more than two decimals"):
        Money.parse(typed)


def test_money_looks_like_money():
    assert format_money(Money.parse("1234.5")) == "$1,234.50"
    assert format_cents(-1200) == "$12.00 CR"
    assert format_cents(-1200, credit_style="parentheses") == "($12.00)"
    assert format_cents(0) == "$0.00"


@given(st.lists(st.integers(min_value=-(10**9), max_value=10**9), max_size=30))
def test_summing_money_equals_summing_cents(cents_list):
    assert money_sum([Money.from_cents(c) for c in cents_list]).cents == sum(cents_list)
