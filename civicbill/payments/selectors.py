"""Reads for cashiering: what an account owes (open items), what a drawer should hold, a day's totals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Sum

from civicbill.core.exceptions import NotFoundError
from civicbill.core.scanline import ScanLine, ScanLineError, parse_scan_line
from civicbill.customers.models import Account
from civicbill.ledger import selectors as ledger_selectors
from civicbill.payments.allocation import DEFAULT_POLICY, AllocationPolicy, Movement, OpenItem, open_items
from civicbill.payments.models import (
    CashDrawer,
    Channel,
    DayClose,
    Deposit,
    DrawerSession,
    Payment,
    PaymentAllocation,
    Tender,
    TenderKind,
)

CHECK_KINDS = (TenderKind.CHECK, TenderKind.MONEY_ORDER)


def account_movements(account: Any) -> list[Movement]:
    """The account's receivable movements per service, in posting order (one query)."""
    return [
        Movement(service, row.source_type, row.accounting_date, amount.cents)
        for row in ledger_selectors.account_history(account)
        for service, amount in row.amounts_by_service.items()
        if not amount.is_zero()
    ]


def account_open_items(account: Any, *, policy: AllocationPolicy = DEFAULT_POLICY) -> list[OpenItem]:
    """What the account still owes, per service, kind and date, in the order a payment applies."""
    return open_items(account_movements(account), policy=policy)


def account_by_scan_line(text: str) -> tuple[Account, ScanLine]:
    """The account a remittance stub's scan line names (its check digits verified)."""
    try:
        scan = parse_scan_line(text)
    except ScanLineError as error:
        raise NotFoundError(f"Scan line not accepted: {error}", field="scan_line") from None
    account = Account.objects.select_related("customer").filter(number=scan.account_number).first()
    if account is None:
        raise NotFoundError(
            f"There is no account {scan.account_number} (from the scan line)", field="scan_line"
        )
    return account, scan


def day_is_closed(business_date: dt.date) -> bool:
    return DayClose.objects.filter(business_date=business_date).exists()


def open_session_of(cashier: Any) -> DrawerSession | None:
    return DrawerSession.objects.filter(cashier=cashier, status=DrawerSession.Status.OPEN).first()


@dataclass(frozen=True, slots=True)
class TenderTotals:
    """Posted (non-void) tenders of a session or a day, in cents."""

    cash_cents: int = 0
    check_cents: int = 0  # checks and money orders
    card_cents: int = 0
    check_count: int = 0
    by_kind: tuple[tuple[str, int], ...] = ()

    @property
    def total_cents(self) -> int:
        return self.cash_cents + self.check_cents + self.card_cents


def _tender_totals(tenders: QuerySet[Tender]) -> TenderTotals:
    rows = (
        tenders.filter(payment__status=Payment.Status.POSTED)
        .values("kind")
        .annotate(cents=Sum("amount_cents"))
        .order_by("kind")
    )
    by_kind = {row["kind"]: int(row["cents"] or 0) for row in rows}
    check_count = tenders.filter(payment__status=Payment.Status.POSTED, kind__in=CHECK_KINDS).count()
    return TenderTotals(
        cash_cents=by_kind.get(TenderKind.CASH, 0),
        check_cents=sum(by_kind.get(kind, 0) for kind in CHECK_KINDS),
        card_cents=by_kind.get(TenderKind.CARD, 0),
        check_count=check_count,
        by_kind=tuple(sorted(by_kind.items())),
    )


def session_tender_totals(session: DrawerSession) -> TenderTotals:
    """What the session took (net of change and of voids), by tender."""
    return _tender_totals(Tender.objects.filter(payment__session=session))


def day_tender_totals(business_date: dt.date) -> TenderTotals:
    return _tender_totals(Tender.objects.filter(payment__business_date=business_date))


def day_totals_by_fund(business_date: dt.date) -> dict[str, int]:
    """Posted receipts of the day per fund (from the allocations), in cents."""
    rows = (
        PaymentAllocation.objects.filter(
            payment__business_date=business_date,
            payment__status=Payment.Status.POSTED,
            payment__channel=Channel.COUNTER,  # lockbox/online money is not in the drawers
        )
        .values("fund")
        .annotate(cents=Sum("amount_cents"))
        .order_by("fund")
    )
    return {row["fund"]: int(row["cents"] or 0) for row in rows}


def day_totals_by_receipt_code(business_date: dt.date) -> dict[str, int]:
    """Posted receipts of the day per receipt code; utility account payments under ``UTILITY``."""
    rows = (
        Payment.objects.filter(
            business_date=business_date, status=Payment.Status.POSTED, channel=Channel.COUNTER
        )
        .values("receipt_code__code")
        .annotate(cents=Sum("amount_cents"))
        .order_by("receipt_code__code")
    )
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row["receipt_code__code"] or "UTILITY"] += int(row["cents"] or 0)
    return dict(sorted(totals.items()))


def sessions(*, business_date: dt.date | None = None, status: str | None = None) -> QuerySet[DrawerSession]:
    found = DrawerSession.objects.select_related("drawer", "drawer__location", "cashier", "approved_by")
    if business_date is not None:
        found = found.filter(business_date=business_date)
    if status is not None:
        found = found.filter(status=status)
    return found.order_by("business_date", "drawer__code", "pk")


def payment_for_receipt(receipt_number: str) -> Payment:
    payment = (
        Payment.objects.select_related(
            "account", "account__customer", "account__premise", "receipt_code", "session__drawer", "taken_by"
        )
        .prefetch_related("tenders", "allocations", "allocations__account")
        .filter(receipt_number=receipt_number)
        .first()
    )
    if payment is None:
        raise NotFoundError(f"There is no receipt {receipt_number}", field="receipt_number")
    return payment


def drawer_by_code(code: str) -> CashDrawer:
    drawer = CashDrawer.objects.select_related("location").filter(code=code).first()
    if drawer is None:
        raise NotFoundError(f"There is no drawer {code}", field="drawer")
    return drawer


@dataclass(frozen=True, slots=True)
class DepositItem:
    receipt_number: str
    kind: str  # check or money_order
    check_number: str
    bank_name: str
    amount_cents: int


def day_deposit_items(business_date: dt.date) -> list[DepositItem]:
    """The checks and money orders of the day's posted payments, for the deposit slip."""
    rows = (
        Tender.objects.filter(
            payment__business_date=business_date,
            payment__status=Payment.Status.POSTED,
            kind__in=CHECK_KINDS,
        )
        .order_by("payment__receipt_number", "pk")
        .values_list("payment__receipt_number", "kind", "check_number", "bank_name", "amount_cents")
    )
    return [DepositItem(*row) for row in rows]


def deposit_of_day(business_date: dt.date) -> Deposit:
    deposit = Deposit.objects.select_related("day_close").filter(business_date=business_date).first()
    if deposit is None:
        raise NotFoundError(f"Business day {business_date} is not closed: there is no deposit", field="date")
    return deposit
