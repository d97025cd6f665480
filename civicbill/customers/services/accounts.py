"""Accounts: move-in, move-out, closing and transfer; account numbers are allocated here."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Max, Q

from civicbill.core import clock
from civicbill.core.actors import Actor
from civicbill.core.audit import audit_record, diff, snapshot
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.core.utility_services import Service
from civicbill.customers import locks
from civicbill.customers import validation as check
from civicbill.customers.models import Account, Customer, Premise, ServiceAgreement
from civicbill.customers.normalize import account_number_for
from civicbill.customers.selectors import premise_find
from civicbill.customers.services.customers import CUSTOMER_FIELDS, customer_create
from civicbill.customers.services.premises import PREMISE_FIELDS, premise_create
from civicbill.rates.sizes import normalize_size

ACCOUNT_FIELDS = ("number", "customer", "premise", "status", "paperless", "opened_on", "closed_on")
_ONE_DAY = dt.timedelta(days=1)
_SIZE = re.compile(r"^\d{1,2}(-\d/\d)?$|^\d/\d$")  # 4, 1-1/2, 3/4 (civicbill meter-size spelling)


class AgreementSpec(NamedTuple):
    """A service to start on an account and the rate schedule that bills it: ``("water", "W-RES")``,
    with the determinants the agreement carries: a refuse agreement's ``containers`` and
    ``container_size`` (``AgreementSpec("refuse", "R-96GAL", containers=2)``), a fire line's
    ``service_size`` (``AgreementSpec("fire_line", "F-LINE", service_size="4")``)."""

    service: str
    rate_schedule_code: str
    containers: int | None = None
    container_size: str = ""
    service_size: str = ""


MAX_CONTAINERS = 99


def clean_agreement_spec(item: AgreementSpec | Sequence[Any]) -> AgreementSpec:
    """One agreement's service, schedule and determinants checked; errors name the field."""
    spec = AgreementSpec(*item)
    service = check.choice(spec.service, "services", Service.values)
    code = check.text(spec.rate_schedule_code, "rate_schedule_code", max_length=40, required=True)
    containers = spec.containers
    container_size = check.text(spec.container_size, "container_size", max_length=20)
    service_size = check.text(spec.service_size, "service_size", max_length=6)
    if containers is not None:
        if isinstance(containers, bool) or not isinstance(containers, int):
            raise check.refuse("containers", f"Containers must be a whole number, not {containers!r}.")
        if not 1 <= containers <= MAX_CONTAINERS:
            raise check.refuse("containers", f"Containers must be 1 to {MAX_CONTAINERS}, not {containers}.")
    if (containers is not None or container_size) and service != Service.REFUSE:
        raise check.refuse("containers", "Containers and their size are for a refuse service only.")
    if service_size:
        if service != Service.FIRE_LINE:
            raise check.refuse("service_size", "A service size is for a fire line only.")
        service_size = normalize_size(service_size)
        if not _SIZE.match(service_size):
            raise check.refuse(
                "service_size",
                f"Service size must be a size in inches like 4 or 1-1/2, not {spec.service_size!r}.",
            )
    return AgreementSpec(service, code, containers, container_size, service_size)


# -- move-in -------------------------------------------------------------------------------------


def _clean_specs(services: Sequence[AgreementSpec | tuple[str, str]]) -> list[AgreementSpec]:
    if not services:
        raise check.refuse("services", "Choose at least one service to start.", code="required")
    specs: list[AgreementSpec] = []
    for item in services:
        cleaned = clean_agreement_spec(item)
        if any(spec.service == cleaned.service for spec in specs):
            raise check.refuse(
                "services",
                f"{Service(cleaned.service).label} is listed twice; an account has each service once.",
            )
        specs.append(cleaned)
    return specs


def _determinants_text(spec: AgreementSpec) -> str:
    parts = []
    if spec.containers is not None:
        parts.append(f"{spec.containers} container{'s' if spec.containers != 1 else ''}")
    if spec.container_size:
        parts.append(f"size {spec.container_size}")
    if spec.service_size:
        parts.append(f'{spec.service_size}" line')
    return f" ({', '.join(parts)})" if parts else ""


def _refuse_overlapping_occupant(premise: Premise, specs: list[AgreementSpec], start_date: dt.date) -> None:
    """One occupant at a time: no other account may have one of these services on or after start_date."""
    overlapping = (
        ServiceAgreement.objects.filter(
            account__premise=premise, service__in=[spec.service for spec in specs]
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
        .select_related("account__customer")
        .order_by("start_date", "id")
        .first()
    )
    if overlapping is None:
        return
    account = overlapping.account
    if overlapping.end_date is None:
        period = f"since {overlapping.start_date:%Y-%m-%d} with no end date; move that account out first"
    else:
        period = (
            f"until {overlapping.end_date:%Y-%m-%d}; "
            f"start service on {overlapping.end_date + _ONE_DAY:%Y-%m-%d} or later"
        )
    raise ApplicationError(
        f"{premise.address_line} already has {Service(overlapping.service).label.lower()} service on account "
        f"{account.number} ({account.customer.display_name}) {period}.",
        code="premise_occupied",
        field="start_date",
    )


def _allocate_account_number() -> str:
    counter = locks.lock_account_number_counter()
    highest = Account.objects.aggregate(highest=Max("number"))["highest"] or ""
    highest_sequence = int(highest[:7]) if highest[:7].isdigit() else 0
    counter.last_sequence = max(counter.last_sequence, highest_sequence) + 1
    counter.save(update_fields=["last_sequence"])
    return account_number_for(counter.last_sequence)


def _open_account(
    *,
    customer: Customer,
    premise: Premise,
    services: Sequence[AgreementSpec | tuple[str, str]],
    start_date: dt.date,
    paperless: bool,
    as_of: dt.date,
    actor: Actor,
    summary: str = "",
) -> Account:
    check.date(start_date, "start_date")
    check.date(as_of, "as_of")
    specs = _clean_specs(services)
    premise = locks.lock_premise(premise.pk)
    _refuse_overlapping_occupant(premise, specs, start_date)
    at = clock.now()
    account = Account.objects.create(
        number=_allocate_account_number(),
        customer=customer,
        premise=premise,
        status=Account.Status.PENDING if start_date > as_of else Account.Status.ACTIVE,
        paperless=bool(paperless),
        opened_on=start_date,
        created_at=at,
    )
    ServiceAgreement.objects.bulk_create(
        ServiceAgreement(
            account=account,
            service=spec.service,
            rate_schedule_code=spec.rate_schedule_code,
            start_date=start_date,
            containers=spec.containers,
            container_size=spec.container_size,
            service_size=spec.service_size,
            created_at=at,
        )
        for spec in specs
    )
    changes = diff({}, snapshot(account, ACCOUNT_FIELDS))
    for spec in specs:
        changes[f"{spec.service}_service"] = {
            "before": None,
            "after": f"{spec.rate_schedule_code} from {start_date:%Y-%m-%d}{_determinants_text(spec)}",
        }
    audit_record(
        actor=actor,
        action="account.open",
        target=account,
        at=at,
        account_number=account.number,
        summary=summary
        or f"Move-in: {customer.display_name} at {premise.address_line} from {start_date:%Y-%m-%d}",
        changes=changes,
    )
    return account


@transaction.atomic
def account_open(
    *,
    customer: Customer,
    premise: Premise,
    services: Sequence[AgreementSpec | tuple[str, str]],
    start_date: dt.date,
    paperless: bool = False,
    as_of: dt.date,
    actor: Actor,
) -> Account:
    """MOVE-IN: a new account for ``customer`` at ``premise`` with these services from ``start_date``.

    The account is ACTIVE, or PENDING when ``start_date`` is after ``as_of`` (the caller's business
    date: today at the counter). Refused when another account at the premise has one of these
    services on or after ``start_date`` (one occupant at a time), with no services, or with a service
    twice.
    """
    require_permission(actor, "customers.move_in")
    return _open_account(
        customer=customer,
        premise=premise,
        services=services,
        start_date=start_date,
        paperless=paperless,
        as_of=as_of,
        actor=actor,
    )


def _premise_at(values: Mapping[str, Any], *, actor: Actor) -> Premise:
    """The premise at the address in ``values`` (premise fields): the existing one, else a new one."""
    premise_values = {name: values[name] for name in PREMISE_FIELDS if values.get(name) not in (None, "")}
    premise = premise_find(
        house_number=str(premise_values.get("house_number", "")),
        street_name=str(premise_values.get("street_name", "")),
        unit=str(premise_values.get("unit", "")),
        zip_code=str(premise_values.get("zip_code", "")),
    )
    return premise if premise is not None else premise_create(**premise_values, actor=actor)


@transaction.atomic
def move_in_new_customer(
    *,
    data: Mapping[str, Any],
    services: Sequence[AgreementSpec | tuple[str, str]],
    actor: Actor,
    as_of: dt.date,
    premise: Premise | None = None,
) -> Account:
    """The counter's move-in form in one transaction: a new customer, the premise, the account.

    ``data`` holds the customer fields, the premise fields, ``start_date``, ``paperless`` and
    ``mailing_same_as_service`` (mail bills to the service address). An existing premise at the same
    address is used rather than created twice; ``premise``, when given, is the premise (a new customer
    at the premise of an account) and the premise fields are not needed.
    """
    require_permission(actor, "customers.move_in")
    if premise is None:
        premise = _premise_at(data, actor=actor)
    customer_values = {name: data[name] for name in CUSTOMER_FIELDS if data.get(name) not in (None, "")}
    if data.get("mailing_same_as_service"):
        customer_values.update(
            mailing_line1=premise.address_line,
            mailing_line2="",
            mailing_city=premise.city,
            mailing_state=premise.state,
            mailing_zip=premise.zip_code,
        )
    customer = customer_create(**customer_values, actor=actor)
    return account_open(
        customer=customer,
        premise=premise,
        services=services,
        start_date=data.get("start_date"),  # type: ignore[arg-type]  # checked in _open_account
        paperless=bool(data.get("paperless")),
        as_of=as_of,
        actor=actor,
    )


@transaction.atomic
def account_activate_pending(*, as_of: dt.date, actor: Actor) -> list[str]:
    """PENDING accounts whose service has started by ``as_of`` become ACTIVE. Returns their numbers.

    For the nightly task (with a system user holding ``customers.move_in``) and idempotent.
    """
    require_permission(actor, "customers.move_in")
    check.date(as_of, "as_of")
    due = list(
        Account.objects.select_for_update()
        .filter(status=Account.Status.PENDING, opened_on__lte=as_of)
        .order_by("number")
    )
    Account.objects.filter(pk__in=[account.pk for account in due]).update(status=Account.Status.ACTIVE)
    for account in due:
        audit_record(
            actor=actor,
            action="account.activate",
            target=account,
            at=clock.now(),
            account_number=account.number,
            summary=f"Service started {account.opened_on:%Y-%m-%d}; account active",
            changes={
                "status": {"before": Account.Status.PENDING.value, "after": Account.Status.ACTIVE.value}
            },
        )
    return [account.number for account in due]


# -- move-out and closing ------------------------------------------------------------------------


def _close_account(*, account: Account, end_date: dt.date, reason: str, actor: Actor) -> Account:
    check.date(end_date, "end_date")
    reason = check.text(reason, "reason", max_length=200)
    locked = locks.lock_account(account.pk)
    if locked.status in (Account.Status.FINAL, Account.Status.CLOSED):
        ended = f" (service ended {locked.closed_on:%Y-%m-%d})" if locked.closed_on else ""
        raise check.refuse(
            "end_date", f"Account {locked.number} is already {locked.status}{ended}.", code="already_closed"
        )
    if end_date < locked.opened_on:
        raise check.refuse(
            "end_date",
            f"The last day of service {end_date:%Y-%m-%d} is before account {locked.number} "
            f"opened on {locked.opened_on:%Y-%m-%d}.",
        )
    open_agreements = list(locked.agreements.filter(end_date__isnull=True).order_by("start_date", "service"))
    for agreement in open_agreements:
        if end_date < agreement.start_date:
            raise check.refuse(
                "end_date",
                f"The last day of service {end_date:%Y-%m-%d} is before "
                f"{Service(agreement.service).label.lower()} service started on "
                f"{agreement.start_date:%Y-%m-%d}.",
            )
    before = snapshot(locked, ACCOUNT_FIELDS)
    ServiceAgreement.objects.filter(pk__in=[agreement.pk for agreement in open_agreements]).update(
        end_date=end_date
    )
    locked.status = Account.Status.FINAL
    locked.closed_on = end_date
    locked.save(update_fields=["status", "closed_on"])
    changes = diff(before, snapshot(locked, ACCOUNT_FIELDS))
    for agreement in open_agreements:
        changes[f"{agreement.service}_end_date"] = {"before": None, "after": end_date.isoformat()}
    audit_record(
        actor=actor,
        action="account.close",
        target=locked,
        at=clock.now(),
        account_number=locked.number,
        summary=f"Move-out: service ends {end_date:%Y-%m-%d}" + (f"; {reason}" if reason else ""),
        changes=changes,
    )
    return locked


@transaction.atomic
def account_close(*, account: Account, end_date: dt.date, actor: Actor, reason: str = "") -> Account:
    """MOVE-OUT: every open service agreement ends on ``end_date`` (the last day of service) and the
    account becomes FINAL, with ``closed_on`` = ``end_date``. The final bill comes with billing.

    Refused for an account already final or closed, and for an end date before the account opened
    or before a service started.
    """
    require_permission(actor, "customers.move_out")
    return _close_account(account=account, end_date=end_date, reason=reason, actor=actor)


@transaction.atomic
def account_mark_closed(*, account: Account, actor: Actor) -> Account:
    """A FINAL account whose final bill is settled becomes CLOSED.

    The caller (billing/collections) establishes that the balance is settled; this refuses an
    account that is not final or still has a service agreement without an end date.
    """
    require_permission(actor, "customers.move_out")
    locked = locks.lock_account(account.pk)
    still_open = locked.agreements.filter(end_date__isnull=True).order_by("service").first()
    if still_open is not None:
        raise check.refuse(
            "status",
            f"Account {locked.number} still has {Service(still_open.service).label.lower()} service with no "
            "end date; move the customer out first.",
        )
    if locked.status != Account.Status.FINAL:
        raise check.refuse(
            "status", f"Account {locked.number} is {locked.status}; only a final account can be closed."
        )
    before = snapshot(locked, ACCOUNT_FIELDS)
    locked.status = Account.Status.CLOSED
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="account.mark_closed",
        target=locked,
        at=clock.now(),
        account_number=locked.number,
        summary="Account closed (final bill settled)",
        changes=diff(before, snapshot(locked, ACCOUNT_FIELDS)),
    )
    return locked


@transaction.atomic
def customer_transfer(
    *,
    account: Account,
    new_premise: Premise,
    move_date: dt.date,
    services: Sequence[AgreementSpec | tuple[str, str]] | None = None,
    as_of: dt.date,
    actor: Actor,
) -> Account:
    """TRANSFER: the customer moves. ``move_date`` is the last day of service at the old premise; a new
    account at ``new_premise`` starts the next day with ``services`` (by default the same services
    and rate schedules the old account has open). Returns the new account.
    """
    require_permission(actor, "customers.transfer")
    check.date(move_date, "move_date")
    new_premise = locks.lock_premise(new_premise.pk)
    old = locks.lock_account(account.pk)
    if old.premise_id == new_premise.pk:
        raise check.refuse(
            "new_premise",
            f"Account {old.number} is already at {new_premise.address_line}; choose the new address.",
        )
    if old.status not in (Account.Status.ACTIVE, Account.Status.PENDING):
        raise check.refuse(
            "account", f"Account {old.number} is {old.status}; only an active account can be transferred."
        )
    if services is None:
        # the refuse containers go with the customer; a fire line's size belongs to the old premise
        services = [
            AgreementSpec(
                agreement.service,
                agreement.rate_schedule_code,
                agreement.containers,
                agreement.container_size,
            )
            for agreement in old.agreements.filter(end_date__isnull=True).order_by("service")
        ]
    old_address = old.premise.address_line
    closed = _close_account(
        account=old, end_date=move_date, reason=f"transfer to {new_premise.address_line}", actor=actor
    )
    new = _open_account(
        customer=old.customer,
        premise=new_premise,
        services=services,
        start_date=move_date + _ONE_DAY,
        paperless=old.paperless,
        as_of=as_of,
        actor=actor,
        summary=f"Transfer from account {closed.number} at {old_address}: service from "
        f"{move_date + _ONE_DAY:%Y-%m-%d}",
    )
    audit_record(
        actor=actor,
        action="account.transfer",
        target=new,
        at=clock.now(),
        account_number=new.number,
        summary=f"{old.customer.display_name} moved from {old_address} (account {closed.number}, last day "
        f"{move_date:%Y-%m-%d}) to {new_premise.address_line} (account {new.number})",
        changes={"transferred_from": {"before": None, "after": closed.number}},
    )
    return new


@transaction.atomic
def customer_transfer_to_address(
    *,
    account: Account,
    address: Mapping[str, Any],
    move_date: dt.date,
    services: Sequence[AgreementSpec | tuple[str, str]] | None = None,
    as_of: dt.date,
    actor: Actor,
) -> Account:
    """TRANSFER to an address typed at the counter: the premise there is reused when it exists, else
    created from ``address`` (premise fields), then :func:`customer_transfer` moves the customer."""
    require_permission(actor, "customers.transfer")
    premise = _premise_at(address, actor=actor)
    return customer_transfer(
        account=account, new_premise=premise, move_date=move_date, services=services, as_of=as_of, actor=actor
    )
