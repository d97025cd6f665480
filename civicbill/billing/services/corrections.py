"""Cancel/rebill: a bill is never edited; it is reversed and a corrected bill is issued."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from civicbill.billing.calculation import bill_number as make_bill_number
from civicbill.billing.models import Bill, BillException, BillKind
from civicbill.billing.services.commit import refuse_closed_month
from civicbill.billing.services.cycles import cycle_due_date, cycle_period_containing
from civicbill.billing.services.drafts import BillHeader
from civicbill.billing.services.single import cycle_of, post_single_trusted, rate_one
from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.money import format_cents
from civicbill.core.permissions import require_permission
from civicbill.ledger.service_posting import entry_reverse_trusted

CANCEL_REASON = "bill_cancel"


@dataclass(frozen=True)
class CancelRebillOutcome:
    cancelled: Bill
    rebill: Bill

    @property
    def new_bill(self) -> Bill:
        return self.rebill


def released_codes(bill: Bill) -> set[str]:
    """The exceptions staff released on ``bill`` or on the bills it replaced, back to the run's
    draft: the decisions a rebill carries (a bill released without a read is not refused for it
    again). One query per bill of the chain (a chain is a handful of rebills at most)."""
    codes: set[str] = set()
    current: Bill | None = bill
    while current is not None:
        codes.update(
            BillException.objects.filter(
                bill_id=current.pk, resolution=BillException.Resolution.RELEASED
            ).values_list("code", flat=True)
        )
        current = current.replaces
    return codes


@transaction.atomic
def bill_cancel_rebill(*, bill_number: str, reason: str, actor: Actor, as_of: dt.date) -> CancelRebillOutcome:
    """Cancel an issued bill (its entry is reversed, dated ``as_of``) and issue a rebill for the same
    period, re-rated with the reads, agreements and schedules as they are now. Both stay in the
    account's history; the rebill ``replaces`` the cancelled bill. Staff decisions carry: an
    exception released on the cancelled bill (or the bills it replaced) does not refuse the rebill."""
    require_permission(actor, "billing.cancel_rebill")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Say why the bill is cancelled", code="missing_reason", field="reason")
    old = (
        Bill.objects.select_for_update(of=("self",))
        .select_related("account__premise", "journal_entry")
        .filter(number=bill_number)
        .first()
    )
    if old is None:
        raise NotFoundError(f"There is no bill {bill_number}", field="bill_number")
    if old.status != Bill.Status.ISSUED:
        raise ApplicationError(
            f"Bill {old.number} is {old.get_status_display().lower()}; only an issued bill can be cancelled",
            code="not_issued",
        )
    refuse_closed_month(as_of)
    entry = old.journal_entry
    accounting_date = max(as_of, entry.accounting_date) if entry else as_of
    now = clock.now()
    cancel_entry_id = None
    if entry is not None:
        cancel_entry_id = entry_reverse_trusted(
            entry=entry,
            accounting_date=accounting_date,
            reason=CANCEL_REASON,
            memo=f"Cancel bill {old.number}: {reason}"[:500],
            posted_by=actor,
            closed_period_advice="reopen it or bill into an open month",
        ).pk
    old.status = Bill.Status.CANCELLED
    old.cancel_reason = reason[:200]
    old.cancel_entry_id = cancel_entry_id
    old.cancelled_by = acting_user(actor)
    old.cancelled_at = now
    old.save(update_fields=["status", "cancel_reason", "cancel_entry", "cancelled_by", "cancelled_at"])
    account = old.account
    cycle = cycle_of(account)
    rebills = Bill.objects.filter(account=account, period=old.period, kind=BillKind.REBILL).count()
    number = make_bill_number(BillKind.REBILL, old.period, account.number, rebills + 1)
    full = cycle_period_containing(cycle, old.period_end)
    standard_days = full.days
    reads_after = (
        full.reads_after if old.period_start == full.start else old.period_start - dt.timedelta(days=1)
    )
    draft = rate_one(
        account_id=account.pk,
        number=number,
        period=old.period,
        start=old.period_start,
        end=old.period_end,
        reads_after=reads_after,
        reads_through=old.period_end + dt.timedelta(days=cycle.read_window_days),
        standard_days=standard_days,
        released=released_codes(old),
        bill_date=as_of,
    )
    header = BillHeader(
        run_id=None,
        kind=BillKind.REBILL,
        status=Bill.Status.DRAFT,
        period=old.period,
        bill_date=as_of,
        due_date=cycle_due_date(cycle, as_of),
        created_at=now,
        replaces_id=old.pk,
    )
    rebill = post_single_trusted(
        draft,
        header=header,
        accounting_date=accounting_date,
        actor=actor,
        posted_at=now + dt.timedelta(microseconds=1),
    )
    audit_record(
        actor=actor,
        action="bill.cancel_rebill",
        target=rebill,
        at=now,
        account_number=account.number,
        summary=f"Bill {old.number} ({format_cents(old.current_charges_cents)}) cancelled and replaced by "
        f"{rebill.number} ({format_cents(rebill.current_charges_cents)}): {reason}",
        changes={
            "cancelled": old.number,
            "rebill": rebill.number,
            "reason": reason,
            "old_charges_cents": old.current_charges_cents,
            "new_charges_cents": rebill.current_charges_cents,
        },
    )
    return CancelRebillOutcome(cancelled=old, rebill=rebill)
