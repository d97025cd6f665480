"""The account page's collections panel, gathered for one account (a handful of queries).

Stage and its history, what is past due and since when, the account's aging, what protects it, and
the estimated next step (collections.next_action: an estimate, named so on the page; the shutoff
eligibility check decides exactly)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Sum

from civicbill.collections.aging import BUCKETS, ServiceAging, account_aging, empty_buckets
from civicbill.collections.delinquency import AccountDelinquency
from civicbill.collections.delinquency_selectors import delinquency_facts
from civicbill.collections.models import StageEvent
from civicbill.collections.next_action import NextAction, Situation, next_action
from civicbill.collections.policy import CollectionsPolicy
from civicbill.collections.protections import Protections, protections_on
from civicbill.collections.selectors import policy_on
from civicbill.collections.stages import stage_history
from civicbill.core.clock import business_calendar
from civicbill.customers.models import Account
from civicbill.ledger.models import JournalLine


@dataclass
class AccountCollections:
    as_of: dt.date
    stage: str
    stage_since: dt.date | None
    history: list[StageEvent]
    facts: AccountDelinquency
    past_due_cents: int
    days_delinquent: int
    oldest_due_date: dt.date | None
    aging: list[ServiceAging]
    aging_total: dict[str, int] = field(default_factory=empty_buckets)
    protections: Protections | None = None
    action: NextAction | None = None
    policy: CollectionsPolicy | None = None

    @property
    def buckets(self) -> tuple[str, ...]:
        return BUCKETS


def account_collections(account: Account, *, as_of: dt.date) -> AccountCollections:
    history = stage_history(account.pk)
    on_or_before = [event for event in history if event.occurred_on <= as_of]
    latest = max(on_or_before, key=lambda e: (e.occurred_on, e.pk), default=None)
    stage = latest.stage if latest is not None else "current"
    facts = delinquency_facts([account.pk], as_of)[account.pk]
    balances: dict[str, int] = {}
    for service, debit, credit in (
        JournalLine.objects.filter(customer_account_id=account.pk, entry__accounting_date__lte=as_of)
        .values("service")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        .values_list("service", "debit", "credit")
    ):
        if int(debit or 0) - int(credit or 0):
            balances[service or ""] = int(debit or 0) - int(credit or 0)
    aging, _problems = account_aging(account.pk, facts.items, balances, as_of)
    total = empty_buckets()
    for row in aging:
        for bucket, cents in row.buckets.items():
            total[bucket] += cents
    policy = policy_on(as_of)
    protections = protections_on([account.pk], as_of).get(account.pk) or Protections(account.pk)
    oldest = facts.oldest_due_date(as_of)
    oldest_bill_date = next(
        (item.bill_date for item in facts.items if item.due_date == oldest and item.bill_date), None
    )
    not_yet_due = [item.due_date for item in facts.items if item.due_date >= as_of]
    situation = Situation(
        as_of=as_of,
        stage=stage,
        stage_since=latest.occurred_on if latest is not None else None,
        balance_cents=facts.balance_cents,
        past_due_cents=facts.past_due_cents(as_of),
        oldest_due_date=oldest,
        oldest_bill_date=oldest_bill_date,
        appeal_pending=protections.appeal_pending,
        in_arrangement=protections.in_arrangement,
        moratorium_ends_on=protections.moratorium.ends_on if protections.moratorium else None,
        low_income=protections.low_income,
        medical=protections.medical,
        next_due_date=min(not_yet_due) if not_yet_due else None,
    )
    return AccountCollections(
        as_of=as_of,
        stage=stage,
        stage_since=situation.stage_since,
        history=history,
        facts=facts,
        past_due_cents=situation.past_due_cents,
        days_delinquent=facts.days_delinquent(as_of),
        oldest_due_date=oldest,
        aging=aging,
        aging_total=total,
        protections=protections,
        action=next_action(situation, policy, business_calendar()),
        policy=policy,
    )
