"""Shutoff for nonpayment and reconnection: schedule, record the field result, order the reconnection
with its fee and deposit (docs/collections.md "Disconnection and reconnection").

- ``shutoff_schedule``: for each account eligible on the date (decided again here, never trusted from
  a list), a DISCONNECT work order due that date and a :class:`Shutoff` keeping the proof of every
  condition met; the stage becomes shutoff_scheduled. Accounts not eligible are refused with the rules
  that block them; nothing is written for them.
- ``shutoff_result_record``: the field result (disconnected, could not access, paid in the field,
  customer not home) completes the work order through the workorders service; "disconnected" moves
  the stage to disconnected. Workorders never imports collections: the collections page, API and CLI
  call this service (the workorders completion page does not know about shutoffs).
- ``reconnect_order``: once the delinquent amount is paid (nothing past due) or an arrangement is
  honoured, a RECONNECT work order at once, the reconnection fee (business hours or after hours,
  capped for low-income households, §116914) posted as one balanced entry (Dr water receivable /
  Cr 500-4520 Reconnection fees), and the deposit the policy requires after a disconnection
  (deposit_multiple_after_disconnection × the average bill, less what is held) charged through
  ``payments.services.customer_deposits``.
- ``reconnection_complete``: the field completes the reconnection; the stage becomes reconnected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from civicbill.billing.models import Bill
from civicbill.collections.delinquency_selectors import delinquency_facts
from civicbill.collections.eligibility import Reason
from civicbill.collections.eligibility_selectors import accounts_in_shutoff, eligibility_decisions
from civicbill.collections.models import CollectionStage, Reconnection, Shutoff, ShutoffResult
from civicbill.collections.protections import protections_on
from civicbill.collections.selectors import policy_on
from civicbill.collections.stages import stage_record_trusted
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.money import Money, format_cents, round_half_up
from civicbill.core.permissions import require_permission
from civicbill.core.utility_services import Service
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger.models import JournalEntry, SourceType
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.service_posting import entry_post_trusted
from civicbill.payments.deposit_selectors import customer_deposit_held_cents
from civicbill.payments.services.customer_deposits import customer_deposit_charge
from civicbill.workorders import services as workorder_services
from civicbill.workorders.models import Priority, WorkOrderType

FIELD_RESULTS = (
    ShutoffResult.DISCONNECTED,
    ShutoffResult.COULD_NOT_ACCESS,
    ShutoffResult.PAID_IN_FIELD,
    ShutoffResult.NOT_HOME,
)
AVERAGE_BILL_MONTHS = 12  # the deposit's average bill: the account's last 12 issued bills
FEE_REASON = "reconnect_fee"


@dataclass
class ScheduleOutcome:
    scheduled: list[Shutoff] = field(default_factory=list)
    refused: dict[str, list[Reason]] = field(default_factory=dict)  # account number -> why


def _accounts(numbers: list[str]) -> list[Account]:
    wanted = [number.strip() for number in numbers if number.strip()]
    if not wanted:
        raise ApplicationError("Name at least one account to schedule.", field="accounts")
    found = {a.number: a for a in Account.objects.filter(number__in=wanted).select_related("premise")}
    missing = [number for number in wanted if number not in found]
    if missing:
        raise NotFoundError(f"There is no account {', '.join(missing)}", field="accounts")
    return [found[number] for number in dict.fromkeys(wanted)]


@transaction.atomic
def shutoff_schedule(
    *, account_numbers: list[str], on: dt.date, actor: Actor, at: dt.datetime, as_of: dt.date
) -> ScheduleOutcome:
    """Schedule a shutoff on ``on`` for each named account that is eligible on that date."""
    require_permission(actor, "collections.shutoff")
    if on < as_of:
        raise ApplicationError(
            f"Shutoff date {on:%Y-%m-%d} is in the past (today is {as_of:%Y-%m-%d}).", field="date"
        )
    accounts = _accounts(account_numbers)
    busy = accounts_in_shutoff()
    decided = eligibility_decisions([a.pk for a in accounts if a.pk not in busy], on)
    outcome = ScheduleOutcome()
    for account in accounts:
        if account.pk in busy:
            outcome.refused[account.number] = [
                Reason("already_scheduled", "A shutoff is already scheduled, or the water is off.")
            ]
            continue
        facts, decision = decided[account.pk]
        if not decision.eligible:
            outcome.refused[account.number] = decision.reasons
            continue
        amount = format_cents(facts.past_due_cents)
        work_order = workorder_services.workorder_create(
            work_type=WorkOrderType.DISCONNECT,
            premise=account.premise,
            account=account,
            description=f"Shut off water for nonpayment on {on:%Y-%m-%d}: {amount} past due. "
            "Collect payment in the field if offered; record the result.",
            due_on=on,
            priority=Priority.HIGH,
            as_of=as_of,
            actor=actor,
        )
        proof = [reason.as_dict() for reason in decision.proof]
        shutoff = Shutoff.objects.create(
            account=account,
            work_order=work_order,
            scheduled_on=on,
            past_due_cents=facts.past_due_cents,
            proof=proof,
            scheduled_by=acting_user(actor),
            scheduled_at=at,
        )
        stage_record_trusted(
            account_id=account.pk,
            stage=CollectionStage.SHUTOFF_SCHEDULED,
            on=as_of,
            rule=f"Eligible for shutoff on {on:%Y-%m-%d}; {work_order.number}",
            actor=actor,
            at=at,
            detail={"shutoff": shutoff.pk, "work_order": work_order.number, "date": on.isoformat()},
        )
        audit_record(
            actor=actor,
            action="collections.shutoff_schedule",
            target=shutoff,
            at=at,
            account_number=account.number,
            summary=f"Shutoff for nonpayment scheduled {on:%Y-%m-%d} ({work_order.number}), "
            f"{amount} past due",
            changes={"scheduled_on": on.isoformat(), "past_due_cents": facts.past_due_cents, "proof": proof},
        )
        outcome.scheduled.append(shutoff)
    return outcome


@transaction.atomic
def shutoff_result_record(
    *,
    shutoff_id: int,
    result: str,
    on: dt.date,
    note: str = "",
    actor: Actor,
    at: dt.datetime,
    as_of: dt.date,
) -> Shutoff:
    """Record the field result of a scheduled shutoff; it completes the DISCONNECT work order."""
    require_permission(actor, "collections.shutoff")
    if result not in FIELD_RESULTS:
        choices = ", ".join(str(r) for r in FIELD_RESULTS)
        raise ApplicationError(f"Result {result!r} is not one of: {choices}.", field="result")
    shutoff = (
        Shutoff.objects.select_for_update(of=("self",))
        .select_related("work_order", "account")
        .filter(pk=shutoff_id)
        .first()
    )
    if shutoff is None:
        raise NotFoundError(f"There is no scheduled shutoff {shutoff_id}", field="shutoff")
    if shutoff.result != ShutoffResult.PENDING:
        raise ApplicationError(
            f"The shutoff of {shutoff.account.number} already has its result "
            f"({ShutoffResult(shutoff.result).label}, {shutoff.result_on:%Y-%m-%d}).",
            field="result",
        )
    if on < shutoff.scheduled_on:
        raise ApplicationError(
            f"Result date {on:%Y-%m-%d} is before the shutoff date {shutoff.scheduled_on:%Y-%m-%d}.",
            field="date",
        )
    label = str(ShutoffResult(result).label)
    workorder_services.workorder_complete(
        work_order=shutoff.work_order,
        completed_on=on,
        findings=f"{label}." + (f" {note.strip()}" if note.strip() else ""),
        as_of=as_of,
        actor=actor,
    )
    shutoff.result = result
    shutoff.result_on = on
    shutoff.result_note = note.strip()[:300]
    shutoff.save(update_fields=["result", "result_on", "result_note"])
    if result == ShutoffResult.DISCONNECTED:
        stage_record_trusted(
            account_id=shutoff.account_id,
            stage=CollectionStage.DISCONNECTED,
            on=on,
            rule=f"Water shut off for nonpayment ({shutoff.work_order.number})",
            actor=actor,
            at=at,
            detail={"shutoff": shutoff.pk},
        )
    audit_record(
        actor=actor,
        action="collections.shutoff_result",
        target=shutoff,
        at=at,
        account_number=shutoff.account.number,
        summary=f"Shutoff {shutoff.work_order.number}: {label} on {on:%Y-%m-%d}",
        changes={"result": result, "result_on": on.isoformat(), "note": shutoff.result_note},
    )
    return shutoff


# -- reconnection ----------------------------------------------------------------------------------


def reconnection_fee_cents(*, after_hours: bool, low_income: bool, on: dt.date) -> int:
    """The fee for a reconnection ordered on ``on``: the policy's business-hours or after-hours fee,
    at most the low-income cap of that year for a low-income household (§116914)."""
    policy = policy_on(on)
    fee = policy.reconnect_fee_after_hours_cents if after_hours else policy.reconnect_fee_business_cents
    if low_income:
        business_cap, after_hours_cap = policy.low_income_reconnect_caps(on.year)
        fee = min(fee, after_hours_cap if after_hours else business_cap)
    return fee


def average_bill_cents(account_id: int, as_of: dt.date) -> int:
    """The average of the account's last 12 issued bills' current charges (0 without a bill)."""
    charges = list(
        Bill.objects.filter(account_id=account_id, status=Bill.Status.ISSUED, bill_date__lte=as_of)
        .order_by("-bill_date", "-id")
        .values_list("current_charges_cents", flat=True)[:AVERAGE_BILL_MONTHS]
    )
    if not charges:
        return 0
    return int(round_half_up(Decimal(sum(charges)) / len(charges) / 100) * 100)


def deposit_required_cents(account_id: int, as_of: dt.date) -> int:
    """The deposit still to charge before a reconnection: the policy's multiple after a disconnection
    times the average bill, less the deposit already held."""
    multiple = policy_on(as_of).deposit_multiple_after_disconnection
    wanted = int(round_half_up(multiple * average_bill_cents(account_id, as_of) / 100) * 100)
    return max(wanted - customer_deposit_held_cents(account_id), 0)


def _fee_entry(account: Account, shutoff: Shutoff, fee_cents: int, *, after_hours: bool, actor: Actor,
               as_of: dt.date) -> JournalEntry:  # fmt: skip
    fee = Money.from_cents(fee_cents)
    when = "after hours" if after_hours else "business hours"
    return entry_post_trusted(
        lines=[
            PostingLine.debit(
                chart.receivable_control_for(Service.WATER).code,
                fee,
                customer_account_id=account.pk,
                service=Service.WATER,
            ),
            PostingLine.credit(chart.RECONNECTION_FEES, fee),
        ],
        accounting_date=as_of,
        source_type=SourceType.FEE,
        source_ref=account.number,
        idempotency_key=f"reconnect-fee:{shutoff.pk}",
        reason=FEE_REASON,
        memo=f"Reconnection fee ({when}) after shutoff {shutoff.work_order.number}",
        posted_by=actor,
        closed_period_advice="a reconnection fee cannot be charged into it",
    )


@transaction.atomic
def reconnect_order(
    *,
    account_number: str,
    on: dt.date,
    after_hours: bool = False,
    actor: Actor,
    at: dt.datetime,
    as_of: dt.date,
) -> Reconnection:
    """Order the reconnection of a disconnected account that has paid what was past due (or is in an
    honoured arrangement): the RECONNECT work order due ``on``, the fee, the deposit required."""
    require_permission(actor, "collections.shutoff")
    account = Account.objects.filter(number=account_number.strip()).select_related("premise").first()
    if account is None:
        raise NotFoundError(f"There is no account {account_number}", field="account_number")
    if on < as_of:
        raise ApplicationError(
            f"Reconnection date {on:%Y-%m-%d} is in the past (today is {as_of:%Y-%m-%d}).", field="date"
        )
    shutoff = (
        Shutoff.objects.select_for_update(of=("self",))
        .select_related("work_order")
        .filter(account=account, result=ShutoffResult.DISCONNECTED, reconnection__isnull=True)
        .order_by("-result_on", "-id")
        .first()
    )
    if shutoff is None:
        raise ApplicationError(
            f"Account {account.number} is not disconnected for nonpayment; there is nothing to reconnect.",
            field="account_number",
        )
    owed = delinquency_facts([account.pk], as_of)[account.pk]
    past_due = sum(item.open_cents for item in owed.past_due_items(as_of) if item.kind != "deposit")
    protection = protections_on([account.pk], as_of)[account.pk]
    if past_due > 0 and not protection.in_arrangement:
        raise ApplicationError(
            f"Account {account.number} still has {format_cents(past_due)} past due: a reconnection is "
            "ordered once it is paid or a payment arrangement is made.",
            field="account_number",
        )
    reason = "payment arrangement" if past_due > 0 else "delinquent amount paid"
    fee_cents = reconnection_fee_cents(after_hours=after_hours, low_income=protection.low_income, on=as_of)
    fee_entry = (
        _fee_entry(account, shutoff, fee_cents, after_hours=after_hours, actor=actor, as_of=as_of)
        if fee_cents > 0
        else None
    )
    deposit_cents = deposit_required_cents(account.pk, as_of)
    deposit_entry = None
    if deposit_cents > 0:
        deposit_entry = customer_deposit_charge(
            account_number=account.number,
            amount=Money.from_cents(deposit_cents),
            memo=f"Deposit after a disconnection for nonpayment ({shutoff.work_order.number})",
            actor=actor,
            as_of=as_of,
            idempotency_key=f"reconnect-deposit:{shutoff.pk}",
        )
    work_order = workorder_services.workorder_create(
        work_type=WorkOrderType.RECONNECT,
        premise=account.premise,
        account=account,
        description=f"Reconnect water ({reason})"
        + (" after hours" if after_hours else "")
        + f"; shut off by {shutoff.work_order.number}.",
        due_on=on,
        priority=Priority.URGENT,
        as_of=as_of,
        actor=actor,
    )
    reconnection = Reconnection.objects.create(
        account=account,
        shutoff=shutoff,
        work_order=work_order,
        ordered_on=as_of,
        after_hours=after_hours,
        low_income=protection.low_income,
        fee_cents=fee_cents,
        fee_entry=fee_entry,
        deposit_cents=deposit_cents,
        deposit_entry=deposit_entry,
        reason=reason,
        ordered_by=acting_user(actor),
        ordered_at=at,
    )
    audit_record(
        actor=actor,
        action="collections.reconnect_order",
        target=reconnection,
        at=at,
        account_number=account.number,
        summary=f"Reconnection ordered ({work_order.number}, {reason}): fee {format_cents(fee_cents)}, "
        f"deposit {format_cents(deposit_cents)}",
        changes={"fee_cents": fee_cents, "deposit_cents": deposit_cents, "after_hours": after_hours},
    )
    return reconnection


@transaction.atomic
def reconnection_complete(
    *, reconnection_id: int, on: dt.date, note: str = "", actor: Actor, at: dt.datetime, as_of: dt.date
) -> Reconnection:
    """The field reconnected the water: complete the RECONNECT order; the stage becomes reconnected."""
    require_permission(actor, "collections.shutoff")
    reconnection = (
        Reconnection.objects.select_related("work_order", "account").filter(pk=reconnection_id).first()
    )
    if reconnection is None:
        raise NotFoundError(f"There is no reconnection {reconnection_id}", field="reconnection")
    workorder_services.workorder_complete(
        work_order=reconnection.work_order,
        completed_on=on,
        findings="Water reconnected." + (f" {note.strip()}" if note.strip() else ""),
        as_of=as_of,
        actor=actor,
    )
    stage_record_trusted(
        account_id=reconnection.account_id,
        stage=CollectionStage.RECONNECTED,
        on=on,
        rule=f"Water reconnected ({reconnection.work_order.number})",
        actor=actor,
        at=at,
        detail={"reconnection": reconnection.pk},
    )
    return reconnection
