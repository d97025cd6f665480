"""Reads of the daily collections runs: the runs, their actions (with the account numbers), and the
same rows as plain data for the command line and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from civicbill.collections.models import CollectionAction, CollectionRun


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
    }


def action_row(action: CollectionAction) -> dict[str, Any]:
    return {
        "account": action.account.number,
        "step": action.step,
        "rule": action.rule,
        "amount_cents": action.amount_cents,
        "detail": action.detail,
    }
