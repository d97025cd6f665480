"""Reads of the ledger: balances, history, trial balance, subledger ties, check-books.

Set-based: each function runs a fixed number of queries whatever the number of accounts. SQL sums
only integer cents columns; amounts become :class:`Money` in Python.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from civicbill.core.money import Money
from civicbill.ledger import books, books_checks
from civicbill.ledger.books import BooksReport, FundTie, LineGroup
from civicbill.ledger.models import (
    AccountingPeriod,
    GLAccount,
    JournalEntry,
    JournalLine,
    PeriodCloseRecord,
    PeriodCloseTotal,
    SourceType,
)
from civicbill.ledger.posting import GLFacts, LineKey, PostingLine

__all__ = [
    "BooksReport",
    "FundTie",
    "HistoryRow",
    "ReceivableEntry",
    "TrialBalance",
    "TrialBalanceRow",
    "account_balance",
    "account_balance_by_service",
    "account_balances",
    "account_history",
    "check_books",
    "closed_months",
    "entry_posting_lines",
    "gl_account_ids",
    "gl_facts",
    "month_totals",
    "receivable_entries",
    "receivable_movements",
    "subledger_vs_control",
    "trial_balance",
]


def _int(value: int | Decimal | None) -> int:
    """A SQL sum of integer cents as an int (PostgreSQL returns SUM(bigint) as numeric)."""
    if value is None:
        return 0
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise ValueError(f"a sum of cents is not whole: {value}")
        return int(value)
    return int(value)


def _account_id(account: Any) -> int:
    return int(getattr(account, "pk", account))


def _chunked(ids: list[Any]) -> Iterator[list[Any]]:
    size = (connection.features.max_query_params or 10_000) - 1
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# -- chart ------------------------------------------------------------------------------------------
def gl_facts() -> dict[str, GLFacts]:
    """Every GL account, as the facts posting validation needs (one query)."""
    return {
        code: GLFacts(code, fund, is_control, service, is_active)
        for code, fund, is_control, service, is_active in GLAccount.objects.values_list(
            "code", "fund", "is_receivable_control", "service", "is_active"
        )
    }


def gl_account_ids() -> dict[str, int]:
    return dict(GLAccount.objects.values_list("code", "id"))


def closed_months() -> list[dt.date]:
    return list(
        AccountingPeriod.objects.filter(status=AccountingPeriod.Status.CLOSED)
        .order_by("month")
        .values_list("month", flat=True)
    )


def entry_posting_lines(entry: JournalEntry | uuid.UUID | str) -> list[PostingLine]:
    """An entry's lines as posting values, in the order they were posted."""
    rows = (
        JournalLine.objects.filter(entry_id=getattr(entry, "pk", entry))
        .order_by("id")
        .values_list(
            "gl_account__code", "debit_cents", "credit_cents", "customer_account_id", "service", "memo"
        )
    )
    return [
        PostingLine(code, Money.from_cents(debit), Money.from_cents(credit), account_id, service, memo)
        for code, debit, credit, account_id, service, memo in rows
    ]


# -- customer account balances ------------------------------------------------------------------------
def account_balance(account: Any) -> Money:
    """What the customer owes (positive) or has in credit (negative): receivable debits - credits."""
    totals = JournalLine.objects.filter(customer_account_id=_account_id(account)).aggregate(
        debit=Sum("debit_cents"), credit=Sum("credit_cents")
    )
    return Money.from_cents(_int(totals["debit"]) - _int(totals["credit"]))


def account_balance_by_service(account: Any) -> dict[str, Money]:
    """The balance per service (every service the account has receivable lines for)."""
    rows = (
        JournalLine.objects.filter(customer_account_id=_account_id(account))
        .values("service")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        .order_by("service")
    )
    return {row["service"]: Money.from_cents(_int(row["debit"]) - _int(row["credit"])) for row in rows}


def account_balances(account_ids: Iterable[int]) -> dict[int, Money]:
    """Balances of many accounts in one grouped query (per ~1,000 ids on SQLite); zero for an
    account without lines."""
    ids = sorted({int(account_id) for account_id in account_ids})
    balances = {account_id: Money.zero() for account_id in ids}
    for chunk in _chunked(ids):
        rows = (
            JournalLine.objects.filter(customer_account_id__in=chunk)
            .values("customer_account_id")
            .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
            .order_by()
        )
        for row in rows:
            balances[row["customer_account_id"]] = Money.from_cents(_int(row["debit"]) - _int(row["credit"]))
    return balances


def receivable_movements(
    account_ids: Iterable[int], *, posted_after: dt.datetime | None = None
) -> list[tuple[int, dt.datetime, str, int]]:
    """What each entry posted after ``posted_after`` (all when None) did to each account's receivable:
    ``(account_id, posted_at, source_type, net_cents)`` (debit-positive), one grouped query per
    ~1,000 ids on SQLite. The billing run splits these into payments and adjustments."""
    ids = sorted({int(account_id) for account_id in account_ids})
    result: list[tuple[int, dt.datetime, str, int]] = []
    for chunk in _chunked(ids):
        lines = JournalLine.objects.filter(customer_account_id__in=chunk)
        if posted_after is not None:
            lines = lines.filter(entry__posted_at__gt=posted_after)
        rows = (
            lines.values("customer_account_id", "entry_id", "entry__posted_at", "entry__source_type")
            .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
            .order_by()
        )
        result.extend(
            (
                row["customer_account_id"],
                row["entry__posted_at"],
                row["entry__source_type"],
                _int(row["debit"]) - _int(row["credit"]),
            )
            for row in rows
        )
    return result


class ReceivableEntry(NamedTuple):
    """One entry's net effect on one customer account's receivable (debit-positive)."""

    account_id: int
    posted_at: dt.datetime
    accounting_date: dt.date
    source_type: str
    reason: str
    net_cents: int


def receivable_entries(
    account_ids: Iterable[int], *, posted_after: dt.datetime | None = None, dated_after: dt.date | None = None
) -> list[ReceivableEntry]:
    """Every entry's net effect on each account's receivable, with its dates and reason: all of them,
    or those posted after ``posted_after`` or dated after ``dated_after`` (either). One grouped query
    per ~1,000 ids on SQLite. What a bill shows is chosen from these (billing.statement)."""
    ids = sorted({int(account_id) for account_id in account_ids})
    result: list[ReceivableEntry] = []
    since = Q()
    if posted_after is not None:
        since |= Q(entry__posted_at__gt=posted_after)
    if dated_after is not None:
        since |= Q(entry__accounting_date__gt=dated_after)
    for chunk in _chunked(ids):
        rows = (
            JournalLine.objects.filter(since, customer_account_id__in=chunk)
            .values(
                "customer_account_id",
                "entry_id",
                "entry__posted_at",
                "entry__accounting_date",
                "entry__source_type",
                "entry__reason",
            )
            .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
            .order_by()
        )
        result.extend(
            ReceivableEntry(
                row["customer_account_id"],
                row["entry__posted_at"],
                row["entry__accounting_date"],
                row["entry__source_type"],
                row["entry__reason"],
                _int(row["debit"]) - _int(row["credit"]),
            )
            for row in rows
        )
    return result


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One entry as it touched a customer account: a charge (+) or a credit (-), and the balance after."""

    accounting_date: dt.date
    posted_at: dt.datetime
    source_type: str
    source_label: str
    source_ref: str
    reason: str
    memo: str
    amount: Money
    balance: Money
    amounts_by_service: Mapping[str, Money]
    entry_id: uuid.UUID
    reverses_entry_id: uuid.UUID | None
    reversed_by_entry_id: uuid.UUID | None


def account_history(account: Any, limit: int | None = None) -> list[HistoryRow]:
    """The account's entries oldest → newest with a running balance (one query). With ``limit``,
    the most recent ``limit`` rows, their balances still counting everything before them."""
    lines = (
        JournalLine.objects.filter(customer_account_id=_account_id(account))
        .order_by("entry__accounting_date", "entry__posted_at", "id")
        .values_list(
            "entry_id",
            "entry__accounting_date",
            "entry__posted_at",
            "entry__source_type",
            "entry__source_ref",
            "entry__reason",
            "entry__memo",
            "entry__reverses_id",
            "entry__reversed_by__id",
            "service",
            "debit_cents",
            "credit_cents",
        )
    )
    labels = dict(SourceType.choices)
    order: list[uuid.UUID] = []
    headers: dict[uuid.UUID, tuple[Any, ...]] = {}
    by_service: dict[uuid.UUID, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for entry_id, *header, service, debit, credit in lines:
        if entry_id not in headers:
            order.append(entry_id)
            headers[entry_id] = tuple(header)
        by_service[entry_id][service or ""] += debit - credit  # service is set on every receivable line
    rows: list[HistoryRow] = []
    balance_cents = 0
    for entry_id in order:
        accounting_date, posted_at, source_type, source_ref, reason, memo, reverses_id, reversed_by_id = (
            headers[entry_id]
        )
        amount_cents = sum(by_service[entry_id].values())
        balance_cents += amount_cents
        rows.append(
            HistoryRow(
                accounting_date=accounting_date,
                posted_at=posted_at,
                source_type=source_type,
                source_label=labels.get(source_type, source_type),
                source_ref=source_ref,
                reason=reason,
                memo=memo,
                amount=Money.from_cents(amount_cents),
                balance=Money.from_cents(balance_cents),
                amounts_by_service={s: Money.from_cents(c) for s, c in sorted(by_service[entry_id].items())},
                entry_id=entry_id,
                reverses_entry_id=reverses_id,
                reversed_by_entry_id=reversed_by_id,
            )
        )
    return rows[-limit:] if limit else rows


# -- general ledger ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TrialBalanceRow:
    code: str
    name: str
    fund: str
    account_type: str
    debits: Money
    credits: Money

    @property
    def balance(self) -> Money:
        """Debit-positive: debits - credits (a revenue account's balance is negative)."""
        return self.debits - self.credits


@dataclass(frozen=True)
class TrialBalance:
    """Rows per GL account with activity; iterate it like a list of rows."""

    as_of: dt.date | None
    rows: tuple[TrialBalanceRow, ...]
    fund_totals: Mapping[str, tuple[Money, Money]] = field(default_factory=dict)  # fund -> (debits, credits)

    def __iter__(self) -> Iterator[TrialBalanceRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def total_debits(self) -> Money:
        return Money.from_cents(sum(row.debits.cents for row in self.rows))

    @property
    def total_credits(self) -> Money:
        return Money.from_cents(sum(row.credits.cents for row in self.rows))

    @property
    def is_balanced(self) -> bool:
        return self.total_debits == self.total_credits and all(d == c for d, c in self.fund_totals.values())


def trial_balance(as_of: dt.date | None = None) -> TrialBalance:
    """Debits, credits and balance per GL account over entries dated up to ``as_of`` (all when None)."""
    lines = JournalLine.objects.all()
    if as_of is not None:
        lines = lines.filter(entry__accounting_date__lte=as_of)
    sums = {
        row["gl_account_id"]: (_int(row["debit"]), _int(row["credit"]))
        for row in lines.values("gl_account_id")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        .order_by()
    }
    rows: list[TrialBalanceRow] = []
    fund_cents: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for account in GLAccount.objects.filter(id__in=sums).order_by("code"):
        debit, credit = sums[account.id]
        rows.append(
            TrialBalanceRow(
                account.code,
                account.name,
                account.fund,
                account.account_type,
                Money.from_cents(debit),
                Money.from_cents(credit),
            )
        )
        fund_cents[account.fund][0] += debit
        fund_cents[account.fund][1] += credit
    fund_totals = {
        fund: (Money.from_cents(d), Money.from_cents(c)) for fund, (d, c) in sorted(fund_cents.items())
    }
    return TrialBalance(as_of=as_of, rows=tuple(rows), fund_totals=fund_totals)


def _line_groups() -> list[LineGroup]:
    """All lines summed by GL account, line service and whether they name a customer account."""
    names_account = ExpressionWrapper(Q(customer_account__isnull=False), output_field=BooleanField())
    rows = (
        JournalLine.objects.annotate(names_account=names_account)
        .values("gl_account__code", "service", "names_account")
        .annotate(line_count=Count("id"), debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        .order_by()
    )
    return [
        LineGroup(
            row["gl_account__code"],
            row["service"],
            bool(row["names_account"]),
            row["line_count"],
            _int(row["debit"]),
            _int(row["credit"]),
        )
        for row in rows
    ]


def subledger_vs_control() -> list[FundTie]:
    """Each receivable control account's GL balance against the sum of the AR subledger for its service."""
    return books.subledger_ties(_line_groups(), gl_facts())


# -- check-books ------------------------------------------------------------------------------------
def _unbalanced_entry_candidates() -> list[books.EntryTotals]:
    rows = (
        JournalEntry.objects.annotate(
            line_count=Count("lines"),
            debit=Coalesce(Sum("lines__debit_cents"), Value(0)),
            credit=Coalesce(Sum("lines__credit_cents"), Value(0)),
        )
        .filter(Q(line_count__lt=2) | ~Q(debit=F("total_cents")) | ~Q(credit=F("total_cents")))
        .values_list("id", "total_cents", "line_count", "debit", "credit")
    )
    return [books.EntryTotals(str(i), total, count, _int(d), _int(c)) for i, total, count, d, c in rows]


def _line_facts(lines: Any, *, has_entry: bool) -> list[books.LineFacts]:
    return [
        books.LineFacts(line_id, str(entry_id), code, debit, credit, account_id, service, has_entry)
        for line_id, entry_id, code, debit, credit, account_id, service in lines.values_list(
            "id",
            "entry_id",
            "gl_account__code",
            "debit_cents",
            "credit_cents",
            "customer_account_id",
            "service",
        ).order_by("id")
    ]


def _malformed_line_candidates() -> list[books.LineFacts]:
    malformed = (
        Q(debit_cents__lt=0)
        | Q(credit_cents__lt=0)
        | Q(debit_cents__gt=0, credit_cents__gt=0)
        | Q(debit_cents=0, credit_cents=0)
        | Q(customer_account__isnull=True, service__isnull=False)
        | Q(customer_account__isnull=False, service__isnull=True)
    )
    return _line_facts(JournalLine.objects.filter(malformed), has_entry=True)


def _orphan_lines() -> list[books.LineFacts]:
    headerless = JournalLine.objects.filter(~Exists(JournalEntry.objects.filter(pk=OuterRef("entry_id"))))
    return _line_facts(headerless, has_entry=False)


def _reversal_facts() -> books.ReversalFacts:
    links = [
        books.ReversalLink(
            str(reversal_id),
            str(original_id),
            source_type,
            None if grand_original_id is None else str(grand_original_id),
        )
        for reversal_id, original_id, source_type, grand_original_id in JournalEntry.objects.filter(
            reverses__isnull=False
        ).values_list("id", "reverses_id", "source_type", "reverses__reverses_id")
    ]
    entry_ids = sorted({link.reversal_id for link in links} | {link.original_id for link in links})
    lines_by_entry: dict[str, list[LineKey]] = defaultdict(list)
    for chunk in _chunked([uuid.UUID(entry_id) for entry_id in entry_ids]):
        for entry_id, code, debit, credit, account_id, service in JournalLine.objects.filter(
            entry_id__in=chunk
        ).values_list(
            "entry_id", "gl_account__code", "debit_cents", "credit_cents", "customer_account_id", "service"
        ):
            lines_by_entry[str(entry_id)].append(LineKey(code, debit, credit, account_id, service))
    unlinked = JournalEntry.objects.filter(source_type=SourceType.REVERSAL, reverses__isnull=True)
    return books.ReversalFacts(
        links=links,
        lines_by_entry=lines_by_entry,
        unlinked_reversal_ids=[str(entry_id) for entry_id in unlinked.values_list("id", flat=True)],
    )


def _late_postings() -> list[books.LatePosting]:
    closed_before_posting = AccountingPeriod.objects.filter(
        status=AccountingPeriod.Status.CLOSED, month=OuterRef("month"), closed_at__lt=OuterRef("posted_at")
    )
    rows = (
        JournalEntry.objects.annotate(month=TruncMonth("accounting_date"))
        .filter(Exists(closed_before_posting))
        .annotate(closed_at=closed_before_posting.values("closed_at")[:1])
        .values_list("id", "accounting_date", "posted_at", "closed_at")
    )
    return [
        books.LatePosting(str(entry_id), f"{day:%Y-%m}", str(posted_at), str(closed_at))
        for entry_id, day, posted_at, closed_at in rows
    ]


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_totals(months: Iterable[dt.date]) -> dict[dt.date, books.MonthTotals]:
    """Per month (first days): the entry count and each GL account's line count, debits and credits,
    by accounting date. Two aggregate queries over the months' date range."""
    wanted = sorted(set(months))
    if not wanted:
        return {}
    in_range = Q(accounting_date__gte=wanted[0], accounting_date__lt=_next_month(wanted[-1]))
    entry_counts = {
        _as_date(month): count
        for month, count in JournalEntry.objects.filter(in_range)
        .annotate(month=TruncMonth("accounting_date"))
        .values("month")
        .annotate(count=Count("id"))
        .values_list("month", "count")
        .order_by()
    }
    by_month: dict[dt.date, dict[str, books.AccountTotals]] = defaultdict(dict)
    line_range = Q(entry__accounting_date__gte=wanted[0], entry__accounting_date__lt=_next_month(wanted[-1]))
    for month, code, count, debit, credit in (
        JournalLine.objects.filter(line_range)
        .annotate(month=TruncMonth("entry__accounting_date"))
        .values("month", "gl_account__code")
        .annotate(count=Count("id"), debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        .values_list("month", "gl_account__code", "count", "debit", "credit")
        .order_by()
    ):
        by_month[_as_date(month)][code] = books.AccountTotals(count, _int(debit), _int(credit))
    return {
        month: books.MonthTotals(f"{month:%Y-%m}", entry_counts.get(month, 0), by_month.get(month, {}))
        for month in wanted
    }


def _recorded_totals(records: list[PeriodCloseRecord]) -> dict[int, books.MonthTotals]:
    by_record: dict[int, dict[str, books.AccountTotals]] = defaultdict(dict)
    for record_id, code, count, debit, credit in PeriodCloseTotal.objects.filter(
        record_id__in=[record.pk for record in records]
    ).values_list("record_id", "gl_account__code", "line_count", "debit_cents", "credit_cents"):
        by_record[record_id][code] = books.AccountTotals(count, debit, credit)
    return {
        record.pk: books.MonthTotals(
            f"{record.month:%Y-%m}", record.entry_count, by_record.get(record.pk, {})
        )
        for record in records
    }


def _closed_month_facts() -> list[books.ClosedMonth]:
    periods = list(AccountingPeriod.objects.filter(status=AccountingPeriod.Status.CLOSED).order_by("month"))
    latest: dict[dt.date, PeriodCloseRecord] = {}
    for record in PeriodCloseRecord.objects.filter(month__in=[p.month for p in periods]).order_by(
        "month", "id"
    ):
        latest[record.month] = record
    recorded = _recorded_totals(list(latest.values()))
    current = month_totals(period.month for period in periods)
    return [
        books.ClosedMonth(
            f"{period.month:%Y-%m}",
            f"{period.closed_at:%Y-%m-%d %H:%M} UTC" if period.closed_at else "?",
            recorded[latest[period.month].pk] if period.month in latest else None,
            current[period.month],
        )
        for period in periods
    ]


def check_books() -> BooksReport:
    """Verify the whole ledger (a fixed number of aggregate queries) and name every problem found."""
    gl = gl_facts()
    groups = _line_groups()
    lines = _malformed_line_candidates()
    checks = (
        books.check_entries_balanced(_unbalanced_entry_candidates()),
        books.check_lines_well_formed(lines),
        books.check_orphan_lines(_orphan_lines()),
        books.check_trial_balance(groups),
        books.check_funds_balance(groups, gl),
        books.check_receivable_lines(groups, gl),
        books.check_subledger_ties(books.subledger_ties(groups, gl)),
        books.check_reversals(_reversal_facts()),
        books.check_closed_periods(_late_postings()),
        books.check_closed_period_totals(_closed_month_facts()),
        *books_checks.run_registered(),  # checks higher contexts add (collections: aging ties control)
    )
    return BooksReport(
        checks=checks,
        entry_count=JournalEntry.objects.count(),
        line_count=sum(group.line_count for group in groups),
    )


def receivable_movements_by_account(
    account_ids: Iterable[int],
) -> dict[int, list[tuple[str, str, dt.date, int]]]:
    """Every account's receivable movements ``(service, source_type, accounting_date, net_cents)``
    per entry and service, in the order :func:`account_history` lists them (one query per chunk of
    ids). For batch payment posting (lockbox), where a query per account is too slow."""
    ids = sorted({int(account_id) for account_id in account_ids})
    result: dict[int, list[tuple[str, str, dt.date, int]]] = {account_id: [] for account_id in ids}
    for lines in _receivable_lines(ids):
        nets: dict[tuple[int, uuid.UUID, str], list[Any]] = {}
        for account_id, entry_id, service, source_type, accounting_date, debit, credit in lines:
            key = (account_id, entry_id, service or "")
            if key in nets:
                nets[key][3] += debit - credit
            else:
                nets[key] = [service or "", source_type, accounting_date, debit - credit]
        for (account_id, _entry, _service), (service, source_type, day, net) in nets.items():
            if net:
                result[account_id].append((service, source_type, day, net))
    return result


def _receivable_lines(ids: list[int]) -> Iterator[Iterable[tuple[Any, ...]]]:
    """The receivable lines of the accounts ``ids`` ``(account id, entry id, service, source type,
    accounting date, debit, credit)`` in account, date, posting order; per chunk of ids. PostgreSQL
    takes the ids as one array parameter: Django binds parameters client-side, and an ``IN`` list of
    100,000 ids cost more to bind and parse than to run."""
    if connection.vendor == "postgresql":
        line, entry = (
            connection.ops.quote_name(model._meta.db_table) for model in (JournalLine, JournalEntry)
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT l.customer_account_id, l.entry_id, l.service, e.source_type, e.accounting_date, "  # noqa: S608
                f"l.debit_cents, l.credit_cents FROM {line} l JOIN {entry} e ON e.id = l.entry_id "
                "WHERE l.customer_account_id = ANY(%s::bigint[]) "
                "ORDER BY l.customer_account_id, e.accounting_date, e.posted_at, l.id",
                [ids],
            )
            yield cursor.fetchall()
        return
    for chunk in _chunked(ids):
        yield (
            JournalLine.objects.filter(customer_account_id__in=chunk)
            .order_by("customer_account_id", "entry__accounting_date", "entry__posted_at", "id")
            .values_list(
                "customer_account_id", "entry_id", "service", "entry__source_type", "entry__accounting_date",
                "debit_cents", "credit_cents",
            )
        )  # fmt: skip
