"""Service points and meter installations: install, remove, exchange.

Every install writes an *install read* (source ``install``, status ``actual``, consumption 0) and every
removal a *removal read* (source ``removal``) carrying the usage since the installation's last accepted
read, computed by :func:`civicbill.meters.consumption.consumption_between` (rollover included). An
exchange does both on one date at one service point in one transaction, so the usage of a period that
spans it is the old meter's usage up to its removal read plus the new meter's usage from its install
read: summing ``consumption_hcf`` over the service point's accepted reads gives the right total.

Reads are consumption *per installation*: the read before a new read is the last accepted read of the
same installation (never the removed meter's), which is what the install read is for.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.core.utility_services import Service
from civicbill.customers.models import Premise
from civicbill.customers.selectors import account_at_premise, account_get
from civicbill.meters import locks
from civicbill.meters.consumption import (
    NO_HISTORY_ROLLOVER_FRACTION,
    NotPlausibleError,
    Register,
    consumption_between,
    fits_register,
)
from civicbill.meters.models import (
    Meter,
    MeterInstallation,
    MeterStatus,
    Read,
    ReadSource,
    ReadStatus,
    ServicePoint,
)
from civicbill.meters.selectors import meter_get, service_point_for_account
from civicbill.meters.services.inventory import change_status_trusted
from civicbill.meters.shipment import READ_PLACES, clean_register_read, clean_text, label, refuse, tidy

ACCEPTED_READ_STATUSES = (ReadStatus.ACTUAL, ReadStatus.ESTIMATED)
MAX_ROUTE_SEQUENCE = 2_000_000_000


def _register(meter: Meter) -> Register:
    return Register(dials=meter.dials, read_unit=meter.read_unit, multiplier=Decimal(meter.multiplier))


def account_number_at(premise_id: int, day: dt.date) -> str:
    """The number of the account in service at the premise on ``day`` (for the account's audit trail)."""
    account = account_at_premise(premise_id, on=day)
    return account.number if account else ""


# -- service points ------------------------------------------------------------------------------


@transaction.atomic
def service_point_create(
    *,
    premise: Premise,
    service: str = Service.WATER,
    read_route: str,
    route_sequence: int,
    location_note: str = "",
    actor: Actor,
) -> ServicePoint:
    """A meter location at a premise, on a read route at a place in the route's sequence."""
    require_permission(actor, "meters.manage")
    if service not in Service.values:
        raise refuse("service", f"{service!r} is not a service; use one of {', '.join(Service.values)}.")
    read_route = clean_text(read_route, "read_route", max_length=12, required=True)
    if isinstance(route_sequence, bool) or not isinstance(route_sequence, int):
        raise refuse("route_sequence", f"Route sequence must be a whole number, not {route_sequence!r}.")
    if not 0 <= route_sequence <= MAX_ROUTE_SEQUENCE:
        raise refuse("route_sequence", f"Route sequence must be 0 or more, not {route_sequence}.")
    location_note = clean_text(location_note, "location_note", max_length=200)
    point = ServicePoint.objects.create(
        premise=premise,
        service=service,
        read_route=read_route,
        route_sequence=route_sequence,
        location_note=location_note,
        created_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action="service_point.create",
        target=point,
        at=point.created_at,
        summary=f"{Service(service).label} service point at {premise.address_line}, "
        f"route {read_route} #{route_sequence}",
        changes={
            "premise": premise.pk,
            "service": service,
            "read_route": read_route,
            "route_sequence": route_sequence,
            "location_note": location_note,
        },
    )
    return point


# -- install and remove (callers hold the locks and record the audit event) ----------------------


def _install(
    *,
    meter: Meter,
    point: ServicePoint,
    installed_on: dt.date,
    install_read: Decimal,
    actor: Actor,
    now: dt.datetime,
    reason: str,
) -> MeterInstallation:
    if meter.status != MeterStatus.IN_STOCK:
        raise ApplicationError(
            f"Meter {meter.serial_number} is {MeterStatus(meter.status).label.lower()}; only a meter in "
            "stock can be installed.",
            code="meter_not_in_stock",
            field="meter",
        )
    occupant = (
        MeterInstallation.objects.filter(service_point=point, removed_on__isnull=True)
        .select_related("meter")
        .first()
    )
    if occupant is not None:
        raise ApplicationError(
            f"Meter {occupant.meter.serial_number} has been installed at {point.premise.address_line} "
            f"(route {point.read_route} #{point.route_sequence}) since {occupant.installed_on:%Y-%m-%d}; "
            "exchange it, or remove it first.",
            code="service_point_occupied",
            field="service_point",
        )
    last_removed = (
        MeterInstallation.objects.filter(service_point=point, removed_on__gt=installed_on)
        .order_by("-removed_on")
        .first()
    )
    if last_removed is not None and last_removed.removed_on is not None:
        raise refuse(
            "installed_on",
            f"Install date {installed_on:%Y-%m-%d} is before meter {last_removed.meter.serial_number} was "
            f"removed from this service point on {last_removed.removed_on:%Y-%m-%d}.",
        )
    register = _register(meter)
    if not fits_register(register, install_read):
        raise refuse(
            "install_read",
            f"Install read {tidy(install_read):,} does not fit meter {meter.serial_number}'s "
            f"{meter.dials}-dial register (0 to {register.capacity - 1:,}).",
        )
    installation = MeterInstallation.objects.create(
        meter=meter,
        service_point=point,
        installed_on=installed_on,
        install_read=install_read,
        created_at=now,
    )
    Read.objects.create(
        meter=meter,
        installation=installation,
        service_point=point,
        read_on=installed_on,
        value=install_read,
        source=ReadSource.INSTALL,
        status=ReadStatus.ACTUAL,
        consumption_hcf=Decimal("0.000"),
        note=reason[:200],
        created_by=acting_user(actor),
        created_at=now,
    )
    change_status_trusted(
        meter, to_status=MeterStatus.INSTALLED, changed_on=installed_on, reason=reason, actor=actor, now=now
    )
    return installation


def _last_accepted_read(installation: MeterInstallation) -> Read | None:
    return (
        Read.objects.filter(installation=installation, status__in=ACCEPTED_READ_STATUSES)
        .order_by("-read_on", "-id")
        .first()
    )


def _remove(
    *,
    installation: MeterInstallation,
    meter: Meter,
    removed_on: dt.date,
    removal_read: Decimal,
    actor: Actor,
    now: dt.datetime,
    reason: str,
    read_field: str = "removal_read",
) -> Read:
    if installation.removed_on is not None:
        raise ApplicationError(
            f"Meter {meter.serial_number} was already removed on {installation.removed_on:%Y-%m-%d}.",
            code="already_removed",
            field="meter",
        )
    if removed_on < installation.installed_on:
        raise refuse(
            "removed_on",
            f"Removal date {removed_on:%Y-%m-%d} is before meter {meter.serial_number} was installed on "
            f"{installation.installed_on:%Y-%m-%d}.",
        )
    register = _register(meter)
    if not fits_register(register, removal_read):
        raise refuse(
            read_field,
            f"{label(read_field)} {tidy(removal_read):,} does not fit meter {meter.serial_number}'s "
            f"{meter.dials}-dial register (0 to {register.capacity - 1:,}).",
        )
    last = _last_accepted_read(installation)
    previous_value = installation.install_read if last is None else last.value
    if last is not None and removed_on < last.read_on:
        raise refuse(
            "removed_on",
            f"Removal date {removed_on:%Y-%m-%d} is before meter {meter.serial_number}'s last read "
            f"({tidy(last.value):,} on {last.read_on:%Y-%m-%d}).",
        )
    try:
        used = consumption_between(
            register,
            previous=tidy(Decimal(previous_value)),
            current=tidy(removal_read),
            max_rollover_fraction=NO_HISTORY_ROLLOVER_FRACTION,  # a field read, judged without history
        )
    except NotPlausibleError as error:
        raise refuse(read_field, f"{label(read_field)} for meter {meter.serial_number}: {error}.") from None
    read = Read.objects.create(
        meter=meter,
        installation=installation,
        service_point_id=installation.service_point_id,
        read_on=removed_on,
        value=removal_read,
        source=ReadSource.REMOVAL,
        status=ReadStatus.ACTUAL,
        consumption_hcf=used.hcf.quantize(READ_PLACES, rounding=ROUND_HALF_UP),
        rolled_over=used.rolled_over,
        note=reason[:200],
        created_by=acting_user(actor),
        created_at=now,
    )
    installation.removed_on = removed_on
    installation.removal_read = removal_read
    installation.save(update_fields=["removed_on", "removal_read"])
    change_status_trusted(
        meter, to_status=MeterStatus.REMOVED, changed_on=removed_on, reason=reason, actor=actor, now=now
    )
    return read


def _open_installation(meter: Meter, *, field: str) -> MeterInstallation:
    installation = (
        MeterInstallation.objects.filter(meter=meter, removed_on__isnull=True)
        .select_related("service_point__premise")
        .first()
    )
    if installation is None:
        raise ApplicationError(
            f"Meter {meter.serial_number} is not installed anywhere "
            f"(it is {MeterStatus(meter.status).label.lower()}).",
            code="meter_not_installed",
            field=field,
        )
    return installation


# -- the services --------------------------------------------------------------------------------


@transaction.atomic
def meter_install(
    *,
    meter: Meter,
    service_point: ServicePoint,
    installed_on: dt.date,
    install_read: Decimal,
    actor: Actor,
) -> MeterInstallation:
    """Install a meter from stock at a free service point, with its install read."""
    require_permission(actor, "meters.manage")
    value = clean_register_read(install_read, "install_read")
    point = locks.lock_service_point(service_point.pk)
    locked = locks.lock_meter(meter.pk)
    installation = _install(
        meter=locked,
        point=point,
        installed_on=installed_on,
        install_read=value,
        actor=actor,
        now=clock.now(),
        reason=f"installed at {point.premise.address_line}",
    )
    meter.status = locked.status
    audit_record(
        actor=actor,
        action="meter.install",
        target=installation,
        at=clock.now(),
        account_number=account_number_at(point.premise_id, installed_on),
        summary=f"Meter {locked.serial_number} installed at {point.premise.address_line} on "
        f"{installed_on:%Y-%m-%d}, read {tidy(value):,}",
        changes={
            "meter": locked.serial_number,
            "service_point": point.pk,
            "installed_on": installed_on.isoformat(),
            "install_read": str(value),
        },
    )
    return installation


@transaction.atomic
def meter_remove(
    *,
    installation: MeterInstallation | None = None,
    meter: Meter | None = None,
    removed_on: dt.date,
    removal_read: Decimal,
    actor: Actor,
) -> MeterInstallation:
    """Remove an installed meter (give the installation or the meter) with its removal read, which
    carries the usage since the last accepted read. The meter becomes *removed* (to be tested)."""
    require_permission(actor, "meters.manage")
    if installation is not None and meter is not None and installation.meter_id != meter.pk:
        raise refuse("meter", f"Meter {meter.serial_number} is not the meter of that installation.")
    value = clean_register_read(removal_read, "removal_read")
    if installation is not None:
        target = installation
    elif meter is not None:
        target = _open_installation(meter, field="meter")
    else:
        raise refuse("meter", "Say which meter to remove.", code="required")
    point = locks.lock_service_point(target.service_point_id)
    locked = locks.lock_meter(target.meter_id)
    current = MeterInstallation.objects.select_for_update().get(pk=target.pk)
    read = _remove(
        installation=current,
        meter=locked,
        removed_on=removed_on,
        removal_read=value,
        actor=actor,
        now=clock.now(),
        reason=f"removed from {point.premise.address_line}",
    )
    if meter is not None:
        meter.status = locked.status
    audit_record(
        actor=actor,
        action="meter.remove",
        target=current,
        at=clock.now(),
        account_number=account_number_at(point.premise_id, removed_on),
        summary=f"Meter {locked.serial_number} removed from {point.premise.address_line} on "
        f"{removed_on:%Y-%m-%d}, read {tidy(value):,} ({read.consumption_hcf} HCF since the last read)",
        changes={
            "meter": locked.serial_number,
            "removed_on": removed_on.isoformat(),
            "removal_read": str(value),
            "consumption_hcf": str(read.consumption_hcf),
            "rolled_over": read.rolled_over,
        },
    )
    return current


@transaction.atomic
def meter_exchange(
    *,
    old_meter: Meter,
    new_meter: Meter,
    exchanged_on: dt.date,
    old_read: Decimal,
    new_read: Decimal,
    actor: Actor,
) -> MeterInstallation:
    """Replace an installed meter by one from stock at the same service point on one date: the old
    meter's removal read closes its usage, the new meter's install read starts it. All or nothing."""
    require_permission(actor, "meters.manage")
    if old_meter.pk == new_meter.pk:
        raise refuse("new_meter", f"Meter {old_meter.serial_number} cannot be exchanged for itself.")
    old_value = clean_register_read(old_read, "old_read")
    new_value = clean_register_read(new_read, "new_read")
    found = _open_installation(old_meter, field="old_meter")
    point = locks.lock_service_point(found.service_point_id)
    meters = locks.lock_meters([old_meter.pk, new_meter.pk])
    old, new = meters[old_meter.pk], meters[new_meter.pk]
    old_installation = MeterInstallation.objects.select_for_update().get(pk=found.pk)
    if new.status != MeterStatus.IN_STOCK:
        raise ApplicationError(
            f"Meter {new.serial_number} is {MeterStatus(new.status).label.lower()}; the new meter of an "
            "exchange must be in stock.",
            code="meter_not_in_stock",
            field="new_meter",
        )
    new_register = _register(new)
    if not fits_register(new_register, new_value):
        raise refuse(
            "new_read",
            f"New meter read {tidy(new_value):,} does not fit meter {new.serial_number}'s {new.dials}-dial "
            f"register (0 to {new_register.capacity - 1:,}).",
        )
    now = clock.now()
    removal = _remove(
        installation=old_installation,
        meter=old,
        removed_on=exchanged_on,
        removal_read=old_value,
        actor=actor,
        now=now,
        reason=f"exchanged for {new.serial_number}",
        read_field="old_read",
    )
    installation = _install(
        meter=new,
        point=point,
        installed_on=exchanged_on,
        install_read=new_value,
        actor=actor,
        now=now,
        reason=f"exchanged for {old.serial_number}",
    )
    old_meter.status, new_meter.status = old.status, new.status
    audit_record(
        actor=actor,
        action="meter.exchange",
        target=installation,
        at=now,
        account_number=account_number_at(point.premise_id, exchanged_on),
        summary=f"Meter {old.serial_number} (removed at {tidy(old_value):,}, {removal.consumption_hcf} HCF "
        f"since the last read) exchanged for {new.serial_number} (installed at {tidy(new_value):,}) at "
        f"{point.premise.address_line} on {exchanged_on:%Y-%m-%d}",
        changes={
            "old_meter": old.serial_number,
            "new_meter": new.serial_number,
            "exchanged_on": exchanged_on.isoformat(),
            "old_read": str(old_value),
            "new_read": str(new_value),
            "old_consumption_hcf": str(removal.consumption_hcf),
            "rolled_over": removal.rolled_over,
            "service_point": point.pk,
        },
    )
    return installation


@transaction.atomic
def meter_install_for_account(
    *, account_number: str, serial: str, installed_on: dt.date, read: Decimal, actor: Actor
) -> MeterInstallation:
    """Install the meter with this serial at the water service point of the account's premise.

    A premise without a water service point gets one on the premise's read route and sequence (when the
    premise has a route); otherwise create the service point first."""
    require_permission(actor, "meters.manage")
    account = account_get(account_number)
    meter = meter_get(serial)
    point = service_point_for_account(account)
    if point is None:
        premise = account.premise
        if not premise.read_route:
            raise ApplicationError(
                f"{premise.address_line} has no water service point and no read route; create its "
                "service point (route and sequence) first.",
                code="no_service_point",
                field="account_number",
            )
        point = service_point_create(
            premise=premise,
            read_route=premise.read_route,
            route_sequence=premise.route_sequence,
            actor=actor,
        )
    return meter_install(
        meter=meter, service_point=point, installed_on=installed_on, install_read=read, actor=actor
    )
