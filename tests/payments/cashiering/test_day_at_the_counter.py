"""A day at the counter, Tuesday 2026-12-01: two cashiers, split tenders, a misc receipt, a payment
on two accounts, a void with approval, one drawer short and one over, day close and deposit.
The books check after every step."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money
from civicbill.ledger.selectors import account_balance, account_balance_by_service, trial_balance
from civicbill.payments import selectors, services
from civicbill.payments.models import Deposit, DrawerSession, Payment
from civicbill.payments.receipts import deposit_slip_html
from civicbill.payments.services import AccountAmount, CountLine, TenderInput
from tests.fixtures.payments import at, books_ok

M = Money.parse
TUESDAY = dt.date(2026, 12, 1)
pytestmark = pytest.mark.django_db


def cash(*pairs: tuple[str, int]) -> list[CountLine]:
    return [CountLine("cash", quantity, denomination=M(value)) for value, quantity in pairs]


def gl_balances() -> dict[str, int]:
    return {row.code: row.balance.cents for row in trial_balance()}


def test_a_day_at_the_counter(
    frozen: Any, drawers: Any, ana: Any, ben: Any, supervisor: Any, rosa_account: Any, make_account: Any
) -> None:
    window_1, window_2 = drawers
    rosa = rosa_account  # owes water 48.20, sewer 41.81
    miguel = make_account(
        last_name="Ramos", house="81", owing={"water": "60.00", "sewer": "40.00", "refuse": "25.00"}
    )
    lupe = make_account(last_name="Ortiz", house="90", owing={"water": "30.00", "sewer": "20.00"})
    books_ok()

    # 08:00 both cashiers count their float and open
    ana_session = services.drawer_session_open(
        drawer=window_1, starting_float=M("200.00"), as_of=at(8), actor=ana
    )
    ben_session = services.drawer_session_open(
        drawer=window_2, starting_float=M("150.00"), as_of=at(8), actor=ben
    )

    # Rosa pays her 90.01 with a 100 bill: 9.99 change
    rosa_paid = services.payment_take(
        session=ana_session,
        accounts=[AccountAmount(rosa, M("90.01"))],
        tenders=[TenderInput("cash", M("100.00"))],
        idempotency_key="counter-1",
        as_of=at(8, 15),
        actor=ana,
    )
    assert (rosa_paid.receipt_number, rosa_paid.amount_cents, rosa_paid.change_cents) == (
        f"{ana_session.pk}-0001",
        9001,
        999,
    )
    assert rosa_paid.language == "es"
    assert [(a.service, a.kind, a.amount_cents) for a in rosa_paid.allocations.all()] == [
        ("water", "charge", 4820),
        ("sewer", "charge", 4181),
    ]
    assert account_balance(rosa) == Money.zero()
    books_ok()

    # Miguel pays 125.00 with a check for 100.00 and 30.00 cash: 5.00 change
    miguel_paid = services.payment_take(
        session=ben_session,
        accounts=[AccountAmount(miguel, M("125.00"))],
        tenders=[
            TenderInput("check", M("100.00"), check_number="2231", bank_name="Coachella Valley Bank"),
            TenderInput("cash", M("30.00")),
        ],
        idempotency_key="counter-2",
        as_of=at(9, 5),
        actor=ben,
    )
    assert [
        (t.kind, t.amount_cents, t.tendered_cents, t.change_cents) for t in miguel_paid.tenders.all()
    ] == [
        ("check", 10000, 10000, 0),
        ("cash", 2500, 3000, 500),
    ]
    assert account_balance(miguel) == Money.zero()
    books_ok()

    # a parking citation paid by card at Ana's window
    citation = services.misc_receipt_take(
        session=ana_session,
        receipt_code="PARKING",
        amount=M("35.00"),
        reference="C-55120",
        tenders=[TenderInput("card", M("35.00"), card_reference="AUTH-778812")],
        idempotency_key="counter-3",
        as_of=at(9, 30),
        actor=ana,
    )
    assert [(a.gl_code, a.fund, a.amount_cents) for a in citation.allocations.all()] == [
        ("100-4310", "general", 3500)
    ]
    books_ok()

    # one money order of 60.00 pays Lupe's 50.00 and puts 10.00 on Rosa's account (a credit)
    two_accounts = services.payment_take(
        session=ben_session,
        accounts=[AccountAmount(lupe, M("50.00")), AccountAmount(rosa, M("10.00"))],
        tenders=[TenderInput("money_order", M("60.00"))],
        idempotency_key="counter-4",
        as_of=at(10),
        actor=ben,
    )
    assert two_accounts.account is None
    assert [(a.account_id, a.service, a.kind, a.amount_cents) for a in two_accounts.allocations.all()] == [
        (lupe.pk, "water", "charge", 3000),
        (lupe.pk, "sewer", "charge", 2000),
        (rosa.pk, "water", "credit", 1000),
    ]
    assert account_balance_by_service(rosa) == {"sewer": Money.zero(), "water": M("-10.00")}
    books_ok()

    # Ana takes 40.00 on Miguel's account by mistake; the supervisor approves the void
    mistake = services.payment_take(
        session=ana_session,
        accounts=[AccountAmount(miguel, M("40.00"))],
        tenders=[TenderInput("cash", M("40.00"))],
        idempotency_key="counter-5",
        as_of=at(10, 30),
        actor=ana,
    )
    assert account_balance(miguel) == M("-40.00")
    voided = services.payment_void(
        payment=mistake, reason="Wrong account", approved_by=supervisor, as_of=at(10, 35), actor=ana
    )
    assert (voided.status, voided.void_approved_by, voided.void_reason) == (
        "voided",
        supervisor,
        "Wrong account",
    )
    assert voided.void_entry is not None
    assert voided.void_entry.reverses_id == mistake.journal_entry_id
    assert account_balance(miguel) == Money.zero()
    books_ok()

    # 17:00 Ana counts 289.01 cash (expected 200.00 + 90.01 = 290.01: short 1.00) and 35.00 card
    ana_closed = services.drawer_session_close(
        session=ana_session,
        counts=[
            *cash(("100.00", 2), ("20.00", 4), ("5.00", 1), ("1.00", 4), ("0.01", 1)),
            CountLine("card", 1, amount=M("35.00")),
        ],
        as_of=at(17),
        actor=ana,
    )
    assert (
        ana_closed.expected_cash_cents,
        ana_closed.counted_cash_cents,
        ana_closed.expected_card_cents,
        ana_closed.over_short_cents,
    ) == (29001, 28901, 3500, -100)
    books_ok()
    # Ben counts 175.50 cash (expected 150.00 + 25.00: over 0.50), a check and a money order, 160.00
    ben_closed = services.drawer_session_close(
        session=ben_session,
        counts=[
            *cash(("100.00", 1), ("20.00", 3), ("10.00", 1), ("5.00", 1), ("0.50", 1)),
            CountLine("check", 2, amount=M("160.00")),
        ],
        as_of=at(17, 5),
        actor=ben,
    )
    assert (ben_closed.expected_cash_cents, ben_closed.counted_cash_cents, ben_closed.over_short_cents) == (
        17500,
        17550,
        50,
    )
    assert (ben_closed.expected_checks_cents, ben_closed.counted_checks_cents) == (16000, 16000)
    books_ok()

    # the day cannot close before the supervisor approves both drawers
    with pytest.raises(
        ApplicationError, match=r"not yet approved: CH-1 \(ana, closed\), CH-2 \(ben, closed\)"
    ):
        services.day_close(business_date=TUESDAY, as_of=at(17, 10), actor=supervisor)
    services.drawer_session_approve(session=ana_closed, as_of=at(17, 15), actor=supervisor, note="Short 1.00")
    services.drawer_session_approve(session=ben_closed, as_of=at(17, 15), actor=supervisor)

    day = services.day_close(business_date=ana_session.business_date, as_of=at(17, 30), actor=supervisor)
    assert (day.payment_count, day.void_count, day.receipts_cents, day.over_short_cents) == (4, 1, 31001, -50)
    assert day.totals["by_tender"] == {"card": 3500, "cash": 11501, "check": 10000, "money_order": 6000}
    assert day.totals["by_receipt_code"] == {"PARKING": 3500, "UTILITY": 27501}
    assert day.totals["by_fund"] == {"general": 3500, "refuse": 2500, "sewer": 10181, "water": 14820}
    deposit = Deposit.objects.get(day_close=day)
    assert (
        deposit.slip_number,
        deposit.cash_cents,
        deposit.checks_cents,
        deposit.check_count,
        deposit.card_cents,
        deposit.total_cents,
    ) == ("DEP-20261201", 11451, 16000, 2, 3500, 27451)
    books_ok()

    # the ledger: undeposited funds emptied into each fund's cash; over/short 0.50 net expense
    balances = gl_balances()
    assert {code: balances.get(code, 0) for code in ("100-1010", "500-1010", "510-1010", "520-1010")} == {
        "100-1010": 0,
        "500-1010": 0,
        "510-1010": 0,
        "520-1010": 0,
    }
    assert {
        code: balances[code] for code in ("100-1000", "500-1000", "510-1000", "520-1000", "100-6100")
    } == {
        "100-1000": 3450,
        "500-1000": 14820,
        "510-1000": 10181,
        "520-1000": 2500,
        "100-6100": 50,
    }
    assert balances["100-4310"] == -3500
    # deposit + card settlement = receipts + over/short
    assert deposit.total_cents + deposit.card_cents == day.receipts_cents + day.over_short_cents

    # the deposit slip lists the check and the money order
    slip = deposit_slip_html(deposit, selectors.day_deposit_items(TUESDAY), language="en")
    for text in (
        "Deposit slip DEP-20261201",
        '<td>Currency and coin</td><td class="amount">$114.51</td>',
        '<td>Checks and money orders (2)</td><td class="amount">$160.00</td>',
        '<td>Total deposit</td><td class="amount">$274.51</td>',
        f"<td>{miguel_paid.receipt_number}</td><td>2231</td><td>Coachella Valley Bank</td>"
        '<td class="amount">$100.00</td>',
        f'<td>{two_accounts.receipt_number}</td><td>Money order</td><td></td><td class="amount">$60.00</td>',
        "(not on this slip): $35.00",
    ):
        assert text in slip, text

    # a closed day stays closed
    with pytest.raises(ApplicationError, match=r"already closed"):
        services.day_close(business_date=day.business_date, as_of=at(18), actor=supervisor)
    with pytest.raises(ApplicationError, match=r"is closed"):
        services.drawer_session_open(drawer=window_1, starting_float=M("200.00"), as_of=at(18), actor=ana)
    assert Payment.objects.count() == 5
    assert DrawerSession.objects.filter(status="approved").count() == 2
