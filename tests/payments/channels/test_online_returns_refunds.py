"""Online/IVR files, returned checks (NSF) with the fee schedule, and refunds of credit balances."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.core.audit import AuditEvent
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money
from civicbill.customers.models import Account, AccountNote
from civicbill.ledger import selectors as ledger_selectors
from civicbill.ledger.models import JournalLine
from civicbill.payments import services
from civicbill.payments.models import Payment, PaymentAllocation, Refund, ReturnedItem, ReturnedItemFee
from tests.fixtures.payments import IMPORT_AT, books_ok, csv_file, gl

pytestmark = pytest.mark.django_db
LATER = IMPORT_AT + dt.timedelta(days=7)  # Tuesday 2026-12-08
CLEARED = IMPORT_AT + dt.timedelta(days=14)  # Tuesday 2026-12-15: a check of 2026-12-01 has cleared


def lines_of(entry_id: Any) -> list[tuple[str, int | None, int, int]]:
    return sorted(
        JournalLine.objects.filter(entry_id=entry_id).values_list(
            "gl_account__code", "customer_account_id", "debit_cents", "credit_cents"
        )
    )


@pytest.fixture
def lopez(make_account: Any) -> Account:
    return make_account(last_name="Lopez", house="100", owing={"water": "48.20", "sewer": "41.81"})


@pytest.fixture
def kim(make_account: Any) -> Account:
    return make_account(last_name="Kim", house="102", owing={"water": "30.00", "refuse": "25.00"})


def pay_by_lockbox(importer: Any, *rows: tuple[Account | str, str]) -> list[Payment]:
    lines = ["H,LB0001,2026-12-01"]
    for account, amount in rows:
        number = account if isinstance(account, str) else account.number
        lines.append(f"D,,{number},{amount},{len(lines) + 100},,Payer")
    total = Money.from_cents(sum(Money.parse(amount).cents for _, amount in rows))
    lines.append(f"T,{len(rows)},{total}")
    result = services.payment_file_import(
        content=csv_file(*lines),
        file_name="lb.csv",
        file_format="lockbox-csv",
        as_of=IMPORT_AT,
        actor=importer,
    )
    return result.payments


def test_an_online_file_posts_through_the_same_path(lopez: Account, kim: Account, importer: Any) -> None:
    content = csv_file(
        "confirmation,account_number,amount,paid_on,method,payer_name",
        f"W-1001,{lopez.number},90.01,2026-12-01,card,Test Lopez",
        f"W-1002,{kim.number.replace('-', '')},20.00,2026-12-01,ivr,Test Kim",
        "W-1003,1234567-0,5.00,2026-12-01,ach,Unknown",
        f"W-1004,{kim.number},3.00,2026-12-01,cash,Bad Method",
        "TRAILER,4,118.01",
    )

    result = services.online_file_import(
        content=content, file_name="web.csv", as_of=IMPORT_AT, actor=importer
    )

    record = result.payment_import
    assert (record.channel, record.posted_count, record.posted_cents) == ("online", 2, 11001)
    assert (record.suspense_count, record.suspense_cents) == (1, 500)
    assert record.errors == [{"line": 5, "reason": "method 'cash' is not one of card, ach, ivr"}]
    assert [p.receipt_number for p in result.payments] == [f"OL{record.pk}-2", f"OL{record.pk}-3"]
    assert [p.channel_detail.reference for p in result.payments] == ["W-1001", "W-1002"]
    assert list(
        PaymentAllocation.objects.filter(account=kim).values_list("service", "amount_cents").order_by("pk")
    ) == [("water", 1091), ("refuse", 909)]
    assert ledger_selectors.account_balance(lopez).cents == 0
    assert ledger_selectors.account_balance(kim).cents == 3500
    books_ok()


def test_a_returned_check_is_undone_on_the_account_with_a_fee_and_a_note(
    kim: Account, importer: Any, technician: Any
) -> None:
    (payment,) = pay_by_lockbox(importer, (kim, "55.00"))

    returned = services.payment_return(payment=payment, reason="NSF", as_of=LATER, actor=technician)

    assert (returned.returned_on, returned.fee_cents, returned.reason) == (dt.date(2026, 12, 8), 2500, "NSF")
    assert returned.reversal_entry.source_type == "returned_payment"
    assert lines_of(returned.reversal_entry_id) == [
        ("500-1000", None, 0, 3000),
        ("500-1210", kim.pk, 3000, 0),
        ("520-1000", None, 0, 2500),
        ("520-1230", kim.pk, 2500, 0),
    ]
    assert lines_of(returned.fee_entry_id) == [("500-1210", kim.pk, 2500, 0), ("500-4510", None, 0, 2500)]
    assert ledger_selectors.account_balance(kim).cents == 8000  # 55.00 owed again + 25.00 fee
    assert (gl("500-1000"), gl("520-1000"), gl("500-4510")) == ("0.00", "0.00", "-25.00")
    note = AccountNote.objects.get(account=kim)
    assert note.body == (
        f"Payment returned by the bank: receipt {payment.receipt_number} of 2026-12-01 for 55.00 (NSF); "
        "returned-item fee 25.00 charged."
    )
    assert AuditEvent.objects.filter(action="payment.return", account_number=kim.number).count() == 1
    books_ok()
    with pytest.raises(ApplicationError) as again:
        services.payment_return(payment=payment, reason="NSF", as_of=LATER, actor=technician)
    assert again.value.code == "already_returned"
    assert ReturnedItem.objects.count() == 1


def test_the_fee_comes_from_the_schedule_in_effect_on_the_return_date(
    kim: Account, importer: Any, technician: Any
) -> None:
    ReturnedItemFee.objects.create(effective_from=dt.date(2026, 12, 5), amount_cents=3500)
    first, second = pay_by_lockbox(importer, (kim, "5.00"), (kim, "6.00"))

    early = services.payment_return(payment=first, reason="NSF", as_of=IMPORT_AT, actor=technician)
    late = services.payment_return(payment=second, reason="Account closed", as_of=LATER, actor=technician)
    assert (early.fee_cents, late.fee_cents) == (2500, 3500)
    assert services.returned_item_fee_on(dt.date(2019, 12, 31)) == Money.zero()
    books_ok()


def test_a_returned_payment_applied_from_suspense_takes_the_cash_from_the_general_fund(
    kim: Account, importer: Any, technician: Any, csr: Any
) -> None:
    content = csv_file("H,LB0001,2026-12-01", "D,,,20.00,77,,No Stub", "T,1,20.00")
    result = services.payment_file_import(
        content=content, file_name="s.csv", file_format="lockbox-csv", as_of=IMPORT_AT, actor=importer
    )
    payment = services.suspense_apply(item=result.suspense_items[0], account=kim, as_of=IMPORT_AT, actor=csr)

    returned = services.payment_return(
        payment=payment, reason="NSF", as_of=LATER, actor=technician, charge_fee=False
    )

    assert lines_of(returned.reversal_entry_id) == [
        ("100-1000", None, 0, 2000),
        ("100-2100", None, 2000, 0),
        ("500-1210", kim.pk, 1091, 0),
        ("500-1900", None, 0, 1091),
        ("520-1230", kim.pk, 909, 0),
        ("520-1900", None, 0, 909),
    ]
    assert (returned.fee_cents, returned.fee_entry_id) == (0, None)
    assert (gl("100-1000"), gl("100-2900"), gl("100-2100"), gl("500-1900")) == (
        "0.00",
        "0.00",
        "0.00",
        "0.00",
    )
    assert ledger_selectors.account_balance(kim).cents == 5500
    books_ok()


def test_a_cash_payment_at_the_counter_cannot_be_returned(
    kim: Account, csr: Any, technician: Any, supervisor: Any
) -> None:
    drawer = services.drawer_create(
        location_code="CH", location_name="City Hall", code="CH-1", name="Window 1", actor=supervisor
    )
    session = services.drawer_session_open(
        drawer=drawer, starting_float=Money.parse("100.00"), as_of=IMPORT_AT, actor=csr
    )
    payment = services.payment_take(
        session=session,
        accounts=[services.AccountAmount(kim, Money.parse("10.00"))],
        tenders=[services.TenderInput(kind="cash", amount=Money.parse("10.00"))],
        idempotency_key="k1",
        as_of=IMPORT_AT,
        actor=csr,
    )

    with pytest.raises(ApplicationError) as refused:
        services.payment_return(payment=payment, reason="NSF", as_of=LATER, actor=technician)
    assert refused.value.code == "not_a_check"


def test_a_credit_balance_is_refunded_after_a_supervisors_approval_and_exported_for_payables(
    make_account: Any, importer: Any, csr: Any, supervisor: Any, make_user: Any
) -> None:
    diaz = make_account(last_name="Diaz", house="106", street="Grapefruit Blvd", owing={"water": "10.00"})
    pay_by_lockbox(importer, (diaz, "25.00"))
    assert ledger_selectors.account_balance(diaz).cents == -1500

    with pytest.raises(ApplicationError) as too_much:
        services.refund_request(
            account=diaz, amount=Money.parse("15.01"), reason="moved", as_of=LATER, actor=csr
        )
    assert too_much.value.code == "not_enough_credit"
    refund = services.refund_request(
        account=diaz, amount=Money.parse("15.00"), reason="moved away", as_of=LATER, actor=csr
    )
    with pytest.raises(ApplicationError) as twice:
        services.refund_request(
            account=diaz, amount=Money.parse("0.01"), reason="again", as_of=LATER, actor=csr
        )
    assert twice.value.code == "not_enough_credit"  # the pending request already claims the credit
    assert ledger_selectors.account_balance(diaz).cents == -1500  # nothing posted on request

    with pytest.raises(ApplicationError) as held:  # the $25.00 lockbox check of 2026-12-01 may bounce
        services.refund_approve(refund=refund, as_of=LATER, actor=supervisor)
    assert held.value.code == "refund_held"
    assert ledger_selectors.account_balance(diaz).cents == -1500
    approved = services.refund_approve(refund=refund, as_of=CLEARED, actor=supervisor)

    assert approved.status == Refund.Status.APPROVED
    assert lines_of(approved.entry_id) == [("500-1210", diaz.pk, 1500, 0), ("500-2300", None, 0, 1500)]
    assert ledger_selectors.account_balance(diaz).cents == 0
    assert gl("500-2300") == "-15.00"
    books_ok()
    text, exported = services.refunds_ap_export(as_of=CLEARED, actor=supervisor)
    assert text == (
        "refund_id,approved_on,payee_name,mailing_address,account_number,fund,gl_code,amount\n"
        f'{refund.pk},2026-12-15,Test Diaz,"106 Grapefruit Blvd, Coachella, CA 92236",{diaz.number},'
        "water,500-2300,15.00\n"
    )
    assert [r.pk for r in exported] == [refund.pk]
    assert services.refunds_ap_export(as_of=CLEARED, actor=supervisor)[1] == []


def test_a_refund_is_not_approved_by_its_requester_and_a_rejection_says_why(
    make_account: Any, importer: Any, supervisor: Any, make_user: Any
) -> None:
    diaz = make_account(last_name="Diaz", house="106", owing={"water": "10.00"})
    pay_by_lockbox(importer, (diaz, "25.00"))
    refund = services.refund_request(
        account=diaz, amount=Money.parse("15.00"), reason="moved", as_of=LATER, actor=supervisor
    )
    with pytest.raises(ApplicationError) as own:
        services.refund_approve(refund=refund, as_of=LATER, actor=supervisor)
    assert own.value.code == "self_approval"

    other = make_user("Supervisor", "sam")
    rejected = services.refund_reject(
        refund=refund, as_of=LATER, actor=other, note="customer owes on another account"
    )

    assert (rejected.status, rejected.entry_id) == ("rejected", None)
    assert ledger_selectors.account_balance(diaz).cents == -1500
