"""Tenders: split, change on cash only, no card numbers."""

from __future__ import annotations

import pytest

from civicbill.core.money import Money
from civicbill.payments.tenders import SettledTender, TenderError, TenderInput, settle_tenders

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
