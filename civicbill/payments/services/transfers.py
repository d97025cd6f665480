"""Payment transfers: a payment posted to the wrong account on an earlier day, moved to the right one.

The money stays where it is (in undeposited funds, in the bank); only whose receivable it paid
changes. Two entries, both dated the day of the transfer, through the ledger's ``service_posting``:

1. the reversal of the payment's entry (it mirrors the original line for line and points at it, so
   the wrong account's history shows the payment and, after it, its reversal);
2. a payment entry on the right account: the original's debit lines unchanged, the right account's
   receivables credited in the usual payment order (an overpayment is a credit), and each fund
   squared through *due to / due from other funds* when the money now pays another fund's receivable.

Refused for a void payment, a returned one, one already transferred, a payment that is not on one
utility account, a payment taken today whose drawer is still open (void it and take it again), and
a target account that is unknown, the same, or closed. Audited with who, when and why.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money
from civicbill.core.permissions import require_permission
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger import selectors as ledger_selectors
from civicbill.ledger.models import SourceType
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.service_posting import entry_post_trusted, entry_reverse_trusted
from civicbill.payments import locks
from civicbill.payments.allocation import DEFAULT_POLICY, AllocationPolicy
from civicbill.payments.models import DrawerSession, Payment, PaymentTransfer, ReturnedItem
from civicbill.payments.services.taking import _account_shares

TRANSFER_REASON = "payment_transfer"
MAX_REASON_LENGTH = 200


def _refusal(payment: Payment, to_account: Account, as_of: dt.datetime) -> None:
    receipt = payment.receipt_number
    if payment.status == Payment.Status.VOIDED:
        raise ApplicationError(
            f"Receipt {receipt} is void; there is nothing to transfer", code="already_void"
        )
    if ReturnedItem.objects.filter(payment=payment).exists():
        raise ApplicationError(
            f"Receipt {receipt} was returned by the bank; there is nothing to transfer",
            code="already_returned",
        )
    existing = PaymentTransfer.objects.filter(payment=payment).select_related("to_account").first()
    if existing is not None:
        raise ApplicationError(
            f"Receipt {receipt} was already transferred to account {existing.to_account.number} "
            f"on {existing.business_date}",
            code="already_transferred",
        )
    if payment.account_id is None:
        raise ApplicationError(
            f"Receipt {receipt} is not a payment on one utility account; it cannot be transferred",
            code="not_an_account_payment",
        )
    if payment.account_id == to_account.pk:
        raise ApplicationError(
            f"Receipt {receipt} is already on account {to_account.number}",
            code="same_account",
            field="to_account",
        )
    if to_account.status == Account.Status.CLOSED:
        raise ApplicationError(
            f"Account {to_account.number} is closed; a payment cannot be moved onto it",
            code="account_closed",
            field="to_account",
        )
    session = DrawerSession.objects.filter(pk=payment.session_id).first() if payment.session_id else None
    if (
        session is not None
        and session.status == DrawerSession.Status.OPEN
        and payment.business_date == clock.business_date(as_of)
    ):
        raise ApplicationError(
            f"Receipt {receipt} was taken today and its drawer is still open: void it and take it again "
            "on the right account",
            code="void_instead",
        )


def _moved_lines(
    original: list[PostingLine], *, from_account_id: int, to_account: Account, policy: AllocationPolicy
) -> tuple[list[PostingLine], int]:
    """The original entry with its credits to the wrong account replaced by credits to the right
    one, each fund squared through due to / due from other funds; and the amount moved (cents)."""
    moved = [line for line in original if line.customer_account_id == from_account_id]
    if any(line.debit_cents > 0 for line in moved) or not moved:
        raise ApplicationError(
            "This payment's entry does not only pay the account's receivables; it cannot be transferred",
            code="not_transferable",
        )
    amount_cents = sum(line.credit_cents for line in moved)
    kept = [line for line in original if line.customer_account_id != from_account_id]
    shares = _account_shares(to_account, amount_cents, policy)
    credits: dict[tuple[str, str | None], int] = defaultdict(int)
    for share in shares:
        credits[(share.gl_code, share.service)] += share.amount_cents
    new_credits = [
        PostingLine.credit(code, Money.from_cents(cents), customer_account_id=to_account.pk, service=service)
        for (code, service), cents in credits.items()
    ]
    # per fund: what the moved credits gave it, less what the new credits take from it
    imbalance: dict[str, int] = defaultdict(int)
    for line in moved:
        imbalance[chart.gl_account(line.gl_code).fund] += line.credit_cents
    for share in shares:
        imbalance[share.fund] -= share.amount_cents
    squaring = []
    for fund, cents in sorted(imbalance.items()):
        if cents > 0:  # this fund holds money that now pays another fund's receivable
            squaring.append(PostingLine.credit(chart.due_to_other_funds(fund).code, Money.from_cents(cents)))
        elif cents < 0:  # this fund's receivable is paid with money another fund holds
            squaring.append(
                PostingLine.debit(chart.due_from_other_funds(fund).code, Money.from_cents(-cents))
            )
    return kept + new_credits + squaring, amount_cents


@transaction.atomic
def payment_transfer(
    *,
    payment: Payment,
    to_account: Account,
    reason: str,
    as_of: dt.datetime,
    actor: Actor,
    policy: AllocationPolicy = DEFAULT_POLICY,
) -> PaymentTransfer:
    """Move ``payment`` from the account it was posted to onto ``to_account``: its entry reversed and
    the same money applied to ``to_account``, both dated the business day of ``as_of``."""
    require_permission(actor, "payments.transfer")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Say why the payment is transferred", code="missing_reason", field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ApplicationError(
            f"The reason is {len(reason)} characters long; at most {MAX_REASON_LENGTH}",
            code="too_long",
            field="reason",
        )
    locked = locks.lock_payment(payment.pk)
    _refusal(locked, to_account, as_of)
    if locked.account_id is None:  # refused above; for the type checker
        raise ApplicationError("Not a payment on one utility account", code="not_an_account_payment")
    from_account, to_locked = _locked_pair(locked.account_id, to_account.pk)
    _refusal(locked, to_locked, as_of)  # the target's status, again under its lock
    business_date = clock.business_date(as_of)
    receipt = locked.receipt_number
    original = locked.journal_entry
    lines, amount_cents = _moved_lines(
        ledger_selectors.entry_posting_lines(original),
        from_account_id=from_account.pk,
        to_account=to_locked,
        policy=policy,
    )
    reversal = entry_reverse_trusted(
        entry=original,
        accounting_date=business_date,
        reason=TRANSFER_REASON,
        memo=f"Receipt {receipt} transferred to account {to_locked.number}: {reason}"[:500],
        posted_by=actor,
    )
    entry = entry_post_trusted(
        lines=lines,
        accounting_date=business_date,
        source_type=SourceType.PAYMENT,
        source_ref=receipt,
        idempotency_key=f"payment-transfer:{receipt}",
        reason=TRANSFER_REASON,
        memo=f"Receipt {receipt} transferred from account {from_account.number}: {reason}"[:500],
        posted_by=actor,
    )
    transfer = PaymentTransfer.objects.create(
        payment=locked,
        from_account=from_account,
        to_account=to_locked,
        amount_cents=amount_cents,
        reason=reason,
        business_date=business_date,
        transferred_at=as_of,
        transferred_by=acting_user(actor),
        reversal_entry=reversal,
        entry=entry,
    )
    amount = Money.from_cents(amount_cents)
    changes = {
        "receipt_number": receipt,
        "amount": str(amount),
        "from_account": from_account.number,
        "to_account": to_locked.number,
        "reason": reason,
    }
    for account, summary in (
        (from_account, f"Transferred receipt {receipt} {amount} to account {to_locked.number}: {reason}"),
        (to_locked, f"Received receipt {receipt} {amount} from account {from_account.number}: {reason}"),
    ):
        audit_record(
            actor=actor,
            action="payment.transfer",
            target=transfer,
            at=as_of,
            account_number=account.number,
            summary=summary[:300],
            changes=changes,
        )
    return transfer


def _locked_pair(from_account_id: int, to_account_id: int) -> tuple[Account, Account]:
    by_id = {account.pk: account for account in locks.lock_accounts([from_account_id, to_account_id])}
    return by_id[from_account_id], by_id[to_account_id]


def transferred_allocations(transfer: PaymentTransfer) -> list[tuple[str, str, str, int]]:
    """(gl_code, service, fund, cents) the transfer credited on its target account: what a later
    return of the payment takes back from that account."""
    return [
        (line.gl_code, line.service or "", chart.fund_for(line.service or ""), line.credit_cents)
        for line in ledger_selectors.entry_posting_lines(transfer.entry)
        if line.customer_account_id == transfer.to_account_id and line.credit_cents > 0
    ]
