"""Starting a billing run and its trial pass (drafts and exceptions; nothing is posted)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum

from civicbill.billing import facts as billing_facts
from civicbill.billing.models import Bill, BillException, BillKind, BillLine, BillRun
from civicbill.billing.periods import month_start
from civicbill.billing.services.cycles import cycle_due_date, cycle_get, cycle_period
from civicbill.billing.services.drafts import BillHeader, Resolutions
from civicbill.billing.services.missing_reads import estimate_for_trial_trusted
from civicbill.billing.services.trial_chunks import (
    TRIAL_WORKERS,
    Progress,
    TrialPlan,
    parallel_workers,
    run_trial_chunks_trusted,
    trial_chunks,
)
from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.permissions import require_permission


def lock_run(run_id: int) -> BillRun:
    """The one place billing takes a row lock on a run."""
    run = BillRun.objects.select_for_update().select_related("cycle").filter(pk=run_id).first()
    if run is None:
        raise NotFoundError(f"There is no billing run {run_id}", field="run")
    return run


@transaction.atomic
def bill_run_start(*, cycle_number: int, period: dt.date, actor: Actor, as_of: dt.date) -> BillRun:
    """Create the run for one cycle and billing month (status ``trial_running``). Refused when the
    cycle already has a live run for that month (a database constraint)."""
    require_permission(actor, "billing.run")
    cycle = cycle_get(cycle_number)
    month = month_start(period)
    billing = cycle_period(cycle, month)
    if billing.end > as_of:
        raise ApplicationError(
            f"Cycle {cycle_number} is read on {billing.end} for {month:%Y-%m}; it cannot be billed "
            f"before then (today is {as_of})",
            code="period_not_ended",
            field="period",
        )
    existing = (
        BillRun.objects.filter(cycle=cycle, period=month).exclude(status=BillRun.Status.CANCELLED).first()
    )
    if existing is not None:
        raise ApplicationError(
            f"Cycle {cycle_number} already has run {existing.pk} for {month:%Y-%m} ({existing.status})",
            code="run_exists",
            field="period",
        )
    now = clock.now()
    try:
        with transaction.atomic():
            run = BillRun.objects.create(
                cycle=cycle,
                period=month,
                period_start=billing.start,
                period_end=billing.end,
                bill_date=billing.bill_date,
                due_date=billing.due_date,
                status=BillRun.Status.TRIAL_RUNNING,
                started_by=acting_user(actor),
                started_at=now,
            )
    except IntegrityError:
        raise ApplicationError(
            f"Cycle {cycle_number} already has a run for {month:%Y-%m}", code="run_exists", field="period"
        ) from None
    audit_record(
        actor=actor,
        action="bill_run.start",
        target=run,
        at=now,
        summary=f"Billing run {run.pk} started: cycle {cycle_number}, {month:%Y-%m} "
        f"({billing.start} to {billing.end}, bill date {billing.bill_date})",
    )
    return run


def _delete_drafts(run: BillRun) -> dict[tuple[int, str], tuple[str, int | None, dt.datetime | None, str]]:
    """Remove the run's drafts and exceptions; return the decisions already taken on exceptions."""
    kept: dict[tuple[int, str], tuple[str, int | None, dt.datetime | None, str]] = {
        (account_id, code): (resolution, by, at, note)
        for account_id, code, resolution, by, at, note in BillException.objects.filter(run=run)
        .exclude(resolution=BillException.Resolution.OPEN)
        .values_list("account_id", "code", "resolution", "resolved_by_id", "resolved_at", "resolution_note")
    }
    drafts = Bill.objects.filter(run=run, status=Bill.Status.DRAFT)
    BillException.objects.filter(run=run)._raw_delete(BillException.objects.db)
    BillLine.objects.filter(bill__in=drafts.values("id"))._raw_delete(BillLine.objects.db)
    drafts._raw_delete(Bill.objects.db)
    return kept


def bill_run_trial(*, run_id: int, actor: Actor, as_of: dt.date, progress: Progress | None = None) -> BillRun:
    """Rate every account of the run's cycle and store the drafts and exceptions. Posts nothing.

    Chunks of accounts are written in their own transactions, in worker processes when there are
    many accounts (:mod:`.trial_chunks`). A trial that stopped half-way (the run still
    ``trial_running``) carries on: the accounts it drafted keep their drafts and the others are
    rated. A finished or failed trial run again replaces every draft, keeping the decisions taken
    on its exceptions. While no draft exists yet, the run's due date is worked out again with the
    office closures recorded by then (a closure recorded after the start moves it). Before rating,
    the missing-read policy estimates the reads still missing (:mod:`.missing_reads`)."""
    require_permission(actor, "billing.run")
    with transaction.atomic():
        run = lock_run(run_id)
        if run.status not in (BillRun.Status.TRIAL_RUNNING, BillRun.Status.TRIAL, BillRun.Status.FAILED):
            raise ApplicationError(
                f"Run {run.pk} is {run.get_status_display().lower()}; only a run not yet committing can "
                "be tried again",
                code="run_not_in_trial",
            )
        if run.status == BillRun.Status.TRIAL_RUNNING:
            resolutions: Resolutions = {}
            drafted = set(
                Bill.objects.filter(run=run, status=Bill.Status.DRAFT).values_list("account_id", flat=True)
            )
        else:
            resolutions = _delete_drafts(run)
            drafted = set()
        if not drafted:  # no draft carries the run's due date yet: take the office closures recorded since
            run.due_date = cycle_due_date(run.cycle, run.bill_date)
        BillRun.objects.filter(pk=run.pk).update(
            status=BillRun.Status.TRIAL_RUNNING, last_error="", due_date=run.due_date
        )
    cycle = run.cycle
    billing = cycle_period(cycle, run.period)
    estimate_for_trial_trusted(cycle_number=cycle.number, billing=billing, actor=actor, as_of=as_of)
    account_ids = billing_facts.cycle_account_ids(
        cycle_number=cycle.number, period_start=run.period_start, period_end=run.period_end
    )
    already = _already_billed(account_ids, run)
    account_ids = [account_id for account_id in account_ids if account_id not in already]
    to_rate = [account_id for account_id in account_ids if account_id not in drafted]
    plan = TrialPlan(
        run_id=run.pk,
        cycle_number=cycle.number,
        period=run.period,
        period_start=run.period_start,
        period_end=run.period_end,
        reads_after=billing.reads_after,
        reads_through=billing.reads_through,
        standard_days=billing.days,
        schedule_codes=tuple(_schedule_codes(cycle.number, run.period_start, run.period_end)),
        header=BillHeader(
            run_id=run.pk,
            kind=BillKind.REGULAR,
            status=Bill.Status.DRAFT,
            period=run.period,
            bill_date=run.bill_date,
            due_date=run.due_date,
            created_at=clock.now(),
        ),
        resolutions=resolutions,
    )
    workers = parallel_workers(TRIAL_WORKERS)
    run_trial_chunks_trusted(
        plan, trial_chunks(to_rate, workers), workers=workers, progress=progress, total=len(to_rate)
    )
    with transaction.atomic():
        run = lock_run(run_id)
        totals = bill_run_totals(run)
        run.status = BillRun.Status.TRIAL
        run.trial_finished_at = clock.now()
        run.accounts_count = len(account_ids)
        run.bills_count = totals["drafts"]
        run.skipped_count = totals["blocked"]
        run.total_billed_cents = totals["draft_cents"]
        run.save(
            update_fields=[
                "status", "trial_finished_at", "accounts_count", "bills_count", "skipped_count",
                "total_billed_cents",
            ]
        )  # fmt: skip
        audit_record(
            actor=actor,
            action="bill_run.trial",
            target=run,
            at=run.trial_finished_at,
            summary=f"Trial of run {run.pk}: {totals['drafts']} drafts, "
            f"{totals['blocked']} held by a blocking exception, {totals['exceptions']} exceptions",
            changes={
                "drafts": totals["drafts"],
                "blocked": totals["blocked"],
                "cents": totals["draft_cents"],
            },
        )
    return run


def blocking_open() -> Q:
    """Exceptions that keep a bill out of the commit: blocking and not released."""
    return Q(blocking=True) & ~Q(resolution=BillException.Resolution.RELEASED)


def bill_run_totals(run: BillRun) -> dict[str, int]:
    """Counts and cents of the run's drafts and issued bills (integer sums only)."""
    blocked_ids = BillException.objects.filter(blocking_open(), run=run, bill__isnull=False).values("bill_id")
    drafts = Bill.objects.filter(run=run, status=Bill.Status.DRAFT)
    issued = Bill.objects.filter(run=run, status__in=(Bill.Status.ISSUED, Bill.Status.CANCELLED))
    draft_sums = drafts.aggregate(count=Count("id"), cents=Sum("current_charges_cents"))
    issued_sums = issued.aggregate(count=Count("id"), cents=Sum("current_charges_cents"))
    return {
        "drafts": draft_sums["count"] or 0,
        "draft_cents": int(draft_sums["cents"] or 0),
        "blocked": drafts.filter(id__in=blocked_ids).count(),
        "issued": issued_sums["count"] or 0,
        "issued_cents": int(issued_sums["cents"] or 0),
        "exceptions": BillException.objects.filter(run=run).count(),
    }


def _already_billed(account_ids: list[int], run: BillRun) -> set[int]:
    """Accounts final-billed, or with a regular bill for this month outside this run."""
    cycle_bills = Bill.objects.filter(account__premise__billing_cycle=run.cycle.number).exclude(
        status=Bill.Status.CANCELLED
    )
    done = set(cycle_bills.filter(kind=BillKind.FINAL).values_list("account_id", flat=True))
    done.update(
        cycle_bills.filter(period=run.period, kind=BillKind.REGULAR)
        .exclude(run=run)
        .values_list("account_id", flat=True)
    )
    return done


def _schedule_codes(cycle_number: int, start: dt.date, end: dt.date) -> list[str]:
    from civicbill.customers.models import ServiceAgreement

    return list(
        ServiceAgreement.objects.filter(account__premise__billing_cycle=cycle_number, start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .values_list("rate_schedule_code", flat=True)
        .distinct()
        .order_by("rate_schedule_code")
    )
