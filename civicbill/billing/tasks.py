"""Billing runs as background tasks (django-tasks), reporting progress through ``TaskProgress``.

The page starts a run with :func:`bill_run_trial_enqueue` (the run rows are created at once, so a
second start is refused on the spot) or commits with :func:`bill_run_commit_enqueue`; the worker
runs :func:`bill_run_trial_task` / :func:`bill_run_commit_task`, whose progress record's key is
``BillRun.task_id``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django_tasks import task

from civicbill.billing import selectors
from civicbill.billing.models import BillingCycle, BillRun
from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial
from civicbill.core.actors import Actor, acting_user
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.core.progress import progress_advance, progress_finish, progress_start


def progress_key(run_id: int, stage: str) -> str:
    return f"bill-run:{run_id}:{stage}"


def _reporter(key: str, *, kind: str, label: str, actor: Actor) -> Any:
    record = progress_start(key=key, kind=kind, label=label, total=0, started_by=actor)
    state = {"done": 0}

    def report(done: int, total: int) -> None:
        if record.total != total:
            record.total = total
            record.save(update_fields=["total"])
        progress_advance(record, done=done - state["done"])
        state["done"] = done

    return record, report


def _run_stage(run_id: int, actor_id: int, as_of_text: str, stage: str) -> dict[str, Any]:
    actor = get_user_model().objects.get(pk=actor_id)
    as_of = dt.date.fromisoformat(as_of_text)
    run = BillRun.objects.select_related("cycle").get(pk=run_id)
    label = f"Billing run {run.pk} ({stage}): cycle {run.cycle.number}, {run.period:%Y-%m}"
    record, report = _reporter(
        progress_key(run_id, stage), kind=f"bill_run_{stage}", label=label, actor=actor
    )
    service = bill_run_trial if stage == "trial" else bill_run_commit
    try:
        run = service(run_id=run_id, actor=actor, as_of=as_of, progress=report)
    except Exception as error:
        BillRun.objects.filter(pk=run_id).update(last_error=str(error)[:2000])
        progress_finish(record, succeeded=False, message=str(error)[:500])
        raise
    outcome = selectors.bill_run_outcome(run=run)
    progress_finish(
        record, succeeded=True, message=f"Run {run.pk} is {run.get_status_display()}", result=outcome
    )
    return outcome


@task()
def bill_run_trial_task(run_id: int, actor_id: int, as_of: str) -> dict[str, Any]:
    return _run_stage(run_id, actor_id, as_of, "trial")


@task()
def bill_run_commit_task(run_id: int, actor_id: int, as_of: str) -> dict[str, Any]:
    return _run_stage(run_id, actor_id, as_of, "commit")


def bill_run_trial_enqueue(
    *, cycle: int | str, period: dt.date, actor: Actor, as_of: dt.date
) -> list[BillRun]:
    """Start the run of one cycle (or of every cycle: ``"all"``) for ``period`` and queue its trial."""
    require_permission(actor, "billing.run")
    numbers = (
        list(BillingCycle.objects.values_list("number", flat=True)) if str(cycle) == "all" else [int(cycle)]
    )
    if not numbers:
        raise ApplicationError("No billing cycle is set up", code="no_cycle", field="cycle")
    runs = []
    for number in numbers:
        run = bill_run_start(cycle_number=number, period=period, actor=actor, as_of=as_of)
        _enqueue(run, "trial", actor=actor, as_of=as_of)
        runs.append(run)
    return runs


def bill_run_commit_enqueue(*, run: BillRun, actor: Actor, as_of: dt.date) -> BillRun:
    """Queue the commit of a run whose trial is in review (or resume a stopped commit)."""
    require_permission(actor, "billing.commit")
    run.refresh_from_db()
    if run.status not in (BillRun.Status.TRIAL, BillRun.Status.COMMITTING):
        raise ApplicationError(
            f"Run {run.pk} is {run.get_status_display().lower()}; "
            "only a run whose trial is ready can be committed",
            code="run_not_ready",
        )
    _enqueue(run, "commit", actor=actor, as_of=as_of)
    return run


def _enqueue(run: BillRun, stage: str, *, actor: Actor, as_of: dt.date) -> None:
    key = progress_key(run.pk, stage)
    progress_start(
        key=key, kind=f"bill_run_{stage}", label=f"Billing run {run.pk} ({stage})", total=0, started_by=actor
    )
    BillRun.objects.filter(pk=run.pk).update(task_id=key)
    run.task_id = key
    task_object = bill_run_trial_task if stage == "trial" else bill_run_commit_task
    task_object.enqueue(run.pk, acting_user(actor).pk, as_of.isoformat())
