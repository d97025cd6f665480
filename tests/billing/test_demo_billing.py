"""The demo city's billing history: 12 committed months, the latest read month left to bill."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.billing.models import Bill, BillingCycle, BillRun
from civicbill.billing.selectors import next_unbilled_period
from civicbill.billing.unbilled import unbilled_accounts
from civicbill.demo.billing import demo_billing_seed
from civicbill.demo.seed import conversion_user, demo_city_seed
from civicbill.ledger.selectors import check_books
from civicbill.meters.models import Read

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_twelve_months_of_bills_and_the_latest_month_to_bill(frozen: Any) -> None:
    today = dt.date(2026, 12, 1)
    demo_city_seed(accounts=40, seed=7, as_of=today)
    result = demo_billing_seed(actor=conversion_user(), as_of=today, seed=7)
    assert (result.cycles, result.runs, result.unbilled_period) == (4, 48, "2026-11")
    cycles = list(BillingCycle.objects.values_list("number", "read_day"))
    assert cycles == [(1, 23), (2, 23), (3, 23), (4, 23)]  # read 8 days before the conversion
    assert set(BillRun.objects.values_list("status", flat=True)) == {"committed"}
    periods = sorted(set(BillRun.objects.values_list("period", flat=True)))
    assert (periods[0], periods[-1], len(periods)) == (dt.date(2025, 11, 1), dt.date(2026, 10, 1), 12)
    assert next_unbilled_period() == dt.date(2026, 11, 1)
    assert Bill.objects.filter(status="issued").count() == result.bills
    assert result.payments > 0
    assert check_books().ok


def test_the_demo_history_leaves_no_bill_unissued_and_nobody_unbilled(frozen: Any) -> None:
    """Issue 13: a month a meter was not read is an estimated read in the history (trued up by the
    next read), and a move-in's short first bill is no high-bill baseline: every drafted bill of
    the twelve committed months is issued."""
    today = dt.date(2026, 12, 1)
    demo_city_seed(accounts=120, seed=3, as_of=today)
    demo_billing_seed(actor=conversion_user(), as_of=today, seed=3)
    assert not Bill.objects.filter(run__status="committed", status="draft").exists()
    assert unbilled_accounts(as_of=today).accounts == ()
    estimated = Bill.objects.filter(status="issued", estimated=True)
    assert estimated.count() == Read.objects.filter(status="estimated").count() > 0
    assert check_books().ok
