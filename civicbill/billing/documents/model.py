"""What a printed bill shows: the :class:`BillDocument` view-model. Pure (no ORM).

The builder (``build.py``) fills it from the database; the renderers (``render.py`` for PDF, the
``billing/documents/bill.html`` template for screens) only lay it out. Charge descriptions and
messages are already in the bill's language; labels are translated by the renderers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from civicbill.core.money import Money


@dataclass(frozen=True, slots=True)
class DocumentLine:
    sequence: int  # BillLine.sequence (the order on the stored bill)
    service: str
    charge_key: str
    description: str  # in the bill's language
    quantity: Decimal
    unit: str
    tier: int | None
    price: str  # exact decimal text as in the schedule ("" for a flat charge)
    amount: Money
    proration: str  # exact decimal text ("" when none)
    version_label: str
    period_start: dt.date | None
    period_end: dt.date | None
    detail: dict[str, object]


@dataclass(frozen=True, slots=True)
class ServiceSection:
    """One service's lines on the bill, with their subtotal."""

    service: str
    label: str  # in the bill's language ("Water", "Agua")
    lines: tuple[DocumentLine, ...]
    subtotal: Money


@dataclass(frozen=True, slots=True)
class UsageMonth:
    """One bar of the 13-month usage chart; ``usage_hcf`` is None for a month without a bill."""

    period: dt.date  # first day of the billing month
    usage_hcf: Decimal | None
    estimated: bool = False
    current: bool = False  # the month this bill is for


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One row of the account summary: ``label`` is the English text the renderers translate (with
    ``params`` filled in after translating), ``amount`` what it adds to the total."""

    label: str
    amount: Money
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class HighUse:
    """This bill's use is well above the account's usual (meters.validation.high_use_percent)."""

    daily_gallons: Decimal
    usual_daily_gallons: Decimal
    times_usual: Decimal  # one decimal


@dataclass(frozen=True, slots=True)
class BillDocument:
    bill_id: int
    bill_number: str
    status: str  # draft / issued / cancelled (Bill.Status values)
    kind: str  # regular / final / rebill
    language: str  # "en" or "es"
    replaces_number: str  # the cancelled bill a rebill corrects ("" when none)
    cancel_reason: str
    # who and where
    account_number: str
    customer_name: str
    mailing_lines: tuple[str, ...]  # street lines and "CITY, ST ZIP"
    mailing_zip: str
    service_address: str  # one line: "52 Avenue 48, Coachella, CA 92236"
    paperless: bool
    email: str
    # when
    period: dt.date
    period_start: dt.date
    period_end: dt.date
    bill_date: dt.date
    due_date: dt.date
    # the reads
    meter_serial: str
    previous_read_on: dt.date | None
    previous_read: Decimal | None
    current_read_on: dt.date | None
    current_read: Decimal | None
    consumption_hcf: Decimal
    estimated: bool
    # the money
    sections: tuple[ServiceSection, ...]
    previous_balance: Money
    payments: Money  # negative
    adjustments: Money
    current_charges: Money
    total_due: Money
    usage: tuple[UsageMonth, ...]  # 13 months, oldest first, this bill's month last
    messages: tuple[str, ...]  # in the bill's language
    scan_line: str  # 26 digits
    # who sends it
    utility_name: str
    utility_address: str
    utility_phone: str
    # mail sort: (zip, street, house number, unit, account number)
    sort_key: tuple[str, str, int, str, str]
    # what the account summary itemises apart from payments and ``adjustments`` (billing.statement):
    # a final bill's service deposit applied (negative), payments the bank returned and their fees
    deposit_applied: Money = field(default_factory=Money.zero)
    returned_payments: Money = field(default_factory=Money.zero)
    returned_fees: Money = field(default_factory=Money.zero)
    # a rebill of an older period shows that period's history (the cancelled bill's); what happened
    # on the account after that bill's date is one line, so the total still ties
    history_date: str = ""  # that bill's date, in the bill's language
    later_activity: Money = field(default_factory=Money.zero)
    high_use: HighUse | None = None
    # how to pay and where to ask (in the bill's language; settings, docs/bills.md)
    remittance_lines: tuple[str, ...] = ()  # the stub's "mail to" address (a #9 envelope's window)
    how_to_pay: str = ""
    help_text: str = ""
    other_language_line: str = ""  # how to get the bill in the other language, in that language

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def draft(self) -> bool:
        return self.status == "draft"

    @property
    def amount_due(self) -> Money:
        """What the stub asks for: the total due, or nothing when the account is in credit."""
        return self.total_due if self.total_due.is_positive() else Money.zero()

    @property
    def balance_forward(self) -> Money:
        """Previous balance less payments plus returned payments, fees, adjustments and the deposit
        applied: unpaid from before this bill."""
        return (
            self.previous_balance
            + self.payments
            + self.returned_payments
            + self.returned_fees
            + self.adjustments
            + self.deposit_applied
        )

    def summary_rows(self) -> tuple[SummaryRow, ...]:
        """The account summary down to the total: previous balance, payments received (voids netted),
        returned payments and their fees and the deposit applied (when there are any), adjustments,
        balance forward, current charges, and for a rebill of an older period the activity since."""
        rows = [
            SummaryRow("Previous balance", self.previous_balance),
            SummaryRow("Payments received - thank you", self.payments),
        ]
        if not self.returned_payments.is_zero():
            rows.append(SummaryRow("Returned payment", self.returned_payments))
        if not self.returned_fees.is_zero():
            rows.append(SummaryRow("Returned payment fee", self.returned_fees))
        rows.append(SummaryRow("Adjustments", self.adjustments))
        if not self.deposit_applied.is_zero():
            rows.append(SummaryRow("Deposit applied", self.deposit_applied))
        rows.append(SummaryRow("Balance forward", self.balance_forward))
        rows.append(SummaryRow("Current charges", self.current_charges))
        if not self.later_activity.is_zero() and self.history_date:
            rows.append(
                SummaryRow(
                    "Account activity after %(date)s", self.later_activity, (("date", self.history_date),)
                )
            )
        return tuple(rows)

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days + 1

    @property
    def lines_count(self) -> int:
        return sum(len(section.lines) for section in self.sections)
