"""The aging report gathered set-based from the ledger, and its check in ``check-books``.

One pass over the accounts in id order, in chunks: per chunk one aggregate query gives each account's
balance per service on the date; only accounts owing something on a service have their open items
rebuilt (collections.delinquency_selectors.delinquency_facts, two queries per chunk); the pure
collections.aging buckets them. An account in credit or at zero costs no item query. The GL receivable
control per fund is one aggregate query.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Max, Sum

from civicbill.collections.aging import AgingTable, account_aging, aging_tie_check
from civicbill.collections.delinquency_selectors import delinquency_facts
from civicbill.core.utility_services import FUND_FOR_SERVICE
from civicbill.customers.models import Account
from civicbill.ledger.books import BookCheck
from civicbill.ledger.models import JournalEntry, JournalLine

CHUNK = 900  # ids per IN list (SQLite's variable limit)
GROUPINGS = ("account", "service", "fund", "class", "cycle")


@dataclass(frozen=True, slots=True)
class AccountRef:
    account_id: int
    number: str
    premise_type: str
    cycle: int


def _accounts(*, premise_type: str | None, cycle: int | None) -> Iterator[list[AccountRef]]:
    """Every account (filtered), by id, in chunks."""
    accounts = Account.objects.all()
    if premise_type:
        accounts = accounts.filter(premise__premise_type=premise_type)
    if cycle is not None:
        accounts = accounts.filter(premise__billing_cycle=cycle)
    rows = accounts.order_by("id").values_list(
        "id", "number", "premise__premise_type", "premise__billing_cycle"
    )
    chunk: list[AccountRef] = []
    for account_id, number, kind, billing_cycle in rows.iterator(chunk_size=10_000):
        chunk.append(AccountRef(account_id, number, kind, billing_cycle))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _service_balances(ids: list[int], as_of: dt.date) -> dict[int, dict[str, int]]:
    rows = (
        JournalLine.objects.filter(customer_account_id__in=ids, entry__accounting_date__lte=as_of)
        .values("customer_account_id", "service")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        .values_list("customer_account_id", "service", "debit", "credit")
    )
    balances: dict[int, dict[str, int]] = defaultdict(dict)
    for account_id, service, debit, credit in rows:
        net = int(debit or 0) - int(credit or 0)
        if net:
            balances[account_id][service or ""] = net
    return balances


def _group(by: str, ref: AccountRef, service: str) -> str:
    if by == "account":
        return ref.number
    if by == "service":
        return service
    if by == "fund":
        return str(FUND_FOR_SERVICE.get(service, "general"))
    if by == "class":
        return ref.premise_type
    return str(ref.cycle)


def aging_report(
    as_of: dt.date,
    *,
    by: str = "fund",
    service: str | None = None,
    premise_type: str | None = None,
    cycle: int | None = None,
) -> AgingTable:
    """The aging on ``as_of`` grouped ``by`` account (its number), service, fund, class (premise type)
    or cycle, optionally only one service, premise type or billing cycle. Totals per bucket and per
    fund come with it; ``problems`` lists open items that do not add up to a balance (none expected)."""
    if by not in GROUPINGS:
        raise ValueError(f"aging by {by!r}: expected one of {', '.join(GROUPINGS)}")
    table = AgingTable(as_of=as_of, by=by)
    for refs in _accounts(premise_type=premise_type, cycle=cycle):
        ids = [ref.account_id for ref in refs]
        balances = _service_balances(ids, as_of)
        if service:
            balances = {
                account_id: {s: c for s, c in by_service.items() if s == service}
                for account_id, by_service in balances.items()
            }
        owing = [
            account_id
            for account_id, by_service in balances.items()
            if any(c > 0 for c in by_service.values())
        ]
        facts = delinquency_facts(owing, as_of) if owing else {}
        for ref in refs:
            by_service = balances.get(ref.account_id)
            if not by_service:
                continue
            items = facts[ref.account_id].items if ref.account_id in facts else ()
            if service:
                items = tuple(item for item in items if item.service == service)
            agings, problems = account_aging(ref.account_id, items, by_service, as_of)
            table.problems.extend(f"{ref.number}: {problem}" for problem in problems)
            for aging in agings:
                table.add(
                    aging,
                    group=_group(by, ref, aging.service),
                    fund=str(FUND_FOR_SERVICE.get(aging.service, "general")),
                )
    return table


def receivable_control_by_fund(as_of: dt.date) -> dict[str, int]:
    """Each fund's GL receivable control balance on ``as_of`` (every line on its control accounts)."""
    rows = (
        JournalLine.objects.filter(gl_account__is_receivable_control=True, entry__accounting_date__lte=as_of)
        .values("gl_account__fund")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        .values_list("gl_account__fund", "debit", "credit")
    )
    return {fund: int(debit or 0) - int(credit or 0) for fund, debit, credit in rows}


def aging_books_check(as_of: dt.date | None = None) -> BookCheck:
    """check-books: the aging per fund equals the GL receivable control per fund, on ``as_of`` (by
    default the latest accounting date in the journal, so every posted line counts)."""
    if as_of is None:
        latest = JournalEntry.objects.aggregate(day=Max("accounting_date"))["day"]
        if latest is None:
            return aging_tie_check({}, {}, as_of=dt.date(1970, 1, 1))
        as_of = latest
    table = aging_report(as_of, by="fund")
    aging = {fund: row.total_cents for fund, row in table.funds.items()}
    control = receivable_control_by_fund(as_of)
    # a fund with nothing on either side is not worth a line
    aging = {fund: cents for fund, cents in aging.items() if cents or control.get(fund)}
    control = {fund: cents for fund, cents in control.items() if cents or aging.get(fund)}
    return aging_tie_check(aging, control, as_of=as_of, problems=table.problems)
