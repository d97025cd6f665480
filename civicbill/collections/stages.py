"""Recording and reading each account's collection stage (an append-only history)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from civicbill.collections.delinquency_selectors import delinquency_facts
from civicbill.collections.models import CollectionRun, CollectionStage, StageEvent
from civicbill.collections.selectors import policy_on
from civicbill.core.actors import Actor, acting_user


def stage_record_trusted(
    *,
    account_id: int,
    stage: str,
    on: dt.date,
    rule: str,
    actor: Actor,
    at: dt.datetime,
    run: CollectionRun | None = None,
    detail: dict[str, Any] | None = None,
) -> StageEvent:
    """Record that ``account_id`` entered ``stage`` on ``on`` because of ``rule``. The caller has
    checked its own permission (ADR 0015); a repeat of the current stage is not recorded again."""
    if stage not in CollectionStage.values:
        raise ValueError(f"unknown collection stage {stage!r}")
    latest = StageEvent.objects.filter(account_id=account_id).order_by("-occurred_on", "-id").first()
    if latest is not None and latest.stage == stage:
        return latest
    return StageEvent.objects.create(
        account_id=account_id,
        stage=stage,
        occurred_on=on,
        rule=rule[:200],
        detail=detail or {},
        run=run,
        actor=acting_user(actor),
        created_at=at,
    )


def current_stages(account_ids: Iterable[int], *, as_of: dt.date | None = None) -> dict[int, str]:
    """account id -> its stage on ``as_of`` (the latest event on or before it); current when none."""
    ids = list(account_ids)
    stages = {account_id: CollectionStage.CURRENT.value for account_id in ids}
    events = StageEvent.objects.filter(account_id__in=ids)
    if as_of is not None:
        events = events.filter(occurred_on__lte=as_of)
    for account_id, stage in events.order_by("account_id", "occurred_on", "id").values_list(
        "account_id", "stage"
    ):
        stages[account_id] = stage
    return stages


def stage_history(account_id: int) -> list[StageEvent]:
    return list(
        StageEvent.objects.filter(account_id=account_id)
        .select_related("actor")
        .order_by("-occurred_on", "-id")
    )


def delinquency_stage(account_id: int, day: dt.date) -> str:
    """The stage an account's delinquency alone gives on ``day`` (once an appeal is decided or an
    arrangement ends): past due while anything is past due beyond the grace days, else current."""
    owed = delinquency_facts([account_id], day).get(account_id)
    grace = policy_on(day).grace_days
    if owed is not None and owed.past_due_cents(day, grace_days=grace) > 0:
        return CollectionStage.PAST_DUE
    return CollectionStage.CURRENT
