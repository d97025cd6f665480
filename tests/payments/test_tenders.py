"""Tenders: split, change on cash only, no card numbers."""

from __future__ import annotations

import pytest

from civicbill.core.money import MAX_AMOUNT_CENTS, Money
from civicbill.payments.tenders import (
    LargeTenderError,
    SettledTender,
    TenderError,
    TenderInput,
    settle_tenders,
)

M = Money.parse


def test_cash_gives_change() -> None:
    assert settle_tenders(amount_cents=9001, tenders=[TenderInput("cash", M("100.00"))]) == [
        SettledTender("cash", 9001, 10000, 999)
    ]


def test_a_split_tender_puts_the_change_on_the_cash() -> None:
    settled = settle_tenders(
        amount_cents=9001,
        tenders=[
            TenderInput("check", M("50.00"), check_number="1042", bank_name="Coachella Valley Bank"),
            TenderInput("cash", M("45.00")),
        ],
    )
    assert settled == [
        SettledTender("check", 5000, 5000, 0, "1042", "Coachella Valley Bank"),
        SettledTender("cash", 4001, 4500, 499),
    ]


@pytest.mark.parametrize(
    ("tenders", "message"),
    [
        ([], "at least one tender"),
        ([TenderInput("check", M("90.00"), check_number="1")], "short of the payment of 90.01 by 0.01"),
        ([TenderInput("check", M("95.00"), check_number="1")], "more than the payment"),
        ([TenderInput("check", M("90.01"))], "check number is required"),
        ([TenderInput("card", M("90.01"), card_reference="4111 1111 1111 1111")], "looks like a card number"),
        ([TenderInput("card", M("90.01"))], "processor's reference"),
        ([TenderInput("cash", M("-5.00"))], "must be positive"),
        ([TenderInput("cash", M("50.00")), TenderInput("cash", M("50.00"))], "one tender"),
        ([TenderInput("bitcoin", M("90.01"))], "unknown kind"),
        (
            [TenderInput("money_order", M("90.01")), TenderInput("cash", M("1.00"))],
            "remove the cash tender",
        ),
    ],
)
def test_bad_tenders_are_refused_with_the_reason(tenders: list[TenderInput], message: str) -> None:
    with pytest.raises(TenderError, match=message):
        settle_tenders(amount_cents=9001, tenders=tenders)


# -- large tenders and the limit (issue 11, point 5) ---------------------------------------------------
def test_a_tender_far_above_the_payment_needs_confirmation_naming_the_figures() -> None:
    typo = [TenderInput("cash", M("5000.00"))]  # "5000" typed for "50.00"
    with pytest.raises(LargeTenderError) as refused:
        settle_tenders(amount_cents=5000, tenders=typo)
    assert str(refused.value) == (
        "the tenders total $5,000.00, more than 10 times the payment of $50.00 (change $4,950.00); "
        "check the amount, or confirm the large tender"
    )
    assert settle_tenders(amount_cents=5000, tenders=typo, large_tender_confirmed=True) == [
        SettledTender("cash", 5000, 500000, 495000)
    ]


def test_ordinary_change_needs_no_confirmation() -> None:
    # a $20 note on $1.50 is 13 times the payment but only $18.50 of change
    assert settle_tenders(amount_cents=150, tenders=[TenderInput("cash", M("20.00"))]) == [
        SettledTender("cash", 150, 2000, 1850)
    ]
    # $100.00 of change exactly, on $10.00: not more than $100.00
    assert (
        settle_tenders(amount_cents=1000, tenders=[TenderInput("cash", M("110.00"))])[0].change_cents == 10000
    )


def test_more_than_ten_thousand_dollars_of_cash_needs_confirmation() -> None:
    assert settle_tenders(amount_cents=1_000_000, tenders=[TenderInput("cash", M("10000.00"))])
    with pytest.raises(
        LargeTenderError, match=r"^the cash handed over is \$10,000.01, more than \$10,000.00"
    ):
        settle_tenders(amount_cents=1_000_001, tenders=[TenderInput("cash", M("10000.01"))])
    assert settle_tenders(
        amount_cents=1_000_001, tenders=[TenderInput("cash", M("10000.01"))], large_tender_confirmed=True
    ) == [SettledTender("cash", 1_000_001, 1_000_001, 0)]
    # a check of any size up to the limit is not cash
    assert settle_tenders(
        amount_cents=5_000_000, tenders=[TenderInput("check", M("50000.00"), check_number="7")]
    )


def test_a_payment_or_a_tender_over_the_limit_is_refused_even_when_confirmed() -> None:
    over = Money.from_cents(MAX_AMOUNT_CENTS + 1)
    with pytest.raises(
        TenderError, match=r"^the payment of \$10,000,000.01 is over the limit of \$10,000,000.00"
    ):
        settle_tenders(
            amount_cents=MAX_AMOUNT_CENTS + 1,
            tenders=[TenderInput("cash", over)],
            large_tender_confirmed=True,
        )
    with pytest.raises(TenderError, match=r"^tender 1 \(cash\): \$10,000,000.01 is over the limit"):
        settle_tenders(amount_cents=100, tenders=[TenderInput("cash", over)], large_tender_confirmed=True)
