"""Step "penalties" of the daily collections run: late penalties and monthly interest, posted.

The rules are pure (collections/penalties.py); this step gathers what they need for one chunk of
accounts (what was already assessed, the last low-income waiver), asks them, and in a posted run
writes, in the run's chunk transaction:

- one balanced journal entry per account (source type ``penalty``): Dr the receivable of each service
  (naming the account and service), Cr that service's fund penalty revenue account
  (``policy.penalty_accounts``), so the penalty is an open item of kind "penalty" which payments
  settle before charges;
- one :class:`~civicbill.collections.models.PenaltyAssessment` per bill, kind and month, whose unique
  constraint makes a rerun (or a second run at the same moment) post nothing new;
- one action per charge, waiver or skip, naming the rule.

The accounts charged are locked first (``select_for_update``, in account order) and what was already
assessed is read after the lock, so two runs at once cannot both charge a bill: the second waits and
then finds it assessed. A trial run writes nothing but its actions.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Max

from civicbill.collections.models import ActionStep, PenaltyAssessment
from civicbill.collections.penalties import (
    INTEREST,
    PENALTY,
    AccountAssessment,
    Charge,
    Key,
    assess_account,
    protection_reason,
)
from civicbill.collections.run_context import RunContext
from civicbill.core.actors import acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money, format_cents
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger import selectors as ledger_selectors
from civicbill.ledger.journal_insert import insert_entries
from civicbill.ledger.models import SourceType
from civicbill.ledger.posting import EntrySpec, PostingLine
from civicbill.ledger.service_posting import validated_entries
from civicbill.ledger.services import refuse_closed_periods

PENALTY_REASON = "late_penalty"
WAIVER_RULE = "interest waived: low-income household, once in 12 months (Health & Safety Code §116914)"


def lock_accounts(account_ids: Iterable[int]) -> None:
    """The collections run's one row lock: the accounts it is about to charge, in id order."""
    ids = sorted(set(account_ids))
    if ids:
        list(
            Account.objects.select_for_update().filter(id__in=ids).order_by("id").values_list("id", flat=True)
        )


def _assessed(account_ids: list[int], bill_ids: set[int]) -> tuple[frozenset[Key], dict[int, dt.date]]:
    """Keys already charged or waived for these bills, and each account's last interest waiver."""
    keys = frozenset(
        (bill_id, kind, sequence)
        for bill_id, kind, sequence in PenaltyAssessment.objects.filter(bill_id__in=bill_ids).values_list(
            "bill_id", "kind", "sequence"
        )
    )
    waivers = dict(
        PenaltyAssessment.objects.filter(account_id__in=account_ids, waived_cents__gt=0)
        .values("account_id")
        .annotate(last=Max("assessed_on"))
        .values_list("account_id", "last")
    )
    return keys, waivers


def _assess(ctx: RunContext, account_ids: list[int]) -> list[AccountAssessment]:
    bill_ids = {item.bill_id for i in account_ids for item in ctx.owing[i].items if item.bill_id is not None}
    assessed, waivers = _assessed(account_ids, bill_ids)
    results = []
    for account_id in account_ids:
        protections = ctx.protections[account_id]
        reason = protection_reason(
            in_arrangement=protections.in_arrangement,
            appeal_pending=protections.appeal_pending,
            moratorium=protections.moratorium.reason if protections.moratorium is not None else None,
        )
        results.append(
            assess_account(
                ctx.owing[account_id],
                policy=ctx.policy,
                run_date=ctx.run_date,
                assessed=assessed,
                protected_because=reason,
                low_income=protections.low_income,
                last_waiver_on=waivers.get(account_id),
            )
        )
    return [result for result in results if result.charges or result.waived or result.skipped]


def _candidates(ctx: RunContext) -> list[int]:
    """Accounts with a bill past due + grace (the others cannot owe a penalty today)."""
    grace = ctx.policy.grace_days
    return sorted(
        account_id
        for account_id, owed in ctx.owing.items()
        if any(item.bill_id is not None for item in owed.past_due_items(ctx.run_date, grace_days=grace))
    )


def _step_of(charge: Charge) -> str:
    return ActionStep.PENALTY if charge.kind == PENALTY else ActionStep.INTEREST


def _detail(charge: Charge) -> dict[str, object]:
    return {
        "bill": charge.bill_number,
        "kind": charge.kind,
        "sequence": charge.sequence,
        "basis_cents": charge.basis_cents,
        "split": charge.split(),
        "charged_from": charge.charged_from.isoformat(),
    }


def _entry_spec(ctx: RunContext, result: AccountAssessment) -> EntrySpec:
    lines: list[PostingLine] = []
    for service, cents in sorted(result.amounts_by_service().items()):
        revenue = ctx.policy.penalty_accounts.get(service)
        if revenue is None:
            raise ApplicationError(
                f"The collections policy names no penalty revenue account for {service}",
                code="no_penalty_account",
                field="penalty_accounts",
            )
        amount = Money.from_cents(cents)
        lines.append(
            PostingLine.debit(
                chart.receivable_control_for(service).code,
                amount,
                customer_account_id=result.account_id,
                service=service,
            )
        )
        lines.append(PostingLine.credit(revenue, amount))
    bills = sorted({charge.bill_number for charge in result.charges})
    return EntrySpec(
        tuple(lines),
        ctx.run_date,
        SourceType.PENALTY,
        f"collections-run-{ctx.run.pk}",
        f"collections-penalty:{ctx.run.pk}:{result.account_id}",
        PENALTY_REASON,
        f"Late penalty and interest on bills {', '.join(bills)}"[:500],
    )


def penalties_step(ctx: RunContext) -> None:
    """Assess (trial: list) the penalties and interest of the chunk's accounts on the run date."""
    candidates = _candidates(ctx)
    if not candidates:
        return
    if not ctx.trial:
        # only the accounts that may be charged are locked; what was assessed is read after the lock
        lock_accounts(candidates)
    results = _assess(ctx, candidates)
    charged = [result for result in results if result.charges]
    entry_of: dict[int, uuid.UUID] = {}
    if charged and not ctx.trial:
        refuse_closed_periods(
            [ctx.run_date], advice="the collections run cannot post penalties into it", field=None
        )
        batch = validated_entries([_entry_spec(ctx, result) for result in charged])
        insert_entries(
            batch,
            posted_by_id=acting_user(ctx.actor).pk,
            posted_at=ctx.at,
            gl_ids=ledger_selectors.gl_account_ids(),
        )
        entry_of = {result.account_id: new.entry_id for result, new in zip(charged, batch, strict=True)}
    rows: list[PenaltyAssessment] = []
    for result in results:
        entry_id = entry_of.get(result.account_id)
        for charge in result.charges:
            ctx.act(result.account_id, _step_of(charge), charge.rule, amount_cents=charge.amount_cents,
                    **_detail(charge), entry=str(entry_id) if entry_id else None)  # fmt: skip
            rows.append(_row(ctx, result.account_id, charge, entry_id=entry_id, waived=False))
        for charge in result.waived:
            ctx.act(result.account_id, ActionStep.INTEREST, f"{WAIVER_RULE}: {charge.rule}"[:300],
                    amount_cents=0, waived_cents=charge.amount_cents, **_detail(charge))  # fmt: skip
            rows.append(_row(ctx, result.account_id, charge, entry_id=None, waived=True))
        for charge in result.skipped:
            ctx.act(result.account_id, ActionStep.SKIPPED,
                    f"no {charge.kind} charged ({result.skipped_because}): {charge.rule}"[:300],
                    amount_cents=charge.amount_cents, protected_because=result.skipped_because,
                    **_detail(charge))  # fmt: skip
    if ctx.trial or not rows:
        return
    PenaltyAssessment.objects.bulk_create(rows)
    total = sum(result.amount_cents for result in charged)
    by_kind: dict[str, int] = defaultdict(int)
    for row in rows:
        by_kind[row.kind] += row.amount_cents
    audit_record(
        actor=ctx.actor,
        action="collections_run.penalties",
        target=ctx.run,
        at=ctx.at,
        summary=f"Run {ctx.run.pk} ({ctx.run_date:%Y-%m-%d}): penalties and interest on {len(charged)} "
        f"accounts, {format_cents(total)}",
        changes={
            "accounts": len(charged),
            "cents": total,
            "penalty_cents": by_kind[PENALTY],
            "interest_cents": by_kind[INTEREST],
            "waived": sum(len(result.waived) for result in results),
        },
    )


def _row(
    ctx: RunContext, account_id: int, charge: Charge, *, entry_id: uuid.UUID | None, waived: bool
) -> PenaltyAssessment:
    return PenaltyAssessment(
        account_id=account_id,
        bill_id=charge.bill_id,
        kind=charge.kind,
        sequence=charge.sequence,
        basis_cents=charge.basis_cents,
        amount_cents=0 if waived else charge.amount_cents,
        waived_cents=charge.amount_cents if waived else 0,
        split=charge.split(),
        charged_from=charge.charged_from,
        assessed_on=ctx.run_date,
        rule=charge.rule[:300],
        journal_entry_id=None if waived else entry_id,
        run=ctx.run,
    )
