"""Issuing one bill outside a run (a final bill, a rebill): rate it now and post it at once."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from typing import Any

from civicbill.billing import facts as billing_facts
from civicbill.billing.bill_entries import bill_entry_lines, write_entries
from civicbill.billing.calculation import DraftBill, draft_bill
from civicbill.billing.models import Bill, BillingCycle
from civicbill.billing.periods import BillingPeriod
from civicbill.billing.services.commit import BILL_REASON, entry_key, issue_bills_trusted
from civicbill.billing.services.drafts import BillHeader, write_bills_trusted
from civicbill.billing.services.rating import rate_function
from civicbill.core.actors import Actor, acting_user
from civicbill.core.exceptions import ApplicationError
from civicbill.ledger import selectors as ledger_selectors
from civicbill.ledger.models import SourceType

REFUSED_CODES = ("missing_read", "no_schedule", "rating_error")


def rate_one(
    *,
    account_id: int,
    number: str,
    period: dt.date,
    start: dt.date,
    end: dt.date,
    reads_after: dt.date,
    reads_through: dt.date,
    standard_days: int,
    bill_date: dt.date,
    bill_services: bool = True,
    released: Collection[str] = (),
) -> DraftBill:
    """One account's bill over [start, end]; refused (ApplicationError) when it cannot be priced,
    unless staff released that exception on the bill this one replaces (``released``: its codes)."""
    facts = billing_facts.gather_facts(
        scope=billing_facts.Scope(account_ids=(account_id,)),
        period=period,
        period_start=start,
        period_end=end,
        reads_after=reads_after,
        reads_through=reads_through,
        bill_date=bill_date,
    )
    account_facts = facts.get(account_id)
    if account_facts is None:
        raise ApplicationError(f"The account had no service from {start} to {end}", code="no_service")
    if not bill_services:
        from dataclasses import replace

        account_facts = replace(account_facts, agreements=(), water=None)
    rate = rate_function(
        codes=[a.rate_schedule_code for a in account_facts.agreements], period_start=start, period_end=end
    )
    draft = draft_bill(
        account_facts,
        number=number,
        period_start=start,
        period_end=end,
        standard_days=standard_days,
        rate=rate,
    )
    problems = [e for e in draft.exceptions if e.code in REFUSED_CODES and e.code not in released]
    if problems:
        raise ApplicationError(
            f"Bill {number} cannot be rated: " + "; ".join(e.message for e in problems), code=problems[0].code
        )
    return draft


def post_single_trusted(
    draft: DraftBill,
    *,
    header: BillHeader,
    accounting_date: dt.date,
    actor: Actor,
    posted_at: dt.datetime,
) -> Bill:
    """Write the bill and its entry and issue it (inside the caller's transaction)."""
    [bill_id] = write_bills_trusted([draft], header=header)
    lines = bill_entry_lines(
        account_id=draft.account_id, charges_by_service=draft.charges_by_service, memo=""
    )
    entry_id = uuid.uuid4() if lines else None
    if entry_id is not None:
        write_entries(
            [(entry_id, accounting_date, SourceType.BILL.value, draft.number, entry_key(draft.number),
              BILL_REASON, f"Bill {draft.number}", None, lines)],
            posted_by_id=acting_user(actor).pk,
            posted_at=posted_at,
            gl_ids=ledger_selectors.gl_account_ids(),
        )  # fmt: skip
    issue_bills_trusted({bill_id: entry_id}, issued_at=posted_at)
    return Bill.objects.get(pk=bill_id)


def cycle_of(account: Any) -> BillingCycle:
    cycle = BillingCycle.objects.filter(number=account.premise.billing_cycle).first()
    if cycle is None:
        raise ApplicationError(
            f"Account {account.number} is in billing cycle {account.premise.billing_cycle}, "
            "which is not set up",
            code="no_cycle",
        )
    return cycle


def reads_window_after(previous: BillingPeriod | None, start: dt.date) -> dt.date:
    return previous.reads_through if previous is not None else start - dt.timedelta(days=1)
