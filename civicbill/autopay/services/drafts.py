"""Draft files: the NACHA PPD debit file of one effective entry date, and its cancellation.

:func:`ach_draft_create` for effective entry date *D* (a banking day after today, and no more than
``CIVICBILL_ACH_MAX_DAYS_AHEAD`` calendar days ahead; banking days are the Federal Reserve's,
:mod:`civicbill.autopay.banking`):

1. enrollments whose prenote has waited its banking days (counted to the file's creation date)
   without a return become *active*;
2. every active enrollment whose account's latest issued bill due on or before *D* (and not before
   the authorization date) has not been drafted gets a PPD debit (27 checking / 37 savings) for
   :func:`civicbill.autopay.rules.draft_amount_cents`: the bill's total due, never more than the
   account owes now; an account that owes nothing is skipped;
3. every enrollment still waiting for its prenote gets one (28/38, zero dollars);
4. the file is written by :mod:`civicbill.nacha` (trace numbers continue from the last file,
   the file ID modifier advances per creation date), stored encrypted with its totals, and each debit
   is posted as a pending ACH payment by :func:`civicbill.payments.services.ach.ach_debits_post`.

The same date twice is refused while the first file stands; :func:`ach_draft_cancel` cancels a file
before its effective date (its payments voided, its bills free to be drafted again, its prenotes
sent again with the next file).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Max

from civicbill import nacha
from civicbill.autopay import banking, config, crypto, locks, rules
from civicbill.autopay.models import DraftEntry, DraftFile, Enrollment, EnrollmentEvent
from civicbill.autopay.services.enrollment import bank_account_number
from civicbill.billing.models import Bill
from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.chunks import slices
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import format_cents
from civicbill.core.permissions import require_permission
from civicbill.customers.models import Account
from civicbill.ledger import selectors as ledger_selectors
from civicbill.payments.services.ach import AchDebit, ach_debits_post, ach_payments_void

MAX_TRACE_SEQUENCE = 9_999_999
CHUNK = 900


@dataclass(frozen=True, slots=True)
class PlannedEntry:
    enrollment: Enrollment
    prenote: bool
    bill_id: int | None = None
    amount_cents: int = 0


def settings_or_refuse() -> config.AchSettings:
    try:
        return config.ach_settings()
    except ImproperlyConfigured as error:
        raise ApplicationError(f"The ACH settings are not usable: {error}", code="ach_settings") from None


def _latest_bills(account_ids: list[int], effective_date: dt.date) -> dict[int, tuple[int, dt.date, int]]:
    """Each account's latest issued bill due on or before ``effective_date``:
    ``account_id -> (bill id, due date, total due cents)`` (two queries per chunk of accounts)."""
    found: dict[int, tuple[int, dt.date, int]] = {}
    for chunk in slices(account_ids, CHUNK):
        issued = Bill.objects.filter(
            account_id__in=chunk, status=Bill.Status.ISSUED, due_date__lte=effective_date
        )
        latest = dict(
            issued.values("account_id").annotate(latest=Max("due_date")).values_list("account_id", "latest")
        )
        rows = issued.filter(due_date__in=set(latest.values())).order_by("account_id", "-id")
        for bill_id, account_id, due_date, total in rows.values_list(
            "id", "account_id", "due_date", "total_due_cents"
        ):
            if latest.get(account_id) == due_date and account_id not in found:
                found[account_id] = (bill_id, due_date, total)
    return found


def _drafted_bill_ids(bill_ids: list[int]) -> set[int]:
    drafted: set[int] = set()
    for chunk in slices(bill_ids, CHUNK):
        drafted.update(
            DraftEntry.objects.filter(bill_id__in=chunk)
            .exclude(status=DraftEntry.Status.CANCELLED)
            .values_list("bill_id", flat=True)
        )
    return {bill_id for bill_id in drafted if bill_id is not None}


def _activate(
    *, settings: config.AchSettings, calendar: banking.BankingCalendar, creation_date: dt.date,
    as_of: dt.datetime, actor: Actor,
) -> list[Enrollment]:  # fmt: skip
    """Enrollments whose prenote waited long enough without a return become active."""
    waiting = Enrollment.objects.filter(
        status=Enrollment.Status.PRENOTE_PENDING, prenote_sent_on__isnull=False
    ).select_related("account")
    ready = [
        enrollment
        for enrollment in waiting
        if enrollment.prenote_sent_on is not None
        and rules.prenote_waited(
            prenote_effective_date=enrollment.prenote_sent_on,
            as_of=creation_date,
            wait_business_days=settings.prenote_wait_business_days,
            add_business_days=calendar.add_business_days,
        )
    ]
    if not ready:
        return []
    Enrollment.objects.filter(pk__in=[e.pk for e in ready], status=Enrollment.Status.PRENOTE_PENDING).update(
        status=Enrollment.Status.ACTIVE, activated_on=creation_date
    )
    recorded_at = clock.now()
    EnrollmentEvent.objects.bulk_create(
        EnrollmentEvent(
            enrollment=enrollment,
            kind=EnrollmentEvent.Kind.ACTIVATED,
            occurred_on=creation_date,
            recorded_at=recorded_at,
            actor=acting_user(actor),
            detail=f"Prenote of {enrollment.prenote_sent_on:%Y-%m-%d} waited "
            f"{settings.prenote_wait_business_days} banking days without a return",
        )
        for enrollment in ready
    )
    for enrollment in ready:
        enrollment.status = Enrollment.Status.ACTIVE
        enrollment.activated_on = creation_date
        audit_record(
            actor=actor,
            action="autopay.activate",
            target=enrollment,
            at=as_of,
            account_number=enrollment.account.number,
            summary=f"Autopay active from {creation_date:%Y-%m-%d} "
            f"(prenote of {enrollment.prenote_sent_on:%Y-%m-%d})",
            changes={"status": {"before": "prenote_pending", "after": "active"}},
        )
    return ready


def _plan(*, effective_date: dt.date) -> tuple[list[PlannedEntry], int]:
    """The file's entries (account number order) and how many bills were skipped as already paid."""
    live = list(
        Enrollment.objects.exclude(status=Enrollment.Status.ENDED)
        .exclude(account__status=Account.Status.CLOSED)
        .select_related("account__customer")
    )
    planned: list[PlannedEntry] = [
        PlannedEntry(enrollment, prenote=True)
        for enrollment in live
        if enrollment.status == Enrollment.Status.PRENOTE_PENDING and enrollment.prenote_sent_on is None
    ]
    active = {e.account_id: e for e in live if e.status == Enrollment.Status.ACTIVE}
    latest = _latest_bills(sorted(active), effective_date)
    latest = {
        account_id: bill
        for account_id, bill in latest.items()
        if bill[1] >= active[account_id].authorized_on  # bills due before the authorization are not drafted
    }
    drafted = _drafted_bill_ids([bill_id for bill_id, _due, _total in latest.values()])
    balances = ledger_selectors.account_balances(latest)
    skipped_paid = 0
    for account_id, (bill_id, _due, total) in latest.items():
        if bill_id in drafted:
            continue
        amount = rules.draft_amount_cents(
            bill_total_due_cents=total, balance_cents=balances[account_id].cents
        )
        if amount <= 0:
            skipped_paid += 1
            continue
        planned.append(PlannedEntry(active[account_id], prenote=False, bill_id=bill_id, amount_cents=amount))
    planned.sort(key=lambda p: (p.enrollment.account.number, p.prenote))
    return planned, skipped_paid


@transaction.atomic
def ach_draft_create(*, effective_date: dt.date, as_of: dt.datetime, actor: Actor) -> DraftFile:
    """Write and store the draft file for ``effective_date`` and post its pending payments (see the
    module docstring). Refused for a day that is not a banking day (Federal Reserve calendar), not
    after today or further ahead than ``CIVICBILL_ACH_MAX_DAYS_AHEAD``, for a date that already has
    a file, and when there is nothing to draft."""
    require_permission(actor, "autopay.draft")
    settings = settings_or_refuse()
    crypto.require_key()
    calendar = banking.banking_calendar()
    created_local = as_of.astimezone(clock.utility_zone())
    creation_date = created_local.date()
    why = calendar.why_closed(effective_date)
    if why:
        raise ApplicationError(
            f"{effective_date:%Y-%m-%d} is not a banking day ({why}); the effective entry date must be "
            f"a banking day, such as {calendar.next_business_day(effective_date):%Y-%m-%d}",
            code="not_business_day",
            field="effective_date",
        )
    if effective_date <= creation_date:
        raise ApplicationError(
            f"The effective entry date {effective_date:%Y-%m-%d} must be after today "
            f"({creation_date:%Y-%m-%d}): the bank needs the file before the day the money moves",
            code="date_not_after_today",
            field="effective_date",
        )
    latest_allowed = creation_date + dt.timedelta(days=settings.max_days_ahead)
    if effective_date > latest_allowed:
        raise ApplicationError(
            f"The effective entry date {effective_date:%Y-%m-%d} is {(effective_date - creation_date).days} "
            f"days ahead; a draft may be dated at most {settings.max_days_ahead} days ahead "
            f"(by {latest_allowed:%Y-%m-%d}, {config.MAX_DAYS_AHEAD}): create it closer to the day",
            code="date_too_far_ahead",
            field="effective_date",
        )
    existing = DraftFile.objects.filter(
        effective_date=effective_date, status=DraftFile.Status.CREATED
    ).first()
    if existing is not None:
        raise ApplicationError(
            f"Draft file {existing.pk} ({existing.file_name}) for {effective_date:%Y-%m-%d} already exists; "
            "cancel it first to draft this date again",
            code="duplicate_draft",
            field="effective_date",
        )
    # every live enrollment, locked before it is read: none is ended or changed while it is drafted
    locks.lock_enrollments(
        Enrollment.objects.exclude(status=Enrollment.Status.ENDED).values_list("pk", flat=True)
    )
    activated = _activate(
        settings=settings, calendar=calendar, creation_date=creation_date, as_of=as_of, actor=actor
    )
    planned, skipped_paid = _plan(effective_date=effective_date)
    if not planned:
        raise ApplicationError(
            f"Nothing to draft for {effective_date:%Y-%m-%d}: no active enrollment has an unpaid bill due "
            "by then that was not drafted, and no prenote is waiting",
            code="nothing_to_draft",
        )
    used_sequence = DraftFile.objects.aggregate(last=Max("last_trace_sequence"))["last"] or 0
    first_sequence = used_sequence + 1
    last_sequence = used_sequence + len(planned)
    if last_sequence > MAX_TRACE_SEQUENCE:
        raise ApplicationError(
            "The 7-digit trace sequence is used up; ask for support to start a new series",
            code="trace_exhausted",
        )
    used_modifiers = DraftFile.objects.filter(creation_date=creation_date).values_list(
        "file_id_modifier", flat=True
    )
    try:
        modifier = nacha.next_file_id_modifier(list(used_modifiers))
        ach_file = nacha.ppd_debit_file(
            originator=settings.originator,
            debits=[
                nacha.Debit(
                    routing_number=p.enrollment.routing_number,
                    account_number=bank_account_number(p.enrollment),
                    amount_cents=p.amount_cents,
                    name=p.enrollment.holder_name,
                    identification_number=p.enrollment.account.number,
                    account_type=p.enrollment.account_type,
                    prenote=p.prenote,
                )
                for p in planned
            ],
            effective_entry_date=effective_date,
            created_at=created_local,
            file_id_modifier=modifier,
            is_business_day=calendar.is_business_day,
            first_trace_sequence=first_sequence,
        )
        data = nacha.write_file(ach_file)
    except nacha.NachaWriteError as error:
        raise ApplicationError(f"The draft file could not be written: {error}", code="nacha_write") from None
    entries = ach_file.entries
    debits = [(p, entry) for p, entry in zip(planned, entries, strict=True) if not p.prenote]
    draft_file = DraftFile.objects.create(
        effective_date=effective_date,
        creation_date=creation_date,
        file_id_modifier=modifier,
        file_name=f"ach-{effective_date:%Y%m%d}-{creation_date:%Y%m%d}{modifier}.ach",
        created_at=as_of,
        created_by=acting_user(actor),
        debit_count=len(debits),
        prenote_count=len(planned) - len(debits),
        total_debit_cents=ach_file.control.total_debit_cents,
        entry_hash=ach_file.control.entry_hash,
        record_count=ach_file.control.block_count * 10,
        first_trace_sequence=first_sequence,
        last_trace_sequence=last_sequence,
        file_sha256=hashlib.sha256(data).hexdigest(),
        content_encrypted=crypto.encrypt_bytes(data),
    )
    sequence_of = {id(p): index for index, p in enumerate(planned, start=1)}
    payment_ids = ach_debits_post(
        debits=[
            AchDebit(
                account_id=p.enrollment.account_id,
                amount_cents=p.amount_cents,
                receipt_number=f"ACH{draft_file.pk}-{sequence_of[id(p)]}",
                trace_number=entry.trace_number,
                payer_name=p.enrollment.account.customer.display_name,
                sequence=sequence_of[id(p)],
            )
            for p, entry in debits
        ],
        effective_date=effective_date,
        file_label=f"draft file {draft_file.pk} ({draft_file.file_name})",
        as_of=as_of,
        actor=actor,
    )
    payment_of = {id(p): payment_id for (p, _entry), payment_id in zip(debits, payment_ids, strict=True)}
    clears_on = calendar.add_business_days(effective_date, settings.return_window_business_days)
    DraftEntry.objects.bulk_create(
        [
            DraftEntry(
                draft_file=draft_file,
                sequence=sequence_of[id(p)],
                trace_number=entry.trace_number,
                kind=DraftEntry.Kind.PRENOTE if p.prenote else DraftEntry.Kind.DEBIT,
                enrollment=p.enrollment,
                account_id=p.enrollment.account_id,
                bill_id=p.bill_id,
                transaction_code=entry.transaction_code,
                amount_cents=p.amount_cents,
                routing_number=p.enrollment.routing_number,
                account_number_last4=p.enrollment.account_number_last4,
                effective_date=effective_date,
                bank_version=p.enrollment.bank_version,
                clears_on=None if p.prenote else clears_on,
                payment_id=payment_of.get(id(p)),
            )
            for p, entry in zip(planned, entries, strict=True)
        ],
        batch_size=1000,
    )
    prenoted = [p.enrollment.pk for p in planned if p.prenote]
    if prenoted:
        Enrollment.objects.filter(pk__in=prenoted).update(prenote_sent_on=effective_date)
        recorded_at = clock.now()
        EnrollmentEvent.objects.bulk_create(
            EnrollmentEvent(
                enrollment_id=enrollment_id,
                kind=EnrollmentEvent.Kind.PRENOTE_SENT,
                occurred_on=effective_date,
                recorded_at=recorded_at,
                actor=acting_user(actor),
                detail=f"In draft file {draft_file.pk} ({draft_file.file_name})",
            )
            for enrollment_id in prenoted
        )
    audit_record(
        actor=actor,
        action="autopay.draft",
        target=draft_file,
        at=as_of,
        summary=f"Draft file {draft_file.file_name}: {draft_file.debit_count} debits "
        f"{format_cents(draft_file.total_debit_cents)}, {draft_file.prenote_count} prenotes, "
        f"{len(activated)} enrollments activated, {skipped_paid} bills already paid",
        changes={
            "effective_date": effective_date.isoformat(),
            "file_name": draft_file.file_name,
            "file_id_modifier": modifier,
            "debit_count": draft_file.debit_count,
            "prenote_count": draft_file.prenote_count,
            "total_debit_cents": draft_file.total_debit_cents,
            "activated": len(activated),
            "skipped_paid": skipped_paid,
            "file_sha256": draft_file.file_sha256,
        },
    )
    return draft_file


@transaction.atomic
def ach_draft_cancel(*, draft_file: DraftFile, reason: str, as_of: dt.datetime, actor: Actor) -> DraftFile:
    """Cancel a draft file before its effective date: its ACH payments are voided (reversed), its
    bills may be drafted again and its prenotes go out with the next file."""
    require_permission(actor, "autopay.draft")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ApplicationError("Say why the draft file is cancelled", code="required", field="reason")
    locked = locks.lock_draft_file(draft_file.pk)
    if locked.status == DraftFile.Status.CANCELLED:
        raise ApplicationError(f"Draft file {locked.pk} is already cancelled", code="already_cancelled")
    today = clock.business_date(as_of)
    if today >= locked.effective_date:
        raise ApplicationError(
            f"Draft file {locked.pk} took effect on {locked.effective_date:%Y-%m-%d}: the bank has moved the "
            "money, so it can no longer be cancelled; returns come back in a return file",
            code="already_effective",
        )
    entries = list(locked.entries.select_related("enrollment"))
    if any(entry.status == DraftEntry.Status.RETURNED for entry in entries):
        raise ApplicationError(
            f"Draft file {locked.pk} has returned entries; it can no longer be cancelled", code="has_returns"
        )
    ach_payments_void(
        payment_ids=[entry.payment_id for entry in entries if entry.payment_id is not None],
        reason=f"Draft file {locked.pk} cancelled: {reason}",
        as_of=as_of,
        actor=actor,
    )
    locked.entries.update(status=DraftEntry.Status.CANCELLED)
    prenoted: dict[int, list[DraftEntry]] = defaultdict(list)
    for entry in entries:
        if entry.kind == DraftEntry.Kind.PRENOTE:
            prenoted[entry.enrollment_id].append(entry)
    resend = list(
        Enrollment.objects.filter(
            pk__in=list(prenoted),
            status=Enrollment.Status.PRENOTE_PENDING,
            prenote_sent_on=locked.effective_date,
        ).values_list("pk", flat=True)
    )
    if resend:
        locks.lock_enrollments(resend)
        Enrollment.objects.filter(pk__in=resend).update(prenote_sent_on=None)
        recorded_at = clock.now()
        EnrollmentEvent.objects.bulk_create(
            EnrollmentEvent(
                enrollment_id=enrollment_id,
                kind=EnrollmentEvent.Kind.PRENOTE_CANCELLED,
                occurred_on=today,
                recorded_at=recorded_at,
                actor=acting_user(actor),
                detail=f"Draft file {locked.pk} cancelled; the prenote goes with the next file",
            )
            for enrollment_id in resend
        )
    locked.status = DraftFile.Status.CANCELLED
    locked.cancelled_at = as_of
    locked.cancelled_by = acting_user(actor)
    locked.cancel_reason = reason[:200]
    locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    audit_record(
        actor=actor,
        action="autopay.draft_cancel",
        target=locked,
        at=as_of,
        summary=f"Cancelled draft file {locked.file_name} ({locked.debit_count} debits "
        f"{format_cents(locked.total_debit_cents)} voided): {reason}",
        changes={"status": {"before": "created", "after": "cancelled"}, "reason": reason},
    )
    return locked
