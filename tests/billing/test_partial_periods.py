"""Issue 13: an agreement in effect for part of a cycle pays its days ÷ the cycle's days.

The ±2-day allowance for long and short months is for whole cycles only; today an agreement that
starts 2 days into a 31-day cycle (29 of 31 days) paid a full month.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.billing.explain import bill_explanation
from civicbill.billing.models import Bill
from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial
from civicbill.ledger.selectors import check_books
from civicbill.rates.quotes import rate_quote
from tests.fixtures.billing import NOV

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)


def _lines(bill: Bill) -> list[tuple[str, str, int, Decimal]]:
    return [
        (line.service, line.charge_key, line.amount_cents, line.quantity)
        for line in bill.lines.order_by("sequence")
    ]


def test_an_agreement_starting_two_days_into_a_31_day_cycle_pays_29_31(
    cycle: Any, make_account: Any, technician: Any
) -> None:
    """Service from 2026-10-31 in the period 10-29..11-28: 29 of 31 days, 45 HCF.

    Meter $13.80 × 29/31 = $12.91; tier 1 to 41 × 29/31 = 38.3548 HCF × $1.50 = $57.53; 6.6452 HCF
    × $1.65 = $10.96; sewer $41.81 × 29/31 = $39.11. Total $120.51 (a full month would be $123.71).
    """
    account = make_account(start_date=dt.date(2026, 10, 31), usage_hcf=45)
    run = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    bill = Bill.objects.get(account=account)
    assert _lines(bill) == [
        ("water", "service_charge", 1291, Decimal(1)),
        ("water", "commodity_charge", 5753, Decimal("38.3548")),
        ("water", "commodity_charge", 1096, Decimal("6.6452")),
        ("sewer", "sewer_charge", 3911, Decimal(1)),
    ]
    assert {line.detail.get("proration") for line in bill.lines.all()} == {"29/31"}
    assert {line.proration for line in bill.lines.all()} == {str(Decimal(29) / Decimal(31))}
    assert bill.current_charges_cents == 12051
    # the quote of the same facts: 29 days of a 31-day cycle
    for code, service in (("W-RES", "water"), ("S-RES", "sewer")):
        quote = rate_quote(
            schedule_code=code, customer_class="RESIDENTIAL_SINGLE", usage_hcf=Decimal(45),
            as_of=dt.date(2026, 11, 28), days=29, cycle_days=31, meter_size="3/4",
        )  # fmt: skip
        assert [(line.charge_key, line.amount_cents) for line in quote.lines] == [
            (key, cents) for s, key, cents, _ in _lines(bill) if s == service
        ]
        assert quote.proration == "29/31"
    assert bill_explanation(bill.number).lines[0].text == (
        'Meter charge (3/4" meter): $13.80 a month, for 10/31–11/28, prorated 29 of 31 days (29/31): $12.91 '
        "(rate W-RES from 2017-07-01)."
    )
    bill_run_commit(run_id=run.pk, actor=technician, as_of=TODAY)
    bill.refresh_from_db()
    assert (bill.status, bill.current_charges_cents) == (Bill.Status.ISSUED, 12051)
    assert check_books().ok


def test_a_whole_31_day_cycle_pays_a_full_month(cycle: Any, make_account: Any, technician: Any) -> None:
    account = make_account(usage_hcf=45)
    run = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    bill = Bill.objects.get(account=account)
    assert [(s, k, c) for s, k, c, _ in _lines(bill)] == [
        ("water", "service_charge", 1380),
        ("water", "commodity_charge", 6150),
        ("water", "commodity_charge", 660),
        ("sewer", "sewer_charge", 4181),
    ]
    assert all(line.proration == "" for line in bill.lines.all())
