"""Bulk loading of accounts converted from a legacy system (and the demo city).

``accounts_convert`` takes plain rows, validates every one with the same rules as the single-record
services (errors name the row and the field; if any row is bad nothing is written), and writes
customers, premises, accounts and service agreements with a handful of ``bulk_create`` statements:
10,000 accounts take seconds, not minutes. Account numbers are allocated as one block under the
counter lock. One audit event records the whole conversion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max

from civicbill.core import clock
from civicbill.core.actors import Actor
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.core.utility_services import Service
from civicbill.customers import locks
from civicbill.customers.models import Account, Customer, Premise, ServiceAgreement
from civicbill.customers.normalize import account_number_for
from civicbill.customers.services.accounts import AgreementSpec, clean_agreement_spec
from civicbill.customers.services.customers import clean_customer_fields
from civicbill.customers.services.premises import clean_premise_fields

BATCH_SIZE = 2_000


@dataclass(frozen=True)
class ConversionRow:
    """One legacy account: customer fields, premise fields, services (service, rate code[, containers,
    container size, fire service size]: an ``AgreementSpec`` or a tuple), dates."""

    customer: Mapping[str, Any]
    premise: Mapping[str, Any]
    services: tuple[tuple[Any, ...], ...]
    opened_on: dt.date
    paperless: bool = False
    legacy_reference: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def _validate(rows: Sequence[ConversionRow]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    cleaned: list[tuple[dict[str, Any], dict[str, Any]]] = []
    problems: list[str] = []
    for number, row in enumerate(rows, start=1):
        try:
            customer = clean_customer_fields(row.customer)
            premise = clean_premise_fields(row.premise)
            if not row.services:
                raise ApplicationError("no services to start", field="services")
            services = [item[0] for item in row.services]
            if len(set(services)) != len(services):
                raise ApplicationError("the same service twice", field="services")
            unknown = [service for service in services if service not in Service.values]
            if unknown:
                raise ApplicationError(f"unknown service {unknown[0]!r}", field="services")
            for item in row.services:
                if len(item) > 2:
                    clean_agreement_spec(item)
        except ApplicationError as error:
            problems.append(
                f"row {number}{f' ({row.legacy_reference})' if row.legacy_reference else ''}: {error.message}"
            )
            continue
        cleaned.append((customer, premise))
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise ApplicationError(
            f"{len(problems)} of {len(rows)} rows are not valid, so none was loaded: {shown}",
            code="invalid_batch",
        )
    return cleaned


def _spec(item: Sequence[Any]) -> AgreementSpec:
    """A row's service as an agreement spec (two-item rows are taken as given, the fast path)."""
    return AgreementSpec(*item) if len(item) == 2 else clean_agreement_spec(item)


def _allocate_account_numbers(count: int) -> list[str]:
    counter = locks.lock_account_number_counter()
    highest = Account.objects.aggregate(highest=Max("number"))["highest"] or ""
    highest_sequence = int(highest[:7]) if highest[:7].isdigit() else 0
    first = max(counter.last_sequence, highest_sequence) + 1
    counter.last_sequence = first + count - 1
    counter.save(update_fields=["last_sequence"])
    return [account_number_for(sequence) for sequence in range(first, first + count)]


@transaction.atomic
def accounts_convert(*, rows: Sequence[ConversionRow], as_of: dt.date, actor: Actor) -> list[Account]:
    """Create every row's customer, premise, account (active, or final when all services ended) and
    service agreements. All or nothing. Returns the accounts in row order."""
    require_permission(actor, "customers.move_in")
    cleaned = _validate(rows)
    now = clock.now()
    customers = Customer.objects.bulk_create(
        [Customer(**values, created_at=now) for values, _ in cleaned], batch_size=BATCH_SIZE
    )
    premises = Premise.objects.bulk_create(
        [Premise(**values, created_at=now) for _, values in cleaned], batch_size=BATCH_SIZE
    )
    numbers = _allocate_account_numbers(len(rows))
    accounts = Account.objects.bulk_create(
        [
            Account(
                number=number,
                customer=customer,
                premise=premise,
                status=Account.Status.PENDING if row.opened_on > as_of else Account.Status.ACTIVE,
                paperless=row.paperless,
                opened_on=row.opened_on,
                created_at=now,
            )
            for number, customer, premise, row in zip(numbers, customers, premises, rows, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    ServiceAgreement.objects.bulk_create(
        [
            ServiceAgreement(
                account=account,
                service=spec.service,
                rate_schedule_code=spec.rate_schedule_code,
                start_date=row.opened_on,
                containers=spec.containers,
                container_size=spec.container_size,
                service_size=spec.service_size,
                created_at=now,
            )
            for account, row in zip(accounts, rows, strict=True)
            for spec in (_spec(item) for item in row.services)
        ],
        batch_size=BATCH_SIZE,
    )
    if accounts:
        audit_record(
            actor=actor,
            action="account.convert",
            target=accounts[0],
            at=now,
            summary=f"Converted {len(accounts)} accounts ({accounts[0].number} … {accounts[-1].number})",
            changes={"count": len(accounts), "first": accounts[0].number, "last": accounts[-1].number},
        )
    return accounts
