"""Payment rules: idempotency, bad input refused with nothing posted, permissions, void rules,
drawer session rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from civicbill.core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from civicbill.core.money import Money
from civicbill.customers.models import Account
from civicbill.ledger.models import JournalEntry
from civicbill.ledger.selectors import account_balance
from civicbill.payments import services
from civicbill.payments.models import DrawerSession, Payment
from civicbill.payments.services import AccountAmount, CountLine, TenderInput
from tests.fixtures.database import assert_nothing_changed
from tests.fixtures.payments import at, books_ok

M = Money.parse
pytestmark = pytest.mark.django_db


@pytest.fixture
def session(frozen: Any, drawers: Any, ana: Any) -> DrawerSession:
    return services.drawer_session_open(drawer=drawers[0], starting_float=M("100.00"), as_of=at(8), actor=ana)


def pay(
    session: DrawerSession, account: Account, amount: str, actor: Any, key: str = "k1", **kw: Any
) -> Payment:
    return services.payment_take(
        session=session,
        accounts=[AccountAmount(account, M(amount))],
        tenders=kw.pop("tenders", [TenderInput("cash", M(amount))]),
        idempotency_key=key,
        as_of=kw.pop("as_of", at(9)),
        actor=actor,
        **kw,
    )


def nothing_posted(entries_before: int) -> None:
    assert JournalEntry.objects.count() == entries_before
    assert Payment.objects.count() == 0


def test_a_retried_request_posts_once(session: DrawerSession, ana: Any, rosa_account: Account) -> None:
    first = pay(session, rosa_account, "50.00", ana, key="retry-me")
    again = pay(session, rosa_account, "50.00", ana, key="retry-me")
    assert again.pk == first.pk
    assert Payment.objects.count() == 1
    assert account_balance(rosa_account) == M("40.01")
    with pytest.raises(ApplicationError, match=r"already used by receipt .* for 50.00"):
        pay(session, rosa_account, "60.00", ana, key="retry-me")
    books_ok()


@pytest.mark.parametrize(
    ("amount", "tenders", "message"),
    [
        ("-5.00", [TenderInput("cash", M("5.00"))], "must be positive, not -5.00"),
        ("0.00", [TenderInput("cash", M("5.00"))], "must be positive"),
        (
            "50.00",
            [TenderInput("check", M("40.00"), check_number="77")],
            "short of the payment of 50.00 by 10.00",
        ),
        ("50.00", [TenderInput("card", M("60.00"), card_reference="A1")], "more than the payment"),
    ],
)
def test_bad_amounts_and_tenders_are_refused_and_nothing_posts(
    session: DrawerSession, ana: Any, rosa_account: Account, amount: str, tenders: Any, message: str
) -> None:
    before = JournalEntry.objects.count()
    with pytest.raises(ApplicationError, match=message):
        pay(session, rosa_account, amount, ana, tenders=tenders)
    nothing_posted(before)


def test_an_unknown_account_is_refused(session: DrawerSession, ana: Any, rosa_account: Account) -> None:
    ghost = Account(pk=999_999, number="9999999-9")
    before = JournalEntry.objects.count()
    with pytest.raises(NotFoundError, match=r"There is no account 9999999-9"):
        pay(session, ghost, "10.00", ana)
    nothing_posted(before)


def test_only_the_sessions_cashier_takes_payments_in_it(
    session: DrawerSession, ben: Any, rosa_account: Account
) -> None:
    with pytest.raises(ApplicationError, match=r"belongs to another cashier"):
        pay(session, rosa_account, "10.00", ben)


def test_a_payment_is_dated_its_sessions_day(session: DrawerSession, ana: Any, rosa_account: Account) -> None:
    tomorrow = dt.datetime(2026, 12, 2, 9, tzinfo=at(9).tzinfo)
    with pytest.raises(ApplicationError, match=r"is for 2026-12-01, not 2026-12-02"):
        pay(session, rosa_account, "10.00", ana, as_of=tomorrow)


def test_permissions(session: DrawerSession, auditor: Any, technician: Any, csr: Any, drawers: Any) -> None:
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match=r"payments.take"):
        services.payment_take(
            session=session, accounts=[], tenders=[], idempotency_key="x", as_of=at(9), actor=auditor
        )
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match=r"drawers.open"):
        services.drawer_session_open(
            drawer=drawers[1], starting_float=M("1.00"), as_of=at(9), actor=technician
        )
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match=r"day.close"):
        services.day_close(business_date=dt.date(2026, 12, 1), as_of=at(18), actor=csr)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match=r"payments.manage"):
        services.drawer_create(location_code="X", location_name="X", code="X-1", name="X", actor=csr)


def test_a_second_open_session_is_refused(session: DrawerSession, drawers: Any, ana: Any, ben: Any) -> None:
    with pytest.raises(ApplicationError, match=r"ana already has drawer session .* open on drawer CH-1"):
        services.drawer_session_open(drawer=drawers[1], starting_float=M("100.00"), as_of=at(9), actor=ana)
    with pytest.raises(ApplicationError, match=r"Drawer CH-1 is already open"):
        services.drawer_session_open(drawer=drawers[0], starting_float=M("100.00"), as_of=at(9), actor=ben)


def test_the_database_refuses_two_open_sessions_on_one_drawer(session: DrawerSession, ben: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        DrawerSession.objects.create(
            drawer=session.drawer,
            cashier=ben,
            business_date=session.business_date,
            starting_float_cents=0,
            opened_at=at(9),
        )


def test_a_void_needs_a_supervisor_and_a_reason(
    session: DrawerSession, ana: Any, ben: Any, supervisor: Any, rosa_account: Account
) -> None:
    payment = pay(session, rosa_account, "10.00", ana)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match=r"payments.void_approve"):
        services.payment_void(payment=payment, reason="oops", approved_by=ben, as_of=at(10), actor=ana)
    with pytest.raises(ApplicationError, match=r"Say why"):
        services.payment_void(payment=payment, reason=" ", approved_by=supervisor, as_of=at(10), actor=ana)
    services.payment_void(
        payment=payment, reason="Duplicate", approved_by=supervisor, as_of=at(10), actor=ana
    )
    with pytest.raises(ApplicationError, match=r"already void"):
        services.payment_void(
            payment=payment, reason="again", approved_by=supervisor, as_of=at(10), actor=ana
        )
    assert account_balance(rosa_account) == M("90.01")
    books_ok()


def test_a_payment_from_an_earlier_day_cannot_be_voided(
    session: DrawerSession, ana: Any, supervisor: Any, rosa_account: Account
) -> None:
    payment = pay(session, rosa_account, "10.00", ana)
    with pytest.raises(ApplicationError, match=r"only a payment taken today \(2026-12-02\)"):
        services.payment_void(
            payment=payment,
            reason="late",
            approved_by=supervisor,
            as_of=dt.datetime(2026, 12, 2, 9, tzinfo=at(9).tzinfo),
            actor=ana,
        )


def test_a_closed_session_takes_no_payments_and_no_voids(
    session: DrawerSession, ana: Any, supervisor: Any, rosa_account: Account
) -> None:
    payment = pay(session, rosa_account, "10.00", ana)
    services.drawer_session_close(
        session=session, counts=[CountLine("cash", 11, denomination=M("10.00"))], as_of=at(17), actor=ana
    )
    with pytest.raises(ApplicationError, match=r"is closed; open a drawer session"):
        pay(session, rosa_account, "10.00", ana, key="k2")
    assert pay(session, rosa_account, "10.00", ana, key="k1").pk == payment.pk  # a late retry
    with pytest.raises(ApplicationError, match=r"already closed"):
        services.payment_void(payment=payment, reason="x", approved_by=supervisor, as_of=at(17), actor=ana)


def test_a_cashier_cannot_approve_their_own_close(
    session: DrawerSession, supervisor: Any, drawers: Any
) -> None:
    own = services.drawer_session_open(
        drawer=drawers[1], starting_float=M("50.00"), as_of=at(8), actor=supervisor
    )
    services.drawer_session_close(
        session=own, counts=[CountLine("cash", 1, denomination=M("50.00"))], as_of=at(17), actor=supervisor
    )
    with pytest.raises(ApplicationError, match=r"cannot approve their own"):
        services.drawer_session_approve(session=own, as_of=at(17), actor=supervisor)


def test_a_count_in_an_unknown_denomination_is_refused(session: DrawerSession, ana: Any) -> None:
    with pytest.raises(ApplicationError, match=r"3.00 is not a US note or coin"):
        services.drawer_session_close(
            session=session, counts=[CountLine("cash", 1, denomination=M("3.00"))], as_of=at(17), actor=ana
        )
    assert DrawerSession.objects.get(pk=session.pk).status == "open"


def test_a_misc_receipt_needs_its_reference(session: DrawerSession, ana: Any) -> None:
    with pytest.raises(ApplicationError, match=r"Parking citation: the citation number is required"):
        services.misc_receipt_take(
            session=session,
            receipt_code="PARKING",
            amount=M("35.00"),
            tenders=[TenderInput("cash", M("35.00"))],
            idempotency_key="m1",
            as_of=at(9),
            actor=ana,
        )
    with pytest.raises(NotFoundError, match=r"no active receipt code 'NOPE'"):
        services.misc_receipt_take(
            session=session,
            receipt_code="NOPE",
            amount=M("35.00"),
            tenders=[TenderInput("cash", M("35.00"))],
            idempotency_key="m1",
            as_of=at(9),
            actor=ana,
        )
