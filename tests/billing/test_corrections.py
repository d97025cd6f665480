"""After the run: a final bill at move-out, a cancel/rebill, and the register tying to the journal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.billing import selectors
from civicbill.billing.models import Bill
from civicbill.billing.services import (
    bill_cancel_rebill,
    bill_run_commit,
    bill_run_start,
    bill_run_trial,
    final_bill_issue,
)
from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.customers.services import account_close
from civicbill.ledger.models import JournalEntry, JournalLine
from civicbill.ledger.selectors import account_balance, account_history, check_books
from civicbill.meters.models import Read
from tests.fixtures.billing import NOV
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)


def _bill_november(technician: Any) -> None:
    run = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    bill_run_commit(run_id=run.pk, actor=technician, as_of=TODAY)


def test_final_bill_at_move_out_is_prorated_to_the_move_out_date(
    cycle: Any, make_account: Any, technician: Any, csr: Any
) -> None:
    account = make_account(
        reads=(
            (dt.date(2026, 10, 28), 11_000),
            (dt.date(2026, 11, 28), 12_500),
            (dt.date(2026, 12, 10), 13_000),
        )
    )
    _bill_november(technician)
    with pytest.raises(ApplicationError, match="move the customer out first"):
        final_bill_issue(account_number=account.number, actor=csr, as_of=dt.date(2026, 12, 11))
    account_close(account=account, end_date=dt.date(2026, 12, 10), actor=csr)
    bill = final_bill_issue(account_number=account.number, actor=csr, as_of=dt.date(2026, 12, 11))
    assert (bill.kind, bill.status, bill.number) == ("final", "issued", f"F202612-{account.number}")
    assert (bill.period_start, bill.period_end) == (dt.date(2026, 11, 29), dt.date(2026, 12, 10))
    assert bill.consumption_hcf == 5
    lines = {line.charge_key: line for line in bill.lines.all()}
    # 12 of the 30 days of the period Nov 29 - Dec 28: meter charge 13.80 × 0.4, sewer 41.81 × 0.4
    assert lines["service_charge"].amount_cents == 552
    assert lines["commodity_charge"].amount_cents == 750
    assert lines["sewer_charge"].amount_cents == 1672
    assert bill.current_charges_cents == 2974
    assert bill.previous_balance_cents == 7811  # November as billed: 13.80 + 15 × 1.50 + 41.81
    assert bill.total_due_cents == account_balance(account).cents == 7811 + 2974
    assert bill.journal_entry is not None
    assert bill.journal_entry.accounting_date == dt.date(2026, 12, 11)
    with pytest.raises(ApplicationError, match="already has final bill"):
        final_bill_issue(account_number=account.number, actor=csr, as_of=dt.date(2026, 12, 11))
    assert check_books().ok


def test_cancel_rebill_reverses_the_bill_and_issues_a_corrected_one(
    cycle: Any, make_account: Any, technician: Any, csr: Any
) -> None:
    account = make_account(usage_hcf=15)
    _bill_november(technician)
    old = Bill.objects.get(account=account)
    assert old.current_charges_cents == 7811
    # the read was mistyped: 12 HCF, not 15 (the meters app corrects reads; here directly)
    Read.objects.filter(service_point__premise=account.premise, read_on=dt.date(2026, 11, 28)).update(
        value=Decimal(12_200), consumption_hcf=Decimal(12)
    )
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        bill_cancel_rebill(bill_number=old.number, reason="misread", actor=csr, as_of=dt.date(2026, 12, 2))
    with pytest.raises(ApplicationError, match="Say why"):
        bill_cancel_rebill(bill_number=old.number, reason=" ", actor=technician, as_of=dt.date(2026, 12, 2))
    outcome = bill_cancel_rebill(
        bill_number=old.number, reason="misread, 12 HCF", actor=technician, as_of=dt.date(2026, 12, 2)
    )
    old.refresh_from_db()
    rebill = outcome.rebill
    assert (old.status, old.cancel_reason, old.cancelled_by) == ("cancelled", "misread, 12 HCF", technician)
    assert old.cancel_entry is not None
    assert old.cancel_entry.reverses_id == old.journal_entry_id
    assert (rebill.kind, rebill.status, rebill.replaces_id, rebill.number) == (
        "rebill", "issued", old.pk, f"R1-202611-{account.number}",
    )  # fmt: skip
    assert rebill.current_charges_cents == 7811 - 450  # 3 HCF less at $1.50
    assert rebill.total_due_cents == account_balance(account).cents == 7361
    history = [(row.source_type, row.amount.cents) for row in account_history(account)]
    assert history == [("bill", 7811), ("reversal", -7811), ("bill", 7361)]
    with pytest.raises(ApplicationError, match="only an issued bill"):
        bill_cancel_rebill(
            bill_number=old.number, reason="again", actor=technician, as_of=dt.date(2026, 12, 2)
        )
    assert check_books().ok


def test_register_ties_to_the_journal(cycle: Any, make_account: Any, technician: Any) -> None:
    make_account(usage_hcf=15)
    make_account(usage_hcf=50)
    make_account(
        premise_type="commercial",
        services=(("water", "W-COM"), ("sewer", "S-COM")),
        meter_size="2",
        usage_hcf=15,
    )
    run = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    run = bill_run_commit(run_id=run.pk, actor=technician, as_of=TODAY)
    register = selectors.billing_register(run=run)
    assert register.bill_count == 3
    assert register.total_cents == run.total_billed_cents
    assert register.ties_to_journal
    water = sum(row.revenue_cents for row in register.rows if row.service == "water")
    posted = sum(
        JournalLine.objects.filter(entry__source_type="bill", gl_account__code="500-4110").values_list(
            "credit_cents", flat=True
        )
    )
    assert water == posted == register.journal_revenue_cents["500-4110"]
    residential = next(
        r for r in register.rows if r.service == "water" and r.customer_class == "RESIDENTIAL_SINGLE"
    )
    assert (residential.bills, residential.consumption_hcf) == (2, Decimal(65))
    assert register.by_fund_cents["water"] + register.by_fund_cents["sewer"] == register.total_cents
    assert JournalEntry.objects.filter(source_type="bill").count() == 3
