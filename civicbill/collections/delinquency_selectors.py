"""Gathering each account's delinquency from the ledger and the bills (set-based, chunked)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import F, Sum

from civicbill.billing.models import Bill
from civicbill.collections.delinquency import AccountDelinquency, BillRef, account_delinquency
from civicbill.core.chunks import slices
from civicbill.ledger.models import JournalLine
from civicbill.payments.allocation import Movement

CHUNK = 900  # ids per IN list (SQLite's variable limit leaves room for the other parameters)


def accounts_owing(as_of: dt.date) -> list[int]:
    """Accounts whose receivable balance on ``as_of`` (by accounting date) is above zero, by id."""
    rows = (
        JournalLine.objects.filter(customer_account__isnull=False, entry__accounting_date__lte=as_of)
        .values("customer_account_id")
        .annotate(net=Sum("debit_cents") - Sum("credit_cents"))
        .filter(net__gt=0)
        .order_by("customer_account_id")
        .values_list("customer_account_id", flat=True)
    )
    return list(rows)


def accounts_past_due(as_of: dt.date) -> list[int]:
    """Accounts that may have something past due on ``as_of``, by id: a service whose balance (by
    accounting date) is more than the charges of its issued bills not yet due (due on or after
    ``as_of``). Payments settle the oldest items first, so a service owing no more than its bills not
    yet due has nothing past due; the rest are the candidates :func:`delinquency_facts` examines.
    Two grouped queries, whatever the number of accounts."""
    balances: dict[tuple[int, str | None], int] = {}
    rows = (
        JournalLine.objects.filter(customer_account__isnull=False, entry__accounting_date__lte=as_of)
        .values("customer_account_id", "service")
        .annotate(net=Sum("debit_cents") - Sum("credit_cents"))
        .filter(net__gt=0)
        .values_list("customer_account_id", "service", "net")
    )
    for account_id, service, net in rows:
        balances[(account_id, service)] = int(net)
    not_due = (
        JournalLine.objects.filter(
            customer_account__isnull=False,
            entry__accounting_date__lte=as_of,
            entry__bill__due_date__gte=as_of,
            entry__bill__status=Bill.Status.ISSUED,
        )
        .values("customer_account_id", "service")
        .annotate(net=Sum("debit_cents") - Sum("credit_cents"))
        .values_list("customer_account_id", "service", "net")
    )
    for account_id, service, net in not_due:
        key = (account_id, service)
        if key in balances:
            balances[key] -= int(net)
    return sorted({account_id for (account_id, _), owed in balances.items() if owed > 0})


def delinquency_facts(account_ids: Iterable[int], as_of: dt.date) -> dict[int, AccountDelinquency]:
    """account id -> what it owes on ``as_of`` and since when, bill by bill: two queries per chunk."""
    ids = sorted({int(account_id) for account_id in account_ids})
    result: dict[int, AccountDelinquency] = {}
    for chunk in slices(ids, CHUNK):
        lines = (
            JournalLine.objects.filter(customer_account_id__in=chunk, entry__accounting_date__lte=as_of)
            .values("customer_account_id", "entry_id", "service")
            .annotate(
                day=F("entry__accounting_date"),
                posted=F("entry__posted_at"),
                source=F("entry__source_type"),
                debit=Sum("debit_cents"),
                credit=Sum("credit_cents"),
            )
            .order_by("customer_account_id", "entry__accounting_date", "entry__posted_at", "entry_id")
        )
        movements: dict[int, list[Movement]] = defaultdict(list)
        entry_services: dict[uuid.UUID, set[str]] = defaultdict(set)
        for row in lines:
            net = int(row["debit"] or 0) - int(row["credit"] or 0)
            entry_services[row["entry_id"]].add(row["service"])
            if net:
                movements[row["customer_account_id"]].append(
                    Movement(row["service"], row["source"], row["day"], net)
                )
        bills: dict[int, list[BillRef]] = defaultdict(list)
        bill_rows = Bill.objects.filter(
            account_id__in=chunk, journal_entry__isnull=False, journal_entry__accounting_date__lte=as_of
        ).values_list(
            "id",
            "account_id",
            "number",
            "journal_entry_id",
            "journal_entry__accounting_date",
            "bill_date",
            "due_date",
        )
        for bill_id, account_id, number, entry_id, day, bill_date, due_date in bill_rows:
            services = frozenset(entry_services.get(entry_id, ()))
            bills[account_id].append(BillRef(bill_id, number, day, bill_date, due_date, services))
        for account_id in chunk:
            result[account_id] = account_delinquency(
                account_id, movements.get(account_id, ()), bills.get(account_id, ())
            )
    return result
