"""The JSON shapes of autopay records shared by the API and ``civicbill ach ... --json``.
Money in integer cents, dates as ISO text, bank account numbers masked (``****6789``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from civicbill.autopay import rules
from civicbill.autopay.models import (
    AchReturn,
    Authorization,
    DraftEntry,
    DraftFile,
    Enrollment,
    EnrollmentEvent,
    ReturnFile,
)


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def authorization_dict(authorization: Authorization) -> dict[str, Any]:
    """An authorization (the copy itself is not included: only whether there is one)."""
    return {
        "id": authorization.pk,
        "method": authorization.method,
        "authorized_on": _day(authorization.authorized_on),
        "authorized_by": authorization.authorized_by,
        "bank_version": authorization.bank_version,
        "routing_number": authorization.routing_number,
        "bank_account": authorization.masked_account_number,
        "account_type": authorization.account_type,
        "reference": authorization.reference,
        "document_name": authorization.document_name,
        "document_sha256": authorization.document_sha256,
        "taken_by": authorization.taken_by.username,
        "ended_on": _day(authorization.ended_on),
        "retain_until": _day(authorization.retain_until),
    }


def enrollment_dict(
    enrollment: Enrollment,
    *,
    events: list[EnrollmentEvent] | None = None,
    authorizations: list[Authorization] | None = None,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": enrollment.pk,
        "account": enrollment.account.number,
        "customer": enrollment.account.customer.display_name,
        "status": enrollment.status,
        "routing_number": enrollment.routing_number,
        "bank_account": enrollment.masked_account_number,
        "account_type": enrollment.account_type,
        "holder_name": enrollment.holder_name,
        "authorized_on": _day(enrollment.authorized_on),
        "authorized_by": enrollment.authorized_by,
        "taken_by": enrollment.taken_by.username,
        "prenote_sent_on": _day(enrollment.prenote_sent_on),
        "activated_on": _day(enrollment.activated_on),
        "ended_on": _day(enrollment.ended_on),
        "end_reason": enrollment.end_reason,
        "end_note": enrollment.end_note,
        "bank_version": enrollment.bank_version,
    }
    if authorizations is not None:
        row["authorizations"] = [authorization_dict(a) for a in authorizations]
    if events is not None:
        row["history"] = [
            {
                "on": _day(event.occurred_on),
                "what": event.kind,
                "detail": event.detail,
                "by": event.actor.username,
            }
            for event in events
        ]
    return row


def entry_dict(entry: DraftEntry, *, today: dt.date) -> dict[str, Any]:
    state = rules.pending_state(status=entry.status, clears_on=entry.clears_on, today=today)
    return {
        "sequence": entry.sequence,
        "trace_number": entry.trace_number,
        "kind": entry.kind,
        "status": entry.status,
        "state": state.label,
        "account": entry.account.number,
        "bill": entry.bill.number if entry.bill_id and entry.bill else None,
        "transaction_code": entry.transaction_code,
        "amount_cents": entry.amount_cents,
        "routing_number": entry.routing_number,
        "bank_account": entry.masked_account_number,
        "bank_version": entry.bank_version,
        "receipt_number": entry.payment.receipt_number if entry.payment_id and entry.payment else None,
        "clears_on": _day(entry.clears_on),
    }


def draft_file_dict(
    draft_file: DraftFile, *, entries: list[DraftEntry] | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": draft_file.pk,
        "file_name": draft_file.file_name,
        "status": draft_file.status,
        "effective_date": _day(draft_file.effective_date),
        "creation_date": _day(draft_file.creation_date),
        "file_id_modifier": draft_file.file_id_modifier,
        "debit_count": draft_file.debit_count,
        "prenote_count": draft_file.prenote_count,
        "total_debit_cents": draft_file.total_debit_cents,
        "entry_hash": draft_file.entry_hash,
        "record_count": draft_file.record_count,
        "first_trace_sequence": draft_file.first_trace_sequence,
        "last_trace_sequence": draft_file.last_trace_sequence,
        "file_sha256": draft_file.file_sha256,
        "created_by": draft_file.created_by.username,
        "cancelled_at": draft_file.cancelled_at.isoformat() if draft_file.cancelled_at else None,
        "cancel_reason": draft_file.cancel_reason,
    }
    if entries is not None:
        row["entries"] = [entry_dict(entry, today=today or draft_file.effective_date) for entry in entries]
    return row


def return_dict(item: AchReturn) -> dict[str, Any]:
    entry = item.draft_entry
    return {
        "id": item.pk,
        "line": item.line_number,
        "kind": item.kind,
        "code": item.code,
        "original_trace_number": item.original_trace_number,
        "account": entry.account.number if entry is not None else None,
        "amount_cents": item.amount_cents,
        "outcome": item.outcome,
        "outcome_text": item.get_outcome_display(),
        "fee_cents": item.fee_cents,
        "detail": item.detail,
        "bank_account_in_file": item.masked_account_in_file,
        "letter": item.letter_id,
        "received_on": _day(item.received_on),
        "deadline": _day(item.deadline),
        "awaits_review": item.awaits_review,
        "dishonor_by": _day(item.dishonor_by) if item.awaits_review else None,
        "review_decision": item.review_decision,
        "reviewed_at": item.reviewed_at.isoformat() if item.reviewed_at else None,
        "reviewed_by": item.reviewed_by.username if item.reviewed_by_id and item.reviewed_by else None,
        "review_note": item.review_note,
    }


def return_file_dict(record: ReturnFile, *, items: list[AchReturn] | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": record.pk,
        "file_name": record.file_name,
        "received_at": record.received_at.isoformat(),
        "received_by": record.received_by.username,
        "file_sha256": record.file_sha256,
        "returns": record.return_count,
        "notifications_of_change": record.change_count,
        "unmatched": record.unmatched_count,
        "ignored": record.ignored_count,
        "returned_cents": record.returned_cents,
        "fees_cents": record.fees_cents,
    }
    if items is not None:
        row["to_review"] = sum(1 for item in items if item.awaits_review)
        row["items"] = [return_dict(item) for item in items]
    return row
