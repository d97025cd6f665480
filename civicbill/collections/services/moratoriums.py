"""Emergency moratoriums (a disaster, a heat emergency): no penalties and no shutoffs for the accounts
in scope from ``starts_on`` through ``ends_on`` (``protections_on`` reads them; the staff pages show a
banner while one is in force). Declared and lifted by a supervisor (``collections.moratorium``), audited.

Scope: ``all`` accounts, one billing ``cycle`` (the cycle must exist), one ``zip`` code (5 digits) or one
read ``route`` (some premise must be on it). Lifting early records ``lifted_on``, the last day the
moratorium applies (default: the business day of the lifting), and who lifted it.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction

from civicbill.billing.models import BillingCycle
from civicbill.collections.models import Moratorium, MoratoriumScope
from civicbill.collections.services.program_fields import choice_field, date_field, text_field
from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.customers.models import Premise


def scope_text(moratorium: Moratorium) -> str:
    """In staff words: "all accounts", "billing cycle 2", "ZIP 92201", "route R-07"."""
    return {
        MoratoriumScope.ALL: "all accounts",
        MoratoriumScope.CYCLE: f"billing cycle {moratorium.scope_value}",
        MoratoriumScope.ZIP: f"ZIP {moratorium.scope_value}",
        MoratoriumScope.ROUTE: f"route {moratorium.scope_value}",
    }[MoratoriumScope(moratorium.scope)]


def _scope_value(scope: str, value: str) -> str:
    value = (value or "").strip()
    if scope == MoratoriumScope.ALL:
        if value:
            raise ApplicationError(
                "A moratorium on all accounts names no cycle, ZIP or route",
                code="bad_scope_value",
                field="scope_value",
            )
        return ""
    if scope == MoratoriumScope.CYCLE:
        if not value.isdigit() or not BillingCycle.objects.filter(number=int(value)).exists():
            raise ApplicationError(
                f"There is no billing cycle {value!r}", code="no_cycle", field="scope_value"
            )
        return str(int(value))
    if scope == MoratoriumScope.ZIP:
        if not re.fullmatch(r"\d{5}", value):
            raise ApplicationError(f"The ZIP code {value!r} is 5 digits", code="bad_zip", field="scope_value")
        return value
    if not value or not Premise.objects.filter(read_route=value).exists():
        raise ApplicationError(f"No premise is on read route {value!r}", code="no_route", field="scope_value")
    return value


@transaction.atomic
def moratorium_declare(
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str,
    actor: Actor,
    at: dt.datetime,
    scope: str = MoratoriumScope.ALL,
    scope_value: str = "",
) -> Moratorium:
    """Declare an emergency moratorium from ``starts_on`` through ``ends_on`` inclusive."""
    require_permission(actor, "collections.moratorium")
    starts_on = date_field(starts_on, "starts_on", "Give the first day of the moratorium")
    ends_on = date_field(ends_on, "ends_on", "Give the last day of the moratorium")
    if ends_on < starts_on:
        raise ApplicationError(
            f"The moratorium cannot end ({ends_on:%Y-%m-%d}) before it starts ({starts_on:%Y-%m-%d})",
            code="ends_before_start",
            field="ends_on",
        )
    reason = text_field(reason, "reason", max_length=200, required="Say why (the emergency declared)")
    scope = choice_field(scope, "scope", list(MoratoriumScope.values))
    value = _scope_value(scope, scope_value)
    moratorium = Moratorium.objects.create(
        starts_on=starts_on,
        ends_on=ends_on,
        scope=scope,
        scope_value=value,
        reason=reason,
        declared_by=acting_user(actor),
        declared_at=at,
    )
    audit_record(
        actor=actor,
        action="collections.moratorium_declare",
        target=moratorium,
        at=at,
        summary=f"Moratorium on {scope_text(moratorium)} {starts_on:%Y-%m-%d} to {ends_on:%Y-%m-%d}: "
        f"{reason}",
        changes={
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "scope": scope,
            "scope_value": value,
            "reason": reason,
        },
    )
    return moratorium


@transaction.atomic
def moratorium_lift(
    *, moratorium: Moratorium, actor: Actor, at: dt.datetime, lifted_on: dt.date | None = None
) -> Moratorium:
    """End a moratorium early: ``lifted_on`` is the last day it applies (default: the business day of
    ``at``); the day before it starts cancels it."""
    require_permission(actor, "collections.moratorium")
    moratorium = Moratorium.objects.select_for_update().get(pk=moratorium.pk)
    if moratorium.lifted_on is not None:
        raise ApplicationError(
            f"This moratorium was already lifted (last day {moratorium.lifted_on:%Y-%m-%d})",
            code="already_lifted",
        )
    lifted_on = lifted_on or clock.business_date(at)
    if lifted_on >= moratorium.ends_on:
        raise ApplicationError(
            f"The moratorium ends {moratorium.ends_on:%Y-%m-%d} anyway; lift it before that day",
            code="not_early",
            field="lifted_on",
        )
    if lifted_on < moratorium.starts_on - dt.timedelta(days=1):
        raise ApplicationError(
            f"The moratorium starts {moratorium.starts_on:%Y-%m-%d}; its last day cannot be before "
            f"{moratorium.starts_on - dt.timedelta(days=1):%Y-%m-%d}",
            code="before_start",
            field="lifted_on",
        )
    moratorium.lifted_on, moratorium.lifted_by = lifted_on, acting_user(actor)
    moratorium.save(update_fields=["lifted_on", "lifted_by"])
    audit_record(
        actor=actor,
        action="collections.moratorium_lift",
        target=moratorium,
        at=at,
        summary=f"Moratorium on {scope_text(moratorium)} lifted: last day {lifted_on:%Y-%m-%d}",
        changes={"lifted_on": lifted_on.isoformat()},
    )
    return moratorium
