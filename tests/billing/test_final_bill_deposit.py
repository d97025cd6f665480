"""Service deposits: charged to an account, settled first by payments, applied to the final bill."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from civicbill.billing.documents import bill_document
from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial, final_bill_issue
from civicbill.core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from civicbill.core.money import Money
from civicbill.customers.services import account_close
from civicbill.ledger.models import JournalEntry
from civicbill.ledger.selectors import account_balance, account_balance_by_service, check_books
from civicbill.ledger.services import entry_reverse
from civicbill.payments import services as payment_services
from civicbill.payments.deposit_selectors import customer_deposit_applied_cents, customer_deposit_held_cents
from civicbill.payments.services.customer_deposits import customer_deposit_charge
from civicbill.payments.tenders import TenderInput
from tests.fixtures.billing import NOV
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)
MOVE_OUT_READS = (
    (dt.date(2026, 10, 28), 11_000),
    (dt.date(2026, 11, 28), 12_500),  # 15 HCF in November: 36.30 water + 41.81 sewer = 78.11
    (dt.date(2026, 12, 10), 13_000),  # 5 HCF to move-out: 5.52 + 7.50 water, 16.72 sewer = 29.74
)


def money(text: str) -> Money:
    return Money.from_cents(round(float(text) * 100))


def _bill_november(technician: Any) -> None:
    run = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    bill_run_commit(run_id=run.pk, actor=technician, as_of=TODAY)


def _lines(entry: JournalEntry) -> list[tuple[str, int, int, str | None]]:
    return sorted(
        (line.gl_account.code, line.debit_cents, line.credit_cents, line.service)
        for line in entry.lines.select_related("gl_account")
    )


def _pay_cash(account: Any, amount: str, *, cashier: Any, supervisor: Any, on: dt.date) -> None:
    drawer = payment_services.drawer_create(
        location_code="CH", location_name="City Hall counter", code="CH-1", name="Window 1", actor=supervisor
    )
    at = dt.datetime.combine(on, dt.time(9), tzinfo=ZoneInfo("America/Los_Angeles"))
    session = payment_services.drawer_session_open(
        drawer=drawer, starting_float=Money.zero(), as_of=at, actor=cashier
    )
    payment_services.payment_take(
        session=session,
        accounts=[payment_services.AccountAmount(account, money(amount))],
        tenders=[TenderInput("cash", money(amount))],
        idempotency_key=f"test-deposit-payment:{account.number}",
        as_of=at,
        actor=cashier,
    )


def test_a_deposit_charged_is_a_receivable_until_paid_and_held_after(
    cycle: Any, make_account: Any, csr: Any
) -> None:
    account = make_account(reads=MOVE_OUT_READS)
    entry = customer_deposit_charge(
        account_number=account.number, amount=money("100.00"), memo="New customer", actor=csr,
        as_of=dt.date(2026, 11, 2),
    )  # fmt: skip

    assert (entry.source_type, entry.reason, entry.accounting_date) == (
        "deposit",
        "deposit_charged",
        dt.date(2026, 11, 2),
    )
    assert _lines(entry) == [("500-1210", 10000, 0, "water"), ("500-2200", 0, 10000, None)]
    assert customer_deposit_held_cents(account.pk) == 10000
    assert account_balance(account).cents == 10000
    again = customer_deposit_charge(
        account_number=account.number, amount=money("100.00"), memo="New customer", actor=csr,
        as_of=dt.date(2026, 11, 2),
    )  # fmt: skip
    assert again.pk == entry.pk  # the same charge on the same day posts once
    assert check_books().ok


def test_deposit_charges_that_are_wrong_are_refused_and_nothing_is_posted(
    cycle: Any, make_account: Any, csr: Any, auditor: Any
) -> None:
    account = make_account(usage_hcf=15)
    with pytest.raises(ApplicationError, match=r"^A deposit is a positive amount, not -5.00$"):
        customer_deposit_charge(
            account_number=account.number, amount=money("-5.00"), memo="", actor=csr, as_of=TODAY
        )
    with pytest.raises(ApplicationError, match=r"over the \$10,000.00 limit"):
        customer_deposit_charge(
            account_number=account.number, amount=money("10000.01"), memo="", actor=csr, as_of=TODAY
        )
    with pytest.raises(NotFoundError, match=r"^There is no account 9999999-9$"):
        customer_deposit_charge(
            account_number="9999999-9", amount=money("50.00"), memo="", actor=csr, as_of=TODAY
        )
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        customer_deposit_charge(
            account_number=account.number, amount=money("50.00"), memo="", actor=auditor, as_of=TODAY
        )

    assert not JournalEntry.objects.filter(source_type="deposit").exists()
    assert customer_deposit_held_cents(account.pk) == 0


def test_a_reversed_deposit_charge_is_no_longer_held(
    cycle: Any, make_account: Any, csr: Any, supervisor: Any
) -> None:
    account = make_account(usage_hcf=15)
    entry = customer_deposit_charge(
        account_number=account.number, amount=money("75.00"), memo="", actor=csr, as_of=TODAY
    )
    entry_reverse(
        entry=entry, reason="entered_in_error", memo="wrong account", actor=supervisor, accounting_date=TODAY
    )

    assert customer_deposit_held_cents(account.pk) == 0
    assert account_balance(account).cents == 0


def test_an_unpaid_deposit_is_cancelled_by_the_final_bill_not_paid_out(
    cycle: Any, make_account: Any, technician: Any, csr: Any
) -> None:
    account = make_account(reads=MOVE_OUT_READS)
    customer_deposit_charge(
        account_number=account.number, amount=money("100.00"), memo="", actor=csr, as_of=dt.date(2026, 11, 2)
    )
    _bill_november(technician)  # the November bill asks for 78.11 + the 100.00 deposit
    account_close(account=account, end_date=dt.date(2026, 12, 10), actor=csr)

    bill = final_bill_issue(account_number=account.number, actor=csr, as_of=dt.date(2026, 12, 11))

    applied = JournalEntry.objects.get(idempotency_key=f"deposit-applied:{bill.number}")
    # the deposit due is the first open item: applying the deposit settles the deposit itself
    assert _lines(applied) == [("500-1210", 0, 10000, "water"), ("500-2200", 10000, 0, None)]
    assert bill.current_charges_cents == 2974
    assert bill.previous_balance_cents == 17811
    assert bill.adjustments_cents == -10000
    assert bill.total_due_cents == account_balance(account).cents == 17811 + 2974 - 10000
    assert customer_deposit_held_cents(account.pk) == 0
    assert check_books().ok


def test_a_paid_deposit_pays_the_final_bill_across_funds(
    cycle: Any, make_account: Any, technician: Any, csr: Any, supervisor: Any
) -> None:
    account = make_account(reads=MOVE_OUT_READS)
    customer_deposit_charge(
        account_number=account.number, amount=money("100.00"), memo="", actor=csr, as_of=dt.date(2026, 11, 2)
    )
    _pay_cash(account, "100.00", cashier=csr, supervisor=supervisor, on=dt.date(2026, 11, 20))
    _bill_november(technician)  # 78.11, the deposit paid
    account_close(account=account, end_date=dt.date(2026, 12, 10), actor=csr)

    bill = final_bill_issue(account_number=account.number, actor=csr, as_of=dt.date(2026, 12, 11))

    applied = JournalEntry.objects.get(idempotency_key=f"deposit-applied:{bill.number}")
    # November in full (36.30 water, 41.81 sewer), then the final bill's 13.02 water and 16.72 sewer
    # pro rata with the 21.89 left: 9.58 water, 12.31 sewer. Sewer's share crosses to the sewer fund.
    assert _lines(applied) == [
        ("500-1210", 0, 4588, "water"),
        ("500-2100", 0, 5412, None),
        ("500-2200", 10000, 0, None),
        ("510-1220", 0, 5412, "sewer"),
        ("510-1900", 5412, 0, None),
    ]
    assert bill.previous_balance_cents == 7811
    assert bill.adjustments_cents == -10000
    assert bill.total_due_cents == account_balance(account).cents == 7811 + 2974 - 10000 == 785
    assert {s: m.cents for s, m in account_balance_by_service(account).items()} == {
        "water": 3630 + 1302 - 4588,
        "sewer": 4181 + 1672 - 5412,
    }
    assert customer_deposit_applied_cents(bill.number) == 10000
    document = bill_document(bill_number=bill.number)
    assert "Your service deposit of $100.00 has been applied to this bill." in document.messages
    assert check_books().ok


def test_a_deposit_larger_than_the_final_bill_leaves_a_credit_to_refund(
    cycle: Any, make_account: Any, technician: Any, csr: Any, supervisor: Any
) -> None:
    account = make_account(reads=MOVE_OUT_READS)
    customer_deposit_charge(
        account_number=account.number, amount=money("150.00"), memo="", actor=csr, as_of=dt.date(2026, 11, 2)
    )
    _pay_cash(account, "150.00", cashier=csr, supervisor=supervisor, on=dt.date(2026, 11, 20))
    _bill_november(technician)
    account_close(account=account, end_date=dt.date(2026, 12, 10), actor=csr)

    bill = final_bill_issue(account_number=account.number, actor=csr, as_of=dt.date(2026, 12, 11))

    assert bill.total_due_cents == account_balance(account).cents == 7811 + 2974 - 15000 == -4215
    # what is owed is paid in full per service; the rest is a credit on water, for a refund
    assert {s: m.cents for s, m in account_balance_by_service(account).items()} == {
        "water": -4215,
        "sewer": 0,
    }
    with pytest.raises(ApplicationError, match="already has final bill"):
        final_bill_issue(account_number=account.number, actor=csr, as_of=dt.date(2026, 12, 11))
    assert customer_deposit_held_cents(account.pk) == 0
    assert check_books().ok


def test_the_final_bill_applies_the_deposit_when_the_run_already_billed_the_last_days(
    cycle: Any, make_account: Any, technician: Any, csr: Any, supervisor: Any
) -> None:
    account = make_account(reads=MOVE_OUT_READS[:2])
    customer_deposit_charge(
        account_number=account.number, amount=money("100.00"), memo="", actor=csr, as_of=dt.date(2026, 11, 2)
    )
    _pay_cash(account, "100.00", cashier=csr, supervisor=supervisor, on=dt.date(2026, 11, 20))
    account_close(account=account, end_date=dt.date(2026, 11, 28), actor=csr)
    _bill_november(technician)  # the run bills the account's last days (to Nov 28): 78.11

    bill = final_bill_issue(account_number=account.number, actor=csr, as_of=dt.date(2026, 12, 11))

    assert (bill.current_charges_cents, bill.previous_balance_cents) == (0, 7811)
    assert bill.total_due_cents == account_balance(account).cents == 7811 - 10000 == -2189
    assert customer_deposit_held_cents(account.pk) == 0
    assert check_books().ok
