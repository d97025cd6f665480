"""Closed accounts with an unpaid final bill: balance transfers, write-off batches and recoveries.

Every money move is one balanced journal entry (docs/collections.md "Write-offs" shows them):

- **balance transfer** (``collections.writeoff``): each service's receivable balance of a closed
  account moved to the same customer's active account — credit the closed account, debit the active
  one, service by service (same service, same fund: every fund balances by itself). The moved amount is
  due at once on the active account (an item no bill made is due on its accounting date).
- **write-off** (proposed with ``collections.writeoff``, approved and posted by another person with
  ``collections.writeoff_approve``): per account one entry (``SourceType.WRITE_OFF``) crediting the
  receivable by service and debiting the fund's allowance for uncollectible accounts (5x0-1290) — or,
  by the policy's ``writeoff_method = "direct"``, its uncollectible accounts expense (5x0-6900).
- **recovery**: money received later on a written-off account leaves it in credit; the recovery entry
  reinstates the receivable written off (debit the services in credit) against the allowance (or the
  expense) of the funds that wrote it off, squaring funds through due to / due from other funds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from civicbill.collections import writeoff_selectors as selectors
from civicbill.collections.models import (
    BalanceTransfer,
    CollectionStage,
    WriteOff,
    WriteOffBatch,
    WriteOffRecovery,
)
from civicbill.collections.policy import WRITEOFF_METHODS
from civicbill.collections.selectors import policy_on
from civicbill.collections.stages import stage_record_trusted
from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.money import Money, format_cents
from civicbill.core.permissions import require_permission
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger.models import SourceType
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.service_posting import entry_post_trusted
from civicbill.payments import locks
from civicbill.payments.allocation import DEFAULT_POLICY as ALLOCATION

TRANSFER_REASON = "balance_transfer"
WRITEOFF_REASON = "write_off"
RECOVERY_REASON = "write_off_recovery"
MAX_NOTE_LENGTH = 200
CLOSED_PERIOD_ADVICE = "write-offs, transfers and recoveries cannot be posted into it"


def _money(cents: int) -> Money:
    return Money.from_cents(cents)


def _text(value: str, field: str, *, required: bool, what: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(what, code="missing_" + field, field=field)
    if len(value) > MAX_NOTE_LENGTH:
        raise ApplicationError(
            f"The {field} is {len(value)} characters long; at most {MAX_NOTE_LENGTH}",
            code="too_long",
            field=field,
        )
    return value


def _amounts_text(amounts: dict[str, int]) -> str:
    return ", ".join(f"{service} {format_cents(cents)}" for service, cents in sorted(amounts.items()))


# -- balance transfer -----------------------------------------------------------------------------------
def transfer_lines(amounts: dict[str, int], *, from_account_id: int, to_account_id: int) -> list[PostingLine]:
    """Each service's balance credited on one account and debited on the other (a credit balance the
    other way round)."""
    lines = []
    for service, cents in sorted(amounts.items()):
        code = chart.receivable_control_for(service).code
        amount = _money(abs(cents))
        if cents > 0:
            lines += [
                PostingLine.debit(code, amount, customer_account_id=to_account_id, service=service),
                PostingLine.credit(code, amount, customer_account_id=from_account_id, service=service),
            ]
        elif cents < 0:
            lines += [
                PostingLine.debit(code, amount, customer_account_id=from_account_id, service=service),
                PostingLine.credit(code, amount, customer_account_id=to_account_id, service=service),
            ]
    return lines


@transaction.atomic
def balance_transfer(
    *, from_account: Account, to_account_number: str, reason: str, as_of: dt.datetime, actor: Actor
) -> BalanceTransfer:
    """Move the whole balance of a closed account (final or closed, balance above zero) to the same
    customer's active account ``to_account_number``, dated the business day of ``as_of``."""
    require_permission(actor, "collections.writeoff")
    reason = _text(reason, "reason", required=True, what="Say why the balance is transferred")
    to_found = Account.objects.filter(number=(to_account_number or "").strip()).first()
    if to_found is None:
        raise NotFoundError(f"There is no account {to_account_number.strip()!r}", field="to_account")
    by_id = {account.pk: account for account in locks.lock_accounts([from_account.pk, to_found.pk])}
    source, target = by_id[from_account.pk], by_id[to_found.pk]
    if source.pk == target.pk:
        raise ApplicationError(
            "The balance cannot be transferred to the same account", code="same_account", field="to_account"
        )
    if source.status not in selectors.CLOSED_STATUSES:
        raise ApplicationError(
            f"Account {source.number} is {source.status}; only a closed account's balance is transferred",
            code="not_closed",
        )
    if target.status != Account.Status.ACTIVE:
        raise ApplicationError(
            f"Account {target.number} is {target.status}; the balance goes to an active account",
            code="not_active",
            field="to_account",
        )
    if target.customer_id != source.customer_id:
        raise ApplicationError(
            f"Account {target.number} belongs to another customer; a balance moves only between one "
            "customer's accounts",
            code="other_customer",
            field="to_account",
        )
    business_date = clock.business_date(as_of)
    amounts = selectors.balances_by_service([source.pk])[source.pk]
    total = sum(amounts.values())
    if total <= 0:
        raise ApplicationError(
            f"Account {source.number} owes nothing ({format_cents(total)}); there is no balance to transfer",
            code="nothing_owed",
        )
    if source.pk in selectors.proposed_batch_of([source.pk]):
        raise ApplicationError(
            f"Account {source.number} is in a write-off batch waiting for approval; reject the batch first",
            code="in_writeoff_batch",
        )
    entry = entry_post_trusted(
        lines=transfer_lines(amounts, from_account_id=source.pk, to_account_id=target.pk),
        accounting_date=business_date,
        source_type=SourceType.ADJUSTMENT,
        source_ref=f"{source.number}>{target.number}",
        idempotency_key=f"balance-transfer:{source.number}:{as_of.isoformat()}",
        reason=TRANSFER_REASON,
        memo=f"Balance of closed account {source.number} transferred to account {target.number}: {reason}"[
            :500
        ],
        posted_by=actor,
        closed_period_advice=CLOSED_PERIOD_ADVICE,
    )
    transfer = BalanceTransfer.objects.create(
        from_account=source,
        to_account=target,
        amounts=amounts,
        total_cents=total,
        reason=reason,
        business_date=business_date,
        entry=entry,
        transferred_by=acting_user(actor),
        transferred_at=as_of,
    )
    stage_record_trusted(
        account_id=source.pk,
        stage=CollectionStage.CURRENT,
        on=business_date,
        rule=f"Balance {format_cents(total)} transferred to account {target.number}",
        actor=actor,
        at=as_of,
        detail={"balance_transfer_id": transfer.pk},
    )
    changes = {"amounts_cents": amounts, "total": format_cents(total), "from_account": source.number,
               "to_account": target.number, "reason": reason}  # fmt: skip
    for account, summary in (
        (source, f"Balance {format_cents(total)} transferred to account {target.number}: {reason}"),
        (target, f"Balance {format_cents(total)} received from closed account {source.number}: {reason}"),
    ):
        audit_record(actor=actor, action="collections.balance_transfer", target=transfer, at=as_of,
                     account_number=account.number, summary=summary[:300], changes=changes)  # fmt: skip
    return transfer


# -- write-off batches ------------------------------------------------------------------------------------
def writeoff_lines(amounts: dict[str, int], *, account_id: int, method: str) -> list[PostingLine]:
    """Credit each service's receivable its balance (debit a credit balance) against the fund's
    allowance (``allowance``) or uncollectible accounts expense (``direct``), netted per GL account."""
    if method not in WRITEOFF_METHODS:
        raise ApplicationError(f"Unknown write-off method {method!r}", code="bad_method")
    target_for = chart.allowance_for if method == "allowance" else chart.write_off_expense_for
    lines = []
    targets: dict[str, int] = defaultdict(int)
    for service, cents in sorted(amounts.items()):
        code = chart.receivable_control_for(service).code
        if cents > 0:
            lines.append(
                PostingLine.credit(code, _money(cents), customer_account_id=account_id, service=service)
            )
        elif cents < 0:
            lines.append(
                PostingLine.debit(code, _money(-cents), customer_account_id=account_id, service=service)
            )
        targets[target_for(service).code] += cents
    for code, cents in sorted(targets.items()):
        if cents > 0:
            lines.append(PostingLine.debit(code, _money(cents)))
        elif cents < 0:
            lines.append(PostingLine.credit(code, _money(-cents)))
    return lines


@transaction.atomic
def writeoff_propose(
    *,
    as_of: dt.date,
    actor: Actor,
    at: dt.datetime,
    note: str = "",
    account_numbers: Iterable[str] | None = None,
) -> WriteOffBatch:
    """A batch of every closed account whose unpaid final bill is ``policy.writeoff_after_days`` or more
    past due on ``as_of`` (or of ``account_numbers`` among them), waiting for a supervisor's approval.
    Refused when no account qualifies, naming why a named account does not."""
    require_permission(actor, "collections.writeoff")
    note = _text(note, "note", required=False, what="")
    policy = policy_on(as_of)
    ids = None
    if account_numbers is not None:
        wanted = sorted({number.strip() for number in account_numbers if number.strip()})
        found = dict(Account.objects.filter(number__in=wanted).values_list("number", "pk"))
        missing = [number for number in wanted if number not in found]
        if missing:
            raise NotFoundError(f"There is no account {', '.join(missing)}", field="accounts")
        ids = list(found.values())
    rows = selectors.closed_unpaid(as_of, account_ids=ids)
    if ids is not None:
        listed = {row.account_id for row in rows}
        not_owing = sorted(number for number, pk in found.items() if pk not in listed)
        if not_owing:
            raise ApplicationError(
                f"Account {', '.join(not_owing)} is not a closed account that owes money",
                code="not_closed_unpaid",
                field="accounts",
            )
        blocked = [f"{row.number}: {'; '.join(row.blocked)}" for row in rows if row.blocked]
        if blocked:
            raise ApplicationError(
                "Not ready to write off — " + " | ".join(blocked), code="not_eligible", field="accounts"
            )
    eligible = [row for row in rows if row.may_write_off]
    if not eligible:
        raise ApplicationError(
            f"No closed account's unpaid final bill is {policy.writeoff_after_days} days past due on "
            f"{as_of:%Y-%m-%d}; there is nothing to write off",
            code="nothing_to_write_off",
        )
    locks.lock_accounts([row.account_id for row in eligible])
    if selectors.proposed_batch_of(row.account_id for row in eligible):  # proposed meanwhile
        raise ApplicationError(
            "Another write-off batch took some of these accounts; try again", code="conflict"
        )
    batch = WriteOffBatch.objects.create(
        as_of=as_of,
        writeoff_after_days=policy.writeoff_after_days,
        method=policy.writeoff_method,
        note=note,
        proposed_by=acting_user(actor),
        proposed_at=at,
    )
    WriteOff.objects.bulk_create(
        [
            WriteOff(
                batch=batch,
                account_id=row.account_id,
                amounts=row.amounts,
                total_cents=row.balance_cents,
                final_bill_number=row.final_bill_number,
                aged_from=row.aged_from,
            )
            for row in eligible
        ]
    )
    total = sum(row.balance_cents for row in eligible)
    audit_record(
        actor=actor,
        action="collections.writeoff_propose",
        target=batch,
        at=at,
        summary=f"Write-off batch {batch.pk} proposed: {len(eligible)} accounts, {format_cents(total)}",
        changes={
            "accounts": [row.number for row in eligible],
            "total_cents": total,
            "as_of": as_of.isoformat(),
        },
    )
    return batch


def _locked_proposed_batch(batch_id: int) -> WriteOffBatch:
    batch = WriteOffBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise NotFoundError(f"There is no write-off batch {batch_id}", field="batch")
    if batch.status != WriteOffBatch.Status.PROPOSED:
        raise ApplicationError(
            f"Write-off batch {batch.pk} is already {batch.get_status_display().lower()}",
            code="already_decided",
        )
    return batch


@transaction.atomic
def writeoff_approve(*, batch_id: int, actor: Actor, at: dt.datetime, note: str = "") -> WriteOffBatch:
    """Approve a proposed batch and post it, dated the business day of ``at``: one write-off entry per
    account whose balance is still what was proposed; an account whose balance changed since (a
    payment, a correction) is left out, saying so. The proposer may not approve their own batch."""
    require_permission(actor, "collections.writeoff_approve")
    note = _text(note, "note", required=False, what="")
    batch = _locked_proposed_batch(batch_id)
    if batch.proposed_by_id == acting_user(actor).pk:
        raise ApplicationError(
            f"You proposed write-off batch {batch.pk}; another supervisor must approve it", code="same_person"
        )
    posted_on = clock.business_date(at)
    writeoffs = list(batch.writeoffs.select_related("account").order_by("account__number"))
    locks.lock_accounts([writeoff.account_id for writeoff in writeoffs])
    balances = selectors.balances_by_service([writeoff.account_id for writeoff in writeoffs])
    posted = 0
    for writeoff in writeoffs:
        account = writeoff.account
        proposed = {service: int(cents) for service, cents in writeoff.amounts.items()}
        now_owed = balances[writeoff.account_id]
        if now_owed != proposed:
            writeoff.status = WriteOff.Status.DROPPED
            writeoff.dropped_reason = (
                f"The balance changed since the proposal: {format_cents(writeoff.total_cents)} then, "
                f"{format_cents(sum(now_owed.values()))} now"
            )[:200]
            writeoff.save(update_fields=["status", "dropped_reason"])
            continue
        writeoff.entry = entry_post_trusted(
            lines=writeoff_lines(proposed, account_id=account.pk, method=batch.method),
            accounting_date=posted_on,
            source_type=SourceType.WRITE_OFF,
            source_ref=f"batch {batch.pk}",
            idempotency_key=f"write-off:{batch.pk}:{account.number}",
            reason=WRITEOFF_REASON,
            memo=f"Write-off batch {batch.pk}: unpaid final bill of closed account {account.number}",
            posted_by=actor,
            closed_period_advice=CLOSED_PERIOD_ADVICE,
        )
        writeoff.status = WriteOff.Status.POSTED
        writeoff.save(update_fields=["status", "entry"])
        posted += writeoff.total_cents
        stage_record_trusted(
            account_id=account.pk,
            stage=CollectionStage.WRITTEN_OFF,
            on=posted_on,
            rule=f"Written off in batch {batch.pk}: final bill due {writeoff.aged_from:%Y-%m-%d}, unpaid "
            f"{batch.writeoff_after_days} days or more",
            actor=actor,
            at=at,
            detail={"writeoff_batch_id": batch.pk, "amounts_cents": proposed},
        )
        audit_record(
            actor=actor, action="collections.writeoff", target=writeoff, at=at, account_number=account.number,
            summary=f"Written off {format_cents(writeoff.total_cents)} ({_amounts_text(proposed)}) in batch "
            f"{batch.pk}",
            changes={"amounts_cents": proposed, "batch": batch.pk, "method": batch.method},
        )  # fmt: skip
    batch.status = WriteOffBatch.Status.POSTED
    batch.decided_by = acting_user(actor)
    batch.decided_at = at
    batch.posted_on = posted_on
    batch.decision_note = note
    batch.save(update_fields=["status", "decided_by", "decided_at", "posted_on", "decision_note"])
    audit_record(
        actor=actor,
        action="collections.writeoff_approve",
        target=batch,
        at=at,
        summary=f"Write-off batch {batch.pk} approved and posted {posted_on:%Y-%m-%d}: "
        f"{format_cents(posted)}",
        changes={"posted_cents": posted, "note": note},
    )
    return batch


@transaction.atomic
def writeoff_reject(*, batch_id: int, actor: Actor, at: dt.datetime, note: str) -> WriteOffBatch:
    """Reject a proposed batch (nothing is posted; its accounts may be proposed again)."""
    require_permission(actor, "collections.writeoff_approve")
    note = _text(note, "note", required=True, what="Say why the batch is rejected")
    batch = _locked_proposed_batch(batch_id)
    batch.status = WriteOffBatch.Status.REJECTED
    batch.decided_by = acting_user(actor)
    batch.decided_at = at
    batch.decision_note = note
    batch.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    batch.writeoffs.update(status=WriteOff.Status.DROPPED, dropped_reason="The batch was rejected")
    audit_record(actor=actor, action="collections.writeoff_reject", target=batch, at=at,
                 summary=f"Write-off batch {batch.pk} rejected: {note}", changes={"note": note})  # fmt: skip
    return batch


# -- recoveries -----------------------------------------------------------------------------------------
def _take(available: dict[str, int], amount: int) -> dict[str, int]:
    """Up to ``amount`` cents taken from ``available`` (service -> cents), services in the order
    payments apply (water, sewer, refuse, fire line)."""
    taken: dict[str, int] = {}
    order = sorted(available.items(), key=lambda item: (ALLOCATION.service_rank(item[0]), item[0]))
    for service, cents in order:
        if amount <= 0:
            break
        part = min(cents, amount)
        if part > 0:
            taken[service] = part
            amount -= part
    return taken


def recovery_lines(
    *, account_id: int, credits: dict[str, int], recovered: dict[str, int], method: str
) -> list[PostingLine]:
    """Debit the receivable of each service in credit (``credits``: service -> cents) and credit the
    allowance (or expense) of the fund of each service written off (``recovered``); each fund squared
    through due to / due from other funds. Both sides add up to the same amount."""
    target_for = chart.allowance_for if method == "allowance" else chart.write_off_expense_for
    lines = []
    imbalance: dict[str, int] = defaultdict(int)  # fund -> debits - credits
    for service, cents in sorted(credits.items()):
        receivable = chart.receivable_control_for(service)
        lines.append(
            PostingLine.debit(receivable.code, _money(cents), customer_account_id=account_id, service=service)
        )
        imbalance[receivable.fund] += cents
    targets: dict[str, int] = defaultdict(int)
    for service, cents in sorted(recovered.items()):
        targets[target_for(service).code] += cents
    for target, cents in sorted(targets.items()):
        lines.append(PostingLine.credit(target, _money(cents)))
        imbalance[chart.gl_account(target).fund] -= cents
    for fund, cents in sorted(imbalance.items()):
        if cents > 0:  # this fund holds money that now recovers another fund's write-off
            lines.append(PostingLine.credit(chart.due_to_other_funds(fund).code, _money(cents)))
        elif cents < 0:
            lines.append(PostingLine.debit(chart.due_from_other_funds(fund).code, _money(-cents)))
    return lines


@transaction.atomic
def writeoff_recovery_record_trusted(
    *, account_id: int, on: dt.date, actor: Actor, at: dt.datetime
) -> WriteOffRecovery | None:
    """If the written-off account ``account_id`` is in credit (money came in after its write-off),
    record the recovery: the lesser of the credit and what is still unrecovered, dated ``on``.
    None when there is nothing to recover. The caller checked its own permission (the payment path,
    the daily run) and holds a transaction."""
    locks.lock_accounts([account_id])
    unrecovered = selectors.unrecovered_by_service(account_id)
    balances = selectors.balances_by_service([account_id])[account_id]
    credit = -sum(balances.values())
    if credit <= 0 or not unrecovered:
        return None
    amount = min(credit, sum(unrecovered.values()))
    credits = _take({service: -cents for service, cents in balances.items() if cents < 0}, amount)
    if sum(credits.values()) < amount:  # a debit on another service nets the credit down
        amount = sum(credits.values())
    recovered = _take(unrecovered, amount)
    latest = (
        WriteOff.objects.filter(account_id=account_id, status=WriteOff.Status.POSTED)
        .select_related("batch")
        .order_by("-batch__posted_on", "-id")
        .first()
    )
    method = latest.batch.method if latest is not None else policy_on(on).writeoff_method
    account = Account.objects.get(pk=account_id)
    count = WriteOffRecovery.objects.filter(account_id=account_id).count()
    entry = entry_post_trusted(
        lines=recovery_lines(account_id=account_id, credits=credits, recovered=recovered, method=method),
        accounting_date=on,
        source_type=SourceType.WRITE_OFF,
        source_ref=account.number,
        idempotency_key=f"write-off-recovery:{account.number}:{count + 1}",
        reason=RECOVERY_REASON,
        memo=f"Recovery on written-off account {account.number}: money received after the write-off",
        posted_by=actor,
        closed_period_advice=CLOSED_PERIOD_ADVICE,
    )
    recovery = WriteOffRecovery.objects.create(
        account_id=account_id,
        amount_cents=amount,
        amounts=recovered,
        business_date=on,
        entry=entry,
        recorded_by=acting_user(actor),
        recorded_at=at,
    )
    audit_record(
        actor=actor, action="collections.writeoff_recovery", target=recovery, at=at,
        account_number=account.number,
        summary=f"Recovery of {format_cents(amount)} written off ({_amounts_text(recovered)})",
        changes={"amounts_cents": recovered, "amount_cents": amount},
    )  # fmt: skip
    return recovery


@transaction.atomic
def writeoff_recoveries_run(*, on: dt.date, actor: Actor, at: dt.datetime) -> list[WriteOffRecovery]:
    """The daily step: every written-off account in credit on ``on`` gets its recovery recorded."""
    require_permission(actor, "collections.run")
    found = []
    for account_id in selectors.written_off_in_credit(on):
        recovery = writeoff_recovery_record_trusted(account_id=account_id, on=on, actor=actor, at=at)
        if recovery is not None:
            found.append(recovery)
    return found


@transaction.atomic
def closed_unpaid_record(*, on: dt.date, actor: Actor, at: dt.datetime) -> list[str]:
    """Record the stage *closed — final bill unpaid* for every closed account owing on ``on`` that is
    not yet in it (nor written off). Returns their account numbers."""
    require_permission(actor, "collections.run")
    moved = []
    for row in selectors.closed_unpaid(on):
        if row.stage in (CollectionStage.CLOSED_UNPAID, CollectionStage.WRITTEN_OFF):
            continue
        stage_record_trusted(
            account_id=row.account_id,
            stage=CollectionStage.CLOSED_UNPAID,
            on=on,
            rule=f"Account {row.status}; balance {format_cents(row.balance_cents)} unpaid after the final "
            "bill",
            actor=actor,
            at=at,
        )
        moved.append(row.number)
    return moved
