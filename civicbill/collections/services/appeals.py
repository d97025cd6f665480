"""Bill reviews and appeals (SB 998, Health & Safety Code §116908(a)(1)(C)): while one is pending the
account is charged no penalty and is not shut off (``protections_on`` reads the pending appeal).

- :func:`appeal_open` (``collections.appeal``): one pending appeal per account at a time; the account's
  collection stage becomes *appeal pending*.
- :func:`appeal_decide` (``collections.appeal_decide``): upheld (the bill stands), adjusted (the bill was
  corrected, optionally naming the adjustment's journal entry) or withdrawn. The stage goes back to what
  the account's delinquency says that day: *past due* when a bill is unpaid past its due date plus the
  policy's grace days, else *current*; the next daily run takes it from there (a penalty held back while
  the appeal was pending is charged by the first run after the decision if the bill is still unpaid).

The person who opened an appeal may also decide it (a customer withdraws by telephone; a small office
has one supervisor); every opening and decision is audited with who and when.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction

from civicbill.billing.models import Bill
from civicbill.collections.models import Appeal, AppealStatus, CollectionStage
from civicbill.collections.services.program_fields import choice_field, text_field
from civicbill.collections.stages import delinquency_stage, stage_record_trusted
from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.permissions import require_permission
from civicbill.customers.models import Account
from civicbill.ledger.models import JournalEntry, JournalLine

DECISIONS = [AppealStatus.UPHELD.value, AppealStatus.ADJUSTED.value, AppealStatus.WITHDRAWN.value]


def _bill_of(account: Account, bill: Bill | str | None) -> Bill | None:
    if bill is None or bill == "":
        return None
    if isinstance(bill, str):
        found = Bill.objects.filter(number=bill.strip()).first()
        if found is None:
            raise NotFoundError(f"There is no bill {bill.strip()!r}", field="bill")
        bill = found
    if bill.account_id != account.pk:
        raise ApplicationError(
            f"Bill {bill.number} is not a bill of account {account.number}",
            code="other_account",
            field="bill",
        )
    if bill.status != Bill.Status.ISSUED:
        raise ApplicationError(
            f"Bill {bill.number} is {bill.status}; only an issued bill is reviewed",
            code="not_issued",
            field="bill",
        )
    return bill


@transaction.atomic
def appeal_open(
    *,
    account: Account,
    kind: str = Appeal.Kind.BILL_REVIEW,
    reason: str,
    actor: Actor,
    at: dt.datetime,
    bill: Bill | str | None = None,
) -> Appeal:
    """Open a bill review or appeal on ``account`` (of ``bill`` when given), on the business day of ``at``."""
    require_permission(actor, "collections.appeal")
    kind = choice_field(kind, "kind", list(Appeal.Kind.values))
    reason = text_field(reason, "reason", max_length=500, required="Say what the customer disputes")
    account = Account.objects.select_for_update().get(pk=account.pk)  # one pending appeal at a time
    found = _bill_of(account, bill)
    pending = Appeal.objects.filter(account=account, status=AppealStatus.PENDING).first()
    if pending is not None:
        raise ApplicationError(
            f"Account {account.number} already has a pending {pending.get_kind_display().lower()} opened "
            f"{pending.opened_on:%Y-%m-%d}; decide it first",
            code="appeal_pending",
            field="account",
        )
    on = clock.business_date(at)
    appeal = Appeal.objects.create(
        account=account,
        bill=found,
        kind=kind,
        reason=reason,
        opened_on=on,
        opened_by=acting_user(actor),
        opened_at=at,
    )
    what = f"{appeal.get_kind_display()} opened" + (f" on bill {found.number}" if found else "")
    stage_record_trusted(
        account_id=account.pk,
        stage=CollectionStage.APPEAL_PENDING,
        on=on,
        rule=f"{what}: {reason}",
        actor=actor,
        at=at,
        detail={"appeal_id": appeal.pk},
    )
    audit_record(
        actor=actor,
        action="collections.appeal_open",
        target=appeal,
        at=at,
        account_number=account.number,
        summary=f"{what}: {reason}",
        changes={
            "kind": kind,
            "bill": found.number if found else None,
            "reason": reason,
            "opened_on": on.isoformat(),
        },
    )
    return appeal


def _entry_of(account: Account, entry: JournalEntry | str | None) -> JournalEntry | None:
    if entry is None or entry == "":
        return None
    if not isinstance(entry, JournalEntry):
        try:
            found = JournalEntry.objects.filter(pk=uuid.UUID(str(entry).strip())).first()
        except ValueError:
            found = None
        if found is None:
            raise NotFoundError(f"There is no journal entry {entry}", field="adjustment_entry")
        entry = found
    if not JournalLine.objects.filter(entry=entry, customer_account=account).exists():
        raise ApplicationError(
            f"Journal entry {entry.pk} does not touch account {account.number}",
            code="other_account",
            field="adjustment_entry",
        )
    return entry


@transaction.atomic
def appeal_decide(
    *,
    appeal: Appeal,
    status: str,
    outcome: str,
    actor: Actor,
    at: dt.datetime,
    adjustment_entry: JournalEntry | str | None = None,
) -> Appeal:
    """Decide a pending appeal on the business day of ``at``: upheld, adjusted or withdrawn."""
    require_permission(actor, "collections.appeal_decide")
    status = choice_field(status, "status", DECISIONS)
    outcome = text_field(outcome, "outcome", max_length=500, required="Say what was decided and why")
    appeal = Appeal.objects.select_for_update().select_related("account").get(pk=appeal.pk)
    if appeal.status != AppealStatus.PENDING:
        raise ApplicationError(
            f"This {appeal.get_kind_display().lower()} was already decided on {appeal.decided_on:%Y-%m-%d}",
            code="already_decided",
        )
    entry = _entry_of(appeal.account, adjustment_entry)
    if entry is not None and status != AppealStatus.ADJUSTED:
        raise ApplicationError(
            "Only an adjusted bill names an adjustment entry",
            code="entry_not_adjusted",
            field="adjustment_entry",
        )
    on = clock.business_date(at)
    if on < appeal.opened_on:
        raise ApplicationError(
            f"An appeal opened {appeal.opened_on:%Y-%m-%d} cannot be decided before it", code="before_opened"
        )
    appeal.status, appeal.outcome, appeal.decided_on = status, outcome, on
    appeal.decided_by, appeal.adjustment_entry = acting_user(actor), entry
    appeal.save(update_fields=["status", "outcome", "decided_on", "decided_by", "adjustment_entry"])
    stage = delinquency_stage(appeal.account_id, on)
    label = AppealStatus(status).label
    stage_record_trusted(
        account_id=appeal.account_id,
        stage=stage,
        on=on,
        rule=f"{appeal.get_kind_display()} {label}: {outcome}",
        actor=actor,
        at=at,
        detail={"appeal_id": appeal.pk},
    )
    audit_record(
        actor=actor,
        action="collections.appeal_decide",
        target=appeal,
        at=at,
        account_number=appeal.account.number,
        summary=f"{appeal.get_kind_display()} {label}: {outcome}",
        changes={
            "status": status,
            "outcome": outcome,
            "decided_on": on.isoformat(),
            "adjustment_entry": str(entry.pk) if entry else None,
            "stage": stage,
        },
    )
    return appeal
