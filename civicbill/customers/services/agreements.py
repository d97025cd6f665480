"""Changing an open service agreement's determinants: a refuse agreement's containers and their size,
a fire line's service size (what the billing run rates it by, ``billing.facts``). The change applies
from the next bill; bills already issued keep what they were rated with."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor
from civicbill.core.audit import audit_record, diff, snapshot
from civicbill.core.permissions import require_permission
from civicbill.core.utility_services import Service
from civicbill.customers import locks
from civicbill.customers import validation as check
from civicbill.customers.models import Account, ServiceAgreement
from civicbill.customers.services.accounts import AgreementSpec, clean_agreement_spec

DETERMINANT_FIELDS = ("containers", "container_size", "service_size")


@transaction.atomic
def agreement_determinants_set(
    *, account: Account, service: str, actor: Actor, **changes: Any
) -> ServiceAgreement:
    """Set ``containers``, ``container_size`` (refuse) or ``service_size`` (fire line) on the account's
    open agreement for ``service``; fields not given keep their value, ``None`` / ``""`` clears one
    (containers: the schedule's default of one). Checked as at move-in (a size for the service it
    belongs to, 1-99 containers); audited before/after; nothing is written when nothing changes."""
    require_permission(actor, "customers.edit")
    unknown = sorted(set(changes) - set(DETERMINANT_FIELDS))
    if unknown:
        raise check.refuse(unknown[0], f"{', '.join(unknown)} is not a determinant of a service agreement.")
    service = check.choice(service, "service", Service.values)
    locked_account = locks.lock_account(account.pk)
    agreement = (
        ServiceAgreement.objects.select_for_update()
        .filter(account=locked_account, service=service, end_date__isnull=True)
        .order_by("-start_date", "-id")
        .first()
    )
    if agreement is None:
        raise check.refuse(
            "service",
            f"Account {locked_account.number} has no open {Service(service).label.lower()} agreement.",
            code="no_agreement",
        )
    before = snapshot(agreement, DETERMINANT_FIELDS)
    wanted = {**before, **changes}
    spec = clean_agreement_spec(
        AgreementSpec(
            service,
            agreement.rate_schedule_code,
            wanted["containers"],
            wanted["container_size"] or "",
            wanted["service_size"] or "",
        )
    )
    agreement.containers = spec.containers
    agreement.container_size = spec.container_size
    agreement.service_size = spec.service_size
    changed = diff(before, snapshot(agreement, DETERMINANT_FIELDS))
    if not changed:
        return agreement
    agreement.save(update_fields=list(DETERMINANT_FIELDS))
    audit_record(
        actor=actor,
        action="agreement.determinants",
        target=agreement,
        at=clock.now(),
        account_number=locked_account.number,
        summary=f"{Service(service).label} agreement of account {locked_account.number} "
        f"({agreement.rate_schedule_code}) changed: {', '.join(changed)}",
        changes=changed,
    )
    return agreement
