"""A refund waits while the money behind the credit can still come back: a check or money order
for 10 business days, an ACH payment for 5 (issue 11: 17 — a credit from a $500 check was refunded
and exported to accounts payable the same day). The windows count the city's business days
(weekends, holidays, office closures); approval says which money clears when."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money
from civicbill.customers.models import Account
from civicbill.ledger import selectors as ledger_selectors
from civicbill.ledger.models import JournalEntry
from civicbill.payments import services
from civicbill.payments.clearing import hold_days_from
from civicbill.payments.models import Refund
from civicbill.payments.services.taking import AccountAmount
from civicbill.payments.tenders import TenderInput
from tests.fixtures.payments import IMPORT_AT, at, books_ok, csv_file

pytestmark = pytest.mark.django_db


def day_at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(18, 0), tzinfo=dt.UTC)  # 10:00 in Coachella


def lockbox_check(importer: Any, account: Account, amount: str, deposit: dt.date) -> None:
    services.payment_file_import(
        content=csv_file(f"H,LB0001,{deposit}", f"D,,{account.number},{amount},1001,,Payer", f"T,1,{amount}"),
        file_name=f"lb-{deposit}.csv",
        file_format="lockbox-csv",
        as_of=day_at(deposit),
        actor=importer,
    )


def online(importer: Any, account: Account, amount: str, method: str) -> None:
    services.payment_file_import(
        content=csv_file(
            "confirmation,account_number,amount,paid_on,method,payer_name",
            f"W-{method},{account.number},{amount},2026-12-01,{method},Payer",
            f"TRAILER,1,{amount}",
        ),
        file_name=f"online-{method}.csv",
        file_format="online-csv",
        as_of=IMPORT_AT,
        actor=importer,
    )


def ask(account: Account, amount: str, csr: Any, on: dt.date) -> Refund:
    return services.refund_request(
        account=account, amount=Money.parse(amount), reason="moved away", as_of=day_at(on), actor=csr
    )


def test_a_credit_from_a_500_check_is_not_refunded_until_the_check_clears(
    make_account: Any, importer: Any, csr: Any, supervisor: Any
) -> None:
    rosa = make_account(last_name="Pena", house="100", owing={"water": "0.01"})
    lockbox_check(importer, rosa, "500.01", dt.date(2026, 11, 30))
    refund = ask(rosa, "500.00", csr, dt.date(2026, 12, 1))
    entries = JournalEntry.objects.count()

    with pytest.raises(ApplicationError) as held:
        services.refund_approve(refund=refund, as_of=day_at(dt.date(2026, 12, 1)), actor=supervisor)

    assert held.value.code == "refund_held"
    assert held.value.message == (
        f"Refund {refund.pk} of $500.00 waits: the credit comes from money that can still come back: the "
        "$500.01 check of 2026-11-30 clears on 2026-12-14. Of $500.00 of credit, $0.00 has cleared; the "
        "refund can be approved on 2026-12-14"
    )
    refund.refresh_from_db()
    assert (refund.status, refund.entry_id, JournalEntry.objects.count()) == ("requested", None, entries)
    assert services.refunds_ap_export(as_of=day_at(dt.date(2026, 12, 1)), actor=supervisor)[1] == []
    with pytest.raises(ApplicationError, match="clears on 2026-12-14"):  # the day before
        services.refund_approve(refund=refund, as_of=day_at(dt.date(2026, 12, 11)), actor=supervisor)

    approved = services.refund_approve(refund=refund, as_of=day_at(dt.date(2026, 12, 14)), actor=supervisor)

    assert approved.status == Refund.Status.APPROVED
    assert ledger_selectors.account_balance(rosa).cents == 0
    books_ok()


def test_holidays_and_weekends_do_not_count_toward_the_window(
    make_account: Any, importer: Any, csr: Any, supervisor: Any
) -> None:
    rosa = make_account(last_name="Pena", house="100", owing={"water": "10.00"})
    lockbox_check(importer, rosa, "110.00", dt.date(2026, 12, 18))  # a Friday; Christmas, New Year's Day
    refund = ask(rosa, "100.00", csr, dt.date(2026, 12, 21))
    with pytest.raises(ApplicationError, match=r"the \$110\.00 check of 2026-12-18 clears on 2027-01-05"):
        services.refund_approve(refund=refund, as_of=day_at(dt.date(2027, 1, 4)), actor=supervisor)
    assert services.refund_approve(
        refund=refund, as_of=day_at(dt.date(2027, 1, 5)), actor=supervisor
    ).entry_id


def test_only_the_uncleared_part_of_the_credit_waits(
    make_account: Any,
    csr: Any,
    supervisor: Any,
    drawers: Any,
    make_user: Any,
) -> None:
    cashier = make_user("CSR", "ana")
    rosa = make_account(last_name="Pena", house="100", owing={"water": "70.81"})
    session = services.drawer_session_open(
        drawer=drawers[0], starting_float=Money.parse("100.00"), as_of=at(8), actor=cashier
    )
    services.payment_take(
        session=session,
        accounts=[AccountAmount(rosa, Money.parse("500.00"))],
        tenders=[
            TenderInput("cash", Money.parse("300.00")),
            TenderInput("check", Money.parse("200.00"), check_number="881"),
        ],
        idempotency_key="k-rosa",
        as_of=at(9),
        actor=cashier,
    )
    assert ledger_selectors.account_balance(rosa).cents == -42919
    too_much = ask(rosa, "229.20", csr, dt.date(2026, 12, 1))
    with pytest.raises(ApplicationError) as held:
        services.refund_approve(refund=too_much, as_of=at(15), actor=supervisor)
    assert held.value.message == (
        f"Refund {too_much.pk} of $229.20 waits: the credit comes from money that can still come back: the "
        "$200.00 check of 2026-12-01 clears on 2026-12-15. Of $429.19 of credit, $229.19 has cleared; the "
        "refund can be approved on 2026-12-15"
    )
    services.refund_reject(refund=too_much, as_of=at(15), actor=supervisor, note="ask for the cash part")

    cash_part = ask(rosa, "229.19", csr, dt.date(2026, 12, 1))  # the cash is not coming back

    assert services.refund_approve(refund=cash_part, as_of=at(15), actor=supervisor).status == "approved"
    books_ok()


def test_an_online_ach_payment_waits_five_business_days_and_a_card_payment_none(
    make_account: Any, importer: Any, csr: Any, supervisor: Any
) -> None:
    by_bank = make_account(last_name="Pena", house="100", owing={"water": "48.20"})
    by_card = make_account(last_name="Kim", house="102", owing={"water": "48.20"})
    online(importer, by_bank, "100.00", "ach")
    online(importer, by_card, "100.00", "card")

    bank_refund = ask(by_bank, "51.80", csr, dt.date(2026, 12, 2))
    with pytest.raises(
        ApplicationError, match=r"the \$100.00 ACH payment of 2026-12-01 clears on 2026-12-08"
    ):
        services.refund_approve(refund=bank_refund, as_of=day_at(dt.date(2026, 12, 7)), actor=supervisor)
    card_refund = ask(by_card, "51.80", csr, dt.date(2026, 12, 2))

    assert services.refund_approve(
        refund=card_refund, as_of=day_at(dt.date(2026, 12, 2)), actor=supervisor
    ).entry_id
    assert services.refund_approve(
        refund=bank_refund, as_of=day_at(dt.date(2026, 12, 8)), actor=supervisor
    ).entry_id


def test_a_voided_or_returned_payment_does_not_hold_a_refund_it_no_longer_backs(
    make_account: Any, importer: Any, csr: Any, supervisor: Any, technician: Any
) -> None:
    rosa = make_account(last_name="Pena", house="100", owing={"water": "10.00"})
    lockbox_check(importer, rosa, "60.00", dt.date(2026, 12, 1))  # 50.00 credit
    online(importer, rosa, "80.00", "card")  # 130.00 credit
    services.payment_return(
        payment=rosa.payments.get(channel="lockbox"),
        reason="NSF",
        as_of=IMPORT_AT,
        actor=technician,
        charge_fee=False,
    )
    assert ledger_selectors.account_balance(rosa).cents == -7000
    refund = ask(rosa, "70.00", csr, dt.date(2026, 12, 1))
    assert services.refund_approve(
        refund=refund, as_of=day_at(dt.date(2026, 12, 1)), actor=supervisor
    ).entry_id


def test_the_windows_are_settings_and_zero_turns_a_hold_off(
    make_account: Any, importer: Any, csr: Any, supervisor: Any, settings: Any
) -> None:
    settings.CIVICBILL_REFUND_HOLD_CHECK_DAYS = "0"
    rosa = make_account(last_name="Pena", house="100", owing={"water": "10.00"})
    lockbox_check(importer, rosa, "60.00", dt.date(2026, 12, 1))
    refund = ask(rosa, "50.00", csr, dt.date(2026, 12, 1))
    assert services.refund_approve(
        refund=refund, as_of=day_at(dt.date(2026, 12, 1)), actor=supervisor
    ).entry_id


def test_the_window_settings_are_checked() -> None:
    assert hold_days_from({}) == {"check": 10, "money_order": 10, "ach": 5}
    assert hold_days_from({"CIVICBILL_REFUND_HOLD_ACH_DAYS": "3"})["ach"] == 3
    with pytest.raises(ImproperlyConfigured) as bad:
        hold_days_from({"CIVICBILL_REFUND_HOLD_CHECK_DAYS": "ten"})
    assert (
        str(bad.value)
        == "CIVICBILL_REFUND_HOLD_CHECK_DAYS must be a whole number of business days from 0 to 60, not 'ten'"
    )
    with pytest.raises(ImproperlyConfigured):
        hold_days_from({"CIVICBILL_REFUND_HOLD_MONEY_ORDER_DAYS": "61"})
