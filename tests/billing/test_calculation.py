"""The pure parts: periods, bill numbers, the exception rules and the journal lines of a bill."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from civicbill.billing.bill_entries import bill_entry_lines
from civicbill.billing.calculation import (
    AccountFacts,
    AgreementFacts,
    DraftBill,
    RateFunction,
    WaterFacts,
    bill_number,
    draft_bill,
    usual_bill_cents,
)
from civicbill.billing.periods import CycleRules, billing_period, parse_month, period_containing
from civicbill.core.clock import BusinessCalendar
from civicbill.rates.types import ChargeLine, Determinants, RatingResult

CALENDAR = BusinessCalendar()


def test_a_period_runs_from_the_day_after_last_months_read_to_this_months_read_day() -> None:
    period = billing_period(CycleRules(1, read_day=28), dt.date(2026, 11, 17), CALENDAR)
    assert (period.start, period.end, period.days) == (dt.date(2026, 10, 29), dt.date(2026, 11, 28), 31)
    assert (period.bill_date, period.due_date) == (dt.date(2026, 11, 30), dt.date(2026, 12, 21))
    assert (period.reads_after, period.reads_through) == (dt.date(2026, 10, 31), dt.date(2026, 12, 1))


def test_a_bill_date_on_a_weekend_or_holiday_moves_to_the_next_business_day() -> None:
    # read on Tuesday 2026-11-24 + 2 days = Thanksgiving (Thursday 26th) -> the office is closed
    # 26th and 27th (California observes the day after) -> Monday 30th
    period = billing_period(CycleRules(2, read_day=24), dt.date(2026, 11, 1), CALENDAR)
    assert period.bill_date == dt.date(2026, 11, 30)
    january = billing_period(CycleRules(2, read_day=1), dt.date(2027, 1, 1), CALENDAR)
    assert (january.start, january.end) == (dt.date(2026, 12, 2), dt.date(2027, 1, 1))


def test_the_period_containing_a_day_after_the_read_day_is_next_months() -> None:
    rules = CycleRules(1, read_day=28)
    assert period_containing(rules, dt.date(2026, 12, 10), CALENDAR).period == dt.date(2026, 12, 1)
    assert period_containing(rules, dt.date(2026, 12, 29), CALENDAR).period == dt.date(2027, 1, 1)


def test_a_month_is_written_yyyy_mm() -> None:
    assert parse_month("2026-11") == dt.date(2026, 11, 1)
    with pytest.raises(ValueError, match="'Nov' is not a billing month like 2026-11"):
        parse_month("Nov")


def test_bill_numbers_name_the_month_the_account_and_the_kind() -> None:
    assert bill_number("regular", dt.date(2026, 11, 1), "1000001-6") == "202611-1000001-6"
    assert bill_number("final", dt.date(2026, 12, 1), "1000001-6") == "F202612-1000001-6"
    assert bill_number("rebill", dt.date(2026, 11, 1), "1000001-6", 2) == "R2-202611-1000001-6"


def test_the_usual_bill_is_last_years_same_period_else_the_median_raised_to_a_confirmed_bill() -> None:
    assert usual_bill_cents(same_period_last_year=None, recent=[]) is None
    assert usual_bill_cents(same_period_last_year=None, recent=[100, 101]) == 101  # middle two, half up
    assert usual_bill_cents(same_period_last_year=None, recent=[7811, 1, 7812]) == 7811
    assert usual_bill_cents(same_period_last_year=None, recent=[900, 100, 120, 110]) == 115
    assert usual_bill_cents(same_period_last_year=5000, recent=[100, 120, 5000]) == 5000
    assert usual_bill_cents(same_period_last_year=None, recent=[100, 120, 110], confirmed=400) == 400
    assert usual_bill_cents(same_period_last_year=None, recent=[], confirmed=400) == 400
    assert usual_bill_cents(same_period_last_year=500, recent=[500], confirmed=400) == 500


def _facts(**changes: object) -> AccountFacts:
    base = {
        "account_id": 7,
        "number": "1000001-6",
        "language": "es",
        "premise_type": "single_family",
        "dwelling_units": 1,
        "customer_class": "RESIDENTIAL_SINGLE",
        "agreements": (AgreementFacts("water", "W", dt.date(2020, 1, 1), None),),
        "water": WaterFacts(Decimal(15), estimated=False, missing=False, meter_size="3/4"),
        "balance_now_cents": 5_000,
        "previous_balance_cents": 8_000,
        "payments_cents": -4_000,
        "usual_bill_cents": None,
    }
    base.update(changes)
    return AccountFacts(**base)  # type: ignore[arg-type]


def _fixed(amount: str) -> RateFunction:
    def rate(code: str, determinants: Determinants, start: dt.date, end: dt.date, days: int) -> RatingResult:
        line = ChargeLine("water", "k", "Charge", Decimal(1), "month", Decimal(amount))
        return RatingResult(lines=(line,))

    return rate


def _draft(facts: AccountFacts, rate: RateFunction) -> DraftBill:
    return draft_bill(
        facts, number="N", period_start=dt.date(2026, 10, 29), period_end=dt.date(2026, 11, 28),
        standard_days=31,
        rate=rate,
    )  # fmt: skip


def test_the_money_summary_adds_up_to_the_ledger_balance_plus_the_charges() -> None:
    draft = _draft(_facts(), _fixed("36.30"))
    assert (draft.previous_balance_cents, draft.payments_cents, draft.adjustments_cents) == (
        8_000,
        -4_000,
        1_000,
    )
    assert (draft.current_charges_cents, draft.total_due_cents) == (3_630, 8_630)
    assert draft.exceptions == ()


def test_a_credit_bill_is_a_blocking_negative_bill() -> None:
    draft = _draft(_facts(), _fixed("-5.00"))
    assert [(e.code, e.blocking) for e in draft.exceptions] == [("negative_bill", True)]
    assert draft.blocked


def test_a_bill_over_three_times_the_usual_bill_is_held() -> None:
    assert _draft(_facts(usual_bill_cents=1_210), _fixed("36.30")).exceptions == ()
    draft = _draft(_facts(usual_bill_cents=1_209), _fixed("36.30"))
    assert [e.code for e in draft.exceptions] == ["high_bill"]
    assert "over 3× the account's usual bill ($12.09)" in draft.exceptions[0].message


def test_an_engine_error_becomes_a_rating_error_exception_and_prices_nothing() -> None:
    def broken(*_args: object) -> RatingResult:
        return RatingResult(lines=(), errors=("no price for meter size 10",))

    draft = _draft(_facts(), broken)
    assert [(e.code, e.message) for e in draft.exceptions] == [
        ("rating_error", "W: no price for meter size 10")
    ]
    assert draft.lines == ()


def test_an_agreement_that_started_after_the_period_is_not_rated() -> None:
    seen: list[tuple[dt.date, dt.date]] = []

    def rate(code: str, determinants: Determinants, start: dt.date, end: dt.date, days: int) -> RatingResult:
        seen.append((start, end))
        return RatingResult(lines=())

    facts = _facts(
        agreements=(
            AgreementFacts("water", "W", dt.date(2026, 11, 10), None),
            AgreementFacts("sewer", "S", dt.date(2026, 12, 1), None),
        )
    )
    _draft(facts, rate)
    assert seen == [(dt.date(2026, 11, 10), dt.date(2026, 11, 28))]


def test_a_bills_journal_lines_debit_receivable_and_credit_revenue_per_service() -> None:
    lines = bill_entry_lines(
        account_id=7, charges_by_service={"water": 3630, "sewer": -500, "refuse": 0}, memo=""
    )
    assert lines == [
        ("500-1210", 3630, 0, 7, "water", ""),
        ("500-4110", 0, 3630, None, None, ""),
        ("510-4120", 500, 0, None, None, ""),
        ("510-1220", 0, 500, 7, "sewer", ""),
    ]
