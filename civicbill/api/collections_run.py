"""``/api/collections/runs``: start the daily collections run (a background task), list the runs, and
show one with its progress and its actions (account number, step, rule, amount)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from civicbill.collections import run_selectors
from civicbill.collections import tasks as collections_tasks
from civicbill.collections.models import ActionStep, CollectionRun
from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.models import TaskProgress
from civicbill.core.permissions import require_permission

router = Router(tags=["collections runs"])


class CollectionRunStartIn(Schema):
    run_date: dt.date = Field(..., description="the business date the run acts for, YYYY-MM-DD")
    trial: bool = Field(True, description="list what the run would do and post nothing")


def _run(run_id: int) -> CollectionRun:
    run = run_selectors.run_get(run_id)
    if run is None:
        raise NotFoundError(f"No collections run {run_id}")
    return run


def _progress(run: CollectionRun) -> dict[str, Any] | None:
    progress = TaskProgress.objects.filter(key=run.task_id).first() if run.task_id else None
    if progress is None:
        return None
    return {
        "task_id": progress.key,
        "status": progress.status,
        "done": progress.done,
        "total": progress.total,
        "percent": progress.percent,
        "message": progress.message,
    }


@router.post("/", response={202: dict[str, Any]}, summary="Start a collections run (background task)")
def start_run(request: HttpRequest, payload: CollectionRunStartIn) -> Status[dict[str, Any]]:
    """Starts the run of ``run_date`` (a trial unless ``trial`` is false). Follow it with
    ``GET /api/collections/runs/{id}``; rerunning a posted date posts nothing new."""
    require_permission(request.user, "collections.run")
    run = collections_tasks.collections_run_enqueue(
        run_date=payload.run_date, trial=payload.trial, actor=request.user, at=clock.now()
    )
    run.refresh_from_db()
    return Status(202, {"run_id": run.pk, "task_id": run.task_id or None, "run": run_selectors.run_row(run)})


@router.get("/", response=list[dict[str, Any]], summary="Collections runs, newest date first")
def list_runs(request: HttpRequest, limit: int = Query(100, ge=1, le=1000)) -> list[dict[str, Any]]:
    require_permission(request.user, "collections.view")
    return [run_selectors.run_row(run) for run in run_selectors.runs_list(limit=limit)]


@router.get("/{run_id}", response=dict[str, Any], summary="A run: status, progress, counts and its actions")
def show_run(
    request: HttpRequest,
    run_id: int,
    step: str | None = None,
    offset: int = Query(0, ge=0),
    limit: int = Query(500, ge=1, le=5000),
) -> dict[str, Any]:
    require_permission(request.user, "collections.view")
    run = _run(run_id)
    if step and step not in ActionStep.values:
        raise ApplicationError(
            f"step {step!r} is not one of {', '.join(ActionStep.values)}", code="unknown_step", field="step"
        )
    actions = run_selectors.run_actions(run, step=step or "")
    return {
        **run_selectors.run_row(run),
        "progress": _progress(run),
        "actions_total": actions.count(),
        "actions": [run_selectors.action_row(action) for action in actions[offset : offset + limit]],
    }
