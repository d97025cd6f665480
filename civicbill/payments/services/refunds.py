"""Refunds of credit balances: request → supervisor approval (posted as a refund payable) →
export to the city's accounts payable.

A refund waits while money behind the credit can still come back: approval is refused
(``refund_held``), saying which check, money order or ACH payment clears when, until enough of the
credit comes from money past its clearing window (:mod:`civicbill.payments.clearing`).

Approval posts ``refund``/``refund_payable``: Dr the account's receivable of each service holding
credit (in the allocation policy's service order) / Cr that
fund's *Refunds payable* (x-2300). Accounts payable cuts the check from the export
(:func:`refunds_ap_export`, CSV), which marks the refunds exported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.db import transaction
from django.db.models import Q, Sum

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money, format_cents, plain_cents
from civicbill.core.permissions import require_permission
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger import selectors as ledger_selectors
from civicbill.ledger.models import SourceType
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.service_posting import entry_post_trusted
from civicbill.payments import clearing, locks
from civicbill.payments.allocation import DEFAULT_POLICY
from civicbill.payments.models import Channel, Payment, PaymentAllocation, Refund, Tender, TenderKind

AP_EXPORT_COLUMNS = (
    "refund_id", "approved_on", "payee_name", "mailing_address", "account_number", "fund", "gl_code",
    "amount",
)  # fmt: skip


def _credit_by_service(account: Account) -> dict[str, int]:
    """Credit (as positive cents) per service holding a credit balance, in the policy's service order."""
    balances = ledger_selectors.account_balance_by_service(account)
    credits = {service: -money.cents for service, money in balances.items() if money.is_negative()}
    return dict(sorted(credits.items(), key=lambda item: (DEFAULT_POLICY.service_rank(item[0]), item[0])))


def _pending_cents(account: Account, *, excluding: int | None = None) -> int:
    pending = Refund.objects.filter(account=account, status=Refund.Status.REQUESTED)
    if excluding is not None:
        pending = pending.exclude(pk=excluding)
    return int(pending.aggregate(cents=Sum("amount_cents"))["cents"] or 0)


def _received_behind(account: Account, *, since: dt.date) -> list[clearing.Received]:
    """The account's money received since ``since`` by a tender that can come back (checks and money
    orders at the counter, lockbox checks, autopay drafts, online bank-account payments), as much of
    each payment as went to this account; voided and returned payments left out."""
    shares = dict(
        PaymentAllocation.objects.filter(
            account=account,
            payment__business_date__gte=since,
            payment__status=Payment.Status.POSTED,
            payment__returned_item__isnull=True,
        )
        .values_list("payment_id")
        .annotate(cents=Sum("amount_cents"))
    )
    if not shares:
        return []
    payments = list(
        Payment.objects.filter(pk__in=shares)
        .filter(
            Q(channel__in=[Channel.COUNTER, Channel.LOCKBOX, Channel.ACH])
            | Q(channel=Channel.ONLINE, channel_detail__method="ach")
        )
        .values_list("pk", "channel", "business_date", "receipt_number")
    )
    tenders: dict[int, dict[str, int]] = {}
    for payment_id, kind, cents in (
        Tender.objects.filter(
            payment_id__in=[p[0] for p in payments if p[1] == Channel.COUNTER],
            kind__in=[TenderKind.CHECK, TenderKind.MONEY_ORDER],
        )
        .values_list("payment_id", "kind")
        .annotate(cents=Sum("amount_cents"))
    ):
        tenders.setdefault(payment_id, {})[kind] = int(cents)
    received = []
    for payment_id, channel, business_date, receipt in payments:
        share = int(shares[payment_id])
        if channel == Channel.COUNTER:
            for kind, tender in (
                (clearing.CHECK, TenderKind.CHECK),
                (clearing.MONEY_ORDER, TenderKind.MONEY_ORDER),
            ):
                cents = min(share, tenders.get(payment_id, {}).get(tender, 0))
                if cents > 0:
                    received.append(clearing.Received(kind, cents, business_date, receipt))
                    share -= cents
            continue
        kind = clearing.CHECK if channel == Channel.LOCKBOX else clearing.ACH
        received.append(clearing.Received(kind, share, business_date, receipt))
    return received


def refund_hold(*, account: Account, amount_cents: int, credit_cents: int, on: dt.date) -> str:
    """Why a refund of ``amount_cents`` out of ``credit_cents`` of credit must wait on ``on`` (``""``
    when it need not): the uncleared money behind the credit and the day the refund can be approved."""
    days = clearing.hold_days()
    longest = max(days.values(), default=0)
    if not longest:
        return ""
    calendar = clock.business_calendar()
    since = calendar.add_business_days(on, -longest)
    waiting = clearing.uncleared(_received_behind(account, since=since), on=on, days=days, calendar=calendar)
    uncleared_cents = sum(item.received.amount_cents for item in waiting)
    if amount_cents <= credit_cents - uncleared_cents:
        return ""
    ready_on = waiting[-1].clears_on
    for index, item in enumerate(waiting):  # the first day enough of the credit has cleared
        still = sum(
            later.received.amount_cents for later in waiting[index + 1 :] if later.clears_on > item.clears_on
        )
        if amount_cents <= credit_cents - still:
            ready_on = item.clears_on
            break
    cleared_cents = max(credit_cents - uncleared_cents, 0)
    return (
        "the credit comes from money that can still come back: "
        f"{'; '.join(item.describe() for item in waiting)}. Of {format_cents(credit_cents)} of credit, "
        f"{format_cents(cleared_cents)} has cleared; the refund can be approved on {ready_on.isoformat()}"
    )


def refund_waits(refund: Refund, *, on: dt.date) -> str:
    """Why a requested refund could not be approved on ``on`` for uncleared money (``""`` when it
    could), for the refunds queue. A read: nothing is locked."""
    if refund.status != Refund.Status.REQUESTED:
        return ""
    credit = sum(_credit_by_service(refund.account).values())
    return refund_hold(account=refund.account, amount_cents=refund.amount_cents, credit_cents=credit, on=on)


@transaction.atomic
def refund_request(
    *,
    account: Account,
    amount: Money,
    reason: str,
    as_of: dt.datetime,
    actor: Actor,
    payee_name: str = "",
    mailing_address: str = "",
) -> Refund:
    """Ask to refund ``amount`` of the account's credit balance (the payee defaults to the customer
    at the mailing address). Refused beyond the credit not already asked for."""
    require_permission(actor, "refunds.request")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Say why the refund is made", code="missing_reason", field="reason")
    if not amount.is_positive():
        raise ApplicationError(f"A refund must be positive, not {amount}", code="amount_not_positive")
    account = locks.lock_accounts([account.pk])[0]
    available = sum(_credit_by_service(account).values()) - _pending_cents(account)
    if amount.cents > available:
        raise ApplicationError(
            f"Account {account.number} has {format_cents(max(available, 0))} of credit available to refund; "
            f"{amount} asked",
            code="not_enough_credit",
            field="amount",
        )
    customer = account.customer
    refund = Refund.objects.create(
        account=account,
        amount_cents=amount.cents,
        payee_name=(payee_name.strip() or customer.display_name)[:120],
        mailing_address=(mailing_address.strip() or ", ".join(customer.mailing_address_lines))[:300],
        reason=reason[:200],
        requested_by=acting_user(actor),
        requested_at=as_of,
    )
    audit_record(
        actor=actor,
        action="refund.request",
        target=refund,
        at=as_of,
        account_number=account.number,
        summary=f"Refund {refund.pk} of {amount} requested on {account.number}: {reason}",
        changes={"amount": str(amount), "payee": refund.payee_name, "reason": reason},
    )
    return refund


def _locked_requested(refund: Refund) -> Refund:
    locked = locks.lock_refund(refund.pk)
    if locked.status != Refund.Status.REQUESTED:
        raise ApplicationError(f"Refund {locked.pk} is already {locked.status}", code="refund_decided")
    return locked


@transaction.atomic
def refund_approve(*, refund: Refund, as_of: dt.datetime, actor: Actor, note: str = "") -> Refund:
    """A supervisor other than the requester approves: the refund payable is posted."""
    require_permission(actor, "refunds.approve")
    locked = _locked_requested(refund)
    if locked.requested_by_id == actor.pk:
        raise ApplicationError(
            "A refund is approved by a supervisor other than the one who asked for it", code="self_approval"
        )
    account = locks.lock_accounts([locked.account_id])[0]
    credits = _credit_by_service(account)
    if locked.amount_cents > sum(credits.values()):
        raise ApplicationError(
            f"Account {account.number} now has only {format_cents(sum(credits.values()))} of credit; "
            f"refund {locked.pk} asks {format_cents(locked.amount_cents)}",
            code="not_enough_credit",
        )
    hold = refund_hold(
        account=account,
        amount_cents=locked.amount_cents,
        credit_cents=sum(credits.values()),
        on=clock.business_date(as_of),
    )
    if hold:
        raise ApplicationError(
            f"Refund {locked.pk} of {format_cents(locked.amount_cents)} waits: {hold}", code="refund_held"
        )
    lines: list[PostingLine] = []
    left = locked.amount_cents
    for service, credit in credits.items():
        take = min(left, credit)
        if not take:
            continue
        amount = Money.from_cents(take)
        lines += [
            PostingLine.debit(
                chart.receivable_control_for(service).code,
                amount,
                customer_account_id=account.pk,
                service=service,
            ),
            PostingLine.credit(chart.refunds_payable_for(chart.fund_for(service)).code, amount),
        ]
        left -= take
    entry = entry_post_trusted(
        lines=lines,
        accounting_date=clock.business_date(as_of),
        source_type=SourceType.REFUND,
        source_ref=f"refund {locked.pk}",
        idempotency_key=f"refund:{locked.pk}",
        reason="refund_payable",
        memo=f"Refund {locked.pk} of credit balance to {locked.payee_name}"[:500],
        posted_by=actor,
    )
    locked.status = Refund.Status.APPROVED
    locked.decided_by = acting_user(actor)
    locked.decided_at = as_of
    locked.decision_note = note.strip()[:200]
    locked.entry = entry
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "entry"])
    audit_record(
        actor=actor,
        action="refund.approve",
        target=locked,
        at=as_of,
        account_number=account.number,
        summary=f"Approved refund {locked.pk} of {format_cents(locked.amount_cents)} to {locked.payee_name}",
        changes={"status": {"before": "requested", "after": "approved"}},
    )
    return locked


@transaction.atomic
def refund_reject(*, refund: Refund, as_of: dt.datetime, actor: Actor, note: str) -> Refund:
    """A supervisor refuses the refund, saying why (nothing is posted)."""
    require_permission(actor, "refunds.approve")
    if not note.strip():
        raise ApplicationError("Say why the refund is rejected", code="missing_reason", field="note")
    locked = _locked_requested(refund)
    locked.status = Refund.Status.REJECTED
    locked.decided_by = acting_user(actor)
    locked.decided_at = as_of
    locked.decision_note = note.strip()[:200]
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="refund.reject",
        target=locked,
        at=as_of,
        account_number=locked.account.number,
        summary=f"Rejected refund {locked.pk}: {locked.decision_note}",
        changes={"status": {"before": "requested", "after": "rejected"}},
    )
    return locked


@transaction.atomic
def refunds_ap_export(*, as_of: dt.datetime, actor: Actor) -> tuple[str, list[Refund]]:
    """The approved refunds not yet sent to accounts payable, as CSV (one row per refund and fund);
    they are marked exported so the next export leaves them out."""
    require_permission(actor, "refunds.approve")
    refunds = list(
        Refund.objects.select_for_update()
        .filter(status=Refund.Status.APPROVED, ap_exported_at__isnull=True)
        .order_by("pk")
    )
    accounts = {a.pk: a.number for a in Account.objects.filter(pk__in={r.account_id for r in refunds})}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(AP_EXPORT_COLUMNS)
    for refund in refunds:
        if refund.entry_id is None or refund.decided_at is None:  # approved refunds have both
            continue
        for line in ledger_selectors.entry_posting_lines(refund.entry_id):
            if not line.credit_cents:
                continue
            writer.writerow(
                [
                    refund.pk,
                    clock.business_date(refund.decided_at).isoformat(),
                    refund.payee_name,
                    refund.mailing_address,
                    accounts[refund.account_id],
                    chart.gl_account(line.gl_code).fund,
                    line.gl_code,
                    plain_cents(line.credit_cents),
                ]
            )
    Refund.objects.filter(pk__in=[r.pk for r in refunds]).update(ap_exported_at=as_of)
    if refunds:
        audit_record(
            actor=actor,
            action="refund.ap_export",
            target=refunds[0],
            at=as_of,
            summary=f"Exported {len(refunds)} refunds ({format_cents(sum(r.amount_cents for r in refunds))}) "
            "to accounts payable",
            changes={"refunds": [r.pk for r in refunds]},
        )
    return out.getvalue(), refunds
