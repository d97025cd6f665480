"""billing.statement: what a bill shows, one rule for the run and the document (pure parts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from civicbill.billing import statement
from civicbill.meters.estimation import LAST_12_MONTHS, DailyUse
from civicbill.meters.validation import high_use_percent
from civicbill.payments.deposit_selectors import APPLIED
from civicbill.payments.services.returned_checks import FEE_REASON, RETURN_REASON
from civicbill.payments.services.transfers import TRANSFER_REASON

UTC = dt.UTC


def test_the_reasons_are_the_payments_apps_own() -> None:
    assert statement.RETURNED_PAYMENT_REASON == RETURN_REASON
    assert statement.RETURNED_FEE_REASON == FEE_REASON
    assert statement.DEPOSIT_APPLIED_REASON == APPLIED
    assert {"payment_void", TRANSFER_REASON} == statement.PAYMENT_REVERSAL_REASONS


def test_each_entry_is_what_the_bill_calls_it() -> None:
    kinds = {
        ("payment", "payment"): statement.PAYMENT,
        ("payment", "payment_transfer"): statement.PAYMENT,
        ("reversal", "payment_void"): statement.PAYMENT,  # a void nets out of the payments
        ("reversal", "payment_transfer"): statement.PAYMENT,
        ("reversal", "bill_cancel"): statement.OTHER,
        ("returned_payment", "returned_payment"): statement.RETURNED_PAYMENT,
        ("returned_payment", "returned_item_fee"): statement.RETURNED_FEE,
        ("deposit", "deposit_applied"): statement.DEPOSIT_APPLIED,
        ("deposit", "deposit_charged"): statement.OTHER,
        ("penalty", "late_penalty"): statement.OTHER,
        ("bill", "bill"): statement.OTHER,
    }
    assert {key: statement.activity_kind(*key) for key in kinds} == kinds
    totals = statement.activity(
        [(statement.PAYMENT, -17811), (statement.PAYMENT, -9938), (statement.PAYMENT, 9938),
         (statement.RETURNED_PAYMENT, 7811), (statement.RETURNED_FEE, 2500), (statement.OTHER, 100)]
    )  # fmt: skip
    assert totals == statement.Activity(
        payments=-17811, returned_payments=7811, returned_fees=2500, other=100
    )
    assert totals.itemised == 10311


def test_a_bill_shows_what_the_one_before_did_not_and_nothing_after_its_date() -> None:
    before = statement.PreviousBill(
        issued_at=dt.datetime(2026, 11, 30, 15, tzinfo=UTC), bill_date=dt.date(2026, 11, 30)
    )
    bill_date = dt.date(2026, 12, 30)

    def shown(posted: dt.datetime, dated: dt.date, previous: statement.PreviousBill | None = before) -> bool:
        return statement.in_statement(
            posted_at=posted, accounting_date=dated, previous=previous, bill_date=bill_date
        )

    assert shown(dt.datetime(2026, 12, 3, 18, tzinfo=UTC), dt.date(2026, 12, 3))
    assert not shown(dt.datetime(2026, 11, 20, 18, tzinfo=UTC), dt.date(2026, 11, 20))  # on the last bill
    assert shown(dt.datetime(2026, 11, 30, 14, tzinfo=UTC), dt.date(2026, 12, 1))  # dated after its bill date
    assert shown(dt.datetime(2026, 12, 1, 9, tzinfo=UTC), dt.date(2026, 11, 30))  # posted after it was issued
    assert not shown(dt.datetime(2026, 12, 31, 9, tzinfo=UTC), dt.date(2026, 12, 31))  # after the bill date
    assert shown(dt.datetime(2026, 1, 5, 9, tzinfo=UTC), dt.date(2026, 1, 5), previous=None)  # a first bill


def test_the_high_use_rule_is_the_read_exceptions() -> None:
    usual = DailyUse(hcf_per_day=Decimal("0.5"), basis=LAST_12_MONTHS, history_days=365)
    assert high_use_percent(Decimal(22), 30, usual, high_percent=150) is None  # 146.7 %
    assert high_use_percent(Decimal(23), 30, usual, high_percent=150) == Decimal(23) * 100 / Decimal(15)
    assert high_use_percent(Decimal(23), 6, usual, high_percent=150) is None  # too short to judge
    assert high_use_percent(Decimal(23), 30, None, high_percent=150) is None  # nothing to compare with
