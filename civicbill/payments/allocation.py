"""How a payment is applied to an account's receivables. Pure: no database.

1. :func:`open_items` rebuilds what is still owed, per service, from the account's receivable
   movements (debits are charges; credits settle the open items in the same order payments use,
   so the rebuilt picture matches how earlier payments were applied).
2. :func:`allocate` applies an amount in the policy's order:

   * by kind: deposits due, then penalties, then charges (``AllocationPolicy.kind_order``);
   * then oldest first (accounting date);
   * items of the same kind and date on several services (a bill's water, sewer and refuse
     charges) are paid in full when the money covers them all, otherwise *pro rata* to what each
     owes (largest remainder, ties to the earlier service in ``service_order``), so each fund gets
     its share of a partial payment;
   * what is left is an overpayment: a credit on ``credit_service`` (water by default; an account
     without water service gets it on its first service in ``service_order``).

Amounts are integer cents.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

DEPOSIT = "deposit"
PENALTY = "penalty"
CHARGE = "charge"
CREDIT = "credit"

# the ledger source types that make each kind of receivable (anything else is a charge)
KIND_OF_SOURCE_TYPE: dict[str, str] = {"deposit": DEPOSIT, "penalty": PENALTY}


@dataclass(frozen=True, slots=True)
class AllocationPolicy:
    kind_order: tuple[str, ...] = (DEPOSIT, PENALTY, CHARGE)
    service_order: tuple[str, ...] = ("water", "sewer", "refuse", "fire_line")
    credit_service: str = "water"
    # the orders as look-ups (a batch ranks hundreds of thousands of items)
    _kind_ranks: dict[str, int] = field(init=False, repr=False, compare=False)
    _service_ranks: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if sorted(self.kind_order) != sorted((DEPOSIT, PENALTY, CHARGE)):
            raise ValueError(f"kind_order must order deposit, penalty and charge; got {self.kind_order}")
        object.__setattr__(self, "_kind_ranks", {kind: rank for rank, kind in enumerate(self.kind_order)})
        service_ranks: dict[str, int] = {}
        for rank, service in enumerate(self.service_order):
            service_ranks.setdefault(service, rank)
        object.__setattr__(self, "_service_ranks", service_ranks)

    def kind_rank(self, kind: str) -> int:
        rank = self._kind_ranks.get(kind)
        return self.kind_order.index(kind) if rank is None else rank  # index() names an unknown kind

    def service_rank(self, service: str) -> int:
        return self._service_ranks.get(service, len(self.service_order))


DEFAULT_POLICY = AllocationPolicy()


@dataclass(frozen=True, slots=True)
class Movement:
    """What one journal entry did to one service of an account's receivable (debit-positive cents)."""

    service: str
    source_type: str
    accounting_date: dt.date
    net_cents: int


@dataclass(frozen=True, slots=True)
class OpenItem:
    service: str
    kind: str
    accounting_date: dt.date
    amount_cents: int  # still owed, > 0


@dataclass(frozen=True, slots=True)
class Allocation:
    service: str
    kind: str  # deposit, penalty, charge or credit
    amount_cents: int


@dataclass(slots=True)
class _Open:
    kind: str
    day: dt.date
    cents: int


@dataclass(slots=True)
class _Pool:
    items: list[_Open] = field(default_factory=list)
    credit_cents: int = 0  # unapplied credit waiting for the next debit


def open_items(movements: Iterable[Movement], *, policy: AllocationPolicy = DEFAULT_POLICY) -> list[OpenItem]:
    """What is still owed per service, given the movements in posting order. A credit settles the
    open items of its own service in the policy's order; credit beyond them waits for later debits."""
    kind_rank = policy.kind_rank
    pools: dict[str, _Pool] = {}
    for movement in movements:
        pool = pools.get(movement.service)
        if pool is None:
            pool = pools[movement.service] = _Pool()
        net_cents = movement.net_cents
        if net_cents > 0:
            used = min(net_cents, pool.credit_cents)
            pool.credit_cents -= used
            if net_cents - used:
                kind = KIND_OF_SOURCE_TYPE.get(movement.source_type, CHARGE)
                pool.items.append(_Open(kind, movement.accounting_date, net_cents - used))
        elif net_cents < 0:
            left = -net_cents
            if len(pool.items) > 1:
                pool.items.sort(key=lambda item: (kind_rank(item.kind), item.day))
            for item in pool.items:
                take = min(left, item.cents)
                item.cents -= take
                left -= take
                if not left:
                    break
            pool.items = [item for item in pool.items if item.cents]
            pool.credit_cents += left
    result = [
        OpenItem(service, item.kind, item.day, item.cents)
        for service, pool in pools.items()
        for item in pool.items
    ]
    if len(result) < 2:
        return result
    service_rank = policy.service_rank
    return sorted(result, key=lambda i: (kind_rank(i.kind), i.accounting_date, service_rank(i.service)))


def _pro_rata(amount_cents: int, owed: Sequence[int]) -> list[int]:
    """Split ``amount_cents`` (< sum(owed)) pro rata to ``owed``; largest remainder, ties to the first."""
    total = sum(owed)
    shares = [amount_cents * cents // total for cents in owed]
    remainders = sorted(range(len(owed)), key=lambda index: (-(amount_cents * owed[index] % total), index))
    for index in remainders[: amount_cents - sum(shares)]:
        shares[index] += 1
    return shares


def credit_service_for(services: Iterable[str], policy: AllocationPolicy = DEFAULT_POLICY) -> str:
    """Where an overpayment goes: the policy's credit service when the account has it (or has no
    receivable history), otherwise its first service in the policy's order."""
    known = set(services)
    if not known or policy.credit_service in known:
        return policy.credit_service
    return min(known, key=lambda s: (policy.service_rank(s), s))


def allocate(
    *,
    amount_cents: int,
    items: Iterable[OpenItem],
    policy: AllocationPolicy = DEFAULT_POLICY,
    credit_service: str | None = None,
) -> list[Allocation]:
    """Apply a payment of ``amount_cents`` (> 0) to the open items; one allocation per service and
    kind, in the order applied, the overpayment (if any) last as a credit."""
    if amount_cents <= 0:
        raise ValueError(f"a payment allocates a positive amount, not {amount_cents} cents")
    buckets: dict[tuple[int, dt.date], list[OpenItem]] = defaultdict(list)
    kind_rank, service_rank = policy.kind_rank, policy.service_rank
    for item in items:
        buckets[(kind_rank(item.kind), item.accounting_date)].append(item)
    applied: dict[tuple[str, str], int] = {}
    left = amount_cents
    for key in sorted(buckets):
        if not left:
            break
        bucket = buckets[key]
        if len(bucket) > 1:
            bucket = sorted(bucket, key=lambda i: (service_rank(i.service), i.service))
        owed = [item.amount_cents for item in bucket]
        shares = owed if left >= sum(owed) else _pro_rata(left, owed)
        for item, share in zip(bucket, shares, strict=True):
            if share:
                applied[(item.service, item.kind)] = applied.get((item.service, item.kind), 0) + share
                left -= share
    allocations = [Allocation(service, kind, cents) for (service, kind), cents in applied.items()]
    if left:
        service = credit_service or policy.credit_service
        allocations.append(Allocation(service, CREDIT, left))
    return allocations
