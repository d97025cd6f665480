"""A trial raises every kind of exception; review decides them; the commit bills only what may go."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.billing.models import Bill, BillException, BillRun
from civicbill.billing.services import bill_exception_resolve, bill_run_commit, bill_run_start, bill_run_trial
from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError
from civicbill.ledger.models import JournalEntry
from civicbill.ledger.selectors import check_books
from civicbill.meters.models import Read
from civicbill.rates.services import schedule_version_load
from tests.fixtures.billing import NOV

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)
OCT = dt.date(2026, 10, 1)

ZERO_REFUSE = """
schedule: R-FREE
service: refuse
name: Refuse included (no charge)
effective_from: 2017-07-01
classes:
  RESIDENTIAL_SINGLE:
    charges:
      - key: refuse_charge
        type: fixed
        description: Refuse
        amount: 0
"""
ONE_INCH_ONLY = """
schedule: W-BIG
service: water
name: Water, 1-inch meters only
effective_from: 2017-07-01
classes:
  RESIDENTIAL_SINGLE:
    charges:
      - key: service_charge
        type: fixed
        description: Meter charge
        by: meter_size
        prices:
          "1": 19.32
"""


def _codes(run: BillRun, account: Any) -> list[tuple[str, bool]]:
    return sorted(BillException.objects.filter(run=run, account=account).values_list("code", "blocking"))


def test_trial_raises_each_exception_and_commit_bills_only_the_unblocked(
    cycle: Any, make_account: Any, technician: Any, supervisor: Any
) -> None:
    schedule_version_load(text=ZERO_REFUSE, source_name="r-free.yaml", actor=supervisor, as_of=TODAY)
    schedule_version_load(text=ONE_INCH_ONLY, source_name="w-big.yaml", actor=supervisor, as_of=TODAY)
    normal = make_account(usage_hcf=15)
    missing = make_account(reads=((dt.date(2026, 9, 28), 10_000), (dt.date(2026, 10, 28), 11_000)))
    estimated = make_account(usage_hcf=12)
    Read.objects.filter(
        installation__service_point__premise=estimated.premise, read_on=dt.date(2026, 11, 28)
    ).update(status="estimated")
    high = make_account(
        reads=((dt.date(2026, 8, 28), 10_000), (dt.date(2026, 9, 28), 10_500),
               (dt.date(2026, 10, 28), 11_000),
               (dt.date(2026, 11, 28), 26_000))
    )  # fmt: skip
    no_schedule = make_account(services=(("water", "W-RES"), ("sewer", "S-NOPE")), usage_hcf=15)
    rating_error = make_account(services=(("water", "W-BIG"),), usage_hcf=15)
    zero = make_account(services=(("refuse", "R-FREE"),), usage_hcf=15)
    # October first, so the high user has an issued bill to be compared with
    october = bill_run_start(cycle_number=1, period=OCT, actor=technician, as_of=TODAY)
    bill_run_trial(run_id=october.pk, actor=technician, as_of=TODAY)
    for exception in BillException.objects.filter(run=october, blocking=True):
        bill_exception_resolve(
            exception_id=exception.pk,
            resolution="held",
            note="not in October",
            actor=technician,
            at=clock.now(),
        )
    bill_run_commit(run_id=october.pk, actor=technician, as_of=TODAY)
    assert (
        Bill.objects.get(account=high, period=OCT).current_charges_cents == 6311
    )  # 13.80 + 5 × 1.50 + 41.81

    run = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    run = bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    assert _codes(run, normal) == []
    assert _codes(run, missing) == [("missing_read", True)]
    assert _codes(run, estimated) == [("estimated", False)]
    assert _codes(run, high) == [("high_bill", True)]
    assert _codes(run, no_schedule) == [("no_schedule", True)]
    assert _codes(run, rating_error) == [("rating_error", True)]
    assert _codes(run, zero) == [("zero_bill", False)]
    message = BillException.objects.get(run=run, account=rating_error).message
    assert "W-BIG" in message
    assert (run.accounts_count, run.bills_count, run.skipped_count) == (7, 7, 4)
    assert JournalEntry.objects.filter(accounting_date=run.bill_date).count() == 0

    # a re-run of the trial replaces the drafts and keeps the decisions taken
    held = BillException.objects.get(run=run, account=no_schedule)
    bill_exception_resolve(
        exception_id=held.pk, resolution="held", note="schedule to be fixed", actor=technician, at=clock.now()
    )
    released = BillException.objects.get(run=run, account=high)
    bill_exception_resolve(
        exception_id=released.pk, resolution="released", note="pool filled", actor=technician, at=clock.now()
    )
    run = bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    assert Bill.objects.filter(run=run).count() == 7
    assert BillException.objects.filter(run=run).count() == 6
    assert BillException.objects.get(run=run, account=high).resolution == "released"
    assert BillException.objects.get(run=run, account=no_schedule).resolution == "held"

    run = bill_run_commit(run_id=run.pk, actor=technician, as_of=TODAY)
    issued = set(Bill.objects.filter(run=run, status="issued").values_list("account_id", flat=True))
    assert issued == {normal.pk, estimated.pk, high.pk, zero.pk}
    assert (run.bills_count, run.skipped_count) == (4, 3)
    zero_bill = Bill.objects.get(run=run, account=zero)
    assert (zero_bill.current_charges_cents, zero_bill.journal_entry_id) == (0, None)  # nothing to post
    assert check_books().ok
    with pytest.raises(ApplicationError, match="decided while the trial is in review"):
        bill_exception_resolve(
            exception_id=BillException.objects.get(run=run, account=no_schedule).pk,
            resolution="released",
            actor=technician,
            at=clock.now(),
        )
