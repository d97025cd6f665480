"""Issue 11, point 20b: a payment posted to the wrong account on an earlier day moves to the right one
(its entry reversed, the money applied to the right account, both dated the day of the transfer),
audited; refused with nothing posted when it cannot be moved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.core.money import Money
from civicbill.customers.models import Account
from civicbill.ledger.models import JournalEntry
from civicbill.ledger.selectors import account_balance, account_history, entry_posting_lines
from civicbill.payments import services
from civicbill.payments.models import DrawerSession, Payment, PaymentTransfer, ReceiptCode
from civicbill.payments.services import AccountAmount, TenderInput
from tests.fixtures.database import assert_nothing_changed
from tests.fixtures.payments import at, books_ok

M = Money.parse
pytestmark = pytest.mark.django_db
DEC_3 = dt.datetime(2026, 12, 3, 10, 0, tzinfo=at(9).tzinfo)


@pytest.fixture
def session(frozen: Any, drawers: Any, ana: Any) -> DrawerSession:
    return services.drawer_session_open(drawer=drawers[0], starting_float=M("100.00"), as_of=at(8), actor=ana)


@pytest.fixture
def lopez(make_account: Any) -> Account:
    return make_account(last_name="Lopez", house="77", owing={"water": "20.00", "refuse": "30.00"})


def pay(session: DrawerSession, account: Account, amount: str, actor: Any, tender: str = "cash") -> Payment:
    return services.payment_take(
        session=session,
        accounts=[AccountAmount(account, M(amount))],
        tenders=[TenderInput(tender, M(amount), check_number="1001" if tender == "check" else "")],
        idempotency_key=f"pay-{account.pk}-{amount}",
        as_of=at(9),
        actor=ana_of(session),
    )


def ana_of(session: DrawerSession) -> Any:
    return session.cashier


def transfer(payment: Payment, to: Account, actor: Any, reason: str = "paid with the wrong bill stub") -> Any:
    return services.payment_transfer(payment=payment, to_account=to, reason=reason, as_of=DEC_3, actor=actor)


def line_tuples(entry: JournalEntry) -> list[tuple[str, int, int, int | None, str | None]]:
    return sorted(
        (line.gl_code, line.debit_cents, line.credit_cents, line.customer_account_id, line.service)
        for line in entry_posting_lines(entry)
    )


def test_a_payment_moves_to_the_right_account_dated_today_and_the_books_stay_in_order(
    session: DrawerSession, rosa_account: Account, lopez: Account, supervisor: Any
) -> None:
    payment = pay(session, rosa_account, "90.01", session.cashier)
    assert (account_balance(rosa_account), account_balance(lopez)) == (M("0.00"), M("50.00"))

    moved = transfer(payment, lopez, supervisor)

    assert (moved.amount_cents, moved.business_date, moved.from_account, moved.to_account) == (
        9001,
        dt.date(2026, 12, 3),
        rosa_account,
        lopez,
    )
    assert (account_balance(rosa_account), account_balance(lopez)) == (M("90.01"), M("-40.01"))
    assert moved.reversal_entry.reverses_id == payment.journal_entry_id
    assert (moved.reversal_entry.accounting_date, moved.entry.accounting_date) == (dt.date(2026, 12, 3),) * 2
    # the money stays in undeposited funds; Lopez's water, refuse and credit are paid from the water
    # and sewer funds' money, squared through due to / due from other funds
    assert line_tuples(moved.entry) == [
        ("500-1010", 4820, 0, None, None),
        ("500-1210", 0, 6001, lopez.pk, "water"),  # 20.00 owed and a 40.01 credit
        ("500-1900", 1181, 0, None, None),
        ("510-1010", 4181, 0, None, None),
        ("510-2100", 0, 4181, None, None),
        ("520-1230", 0, 3000, lopez.pk, "refuse"),
        ("520-1900", 3000, 0, None, None),
    ]
    books_ok()
    # both histories show it: Rosa's payment, then its reversal pointing at it; Lopez's payment
    rosa_rows = account_history(rosa_account)
    assert [(row.source_type, str(row.amount)) for row in rosa_rows[-2:]] == [
        ("payment", "-90.01"),
        ("reversal", "90.01"),
    ]
    assert rosa_rows[-2].reversed_by_entry_id == moved.reversal_entry.pk
    assert (
        rosa_rows[-1].memo == f"Receipt {payment.receipt_number} transferred to account {lopez.number}: "
        "paid with the wrong bill stub"
    )
    lopez_row = account_history(lopez)[-1]
    assert (lopez_row.source_type, lopez_row.source_ref, str(lopez_row.amount)) == (
        "payment",
        payment.receipt_number,
        "-90.01",
    )
    assert Payment.objects.get(pk=payment.pk).transfer == moved
    events = AuditEvent.objects.filter(action="payment.transfer").order_by("id")
    assert [(e.actor, e.account_number, e.summary) for e in events] == [
        (
            supervisor,
            rosa_account.number,
            f"Transferred receipt {payment.receipt_number} 90.01 to account {lopez.number}: "
            "paid with the wrong bill stub",
        ),
        (
            supervisor,
            lopez.number,
            f"Received receipt {payment.receipt_number} 90.01 from account {rosa_account.number}: "
            "paid with the wrong bill stub",
        ),
    ]


def test_a_technician_may_transfer_a_cashier_and_an_auditor_may_not(
    session: DrawerSession, rosa_account: Account, lopez: Account, technician: Any, csr: Any, auditor: Any
) -> None:
    payment = pay(session, rosa_account, "10.00", session.cashier)
    for actor in (csr, auditor):
        with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
            transfer(payment, lopez, actor)
    assert PaymentTransfer.objects.count() == 0
    assert transfer(payment, lopez, technician).transferred_by == technician


def _refused(payment: Payment, to: Account, actor: Any, code: str, **kw: Any) -> None:
    entries = JournalEntry.objects.count()
    events = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as refused:
        services.payment_transfer(
            payment=payment,
            to_account=to,
            reason=kw.pop("reason", "wrong stub"),
            as_of=kw.pop("as_of", DEC_3),
            actor=actor,
        )
    assert refused.value.code == code
    assert (JournalEntry.objects.count(), AuditEvent.objects.count()) == (entries, events)
    assert PaymentTransfer.objects.filter(payment=payment, to_account=to).count() in (0, 1)
    return refused.value


def test_refusals_post_nothing(
    session: DrawerSession, rosa_account: Account, lopez: Account, supervisor: Any, make_account: Any
) -> None:
    payment = pay(session, rosa_account, "10.00", session.cashier)
    error = _refused(payment, lopez, supervisor, "missing_reason", reason="  ")
    assert error.field == "reason"
    assert _refused(payment, rosa_account, supervisor, "same_account").message == (
        f"Receipt {payment.receipt_number} is already on account {rosa_account.number}"
    )
    closed = make_account(last_name="Cruz", house="9", owing={"water": "1.00"})
    Account.objects.filter(pk=closed.pk).update(status=Account.Status.CLOSED)
    closed.refresh_from_db()
    assert _refused(payment, closed, supervisor, "account_closed").message == (
        f"Account {closed.number} is closed; a payment cannot be moved onto it"
    )
    # taken today, drawer open: the void is the way
    assert (
        "void it and take it again"
        in _refused(payment, lopez, supervisor, "void_instead", as_of=at(11)).message
    )

    first = transfer(payment, lopez, supervisor)
    assert _refused(
        payment,
        make_account(last_name="Diaz", house="10", owing={"water": "1.00"}),
        supervisor,
        "already_transferred",
    ).message == (
        f"Receipt {payment.receipt_number} was already transferred to account {lopez.number} on 2026-12-03"
    )
    assert PaymentTransfer.objects.get() == first
    books_ok()


def test_a_void_payment_and_a_misc_receipt_are_not_transferred(
    session: DrawerSession, rosa_account: Account, lopez: Account, supervisor: Any
) -> None:
    payment = pay(session, rosa_account, "10.00", session.cashier)
    services.payment_void(
        payment=payment, reason="keyed twice", approved_by=supervisor, as_of=at(10), actor=session.cashier
    )
    _refused(Payment.objects.get(pk=payment.pk), lopez, supervisor, "already_void")
    code = ReceiptCode.objects.first()
    assert code is not None
    misc = services.misc_receipt_take(
        session=session,
        receipt_code=code.code,
        amount=M("5.00"),
        tenders=[TenderInput("cash", M("5.00"))],
        idempotency_key="misc-1",
        as_of=at(11),
        actor=session.cashier,
        reference="X-1",
    )
    _refused(misc, lopez, supervisor, "not_an_account_payment")


def test_a_check_returned_after_a_transfer_is_taken_back_from_the_account_it_pays_now(
    session: DrawerSession, rosa_account: Account, lopez: Account, supervisor: Any
) -> None:
    payment = pay(session, rosa_account, "90.01", session.cashier, tender="check")
    transfer(payment, lopez, supervisor)
    services.payment_return(
        payment=payment, reason="NSF", as_of=DEC_3 + dt.timedelta(days=1), actor=supervisor, charge_fee=False
    )

    assert (account_balance(rosa_account), account_balance(lopez)) == (M("90.01"), M("50.00"))
    _refused(payment, rosa_account, supervisor, "already_returned")
    books_ok()
