"""The daily run's two shutoff steps (the lead adds them to the run's STEPS, in this order, after the
notices step): the 48-hour contact, then the shutoff eligibility list.

- :func:`contact_step`: for each account whose final notice's shutoff date comes within
  ``CONTACT_WINDOW_BUSINESS_DAYS`` business days and that no standing protection shields, with no
  48-hour contact yet since the notice: a phone call logged as a customers Interaction (and a
  ContactAttempt) when the customer has a phone, else a field work order to post a 48-hour notice at
  the premise (the ContactAttempt is written when the field records the posting,
  :func:`posted_notice_record`).
- :func:`eligibility_step`: every account eligible for shutoff on the run date, with the proof of
  every condition met (SHUTOFF_ELIGIBLE actions; the stage eligible_for_shutoff).

In a trial (``ctx.trial``) both only record their actions.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from civicbill.collections.eligibility import STANDING_RULES, shutoff_eligibility
from civicbill.collections.eligibility_selectors import accounts_in_shutoff, eligibility_facts
from civicbill.collections.models import (
    ActionStep,
    CollectionStage,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
)
from civicbill.collections.run_context import RunContext
from civicbill.collections.stages import stage_record_trusted
from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.customers.models import Account, Interaction
from civicbill.workorders import services as workorder_services
from civicbill.workorders.models import Priority, WorkOrder, WorkOrderStatus, WorkOrderType

CONTACT_WINDOW_BUSINESS_DAYS = 2  # act when the shutoff date is this close (a posted notice needs 48 h)
CONTACT_RULE = (
    "§10010.1(c): contact attempted 24 hours before a shutoff, else a notice posted 48 hours before"
)


def contact_step(ctx: RunContext) -> None:
    ids = sorted(set(ctx.owing) - accounts_in_shutoff())
    facts = eligibility_facts(
        ids,
        ctx.run_date,
        policy=ctx.policy,
        calendar=ctx.calendar,
        owing=ctx.owing,
        protections=ctx.protections,
    )
    horizon = ctx.calendar.add_business_days(ctx.run_date, CONTACT_WINDOW_BUSINESS_DAYS)
    due: list[int] = []
    for account_id, fact in facts.items():
        if fact.final_notice_mailed_on is None or fact.contact_attempted_at or fact.notice_posted_at:
            continue
        decision = shutoff_eligibility(fact, ctx.run_date)
        if any(rule in STANDING_RULES for rule in decision.blocking_rules):
            continue
        lead = max(ctx.policy.final_notice_lead_business_days, 7)
        shutoff_on = fact.final_notice_shutoff_on or ctx.calendar.add_business_days(
            fact.final_notice_mailed_on, lead
        )
        if shutoff_on <= horizon:
            due.append(account_id)
    if not due:
        return
    accounts = {a.pk: a for a in Account.objects.filter(id__in=due).select_related("customer", "premise")}
    posting_open = set(
        WorkOrder.objects.filter(
            account_id__in=due,
            work_type=WorkOrderType.POST_NOTICE,
            status__in=(WorkOrderStatus.OPEN, WorkOrderStatus.ASSIGNED),
        ).values_list("account_id", flat=True)
    )
    for account_id in due:
        account = accounts[account_id]
        if account_id in posting_open:
            continue
        phone = account.customer.phone.strip()
        if phone:
            ctx.act(account_id, ActionStep.CONTACT, CONTACT_RULE, phone=phone)
            if not ctx.trial:
                _call_logged(account, phone, ctx)
        else:
            ctx.act(account_id, ActionStep.POSTED_NOTICE, CONTACT_RULE + " (no phone on file)")
            if not ctx.trial:
                workorder_services.workorder_create(
                    work_type=WorkOrderType.POST_NOTICE,
                    premise=account.premise,
                    account=account,
                    description="Post a 48-hour shutoff notice at the premise (no phone on file); "
                    "record the time it was posted.",
                    due_on=ctx.run_date,
                    priority=Priority.HIGH,
                    as_of=ctx.run_date,
                    actor=ctx.actor,
                )


def _call_logged(account: Account, phone: str, ctx: RunContext) -> None:
    interaction = Interaction.objects.create(
        account=account,
        channel=Interaction.Channel.PHONE,
        direction=Interaction.Direction.OUTBOUND,
        subject="48-hour shutoff notice call",
        outcome=f"Call placed to {phone} by the collections run of {ctx.run_date:%Y-%m-%d}.",
        staff=acting_user(ctx.actor),
        occurred_at=ctx.at,
    )
    ContactAttempt.objects.create(
        account=account,
        attempted_at=ctx.at,
        channel=ContactChannel.PHONE,
        outcome=ContactOutcome.ATTEMPTED,
        interaction=interaction,
        run=ctx.run,
        recorded_by=acting_user(ctx.actor),
        recorded_at=ctx.at,
    )
    stage_record_trusted(
        account_id=account.pk,
        stage=CollectionStage.FORTY_EIGHT_HOUR_NOTICE,
        on=ctx.run_date,
        rule="48-hour contact attempted by phone",
        actor=ctx.actor,
        at=ctx.at,
        run=ctx.run,
    )


def eligibility_step(ctx: RunContext) -> None:
    ids = sorted(set(ctx.owing) - accounts_in_shutoff())
    facts = eligibility_facts(
        ids,
        ctx.run_date,
        policy=ctx.policy,
        calendar=ctx.calendar,
        owing=ctx.owing,
        protections=ctx.protections,
    )
    for account_id, fact in facts.items():
        decision = shutoff_eligibility(fact, ctx.run_date)
        if not decision.eligible:
            continue
        proof = [reason.as_dict() for reason in decision.proof]
        ctx.act(
            account_id,
            ActionStep.SHUTOFF_ELIGIBLE,
            f"Every shutoff rule is met on {ctx.run_date:%Y-%m-%d}",
            amount_cents=fact.past_due_cents,
            proof=proof,
        )
        if not ctx.trial:
            stage_record_trusted(
                account_id=account_id,
                stage=CollectionStage.ELIGIBLE_FOR_SHUTOFF,
                on=ctx.run_date,
                rule=f"Every shutoff rule is met on {ctx.run_date:%Y-%m-%d}",
                actor=ctx.actor,
                at=ctx.at,
                run=ctx.run,
                detail={"proof": proof},
            )


@transaction.atomic
def posted_notice_record(
    *, work_order_number: str, posted_at: dt.datetime, actor: Actor, at: dt.datetime, as_of: dt.date
) -> ContactAttempt:
    """The field posted the 48-hour notice at ``posted_at``: complete the POST_NOTICE work order and
    record the posting (it counts for a shutoff 48 hours later)."""
    require_permission(actor, "collections.shutoff")
    work_order = WorkOrder.objects.filter(number=work_order_number.strip()).select_related("account").first()
    if work_order is None or work_order.work_type != WorkOrderType.POST_NOTICE or work_order.account is None:
        raise ApplicationError(
            f"{work_order_number} is not a work order to post a 48-hour notice.", field="work_order"
        )
    if posted_at > at:
        raise ApplicationError(f"Posted at {posted_at:%Y-%m-%d %H:%M} is in the future.", field="posted_at")
    workorder_services.workorder_complete(
        work_order=work_order,
        completed_on=min(as_of, clock.business_date(posted_at)),
        findings=f"48-hour shutoff notice posted at the premise at {posted_at:%Y-%m-%d %H:%M}.",
        as_of=as_of,
        actor=actor,
    )
    attempt = ContactAttempt.objects.create(
        account=work_order.account,
        attempted_at=posted_at,
        channel=ContactChannel.POSTED,
        outcome=ContactOutcome.POSTED,
        work_order=work_order,
        recorded_by=acting_user(actor),
        recorded_at=at,
    )
    stage_record_trusted(
        account_id=work_order.account.pk,
        stage=CollectionStage.FORTY_EIGHT_HOUR_NOTICE,
        on=as_of,
        rule=f"48-hour notice posted at the premise ({work_order.number})",
        actor=actor,
        at=at,
    )
    audit_record(
        actor=actor,
        action="collections.notice_posted",
        target=attempt,
        at=at,
        account_number=work_order.account.number,
        summary=f"48-hour notice posted {posted_at:%Y-%m-%d %H:%M} ({work_order.number})",
    )
    return attempt
