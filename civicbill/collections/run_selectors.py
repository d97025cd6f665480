"""Reads of the daily collections runs: the runs, their actions (with the account numbers), and the
same rows as plain data for the command line and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.db.models import QuerySet

from civicbill.collections.models import CollectionAction, CollectionRun, StageEvent
from civicbill.collections.stages import current_stages


def runs_list(*, limit: int = 100) -> list[CollectionRun]:
    return list(CollectionRun.objects.select_related("started_by").order_by("-run_date", "-id")[:limit])


def run_get(run_id: int) -> CollectionRun | None:
    return CollectionRun.objects.select_related("started_by").filter(pk=run_id).first()


def run_actions(run: CollectionRun, *, step: str = "") -> QuerySet[CollectionAction]:
    """The run's actions in account-number order (then as recorded), optionally of one step."""
    actions = CollectionAction.objects.filter(run=run).select_related("account")
    if step:
        actions = actions.filter(step=step)
    return actions.order_by("account__number", "id")


def run_row(run: CollectionRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "run_date": run.run_date.isoformat(),
        "trial": run.trial,
        "status": run.status,
        "accounts_examined": run.accounts_examined,
        "counts": run.counts,
        "started_by": run.started_by.username,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "task_id": run.task_id or None,
        "last_error": run.last_error or None,
        "closed_because": run.closed_because or None,
    }


def action_row(action: CollectionAction) -> dict[str, Any]:
    return {
        "account": action.account.number,
        "step": action.step,
        "rule": action.rule,
        "amount_cents": action.amount_cents,
        "detail": action.detail,
    }


def latest_finished_run(day: dt.date) -> CollectionRun | None:
    """The latest finished run (trial or posted) of ``day``: what the worklist shows."""
    return (
        CollectionRun.objects.filter(run_date=day, status=CollectionRun.Status.FINISHED)
        .select_related("started_by")
        .order_by("-id")
        .first()
    )


def accounts_in_stage(stage: str | Collection[str], *, as_of: dt.date) -> list[StageEvent]:
    """The event that put each account now in ``stage`` (one stage or several) there on ``as_of``,
    by account number."""
    stages_wanted = {stage} if isinstance(stage, str) else set(stage)
    ids = list(
        StageEvent.objects.filter(stage__in=stages_wanted, occurred_on__lte=as_of)
        .values_list("account_id", flat=True)
        .distinct()
    )
    stages = current_stages(ids, as_of=as_of)
    keep = [account_id for account_id in ids if stages[account_id] in stages_wanted]
    latest: dict[int, StageEvent] = {}
    for event in (
        StageEvent.objects.filter(account_id__in=keep, occurred_on__lte=as_of)
        .select_related("account")
        .order_by("account_id", "occurred_on", "id")
    ):
        latest[event.account_id] = event
    return sorted(latest.values(), key=lambda event: event.account.number)
