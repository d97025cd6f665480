"""The off-cycle final bill at move-out."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.db import transaction
from django.db.models import Max

from civicbill.billing.calculation import bill_number
from civicbill.billing.models import Bill, BillKind
from civicbill.billing.services.commit import refuse_closed_month
from civicbill.billing.services.cycles import cycle_due_date, cycle_period, cycle_period_containing
from civicbill.billing.services.drafts import BillHeader
from civicbill.billing.services.single import cycle_of, post_single_trusted, rate_one
from civicbill.core import clock
from civicbill.core.actors import Actor
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.money import format_cents
from civicbill.core.permissions import require_permission
from civicbill.customers.models import Account
from civicbill.payments.services.customer_deposits import customer_deposit_apply_trusted


@transaction.atomic
def final_bill_issue(*, account_number: str, actor: Actor, as_of: dt.date) -> Bill:
    """Issue and post the final bill of a moved-out account: service from the day after its last
    bill's period to the move-out date (the agreements' end), prorated by days against the cycle's
    full period, plus the balance carried. Refused while a service is still open, when the account
    already has a final bill, or when the move-out read is missing (enter it first).

    A service deposit held for the account is applied to what it owes, this bill's charges included
    (``payments.services.customer_deposits``), and shows among the bill's adjustments; a deposit
    larger than what is owed leaves a credit to refund."""
    require_permission(actor, "billing.final_bill")
    account = (
        Account.objects.select_for_update()
        .select_related("premise", "customer")
        .filter(number=account_number)
        .first()
    )
    if account is None:
        raise NotFoundError(f"There is no account {account_number}", field="account_number")
    agreements = list(account.agreements.all())
    if not agreements or any(a.end_date is None for a in agreements):
        raise ApplicationError(
            f"Account {account.number} still has service with no end date; move the customer out first",
            code="not_moved_out",
        )
    existing = (
        Bill.objects.filter(account=account, kind=BillKind.FINAL)
        .exclude(status=Bill.Status.CANCELLED)
        .first()
    )
    if existing is not None:
        raise ApplicationError(
            f"Account {account.number} already has final bill {existing.number}", code="final_bill_exists"
        )
    refuse_closed_month(as_of)
    final_date = account.closed_on or max(a.end_date for a in agreements if a.end_date)
    cycle = cycle_of(account)
    last = (
        Bill.objects.filter(account=account, status=Bill.Status.ISSUED)
        .exclude(kind=BillKind.FINAL)
        .aggregate(period=Max("period"), end=Max("period_end"))
    )
    first_day = min(a.start_date for a in agreements)
    start = max(first_day, last["end"] + dt.timedelta(days=1)) if last["end"] else first_day
    bill_services = start <= final_date
    if not bill_services:
        start = final_date  # the regular bills already covered the service: the balance only
    previous = cycle_period(cycle, last["period"]) if last["period"] else None
    full = cycle_period_containing(cycle, final_date)
    number = bill_number(BillKind.FINAL, final_date.replace(day=1), account.number)
    draft = rate_one(
        account_id=account.pk,
        number=number,
        period=final_date.replace(day=1),
        start=start,
        end=final_date,
        reads_after=previous.reads_through if previous else start - dt.timedelta(days=1),
        reads_through=final_date + dt.timedelta(days=cycle.read_window_days),
        standard_days=full.days,
        bill_date=as_of,
        bill_services=bill_services,
    )
    applied = customer_deposit_apply_trusted(
        account=account, reference=number, actor=actor, as_of=as_of, pending_charges=draft.charges_by_service
    )
    if applied:
        draft = replace(
            draft,
            adjustments_cents=draft.adjustments_cents - applied,
            total_due_cents=draft.total_due_cents - applied,
        )
    now = clock.now()
    header = BillHeader(
        run_id=None,
        kind=BillKind.FINAL,
        status=Bill.Status.DRAFT,
        period=final_date.replace(day=1),
        bill_date=as_of,
        due_date=cycle_due_date(cycle, as_of),
        created_at=now,
    )
    bill = post_single_trusted(draft, header=header, accounting_date=as_of, actor=actor, posted_at=now)
    audit_record(
        actor=actor,
        action="bill.final",
        target=bill,
        at=now,
        account_number=account.number,
        summary=f"Final bill {bill.number}: {start} to {final_date}, charges "
        f"{format_cents(bill.current_charges_cents)}, total due {format_cents(bill.total_due_cents)}",
        changes={
            "current_charges_cents": bill.current_charges_cents,
            "deposit_applied_cents": applied,
            "total_due_cents": bill.total_due_cents,
        },
    )
    return bill
