"""The daily balance report: a day's counter receipts tied to their tenders and allocations, to the
journal's postings to undeposited funds, and to the deposit."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from civicbill.ledger import chart
from civicbill.ledger.models import JournalLine, SourceType
from civicbill.payments.models import Channel, DayClose, Deposit, Payment, PaymentAllocation, Tender
from civicbill.payments.reports.tables import Column, Report, Table, Tie

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
