"""Gathering what a bill needs, for many accounts at once (reads only).

:func:`gather_facts` runs a fixed handful of queries for a set of accounts (a range of one cycle's
accounts, or a few named accounts; the meters' tables are queried with that set as a subquery, never
a list of ids) and returns one :class:`~civicbill.billing.calculation.AccountFacts`
each: agreements in effect in the period, premise type and dwelling units, the water service point's
use from :func:`civicbill.meters.usage.consumption_for_period`, the reads shown on the bill, the
receivable balance and the payments since the last bill from the ledger's selectors, and the
account's usual bill, the high-bill baseline (:func:`_usual_bills`). Never a query per account.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber

from civicbill.billing import statement
from civicbill.billing.calculation import (
    AccountFacts,
    AgreementFacts,
    WaterFacts,
    usual_bill_cents,
    winter_average,
)
from civicbill.billing.models import Bill, BillException, BillKind
from civicbill.billing.periods import WINTER_MONTHS, add_months, winter_window
from civicbill.core.utility_services import Service
from civicbill.customers.models import Account, ServiceAgreement
from civicbill.ledger import selectors as ledger_selectors
from civicbill.meters.models import Read, ReadStatus, ServicePoint
from civicbill.meters.usage import PeriodConsumption, consumption_for_period
from civicbill.rates.classes import customer_class_for_premise_type

READ_LOOKBACK_DAYS = 100  # how far before the period the "previous read" shown on a bill may be
BILLED_STATUSES = (Account.Status.ACTIVE, Account.Status.FINAL)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which accounts: one cycle's accounts with ids in [first_id, last_id], or the named ids."""

    cycle_number: int | None = None
    first_id: int | None = None
    last_id: int | None = None
    account_ids: tuple[int, ...] = ()

    def accounts(self, prefix: str = "") -> Q:
        if self.account_ids:
            return Q(**{f"{prefix}id__in": self.account_ids})
        condition = Q(**{f"{prefix}premise__billing_cycle": self.cycle_number})
        if self.first_id is not None:
            condition &= Q(**{f"{prefix}id__gte": self.first_id})
        if self.last_id is not None:
            condition &= Q(**{f"{prefix}id__lte": self.last_id})
        return condition


def cycle_account_ids(*, cycle_number: int, period_start: dt.date, period_end: dt.date) -> list[int]:
    """Accounts of the cycle with an agreement in effect on some day of the period, active or final
    (moved out, not yet final-billed), ascending."""
    in_effect = Q(start_date__lte=period_end) & (Q(end_date__isnull=True) | Q(end_date__gte=period_start))
    ids = (
        ServiceAgreement.objects.filter(
            in_effect,
            account__premise__billing_cycle=cycle_number,
            account__status__in=BILLED_STATUSES,
        )
        .values_list("account_id", flat=True)
        .distinct()
        .order_by("account_id")
    )
    return list(ids)


def final_billed_account_ids(account_ids: list[int]) -> set[int]:
    """Accounts with a final bill (not cancelled): the regular run leaves them alone."""
    found: set[int] = set()
    for start in range(0, len(account_ids), 900):
        found.update(
            Bill.objects.filter(account_id__in=account_ids[start : start + 900], kind=BillKind.FINAL)
            .exclude(status=Bill.Status.CANCELLED)
            .values_list("account_id", flat=True)
        )
    return found


def gather_facts(
    *,
    scope: Scope,
    period: dt.date,
    period_start: dt.date,
    period_end: dt.date,
    reads_after: dt.date,
    reads_through: dt.date,
    bill_date: dt.date | None = None,
) -> dict[int, AccountFacts]:
    """Facts for the accounts of ``scope`` that have an agreement in effect in the period; the
    balance and payments as of ``bill_date`` (entries dated after it wait for the next bill)."""
    in_effect = Q(agreements__start_date__lte=period_end) & (
        Q(agreements__end_date__isnull=True) | Q(agreements__end_date__gte=period_start)
    )
    # from the accounts (a range of their primary key) to their agreements: an index range scan,
    # whatever the share of the table one chunk is
    rows = (
        Account.objects.filter(scope.accounts())
        .filter(in_effect)
        .order_by("id", "agreements__service", "agreements__start_date")
        .values_list(
            "id",
            "agreements__service",
            "agreements__rate_schedule_code",
            "agreements__start_date",
            "agreements__end_date",
            "agreements__containers",
            "agreements__container_size",
            "agreements__service_size",
            "number",
            "premise_id",
            "premise__premise_type",
            "premise__dwelling_units",
            "customer__preferred_language",
        )
    )
    agreements: dict[int, list[AgreementFacts]] = defaultdict(list)
    accounts: dict[int, tuple[Any, ...]] = {}
    # most accounts share their agreements' terms and their premise's class: one object each
    shared: dict[tuple[Any, ...], AgreementFacts] = {}
    classes: dict[str, str] = {}
    for (
        account_id, service, code, start, end, containers, container_size, service_size,
        number, premise_id, premise_type, units, language,
    ) in rows:  # fmt: skip
        terms = (service, code, start, end, containers, container_size, service_size)
        agreement = shared.get(terms)
        if agreement is None:
            agreement = shared[terms] = AgreementFacts(*terms)
        agreements[account_id].append(agreement)
        if premise_type not in classes:
            classes[premise_type] = customer_class_for_premise_type(premise_type)
        accounts[account_id] = (number, premise_id, premise_type, units, language)
    if not accounts:
        return {}
    account_ids = sorted(accounts)
    water = _water_facts(scope, reads_after, reads_through)
    balances = ledger_selectors.account_balances(account_ids)
    history = _bill_history(scope, period)
    payments, previous, later = _since_last_bill(account_ids, history, bill_date)
    winter = _winter_averages(scope, period)
    usual = _usual_bills(scope, period)
    facts: dict[int, AccountFacts] = {}
    for account_id in account_ids:
        number, premise_id, premise_type, units, language = accounts[account_id]
        point = water.get(premise_id)
        facts[account_id] = AccountFacts(
            account_id=account_id,
            number=number,
            language=language,
            premise_type=premise_type,
            dwelling_units=units,
            customer_class=classes[premise_type],
            agreements=tuple(agreements[account_id]),
            water=None if point is None else point.for_occupant(agreements[account_id]),
            balance_now_cents=balances[account_id].cents - later.get(account_id, 0),
            previous_balance_cents=previous.get(account_id, 0),
            payments_cents=payments.get(account_id, 0),
            usual_bill_cents=usual.get(account_id),
            winter_average_hcf=winter.get(account_id),
        )
    return facts


@dataclass(frozen=True, slots=True)
class _PointWater:
    """A premise's water service point over the period: its use and the reads to show, and the whole
    period's facts (shared by every account whose service spans the period)."""

    used: PeriodConsumption
    reads: tuple[tuple[dt.date, Decimal, str], ...]  # (read_on, value, meter serial), oldest first
    reads_after: dt.date
    whole: WaterFacts

    def for_occupant(self, agreements: list[AgreementFacts]) -> WaterFacts:
        """The period's use that belongs to the account with these agreements (from the read at its
        start to the read at its end: :meth:`PeriodConsumption.occupancy_bounds`)."""
        rows = self.used.read_rows
        if not rows:
            return self.whole
        start = agreements[0].start_date
        end = agreements[0].end_date
        open_ended = end is None
        for agreement in agreements:  # a loop: this runs for every account of the run
            if agreement.start_date < start:
                start = agreement.start_date
            if agreement.end_date is None:
                open_ended = True
            elif end is None or agreement.end_date > end:
                end = agreement.end_date
        if open_ended and start < rows[0][1]:
            return self.whole  # in service before the period's first read and still: the whole period
        after, through = self.used.occupancy_bounds(start, None if open_ended else end)
        if after is None and through is None:
            return self.whole
        return _water(self.used.between(after, through), self.reads, after or self.reads_after, through)


def _water(
    used: PeriodConsumption,
    reads: tuple[tuple[dt.date, Decimal, str], ...],
    after: dt.date,
    through: dt.date | None,
) -> WaterFacts:
    """The facts of the use measured by the reads dated after ``after`` up to ``through``: the read
    before them (on or before ``after``) and the last of them are shown on the bill."""
    first = last = None
    for read in reads:
        if read[0] <= after:
            first = read
        elif through is None or read[0] <= through:
            last = read
    return WaterFacts(
        consumption_hcf=used.consumption_hcf,
        estimated=used.estimated,
        missing=used.missing,
        meter_size=used.meter_size,
        meter_serial=last[2] if last else (used.meter_serials[-1] if used.meter_serials else ""),
        previous_read_on=first[0] if first else None,
        previous_read=first[1] if first else None,
        current_read_on=last[0] if last else None,
        current_read=last[1] if last else None,
    )


def _water_facts(scope: Scope, reads_after: dt.date, reads_through: dt.date) -> dict[int, _PointWater]:
    """Per premise of the scope's accounts: its water service point's use (the lowest-numbered point
    when there are several). The scope goes to the database as a subquery, never as a list of ids."""
    premises = Account.objects.filter(scope.accounts()).values("premise_id")
    points = ServicePoint.objects.filter(service=Service.WATER, premise_id__in=premises)
    point_of: dict[int, int] = {}
    for point_id, premise_id in points.order_by("-id").values_list("id", "premise_id"):
        point_of[premise_id] = point_id
    point_ids = points.values_list("id", flat=True)
    usage = consumption_for_period(
        service_point_ids=point_ids, period_start=reads_after, period_end=reads_through
    )
    read_rows = (
        Read.objects.filter(
            service_point_id__in=point_ids,
            read_on__gt=reads_after - dt.timedelta(days=READ_LOOKBACK_DAYS),
            read_on__lte=reads_through,
            status__in=(ReadStatus.ACTUAL, ReadStatus.ESTIMATED),
        )
        .order_by("read_on", "id")
        .values_list("service_point_id", "read_on", "value", "meter__serial_number")
    )
    reads: dict[int, list[tuple[dt.date, Decimal, str]]] = defaultdict(list)
    for point_id, read_on, value, serial in read_rows:
        reads[point_id].append((read_on, value, serial))
    result: dict[int, _PointWater] = {}
    for premise_id, point_id in point_of.items():
        used = usage.get(point_id)
        if used is None:
            continue
        point_reads = tuple(reads.get(point_id, ()))
        whole = _water(used, point_reads, reads_after, None)
        result[premise_id] = _PointWater(used, point_reads, reads_after, whole)
    return result


def _winter_averages(scope: Scope, period: dt.date) -> dict[int, Decimal]:
    """Each account's own average water use over the last winter (one query for the scope): the
    water use of its issued regular bills and rebills of the December, January and February of
    :func:`~civicbill.billing.periods.winter_window`, averaged over the three months; an account
    without a bill in each of them has none (a schedule's cap then does not apply)."""
    months = winter_window(period)
    use: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    rows = Bill.objects.filter(
        scope.accounts("account__"),
        status=Bill.Status.ISSUED,
        kind__in=(BillKind.REGULAR, BillKind.REBILL),
        period__in=months,
    ).values_list("account_id", "period", "consumption_hcf")
    for account_id, month, consumption in rows:
        by_month = use[account_id]
        by_month[month] = by_month.get(month, Decimal(0)) + consumption
    averages = {account_id: winter_average(by_month, WINTER_MONTHS) for account_id, by_month in use.items()}
    return {account_id: average for account_id, average in averages.items() if average is not None}


# account -> (issued_at, current_charges_cents, total_due_cents, bill_date) of its latest issued bill
History = dict[int, tuple[dt.datetime, int, int, dt.date]]

# accounts whose last bills share one (issued_at, bill_date) read their ledger entries since it with
# one query; the accounts of smaller groups (a rebill, a final bill, a held bill issued late) share
# one query from the earliest of their bills, so the scan is never widened for the whole scope
SHARED_LAST_BILL = 50


def _bill_history(scope: Scope, period: dt.date) -> History:
    """Each account's latest issued bill of the last 12 months before ``period`` (regular, final and
    rebills), by issue time: one row an account (a window in the database, not a year of bills
    converted in Python)."""
    bills = (
        Bill.objects.filter(
            scope.accounts("account__"),
            status=Bill.Status.ISSUED,
            issued_at__isnull=False,
            period__gte=add_months(period, -12),
            period__lte=period,
        )
        .annotate(
            newest=Window(
                RowNumber(), partition_by=[F("account_id")], order_by=[F("issued_at").desc(), F("id").desc()]
            )
        )
        .filter(newest=1)
    )
    history: History = {}
    for account_id, issued_at, charges, total, bill_date in bills.values_list(
        "account_id", "issued_at", "current_charges_cents", "total_due_cents", "bill_date"
    ):
        if issued_at is not None:  # always, as filtered: for the type checker
            history[account_id] = (issued_at, charges, total, bill_date)
    return history


def _since_last_bill(
    account_ids: list[int], history: History, bill_date: dt.date | None
) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """(payments since each account's last bill, previous balance, what is dated after the bill date)
    by :mod:`civicbill.billing.statement`'s rule: the entries the last bill did not show, dated on or
    before ``bill_date`` (None: every one); a voided payment nets out of the payments, a returned
    payment and its fee are not payments. Without a bill in the last 12 months the previous balance
    is what conversion brought in and every other posting counts.

    The entries are read from each account's last bill on (posted after it was issued or dated after
    its bill date): accounts sharing a last bill (a cycle's run) in one query each, the few others
    together from the earliest of theirs; the statement rule then picks each account's own."""
    through = bill_date or dt.date.max
    billed = [account_id for account_id in account_ids if account_id in history]
    unbilled = [account_id for account_id in account_ids if account_id not in history]
    payments: dict[int, int] = defaultdict(int)
    previous: dict[int, int] = defaultdict(int)
    later: dict[int, int] = defaultdict(int)
    before: dict[int, statement.PreviousBill] = {}
    groups: dict[tuple[dt.datetime, dt.date], list[int]] = defaultdict(list)
    for account_id in billed:
        issued_at, _charges, total, last_bill_date = history[account_id]
        previous[account_id] = total
        before[account_id] = statement.PreviousBill(issued_at=issued_at, bill_date=last_bill_date)
        groups[(issued_at, last_bill_date)].append(account_id)
    queries: list[tuple[list[int], dt.datetime, dt.date]] = []
    stragglers: list[int] = []
    for (issued_at, last_bill_date), members in groups.items():
        if len(members) >= SHARED_LAST_BILL:
            queries.append((members, issued_at, last_bill_date))
        else:
            stragglers.extend(members)
    if stragglers:
        queries.append(
            (
                stragglers,
                min(before[account_id].issued_at for account_id in stragglers),
                min(before[account_id].bill_date for account_id in stragglers),
            )
        )
    for members, posted_after, dated_after in queries:
        entries = ledger_selectors.receivable_entries(
            members, posted_after=posted_after, dated_after=dated_after
        )
        for entry in entries:
            if entry.accounting_date > through:
                later[entry.account_id] += entry.net_cents
            elif statement.activity_kind(entry.source_type, entry.reason) == statement.PAYMENT and (
                statement.in_statement(
                    posted_at=entry.posted_at,
                    accounting_date=entry.accounting_date,
                    previous=before[entry.account_id],
                    bill_date=through,
                )
            ):
                payments[entry.account_id] += entry.net_cents
    if unbilled:
        for entry in ledger_selectors.receivable_entries(unbilled):
            if entry.accounting_date > through:
                later[entry.account_id] += entry.net_cents
            elif entry.source_type == "conversion":
                previous[entry.account_id] += entry.net_cents
            elif statement.activity_kind(entry.source_type, entry.reason) == statement.PAYMENT:
                payments[entry.account_id] += entry.net_cents
    return payments, previous, later


def _usual_bills(scope: Scope, period: dt.date) -> dict[int, int]:
    """Each account's usual bill before ``period``, the high-bill baseline
    (:func:`~civicbill.billing.calculation.usual_bill_cents`): from the issued regular bills and
    rebills of the 12 months before it that are actual (not estimated) and cover a full period
    (begin on or after the day the account opened: a move-in's short first bill is left out). A held
    draft is never issued, so it can neither be the baseline nor keep an old one in place. The
    charges of the latest such bill whose high-bill exception staff released count as the account's
    new level.

    Most accounts have a bill of the same period last year, which is their baseline: one query reads
    those (one row an account), then the 12 months are read only for the accounts without one (the
    median of their recent bills). Three queries for the whole scope at most."""
    since = add_months(period, -12)
    usable = Bill.objects.filter(
        scope.accounts("account__"),
        status=Bill.Status.ISSUED,
        kind__in=(BillKind.REGULAR, BillKind.REBILL),
        estimated=False,
        period_start__gte=F("account__opened_on"),
    )
    same_period: dict[int, int] = {}
    for account_id, charges in (
        usable.filter(period=since)
        .order_by("account_id", "issued_at", "id")
        .values_list("account_id", "current_charges_cents")
    ):
        same_period[account_id] = charges  # a rebill (issued later) replaces its period's bill
    by_period: dict[int, dict[dt.date, int]] = defaultdict(dict)
    rows = (
        usable.filter(period__gt=since, period__lt=period)
        .exclude(account_id__in=usable.filter(period=since).values("account_id"))
        .order_by("account_id", "period", "issued_at", "id")
        .values_list("account_id", "period", "current_charges_cents")
    )
    for account_id, month, charges in rows:
        by_period[account_id][month] = charges  # a rebill (issued later) replaces its period's bill
    confirmed: dict[int, int] = {}
    released = (
        BillException.objects.filter(
            scope.accounts("account__"),
            code=BillException.Code.HIGH_BILL,
            resolution=BillException.Resolution.RELEASED,
            bill__status=Bill.Status.ISSUED,
            bill__period__gte=since,
            bill__period__lt=period,
        )
        .order_by("account_id", "bill__period", "id")
        .values_list("account_id", "bill__current_charges_cents")
    )
    for account_id, charges in released:
        confirmed[account_id] = charges  # the latest one
    usual: dict[int, int] = {}
    for account_id in same_period.keys() | by_period.keys() | confirmed.keys():
        value = usual_bill_cents(
            same_period_last_year=same_period.get(account_id),
            recent=list(by_period.get(account_id, {}).values()),
            confirmed=confirmed.get(account_id),
        )
        if value is not None:
            usual[account_id] = value
    return usual
