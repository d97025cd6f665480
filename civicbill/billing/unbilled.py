"""Accounts left unbilled: every billed account (active, or final and not yet final-billed) with an
agreement in effect in a period its cycle billed, and no issued bill covering that period.

A period "should have" a bill when the account's cycle committed a run for it (dated on or before
``as_of``, within :data:`LOOKBACK_MONTHS` months), or when it falls between two committed runs of the
cycle that skip it. Each unbilled account says why, from its latest unbilled period:

============== =======================================================================================
held           a staff member held the draft (the review decision; ``since`` is the first such period)
missing_read   no read measured the period (nor could one be estimated)
high_bill      the draft is over 3× the account's usual bill and nobody released it
negative_bill  the draft is a credit and nobody released it
no_schedule    a service's rate schedule has no version in effect
rating_error   the rates could not price a service
no_bill        the committed run drafted nothing for the account (it started service after the trial)
no_run         the cycle skipped the month: no run was committed for it
============== =======================================================================================

Set-based and fast on a big city: the candidates come from small sets (the drafts left in committed
runs, accounts whose service began after a run's trial, the accounts of a skipped month), then the
candidates' issued bills, in a handful of queries (IN lists cut into batches), never one per account.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q

from civicbill.billing.facts import BILLED_STATUSES
from civicbill.billing.models import Bill, BillException, BillingCycle, BillRun
from civicbill.billing.periods import add_months, month_start
from civicbill.billing.services.cycles import cycle_period
from civicbill.core.chunks import slices
from civicbill.customers.models import Account, ServiceAgreement

LOOKBACK_MONTHS = 12
REASONS: dict[str, str] = {
    "held": "Held by staff",
    "missing_read": "Missing read",
    "high_bill": "High bill not released",
    "negative_bill": "Credit bill not released",
    "no_schedule": "No rate schedule in effect",
    "rating_error": "Rating error",
    "no_bill": "Not in the billing run",
    "no_run": "No billing run for the month",
}
# when a draft has several blocking exceptions, the one named first here is its reason
_PRECEDENCE = ("missing_read", "no_schedule", "rating_error", "negative_bill", "high_bill")
_BATCH = 900


@dataclass(frozen=True, slots=True)
class UnbilledPeriod:
    period: dt.date
    run_id: int | None
    reason: str
    message: str
    draft_number: str  # the held draft ("" when the run drafted none)
    draft_cents: int | None  # its current charges
    decided_at: dt.datetime | None  # when staff held it


@dataclass(frozen=True, slots=True)
class UnbilledAccount:
    account_id: int
    number: str
    customer_name: str
    cycle: int
    status: str
    periods: tuple[UnbilledPeriod, ...]  # oldest first

    @property
    def since(self) -> dt.date:
        return self.periods[0].period

    @property
    def latest(self) -> UnbilledPeriod:
        return self.periods[-1]

    @property
    def reason(self) -> str:
        return self.latest.reason

    @property
    def reason_label(self) -> str:
        return REASONS[self.reason]

    @property
    def draft_number(self) -> str:
        return next((p.draft_number for p in reversed(self.periods) if p.draft_number), "")

    @property
    def draft_cents(self) -> int:
        return sum(p.draft_cents or 0 for p in self.periods)

    def as_dict(self) -> dict[str, Any]:
        return {
            "account_number": self.number,
            "customer_name": self.customer_name,
            "cycle": self.cycle,
            "status": self.status,
            "since": f"{self.since:%Y-%m}",
            "periods": len(self.periods),
            "reason": self.reason,
            "reason_label": self.reason_label,
            "message": self.latest.message,
            "held_draft": self.draft_number or None,
            "drafts_cents": self.draft_cents,
            "unbilled_periods": [
                {
                    "period": f"{p.period:%Y-%m}",
                    "run_id": p.run_id,
                    "reason": p.reason,
                    "message": p.message,
                    "draft": p.draft_number or None,
                    "draft_cents": p.draft_cents,
                    "held_at": p.decided_at.isoformat() if p.decided_at else None,
                }
                for p in self.periods
            ],
        }


@dataclass(frozen=True)
class UnbilledReport:
    as_of: dt.date
    since: dt.date  # the first billing month looked at
    accounts: tuple[UnbilledAccount, ...]  # by account number

    def by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for account in self.accounts:
            counts[account.reason] += 1
        return dict(sorted(counts.items()))

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "since": f"{self.since:%Y-%m}",
            "count": len(self.accounts),
            "periods": sum(len(account.periods) for account in self.accounts),
            "drafts_cents": sum(account.draft_cents for account in self.accounts),
            "by_reason": self.by_reason(),
            "accounts": [account.as_dict() for account in self.accounts],
        }


@dataclass(frozen=True, slots=True)
class _Slot:
    """A (cycle, month) an account should have a bill for: a committed run, or a skipped month."""

    cycle: int
    period: dt.date
    start: dt.date
    end: dt.date
    run_id: int | None
    started_at: dt.datetime | None  # when the run started (its trial drafted the accounts in effect then)


def unbilled_accounts(
    *, as_of: dt.date, cycle_number: int | None = None, before: dt.date | None = None
) -> UnbilledReport:
    """Every account left unbilled for a period of the last :data:`LOOKBACK_MONTHS` months (of one
    cycle, and for months before ``before`` when given), with the reason, by account number.

    The candidates are few and found from small sets: the drafts the committed runs left (held
    back), the accounts whose service began after a run's trial (agreements created after it,
    accounts opened in the window: the run could not draft them), and every account of a cycle
    for a month the cycle skipped. Each candidate period is then checked against the issued bills
    (regular, rebill or final) covering any of it."""
    since = add_months(month_start(as_of), -LOOKBACK_MONTHS)
    slots = _slots(as_of=as_of, since=since, cycle_number=cycle_number, before=before)
    if not slots:
        return UnbilledReport(as_of=as_of, since=since, accounts=())
    by_run = {slot.run_id: slot for slot in slots if slot.run_id is not None}
    drafts = _drafts(sorted(by_run))
    candidates: dict[int, set[_Slot]] = defaultdict(set)
    for run_id, account_id in drafts:
        candidates[account_id].add(by_run[run_id])
    late = _late_accounts(slots, cycle_number)
    spans = _agreement_spans(sorted(late))
    for account_id, cycle in late.items():
        for slot in slots:
            if (
                slot.cycle == cycle
                and slot.run_id is not None
                and _in_effect(spans.get(account_id, ()), slot)
            ):
                candidates[account_id].add(slot)
    for slot in slots:
        if slot.run_id is None:
            for account_id in _in_effect_in(slot):
                candidates[account_id].add(slot)
    if not candidates:
        return UnbilledReport(as_of=as_of, since=since, accounts=())
    accounts = _accounts(sorted(candidates))
    covered = _covered(sorted(accounts), as_of)
    found = []
    for account_id, account_slots in candidates.items():
        if account_id not in accounts:
            continue  # closed (or pending) now: not billed by runs
        number, name, cycle, status = accounts[account_id]
        bills = covered.get(account_id, ())
        periods = [
            _period(slot, None if slot.run_id is None else drafts.get((slot.run_id, account_id)))
            for slot in sorted(account_slots, key=lambda s: s.period)
            if not any(start <= slot.end and end >= slot.start for start, end in bills)
        ]
        if periods:
            found.append(UnbilledAccount(account_id, number, name, cycle, status, tuple(periods)))
    found.sort(key=lambda account: account.number)
    return UnbilledReport(as_of=as_of, since=since, accounts=tuple(found))


def unbilled_count(*, as_of: dt.date, cycle_number: int | None = None, before: dt.date | None = None) -> int:
    """How many accounts :func:`unbilled_accounts` lists."""
    return len(unbilled_accounts(as_of=as_of, cycle_number=cycle_number, before=before).accounts)


def _slots(
    *, as_of: dt.date, since: dt.date, cycle_number: int | None, before: dt.date | None
) -> list[_Slot]:
    """The committed runs of the window (dated on or before ``as_of``), and the months a cycle
    skipped between two of them."""
    runs = BillRun.objects.filter(status=BillRun.Status.COMMITTED, bill_date__lte=as_of, period__gte=since)
    if cycle_number is not None:
        runs = runs.filter(cycle__number=cycle_number)
    committed: dict[int, dict[dt.date, _Slot]] = defaultdict(dict)
    for run_id, number, period, start, end, started_at in runs.values_list(
        "id", "cycle__number", "period", "period_start", "period_end", "started_at"
    ):
        committed[number][period] = _Slot(number, period, start, end, run_id, started_at)
    slots: list[_Slot] = []
    cycles = {cycle.number: cycle for cycle in BillingCycle.objects.filter(number__in=list(committed))}
    for number, by_month in committed.items():
        months = sorted(by_month)
        month = months[0]
        while month <= months[-1]:
            slot = by_month.get(month)
            if slot is None:  # a month skipped between two committed runs
                billing = cycle_period(cycles[number], month)
                slot = _Slot(number, month, billing.start, billing.end, None, None)
            slots.append(slot)
            month = add_months(month, 1)
    if before is not None:
        slots = [slot for slot in slots if slot.period < month_start(before)]
    return slots


def _late_accounts(slots: list[_Slot], cycle_number: int | None) -> dict[int, int]:
    """Billed accounts a run may have missed: an agreement created after the earliest run's start,
    or opened on or after the first period's start. account id -> cycle."""
    started = [slot.started_at for slot in slots if slot.started_at is not None]
    first_day = min(slot.start for slot in slots)
    accounts = Account.objects.filter(status__in=BILLED_STATUSES)
    if cycle_number is not None:
        accounts = accounts.filter(premise__billing_cycle=cycle_number)
    condition = Q(opened_on__gte=first_day)
    if started:
        condition |= Q(
            Exists(ServiceAgreement.objects.filter(account_id=OuterRef("pk"), created_at__gt=min(started)))
        )
    return dict(accounts.filter(condition).values_list("id", "premise__billing_cycle"))


Span = tuple[dt.date, dt.date | None]


def _agreement_spans(account_ids: list[int]) -> dict[int, list[Span]]:
    spans: dict[int, list[Span]] = defaultdict(list)
    for batch in slices(account_ids, _BATCH):
        for account_id, start, end in ServiceAgreement.objects.filter(account_id__in=batch).values_list(
            "account_id", "start_date", "end_date"
        ):
            spans[account_id].append((start, end))
    return spans


def _in_effect(spans: Iterable[Span], slot: _Slot) -> bool:
    return any(start <= slot.end and (end is None or end >= slot.start) for start, end in spans)


def _in_effect_in(slot: _Slot) -> list[int]:
    """The cycle's billed accounts with an agreement in effect in a skipped month (one query)."""
    in_effect = ServiceAgreement.objects.filter(account_id=OuterRef("pk"), start_date__lte=slot.end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=slot.start)
    )
    return list(
        Account.objects.filter(premise__billing_cycle=slot.cycle, status__in=BILLED_STATUSES)
        .filter(Exists(in_effect))
        .values_list("id", flat=True)
    )


def _covered(account_ids: list[int], as_of: dt.date) -> dict[int, list[tuple[dt.date, dt.date]]]:
    """The periods of the accounts' issued bills dated on or before ``as_of`` (a bill cancelled
    after ``as_of`` was still issued then)."""
    covered: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    issued = Q(status=Bill.Status.ISSUED) | Q(status=Bill.Status.CANCELLED, cancelled_at__date__gt=as_of)
    for batch in slices(account_ids, _BATCH):
        for account_id, start, end in Bill.objects.filter(
            issued, account_id__in=batch, bill_date__lte=as_of
        ).values_list("account_id", "period_start", "period_end"):
            covered[account_id].append((start, end))
    return covered


# (run id, account id) -> (number, charges, [(code, resolution, message, resolved_at)])
Drafts = dict[tuple[int, int], tuple[str, int, list[tuple[str, str, str, dt.datetime | None]]]]


def _drafts(run_ids: list[int]) -> Drafts:
    """The drafts the committed runs left (held back), with their blocking exceptions."""
    drafts: Drafts = {}
    by_bill: dict[int, tuple[int, int]] = {}
    for batch in slices(sorted(run_ids), _BATCH):
        for bill_id, run_id, account_id, number, charges in Bill.objects.filter(
            run_id__in=batch, status=Bill.Status.DRAFT
        ).values_list("id", "run_id", "account_id", "number", "current_charges_cents"):
            drafts[(run_id, account_id)] = (number, charges, [])
            by_bill[bill_id] = (run_id, account_id)
        exceptions = (
            BillException.objects.filter(run_id__in=batch, blocking=True, bill__status=Bill.Status.DRAFT)
            .exclude(resolution=BillException.Resolution.RELEASED)
            .order_by("id")
            .values_list("bill_id", "code", "resolution", "message", "resolved_at")
        )
        for bill_id, code, resolution, message, resolved_at in exceptions:
            key = by_bill.get(bill_id)
            if key is not None:
                drafts[key][2].append((code, resolution, message, resolved_at))
    return drafts


def _accounts(account_ids: list[int]) -> dict[int, tuple[str, str, int, str]]:
    found: dict[int, tuple[str, str, int, str]] = {}
    for batch in slices(account_ids, _BATCH):
        accounts = Account.objects.filter(id__in=batch, status__in=BILLED_STATUSES)
        for account in accounts.select_related("customer", "premise"):
            found[account.pk] = (
                account.number,
                account.customer.display_name,
                account.premise.billing_cycle,
                account.status,
            )
    return found


def _period(
    slot: _Slot, draft: tuple[str, int, list[tuple[str, str, str, dt.datetime | None]]] | None
) -> UnbilledPeriod:
    if slot.run_id is None:
        return UnbilledPeriod(
            slot.period, None, "no_run", f"Cycle {slot.cycle} has no committed run for {slot.period:%Y-%m}",
            "", None, None,
        )  # fmt: skip
    if draft is None:
        return UnbilledPeriod(
            slot.period, slot.run_id, "no_bill",
            f"Run {slot.run_id} drafted no bill for the account (service began after its trial?)",
            "", None, None,
        )  # fmt: skip
    number, charges, exceptions = draft
    held = [e for e in exceptions if e[1] == BillException.Resolution.HELD]
    if held:
        code, _resolution, message, decided_at = held[0]
        return UnbilledPeriod(slot.period, slot.run_id, "held", message, number, charges, decided_at)
    exceptions.sort(key=lambda e: _PRECEDENCE.index(e[0]) if e[0] in _PRECEDENCE else len(_PRECEDENCE))
    if not exceptions:  # pragma: no cover - a committed run issues every draft without a blocking exception
        return UnbilledPeriod(slot.period, slot.run_id, "no_bill", "Draft not issued", number, charges, None)
    code, _resolution, message, _at = exceptions[0]
    return UnbilledPeriod(slot.period, slot.run_id, code, message, number, charges, None)
