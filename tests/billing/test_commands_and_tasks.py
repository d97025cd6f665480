"""``civicbill bill-run`` and ``civicbill bill show`` print JSON; the background task reports progress."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from civicbill.billing.models import Bill, BillRun
from civicbill.billing.tasks import bill_run_commit_enqueue, bill_run_trial_enqueue
from civicbill.core.exceptions import PermissionDeniedError
from civicbill.core.models import TaskProgress
from tests.fixtures.billing import NOV
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db


def _call(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_bill_run_commits_and_a_rerun_reports_the_same_outcome(
    cycle: Any, make_account: Any, technician: Any
) -> None:
    account = make_account(usage_hcf=15)
    make_account(reads=((dt.date(2026, 9, 28), 10_000), (dt.date(2026, 10, 28), 11_000)))  # no November read
    trial = _call(
        "bill_run", "--cycle", "1", "--period", "2026-11", "--trial", "--json", "--user", "technician"
    )
    [run] = trial["runs"]
    assert (run["status"], run["bills"], run["exceptions"]) == ("trial", 2, {"missing_read": 1})
    committed = _call("bill_run", "--cycle", "all", "--period", "2026-11", "--json")
    [run] = committed["runs"]
    assert (run["status"], run["bills"], run["drafts"], run["total_billed_cents"]) == (
        "committed",
        1,
        1,
        7811,
    )
    assert len(run["skipped_accounts"]) == 1
    again = _call("bill_run", "--cycle", "all", "--period", "2026-11", "--json")
    assert again == committed
    assert BillRun.objects.count() == 1
    shown = _call("bill", "show", f"202611-{account.number}", "--json")
    assert shown["money"] == {
        "previous_balance_cents": 0, "payments_cents": 0, "adjustments_cents": 0,
        "current_charges_cents": 7811,
        "total_due_cents": 7811,
    }  # fmt: skip
    assert shown["reads"]["consumption_hcf"] == "15"
    assert [line["amount_cents"] for line in shown["lines"]] == [1380, 2250, 4181]
    nothing_due = _call("bill_run", "--cycle", "1", "--period", "next", "--json")
    assert nothing_due == {"runs": [{"cycle": 1, "period": "2026-12", "status": "not_due"}]}


def test_the_background_tasks_run_the_trial_and_the_commit_with_progress(
    cycle: Any, make_account: Any, technician: Any, csr: Any, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    make_account(usage_hcf=15)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        bill_run_trial_enqueue(cycle="all", period=NOV, actor=csr, as_of=dt.date(2026, 12, 1))
    [run] = bill_run_trial_enqueue(cycle="all", period=NOV, actor=technician, as_of=dt.date(2026, 12, 1))
    run.refresh_from_db()
    assert run.status == BillRun.Status.TRIAL
    progress = TaskProgress.objects.get(key=run.task_id)
    assert (progress.status, progress.total, progress.done) == ("succeeded", 1, 1)
    assert progress.result["bills"] == 1
    bill_run_commit_enqueue(run=run, actor=technician, as_of=dt.date(2026, 12, 1))
    run.refresh_from_db()
    assert run.status == BillRun.Status.COMMITTED
    assert TaskProgress.objects.get(key=run.task_id).result["total_billed_cents"] == 7811
    assert Bill.objects.get().status == "issued"
