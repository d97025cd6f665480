"""The daily collections run as a background task (django-tasks, ADR 0004), with TaskProgress.

:func:`collections_run_enqueue` creates the run row at once (status running; a page follows it by id),
opens its progress record (key ``CollectionRun.task_id``) and queues :func:`collections_run_task`, which
does the run's steps and reports accounts done / accounts owing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django_tasks import task

from civicbill.collections.models import CollectionRun
from civicbill.collections.run_selectors import run_row
from civicbill.collections.services.run import collection_run_execute, collection_run_start
from civicbill.core.actors import Actor, acting_user
from civicbill.core.progress import progress_advance, progress_finish, progress_start


def progress_key(run_id: int) -> str:
    return f"collections-run:{run_id}"


def _label(run: CollectionRun) -> str:
    kind = "trial" if run.trial else "run"
    return f"Collections {kind} {run.pk} of {run.run_date:%Y-%m-%d}"


@task()
def collections_run_task(run_id: int, actor_id: int) -> dict[str, Any]:
    actor = get_user_model().objects.get(pk=actor_id)
    run = CollectionRun.objects.get(pk=run_id)
    record = progress_start(
        key=progress_key(run_id), kind="collections_run", label=_label(run), total=0, started_by=actor
    )
    state = {"done": 0}

    def report(done: int, total: int) -> None:
        if record.total != total:
            record.total = total
            record.save(update_fields=["total"])
        progress_advance(record, done=done - state["done"])
        state["done"] = done

    try:
        run = collection_run_execute(run_id=run_id, actor=actor, at=run.started_at, progress=report)
    except Exception as error:
        progress_finish(record, succeeded=False, message=str(error)[:500])
        raise
    outcome = run_row(run)
    actions = sum(count for step, count in run.counts.items() if step not in ("past_due", "current"))
    progress_finish(record, succeeded=True, message=f"{_label(run)}: {actions} actions", result=outcome)
    return outcome


def collections_run_enqueue(
    *, run_date: dt.date, trial: bool, actor: Actor, at: dt.datetime
) -> CollectionRun:
    """Start the run of ``run_date`` (its row now, its work in the background)."""
    run = collection_run_start(run_date=run_date, trial=trial, actor=actor, at=at)
    key = progress_key(run.pk)
    progress_start(key=key, kind="collections_run", label=_label(run), total=0, started_by=actor)
    CollectionRun.objects.filter(pk=run.pk).update(task_id=key)
    run.task_id = key
    collections_run_task.enqueue(run.pk, acting_user(actor).pk)
    return run
