from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicbill.core.money import (
    MAX_AMOUNT_CENTS,
    AmountLimitError,
    Money,
    MoneyError,
    format_cents,
    format_money,
    money_sum,
    plain_cents,
)


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
    assert format_cents(-50, credit_style="minus") == "-$0.50"


def test_files_carry_plain_amounts():
    assert [plain_cents(c) for c in (123450, 5, 0, -50, -123450)] == [
        "1234.50", "0.05", "0.00", "-0.50", "-1234.50"
    ]  # fmt: skip
    assert plain_cents(10**14) == "1000000000000.00" == str(Money.from_cents(10**14))


@given(st.lists(st.integers(min_value=-(10**9), max_value=10**9), max_size=30))
def test_summing_money_equals_summing_cents(cents_list):
    assert money_sum([Money.from_cents(c) for c in cents_list]).cents == sum(cents_list)


# -- the one parser, at the edges (issue 11, points 0, 5 and 11) ----------------------------------------
@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("1,234.50", 123450),
        ("1,234,567.89", 123456789),
        ("$10,000,000.00", MAX_AMOUNT_CENTS),
        (".75", 75),
        ("0", 0),
        ("007", 700),
        ("-$3", -300),
        ("$-3.10", -310),
        ("12.50 cr", -1250),
    ],
)
def test_valid_amounts_are_read(typed, cents):
    assert Money.parse(typed).cents == cents


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        (".", "'.' is not an amount"),
        ("1.", "'1.' is not an amount"),
        ("-", "'-' is not an amount"),
        ("²", "'²' is not an amount (type the digits 0-9)"),
        ("①", "'①' is not an amount (type the digits 0-9)"),
        ("١٢.٥٠", "is not an amount (type the digits 0-9)"),  # Arabic-Indic 12.50
        ("１２", "is not an amount (type the digits 0-9)"),  # full-width 12
        ("1,00", "'1,00' is not an amount (commas only between groups of three digits, like 1,234.50)"),
        ("12,3456", "commas only between groups of three digits"),
        ("1,2345.00", "commas only between groups of three digits"),
        (",100", "commas only between groups of three digits"),
        ("5 0", "'5 0' is not an amount (no spaces inside the number)"),
        ("1 234.50", "no spaces inside the number"),
        ("(-3.00)", "'(-3.00)' is not an amount"),
        ("-3.00 CR", "'-3.00 CR' is not an amount"),
        ("1e3", "'1e3' is not an amount"),
        ("NaN", "'NaN' is not an amount"),
        ("Infinity", "'Infinity' is not an amount"),
        ("0x10", "'0x10' is not an amount"),
        ("12.345", "'12.345' has more than two decimals"),
        ("12.500", "'12.500' has more than two decimals"),
    ],
)
def test_what_is_almost_an_amount_is_refused_saying_why(typed, why):
    with pytest.raises(MoneyError) as refused:
        Money.parse(typed)
    assert why in str(refused.value)
    assert not isinstance(refused.value, AmountLimitError)


@pytest.mark.parametrize(
    "typed",
    [
        "10000000.01",
        "10,000,000.01",
        "92233720368547758.07",
        "9" * 29,
        "9" * 29 + ".99",
        "-10000000.01",
        "1" * 5000,
    ],
)
def test_an_amount_above_the_limit_is_refused_naming_the_limit(typed):
    with pytest.raises(AmountLimitError, match=r"is over the limit of \$10,000,000\.00 for one amount"):
        Money.parse(typed)


def test_a_refused_megabyte_is_not_echoed_back():
    with pytest.raises(MoneyError) as refused:
        Money.parse("x" * 1_000_000)
    assert len(str(refused.value)) < 100


def test_a_caller_may_set_another_limit():
    assert Money.parse("250.00", limit_cents=25_000).cents == 25_000
    with pytest.raises(AmountLimitError, match=r"over the limit of \$250\.00"):
        Money.parse("250.01", limit_cents=25_000)
    assert Money.parse("123,456,789,012.34", limit_cents=None).cents == 12_345_678_901_234


@pytest.mark.parametrize("value", [Decimal("1e30"), Decimal(10) ** 40, "1" * 40, 10**50])
def test_numbers_too_large_for_exact_cents_raise_money_error_not_invalid_operation(value):
    with pytest.raises(MoneyError, match="too large"):
        Money.round(value)
    with pytest.raises(MoneyError):
        Money(value)


def test_non_ascii_digits_are_not_money_anywhere():
    with pytest.raises(MoneyError, match="ASCII digits only"):
        Money("\u0661\u0662")  # type: ignore[arg-type]


@given(st.integers(min_value=-MAX_AMOUNT_CENTS, max_value=MAX_AMOUNT_CENTS))
def test_every_amount_in_range_round_trips_through_its_printed_forms(cents):
    money = Money.from_cents(cents)
    for style in ("CR", "parentheses", "minus"):
        assert Money.parse(format_money(money, credit_style=style)) == money  # type: ignore[arg-type]
        assert Money.parse(format_money(money, symbol=False, credit_style=style)) == money  # type: ignore[arg-type]
    assert Money.parse(str(money)) == money


@given(st.integers(min_value=MAX_AMOUNT_CENTS + 1, max_value=2**80))
def test_every_amount_above_the_limit_is_refused(cents):
    with pytest.raises(AmountLimitError):
        Money.parse(format_cents(cents))


_ALMOST = st.text(alphabet="0123456789,.$-() CRcr\u0661\u00b2\u2460\uff10e+_\t", max_size=30)


@given(st.one_of(_ALMOST, st.text(max_size=30)))
def test_any_text_is_read_or_refused_with_money_error_never_a_crash(text):
    try:
        money = Money.parse(text)
    except MoneyError:
        return
    assert abs(money.cents) <= MAX_AMOUNT_CENTS
    assert text.strip().isascii()
    digits = [ch for ch in text if ch.isdigit()]
    assert digits and all("0" <= ch <= "9" for ch in digits)
    assert " " not in text.strip().removesuffix("CR").removesuffix("cr").strip()


@given(st.text(alphabet="0123456789", min_size=1, max_size=7), st.text(alphabet="0123456789", max_size=2))
def test_plain_digits_read_exactly(whole, decimals):
    text = whole + ("." + decimals if decimals else "")
    assert Money.parse(text).cents == int(whole) * 100 + int(decimals.ljust(2, "0"))
