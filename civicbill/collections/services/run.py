"""The daily collections run: ``civicbill collections run --date D [--trial]``, its page and its task.

:func:`collections_run` = :func:`collection_run_start` (the run row, at once, so a page can follow it)
+ :func:`collection_run_execute`: the accounts owing on the run date are taken in chunks; for each
chunk, in one transaction, the run gathers what each account owes bill by bill
(``delinquency_facts``) and what protects it (``protections_on``), builds a
:class:`~civicbill.collections.run_context.RunContext` and calls every step of
:data:`civicbill.collections.steps.STEPS` in order, then writes the chunk's actions in one statement.

- A trial writes the run and its actions and nothing else.
- A posted run is idempotent: each step's own constraint (one penalty per bill, one interest per bill
  and month ...) means rerunning a date posts nothing new; a run stopped by an error is marked failed
  with the error, the chunks before it stay done, and the next run of the date does the rest.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from django.db import transaction

from civicbill.collections.delinquency_selectors import accounts_past_due, delinquency_facts
from civicbill.collections.models import ActionStep, CollectionAction, CollectionRun
from civicbill.collections.protections import protections_on
from civicbill.collections.run_context import RunContext
from civicbill.collections.selectors import policy_on
from civicbill.collections.services.arrangements import arrangements_paid_up_step
from civicbill.collections.services.past_due import CURRENT_COUNT, paid_up_step
from civicbill.collections.steps import STEPS
from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.chunks import slices
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission

CHUNK = 500  # accounts per transaction
Progress = Callable[[int, int], None]


def collection_run_start(*, run_date: dt.date, trial: bool, actor: Actor, at: dt.datetime) -> CollectionRun:
    """The run's row (status running), before any work: a page or task follows it by id."""
    require_permission(actor, "collections.run")
    if not isinstance(run_date, dt.date):
        raise ApplicationError("Give the run date (YYYY-MM-DD)", code="run_date_missing", field="run_date")
    today = clock.business_date(at)
    if not trial and run_date > today:
        raise ApplicationError(
            f"A posted run cannot act for {run_date:%Y-%m-%d}, after today ({today:%Y-%m-%d}); "
            "run a trial to preview it",
            code="run_date_future",
            field="run_date",
        )
    return CollectionRun.objects.create(
        run_date=run_date, trial=trial, started_by=acting_user(actor), started_at=at, counts={}
    )


def collection_run_execute(
    *, run_id: int, actor: Actor, at: dt.datetime, progress: Progress | None = None
) -> CollectionRun:
    """Do the run's steps for every account owing on its date (see the module's docstring)."""
    require_permission(actor, "collections.run")
    run = CollectionRun.objects.filter(pk=run_id).first()
    if run is None:
        raise ApplicationError(f"No collections run {run_id}", code="not_found", field="run_id")
    if run.status != CollectionRun.Status.RUNNING:
        raise ApplicationError(
            f"Collections run {run.pk} is {run.get_status_display().lower()}; start a new run of "
            f"{run.run_date:%Y-%m-%d} instead (it does only what is left)",
            code="run_not_running",
        )
    try:
        _execute(run, actor=actor, at=at, progress=progress)
    except Exception as error:
        CollectionRun.objects.filter(pk=run.pk).update(
            status=CollectionRun.Status.FAILED, last_error=str(error)[:2000], finished_at=clock.now()
        )
        raise
    return run


def collections_run(
    *, run_date: dt.date, trial: bool, actor: Actor, at: dt.datetime, progress: Progress | None = None
) -> CollectionRun:
    """Start and do the collections run of ``run_date`` (trial: list what it would do)."""
    run = collection_run_start(run_date=run_date, trial=trial, actor=actor, at=at)
    return collection_run_execute(run_id=run.pk, actor=actor, at=at, progress=progress)


def _execute(run: CollectionRun, *, actor: Actor, at: dt.datetime, progress: Progress | None) -> None:
    run_date = run.run_date
    policy = policy_on(run_date)
    calendar = clock.business_calendar()
    closed = calendar.why_closed(run_date)
    # nothing is charged, mailed, called or listed for shutoff on a day the office is closed: a charge
    # that became delinquent then is penalised on the next business day's run
    ids = [] if closed else accounts_past_due(run_date)  # owing more than their bills not yet due
    run.closed_because = closed or ""
    total = len(ids)
    if progress is not None:
        progress(0, total)
    run.counts = {}
    actions: Counter[str] = Counter()
    done = 0
    ctx = RunContext(run, run_date, policy, calendar, actor, at, {}, {})
    for chunk in slices(ids, CHUNK):
        with transaction.atomic():
            ctx = RunContext(
                run=run,
                run_date=run_date,
                policy=policy,
                calendar=calendar,
                actor=actor,
                at=at,
                owing=delinquency_facts(chunk, run_date),
                protections=protections_on(chunk, run_date),
            )
            for step in STEPS:
                step(ctx)
            CollectionAction.objects.bulk_create(ctx.actions)
            actions.update(str(action.step) for action in ctx.actions)
            done += len(chunk)
            CollectionRun.objects.filter(pk=run.pk).update(accounts_examined=done)
        if progress is not None:
            progress(done, total)
    with transaction.atomic():
        arranged = 0 if closed else arrangements_paid_up_step(ctx, set(ids))  # owing nothing past due
        if arranged:
            actions[ActionStep.ARRANGEMENT] += arranged
        paid_up = 0 if closed else paid_up_step(ctx, set(ids))
        if paid_up:
            run.counts[CURRENT_COUNT] = run.counts.get(CURRENT_COUNT, 0) + paid_up
        run.counts = {**run.counts, **dict(sorted(actions.items()))}
        run.accounts_examined = total
        run.status = CollectionRun.Status.FINISHED
        run.finished_at = clock.now()
        run.save(update_fields=["counts", "accounts_examined", "status", "finished_at", "closed_because"])
        if not run.trial:
            audit_record(
                actor=actor,
                action="collections_run.finish",
                target=run,
                at=at,
                summary=f"Collections run {run.pk} of {run_date:%Y-%m-%d}: {total} accounts examined",
                changes={"accounts": total, "counts": run.counts},
            )
