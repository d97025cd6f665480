"""A month of billing for cycle 1 (November 2026), told as the billing office lives it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.billing.models import Bill, BillRun
from civicbill.billing.services import (
    bill_run_commit,
    bill_run_start,
    bill_run_trial,
)
from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.ledger.models import JournalEntry, JournalLine
from civicbill.ledger.selectors import account_balance, check_books
from tests.fixtures.billing import NOV
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)


def test_coachella_three_quarter_inch_15_hcf_bills_36_30_water_and_78_11_with_sewer(
    cycle: Any, make_account: Any, technician: Any
) -> None:
    account = make_account(usage_hcf=15)
    run = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    assert (run.period_start, run.period_end, run.bill_date, run.due_date) == (
        dt.date(2026, 10, 29), dt.date(2026, 11, 28), dt.date(2026, 11, 30), dt.date(2026, 12, 21),
    )  # fmt: skip
    run = bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    assert run.status == BillRun.Status.TRIAL
    assert JournalEntry.objects.filter(source_type="bill").count() == 0  # a trial posts nothing
    bill = Bill.objects.get(account=account)
    assert bill.number == f"202611-{account.number}"
    assert bill.status == Bill.Status.DRAFT
    amounts = [(line.service, line.charge_key, line.amount_cents) for line in bill.lines.order_by("sequence")]
    assert amounts == [
        ("water", "service_charge", 1380),
        ("water", "commodity_charge", 2250),
        ("sewer", "sewer_charge", 4181),
    ]
    assert bill.current_charges_cents == 7811
    assert bill.consumption_hcf == 15
    assert (bill.previous_read_on, bill.current_read_on) == (dt.date(2026, 10, 28), dt.date(2026, 11, 28))
    run = bill_run_commit(run_id=run.pk, actor=technician, as_of=TODAY)
    assert run.status == BillRun.Status.COMMITTED
    assert (run.bills_count, run.skipped_count, run.total_billed_cents) == (1, 0, 7811)
    bill.refresh_from_db()
    assert bill.status == Bill.Status.ISSUED
    entry = bill.journal_entry
    assert entry is not None and entry.idempotency_key == f"bill:{bill.number}"
    assert entry.accounting_date == dt.date(2026, 11, 30)
    lines = sorted(
        JournalLine.objects.filter(entry=entry).values_list(
            "gl_account__code", "debit_cents", "credit_cents", "service"
        )
    )
    assert lines == [
        ("500-1210", 3630, 0, "water"),
        ("500-4110", 0, 3630, None),
        ("510-1220", 4181, 0, "sewer"),
        ("510-4120", 0, 4181, None),
    ]
    assert account_balance(account).cents == 7811
    assert check_books().ok


def test_move_in_on_november_2_is_prorated_27_of_31_days(
    cycle: Any, rosa_account: Any, technician: Any
) -> None:
    from decimal import Decimal

    from civicbill.meters.conversion import MeterRow, meters_convert

    meters_convert(
        rows=[
            MeterRow(serial_number="ROSA0001", make="Badger", model="M25", size="5/8", meter_type="amr",
                     dials=5, read_unit="CF", premise_id=rosa_account.premise_id, read_route="R01001",
                     installed_on=dt.date(2024, 1, 1), install_read=Decimal(0),
                     reads=((dt.date(2026, 10, 28), Decimal(4000)), (dt.date(2026, 11, 28), Decimal(4600))))
        ],
        received_on=dt.date(2024, 1, 1),
        actor=technician,
    )  # fmt: skip
    run = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    bill = Bill.objects.get(account=rosa_account)
    by_key = {(line.service, line.charge_key): line for line in bill.lines.all()}
    service_charge = by_key[("water", "service_charge")]
    # 27 days (Nov 2 - Nov 28) of a 31-day period: $13.80 × 27/31 = $12.02
    assert service_charge.amount_cents == 1202
    assert service_charge.line_period_start == dt.date(2026, 11, 2)
    sewer = by_key[("sewer", "sewer_charge")]
    assert sewer.amount_cents == 3642  # $41.81 × 27/31 = 36.415... → 36.42
    # the conversion balance is carried as the previous balance; nothing paid yet
    assert (bill.previous_balance_cents, bill.payments_cents, bill.adjustments_cents) == (9001, 0, 0)
    assert bill.total_due_cents == 9001 + bill.current_charges_cents


def test_a_csr_cannot_start_or_commit_a_run(cycle: Any, csr: Any, technician: Any) -> None:
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        bill_run_start(cycle_number=1, period=NOV, actor=csr, as_of=TODAY)
    assert BillRun.objects.count() == 0
    run = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        bill_run_commit(run_id=run.pk, actor=csr, as_of=TODAY)
    assert BillRun.objects.get().status == BillRun.Status.TRIAL


def test_a_second_live_run_for_the_same_cycle_and_month_is_refused(cycle: Any, technician: Any) -> None:
    bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    with pytest.raises(ApplicationError, match="already has run"):
        bill_run_start(cycle_number=1, period=dt.date(2026, 11, 15), actor=technician, as_of=TODAY)
    assert BillRun.objects.count() == 1


def test_a_month_not_yet_read_cannot_be_billed(cycle: Any, technician: Any) -> None:
    with pytest.raises(ApplicationError, match="read on 2026-12-28"):
        bill_run_start(cycle_number=1, period=dt.date(2026, 12, 1), actor=technician, as_of=TODAY)
