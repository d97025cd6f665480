"""Tenders of a payment: validate them and work out the change. Pure: no database.

Checks, money orders and cards count at their face amount and never give change; together they
may not exceed the payment. Cash (at most one cash tender) covers the rest: what was handed over
minus the rest is the change. A card tender keeps only the processor's reference; something that
looks like a card number is refused, so no card data is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from civicbill.core.money import MAX_AMOUNT_CENTS, Money, format_cents, format_money

CASH, CHECK, MONEY_ORDER, CARD = "cash", "check", "money_order", "card"
KINDS = (CASH, CHECK, MONEY_ORDER, CARD)
NON_CASH = (CHECK, MONEY_ORDER, CARD)
_CARD_NUMBER = re.compile(r"(?:\d[ -]?){13,19}")

# A tender this far above the payment, or this much cash, is taken only when the cashier confirms it
# (docs/cashiering.md): a slip of the finger ("5000" for "50.00") must not become $4,950 of change.
# More than 10 times the payment with more than $100.00 of change (a $20 note on $1.50 is ordinary).
LARGE_TENDER_FACTOR = 10
LARGE_CHANGE_CENTS = 10_000
LARGE_CASH_CENTS = 1_000_000  # $10,000.00 (also where the IRS's Form 8300 starts)

# US currency a drawer is counted in, in cents
CASH_DENOMINATIONS_CENTS = (10000, 5000, 2000, 1000, 500, 200, 100, 50, 25, 10, 5, 1)


class TenderError(ValueError):
    """Tenders that cannot pay the amount; ``str()`` says why."""


class LargeTenderError(TenderError):
    """Tenders far above the payment, or a large sum of cash, taken without the cashier's confirmation."""


@dataclass(frozen=True, slots=True)
class TenderInput:
    """What the cashier received: for cash, the amount handed over."""

    kind: str
    amount: Money
    check_number: str = ""
    bank_name: str = ""
    card_reference: str = ""


@dataclass(frozen=True, slots=True)
class SettledTender:
    kind: str
    amount_cents: int  # counts toward the payment
    tendered_cents: int
    change_cents: int
    check_number: str = ""
    bank_name: str = ""
    card_reference: str = ""


def settle_tenders(
    *,
    amount_cents: int,
    tenders: list[TenderInput] | tuple[TenderInput, ...],
    large_tender_confirmed: bool = False,
) -> list[SettledTender]:
    """The tenders as they pay ``amount_cents``, with the change on the cash tender; TenderError
    naming the problem when they don't pay it exactly (cash may exceed it: that is change).
    LargeTenderError unless ``large_tender_confirmed`` when the tenders total more than
    ``LARGE_TENDER_FACTOR`` times the payment with more than ``LARGE_CHANGE_CENTS`` of change, or the
    cash handed over is more than ``LARGE_CASH_CENTS``."""
    if amount_cents <= 0:
        raise TenderError(f"the payment amount must be positive, not {Money.from_cents(amount_cents)}")
    if amount_cents > MAX_AMOUNT_CENTS:
        raise TenderError(
            f"the payment of {format_cents(amount_cents)} is over the limit of "
            f"{format_cents(MAX_AMOUNT_CENTS)} for one payment"
        )
    if not tenders:
        raise TenderError("a payment needs at least one tender")
    for number, tender in enumerate(tenders, start=1):
        if tender.kind not in KINDS:
            raise TenderError(
                f"tender {number}: unknown kind {tender.kind!r} (cash, check, money_order, card)"
            )
        if not tender.amount.is_positive():
            raise TenderError(
                f"tender {number} ({tender.kind}): the amount must be positive, not {tender.amount}"
            )
        if tender.amount.cents > MAX_AMOUNT_CENTS:
            raise TenderError(
                f"tender {number} ({tender.kind}): {format_money(tender.amount)} is over the limit of "
                f"{format_cents(MAX_AMOUNT_CENTS)} for one amount"
            )
        if tender.kind == CHECK and not tender.check_number.strip():
            raise TenderError(f"tender {number} (check): the check number is required")
        if tender.kind == CARD:
            if not tender.card_reference.strip():
                raise TenderError(f"tender {number} (card): the card processor's reference is required")
            if _CARD_NUMBER.fullmatch(tender.card_reference.strip()):
                raise TenderError(
                    f"tender {number} (card): that looks like a card number; enter the processor's "
                    "authorization reference, never the card number"
                )
    cash = [tender for tender in tenders if tender.kind == CASH]
    if len(cash) > 1:
        raise TenderError("give the cash as one tender (the total handed over)")
    non_cash_cents = sum(tender.amount.cents for tender in tenders if tender.kind != CASH)
    tendered_cents = sum(tender.amount.cents for tender in tenders)
    amount = Money.from_cents(amount_cents)
    if non_cash_cents > amount_cents:
        raise TenderError(
            f"checks, money orders and cards total {Money.from_cents(non_cash_cents)}, more than the "
            f"payment of {amount}; they give no change"
        )
    if tendered_cents < amount_cents:
        raise TenderError(
            f"the tenders total {Money.from_cents(tendered_cents)}, short of the payment of {amount} "
            f"by {Money.from_cents(amount_cents - tendered_cents)}"
        )
    if cash and non_cash_cents == amount_cents:
        raise TenderError(f"the other tenders already pay {amount}; remove the cash tender")
    if not large_tender_confirmed:
        cash_cents = sum(tender.amount.cents for tender in cash)
        change_cents = tendered_cents - amount_cents
        if tendered_cents > LARGE_TENDER_FACTOR * amount_cents and change_cents > LARGE_CHANGE_CENTS:
            raise LargeTenderError(
                f"the tenders total {format_cents(tendered_cents)}, more than {LARGE_TENDER_FACTOR} times "
                f"the payment of {format_cents(amount_cents)} (change {format_cents(change_cents)}); "
                "check the amount, or confirm the large tender"
            )
        if cash_cents > LARGE_CASH_CENTS:
            raise LargeTenderError(
                f"the cash handed over is {format_cents(cash_cents)}, more than "
                f"{format_cents(LARGE_CASH_CENTS)}; check the amount, or confirm the large tender"
            )
    settled: list[SettledTender] = []
    for tender in tenders:
        if tender.kind == CASH:
            applied = amount_cents - non_cash_cents
            settled.append(SettledTender(CASH, applied, tender.amount.cents, tender.amount.cents - applied))
        else:
            settled.append(
                SettledTender(
                    tender.kind,
                    tender.amount.cents,
                    tender.amount.cents,
                    0,
                    tender.check_number.strip(),
                    tender.bank_name.strip(),
                    tender.card_reference.strip(),
                )
            )
    return settled
