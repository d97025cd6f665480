"""Taking money at the counter: payments on utility accounts, miscellaneous receipts, voids, reprints.

A payment posts one balanced entry: Dr *undeposited funds* of each fund its money belongs to,
Cr the receivable of each account and service it pays (a misc receipt: Cr its revenue account).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError, ConflictError, NotFoundError
from civicbill.core.money import Money
from civicbill.core.permissions import require_permission
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger.models import SourceType
from civicbill.ledger.posting import MAX_IDEMPOTENCY_KEY, PostingLine
from civicbill.ledger.service_posting import entry_post_trusted, entry_reverse_trusted
from civicbill.payments import locks, selectors
from civicbill.payments.allocation import (
    CREDIT,
    DEFAULT_POLICY,
    AllocationPolicy,
    allocate,
    credit_service_for,
    open_items,
)
from civicbill.payments.idempotency import request_fingerprint
from civicbill.payments.models import (
    AllocationKind,
    Channel,
    DrawerSession,
    Payment,
    PaymentAllocation,
    ReceiptCode,
    Tender,
)
from civicbill.payments.tenders import (
    LargeTenderError,
    SettledTender,
    TenderError,
    TenderInput,
    settle_tenders,
)

PAYMENT_REASON = "counter_payment"
MISC_REASON = "misc_receipt"


@dataclass(frozen=True, slots=True)
class AccountAmount:
    """One account paid in a transaction and how much is paid on it."""

    account: Account
    amount: Money


@dataclass(frozen=True, slots=True)
class _Share:
    account_id: int | None
    service: str | None
    kind: str
    fund: str
    gl_code: str
    amount_cents: int


# -- checks shared by payments and misc receipts ------------------------------------------------------
def _session_for_taking(session: DrawerSession, *, actor: Actor, business_date: dt.date) -> DrawerSession:
    locked = locks.lock_session(session.pk)
    if locked.status != DrawerSession.Status.OPEN:
        raise ApplicationError(
            f"Drawer session {locked.pk} is {locked.status}; open a drawer session to take payments",
            code="session_not_open",
        )
    if locked.cashier_id != actor.pk:
        raise ApplicationError(
            f"Drawer session {locked.pk} belongs to another cashier; take payments in your own session",
            code="not_your_session",
        )
    if locked.business_date != business_date:
        raise ApplicationError(
            f"Drawer session {locked.pk} is for {locked.business_date}, not {business_date}; "
            "close it and open a session for today",
            code="session_other_day",
        )
    if selectors.day_is_closed(business_date):
        raise ApplicationError(f"Business day {business_date} is closed", code="day_closed")
    return locked


def _check_key(idempotency_key: str) -> None:
    if not idempotency_key.strip():
        raise ApplicationError("An idempotency key is required", code="missing_idempotency_key")
    if len(idempotency_key) > MAX_IDEMPOTENCY_KEY - 20:
        raise ApplicationError("The idempotency key is too long", code="idempotency_key_too_long")


def _replay(
    idempotency_key: str, *, request_sha256: str, amount_cents: int, account_ids: Sequence[int | None]
) -> Payment | None:
    """The payment already posted with this key (a retried request, marked ``replayed``), or None.
    Refused (:class:`ConflictError`) when the retry is a different request (payments.idempotency):
    another split, tender, amount, payer, code or reference."""
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is None:
        return None
    if existing.request_sha256 and existing.request_sha256 != request_sha256:
        raise ConflictError(
            f"Idempotency key {idempotency_key!r} was already used by receipt {existing.receipt_number} "
            f"for {Money.from_cents(existing.amount_cents)} with a different request; send the same "
            "request to retry it, or a new key for a new payment",
            field="idempotency_key",
        )
    posted_accounts = sorted(
        {a for a in existing.allocations.values_list("account_id", flat=True)}, key=lambda a: a or 0
    )
    if existing.amount_cents != amount_cents or posted_accounts != sorted(
        set(account_ids), key=lambda a: a or 0
    ):
        raise ConflictError(
            f"Idempotency key {idempotency_key!r} was already used by receipt {existing.receipt_number} "
            f"for {Money.from_cents(existing.amount_cents)}; use a new key for a different payment",
            field="idempotency_key",
        )
    existing.replayed = True
    return existing


def _tender_fields(tenders: Sequence[TenderInput]) -> list[dict[str, Any]]:
    return [
        {
            "kind": tender.kind,
            "amount_cents": tender.amount.cents,
            "check_number": tender.check_number,
            "bank_name": tender.bank_name,
            "card_reference": tender.card_reference,
        }
        for tender in tenders
    ]


def _settle(
    amount_cents: int, tenders: Sequence[TenderInput], *, large_tender_confirmed: bool
) -> list[SettledTender]:
    try:
        return settle_tenders(
            amount_cents=amount_cents, tenders=tuple(tenders), large_tender_confirmed=large_tender_confirmed
        )
    except LargeTenderError as error:
        raise ApplicationError(
            f"Large tender not confirmed: {error}",
            code="large_tender_unconfirmed",
            field="confirm_large_tender",
        ) from None
    except TenderError as error:
        raise ApplicationError(
            f"Tenders not accepted: {error}", code="bad_tenders", field="tenders"
        ) from None


def _next_receipt_number(session: DrawerSession) -> str:
    session.last_receipt_sequence += 1
    session.save(update_fields=["last_receipt_sequence"])
    return f"{session.pk}-{session.last_receipt_sequence:04d}"


def _entry_lines(shares: list[_Share]) -> list[PostingLine]:
    by_fund: dict[str, int] = defaultdict(int)
    for share in shares:
        by_fund[share.fund] += share.amount_cents
    lines = [
        PostingLine.debit(chart.undeposited_funds_for(fund).code, Money.from_cents(cents))
        for fund, cents in sorted(by_fund.items())
    ]
    credits: dict[tuple[str, int | None, str | None], int] = defaultdict(int)
    for share in shares:
        credits[(share.gl_code, share.account_id, share.service)] += share.amount_cents
    lines += [
        PostingLine.credit(code, Money.from_cents(cents), customer_account_id=account_id, service=service)
        for (code, account_id, service), cents in credits.items()
    ]
    return lines


def _record(
    *,
    session: DrawerSession,
    business_date: dt.date,
    as_of: dt.datetime,
    amount_cents: int,
    settled: list[SettledTender],
    shares: list[_Share],
    idempotency_key: str,
    request_sha256: str,
    actor: Actor,
    source_type: str,
    reason: str,
    account: Account | None = None,
    receipt_code: ReceiptCode | None = None,
    reference: str = "",
    payer_name: str = "",
    language: str = "en",
) -> Payment:
    receipt_number = _next_receipt_number(session)
    entry = entry_post_trusted(
        lines=_entry_lines(shares),
        accounting_date=business_date,
        source_type=source_type,
        source_ref=receipt_number,
        idempotency_key=f"payment:{receipt_number}",
        reason=reason,
        memo=f"Receipt {receipt_number}",
        posted_by=actor,
    )
    payment = Payment.objects.create(
        receipt_number=receipt_number,
        channel=Channel.COUNTER,
        session=session,
        account=account,
        receipt_code=receipt_code,
        reference=reference,
        payer_name=payer_name,
        language=language,
        amount_cents=amount_cents,
        change_cents=sum(tender.change_cents for tender in settled),
        idempotency_key=idempotency_key,
        request_sha256=request_sha256,
        business_date=business_date,
        received_at=as_of,
        taken_by=acting_user(actor),
        journal_entry=entry,
    )
    Tender.objects.bulk_create(
        Tender(
            payment=payment,
            kind=t.kind,
            amount_cents=t.amount_cents,
            tendered_cents=t.tendered_cents,
            change_cents=t.change_cents,
            check_number=t.check_number,
            bank_name=t.bank_name,
            card_reference=t.card_reference,
        )
        for t in settled
    )
    PaymentAllocation.objects.bulk_create(
        PaymentAllocation(
            payment=payment,
            account_id=s.account_id,
            service=s.service,
            kind=s.kind,
            fund=s.fund,
            gl_code=s.gl_code,
            amount_cents=s.amount_cents,
        )
        for s in shares
    )
    return payment


# -- payments on utility accounts ---------------------------------------------------------------------
def _account_shares(account: Account, amount_cents: int, policy: AllocationPolicy) -> list[_Share]:
    movements = selectors.account_movements(account)
    items = open_items(movements, policy=policy)
    credit_service = credit_service_for((m.service for m in movements), policy)
    shares = []
    for allocation in allocate(
        amount_cents=amount_cents, items=items, policy=policy, credit_service=credit_service
    ):
        kind = AllocationKind.CREDIT if allocation.kind == CREDIT else allocation.kind
        shares.append(
            _Share(
                account.pk,
                allocation.service,
                str(kind),
                chart.fund_for(allocation.service),
                chart.receivable_control_for(allocation.service).code,
                allocation.amount_cents,
            )
        )
    return shares


@transaction.atomic
def payment_take(
    *,
    session: DrawerSession,
    accounts: Sequence[AccountAmount],
    tenders: Sequence[TenderInput],
    idempotency_key: str,
    as_of: dt.datetime,
    actor: Actor,
    payer_name: str = "",
    language: str | None = None,
    policy: AllocationPolicy = DEFAULT_POLICY,
    large_tender_confirmed: bool = False,
) -> Payment:
    """Take a payment on one or several accounts in one transaction, applied to each account's
    receivables by ``policy`` (an overpayment becomes a credit). Retrying with the same
    ``idempotency_key`` returns the payment already taken and posts nothing. A tender far above the
    payment or a large sum of cash needs ``large_tender_confirmed`` (payments.tenders)."""
    require_permission(actor, "payments.take")
    _check_key(idempotency_key)
    if not accounts:
        raise ApplicationError("Name at least one account to pay", code="no_accounts", field="accounts")
    for item in accounts:
        if not item.amount.is_positive():
            raise ApplicationError(
                f"The amount paid on account {item.account.number} must be positive, not {item.amount}",
                code="amount_not_positive",
                field="amount",
            )
    account_ids = [item.account.pk for item in accounts]
    if len(set(account_ids)) != len(account_ids):
        raise ApplicationError("An account appears twice in one payment", code="duplicate_account")
    amount_cents = sum(item.amount.cents for item in accounts)
    request_sha256 = request_fingerprint(
        {
            "kind": "payment",
            "accounts": sorted([item.account.pk, item.amount.cents] for item in accounts),
            "tenders": _tender_fields(tenders),
            "payer_name": payer_name,
            "language": language,
        }
    )
    # a retry returns the receipt even after the drawer closed; checked again under the session lock
    replay = _replay(
        idempotency_key, request_sha256=request_sha256, amount_cents=amount_cents, account_ids=account_ids
    )
    if replay is not None:
        return replay
    business_date = clock.business_date(as_of)
    locked = _session_for_taking(session, actor=actor, business_date=business_date)
    replay = _replay(
        idempotency_key, request_sha256=request_sha256, amount_cents=amount_cents, account_ids=account_ids
    )
    if replay is not None:
        return replay
    settled = _settle(amount_cents, tenders, large_tender_confirmed=large_tender_confirmed)
    found = {account.pk: account for account in locks.lock_accounts(account_ids)}
    missing = [item.account for item in accounts if item.account.pk not in found]
    if missing:
        raise NotFoundError(f"There is no account {missing[0].number}", field="accounts")
    shares: list[_Share] = []
    for item in accounts:
        shares += _account_shares(found[item.account.pk], item.amount.cents, policy)
    single = found[accounts[0].account.pk] if len(accounts) == 1 else None
    if language is None:
        language = single.customer.preferred_language if single is not None else "en"
    payment = _record(
        session=locked,
        business_date=business_date,
        as_of=as_of,
        amount_cents=amount_cents,
        settled=settled,
        shares=shares,
        idempotency_key=idempotency_key,
        request_sha256=request_sha256,
        actor=actor,
        source_type=SourceType.PAYMENT,
        reason=PAYMENT_REASON,
        account=single,
        payer_name=payer_name,
        language=language or "en",
    )
    numbers = ", ".join(found[i].number for i in account_ids)
    audit_record(
        actor=actor,
        action="payment.take",
        target=payment,
        at=clock.now(),
        account_number=single.number if single is not None else "",
        summary=f"Receipt {payment.receipt_number}: {Money.from_cents(amount_cents)} on {numbers} "
        f"({', '.join(t.kind for t in settled)})",
        changes={
            "receipt_number": payment.receipt_number,
            "amount": str(Money.from_cents(amount_cents)),
            "accounts": numbers,
            "tenders": [f"{t.kind} {Money.from_cents(t.amount_cents)}" for t in settled],
            "change": str(Money.from_cents(payment.change_cents)),
        },
    )
    return payment


# -- miscellaneous receipts ---------------------------------------------------------------------------
@transaction.atomic
def misc_receipt_take(
    *,
    session: DrawerSession,
    receipt_code: str,
    amount: Money,
    tenders: Sequence[TenderInput],
    idempotency_key: str,
    as_of: dt.datetime,
    actor: Actor,
    reference: str = "",
    payer_name: str = "",
    language: str = "en",
    large_tender_confirmed: bool = False,
) -> Payment:
    """Take money without a utility account (a parking citation, a permit ...): Cr the receipt
    code's revenue account. ``reference`` (e.g. the citation number) is required when the code
    names one. A tender far above the amount needs ``large_tender_confirmed``, as for payments."""
    require_permission(actor, "misc_receipts.take")
    _check_key(idempotency_key)
    code = ReceiptCode.objects.select_related("gl_account").filter(code=receipt_code).first()
    if code is None or not code.is_active:
        raise NotFoundError(f"There is no active receipt code {receipt_code!r}", field="receipt_code")
    if not amount.is_positive():
        raise ApplicationError(
            f"The amount must be positive, not {amount}", code="amount_not_positive", field="amount"
        )
    reference = reference.strip()
    if code.reference_label and not reference:
        raise ApplicationError(
            f"{code.description}: the {code.reference_label.lower()} is required",
            code="missing_reference",
            field="reference",
        )
    request_sha256 = request_fingerprint(
        {
            "kind": "misc_receipt",
            "receipt_code": code.code,
            "amount_cents": amount.cents,
            "reference": reference,
            "tenders": _tender_fields(tenders),
            "payer_name": payer_name,
            "language": language,
        }
    )
    replay = _replay(
        idempotency_key, request_sha256=request_sha256, amount_cents=amount.cents, account_ids=[None]
    )
    if replay is not None:
        return replay
    business_date = clock.business_date(as_of)
    locked = _session_for_taking(session, actor=actor, business_date=business_date)
    replay = _replay(
        idempotency_key, request_sha256=request_sha256, amount_cents=amount.cents, account_ids=[None]
    )
    if replay is not None:
        return replay
    settled = _settle(amount.cents, tenders, large_tender_confirmed=large_tender_confirmed)
    share = _Share(None, None, AllocationKind.MISC, code.fund, code.gl_account.code, amount.cents)
    payment = _record(
        session=locked,
        business_date=business_date,
        as_of=as_of,
        amount_cents=amount.cents,
        settled=settled,
        shares=[share],
        idempotency_key=idempotency_key,
        request_sha256=request_sha256,
        actor=actor,
        source_type=SourceType.PAYMENT,
        reason=MISC_REASON,
        receipt_code=code,
        reference=reference,
        payer_name=payer_name,
        language=language,
    )
    audit_record(
        actor=actor,
        action="payment.misc_receipt",
        target=payment,
        at=clock.now(),
        summary=f"Receipt {payment.receipt_number}: {code.code} {reference} {amount}".replace("  ", " "),
        changes={"receipt_code": code.code, "reference": reference, "amount": str(amount)},
    )
    return payment


# -- voids and reprints -------------------------------------------------------------------------------
def _void_refusal(payment: Payment, session: DrawerSession | None, as_of: dt.datetime) -> None:
    if payment.status == Payment.Status.VOIDED:
        raise ApplicationError(f"Receipt {payment.receipt_number} is already void", code="already_void")
    business_date = clock.business_date(as_of)
    if payment.business_date != business_date:
        raise ApplicationError(
            f"Receipt {payment.receipt_number} was taken on {payment.business_date}; only a payment taken "
            f"today ({business_date}) can be voided",
            code="not_same_day",
        )
    if session is not None and session.status != DrawerSession.Status.OPEN:
        raise ApplicationError(
            f"Drawer session {session.pk} is already closed; receipt {payment.receipt_number} "
            "can no longer be voided",
            code="session_closed",
        )


def payment_void_check(*, payment: Payment, reason: str, as_of: dt.datetime, actor: Actor) -> None:
    """Refuse a void that cannot happen (already void, not today's, drawer closed, no reason) —
    called before a supervisor's credentials are looked at, so no password is tried in vain."""
    require_permission(actor, "payments.take")
    if not reason.strip():
        raise ApplicationError("Say why the payment is voided", code="missing_reason", field="reason")
    session = DrawerSession.objects.filter(pk=payment.session_id).first() if payment.session_id else None
    _void_refusal(Payment.objects.get(pk=payment.pk), session, as_of)


@transaction.atomic
def payment_void(
    *, payment: Payment, reason: str, approved_by: Any, as_of: dt.datetime, actor: Actor
) -> Payment:
    """Void a payment taken today, before its drawer is closed, with a supervisor's approval and a
    reason: a reversing entry, the payment marked void (its receipt then prints VOID)."""
    require_permission(actor, "payments.take")
    require_permission(approved_by, "payments.void_approve")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Say why the payment is voided", code="missing_reason", field="reason")
    locked_session = locks.lock_session(payment.session_id) if payment.session_id else None
    locked = locks.lock_payment(payment.pk)
    _void_refusal(locked, locked_session, as_of)
    business_date = clock.business_date(as_of)
    reversal = entry_reverse_trusted(
        entry=locked.journal_entry,
        accounting_date=business_date,
        reason="payment_void",
        memo=f"Void of receipt {locked.receipt_number}: {reason}"[:500],
        posted_by=approved_by,
    )
    locked.status = Payment.Status.VOIDED
    locked.void_entry = reversal
    locked.void_reason = reason[:200]
    locked.voided_by = acting_user(actor)
    locked.void_approved_by = approved_by
    locked.voided_at = as_of
    locked.save(
        update_fields=["status", "void_entry", "void_reason", "voided_by", "void_approved_by", "voided_at"]
    )
    audit_record(
        actor=actor,
        action="payment.void",
        target=locked,
        at=clock.now(),
        account_number=locked.account.number if locked.account is not None else "",
        summary=f"Voided receipt {locked.receipt_number} {Money.from_cents(locked.amount_cents)}, "
        f"approved by {approved_by.username}: {reason}",
        changes={
            "status": {"before": "posted", "after": "voided"},
            "reason": reason,
            "approved_by": approved_by.username,
        },
    )
    return locked


@transaction.atomic
def receipt_reprint(*, payment: Payment, actor: Actor) -> Payment:
    """Count a reprint (the reprinted receipt says REPRINT): printing receipts is taking payments'
    permission (docs/permissions.md), not a read-only one."""
    require_permission(actor, "payments.take")
    locked = locks.lock_payment(payment.pk)
    locked.reprint_count += 1
    locked.save(update_fields=["reprint_count"])
    audit_record(
        actor=actor,
        action="payment.reprint",
        target=locked,
        at=clock.now(),
        summary=f"Reprinted receipt {locked.receipt_number} (copy {locked.reprint_count})",
    )
    return locked
