"""Payment arrangements: record, cancel, and the daily run's step that finds breaches and completions.

The schedule and the breach rule are pure (collections/arrangements.py). An honoured (active)
arrangement protects the account from penalties and shutoff (collections.protections); the run's
first step (:func:`arrangement_step`) marks a breached arrangement broken — dated the run date, the
reason naming the installment — and clears the protection so the later steps of the same run (penalties,
the posted final notice) act on the account. An arrangement whose installments are all covered is
completed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet, Sum

from civicbill.collections.arrangements import (
    ALTERNATIVE,
    AMORTIZATION,
    DEFERRAL,
    Installment,
    ScheduleError,
    Standing,
    arrangement_standing,
    schedule_preview,
)
from civicbill.collections.delinquency_selectors import delinquency_facts
from civicbill.collections.models import (
    ActionStep,
    Arrangement,
    ArrangementInstallment,
    ArrangementStatus,
    CollectionAction,
    CollectionRun,
    CollectionStage,
)
from civicbill.collections.run_context import RunContext
from civicbill.collections.selectors import policy_on
from civicbill.collections.services.penalties import lock_accounts
from civicbill.collections.stages import delinquency_stage, stage_record_trusted
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.clock import BusinessCalendar, business_calendar, business_date
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import format_cents
from civicbill.core.permissions import require_permission
from civicbill.customers.models import Account
from civicbill.ledger.models import JournalLine, SourceType

__all__ = [
    "ALTERNATIVE",
    "AMORTIZATION",
    "DEFERRAL",
    "ArrangementPreview",
    "arrangement_cancel",
    "arrangement_create",
    "arrangement_preview",
    "arrangement_standings",
    "arrangement_step",
    "arrangements_paid_up_step",
    "installments_of",
]


@dataclass(frozen=True)
class ArrangementPreview:
    account: Account
    kind: str
    balance_cents: int
    agreed_on: dt.date
    installments: list[Installment]


def _refuse(error: ScheduleError) -> ApplicationError:
    return ApplicationError(error.message, code="invalid_schedule", field=error.field)


def arrangement_preview(
    *,
    account: Account,
    kind: str,
    on: dt.date,
    amount_cents: int | None = None,
    months: int | None = None,
    first_due_on: dt.date | None = None,
    dates: Sequence[dt.date] = (),
    amounts: Sequence[int] = (),
) -> ArrangementPreview:
    """The schedule an arrangement made on ``on`` would have (nothing saved). The amount defaults to
    the account's past-due balance (what is unpaid after its due date)."""
    policy = policy_on(on)
    past_due = delinquency_facts([account.pk], on).get(account.pk)
    past_due_cents = past_due.past_due_cents(on) if past_due else 0
    if past_due_cents <= 0:
        raise ApplicationError(
            f"Account {account.number} has nothing past due to arrange",
            code="nothing_past_due",
            field="amount",
        )
    balance = past_due_cents if amount_cents is None else amount_cents
    if balance <= 0:
        raise ApplicationError(
            "The amount arranged must be above zero", code="invalid_amount", field="amount"
        )
    total_owed = past_due.balance_cents if past_due else 0
    if balance > total_owed:
        raise ApplicationError(
            f"The amount arranged cannot exceed the balance owed ({format_cents(total_owed)})",
            code="invalid_amount",
            field="amount",
        )
    try:
        installments = schedule_preview(
            kind=kind,
            balance_cents=balance,
            first_due_on=first_due_on,
            agreed_on=on,
            max_months=policy.arrangement_max_months,
            months=months,
            dates=dates,
            amounts=amounts,
        )
    except ScheduleError as error:
        raise _refuse(error) from error
    return ArrangementPreview(account, kind, balance, on, installments)


@transaction.atomic
def arrangement_create(
    *,
    account: Account,
    kind: str,
    actor: Actor,
    at: dt.datetime,
    amount_cents: int | None = None,
    months: int | None = None,
    first_due_on: dt.date | None = None,
    dates: Sequence[dt.date] = (),
    amounts: Sequence[int] = (),
    terms: str = "",
    language: str | None = None,
) -> Arrangement:
    """Record a payment arrangement agreed at ``at`` (its business date is ``agreed_on``)."""
    require_permission(actor, "collections.arrange")
    lock_accounts([account.pk])
    on = business_date(at)
    if Arrangement.objects.filter(account=account, status=ArrangementStatus.ACTIVE).exists():
        raise ApplicationError(
            f"Account {account.number} already has an honoured payment arrangement",
            code="arrangement_active",
            field="account",
        )
    preview = arrangement_preview(
        account=account,
        kind=kind,
        on=on,
        amount_cents=amount_cents,
        months=months,
        first_due_on=first_due_on,
        dates=dates,
        amounts=amounts,
    )
    if len(terms) > 500:
        raise ApplicationError("The terms can be at most 500 characters", code="too_long", field="terms")
    lang = (language or account.customer.preferred_language or "en")[:2]
    arrangement = Arrangement.objects.create(
        account=account,
        kind=kind,
        delinquent_cents=preview.balance_cents,
        agreed_on=on,
        language=lang if lang in {"en", "es"} else "en",
        terms=terms,
        created_by=acting_user(actor),
        created_at=at,
    )
    ArrangementInstallment.objects.bulk_create(
        ArrangementInstallment(
            arrangement=arrangement, sequence=i.sequence, due_on=i.due_on, amount_cents=i.amount_cents
        )
        for i in preview.installments
    )
    stage_record_trusted(
        account_id=account.pk,
        stage=CollectionStage.IN_ARRANGEMENT,
        on=on,
        rule=f"payment arrangement {arrangement.pk} ({kind}) on {format_cents(preview.balance_cents)}",
        actor=actor,
        at=at,
        detail={"arrangement": arrangement.pk},
    )
    audit_record(
        actor=actor,
        action="arrangement.create",
        target=arrangement,
        at=at,
        account_number=account.number,
        summary=(
            f"Payment arrangement ({kind}) on {format_cents(preview.balance_cents)} in "
            f"{len(preview.installments)} installment(s)"
        ),
        changes={
            "kind": kind,
            "delinquent_cents": preview.balance_cents,
            "installments": [[i.due_on.isoformat(), i.amount_cents] for i in preview.installments],
            "terms": terms,
        },
    )
    return arrangement


@transaction.atomic
def arrangement_cancel(
    *, arrangement: Arrangement, reason: str, actor: Actor, at: dt.datetime
) -> Arrangement:
    """End an honoured arrangement by staff decision (the customer asked, it was recorded in error ...)."""
    require_permission(actor, "collections.arrange")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Say why the arrangement is cancelled", code="required", field="reason")
    locked = Arrangement.objects.select_for_update().get(pk=arrangement.pk)
    if locked.status != ArrangementStatus.ACTIVE:
        raise ApplicationError(
            f"The arrangement is already {locked.get_status_display().lower()}",
            code="not_active",
            field="status",
        )
    on = business_date(at)
    locked.status = ArrangementStatus.CANCELLED
    locked.ended_on = on
    locked.end_reason = reason[:200]
    locked.save(update_fields=["status", "ended_on", "end_reason"])
    _stage_after(locked.account_id, on, f"arrangement {locked.pk} cancelled: {reason}", actor, at, None)
    audit_record(
        actor=actor,
        action="arrangement.cancel",
        target=locked,
        at=at,
        account_number=locked.account.number,
        summary=f"Payment arrangement {locked.pk} cancelled: {reason}",
        changes={"status": [ArrangementStatus.ACTIVE, ArrangementStatus.CANCELLED], "reason": reason},
    )
    return locked


def _stage_after(
    account_id: int, on: dt.date, rule: str, actor: Actor, at: dt.datetime, run: CollectionRun | None
) -> None:
    """The stage once an arrangement ends: what the account's delinquency alone gives."""
    stage_record_trusted(
        account_id=account_id,
        stage=delinquency_stage(account_id, on),
        on=on,
        rule=rule,
        actor=actor,
        at=at,
        run=run,
    )


def installments_of(arrangement: Arrangement) -> list[Installment]:
    return [
        Installment(row.sequence, row.due_on, row.amount_cents)
        for row in ArrangementInstallment.objects.filter(arrangement=arrangement).order_by("sequence")
    ]


_PAYMENT_SOURCES = (SourceType.PAYMENT, SourceType.RETURNED_PAYMENT)


def _since(arrangements: Iterable[Arrangement], on: dt.date) -> dict[int, tuple[int, int]]:
    """arrangement id -> (payments, current charges) on its account after agreed_on through ``on``."""
    by_account = {a.account_id: a for a in arrangements}
    if not by_account:
        return {}
    earliest = min(a.agreed_on for a in by_account.values())
    rows = (
        JournalLine.objects.filter(
            Q(entry__source_type__in=[*_PAYMENT_SOURCES, SourceType.BILL])
            | Q(entry__source_type=SourceType.REVERSAL, entry__reverses__source_type__in=_PAYMENT_SOURCES),
            customer_account_id__in=list(by_account),
            entry__accounting_date__gt=earliest,
            entry__accounting_date__lte=on,
        )
        .values("customer_account_id", "entry__source_type", "entry__accounting_date")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
    )
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        arrangement = by_account[row["customer_account_id"]]
        if row["entry__accounting_date"] <= arrangement.agreed_on:
            continue
        if row["entry__source_type"] == SourceType.BILL:
            totals[arrangement.pk][1] += row["debit"] - row["credit"]
        else:
            totals[arrangement.pk][0] += row["credit"] - row["debit"]
    return {a.pk: (totals[a.pk][0], totals[a.pk][1]) for a in by_account.values()}


def arrangement_standings(
    arrangements: Sequence[Arrangement], on: dt.date, calendar: BusinessCalendar | None = None
) -> dict[int, Standing]:
    """arrangement id -> how it stands on ``on`` (the breach rule of collections.arrangements)."""
    if not arrangements:
        return {}
    calendar = calendar or business_calendar()
    breach_days = policy_on(on).arrangement_breach_days
    rows: dict[int, list[Installment]] = defaultdict(list)
    for row in ArrangementInstallment.objects.filter(arrangement__in=[a.pk for a in arrangements]).order_by(
        "arrangement_id", "sequence"
    ):
        rows[row.arrangement_id].append(Installment(row.sequence, row.due_on, row.amount_cents))
    sums = _since(arrangements, on)
    return {
        a.pk: arrangement_standing(
            rows[a.pk],
            payments_cents=sums[a.pk][0],
            current_charges_cents=sums[a.pk][1],
            on=on,
            breach_days=breach_days,
            next_business_day=calendar.next_business_day,
        )
        for a in arrangements
    }


def arrangement_step(ctx: RunContext) -> None:
    """Step 0 of the daily run: breaches and completions of the honoured arrangements of the chunk."""
    ids = [i for i, p in ctx.protections.items() if p.arrangement_id is not None]
    if ids:
        _review(ctx, Arrangement.objects.filter(account_id__in=ids))


def arrangements_paid_up_step(ctx: RunContext, owing_ids: set[int]) -> int:
    """After the chunks: the honoured arrangements of accounts that owe nothing on the run date (the
    chunks never see them) — paid up, so usually completed. Writes its own actions; returns how many."""
    rest = RunContext(
        run=ctx.run,
        run_date=ctx.run_date,
        policy=ctx.policy,
        calendar=ctx.calendar,
        actor=ctx.actor,
        at=ctx.at,
        owing={},
        protections={},
    )
    _review(rest, Arrangement.objects.exclude(account_id__in=owing_ids))
    CollectionAction.objects.bulk_create(rest.actions)
    return len(rest.actions)


def _review(ctx: RunContext, arrangements_query: QuerySet[Arrangement]) -> None:
    arrangements = list(
        arrangements_query.filter(status=ArrangementStatus.ACTIVE, agreed_on__lte=ctx.run_date)
        .select_related("account")
        .order_by("account_id", "id")
    )
    standings = arrangement_standings(arrangements, ctx.run_date, ctx.calendar)
    for arrangement in arrangements:
        standing = standings[arrangement.pk]
        if standing.breached is not None:
            item = standing.breached
            reason = (
                f"installment {item.sequence} of {format_cents(item.amount_cents)} "
                f"due {item.due_on:%Y-%m-%d} unpaid {ctx.policy.arrangement_breach_days} days"
            )
            ctx.act(
                arrangement.account_id,
                ActionStep.ARRANGEMENT,
                f"arrangement {arrangement.pk} broken: {reason}",
                amount_cents=item.amount_cents,
                arrangement=arrangement.pk,
                outcome="broken",
                installment=item.sequence,
                covered_cents=standing.covered_cents,
            )
            # the later steps of this run no longer protect the account (in a trial too: they list
            # what they would do once the arrangement is broken)
            if arrangement.account_id in ctx.protections:
                ctx.protections[arrangement.account_id].arrangement_id = None
            if not ctx.trial:
                _end(ctx, arrangement, ArrangementStatus.BROKEN, reason)
        elif standing.completed:
            ctx.act(
                arrangement.account_id,
                ActionStep.ARRANGEMENT,
                f"arrangement {arrangement.pk} completed: every installment paid",
                amount_cents=arrangement.delinquent_cents,
                arrangement=arrangement.pk,
                outcome="completed",
                covered_cents=standing.covered_cents,
            )
            if not ctx.trial:
                _end(ctx, arrangement, ArrangementStatus.COMPLETED, "every installment paid")


def _end(ctx: RunContext, arrangement: Arrangement, status: str, reason: str) -> None:
    Arrangement.objects.filter(pk=arrangement.pk, status=ArrangementStatus.ACTIVE).update(
        status=status, ended_on=ctx.run_date, end_reason=reason[:200]
    )
    _stage_after(
        arrangement.account_id,
        ctx.run_date,
        f"arrangement {arrangement.pk} {status}: {reason}",
        ctx.actor,
        ctx.at,
        ctx.run,
    )
    audit_record(
        actor=ctx.actor,
        action=f"arrangement.{'break' if status == ArrangementStatus.BROKEN else 'complete'}",
        target=arrangement,
        at=ctx.at,
        account_number=arrangement.account.number,
        summary=f"Payment arrangement {arrangement.pk} {status} on {ctx.run_date:%Y-%m-%d}: {reason}",
        changes={"status": [ArrangementStatus.ACTIVE, status], "ended_on": ctx.run_date.isoformat()},
    )
