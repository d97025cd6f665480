"""What protects each account on a day from penalties and shutoff, gathered set-based.

- an honoured arrangement (status active; the run marks a breached one broken first),
- a pending bill review or appeal,
- an emergency moratorium whose dates and scope (all, cycle, ZIP, route) cover the account's premise,
- low-income and medical certifications valid on the day (starts_on <= day <= expires_on, not revoked),
- third-party contacts that receive copies of notices.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from civicbill.collections.models import (
    Appeal,
    AppealStatus,
    Arrangement,
    ArrangementStatus,
    Certification,
    CertificationKind,
    Moratorium,
    MoratoriumScope,
    ThirdPartyContact,
)
from civicbill.core.chunks import slices
from civicbill.customers.models import Account

CHUNK = 900


@dataclass(frozen=True, slots=True)
class MoratoriumRef:
    moratorium_id: int
    starts_on: dt.date
    ends_on: dt.date  # the last day it applies (lifted_on when lifted early)
    reason: str


@dataclass(slots=True)
class Protections:
    account_id: int
    arrangement_id: int | None = None  # an honoured (active) arrangement
    appeal_ids: list[int] = field(default_factory=list)  # pending bill reviews and appeals
    moratorium: MoratoriumRef | None = None
    low_income: bool = False
    medical: bool = False
    third_party_contact_ids: list[int] = field(default_factory=list)

    @property
    def appeal_pending(self) -> bool:
        return bool(self.appeal_ids)

    @property
    def in_arrangement(self) -> bool:
        return self.arrangement_id is not None


def moratoriums_on(day: dt.date) -> list[Moratorium]:
    """Moratoriums in force on ``day`` (a lifted one applies through its lifted_on date)."""
    return [
        m
        for m in Moratorium.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by("starts_on", "id")
        if m.lifted_on is None or m.lifted_on >= day
    ]


def _covers(moratorium: Moratorium, *, cycle: int, zip_code: str, route: str) -> bool:
    if moratorium.scope == MoratoriumScope.ALL:
        return True
    if moratorium.scope == MoratoriumScope.CYCLE:
        return moratorium.scope_value == str(cycle)
    if moratorium.scope == MoratoriumScope.ZIP:
        return zip_code[:5] == moratorium.scope_value[:5]
    return moratorium.scope == MoratoriumScope.ROUTE and route == moratorium.scope_value


def protections_on(account_ids: Iterable[int], day: dt.date) -> dict[int, Protections]:
    """account id -> what protects it on ``day`` (an entry for every id asked for)."""
    ids = sorted({int(account_id) for account_id in account_ids})
    result = {account_id: Protections(account_id) for account_id in ids}
    in_force = moratoriums_on(day)
    for chunk in slices(ids, CHUNK):
        for account_id, arrangement_id in Arrangement.objects.filter(
            account_id__in=chunk, status=ArrangementStatus.ACTIVE, agreed_on__lte=day
        ).values_list("account_id", "id"):
            result[account_id].arrangement_id = arrangement_id
        for account_id, appeal_id in Appeal.objects.filter(
            account_id__in=chunk, status=AppealStatus.PENDING, opened_on__lte=day
        ).values_list("account_id", "id"):
            result[account_id].appeal_ids.append(appeal_id)
        valid = Q(starts_on__lte=day, expires_on__gte=day) & (
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=day)
        )
        for account_id, kind in Certification.objects.filter(valid, account_id__in=chunk).values_list(
            "account_id", "kind"
        ):
            if kind == CertificationKind.LOW_INCOME:
                result[account_id].low_income = True
            else:
                result[account_id].medical = True
        contacts: dict[int, list[int]] = defaultdict(list)
        for account_id, contact_id in ThirdPartyContact.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day), account_id__in=chunk, starts_on__lte=day
        ).values_list("account_id", "id"):
            contacts[account_id].append(contact_id)
        for account_id, contact_ids in contacts.items():
            result[account_id].third_party_contact_ids = contact_ids
        if in_force:
            premises = Account.objects.filter(id__in=chunk).values_list(
                "id", "premise__billing_cycle", "premise__zip_code", "premise__read_route"
            )
            for account_id, cycle, zip_code, route in premises:
                for moratorium in in_force:
                    if _covers(moratorium, cycle=cycle, zip_code=zip_code, route=route):
                        last = moratorium.lifted_on or moratorium.ends_on
                        result[account_id].moratorium = MoratoriumRef(
                            moratorium.pk,
                            moratorium.starts_on,
                            min(last, moratorium.ends_on),
                            moratorium.reason,
                        )
                        break
    return result
