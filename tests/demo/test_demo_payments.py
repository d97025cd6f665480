"""The demo city's payment history: a year of payments through every channel, made by the real
payment services (counter drawers and closed days, lockbox and online files, suspense, returned
checks, refunds), with the ledger balanced.

The city (60 accounts, seed 1, built on Tuesday 2026-12-01, no autopay: tests/demo/test_demo_autopay.py
has it) is seeded once for the module, inside a transaction rolled back at the end (the ledger's rows
cannot be deleted)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.db.models import Sum

from civicbill.billing.models import Bill
from civicbill.core import clock
from civicbill.customers.models import Account, AccountNote
from civicbill.demo.billing import BillingSeedResult, demo_billing_seed
from civicbill.demo.payment_plan import (
    BAD_SCAN_LINE,
    LOCKBOX_ID,
    NO_IDENTIFIER,
    UNKNOWN_ACCOUNT,
    BillDue,
    PlannedPayment,
    cash_count,
    habit_for,
    lockbox_fixed_file,
    online_csv_file,
)
from civicbill.demo.seed import conversion_user, demo_city_seed
from civicbill.ledger.models import JournalLine
from civicbill.ledger.selectors import account_balances, check_books
from civicbill.payments.imports import parse_file
from civicbill.payments.models import (
    DayClose,
    DrawerSession,
    Payment,
    PaymentImport,
    Refund,
    ReturnedItem,
    SuspenseItem,
    Tender,
)
from tests.fixtures.clock import FROZEN_AT

BUILT_ON = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[BillingSeedResult]:
    with django_db_blocker.unblock(), time_machine.travel(FROZEN_AT, tick=False), transaction.atomic():
        demo_city_seed(accounts=60, seed=1, as_of=BUILT_ON)
        yield demo_billing_seed(actor=conversion_user(), as_of=BUILT_ON, seed=1, autopay_share=0)
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_the_year_is_paid_through_the_counter_the_lockbox_and_online(city: BillingSeedResult) -> None:
    history = city.payment_history
    by_channel = Counter(
        Payment.objects.filter(status="posted", receipt_code__isnull=True).values_list("channel", flat=True)
    )
    assert by_channel == {"counter": 57, "lockbox": 356, "online": 255}
    assert (history.counter, history.lockbox, history.online, history.payments) == (57, 356, 255, 668)
    assert city.payments == 668
    assert (history.misc_receipts, history.voided) == (3, 12)
    assert Counter(PaymentImport.objects.values_list("file_format", flat=True)) == {
        "lockbox-fixed": 120,
        "online-csv": 99,
    }
    assert PaymentImport.objects.filter(error_count__gt=0).count() == 0
    tenders = Counter(Tender.objects.filter(payment__status="posted").values_list("kind", flat=True))
    assert {"cash", "check", "card"} <= set(tenders)


def test_counter_days_are_closed_with_approved_sessions_of_two_cashiers(city: BillingSeedResult) -> None:
    sessions = DrawerSession.objects.all()
    assert sessions.count() == city.payment_history.drawer_sessions == 39
    assert set(sessions.values_list("status", flat=True)) == {"approved"}
    assert set(sessions.values_list("cashier__username", flat=True)) == {"marisol.flores", "jason.tran"}
    assert set(sessions.values_list("approved_by__username", flat=True)) == {"lucia.pena"}
    counter_days = set(Payment.objects.filter(channel="counter").values_list("business_date", flat=True))
    closed_days = set(DayClose.objects.values_list("business_date", flat=True))
    assert counter_days == closed_days
    assert len(closed_days) == city.payment_history.closed_days == 39
    calendar = clock.business_calendar()
    assert all(calendar.is_business_day(day) for day in closed_days)
    assert sessions.exclude(over_short_cents=0).count() == 1  # a little over or short now and then


def test_each_closed_day_deposits_what_the_counter_took(city: BillingSeedResult) -> None:
    for closed in DayClose.objects.select_related("deposit"):
        taken = Payment.objects.filter(
            channel="counter", status="posted", business_date=closed.business_date
        ).aggregate(cents=Sum("amount_cents"))["cents"]
        deposit = closed.deposit
        assert closed.receipts_cents == taken
        assert deposit.total_cents == deposit.cash_cents + deposit.checks_cents
        assert deposit.total_cents + deposit.card_cents == closed.receipts_cents + closed.over_short_cents
    # every day's undeposited funds went to the bank
    undeposited = JournalLine.objects.filter(gl_account__code__endswith="-1010").aggregate(
        debit=Sum("debit_cents"), credit=Sum("credit_cents")
    )
    assert undeposited["debit"] == undeposited["credit"]


def test_returned_checks_are_undone_with_the_returned_item_fee(city: BillingSeedResult) -> None:
    returned = ReturnedItem.objects.select_related("payment")
    assert returned.count() == city.payment_history.returned_checks == 12
    assert set(returned.values_list("fee_cents", flat=True)) == {2500}
    assert {item.payment.channel for item in returned} <= {"counter", "lockbox"}
    for item in returned:
        assert item.returned_on > item.payment.business_date
        assert AccountNote.objects.filter(
            account_id=item.payment.account_id, body__contains=item.payment.receipt_number
        ).exists()


def test_overpayments_leave_credit_and_a_refund_is_approved(city: BillingSeedResult) -> None:
    balances = account_balances(list(Account.objects.values_list("pk", flat=True)))
    in_credit = [account_id for account_id, money in balances.items() if money.is_negative()]
    assert len(in_credit) == city.payment_history.accounts_in_credit == 1
    refunds = {refund.status: refund for refund in Refund.objects.all()}
    assert set(refunds) == {"approved", "requested"}
    assert refunds["requested"].account_id == in_credit[0]  # the credit waits for its refund
    assert refunds["approved"].decided_by.username == "lucia.pena"
    assert balances[refunds["approved"].account_id].cents == 0


def test_unmatched_remittances_wait_in_suspense_and_older_ones_are_applied(city: BillingSeedResult) -> None:
    items = SuspenseItem.objects.all()
    assert Counter(items.values_list("reason", "status")) == {
        (BAD_SCAN_LINE, "applied"): 11,
        (UNKNOWN_ACCOUNT, "applied"): 4,
        (BAD_SCAN_LINE, "open"): 1,
        (NO_IDENTIFIER, "open"): 1,
        (UNKNOWN_ACCOUNT, "open"): 1,
    }
    assert set(items.filter(status="open").values_list("deposit_date__month", flat=True)) == {11}
    applied = items.filter(status="applied").select_related("applied_payment")
    assert all(item.applied_payment.receipt_number == f"SU{item.pk}" for item in applied)


def test_the_newest_bills_are_partly_unpaid_and_everything_is_dated_before_the_demo_is_built(
    city: BillingSeedResult,
) -> None:
    newest = Bill.objects.filter(period=dt.date(2026, 10, 1), status="issued")
    balances = account_balances(list(newest.values_list("account_id", flat=True)))
    owing = sum(1 for money in balances.values() if money.is_positive())
    assert (newest.count(), owing) == (60, 33)
    dates = Payment.objects.values_list("business_date", flat=True)
    assert (min(dates), max(dates)) == (dt.date(2025, 12, 2), dt.date(2026, 11, 19))
    assert max(dates) < BUILT_ON


def test_the_books_balance_after_the_payment_history(city: BillingSeedResult) -> None:
    report = check_books()
    assert report.ok, [check.problems for check in report.failed]


# -- the plan's pure pieces -----------------------------------------------------------------------
BILL = BillDue(
    number="202610-1000001-6",
    account_id=1,
    account_number="1000001-6",
    payer_name="Rosa Peña",
    bill_date=dt.date(2026, 10, 26),
    due_date=dt.date(2026, 11, 16),
    total_due_cents=9_001,
)


def _payment(defect: str = "", amount_cents: int = 9_001) -> PlannedPayment:
    return PlannedPayment(
        "k",
        BILL,
        "lockbox",
        dt.date(2026, 11, 2),
        amount_cents,
        check_number="1042",
        method="card",
        defect=defect,
    )


def test_the_lockbox_file_reads_back_with_the_documented_reader() -> None:
    content = lockbox_fixed_file(
        day=dt.date(2026, 11, 2),
        payments=[_payment(), _payment(BAD_SCAN_LINE, 5_000), _payment(NO_IDENTIFIER, 2_500)],
    )
    parsed = parse_file(content, "lockbox-fixed")
    assert not parsed.is_refused and not parsed.row_problems
    assert (parsed.batch_reference, parsed.deposit_date) == (LOCKBOX_ID, dt.date(2026, 11, 2))
    assert [(row.line_number, row.amount_cents, row.check_number) for row in parsed.rows] == [
        (2, 9_001, "1042"),
        (3, 5_000, "1042"),
        (4, 2_500, "1042"),
    ]
    assert parsed.rows[0].scan_line == BILL.scan_line == "10000016000009001202611165"
    assert parsed.rows[1].scan_line != BILL.scan_line
    assert parsed.rows[2].scan_line == parsed.rows[2].account_number == ""
    assert parsed.rows[0].payer_name == "Rosa Peña"


def test_the_online_file_reads_back_with_the_documented_reader() -> None:
    content = online_csv_file(
        day=dt.date(2026, 11, 2), payments=[_payment(), _payment(UNKNOWN_ACCOUNT, 12_345)]
    )
    parsed = parse_file(content, "online-csv")
    assert not parsed.is_refused and not parsed.row_problems
    assert [(row.reference, row.account_number, row.amount_cents, row.method) for row in parsed.rows] == [
        ("CARD-20261102-0001", "1000001-6", 9_001, "card"),
        ("CARD-20261102-0002", "1000001-7", 12_345, "card"),  # mistyped: no account has it
    ]


def test_a_drawer_is_counted_in_notes_and_coins() -> None:
    assert cash_count(24_567) == [(10_000, 2), (2_000, 2), (500, 1), (25, 2), (10, 1), (5, 1), (1, 2)]
    assert cash_count(0) == []


def test_an_account_keeps_its_habit_for_a_seed() -> None:
    assert habit_for(account_number="1000001-6", seed=1) == habit_for(account_number="1000001-6", seed=1)
    habits = [habit_for(account_number=f"10000{n:02d}-0", seed=1) for n in range(100)]
    assert len({habit.channel for habit in habits}) == 3
