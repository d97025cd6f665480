"""Return and notification-of-change (NOC) files from the bank.

:func:`ach_returns_import` reads the file with :func:`civicbill.nacha.read_file` (a file with
errors, or one imported before (SHA-256), is refused whole) and handles each entry by the original
trace number its addenda carries:

- **return of a debit** (addenda 99) inside its NACHA window (2 banking days after settlement; 60
  calendar days for the unauthorized-entry codes R05/R07/R10/R11/R29, :func:`rules.return_timing`):
  the ACH payment is reversed with the R code as the reason and, for the codes the policy names
  (``CIVICBILL_ACH_RETURN_FEE_CODES``, R01/R09 by default; never an unauthorized-entry code), the
  returned-payment fee (``CIVICBILL_ACH_RETURN_FEE``) is charged, through
  :func:`civicbill.payments.services.returned_checks.payment_return`; R01/R09 leave autopay on, every
  other code ends it at once (:mod:`civicbill.autopay.rules`); the customer gets a letter in their
  language;
- **a late return** (outside its window) is **held for review**: nothing is reversed, its money (which
  the bank has taken back) waits in 100-2900 Suspense, and staff decide with :func:`ach_return_review`:
  *dishonor* it (the payment stands; the dishonored return brings the money back) or *accept* it
  anyway (handled as a timely return);
- **return of a prenote**: the enrollment ends (the bank refused the account) and the customer gets
  a letter;
- **notification of change** (addenda 98): C01/C02/C03/C05/C06/C07 correct the enrollment's bank
  details without a new prenote (audited masked), C04 the account holder's name; other codes are noted.
  A NOC corrects only the bank details its entry was drafted from (the entry's ``bank_version``): when
  staff have since typed new details, it is recorded as *not applied* and waits in the review queue
  (the enrollment's history says so too) instead of overwriting the customer's new account;
- **a return that matches no draft entry** (or an entry of a cancelled file): held for staff. Its
  money, which the bank has taken back, is posted Dr 100-2900 Suspense / Cr 100-1000 Cash (General
  Fund), so the books agree with the bank; :func:`ach_return_resolve` later names the draft entry it
  belongs to, moves the money out of suspense and handles it as a matched return.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction

from civicbill import nacha
from civicbill.autopay import banking, config, crypto, locks, rules
from civicbill.autopay.models import (
    AchReturn,
    DraftEntry,
    DraftFile,
    Enrollment,
    EnrollmentEvent,
    ReturnFile,
    ReviewDecision,
)
from civicbill.autopay.services.drafts import settings_or_refuse
from civicbill.autopay.services.enrollment import (
    BankDetails,
    bank_account_number,
    change_bank_details_trusted,
    describe_bank,
    end_enrollment_trusted,
    record_event_trusted,
)
from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money, format_cents
from civicbill.core.permissions import require_permission
from civicbill.core.utility_services import Fund
from civicbill.correspondence.models import Letter, LetterKind
from civicbill.correspondence.services import letter_queue
from civicbill.customers.models import Language
from civicbill.ledger import chart
from civicbill.ledger import selectors as ledger_selectors
from civicbill.ledger.models import JournalEntry, SourceType
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.service_posting import entry_post_trusted
from civicbill.payments.services.returned_checks import payment_return

UNMATCHED_REASON = "ach_return_unmatched"
RESOLVED_REASON = "ach_return_resolved"
HELD_REASON = "ach_return_held_late"
REVIEWED_REASON = "ach_return_reviewed"
REVIEW_DECISIONS = ("accept", "dishonor", "acknowledge")
DECIDED = {"accept": "accepted", "dishonor": "dishonored", "acknowledge": "acknowledged"}
MAX_LISTED_PROBLEMS = 10


@dataclass(frozen=True, slots=True)
class FileEntry:
    """An entry of the return file with its record number (entry detail line)."""

    line: int
    entry: nacha.EntryDetail


def _numbered_entries(result: nacha.ReadResult) -> list[FileEntry]:
    """Every entry with the number of its record (the file was read without errors, so records are
    numbered in order: header, then per batch its header, entries with their addenda, control)."""
    numbered: list[FileEntry] = []
    line = 1
    for batch in result.batches:
        line += 1
        for entry in batch.entries:
            line += 1
            numbered.append(FileEntry(line, entry))
            line += len(entry.addenda)
        line += len(batch.unsupported_records) + 1
    return numbered


def _refuse_duplicate(sha256: str) -> None:
    earlier = ReturnFile.objects.filter(file_sha256=sha256).first()
    if earlier is not None:
        raise ApplicationError(
            f"This return file was already imported on {earlier.received_at:%Y-%m-%d %H:%M} UTC as return "
            f"file {earlier.pk} ({earlier.file_name}); nothing was done",
            code="duplicate_file",
        )


def _language(entry: DraftEntry) -> str:
    language = entry.account.customer.preferred_language
    return language if language in Language.values else Language.ENGLISH


def _queue_letter(
    *, draft_entry: DraftEntry, code: str, fee: Money, autopay_continues: bool, today: dt.date, actor: Actor
) -> Letter:
    language = _language(draft_entry)
    balance = ledger_selectors.account_balance(draft_entry.account)
    facts = {
        "return_kind": "prenote" if draft_entry.kind == DraftEntry.Kind.PRENOTE else "payment",
        "return_code": code,
        "return_reason": rules.reason_text(code, language),
        "payment_date": draft_entry.effective_date.isoformat(),
        "amount": format_cents(draft_entry.amount_cents),
        "fee": format_cents(fee.cents) if fee.is_positive() else "",
        "balance_due": format_cents(balance.cents) if balance.is_positive() else "",
        "bank_account": crypto.masked(draft_entry.account_number_last4),
        "autopay_continues": autopay_continues,
        "trace_number": draft_entry.trace_number,
    }
    return letter_queue(
        account=draft_entry.account,
        kind=LetterKind.AUTOPAY_RETURN,
        facts=facts,
        reference=f"ACH {draft_entry.trace_number}",
        actor=actor,
        as_of=today,
    )


def _same_bank_account(enrollment: Enrollment, draft_entry: DraftEntry) -> bool:
    """Whether the enrollment still holds the bank details the entry was drafted from: the same
    ``bank_version`` (entries drafted before versions were kept: the same routing number, last four
    digits and account type)."""
    if draft_entry.bank_version is not None:
        return draft_entry.bank_version == enrollment.bank_version
    return (
        enrollment.routing_number == draft_entry.routing_number
        and enrollment.account_number_last4 == draft_entry.account_number_last4
        and rules.account_type_of_transaction_code(draft_entry.transaction_code) == enrollment.account_type
    )


def _suspense_entry(
    *, item: AchReturn, into: bool, reason: str, memo: str, key: str, as_of: dt.datetime, actor: Actor
) -> JournalEntry:
    """Move a return's money into suspense (``into``: the bank has taken it back but it is not
    applied yet, Dr 100-2900 Suspense / Cr 100-1000 Cash) or out again (the reverse), so the books
    agree with the bank."""
    amount = Money.from_cents(item.amount_cents)
    suspense = chart.SUSPENSE_UNAPPLIED_CASH
    cash = chart.cash_for(Fund.GENERAL).code
    debit, credit = (suspense, cash) if into else (cash, suspense)
    return entry_post_trusted(
        lines=[PostingLine.debit(debit, amount), PostingLine.credit(credit, amount)],
        accounting_date=clock.business_date(as_of),
        source_type=SourceType.RETURNED_PAYMENT,
        source_ref=f"ACH {item.original_trace_number}",
        idempotency_key=key,
        reason=reason,
        memo=memo,
        posted_by=actor,
        closed_period_advice="returns dated {day} cannot be posted",
    )


def _received_on(result: nacha.ReadResult, today: dt.date) -> dt.date:
    """The day the returns were made available: the file's creation date (never after today)."""
    created = result.header.file_creation_date if result.header is not None else None
    return min(created, today) if created is not None else today


def _hold_late(
    *,
    item: AchReturn,
    draft_entry: DraftEntry,
    enrollment: Enrollment,
    timing: rules.ReturnTiming,
    as_of: dt.datetime,
    actor: Actor,
) -> None:
    """A debit's return that came after its NACHA deadline: nothing reversed, the money in suspense,
    the return waiting in the review queue (``item`` is saved)."""
    label = rules.return_reason_label(item.code)
    late_by = (item.received_on - timing.deadline).days if item.received_on else 0
    item.outcome = AchReturn.Outcome.HELD_UNTIMELY
    item.deadline = timing.deadline
    item.detail = (
        f"{label} received {item.received_on:%Y-%m-%d}, after its deadline {timing.deadline:%Y-%m-%d} "
        f"({timing.rule} from the settlement on {draft_entry.effective_date:%Y-%m-%d}; {late_by} days late): "
        "held for review; dishonor it or accept it"
    )[:300]
    if item.suspense_entry_id is None and item.amount_cents > 0:
        item.suspense_entry = _suspense_entry(
            into=True,
            reason=HELD_REASON,
            item=item,
            memo=f"Late ACH return {item.code} of trace {draft_entry.trace_number} held for review",
            key=f"ach-return-held:{item.return_file_id}:{item.line_number}",
            as_of=as_of,
            actor=actor,
        )
    if enrollment.is_live:
        record_event_trusted(
            enrollment=enrollment,
            kind=EnrollmentEvent.Kind.RETURN_HELD,
            occurred_on=clock.business_date(as_of),
            actor=actor,
            detail=f"Draft of {draft_entry.effective_date:%Y-%m-%d} for "
            f"{format_cents(draft_entry.amount_cents)}: "
            f"{label} came after its deadline {timing.deadline:%Y-%m-%d}; held for review",
        )
    item.save()


def _held_before(draft_entry: DraftEntry, item: AchReturn) -> AchReturn | None:
    """An earlier late return of the same entry, still held or dishonored."""
    return (
        AchReturn.objects.filter(
            draft_entry=draft_entry,
            kind=AchReturn.Kind.RETURN,
            outcome__in=(AchReturn.Outcome.HELD_UNTIMELY, AchReturn.Outcome.DISHONORED),
        )
        .exclude(pk=item.pk)
        .first()
    )


def _apply_return(
    *,
    item: AchReturn,
    draft_entry: DraftEntry,
    as_of: dt.datetime,
    actor: Actor,
    settings: config.AchSettings,
    check_timing: bool = True,
) -> None:
    """A return matched to ``draft_entry``: a late one held for review; otherwise reverse, the fee
    for the codes the policy names, enrollment rule, letter (``item`` is saved)."""
    code = item.code
    today = clock.business_date(as_of)
    enrollment = locks.lock_enrollment(draft_entry.enrollment_id)
    earlier = _held_before(draft_entry, item) if check_timing else None
    if draft_entry.status == DraftEntry.Status.RETURNED or earlier is not None:
        item.outcome = AchReturn.Outcome.ALREADY_RETURNED
        item.detail = (
            f"Trace {draft_entry.trace_number} was already returned"
            if earlier is None
            else f"Trace {draft_entry.trace_number} already has a late return ({earlier.code}, "
            f"{earlier.get_outcome_display().lower()})"
        )[:300]
        item.save()
        return
    if check_timing and draft_entry.kind == DraftEntry.Kind.DEBIT:
        timing = rules.return_timing(
            return_code=code,
            settlement_date=draft_entry.effective_date,
            received_on=item.received_on or today,
            add_banking_days=banking.banking_calendar().add_business_days,
        )
        item.deadline = timing.deadline
        if not timing.timely:
            _hold_late(
                item=item,
                draft_entry=draft_entry,
                enrollment=enrollment,
                timing=timing,
                as_of=as_of,
                actor=actor,
            )
            return
    fee = settings.return_fee if rules.charges_fee(code, settings.return_fee_codes) else Money.zero()
    DraftEntry.objects.filter(pk=draft_entry.pk).update(status=DraftEntry.Status.RETURNED)
    draft_entry.status = DraftEntry.Status.RETURNED
    label = rules.return_reason_label(code)
    if draft_entry.kind == DraftEntry.Kind.PRENOTE:
        if enrollment.is_live and _same_bank_account(enrollment, draft_entry):
            end_enrollment_trusted(
                enrollment=enrollment,
                reason=Enrollment.EndReason.PRENOTE_RETURN,
                note=label,
                on=today,
                as_of=as_of,
                actor=actor,
            )
            item.outcome = AchReturn.Outcome.PRENOTE_ENDED
            item.letter = _queue_letter(
                draft_entry=draft_entry,
                code=code,
                fee=Money.zero(),
                autopay_continues=False,
                today=today,
                actor=actor,
            )
        else:
            item.outcome = AchReturn.Outcome.PRENOTE_NOTED
        item.detail = f"Prenote {draft_entry.trace_number} returned: {label}"
        item.save()
        return
    payment = draft_entry.payment
    if payment is None:
        raise ApplicationError(f"Draft entry {draft_entry.trace_number} has no payment", code="no_payment")
    returned = payment_return(
        payment=payment,
        reason=f"ACH return {label}",
        as_of=as_of,
        actor=actor,
        charge_fee=fee.is_positive(),
        fee=fee,
    )
    item.returned_item = returned
    item.fee_cents = returned.fee_cents
    # an account the customer has since replaced (new bank details) is not a reason to end autopay
    same_account = _same_bank_account(enrollment, draft_entry)
    keeps = rules.keeps_autopay(code) or not same_account
    if not keeps and enrollment.is_live:
        end_enrollment_trusted(
            enrollment=enrollment,
            reason=Enrollment.EndReason.BANK_RETURN,
            note=label,
            on=today,
            as_of=as_of,
            actor=actor,
        )
    elif enrollment.is_live:
        record_event_trusted(
            enrollment=enrollment,
            kind=EnrollmentEvent.Kind.RETURNED,
            occurred_on=today,
            actor=actor,
            detail=f"Draft of {draft_entry.effective_date:%Y-%m-%d} for "
            f"{format_cents(draft_entry.amount_cents)} returned ({label}); autopay continues with the "
            f"next bill{'' if same_account else ' (the bank details have changed since the draft)'}",
        )
    item.outcome = AchReturn.Outcome.REVERSED_KEPT if keeps else AchReturn.Outcome.REVERSED_ENDED
    item.detail = (
        f"Receipt {payment.receipt_number} {format_cents(draft_entry.amount_cents)} reversed: {label}"
    )
    item.letter = _queue_letter(
        draft_entry=draft_entry,
        code=code,
        fee=Money.from_cents(returned.fee_cents),
        autopay_continues=keeps and enrollment.is_live,
        today=today,
        actor=actor,
    )
    item.save()


def _apply_change(
    *, item: AchReturn, draft_entry: DraftEntry, addenda: nacha.Addenda98, as_of: dt.datetime, actor: Actor
) -> None:
    code = addenda.change_code
    correction, problems = nacha.parse_corrected_data(code, addenda.corrected_data)
    enrollment = locks.lock_enrollment(draft_entry.enrollment_id)
    label = rules.change_reason_label(code)
    if problems:
        item.outcome = AchReturn.Outcome.CHANGE_NOTED
        item.detail = f"{label}: corrected data not usable ({'; '.join(problems)})"[:300]
    elif not enrollment.is_live:
        item.outcome = AchReturn.Outcome.CHANGE_NOTED
        item.detail = f"{label}: the enrollment has ended; nothing changed"
    elif (code in rules.APPLIED_CHANGE_CODES or code == rules.NAME_CHANGE_CODE) and not _same_bank_account(
        enrollment, draft_entry
    ):
        # the customer has given new bank details since this entry was drafted: the bank's
        # correction is about the old account, and must not overwrite the new one
        drafted_from = describe_bank(
            routing_number=draft_entry.routing_number,
            last4=draft_entry.account_number_last4,
            account_type=rules.account_type_of_transaction_code(draft_entry.transaction_code) or "",
        )
        now_on_file = describe_bank(
            routing_number=enrollment.routing_number,
            last4=enrollment.account_number_last4,
            account_type=enrollment.account_type,
        )
        item.outcome = AchReturn.Outcome.CHANGE_NOT_APPLIED
        item.detail = (
            f"{label}: not applied; trace {draft_entry.trace_number} was drafted from {drafted_from}, "
            f"but the enrollment now holds {now_on_file} (changed since). Check with the customer"
        )[:300]
        record_event_trusted(
            enrollment=enrollment,
            kind=EnrollmentEvent.Kind.CHANGE_NOT_APPLIED,
            occurred_on=clock.business_date(as_of),
            actor=actor,
            detail=f"{label} for the draft of {draft_entry.effective_date:%Y-%m-%d} ({drafted_from}) not "
            f"applied: the bank details have changed since; staff review",
        )
        audit_record(
            actor=actor,
            action="autopay.correct_not_applied",
            target=enrollment,
            at=as_of,
            account_number=enrollment.account.number,
            summary=f"Notification of change {label} not applied: drafted from {drafted_from}, "
            f"now {now_on_file}",
            changes={"trace_number": draft_entry.trace_number, "code": code},
        )
    elif code in rules.APPLIED_CHANGE_CODES or code == rules.NAME_CHANGE_CODE:
        account_type = enrollment.account_type
        if correction.transaction_code is not None:
            account_type = rules.account_type_of_transaction_code(correction.transaction_code) or account_type
        details = BankDetails(
            routing_number=correction.routing_number or enrollment.routing_number,
            account_number=correction.account_number or bank_account_number(enrollment),
            account_type=account_type,
        )
        changed = change_bank_details_trusted(
            enrollment=enrollment,
            details=details,
            new_prenote=False,
            event_kind=EnrollmentEvent.Kind.CORRECTED,
            note=f"notification of change {label}",
            as_of=as_of,
            actor=actor,
            holder_name=correction.name,
        )
        item.outcome = AchReturn.Outcome.CORRECTED if changed else AchReturn.Outcome.CHANGE_NOTED
        item.detail = (
            f"{label}: changed {', '.join(changed)}"
            if changed
            else f"{label}: the details on file already agree"
        )
    else:
        item.outcome = AchReturn.Outcome.CHANGE_NOTED
        item.detail = f"{label}: {correction.other or correction.identification_number or 'noted'}"[:300]
    item.save()


def _hold_unmatched(*, item: AchReturn, why: str, as_of: dt.datetime, actor: Actor, file_label: str) -> None:
    item.outcome = AchReturn.Outcome.UNMATCHED
    item.detail = why[:300]
    if item.kind == AchReturn.Kind.RETURN and item.amount_cents > 0:
        item.suspense_entry = _suspense_entry(
            into=True,
            reason=UNMATCHED_REASON,
            item=item,
            memo=f"ACH return {item.code} of trace {item.original_trace_number} matches no draft "
            f"({file_label} record {item.line_number}); held in suspense",
            key=f"ach-return-unmatched:{item.return_file_id}:{item.line_number}",
            as_of=as_of,
            actor=actor,
        )
    item.save()


def _entry_for(trace: str) -> tuple[DraftEntry | None, str]:
    """The draft entry a return names, or why none can take it."""
    entry = (
        DraftEntry.objects.select_related("draft_file", "payment", "account__customer")
        .filter(trace_number=trace)
        .first()
    )
    if entry is None:
        return None, f"No draft entry has trace number {trace}"
    if entry.draft_file.status == DraftFile.Status.CANCELLED:
        return None, f"Trace {trace} belongs to draft file {entry.draft_file_id}, which was cancelled"
    return entry, ""


@transaction.atomic
def ach_returns_import(*, content: bytes, file_name: str, as_of: dt.datetime, actor: Actor) -> ReturnFile:
    """Import one return / NOC file (see the module docstring). Refused whole, with nothing done,
    when it was imported before or the NACHA reader finds errors in it."""
    require_permission(actor, "autopay.returns")
    settings = settings_or_refuse()
    crypto.require_key()
    sha256 = hashlib.sha256(content).hexdigest()
    _refuse_duplicate(sha256)
    result = nacha.read_file(content)
    if not result.valid:
        listed = "; ".join(str(problem) for problem in result.errors[:MAX_LISTED_PROBLEMS])
        more = len(result.errors) - MAX_LISTED_PROBLEMS
        listed += f" (and {more} more)" if more > 0 else ""
        raise ApplicationError(
            f"Return file {file_name} refused, nothing done: {listed}",
            code="file_invalid",
        )
    record = ReturnFile.objects.create(
        file_sha256=sha256,
        file_name=file_name[:255],
        received_at=as_of,
        received_by=acting_user(actor),
        content_encrypted=crypto.encrypt_bytes(content),
    )
    file_label = f"return file {record.pk} ({file_name})"
    received_on = _received_on(result, clock.business_date(as_of))
    returns = changes = unmatched = ignored = 0
    returned_cents = fees_cents = 0
    for numbered in _numbered_entries(result):
        entry = numbered.entry
        return_addenda, change_addenda = entry.return_addenda, entry.change_addenda
        if return_addenda is not None:
            kind, code = AchReturn.Kind.RETURN, return_addenda.return_reason_code
            trace = return_addenda.original_trace_number
        elif change_addenda is not None:
            kind, code, trace = (
                AchReturn.Kind.CHANGE,
                change_addenda.change_code,
                change_addenda.original_trace_number,
            )
        else:
            ignored += 1
            continue
        item = AchReturn(
            return_file=record,
            line_number=numbered.line,
            kind=kind,
            code=code,
            original_trace_number=trace,
            amount_cents=entry.amount_cents,
            name_in_file=entry.name[:22],
            routing_in_file=entry.routing_number[:9],
            account_last4_in_file=entry.account_number.strip()[-4:],
            received_on=received_on,
        )
        draft_entry, why = _entry_for(item.original_trace_number)
        if draft_entry is None:
            _hold_unmatched(item=item, why=why, as_of=as_of, actor=actor, file_label=file_label)
            unmatched += 1
        elif return_addenda is not None:
            item.draft_entry = draft_entry
            _apply_return(item=item, draft_entry=draft_entry, as_of=as_of, actor=actor, settings=settings)
        elif change_addenda is not None:
            item.draft_entry = draft_entry
            _apply_change(
                item=item, draft_entry=draft_entry, addenda=change_addenda, as_of=as_of, actor=actor
            )
        if item.kind == AchReturn.Kind.RETURN:
            returns += 1
            returned_cents += item.amount_cents
            fees_cents += item.fee_cents
        else:
            changes += 1
    record.return_count = returns
    record.change_count = changes
    record.unmatched_count = unmatched
    record.ignored_count = ignored
    record.returned_cents = returned_cents
    record.fees_cents = fees_cents
    record.save(
        update_fields=[
            "return_count",
            "change_count",
            "unmatched_count",
            "ignored_count",
            "returned_cents",
            "fees_cents",
        ]
    )
    audit_record(
        actor=actor,
        action="autopay.returns_import",
        target=record,
        at=as_of,
        summary=f"Imported {file_name}: {returns} returns {format_cents(returned_cents)} (fees "
        f"{format_cents(fees_cents)}), {changes} notifications of change, {unmatched} unmatched",
        changes={
            "file_name": file_name,
            "file_sha256": sha256,
            "returns": returns,
            "changes": changes,
            "unmatched": unmatched,
            "ignored": ignored,
            "returned_cents": returned_cents,
            "fees_cents": fees_cents,
        },
    )
    return record


@transaction.atomic
def ach_return_resolve(
    *, ach_return: AchReturn, trace_number: str, as_of: dt.datetime, actor: Actor
) -> AchReturn:
    """Staff found the draft entry an unmatched return belongs to (by its trace number): the held
    money leaves suspense (Dr 100-1000 Cash / Cr 100-2900 Suspense) and the return is handled as if
    it had matched (payment reversed, fee, enrollment rule, letter). For a notification of change
    it records the entry; staff enter the corrected details on the account's autopay panel."""
    require_permission(actor, "autopay.returns")
    settings = settings_or_refuse()
    locked = locks.lock_return(ach_return.pk)
    if locked.outcome != AchReturn.Outcome.UNMATCHED:
        raise ApplicationError(
            f"Return {locked.pk} ({locked.code}) is not waiting to be matched: "
            f"{locked.get_outcome_display()}",
            code="not_unmatched",
        )
    trace = str(trace_number or "").strip()
    draft_entry, why = _entry_for(trace)
    if draft_entry is None:
        raise ApplicationError(why, code="not_found", field="trace_number")
    if locked.kind == AchReturn.Kind.RETURN and draft_entry.amount_cents != locked.amount_cents:
        raise ApplicationError(
            f"Trace {trace} drafted {format_cents(draft_entry.amount_cents)}, but the return is for "
            f"{format_cents(locked.amount_cents)}; check the trace number",
            code="amount_mismatch",
            field="trace_number",
        )
    resolution: JournalEntry | None = None
    locked.draft_entry = draft_entry
    if locked.kind == AchReturn.Kind.RETURN:
        locked.received_on = locked.received_on or clock.business_date(locked.return_file.received_at)
        _apply_return(item=locked, draft_entry=draft_entry, as_of=as_of, actor=actor, settings=settings)
        if locked.outcome == AchReturn.Outcome.HELD_UNTIMELY:
            # a late return: its money stays in suspense until staff dishonor or accept it
            return _record_resolution(
                item=locked,
                account_number=draft_entry.account.number,
                trace=trace,
                detail=f"Resolved to trace {trace}. {locked.detail}",
                summary_tail="; late: held for review",
                as_of=as_of,
                actor=actor,
            )
        if locked.suspense_entry_id is not None:
            resolution = _suspense_entry(
                into=False,
                reason=RESOLVED_REASON,
                item=locked,
                memo=f"ACH return {locked.code} held in suspense belongs to trace {trace}",
                key=f"ach-return-resolved:{locked.pk}",
                as_of=as_of,
                actor=actor,
            )
    else:
        # the corrected data is not kept (it may hold an account number): staff enter the corrected
        # details on the account's autopay panel; resolving records which entry the notice was about
        locked.outcome = AchReturn.Outcome.CHANGE_NOTED
        locked.detail = f"{rules.change_reason_label(locked.code)}: corrected details entered by staff"
    handled = locked.outcome
    locked.outcome = AchReturn.Outcome.RESOLVED
    locked.resolution_entry = resolution
    return _record_resolution(
        item=locked,
        account_number=draft_entry.account.number,
        trace=trace,
        detail=f"Resolved to trace {trace}: {AchReturn.Outcome(handled).label}. {locked.detail}",
        summary_tail="",
        as_of=as_of,
        actor=actor,
    )


def _record_resolution(
    *,
    item: AchReturn,
    account_number: str,
    trace: str,
    detail: str,
    summary_tail: str,
    as_of: dt.datetime,
    actor: Actor,
) -> AchReturn:
    """Save an unmatched return that staff resolved to a draft entry, and audit it."""
    item.resolved_at = as_of
    item.resolved_by = acting_user(actor)
    item.detail = detail[:300]
    item.save()
    audit_record(
        actor=actor,
        action="autopay.return_resolve",
        target=item,
        at=as_of,
        account_number=account_number,
        summary=f"Unmatched ACH return {item.code} {format_cents(item.amount_cents)} resolved to "
        f"trace {trace}{summary_tail}",
        changes={
            "outcome": {"before": "unmatched", "after": AchReturn.Outcome(item.outcome).value},
            "trace_number": trace,
        },
    )
    return item


@transaction.atomic
def ach_return_review(
    *, ach_return: AchReturn, decision: str, note: str, as_of: dt.datetime, actor: Actor
) -> AchReturn:
    """Staff's decision on an item of the review queue:

    - a **late return** (*held for review*): ``dishonor`` records that the city dishonors it (code R68,
      untimely return, sent through its bank): the payment stands, nothing is reversed, no fee, and
      the held money leaves suspense (Dr 100-1000 Cash / Cr 100-2900 Suspense: the dishonored
      return brings it back); or ``accept`` it anyway: the money leaves suspense and the return is
      handled as a timely one (payment reversed, the fee if its code carries one, enrollment rule,
      letter);
    - a **notification of change not applied**: ``acknowledge`` records that staff saw it (and, if
      the old details were wrong, entered the right ones with *Change bank details*).

    A note saying why is required."""
    require_permission(actor, "autopay.returns")
    settings = settings_or_refuse()
    note = " ".join(str(note or "").split())
    if decision not in REVIEW_DECISIONS:
        raise ApplicationError(
            f"Decide {', '.join(REVIEW_DECISIONS)}, not {decision!r}", code="bad_decision", field="decision"
        )
    if not note:
        raise ApplicationError("Say why (a note for the record)", code="required", field="note")
    if len(note) > 200:
        raise ApplicationError(
            f"The note has {len(note)} characters; at most 200", code="too_long", field="note"
        )
    locked = locks.lock_return(ach_return.pk)
    if not locked.awaits_review:
        raise ApplicationError(
            f"Return {locked.pk} ({locked.code}) is not waiting for review: {locked.get_outcome_display()}",
            code="not_in_review",
        )
    held = locked.outcome == AchReturn.Outcome.HELD_UNTIMELY
    if held and decision == "acknowledge":
        raise ApplicationError(
            f"Return {locked.pk} ({locked.code}) is a late return: dishonor it or accept it",
            code="bad_decision",
            field="decision",
        )
    if not held and decision != "acknowledge":
        raise ApplicationError(
            f"Return {locked.pk} ({locked.code}) is a notification of change that was not applied: "
            "acknowledge it (and change the bank details on the account if they are wrong)",
            code="bad_decision",
            field="decision",
        )
    if locked.draft_entry_id is None:
        raise ApplicationError(f"Return {locked.pk} names no draft entry", code="not_in_review")
    draft_entry = DraftEntry.objects.select_related("draft_file", "payment", "account__customer").get(
        pk=locked.draft_entry_id
    )
    before = locked.outcome
    today = clock.business_date(as_of)
    if decision in ("accept", "dishonor") and locked.suspense_entry_id is not None:
        locked.resolution_entry = _suspense_entry(
            into=False,
            reason=REVIEWED_REASON,
            item=locked,
            memo=f"Late ACH return {locked.code} of trace {draft_entry.trace_number} "
            f"{'dishonored' if decision == 'dishonor' else 'accepted'}: out of suspense",
            key=f"ach-return-reviewed:{locked.pk}",
            as_of=as_of,
            actor=actor,
        )
    if decision == "accept":
        _apply_return(
            item=locked,
            draft_entry=draft_entry,
            as_of=as_of,
            actor=actor,
            settings=settings,
            check_timing=False,
        )
        locked.detail = f"Late return accepted by {actor.username}: {locked.detail}"[:300]
        locked.review_decision = ReviewDecision.ACCEPTED
    elif decision == "dishonor":
        locked.outcome = AchReturn.Outcome.DISHONORED
        locked.detail = (
            f"Dishonored by {actor.username} on {today:%Y-%m-%d} (R68 untimely return; deadline was "
            f"{locked.deadline:%Y-%m-%d}): receipt "
            f"{draft_entry.payment.receipt_number if draft_entry.payment else '-'} stands"
        )[:300]
        locked.review_decision = ReviewDecision.DISHONORED
        enrollment = Enrollment.objects.get(pk=draft_entry.enrollment_id)
        if enrollment.is_live:
            record_event_trusted(
                enrollment=enrollment,
                kind=EnrollmentEvent.Kind.RETURN_DISHONORED,
                occurred_on=today,
                actor=actor,
                detail=f"Late {rules.return_reason_label(locked.code)} of the draft of "
                f"{draft_entry.effective_date:%Y-%m-%d} dishonored; the payment stands: {note}",
            )
    else:
        locked.review_decision = ReviewDecision.ACKNOWLEDGED
    locked.reviewed_at = as_of
    locked.reviewed_by = acting_user(actor)
    locked.review_note = note
    locked.save()
    audit_record(
        actor=actor,
        action=f"autopay.return_{decision}",
        target=locked,
        at=as_of,
        account_number=draft_entry.account.number,
        summary=f"ACH {locked.code} of trace {draft_entry.trace_number} {DECIDED[decision]}: {note}",
        changes={"outcome": {"before": before, "after": locked.outcome}, "decision": decision, "note": note},
    )
    return locked
