"""The pure rules: which return codes keep autopay, the draft amount, the prenote wait, pending."""

from __future__ import annotations

import datetime as dt

import pytest

from civicbill.autopay import rules
from civicbill.core.clock import BusinessCalendar


@pytest.mark.parametrize(
    ("code", "keeps"),
    [("R01", True), ("R09", True), ("R02", False), ("R03", False), ("R04", False), ("R07", False),
     ("R08", False), ("R10", False), ("R29", False), ("R16", False), ("R11", False)],
)  # fmt: skip
def test_only_r01_and_r09_keep_autopay(code: str, keeps: bool) -> None:
    assert rules.keeps_autopay(code) is keeps


def test_the_draft_takes_the_bill_but_never_more_than_is_owed() -> None:
    assert rules.draft_amount_cents(bill_total_due_cents=7811, balance_cents=7811) == 7811
    assert rules.draft_amount_cents(bill_total_due_cents=7811, balance_cents=4811) == 4811  # partly paid
    assert rules.draft_amount_cents(bill_total_due_cents=7811, balance_cents=12000) == 7811  # later charges
    assert rules.draft_amount_cents(bill_total_due_cents=7811, balance_cents=0) == 0
    assert rules.draft_amount_cents(bill_total_due_cents=7811, balance_cents=-500) == 0  # a credit
    assert rules.draft_amount_cents(bill_total_due_cents=-500, balance_cents=100) == 0


def test_the_prenote_waits_six_business_days_counted_to_the_files_creation() -> None:
    calendar = BusinessCalendar()
    thursday = dt.date(2026, 12, 3)

    def waited(created_on: dt.date) -> bool:
        return rules.prenote_waited(
            prenote_effective_date=thursday,
            as_of=created_on,
            wait_business_days=6,
            add_business_days=calendar.add_business_days,
        )

    assert not waited(dt.date(2026, 12, 10))
    assert waited(dt.date(2026, 12, 11))
    # over Christmas: December 24 (Thursday) + 6 business days skips the 25th, the weekend and January 1
    assert calendar.add_business_days(dt.date(2026, 12, 24), 6) == dt.date(2027, 1, 5)


def test_a_draft_is_pending_until_its_clearing_day() -> None:
    clears = dt.date(2026, 12, 23)
    assert (
        rules.pending_state(status="drafted", clears_on=clears, today=dt.date(2026, 12, 22)).label
        == "pending"
    )
    assert rules.pending_state(status="drafted", clears_on=clears, today=clears).label == "cleared"
    assert (
        rules.pending_state(status="returned", clears_on=clears, today=dt.date(2026, 12, 22)).label
        == "returned"
    )
    assert rules.pending_state(status="drafted", clears_on=None, today=clears).label == "prenote"


def test_corrected_transaction_codes_name_the_account_type() -> None:
    assert rules.account_type_of_transaction_code(37) == "savings"
    assert rules.account_type_of_transaction_code(22) == "checking"
    assert rules.account_type_of_transaction_code(47) is None


def test_the_reason_in_the_customers_language() -> None:
    assert rules.reason_text("R02", "es") == "la cuenta bancaria está cerrada"
    assert rules.reason_text("R02", "en") == "the bank account is closed"
    assert rules.reason_text("R06", "es") == "el banco lo devolvió (código R06)"
    assert rules.return_reason_label("R03") == "R03 No account / unable to locate account"
