"""Payment reports (issue 5): the cash receipts journal, the daily balance report and payments by
channel. Reads only, set-based (a few grouped queries per report, never one per payment); money is
integer cents. Each report is a :class:`Report` of plain tables (and, for the daily balance, ties)
that the pages, the API, the CSV and the PDF all render the same way.

What counts as money received on a day:

* a posted (not void) **payment** whose business date is the day: counter payments and misc
  receipts (by drawer, cashier and tender), lockbox and online payments (tender = their channel);
* a **suspense item** received that day (money in the bank not yet matched to an account; code
  ``SUSPENSE``). Applying it later makes a payment ``SU<item>``, which is a reclassification, not
  new money, so those payments are left out of the receipts (they would count the money twice).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.ledger import chart
from civicbill.ledger.models import JournalLine, SourceType
from civicbill.payments.models import (
    Channel,
    DayClose,
    Deposit,
    Payment,
    PaymentAllocation,
    ReturnedItem,
    SuspenseItem,
    Tender,
)

MAX_DAYS = 366
SUSPENSE_CODE = "SUSPENSE"
UTILITY_CODE = "UTILITY"
UNDEPOSITED_CODES = (
    chart.UNDEPOSITED_GENERAL,
    chart.UNDEPOSITED_WATER,
    chart.UNDEPOSITED_SEWER,
    chart.UNDEPOSITED_REFUSE,
)
FUND_OF_UNDEPOSITED = {
    chart.UNDEPOSITED_GENERAL: "general",
    chart.UNDEPOSITED_WATER: "water",
    chart.UNDEPOSITED_SEWER: "sewer",
    chart.UNDEPOSITED_REFUSE: "refuse",
}


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str | Promise
    money: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of plain values (money in cents in the ``money`` columns) and an optional total row."""

    key: str
    title: str | Promise
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    total: tuple[Any, ...] | None = None

    def as_dicts(self) -> list[dict[str, Any]]:
        keys = [column.key for column in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


@dataclass(frozen=True, slots=True)
class Tie:
    """Two figures that must be equal; the report shows OK or DIFFERENCE with both."""

    key: str
    label: str | Promise
    left_label: str | Promise
    left_cents: int
    right_label: str | Promise
    right_cents: int
    applies: bool = True  # False: cannot be checked yet (e.g. the day is not closed)

    @property
    def difference_cents(self) -> int:
        return self.left_cents - self.right_cents

    @property
    def ok(self) -> bool:
        return self.applies and self.difference_cents == 0

    @property
    def status(self) -> str:
        if not self.applies:
            return "PENDING"
        return "OK" if self.ok else "DIFFERENCE"


@dataclass(frozen=True)
class Report:
    name: str
    title: str | Promise
    date_from: dt.date
    date_to: dt.date
    tables: tuple[Table, ...]
    ties: tuple[Tie, ...] = ()
    notes: tuple[str | Promise, ...] = field(default_factory=tuple)

    @property
    def period(self) -> str:
        if self.date_from == self.date_to:
            return self.date_from.isoformat()
        return f"{self.date_from.isoformat()} – {self.date_to.isoformat()}"

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (money in integer cents)."""
        return {
            "name": self.name,
            "title": str(self.title),
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "tables": {
                table.key: {
                    "title": str(table.title),
                    "columns": [column.key for column in table.columns],
                    "rows": table.as_dicts(),
                    "total": dict(zip([c.key for c in table.columns], table.total, strict=True))
                    if table.total
                    else None,
                }
                for table in self.tables
            },
            "ties": [
                {
                    "key": tie.key,
                    "label": str(tie.label),
                    "left": str(tie.left_label),
                    "left_cents": tie.left_cents,
                    "right": str(tie.right_label),
                    "right_cents": tie.right_cents,
                    "difference_cents": tie.difference_cents,
                    "status": tie.status,
                }
                for tie in self.ties
            ],
        }


def check_period(date_from: dt.date, date_to: dt.date) -> None:
    if date_to < date_from:
        raise ApplicationError(
            f"The period ends ({date_to}) before it starts ({date_from})", code="bad_period", field="to"
        )
    if (date_to - date_from).days >= MAX_DAYS:
        raise ApplicationError(
            f"A report covers at most {MAX_DAYS} days; {date_from} to {date_to} is "
            f"{(date_to - date_from).days + 1}",
            code="period_too_long",
            field="to",
        )


def _received_payments(date_from: dt.date, date_to: dt.date) -> Any:
    """Posted payments of the period that are money received (not suspense applications)."""
    return Payment.objects.filter(
        business_date__gte=date_from,
        business_date__lte=date_to,
        status=Payment.Status.POSTED,
        suspense_item__isnull=True,
    )


def _sum_table(key: str, title: str | Promise, label: str | Promise, totals: dict[Any, list[int]]) -> Table:
    """A subtotal table: label, count, amount."""
    rows = tuple((name, count, cents) for name, (count, cents) in sorted(totals.items()))
    return Table(
        key,
        title,
        (Column("name", label), Column("count", _("Count")), Column("amount_cents", _("Amount"), money=True)),
        rows,
        ("", sum(r[1] for r in rows), sum(r[2] for r in rows)),
    )


# -- cash receipts journal ---------------------------------------------------------------------------
def cash_receipts_journal(*, date_from: dt.date, date_to: dt.date) -> Report:
    """Every receipt of the period (voids listed, not counted) with subtotals by day, drawer,
    cashier, tender and receipt code."""
    check_period(date_from, date_to)
    payments = list(
        Payment.objects.filter(
            business_date__gte=date_from, business_date__lte=date_to, suspense_item__isnull=True
        )
        .order_by("business_date", "received_at", "pk")
        .values(
            "pk",
            "receipt_number",
            "business_date",
            "channel",
            "status",
            "amount_cents",
            "account__number",
            "receipt_code__code",
            "session__drawer__code",
            "taken_by__username",
            "payer_name",
        )
    )
    tenders: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for payment_id, kind, cents in Tender.objects.filter(
        payment__business_date__gte=date_from, payment__business_date__lte=date_to
    ).values_list("payment_id", "kind", "amount_cents"):
        tenders[payment_id][kind] += cents
    suspense = list(
        SuspenseItem.objects.filter(deposit_date__gte=date_from, deposit_date__lte=date_to)
        .order_by("deposit_date", "pk")
        .values(
            "pk",
            "deposit_date",
            "channel",
            "amount_cents",
            "payer_name",
            "payment_import__imported_by__username",
        )
    )
    by_day: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    by_drawer: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    by_cashier: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    by_tender: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    by_code: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    detail: list[tuple[Any, ...]] = []

    def add(totals: dict[Any, list[int]], name: Any, cents: int) -> None:
        totals[name][0] += 1
        totals[name][1] += cents

    for p in payments:
        drawer = p["session__drawer__code"] or p["channel"]
        code = p["receipt_code__code"] or UTILITY_CODE
        kinds = tenders.get(p["pk"]) or {p["channel"]: p["amount_cents"]}
        tender_text = " + ".join(sorted(kinds))
        posted = p["status"] == Payment.Status.POSTED
        detail.append(
            (
                p["business_date"].isoformat(),
                p["receipt_number"],
                p["channel"],
                drawer,
                p["taken_by__username"],
                p["account__number"] or "",
                code,
                tender_text,
                "VOID" if not posted else "",
                p["amount_cents"] if posted else 0,
            )
        )
        if not posted:
            continue
        add(by_day, p["business_date"].isoformat(), p["amount_cents"])
        add(by_drawer, drawer, p["amount_cents"])
        add(by_cashier, p["taken_by__username"], p["amount_cents"])
        add(by_code, code, p["amount_cents"])
        for kind, cents in kinds.items():
            add(by_tender, kind, cents)
    for item in suspense:
        day = item["deposit_date"].isoformat()
        who = item["payment_import__imported_by__username"] or ""
        detail.append(
            (
                day,
                f"S{item['pk']}",
                item["channel"],
                item["channel"],
                who,
                "",
                SUSPENSE_CODE,
                item["channel"],
                "",
                item["amount_cents"],
            )
        )
        add(by_day, day, item["amount_cents"])
        add(by_drawer, item["channel"], item["amount_cents"])
        add(by_cashier, who, item["amount_cents"])
        add(by_code, SUSPENSE_CODE, item["amount_cents"])
        add(by_tender, item["channel"], item["amount_cents"])
    detail.sort(key=lambda row: (row[0], row[1]))
    columns = (
        Column("date", _("Date")),
        Column("receipt", _("Receipt")),
        Column("channel", _("Channel")),
        Column("drawer", _("Drawer")),
        Column("cashier", _("Cashier")),
        Column("account", _("Account")),
        Column("code", _("Code")),
        Column("tender", _("Tender")),
        Column("status", _("Status")),
        Column("amount_cents", _("Amount"), money=True),
    )
    total_cents = sum(row[-1] for row in detail)
    return Report(
        "cash-receipts",
        _("Cash receipts journal"),
        date_from,
        date_to,
        (
            Table(
                "receipts",
                _("Receipts"),
                columns,
                tuple(detail),
                ("", "", "", "", "", "", "", "", "", total_cents),
            ),
            _sum_table("by_day", _("By day"), _("Date"), by_day),
            _sum_table("by_drawer", _("By drawer"), _("Drawer"), by_drawer),
            _sum_table("by_cashier", _("By cashier"), _("Cashier"), by_cashier),
            _sum_table("by_tender", _("By tender"), _("Tender"), by_tender),
            _sum_table("by_code", _("By receipt code"), _("Code"), by_code),
        ),
        notes=(
            _(
                "Void receipts are listed with 0.00 and not counted. Suspense items are money received "
                "but not yet matched to an account."
            ),
        ),
    )


# -- daily balance -----------------------------------------------------------------------------------
def _undeposited_by_fund(business_date: dt.date, source_types: tuple[str, ...]) -> dict[str, int]:
    """Net debit (debit - credit) to each fund's undeposited funds account on the date, from
    entries of the given source types (one grouped query)."""
    rows = (
        JournalLine.objects.filter(
            entry__accounting_date=business_date,
            entry__source_type__in=source_types,
            gl_account__code__in=UNDEPOSITED_CODES,
        )
        .values("gl_account__code")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
    )
    return {
        FUND_OF_UNDEPOSITED[row["gl_account__code"]]: int(row["debit"] or 0) - int(row["credit"] or 0)
        for row in rows
    }


def daily_balance(*, business_date: dt.date) -> Report:
    """Counter receipts of a day tied three ways: receipts = tenders = allocations by fund;
    receipts = the journal's postings to undeposited funds; receipts + over/short = the deposit
    (+ card settlement) = what the deposit entry moved to cash."""
    counter = Payment.objects.filter(
        business_date=business_date, status=Payment.Status.POSTED, channel=Channel.COUNTER
    )
    receipts = counter.aggregate(n=Count("pk"), cents=Sum("amount_cents"))
    receipts_cents = int(receipts["cents"] or 0)
    tender_cents = int(
        Tender.objects.filter(
            payment__business_date=business_date,
            payment__status=Payment.Status.POSTED,
            payment__channel=Channel.COUNTER,
        ).aggregate(cents=Sum("amount_cents"))["cents"]
        or 0
    )
    allocations = {
        row["fund"]: int(row["cents"] or 0)
        for row in PaymentAllocation.objects.filter(
            payment__business_date=business_date,
            payment__status=Payment.Status.POSTED,
            payment__channel=Channel.COUNTER,
        )
        .values("fund")
        .annotate(cents=Sum("amount_cents"))
    }
    postings = _undeposited_by_fund(business_date, (SourceType.PAYMENT, SourceType.REVERSAL))
    over_short = _undeposited_by_fund(business_date, (SourceType.DRAWER,))
    deposited = {
        fund: -cents for fund, cents in _undeposited_by_fund(business_date, (SourceType.DEPOSIT,)).items()
    }
    closed = DayClose.objects.filter(business_date=business_date).first()
    deposit = Deposit.objects.filter(business_date=business_date).first()
    over_short_cents = sum(over_short.values())
    deposit_cents = (deposit.total_cents + deposit.card_cents) if deposit else 0
    is_closed = closed is not None and deposit is not None
    funds = sorted(set(allocations) | set(postings) | set(over_short) | set(deposited))
    fund_rows = tuple(
        (
            fund,
            allocations.get(fund, 0),
            postings.get(fund, 0),
            over_short.get(fund, 0),
            deposited.get(fund, 0),
            "OK"
            if allocations.get(fund, 0) == postings.get(fund, 0)
            and (not is_closed or postings.get(fund, 0) + over_short.get(fund, 0) == deposited.get(fund, 0))
            else "DIFFERENCE",
        )
        for fund in funds
    )
    fund_table = Table(
        "by_fund",
        _("By fund"),
        (
            Column("fund", _("Fund")),
            Column("receipts_cents", _("Receipts"), money=True),
            Column("postings_cents", _("Journal postings"), money=True),
            Column("over_short_cents", _("Over/short"), money=True),
            Column("deposit_cents", _("Deposited"), money=True),
            Column("status", _("Status")),
        ),
        fund_rows,
        (
            "",
            sum(allocations.values()),
            sum(postings.values()),
            over_short_cents,
            sum(deposited.values()),
            "",
        ),
    )
    deposit_table = Table(
        "deposit",
        _("Deposit"),
        (Column("item", _("Item")), Column("amount_cents", _("Amount"), money=True)),
        (
            (str(_("Cash")), deposit.cash_cents if deposit else 0),
            (str(_("Checks and money orders")), deposit.checks_cents if deposit else 0),
            (str(_("Deposit slip total")), deposit.total_cents if deposit else 0),
            (str(_("Card settlement (not on the slip)")), deposit.card_cents if deposit else 0),
        ),
    )
    ties = (
        Tie("tenders", _("Receipts = tenders"), _("Receipts"), receipts_cents, _("Tenders"), tender_cents),
        Tie(
            "allocations",
            _("Receipts = allocations by fund"),
            _("Receipts"),
            receipts_cents,
            _("Allocations"),
            sum(allocations.values()),
        ),
        Tie(
            "postings",
            _("Receipts = journal postings"),
            _("Receipts"),
            receipts_cents,
            _("Posted to undeposited funds"),
            sum(postings.values()),
        ),
        Tie(
            "deposit",
            _("Receipts + over/short = deposit + card settlement"),
            _("Receipts + over/short"),
            receipts_cents + over_short_cents,
            _("Deposit + cards"),
            deposit_cents,
            applies=is_closed,
        ),
        Tie(
            "deposit_entry",
            _("Deposit = deposit entry in the journal"),
            _("Deposit + cards"),
            deposit_cents,
            _("Moved to cash"),
            sum(deposited.values()),
            applies=is_closed,
        ),
    )
    summary = Table(
        "summary",
        _("Day"),
        (Column("item", _("Item")), Column("value", _("Value"))),
        (
            (str(_("Business date")), business_date.isoformat()),
            (str(_("Day closed")), str(_("yes")) if is_closed else str(_("no"))),
            (str(_("Counter payments")), int(receipts["n"] or 0)),
            (
                str(_("Void payments")),
                Payment.objects.filter(
                    business_date=business_date, status=Payment.Status.VOIDED, channel=Channel.COUNTER
                ).count(),
            ),
        ),
    )
    return Report(
        "daily-balance",
        _("Daily balance report"),
        business_date,
        business_date,
        (summary, fund_table, deposit_table),
        ties,
        notes=(
            _(
                "Counter receipts only: lockbox and online payments go straight to cash and are in "
                "“Payments by channel”. The deposit ties show PENDING until the day is closed."
            ),
        ),
    )


# -- payments by channel -----------------------------------------------------------------------------
def payments_by_channel(*, date_from: dt.date, date_to: dt.date) -> Report:
    """Per channel: payments posted to accounts, money held in suspense, voids and returned payments."""
    check_period(date_from, date_to)
    channels = [choice.value for choice in Channel]
    counts: dict[str, dict[str, int]] = {c: defaultdict(int) for c in channels}
    for row in (
        Payment.objects.filter(
            business_date__gte=date_from, business_date__lte=date_to, suspense_item__isnull=True
        )
        .values("channel")
        .annotate(
            posted_n=Count("pk", filter=Q(status=Payment.Status.POSTED)),
            posted=Sum("amount_cents", filter=Q(status=Payment.Status.POSTED)),
            void_n=Count("pk", filter=Q(status=Payment.Status.VOIDED)),
            void=Sum("amount_cents", filter=Q(status=Payment.Status.VOIDED)),
        )
    ):
        counts[row["channel"]].update(
            posted_n=row["posted_n"],
            posted=int(row["posted"] or 0),
            void_n=row["void_n"],
            void=int(row["void"] or 0),
        )
    for row in (
        SuspenseItem.objects.filter(deposit_date__gte=date_from, deposit_date__lte=date_to)
        .values("channel")
        .annotate(n=Count("pk"), cents=Sum("amount_cents"))
    ):
        counts[row["channel"]].update(suspense_n=row["n"], suspense=int(row["cents"] or 0))
    for row in (
        ReturnedItem.objects.filter(returned_on__gte=date_from, returned_on__lte=date_to)
        .values("payment__channel")
        .annotate(n=Count("pk"), cents=Sum("payment__amount_cents"))
    ):
        counts[row["payment__channel"]].update(returned_n=row["n"], returned=int(row["cents"] or 0))
    rows: list[tuple[Any, ...]] = []
    for channel in channels:
        c = counts[channel]
        received = c["posted"] + c["suspense"]
        rows.append(
            (
                channel,
                c["posted_n"],
                c["posted"],
                c["suspense_n"],
                c["suspense"],
                c["void_n"],
                c["void"],
                c["returned_n"],
                c["returned"],
                received - c["returned"],
            )
        )
    columns = (
        Column("channel", _("Channel")),
        Column("payments", _("Payments")),
        Column("payments_cents", _("Posted to accounts"), money=True),
        Column("suspense", _("Suspense items")),
        Column("suspense_cents", _("To suspense"), money=True),
        Column("voids", _("Voids")),
        Column("voids_cents", _("Voided"), money=True),
        Column("returned", _("Returned")),
        Column("returned_cents", _("Returned amount"), money=True),
        Column("net_cents", _("Net received"), money=True),
    )
    total = ("", *(sum(row[i] for row in rows) for i in range(1, len(columns))))
    by_day: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in (
        _received_payments(date_from, date_to)
        .values("business_date", "channel")
        .annotate(n=Count("pk"), cents=Sum("amount_cents"))
    ):
        by_day[(row["business_date"].isoformat(), row["channel"])][0] += row["n"]
        by_day[(row["business_date"].isoformat(), row["channel"])][1] += int(row["cents"] or 0)
    for row in (
        SuspenseItem.objects.filter(deposit_date__gte=date_from, deposit_date__lte=date_to)
        .values("deposit_date", "channel")
        .annotate(n=Count("pk"), cents=Sum("amount_cents"))
    ):
        by_day[(row["deposit_date"].isoformat(), row["channel"])][0] += row["n"]
        by_day[(row["deposit_date"].isoformat(), row["channel"])][1] += int(row["cents"] or 0)
    day_rows = tuple((day, channel, n, cents) for (day, channel), (n, cents) in sorted(by_day.items()))
    return Report(
        "by-channel",
        _("Payments by channel"),
        date_from,
        date_to,
        (
            Table("channels", _("By channel"), columns, tuple(rows), total),
            Table(
                "by_day",
                _("Received by day and channel"),
                (
                    Column("date", _("Date")),
                    Column("channel", _("Channel")),
                    Column("count", _("Count")),
                    Column("amount_cents", _("Amount"), money=True),
                ),
                day_rows,
                ("", "", sum(r[2] for r in day_rows), sum(r[3] for r in day_rows)),
            ),
        ),
        notes=(
            _(
                "Net received = posted to accounts + to suspense − returned. Voided payments are not "
                "counted; suspense items applied later are not counted again."
            ),
        ),
    )


REPORTS = {
    "cash-receipts": _("Cash receipts journal"),
    "daily-balance": _("Daily balance report"),
    "by-channel": _("Payments by channel"),
}


def report_build(name: str, *, date_from: dt.date, date_to: dt.date | None = None) -> Report:
    """The report called ``name`` for the period (the daily balance takes one date: ``date_from``)."""
    date_to = date_to or date_from
    if name == "cash-receipts":
        return cash_receipts_journal(date_from=date_from, date_to=date_to)
    if name == "daily-balance":
        return daily_balance(business_date=date_from)
    if name == "by-channel":
        return payments_by_channel(date_from=date_from, date_to=date_to)
    raise NotFoundError(f"There is no report {name!r}; use one of {', '.join(REPORTS)}", field="name")
