"""When money received can no longer come back: the clearing (return) window of each tender. Pure.

A check or money order can bounce, and an ACH debit can be returned, for some days after it is
deposited; card payments settle. A refund of an account's credit waits while money behind that
credit is inside its window (:func:`civicbill.payments.services.refunds.refund_approve`), so the
city never pays out money it may not keep.

The windows are business days of the city's calendar (:func:`civicbill.core.clock.business_calendar`)
after the payment's business date, one setting per tender (docs/cashiering.md):

* ``CIVICBILL_REFUND_HOLD_CHECK_DAYS`` (default 10): checks taken at the counter and lockbox checks;
* ``CIVICBILL_REFUND_HOLD_MONEY_ORDER_DAYS`` (default 10);
* ``CIVICBILL_REFUND_HOLD_ACH_DAYS`` (default 5): autopay drafts and online payments by bank account.

``0`` turns the hold off for that tender.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from civicbill.core.clock import BusinessCalendar
from civicbill.core.money import format_cents

CHECK = "check"
MONEY_ORDER = "money_order"
ACH = "ach"
SETTING_OF_TENDER = {
    CHECK: "CIVICBILL_REFUND_HOLD_CHECK_DAYS",
    MONEY_ORDER: "CIVICBILL_REFUND_HOLD_MONEY_ORDER_DAYS",
    ACH: "CIVICBILL_REFUND_HOLD_ACH_DAYS",
}
DEFAULT_DAYS = {CHECK: 10, MONEY_ORDER: 10, ACH: 5}
MAX_DAYS = 60
TENDER_NAMES = {CHECK: "check", MONEY_ORDER: "money order", ACH: "ACH payment"}


def hold_days_from(values: Mapping[str, object]) -> dict[str, int]:
    """The business days of each tender's window from raw setting values (setting name → value;
    a missing one takes its default). ImproperlyConfigured names a setting that is not a whole
    number from 0 to :data:`MAX_DAYS`."""
    days = {}
    for tender, name in SETTING_OF_TENDER.items():
        raw = values.get(name, DEFAULT_DAYS[tender])
        text = str(raw).strip()
        if not (text.isascii() and text.isdigit()) or int(text) > MAX_DAYS:
            raise ImproperlyConfigured(
                f"{name} must be a whole number of business days from 0 to {MAX_DAYS}, not {raw!r}"
            )
        days[tender] = int(text)
    return days


def hold_days() -> dict[str, int]:
    """The windows as configured in Django settings."""
    return hold_days_from(
        {name: getattr(settings, name) for name in SETTING_OF_TENDER.values() if hasattr(settings, name)}
    )


@dataclass(frozen=True, slots=True)
class Received:
    """Money received by a tender that can come back: how much, how, and on which business day."""

    tender: str  # CHECK, MONEY_ORDER or ACH
    amount_cents: int
    received_on: dt.date
    receipt_number: str = ""


@dataclass(frozen=True, slots=True)
class Uncleared:
    received: Received
    clears_on: dt.date

    def describe(self) -> str:
        """``the $500.00 check of 2026-11-30 clears on 2026-12-14``"""
        money = self.received
        return (
            f"the {format_cents(money.amount_cents)} {TENDER_NAMES[money.tender]} of "
            f"{money.received_on.isoformat()} clears on {self.clears_on.isoformat()}"
        )


def uncleared(
    received: list[Received], *, on: dt.date, days: Mapping[str, int], calendar: BusinessCalendar
) -> list[Uncleared]:
    """The money still inside its window on ``on``: cleared ``days[tender]`` business days after the
    day it was received (it clears at the start of that day). Oldest first."""
    found = []
    for item in received:
        wait = days.get(item.tender, 0)
        if wait <= 0:
            continue
        clears_on = calendar.add_business_days(item.received_on, wait)
        if on < clears_on:
            found.append(Uncleared(item, clears_on))
    return sorted(found, key=lambda u: (u.clears_on, u.received.received_on, u.received.receipt_number))
