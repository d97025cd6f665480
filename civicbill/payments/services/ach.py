"""ACH payments drafted from customers' bank accounts (autopay), set-based.

The autopay app decides who is drafted and writes the NACHA file; this module posts the payments,
as the lockbox path does: each debit is a :class:`~civicbill.payments.models.Payment` of channel
``ach`` (receipt ``ACH<file>-<sequence>``, reference the entry's trace number), applied by the
counter's allocation order, with one entry Dr *cash* of each fund (the money settles in the city's
bank on the effective entry date, the entry's accounting date) / Cr the account's receivable per
service. Until its return window passes the autopay app shows such a payment as *pending*; a
return reverses it through :func:`civicbill.payments.services.returned_checks.payment_return`.

A draft file cancelled before its effective date voids its payments: each gets a reversing entry
(dated the effective date, so the day nets to zero) and is marked void.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.bulk_rows import insert_rows
from civicbill.core.chunks import slices
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import format_cents
from civicbill.core.permissions import require_permission
from civicbill.ledger import selectors as ledger_selectors
from civicbill.ledger.journal_insert import insert_entries
from civicbill.ledger.models import SourceType
from civicbill.ledger.posting import EntrySpec
from civicbill.ledger.service_posting import entry_reverse_trusted, validated_entries
from civicbill.ledger.services import refuse_closed_periods
from civicbill.payments import locks
from civicbill.payments.allocation import Movement
from civicbill.payments.models import Channel, ChannelPayment, Payment, PaymentAllocation
from civicbill.payments.services.payment_rows import ALLOCATION_COLUMNS, DETAIL_COLUMNS, PAYMENT_COLUMNS
from civicbill.payments.services.payment_shares import Share, apply_payment, payment_lines

ACH_REASON = "ach_payment"
ACH_VOID_REASON = "ach_payment_void"
CHUNK = 900  # ids per query (SQLite's parameter limit leaves room)


@dataclass(frozen=True, slots=True)
class AchDebit:
    """One drafted payment to post: ``receipt_number`` and ``trace_number`` are unique."""

    account_id: int
    amount_cents: int
    receipt_number: str
    trace_number: str
    payer_name: str
    sequence: int


def ach_debits_post(
    *, debits: Sequence[AchDebit], effective_date: dt.date, file_label: str, as_of: dt.datetime, actor: Actor
) -> list[int]:
    """Post the payments of a draft file (inside the caller's transaction); returns their ids in the
    order of ``debits``. A few queries per 5,000 accounts; entries, payments, allocations and channel
    details are written in one statement each (COPY on PostgreSQL)."""
    require_permission(actor, "autopay.draft")
    if not debits:
        return []
    if any(debit.amount_cents <= 0 for debit in debits):
        raise ApplicationError("An ACH payment must be for a positive amount", code="amount_not_positive")
    refuse_closed_periods([effective_date], advice="ACH payments dated {day} cannot be posted", field=None)
    account_ids = sorted({debit.account_id for debit in debits})
    locks.lock_account_ids(account_ids)
    history = ledger_selectors.receivable_movements_by_account(account_ids)
    movements = {account_id: [Movement(*found) for found in rows] for account_id, rows in history.items()}
    specs: list[EntrySpec] = []
    shares_of: list[list[Share]] = []
    for debit in debits:
        shares = apply_payment(
            movements, account_id=debit.account_id, amount_cents=debit.amount_cents, paid_on=effective_date
        )
        shares_of.append(shares)
        specs.append(
            EntrySpec(
                tuple(payment_lines(debit.account_id, shares)),
                effective_date,
                SourceType.PAYMENT,
                debit.receipt_number,
                f"payment:{debit.receipt_number}",
                ACH_REASON,
                f"Autopay ACH debit, trace {debit.trace_number}, {file_label}"[:500],
            )
        )
    batch = validated_entries(specs)
    insert_entries(
        batch,
        posted_by_id=acting_user(actor).pk,
        posted_at=clock.now(),
        gl_ids=ledger_selectors.gl_account_ids(),
    )
    insert_rows(
        Payment,
        PAYMENT_COLUMNS,
        [
            (debit.receipt_number, Channel.ACH.value, debit.account_id, debit.trace_number,
             debit.payer_name[:120], "en", debit.amount_cents, 0, f"ach:{debit.trace_number}",
             Payment.Status.POSTED.value, effective_date, as_of, actor.pk, new.entry_id, "", 0)
            for debit, new in zip(debits, batch, strict=True)
        ],
    )  # fmt: skip
    ids: dict[str, int] = {}
    receipts = [debit.receipt_number for debit in debits]
    for chunk in slices(receipts, CHUNK):
        ids.update(Payment.objects.filter(receipt_number__in=chunk).values_list("receipt_number", "pk"))
    payment_ids = [ids[receipt] for receipt in receipts]
    insert_rows(
        ChannelPayment,
        DETAIL_COLUMNS,
        [
            (payment_id, None, debit.sequence, "", "", debit.trace_number, "")
            for payment_id, debit in zip(payment_ids, debits, strict=True)
        ],
    )
    insert_rows(
        PaymentAllocation,
        ALLOCATION_COLUMNS,
        [
            (payment_id, debit.account_id, s.service, s.kind, s.fund, s.gl_code, s.amount_cents)
            for payment_id, debit, shares in zip(payment_ids, debits, shares_of, strict=True)
            for s in shares
        ],
    )
    return payment_ids


@transaction.atomic
def ach_payments_void(*, payment_ids: Sequence[int], reason: str, as_of: dt.datetime, actor: Actor) -> int:
    """Void the (not returned) ACH payments of a cancelled draft file: a reversing entry each, dated
    the payment's own date, and the payment marked void. Returns how many were voided."""
    require_permission(actor, "autopay.draft")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Say why the payments are voided", code="missing_reason", field="reason")
    voided = 0
    for payment_id in sorted(payment_ids):
        locked = locks.lock_payment(payment_id)
        if locked.channel != Channel.ACH:
            raise ApplicationError(f"Receipt {locked.receipt_number} is not an ACH payment", code="not_ach")
        if locked.status == Payment.Status.VOIDED:
            continue
        if hasattr(locked, "returned_item"):
            raise ApplicationError(
                f"Receipt {locked.receipt_number} was returned by the bank; it cannot be voided",
                code="already_returned",
            )
        reversal = entry_reverse_trusted(
            entry=locked.journal_entry,
            accounting_date=locked.business_date,
            reason=ACH_VOID_REASON,
            memo=f"Void of ACH receipt {locked.receipt_number}: {reason}"[:500],
            posted_by=actor,
            closed_period_advice="ACH payments cannot be voided in it",
        )
        locked.status = Payment.Status.VOIDED
        locked.void_entry = reversal
        locked.void_reason = reason[:200]
        locked.voided_by = acting_user(actor)
        locked.void_approved_by = acting_user(actor)
        locked.voided_at = as_of
        locked.save(
            update_fields=[
                "status",
                "void_entry",
                "void_reason",
                "voided_by",
                "void_approved_by",
                "voided_at",
            ]
        )
        audit_record(
            actor=actor,
            action="payment.void",
            target=locked,
            at=as_of,
            account_number=locked.account.number if locked.account is not None else "",
            summary=f"Voided ACH receipt {locked.receipt_number} "
            f"{format_cents(locked.amount_cents)}: {reason}",
            changes={"status": {"before": "posted", "after": "voided"}, "reason": reason},
        )
        voided += 1
    return voided
