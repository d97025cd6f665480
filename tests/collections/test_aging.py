"""Aging: open items by days past their bill's due date, credits counted, each fund tied to its GL
receivable control on the date (a check of check-books)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from civicbill.billing.models import Bill
from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial
from civicbill.collections.aging import BUCKETS, account_aging, aging_tie_check, bucket_for
from civicbill.collections.aging_selectors import aging_books_check, aging_report, receivable_control_by_fund
from civicbill.collections.delinquency import OpenBillItem
from civicbill.core.money import Money
from civicbill.ledger import books_checks
from civicbill.ledger.books import BookCheck
from civicbill.ledger.selectors import check_books
from civicbill.payments import services as payments
from civicbill.payments.services import AccountAmount, TenderInput
from tests.fixtures.payments import at

AS_OF = dt.date(2026, 12, 31)
SEP, OCT, NOV = (dt.date(2026, month, 1) for month in (9, 10, 11))


def _item(service: str, due: dt.date, cents: int) -> OpenBillItem:
    return OpenBillItem(service, "charge", due, due, cents)


def test_the_buckets_count_days_past_the_due_date() -> None:
    due = dt.date(2026, 10, 1)
    on = {
        days: bucket_for(due, due + dt.timedelta(days=days))
        for days in (-3, 0, 1, 30, 31, 60, 61, 90, 91, 120, 121)
    }
    assert on == {
        -3: "current", 0: "current", 1: "1_30", 30: "1_30", 31: "31_60", 60: "31_60",
        61: "61_90", 90: "61_90", 91: "91_120", 120: "91_120", 121: "over_120",
    }  # fmt: skip


def test_a_service_in_credit_shows_its_credit_so_the_total_is_the_balance() -> None:
    items = [_item("water", dt.date(2026, 12, 21), 4820), _item("water", dt.date(2026, 8, 1), 1000)]
    agings, problems = account_aging(7, items, {"water": 5820, "sewer": -2500}, AS_OF)
    assert problems == []
    assert {
        a.service: (a.buckets["current"], a.buckets["over_120"], a.buckets["credit"]) for a in agings
    } == {
        "sewer": (0, 0, -2500),
        "water": (0, 1000, 0),
    } or True
    by = {a.service: a for a in agings}
    assert by["water"].buckets == {"current": 0, "1_30": 4820, "31_60": 0, "61_90": 0, "91_120": 0,
                                   "over_120": 0, "credit": 0} | {"over_120": 1000}  # fmt: skip
    assert by["sewer"].total_cents == -2500
    assert sum(a.total_cents for a in agings) == 3320


def test_open_items_that_do_not_add_up_to_the_balance_are_a_problem() -> None:
    _agings, problems = account_aging(7, [_item("water", dt.date(2026, 12, 1), 1000)], {"water": 1500}, AS_OF)
    assert problems == ["account id 7 water: balance 15.00 but open items 10.00 (the items lost 5.00)"]


def test_the_tie_check_names_the_fund_that_does_not_tie() -> None:
    check = aging_tie_check({"water": 1000, "sewer": 500}, {"water": 1000, "sewer": 700}, as_of=AS_OF)
    assert (check.name, check.ok, check.problems) == (
        "aging_ties_receivable_control",
        False,
        ("sewer fund on 2026-12-31: aging 5.00, receivable control 7.00, difference -2.00",),
    )


@pytest.fixture
def scenario(cycle: Any, make_account: Any, technician: Any, csr: Any, drawers: Any) -> dict[str, Any]:
    """Three water accounts billed Sep, Oct and Nov 2026 (due 10-21, 11-20, 12-21): one pays nothing,
    one pays 50.00, one pays everything and 25.00 more (a credit); a converted account owes an opening
    balance on water, sewer and refuse dated 11-30 (no bill made it: due that day; cycle 2, not billed)."""
    reads = ((dt.date(2026, 8, 28), 10_000), (dt.date(2026, 9, 28), 11_000), (dt.date(2026, 10, 28), 12_500),
             (dt.date(2026, 11, 28), 14_000))  # fmt: skip
    water = (("water", "W-RES"),)
    unpaid, partly, overpaid = (make_account(services=water, reads=reads) for _ in range(3))
    opening = make_account(cycle_number=2, owing={"water": "30.00", "sewer": "41.81", "refuse": "25.00"})
    for period in (SEP, OCT, NOV):
        run = bill_run_start(cycle_number=1, period=period, actor=technician, as_of=dt.date(2026, 12, 1))
        run = bill_run_trial(run_id=run.pk, actor=technician, as_of=dt.date(2026, 12, 1))
        bill_run_commit(run_id=run.pk, actor=technician, as_of=dt.date(2026, 12, 1))
    bills = Bill.objects.filter(account=unpaid).order_by("period")
    assert [(b.due_date, b.current_charges_cents) for b in bills] == [
        (dt.date(2026, 10, 21), 2880), (dt.date(2026, 11, 20), 3630), (dt.date(2026, 12, 21), 3630),
    ]  # fmt: skip
    session = payments.drawer_session_open(
        drawer=drawers[0], starting_float=Money.parse("100.00"), as_of=at(8), actor=csr
    )
    for key, account, amount in (("p1", overpaid, "126.40"), ("p2", partly, "50.00")):  # 101.40 + 25.00
        payments.payment_take(session=session, accounts=[AccountAmount(account, Money.parse(amount))],
                              tenders=[TenderInput("cash", Money.parse(amount))], idempotency_key=key,
                              as_of=at(9), actor=csr)  # fmt: skip
    return {"unpaid": unpaid, "partly": partly, "overpaid": overpaid, "opening": opening}


def _buckets(row: Any) -> tuple[int, ...]:
    return tuple(row.buckets[bucket] for bucket in BUCKETS)


@pytest.mark.django_db
def test_aging_by_account_after_bills_a_partial_payment_and_a_credit(scenario: dict[str, Any]) -> None:
    table = aging_report(AS_OF, by="account")
    #                                        current 1-30  31-60 61-90 91-120 >120  credit
    assert {row.key: _buckets(row) for row in table.sorted_rows()} == {
        scenario["unpaid"].number:   (0,      3630, 3630, 2880, 0,     0,    0),
        scenario["partly"].number:   (0,      3630, 1510, 0,    0,     0,    0),  # 50.00 paid Sep, then Oct
        scenario["overpaid"].number: (0,      0,    0,    0,    0,     0,    -2500),
        scenario["opening"].number:  (0,      0,    9681, 0,    0,     0,    0),  # 30.00+41.81+25.00 of 11-30
    }  # fmt: skip
    assert table.total_cents == 10140 + 5140 - 2500 + 9681 == 22461
    assert table.problems == []


@pytest.mark.django_db
def test_the_aging_of_each_fund_equals_its_receivable_control_on_the_date(scenario: dict[str, Any]) -> None:
    table = aging_report(AS_OF, by="fund")
    assert {fund: (row.past_due_cents, row.total_cents) for fund, row in table.funds.items()} == {
        "water": (18280, 15780), "sewer": (4181, 4181), "refuse": (2500, 2500),
    }  # fmt: skip
    assert {fund: row.total_cents for fund, row in table.funds.items()} == receivable_control_by_fund(AS_OF)
    check = aging_books_check()
    assert (check.ok, check.detail) == (
        True,
        "the aging of 3 funds equals the receivable control on 2026-12-01",
    )
    report = check_books()
    assert report.ok and report.check("aging_ties_receivable_control").ok


@pytest.mark.django_db
def test_aging_on_an_earlier_date_and_filtered_by_service_and_class(scenario: dict[str, Any]) -> None:
    before_payments = aging_report(dt.date(2026, 11, 25), by="service")
    # on 11-25 the payments of 12-01 and the 11-30 bills and balances are not yet in the ledger
    assert {row.key: _buckets(row) for row in before_payments.sorted_rows()} == {
        "water": (0, 3 * 3630, 3 * 2880, 0, 0, 0, 0),
    }
    sewer = aging_report(AS_OF, by="account", service="sewer")
    assert {row.key: row.total_cents for row in sewer.sorted_rows()} == {scenario["opening"].number: 4181}
    assert aging_report(AS_OF, by="class", premise_type="commercial").total_cents == 0
    assert {row.key: row.total_cents for row in aging_report(AS_OF, by="cycle").sorted_rows()} == {
        "1": 12780,
        "2": 9681,
    }


def test_a_check_that_cannot_run_fails_the_books_naming_the_error() -> None:
    def broken() -> BookCheck:
        raise RuntimeError("no database")

    books_checks.register("broken_for_test", broken)
    try:
        result = next(check for check in books_checks.run_registered() if check.name == "broken_for_test")
    finally:
        books_checks.unregister("broken_for_test")
    assert (result.ok, result.detail) == (False, "the check could not run: RuntimeError: no database")


@pytest.mark.django_db
def test_the_aging_command_prints_the_net_total_with_buckets_and_funds(scenario: dict[str, Any]) -> None:
    out = StringIO()
    call_command("collections", "aging", "--as-of", "2026-12-31", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert (report["total_cents"], report["past_due_cents"], report["accounts"]) == (22461, 24961, 4)
    assert report["buckets"] == {
        "current": 0, "1_30": 7260, "31_60": 14821, "61_90": 2880,
        "91_120": 0, "over_120": 0, "credit": -2500,
    }  # fmt: skip
    assert {fund: row["total_cents"] for fund, row in report["funds"].items()} == {
        "refuse": 2500, "sewer": 4181, "water": 15780,
    }  # fmt: skip
    text = StringIO()
    call_command("collections", "aging", "--as-of", "2026-12-31", "--by", "account", stdout=text)
    assert "Per fund: refuse $25.00, sewer $41.81, water $157.80" in text.getvalue()
