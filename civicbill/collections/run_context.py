"""What every step of the daily collections run works with (collections.services.run drives it).

A step is ``Callable[[RunContext], None]``. It reads the facts gathered once for the run (what each
account owes and since when, what protects it, the policy and calendar of the day) and records every
action it takes — or, in a trial, would take — with :meth:`RunContext.act`, naming the account and the
rule. In a trial (``ctx.trial``) a step writes nothing but its actions; a posted run's step does the
work (posts the penalty, queues the notice ...) and records the action in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from civicbill.collections.delinquency import AccountDelinquency
from civicbill.collections.models import CollectionAction, CollectionRun
from civicbill.collections.policy import CollectionsPolicy
from civicbill.collections.protections import Protections
from civicbill.core.actors import Actor
from civicbill.core.clock import BusinessCalendar


@dataclass
class RunContext:
    run: CollectionRun
    run_date: dt.date
    policy: CollectionsPolicy
    calendar: BusinessCalendar
    actor: Actor
    at: dt.datetime
    owing: dict[int, AccountDelinquency]  # accounts with a balance on run_date
    protections: dict[int, Protections]
    actions: list[CollectionAction] = field(default_factory=list)

    @property
    def trial(self) -> bool:
        return self.run.trial

    def act(
        self, account_id: int, step: str, rule: str, *, amount_cents: int | None = None, **detail: Any
    ) -> CollectionAction:
        """Record an action (buffered; the run writes them in bulk when the step ends)."""
        action = CollectionAction(
            run=self.run,
            account_id=account_id,
            step=step,
            rule=rule[:300],
            amount_cents=amount_cents,
            detail=detail,
        )
        self.actions.append(action)
        return action


Step = Callable[[RunContext], None]
