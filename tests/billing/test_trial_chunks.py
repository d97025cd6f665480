"""How the trial cuts a cycle into chunks, when it uses worker processes, and how a trial that stopped
half-way carries on (ADR 0011). The workers themselves run in test_kill_and_resume.py, on a database
of their own: here every test runs inside a transaction, which worker processes could not see into."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.billing.models import Bill, BillException, BillLine, BillRun
from civicbill.billing.services import bill_run_start, bill_run_trial, trial_chunks
from civicbill.billing.services.trial_chunks import parallel_workers
from tests.fixtures.billing import NOV

TODAY = dt.date(2026, 12, 1)
BILL_FIELDS = [f.attname for f in Bill._meta.concrete_fields if f.attname != "id"]
LINE_FIELDS = [f.attname for f in BillLine._meta.concrete_fields if f.attname not in ("id", "bill_id")]


def test_one_worker_takes_chunks_of_at_most_the_chunk_size() -> None:
    ids = list(range(1, 45_001))
    chunks = trial_chunks.trial_chunks(ids, workers=1)
    assert [len(chunk) for chunk in chunks] == [20_000, 20_000, 5_000]
    assert [account for chunk in chunks for account in chunk] == ids


def test_workers_get_about_four_chunks_each_of_at_least_five_thousand_accounts() -> None:
    def sizes(count: int) -> list[int]:
        return [len(chunk) for chunk in trial_chunks.trial_chunks(list(range(count)), workers=2)]

    assert sizes(100_000) == [12_500] * 8
    assert sizes(12_000) == [5_000, 5_000, 2_000]
    assert sizes(5_000) == [5_000]  # one chunk: rated in the calling process
    assert len(trial_chunks.trial_chunks(list(range(1_000_000)), workers=2)) == 50  # 20,000 a chunk


@pytest.mark.django_db
def test_inside_a_transaction_the_chunks_are_rated_in_this_process() -> None:
    assert parallel_workers(4) == 1
    assert parallel_workers(1) == 1


@pytest.mark.django_db
def test_a_trial_stopped_half_way_keeps_its_drafts_and_rates_the_other_accounts(
    cycle: Any, make_account: Any, technician: Any
) -> None:
    first, second, third = (make_account(usage_hcf=usage) for usage in (15, 22, 8))
    missing = make_account(reads=((dt.date(2026, 9, 28), 10_000), (dt.date(2026, 10, 28), 11_000)))
    run = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    run = bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)

    def drafts() -> dict[int, Any]:
        return {
            bill.account_id: (
                tuple(getattr(bill, name) for name in BILL_FIELDS),
                list(bill.lines.order_by("sequence").values_list(*LINE_FIELDS)),
                list(BillException.objects.filter(bill=bill).values_list("code", "message", "resolution")),
            )
            for bill in Bill.objects.filter(run=run)
        }

    complete = drafts()
    kept = Bill.objects.get(run=run, account=first).pk
    assert complete[missing.pk][2] == [
        ("missing_read", "No read measured water use from 2026-10-29 to 2026-11-28", "open")
    ]
    # as a kill leaves it: the run still trial_running, the first chunk written, the next rolled back
    for account in (second, third, missing):
        BillException.objects.filter(account=account).delete()
        BillLine.objects.filter(bill__account=account).delete()
        Bill.objects.filter(account=account).delete()
    BillRun.objects.filter(pk=run.pk).update(status=BillRun.Status.TRIAL_RUNNING)

    run = bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    assert Bill.objects.get(run=run, account=first).pk == kept  # not drafted again
    assert drafts() == complete
    assert (run.status, run.accounts_count, run.bills_count, run.skipped_count) == ("trial", 4, 4, 1)
