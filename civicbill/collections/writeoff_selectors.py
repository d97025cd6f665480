"""Reads for closed accounts with an unpaid final bill, write-off batches and recoveries.

An account is *closed* for collections once its customer moved out (status final or closed). It is
*closed — final bill unpaid* while its receivable balance is above zero. Its age is counted from the
due date of its final bill (the latest issued final bill); an account closed without one (a converted
balance, say) counts from the latest due date of what it still owes, else from its closing date.
It may be written off once that date is ``policy.writeoff_after_days`` days or more in the past.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Sum

from civicbill.billing.models import Bill, BillKind
from civicbill.collections.delinquency_selectors import delinquency_facts
from civicbill.collections.models import (
    CollectionStage,
    WriteOff,
    WriteOffBatch,
    WriteOffRecovery,
)
from civicbill.collections.protections import protections_on
from civicbill.collections.selectors import policy_on
from civicbill.collections.stages import current_stages
from civicbill.core.chunks import slices
from civicbill.customers.models import Account
from civicbill.ledger.models import JournalLine

CHUNK = 900
CLOSED_STATUSES = (Account.Status.FINAL, Account.Status.CLOSED)


@dataclass(frozen=True, slots=True)
class ClosedUnpaid:
    """A closed account that still owes, with what a write-off or a transfer needs to know."""

    account_id: int
    number: str
    customer_id: int
    customer_name: str
    status: str
    closed_on: dt.date | None
    balance_cents: int
    amounts: dict[str, int]  # service -> balance in cents (a credit is negative)
    final_bill_number: str
    aged_from: dt.date  # the unpaid final bill's due date (see the module's docstring)
    writeoff_on: dt.date  # the first day it may be written off
    stage: str
    active_accounts: tuple[str, ...]  # the same customer's active accounts (balance transfer targets)
    in_batch_id: int | None  # a proposed write-off batch that holds it
    appeal_pending: bool
    blocked: tuple[str, ...] = field(default=())  # why it may not be written off on the day asked

    def days_since_due(self, as_of: dt.date) -> int:
        return max((as_of - self.aged_from).days, 0)

    @property
    def may_write_off(self) -> bool:
        return not self.blocked


def balances_by_service(
    account_ids: Iterable[int], *, as_of: dt.date | None = None
) -> dict[int, dict[str, int]]:
    """account id -> service -> receivable balance in cents (on ``as_of`` by accounting date, else
    everything posted); services that net to zero are left out. One grouped query per chunk."""
    ids = sorted({int(account_id) for account_id in account_ids})
    result: dict[int, dict[str, int]] = {account_id: {} for account_id in ids}
    for chunk in slices(ids, CHUNK):
        lines = JournalLine.objects.filter(customer_account_id__in=chunk)
        if as_of is not None:
            lines = lines.filter(entry__accounting_date__lte=as_of)
        rows = (
            lines.values("customer_account_id", "service")
            .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
            .order_by("customer_account_id", "service")
        )
        for row in rows:
            net = int(row["debit"] or 0) - int(row["credit"] or 0)
            if net:
                result[row["customer_account_id"]][row["service"]] = net
    return result


def _final_bills(account_ids: list[int]) -> dict[int, tuple[str, dt.date]]:
    found: dict[int, tuple[str, dt.date]] = {}
    for chunk in slices(account_ids, CHUNK):
        rows = (
            Bill.objects.filter(account_id__in=chunk, kind=BillKind.FINAL, status=Bill.Status.ISSUED)
            .order_by("account_id", "bill_date", "id")
            .values_list("account_id", "number", "due_date")
        )
        for account_id, number, due_date in rows:
            found[account_id] = (number, due_date)  # the latest wins
    return found


def _active_accounts(customer_ids: set[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    rows = (
        Account.objects.filter(customer_id__in=customer_ids, status=Account.Status.ACTIVE)
        .order_by("number")
        .values_list("customer_id", "number")
    )
    for customer_id, number in rows:
        found[customer_id].append(number)
    return found


def proposed_batch_of(account_ids: Iterable[int]) -> dict[int, int]:
    """account id -> the proposed (not yet decided) batch that holds it."""
    return dict(
        WriteOff.objects.filter(
            account_id__in=list(account_ids),
            status=WriteOff.Status.PROPOSED,
            batch__status=WriteOffBatch.Status.PROPOSED,
        ).values_list("account_id", "batch_id")
    )


def closed_unpaid(as_of: dt.date, *, account_ids: Iterable[int] | None = None) -> list[ClosedUnpaid]:
    """Closed accounts (final or closed) whose balance on ``as_of`` is above zero, by account number,
    each with why it may not (yet) be written off on ``as_of``."""
    policy = policy_on(as_of)
    accounts = Account.objects.filter(status__in=CLOSED_STATUSES).select_related("customer")
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    by_id = {account.pk: account for account in accounts.order_by("number")}
    balances = balances_by_service(by_id, as_of=as_of)
    owing = [account_id for account_id, amounts in balances.items() if sum(amounts.values()) > 0]
    if not owing:
        return []
    facts = delinquency_facts(owing, as_of)
    finals = _final_bills(owing)
    stages = current_stages(owing, as_of=as_of)
    active = _active_accounts({by_id[account_id].customer_id for account_id in owing})
    batches = proposed_batch_of(owing)
    protections = protections_on(owing, as_of)
    rows = []
    for account_id in owing:
        account = by_id[account_id]
        final = finals.get(account_id)
        number, aged_from = final if final is not None else ("", None)
        if aged_from is None:
            due_dates = [item.due_date for item in facts[account_id].items]
            aged_from = max(due_dates) if due_dates else (account.closed_on or as_of)
        writeoff_on = aged_from + dt.timedelta(days=policy.writeoff_after_days)
        stage = stages[account_id]
        appeal = protections[account_id].appeal_pending
        blocked = []
        if as_of < writeoff_on:
            blocked.append(
                f"its final bill was due {aged_from:%Y-%m-%d}: it may be written off from "
                f"{writeoff_on:%Y-%m-%d} ({policy.writeoff_after_days} days)"
            )
        if stage == CollectionStage.WRITTEN_OFF:
            blocked.append("it is already written off")
        if account_id in batches:
            blocked.append(f"it is in write-off batch {batches[account_id]}, waiting for approval")
        if appeal:
            blocked.append("a bill review or appeal is pending")
        rows.append(
            ClosedUnpaid(
                account_id=account_id,
                number=account.number,
                customer_id=account.customer_id,
                customer_name=account.customer.display_name,
                status=account.status,
                closed_on=account.closed_on,
                balance_cents=sum(balances[account_id].values()),
                amounts=dict(sorted(balances[account_id].items())),
                final_bill_number=number,
                aged_from=aged_from,
                writeoff_on=writeoff_on,
                stage=stage,
                active_accounts=tuple(n for n in active.get(account.customer_id, []) if n != account.number),
                in_batch_id=batches.get(account_id),
                appeal_pending=appeal,
                blocked=tuple(blocked),
            )
        )
    return sorted(rows, key=lambda row: row.number)


def writeoff_batches(*, status: str | None = None) -> list[WriteOffBatch]:
    batches = WriteOffBatch.objects.select_related("proposed_by", "decided_by")
    if status:
        batches = batches.filter(status=status)
    return list(batches.order_by("-proposed_at", "-id"))


def writeoff_batch_get(batch_id: int) -> WriteOffBatch | None:
    return WriteOffBatch.objects.select_related("proposed_by", "decided_by").filter(pk=batch_id).first()


def batch_writeoffs(batch: WriteOffBatch) -> list[WriteOff]:
    return list(batch.writeoffs.select_related("account", "account__customer").order_by("account__number"))


def batch_totals(batch: WriteOffBatch) -> dict[str, int]:
    """service -> cents of the batch's write-offs still counted (proposed or posted), and ``total``."""
    totals: dict[str, int] = defaultdict(int)
    for writeoff in batch.writeoffs.exclude(status=WriteOff.Status.DROPPED):
        for service, cents in writeoff.amounts.items():
            totals[service] += int(cents)
        totals["total"] += writeoff.total_cents
    return dict(totals)


def unrecovered_by_service(account_id: int) -> dict[str, int]:
    """service -> cents written off on the account (posted) and not yet recovered."""
    left: dict[str, int] = defaultdict(int)
    for amounts in WriteOff.objects.filter(account_id=account_id, status=WriteOff.Status.POSTED).values_list(
        "amounts", flat=True
    ):
        for service, cents in amounts.items():
            left[service] += int(cents)
    for amounts in WriteOffRecovery.objects.filter(account_id=account_id).values_list("amounts", flat=True):
        for service, cents in amounts.items():
            left[service] -= int(cents)
    return {service: cents for service, cents in sorted(left.items()) if cents > 0}


def written_off_in_credit(as_of: dt.date) -> list[int]:
    """Accounts with a posted write-off not wholly recovered whose balance on ``as_of`` is a credit:
    money received after the write-off, waiting to be recorded as a recovery."""
    ids = sorted(
        set(WriteOff.objects.filter(status=WriteOff.Status.POSTED).values_list("account_id", flat=True))
    )
    balances = balances_by_service(ids, as_of=as_of)
    return [
        account_id
        for account_id in ids
        if sum(balances[account_id].values()) < 0 and unrecovered_by_service(account_id)
    ]


def recoveries(*, start: dt.date | None = None, end: dt.date | None = None) -> list[WriteOffRecovery]:
    found = WriteOffRecovery.objects.select_related("account", "recorded_by")
    if start is not None:
        found = found.filter(business_date__gte=start)
    if end is not None:
        found = found.filter(business_date__lte=end)
    return list(found.order_by("-business_date", "-id"))
