"""Step "past due" of the daily collections run: the collection stage of accounts that became
delinquent (a bill unpaid past its due date plus the grace days) moves from current to past due, and
back to current once nothing is past due any more. Later stages (notices, shutoff ...) belong to their
own steps; this one only moves accounts between current and past due. A trial records nothing."""

from __future__ import annotations

from django.contrib.auth.models import User

from civicbill.collections.models import CollectionStage, StageEvent
from civicbill.collections.run_context import RunContext
from civicbill.collections.stages import current_stages
from civicbill.core.actors import acting_user

PAST_DUE_COUNT = "past_due"  # the run's count of accounts moved to past due
CURRENT_COUNT = "current"  # ... and back to current


def delinquent_now(ctx: RunContext) -> dict[int, str]:
    """account id -> why it is delinquent on the run date (the oldest bill past due + grace)."""
    grace = ctx.policy.grace_days
    reasons = {}
    for account_id, owed in ctx.owing.items():
        items = owed.past_due_items(ctx.run_date, grace_days=grace)
        if items:
            oldest = items[0]
            what = (
                f"bill {oldest.bill_number}"
                if oldest.bill_number
                else f"{oldest.kind} of {oldest.accounting_date}"
            )
            reasons[account_id] = (
                f"{what} unpaid {grace} days after its due date {oldest.due_date:%Y-%m-%d}; "
                f"{owed.past_due_cents(ctx.run_date, grace_days=grace)} cents past due"
            )
    return reasons


def past_due_step(ctx: RunContext) -> None:
    if ctx.trial or not ctx.owing:
        return
    delinquent = delinquent_now(ctx)
    stages = current_stages(ctx.owing.keys(), as_of=ctx.run_date)
    user = acting_user(ctx.actor)
    events = []
    for account_id in sorted(ctx.owing):
        stage = stages[account_id]
        if account_id in delinquent and stage == CollectionStage.CURRENT:
            events.append(_event(ctx, account_id, CollectionStage.PAST_DUE, delinquent[account_id], user))
        elif account_id not in delinquent and stage == CollectionStage.PAST_DUE:
            events.append(_event(ctx, account_id, CollectionStage.CURRENT, "nothing past due", user))
    StageEvent.objects.bulk_create(events)
    for event in events:
        key = PAST_DUE_COUNT if event.stage == CollectionStage.PAST_DUE else CURRENT_COUNT
        ctx.run.counts[key] = ctx.run.counts.get(key, 0) + 1


def _event(ctx: RunContext, account_id: int, stage: str, rule: str, user: User) -> StageEvent:
    return StageEvent(
        account_id=account_id,
        stage=stage,
        occurred_on=ctx.run_date,
        rule=rule[:200],
        run=ctx.run,
        actor=user,
        created_at=ctx.at,
    )


# the stages an account leaves for "current" once nothing is past due (a scheduled shutoff, a
# disconnection, an arrangement or an appeal is ended by its own action, not by this step)
PAID_UP_FROM = (
    CollectionStage.PAST_DUE,
    CollectionStage.LATE_NOTICE_SENT,
    CollectionStage.FINAL_NOTICE_SENT,
    CollectionStage.FORTY_EIGHT_HOUR_NOTICE,
    CollectionStage.ELIGIBLE_FOR_SHUTOFF,
)


def paid_up_step(ctx: RunContext, owing_ids: set[int]) -> int:
    """After the chunks: accounts in a delinquency stage before any shutoff (past due, a notice sent,
    eligible) that have nothing past due any more go back to current."""
    if ctx.trial:
        return 0
    candidates = (
        set(
            StageEvent.objects.filter(stage__in=PAID_UP_FROM, occurred_on__lte=ctx.run_date)
            .values_list("account_id", flat=True)
            .distinct()
        )
        - owing_ids
    )
    stages = current_stages(candidates, as_of=ctx.run_date)
    user = acting_user(ctx.actor)
    events = [
        _event(ctx, account_id, CollectionStage.CURRENT, "paid: nothing past due", user)
        for account_id in sorted(candidates)
        if stages[account_id] in PAID_UP_FROM
    ]
    StageEvent.objects.bulk_create(events)
    return len(events)
