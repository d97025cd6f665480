"""Closing the business day: totals, the bank deposit and its journal entry. A closed day stays closed.

The deposit entry moves each fund's undeposited funds of the day to the fund's cash:
Dr 500-1000 Cash - Water Fund / Cr 500-1010 Undeposited funds - Water Fund, and so on per fund
(the General Fund's includes misc receipts and the drawers' over/short). Card receipts move with
it (the processor settles them to the same bank) but are not on the deposit slip.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money
from civicbill.core.permissions import require_permission
from civicbill.core.utility_services import Fund
from civicbill.ledger import chart
from civicbill.ledger.models import SourceType
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.service_posting import entry_post_trusted
from civicbill.payments import locks, selectors
from civicbill.payments.models import Channel, DayClose, Deposit, DrawerSession, Payment


def _deposit_lines(by_fund: dict[str, int]) -> list[PostingLine]:
    lines: list[PostingLine] = []
    for fund, cents in sorted(by_fund.items()):
        if not cents:
            continue
        cash, undeposited = chart.cash_for(fund).code, chart.undeposited_funds_for(fund).code
        amount = Money.from_cents(abs(cents))
        if cents > 0:
            lines += [PostingLine.debit(cash, amount), PostingLine.credit(undeposited, amount)]
        else:
            lines += [PostingLine.debit(undeposited, amount), PostingLine.credit(cash, amount)]
    return lines


@transaction.atomic
def day_close(*, business_date: dt.date, as_of: dt.datetime, actor: Actor) -> DayClose:
    """Close ``business_date`` once every drawer session of it is closed and approved: record the
    totals by tender, receipt code and fund, the deposit (cash + checks) and post the deposit entry.
    Receipts = postings = deposit + cards - over/short is checked before anything is written."""
    require_permission(actor, "day.close")
    sessions = locks.lock_sessions_of_day(business_date)
    if selectors.day_is_closed(business_date):
        raise ApplicationError(
            f"Business day {business_date} is already closed; corrections go to the next day",
            code="day_closed",
        )
    waiting = [s for s in sessions if s.status != DrawerSession.Status.APPROVED]
    if waiting:
        listed = ", ".join(f"{s.drawer.code} ({s.cashier.username}, {s.status})" for s in waiting)
        raise ApplicationError(
            f"Business day {business_date} cannot close: drawer sessions not yet approved: {listed}",
            code="sessions_not_approved",
        )
    tenders = selectors.day_tender_totals(business_date)
    by_fund = selectors.day_totals_by_fund(business_date)
    by_code = selectors.day_totals_by_receipt_code(business_date)
    payments = Payment.objects.filter(business_date=business_date, channel=Channel.COUNTER)
    payment_count = payments.filter(status=Payment.Status.POSTED).count()
    void_count = payments.filter(status=Payment.Status.VOIDED).count()
    receipts_cents = sum(by_code.values())
    over_short_cents = sum(s.over_short_cents or 0 for s in sessions)
    cash_cents = sum((s.counted_cash_cents or 0) - s.starting_float_cents for s in sessions)
    checks_cents = sum(s.counted_checks_cents or 0 for s in sessions)
    card_cents = sum(s.counted_card_cents or 0 for s in sessions)
    postings: dict[str, int] = defaultdict(int, by_fund)
    postings[Fund.GENERAL.value] += over_short_cents
    if (
        receipts_cents != tenders.total_cents
        or receipts_cents != sum(by_fund.values())
        or cash_cents + checks_cents + card_cents != receipts_cents + over_short_cents
    ):
        raise ApplicationError(
            f"Business day {business_date} does not balance: receipts {Money.from_cents(receipts_cents)}, "
            f"tenders {Money.from_cents(tenders.total_cents)}, by fund "
            f"{Money.from_cents(sum(by_fund.values()))}, counted "
            f"{Money.from_cents(cash_cents + checks_cents + card_cents)}, over/short "
            f"{Money.from_cents(over_short_cents)}",
            code="day_unbalanced",
        )
    totals = {
        "by_tender": dict(tenders.by_kind),
        "by_receipt_code": by_code,
        "by_fund": dict(sorted(by_fund.items())),
        "deposit_by_fund": {fund: cents for fund, cents in sorted(postings.items()) if cents},
        "sessions": [
            {
                "session": s.pk,
                "drawer": s.drawer.code,
                "cashier": s.cashier.username,
                "expected_cents": (s.expected_cash_cents or 0)
                + (s.expected_checks_cents or 0)
                + (s.expected_card_cents or 0),
                "counted_cents": (s.counted_cash_cents or 0)
                + (s.counted_checks_cents or 0)
                + (s.counted_card_cents or 0),
                "over_short_cents": s.over_short_cents or 0,
            }
            for s in sessions
        ],
    }
    try:
        with transaction.atomic():
            closed = DayClose.objects.create(
                business_date=business_date,
                closed_at=as_of,
                closed_by=acting_user(actor),
                payment_count=payment_count,
                void_count=void_count,
                receipts_cents=receipts_cents,
                over_short_cents=over_short_cents,
                totals=totals,
            )
    except IntegrityError:
        raise ApplicationError(f"Business day {business_date} is already closed", code="day_closed") from None
    lines = _deposit_lines(dict(postings))
    entry = None
    if lines:
        entry = entry_post_trusted(
            lines=lines,
            accounting_date=business_date,
            source_type=SourceType.DEPOSIT,
            source_ref=f"deposit {business_date}",
            idempotency_key=f"bank-deposit:{business_date}",
            reason="bank_deposit",
            memo=f"Bank deposit of {business_date} (cash, checks, card settlement)",
            posted_by=actor,
        )
    deposit = Deposit.objects.create(
        day_close=closed,
        business_date=business_date,
        slip_number=f"DEP-{business_date:%Y%m%d}",
        cash_cents=cash_cents,
        checks_cents=checks_cents,
        check_count=tenders.check_count,
        card_cents=card_cents,
        total_cents=cash_cents + checks_cents,
        journal_entry=entry,
    )
    audit_record(
        actor=actor,
        action="day.close",
        target=closed,
        at=clock.now(),
        summary=f"Closed {business_date}: {payment_count} payments, {void_count} void, receipts "
        f"{Money.from_cents(receipts_cents)}, deposit {Money.from_cents(deposit.total_cents)} "
        f"(slip {deposit.slip_number}), over/short {Money.from_cents(over_short_cents)}",
        changes={"totals": totals, "deposit_cents": deposit.total_cents},
    )
    return closed
