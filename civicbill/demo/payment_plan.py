"""How the demo city's customers pay their bills, as pure data (no database).

Each account has a habit (``habit_for``: the channel it pays through, its tender at the counter,
how many days after the bill date it usually pays, how reliable it is). ``plan_month`` turns one
month's bills into the payments of that month's payment window: counter payments with their
tenders and times, lockbox and online remittances (``lockbox_fixed_file``, ``online_csv_file``
write the files a bank and a card processor would send), plus the month's exceptions: a stub with
a misread scan line, a check without a stub, a mistyped account number (suspense), checks returned
unpaid (NSF), a payment keyed to the wrong account and voided, overpayments, and (in the newest
month) a bill paid twice whose credit is refunded. The same seed always gives the same plan.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from civicbill.core.clock import BusinessCalendar
from civicbill.core.money import Money, plain_cents
from civicbill.core.scanline import build_scan_line
from civicbill.payments.tenders import CARD, CASH, CHECK, MONEY_ORDER, TenderInput

COUNTER, LOCKBOX, ONLINE = "counter", "lockbox", "online"
CHANNEL_SHARES = ((COUNTER, 0.12), (LOCKBOX, 0.48), (ONLINE, 0.40))
TENDER_SHARES = ((CASH, 0.55), (CHECK, 0.30), (CARD, 0.10), (MONEY_ORDER, 0.05))
# business days a refund of a check's credit waits (CIVICBILL_REFUND_HOLD_CHECK_DAYS)
REFUND_CHECK_CLEARS = 10
ONLINE_METHOD_SHARES = (("card", 0.60), ("ach", 0.25), ("ivr", 0.15))
COUNTER_DAY_LIMIT = 24  # two windows; on a busier day the rest of the customers mail a check
NEWEST_UNPAID_SHARE = 0.4  # the newest bills: not yet paid by this share of the customers
OVERPAY_SHARE = 0.025
SPLIT_TENDER_SHARE = 0.06
MISC_RECEIPT_SHARE = 0.15  # counter days with a walk-in paying a citation, a permit, copies ...
RETURN_DELAY_BUSINESS_DAYS = 4
CHECKS_PER_EXTRA_RETURN = 1_000
LOCKBOX_ID = "CVB-LBX-01"
BANKS = (
    "Wells Fargo",
    "Bank of America",
    "Chase",
    "US Bank",
    "El Dorado Savings Bank",
    "Desert Community Bank",
    "Navy Federal CU",
)
RETURN_REASONS = ("NSF - insufficient funds", "NSF - insufficient funds", "NSF - uncollected funds")
WALK_IN_NAMES = ("Luis Ortega", "Diane Carter", "Hugo Salas", "Kim Nguyen", "Marta Ibarra", "Tom Reed")
MISC_KINDS = (  # (receipt code, amounts in cents, reference prefix)
    ("PARKING", (3500, 5000, 7500), "C-"),
    ("COPIES", (250, 500, 1200), ""),
    ("PERMIT", (8500, 12000), "P-"),
    ("BUSLIC", (6500,), "BL-"),
)

# why a remittance lands in suspense
BAD_SCAN_LINE, NO_IDENTIFIER, UNKNOWN_ACCOUNT = "bad_scan_line", "no_identifier", "unknown_account"


@dataclass(frozen=True, slots=True)
class BillDue:
    """A bill to be paid, as the customer sees it on the stub."""

    number: str
    account_id: int
    account_number: str
    payer_name: str
    bill_date: dt.date
    due_date: dt.date
    total_due_cents: int

    @property
    def scan_line(self) -> str:
        return build_scan_line(
            account_number=self.account_number,
            amount_due=Money.from_cents(self.total_due_cents),
            due_date=self.due_date,
        )


@dataclass(frozen=True, slots=True)
class Habit:
    channel: str
    tender: str  # at the counter
    online_method: str
    days_after_bill: int  # when the bill is usually paid
    reliability: float  # the chance a bill is paid in full and on time


@dataclass(frozen=True, slots=True)
class PlannedPayment:
    key: str  # the payment's idempotency key (a counter payment) or the plan's own reference
    bill: BillDue
    channel: str
    day: dt.date
    amount_cents: int
    minute: int = 0  # counter: minutes after 08:00
    tenders: tuple[TenderInput, ...] = ()  # counter
    check_number: str = ""  # lockbox
    method: str = ""  # online
    defect: str = ""  # lockbox/online: why the remittance cannot be matched (it goes to suspense)
    wrong_account_id: int | None = None  # counter: first keyed to this account, then voided
    full: bool = True  # pays the bill's total due exactly

    @property
    def has_check_only(self) -> bool:
        return self.channel == LOCKBOX or (bool(self.tenders) and all(t.kind == CHECK for t in self.tenders))


@dataclass(frozen=True, slots=True)
class PlannedMiscReceipt:
    key: str
    day: dt.date
    minute: int
    receipt_code: str
    amount_cents: int
    reference: str
    payer_name: str
    tenders: tuple[TenderInput, ...]


@dataclass(frozen=True, slots=True)
class PlannedReturn:
    key: str  # of the payment returned
    day: dt.date
    reason: str


@dataclass(frozen=True, slots=True)
class PlannedSuspenseFix:
    key: str  # of the remittance in suspense
    day: dt.date
    account_id: int
    note: str


@dataclass(frozen=True, slots=True)
class PlannedRefund:
    account_id: int
    requested_on: dt.date
    approved_on: dt.date | None  # None: left for a supervisor to decide
    reason: str


@dataclass(frozen=True)
class MonthPlan:
    payments: tuple[PlannedPayment, ...] = ()
    misc_receipts: tuple[PlannedMiscReceipt, ...] = ()
    returns: tuple[PlannedReturn, ...] = ()
    suspense_fixes: tuple[PlannedSuspenseFix, ...] = ()
    refunds: tuple[PlannedRefund, ...] = ()
    days: tuple[dt.date, ...] = ()  # the business days of the payment window


def _weighted(rng: random.Random, shares: Sequence[tuple[str, float]]) -> str:
    roll = rng.random() * sum(share for _, share in shares)
    for value, share in shares:
        roll -= share
        if roll < 0:
            return value
    return shares[-1][0]


def habit_for(*, account_number: str, seed: int) -> Habit:
    """The account's payment habit, the same for the same seed."""
    rng = random.Random(f"demo-habit:{seed}:{account_number}")  # noqa: S311 - synthetic demo data
    channel = _weighted(rng, CHANNEL_SHARES)
    return Habit(
        channel=channel,
        tender=_weighted(rng, TENDER_SHARES),
        online_method=_weighted(rng, ONLINE_METHOD_SHARES),
        days_after_bill=round(rng.triangular(3, 21, 14)),
        reliability=0.96 if rng.random() < 0.85 else 0.7,
    )


# -- tenders at the counter ------------------------------------------------------------------------------
def _cash(amount_cents: int, rng: random.Random) -> TenderInput:
    """Cash handed over: the exact amount, or rounded up to the next $1, $5, $10 or $20."""
    step = rng.choice((0, 100, 500, 1000, 2000, 2000))
    handed = amount_cents if not step else -(-amount_cents // step) * step
    return TenderInput(CASH, Money.from_cents(handed))


def _non_cash(kind: str, amount_cents: int, rng: random.Random) -> TenderInput:
    amount = Money.from_cents(amount_cents)
    if kind == CHECK:
        return TenderInput(
            CHECK, amount, check_number=str(rng.randint(1001, 9899)), bank_name=rng.choice(BANKS)
        )
    if kind == MONEY_ORDER:
        issuer = rng.choice(("USPS", "Western Union", "MoneyGram"))
        return TenderInput(
            MONEY_ORDER, amount, check_number=str(rng.randint(10**9, 10**10 - 1)), bank_name=issuer
        )
    letters = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(6))
    return TenderInput(CARD, amount, card_reference=f"AUTH-{letters}")


def counter_tenders(amount_cents: int, kind: str, rng: random.Random) -> tuple[TenderInput, ...]:
    """How a customer hands over ``amount_cents``: one tender of their usual kind, now and then a
    check or card for a round part and cash for the rest."""
    if amount_cents >= 4_000 and rng.random() < SPLIT_TENDER_SHARE:
        part = amount_cents // 2 // 100 * 100
        return (_non_cash(rng.choice((CHECK, CARD)), part, rng), _cash(amount_cents - part, rng))
    if kind == CASH:
        return (_cash(amount_cents, rng),)
    return (_non_cash(kind, amount_cents, rng),)


def cash_count(total_cents: int) -> list[tuple[int, int]]:
    """The drawer's cash as (denomination in cents, quantity), largest notes first."""
    counted = []
    left = total_cents
    for denomination in (10_000, 5_000, 2_000, 1_000, 500, 100, 25, 10, 5, 1):
        quantity, left = divmod(left, denomination)
        if quantity:
            counted.append((denomination, quantity))
    return counted


# -- one month ---------------------------------------------------------------------------------------------
def _business_days(calendar: BusinessCalendar, start: dt.date, end: dt.date) -> list[dt.date]:
    days = []
    day = start
    while day <= end:
        if calendar.is_business_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _amount_and_day(bill: BillDue, habit: Habit, rng: random.Random) -> tuple[int, int, bool] | None:
    """(amount, days after the bill date, pays in full) for one bill, or None when it is skipped
    (the customer pays it with the next bill)."""
    due = bill.total_due_cents
    offset = max(1, habit.days_after_bill + rng.randint(-2, 2))
    if rng.random() < habit.reliability:
        if rng.random() < OVERPAY_SHARE:
            return (due // 1_000 + 2) * 1_000, offset, False  # rounded up: $10-20 left in credit
        return due, offset, True
    roll = rng.random()
    if roll < 0.5:
        return None
    late = (bill.due_date - bill.bill_date).days + rng.randint(3, 12)
    if roll < 0.8 or due < 2_000:
        return due, late, True
    return max(500, due // 2 // 500 * 500), offset, False  # part of it, in round dollars


def plan_month(
    *,
    bills: Sequence[BillDue],
    habit_of: dict[int, Habit],
    rng: random.Random,
    calendar: BusinessCalendar,
    pay_from: dt.date,
    pay_until: dt.date,
    month_index: int,
    newest: bool,
) -> MonthPlan:
    """The payments (and their exceptions) of one month's bills, dated from ``pay_from`` to
    ``pay_until`` (business days; a payment that would come later is not made this month)."""
    days = _business_days(calendar, pay_from, pay_until)
    if not days:
        return MonthPlan()
    payments: list[PlannedPayment] = []
    for bill in bills:
        if bill.total_due_cents <= 0:
            continue
        habit = habit_of[bill.account_id]
        decided = _amount_and_day(bill, habit, rng)
        if decided is None or (newest and rng.random() < NEWEST_UNPAID_SHARE):
            continue
        amount, offset, full = decided
        day = calendar.next_business_day(max(bill.bill_date + dt.timedelta(days=offset), pay_from))
        if day > pay_until:
            continue
        payments.append(_planned(bill, habit, day, amount, full, rng))
    payments = _limit_counter_days(payments, rng)
    mailed = [i for i, p in enumerate(payments) if p.channel != COUNTER]
    if newest and mailed and all(p.full for p in payments):  # at least one overpayment stays in credit
        first = payments[mailed[0]]
        payments[mailed[0]] = replace(
            first, amount_cents=(first.amount_cents // 1_000 + 2) * 1_000, full=False
        )
    payments = _void_one(payments, rng)
    payments, fixes = _suspense(payments, rng, calendar, pay_until, month_index, newest)
    payments, refunds = _paid_twice(payments, rng, calendar, pay_until) if newest else (payments, [])
    refund_accounts = {refund.account_id for refund in refunds}
    returns = _returns(payments, rng, calendar, pay_until, refund_accounts)
    counter_days = sorted({p.day for p in payments if p.channel == COUNTER})
    return MonthPlan(
        payments=tuple(payments),
        misc_receipts=tuple(_misc_receipts(counter_days, rng)),
        returns=tuple(returns),
        suspense_fixes=tuple(fixes),
        refunds=tuple(refunds),
        days=tuple(days),
    )


def _planned(
    bill: BillDue, habit: Habit, day: dt.date, amount: int, full: bool, rng: random.Random
) -> PlannedPayment:
    key = f"demo:{bill.number}"
    if habit.channel == COUNTER:
        return PlannedPayment(
            key,
            bill,
            COUNTER,
            day,
            amount,
            minute=rng.randint(0, 530),
            tenders=counter_tenders(amount, habit.tender, rng),
            full=full,
        )
    if habit.channel == ONLINE:
        return PlannedPayment(key, bill, ONLINE, day, amount, method=habit.online_method, full=full)
    return PlannedPayment(
        key, bill, LOCKBOX, day, amount, check_number=str(rng.randint(100, 99_999)), full=full
    )


def _limit_counter_days(payments: list[PlannedPayment], rng: random.Random) -> list[PlannedPayment]:
    """At most COUNTER_DAY_LIMIT counter payments a day; the other customers mail a check."""
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for index, payment in enumerate(payments):
        if payment.channel == COUNTER:
            by_day[payment.day].append(index)
    result = list(payments)
    for indexes in by_day.values():
        for index in indexes[COUNTER_DAY_LIMIT:]:
            mailed = result[index]
            result[index] = replace(
                mailed, channel=LOCKBOX, minute=0, tenders=(), check_number=str(rng.randint(100, 99_999))
            )
    return result


def _void_one(payments: list[PlannedPayment], rng: random.Random) -> list[PlannedPayment]:
    """Once a month a cashier first posts a payment to the wrong account, then voids it."""
    counter = [index for index, p in enumerate(payments) if p.channel == COUNTER]
    if len(counter) < 2:
        return payments
    index, other = rng.sample(counter, 2)
    if payments[index].bill.account_id == payments[other].bill.account_id:
        return payments
    result = list(payments)
    result[index] = replace(result[index], wrong_account_id=payments[other].bill.account_id)
    return result


def _suspense(
    payments: list[PlannedPayment],
    rng: random.Random,
    calendar: BusinessCalendar,
    pay_until: dt.date,
    month_index: int,
    newest: bool,
) -> tuple[list[PlannedPayment], list[PlannedSuspenseFix]]:
    """A stub with a misread scan line each month; now and then a mistyped account number online;
    in the newest month also a check mailed without its stub. Staff apply the older ones to the
    account two business days later; the newest month's wait in the queue."""
    lockbox = [i for i, p in enumerate(payments) if p.channel == LOCKBOX and p.full]
    online = [i for i, p in enumerate(payments) if p.channel == ONLINE and p.full]
    chosen: list[tuple[int, str]] = []
    if lockbox:
        picked = rng.sample(lockbox, min(len(lockbox), 2 if newest else 1))
        chosen.append((picked[0], BAD_SCAN_LINE))
        if len(picked) > 1:
            chosen.append((picked[1], NO_IDENTIFIER))
    if online and (newest or month_index % 3 == 1):
        chosen.append((rng.choice(online), UNKNOWN_ACCOUNT))
    result = list(payments)
    fixes = []
    notes = {
        BAD_SCAN_LINE: "Stub misread; the account number on the check memo matches",
        NO_IDENTIFIER: "Check came without its stub; found the account by the payer's name and address",
        UNKNOWN_ACCOUNT: "Customer mistyped the account number's last digit; confirmed by phone",
    }
    for index, defect in chosen:
        payment = replace(result[index], defect=defect)
        result[index] = payment
        fixed_on = calendar.add_business_days(payment.day, 2)
        if not newest and fixed_on <= pay_until:
            fixes.append(PlannedSuspenseFix(payment.key, fixed_on, payment.bill.account_id, notes[defect]))
    return result, fixes


def _paid_twice(
    payments: list[PlannedPayment], rng: random.Random, calendar: BusinessCalendar, pay_until: dt.date
) -> tuple[list[PlannedPayment], list[PlannedRefund]]:
    """Two customers pay the newest bill online and then mail a check for it too; each asks for the
    credit back: one refund is approved once the check has cleared (REFUND_CHECK_CLEARS business
    days, docs/cashiering.md), the other waits for a supervisor."""
    candidates = [
        p
        for p in payments
        if p.channel == ONLINE
        and p.full
        and not p.defect
        and calendar.add_business_days(p.day, 2 + REFUND_CHECK_CLEARS) <= pay_until
    ]
    result = list(payments)
    refunds = []
    for number, paid in enumerate(rng.sample(candidates, min(2, len(candidates)))):
        again_on = calendar.add_business_days(paid.day, 2)
        result.append(
            PlannedPayment(
                f"{paid.key}:again",
                paid.bill,
                LOCKBOX,
                again_on,
                paid.amount_cents,
                check_number=str(rng.randint(100, 99_999)),
                full=False,
            )
        )
        requested_on = calendar.add_business_days(again_on, 2)
        refunds.append(
            PlannedRefund(
                paid.bill.account_id,
                requested_on,
                calendar.add_business_days(again_on, REFUND_CHECK_CLEARS) if number == 0 else None,
                f"Paid bill {paid.bill.number} twice (online and by mailed check)",
            )
        )
    return result, refunds


def _returns(
    payments: list[PlannedPayment],
    rng: random.Random,
    calendar: BusinessCalendar,
    pay_until: dt.date,
    excluded_accounts: set[int],
) -> list[PlannedReturn]:
    """Checks the bank returns unpaid a few business days after they were deposited."""
    candidates = [
        p
        for p in payments
        if p.has_check_only
        and not p.defect
        and p.bill.account_id not in excluded_accounts
        and calendar.add_business_days(p.day, RETURN_DELAY_BUSINESS_DAYS) <= pay_until
    ]
    if not candidates:
        return []
    count = min(len(candidates), 1 + len(candidates) // CHECKS_PER_EXTRA_RETURN)
    return [
        PlannedReturn(
            p.key, calendar.add_business_days(p.day, RETURN_DELAY_BUSINESS_DAYS), rng.choice(RETURN_REASONS)
        )
        for p in sorted(rng.sample(candidates, count), key=lambda p: (p.day, p.key))
    ]


def _misc_receipts(counter_days: list[dt.date], rng: random.Random) -> list[PlannedMiscReceipt]:
    receipts = []
    for day in counter_days:
        if rng.random() >= MISC_RECEIPT_SHARE:
            continue
        code, amounts, prefix = rng.choice(MISC_KINDS)
        amount = rng.choice(amounts)
        reference = f"{prefix}{rng.randint(10_000, 99_999)}" if prefix else ""
        tender = CHECK if amount >= 6_500 and rng.random() < 0.5 else CASH
        receipts.append(
            PlannedMiscReceipt(
                key=f"demo:misc:{day:%Y%m%d}",
                day=day,
                minute=rng.randint(0, 530),
                receipt_code=code,
                amount_cents=amount,
                reference=reference,
                payer_name=rng.choice(WALK_IN_NAMES),
                tenders=(_cash(amount, rng) if tender == CASH else _non_cash(CHECK, amount, rng),),
            )
        )
    return receipts


# -- the files the bank and the card processor send ------------------------------------------------------
def _corrupt(scan_line: str) -> str:
    """One digit of the amount misread (the check digit then fails)."""
    position = 12
    return f"{scan_line[:position]}{(int(scan_line[position]) + 3) % 10}{scan_line[position + 1 :]}"


def _mistyped(account_number: str) -> str:
    """The account number with a wrong last digit (no account has it)."""
    return f"{account_number[:-1]}{(int(account_number[-1]) + 1) % 10}"


def lockbox_fixed_file(*, day: dt.date, payments: Sequence[PlannedPayment]) -> bytes:
    """The bank's ``lockbox-fixed`` file of one deposit day (docs/payment-files.md); payment i is on
    line i + 2."""
    lines = [f"H{LOCKBOX_ID:<10}{day:%Y%m%d}"]
    for payment in payments:
        scan_line = "" if payment.defect == NO_IDENTIFIER else payment.bill.scan_line
        if payment.defect == BAD_SCAN_LINE:
            scan_line = _corrupt(scan_line)
        lines.append(
            f"D{scan_line:<26}{'':<10}{payment.amount_cents:010d}{payment.check_number:<10}"
            f"{'':<8}{payment.bill.payer_name[:30]:<30}".rstrip()
        )
    total = sum(payment.amount_cents for payment in payments)
    lines.append(f"T{len(payments):06d}{total:012d}")
    return ("\n".join(lines) + "\n").encode()


def online_csv_file(*, day: dt.date, payments: Sequence[PlannedPayment]) -> bytes:
    """The card processor's ``online-csv`` file settling on ``day``; payment i is on line i + 2."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("confirmation", "account_number", "amount", "paid_on", "method", "payer_name"))
    for sequence, payment in enumerate(payments, start=1):
        number = payment.bill.account_number
        writer.writerow(
            (
                f"{payment.method.upper()}-{day:%Y%m%d}-{sequence:04d}",
                _mistyped(number) if payment.defect == UNKNOWN_ACCOUNT else number,
                plain_cents(payment.amount_cents),
                day.isoformat(),
                payment.method,
                payment.bill.payer_name,
            )
        )
    total = sum(payment.amount_cents for payment in payments)
    writer.writerow(("TRAILER", len(payments), plain_cents(total)))
    return out.getvalue().encode()
