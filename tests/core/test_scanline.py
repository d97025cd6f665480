"""The remittance scan line: layout, check digit, reading it back."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicbill.core.checkdigit import mod10_check_digit
from civicbill.core.money import Money
from civicbill.core.scanline import (
    ScanLineError,
    build_scan_line,
    format_scan_line,
    is_valid_scan_line,
    parse_scan_line,
)
from civicbill.customers.normalize import account_number_for

DUE = dt.date(2026, 12, 22)


def test_scan_line_is_account_amount_due_date_and_check_digit() -> None:
    line = build_scan_line(account_number="1000001-6", amount_due=Money.parse("78.11"), due_date=DUE)
    assert line == "10000016000007811202612225"
    assert format_scan_line(line) == "10000016 000007811 20261222 5"


def test_the_worked_example_in_the_docs_adds_up() -> None:
    # digits 1000001600000781120261222, weights 2,1,2,1...: products' digits add to 45, check (10 - 5) % 10
    assert mod10_check_digit("1000001600000781120261222") == 5


def test_nothing_due_or_a_credit_is_all_zeros() -> None:
    zero = build_scan_line(account_number="1000001-6", amount_due=Money.zero(), due_date=DUE)
    credit = build_scan_line(account_number="1000001-6", amount_due=Money.parse("-12.00"), due_date=DUE)
    assert zero == credit == "10000016000000000202612222"


def test_an_account_number_with_a_wrong_check_digit_is_refused() -> None:
    with pytest.raises(ScanLineError, match="wrong check digit"):
        build_scan_line(account_number="1000001-8", amount_due=Money.parse("1.00"), due_date=DUE)


def test_an_amount_too_large_for_nine_digits_is_refused() -> None:
    with pytest.raises(ScanLineError, match="does not fit"):
        build_scan_line(account_number="1000001-6", amount_due=Money.parse("10000000.00"), due_date=DUE)


def test_parse_reads_what_a_scanner_or_a_clerk_types() -> None:
    for text in (
        "10000016000007811202612225",
        "10000016 000007811 20261222 5",
        " 10000016-000007811-20261222-5 ",
    ):
        scan = parse_scan_line(text)
        assert scan.account_number == "1000001-6"
        assert scan.amount_due == Money.parse("78.11")
        assert scan.due_date == DUE
        assert scan.digits == "10000016000007811202612225"
        assert scan.printed == "10000016 000007811 20261222 5"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10000016000007811202612226", "fails its check digit"),
        ("10000061000007811202612225", "fails its check digit"),  # two digits swapped
        ("1000001600000781120261222", "has 25 digits; a scan line has 26"),
        ("1000001600000781120261222X", "digits only"),
        ("10000018000007811202612223", "account 10000018, whose check digit is wrong"),
        ("10000016000007811202613223", "not a date"),
    ],
)
def test_parse_refuses_a_bad_line_naming_why(text: str, message: str) -> None:
    with pytest.raises(ScanLineError, match=message):
        parse_scan_line(text)
    assert is_valid_scan_line(text) is False


def test_every_single_digit_misread_is_caught() -> None:
    line = "10000016000007811202612225"
    for position in range(len(line)):
        for digit in "0123456789":
            if digit != line[position]:
                assert not is_valid_scan_line(line[:position] + digit + line[position + 1 :])


@given(
    sequence=st.integers(min_value=1, max_value=9_999_999),
    cents=st.integers(min_value=0, max_value=999_999_999),
    due=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
)
def test_build_then_parse_round_trips(sequence: int, cents: int, due: dt.date) -> None:
    account = account_number_for(sequence)
    line = build_scan_line(account_number=account, amount_due=Money.from_cents(cents), due_date=due)
    assert len(line) == 26
    scan = parse_scan_line(format_scan_line(line))
    assert (scan.account_number, scan.amount_due.cents, scan.due_date) == (account, cents, due)
