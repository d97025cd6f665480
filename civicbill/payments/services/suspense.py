"""The suspense queue: payments received that could not be matched to an account with confidence.

An item holds its money in 100-2900 Suspense - unapplied cash (General Fund). Applying it to an
account posts the reclassification: Dr 100-2900 Suspense / Cr the account's receivable per
service, by the counter's allocation order. The General Fund holds the cash, so each other fund's
share goes through due to / due from other funds (Cr 100-2100, Dr x-1900), keeping every fund
balanced. The application is a :class:`~civicbill.payments.models.Payment` (channel of the item)
so the account's history, receipts and returned checks treat it like any payment.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import QuerySet

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money, format_cents
from civicbill.core.permissions import require_permission
from civicbill.core.utility_services import Fund
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger.models import SourceType
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.service_posting import entry_post_trusted
from civicbill.payments import locks, selectors
from civicbill.payments.allocation import DEFAULT_POLICY, AllocationPolicy
from civicbill.payments.models import ChannelPayment, Payment, PaymentAllocation, SuspenseItem
from civicbill.payments.services.payment_shares import Share, shares_for

APPLY_REASON = "suspense_applied"


def suspense_queue(*, status: str | None = SuspenseItem.Status.OPEN) -> QuerySet[SuspenseItem]:
    """Suspense items (open ones by default), oldest first."""
    items = SuspenseItem.objects.select_related("payment_import", "applied_payment__account", "applied_by")
    if status is not None:
        items = items.filter(status=status)
    return items.order_by("deposit_date", "pk")


def reclass_lines(account_id: int, shares: list[Share]) -> list[PostingLine]:
    """Dr suspense / Cr receivables, with due to/due from for the funds other than the General Fund."""
    total = sum(share.amount_cents for share in shares)
    lines = [PostingLine.debit(chart.SUSPENSE_UNAPPLIED_CASH, Money.from_cents(total))]
    by_fund: dict[str, int] = defaultdict(int)
    for share in shares:
        by_fund[share.fund] += share.amount_cents
    other_funds = sum(cents for fund, cents in by_fund.items() if fund != Fund.GENERAL)
    if other_funds:
        lines.append(
            PostingLine.credit(chart.due_to_other_funds(Fund.GENERAL).code, Money.from_cents(other_funds))
        )
    for fund, cents in sorted(by_fund.items()):
        if fund != Fund.GENERAL:
            lines.append(PostingLine.debit(chart.due_from_other_funds(fund).code, Money.from_cents(cents)))
    credits: dict[tuple[str, str], int] = defaultdict(int)
    for share in shares:
        credits[(share.gl_code, share.service)] += share.amount_cents
    lines += [
        PostingLine.credit(code, Money.from_cents(cents), customer_account_id=account_id, service=service)
        for (code, service), cents in credits.items()
    ]
    return lines


@transaction.atomic
def suspense_apply(
    *,
    item: SuspenseItem,
    account: Account,
    as_of: dt.datetime,
    actor: Actor,
    note: str = "",
    policy: AllocationPolicy = DEFAULT_POLICY,
) -> Payment:
    """Apply an open suspense item to ``account`` (audited); returns the payment it becomes."""
    require_permission(actor, "payments.suspense")
    locked = locks.lock_suspense_item(item.pk)
    if locked.status != SuspenseItem.Status.OPEN:
        raise ApplicationError(
            f"Suspense item {locked.pk} was already applied to receipt "
            f"{locked.applied_payment.receipt_number if locked.applied_payment else '?'}",
            code="already_applied",
        )
    found = locks.lock_accounts([account.pk])
    if not found:
        raise ApplicationError(f"There is no account {account.number}", code="not_found", field="account")
    account = found[0]
    if account.status == Account.Status.CLOSED:
        raise ApplicationError(
            f"Account {account.number} is closed; apply the payment to an open account or refund it",
            code="account_closed",
            field="account",
        )
    business_date = clock.business_date(as_of)
    shares = shares_for(selectors.account_movements(account), locked.amount_cents, policy)
    receipt = f"SU{locked.pk}"
    entry = entry_post_trusted(
        lines=reclass_lines(account.pk, shares),
        accounting_date=business_date,
        source_type=SourceType.PAYMENT,
        source_ref=receipt,
        idempotency_key=f"payment:{receipt}",
        reason=APPLY_REASON,
        memo=f"Suspense item {locked.pk} applied to account {account.number}"[:500],
        posted_by=actor,
    )
    payment = Payment.objects.create(
        receipt_number=receipt,
        channel=locked.channel,
        account=account,
        payer_name=locked.payer_name,
        amount_cents=locked.amount_cents,
        idempotency_key=f"suspense-apply:{locked.pk}",
        business_date=business_date,
        received_at=as_of,
        taken_by=acting_user(actor),
        journal_entry=entry,
    )
    ChannelPayment.objects.create(
        payment=payment,
        payment_import=locked.payment_import,
        line_number=locked.line_number,
        scan_line=locked.scan_line,
        check_number=locked.check_number,
        reference=locked.reference,
    )
    PaymentAllocation.objects.bulk_create(
        PaymentAllocation(
            payment=payment,
            account=account,
            service=s.service,
            kind=s.kind,
            fund=s.fund,
            gl_code=s.gl_code,
            amount_cents=s.amount_cents,
        )
        for s in shares
    )
    locked.status = SuspenseItem.Status.APPLIED
    locked.applied_payment = payment
    locked.applied_by = acting_user(actor)
    locked.applied_at = as_of
    locked.note = note.strip()[:300]
    locked.save(update_fields=["status", "applied_payment", "applied_by", "applied_at", "note"])
    audit_record(
        actor=actor,
        action="payment.suspense_apply",
        target=locked,
        at=as_of,
        account_number=account.number,
        summary=f"Applied suspense item {locked.pk} ({format_cents(locked.amount_cents)}, "
        f"{locked.get_reason_display()}) to account {account.number} as receipt {receipt}",
        changes={
            "status": {"before": "open", "after": "applied"},
            "account": account.number,
            "receipt_number": receipt,
            "amount": str(Money.from_cents(locked.amount_cents)),
            "note": locked.note,
        },
    )
    return payment
