"""Move-out and move-in with the read that ends one customer's use and starts the next one's.

The billing run gives each account the use measured from the read at (or just before) its first day
of service to the read at (or just before) the day after its last
(:meth:`civicbill.meters.usage.PeriodConsumption.occupancy_bounds`), so the outgoing customer's final
bill and the incoming customer's first bill share that read: no unit is billed twice, none is lost.
These services record that read with the move:

- **move-out** (:func:`account_move_out`): every open service agreement ends on ``end_date``
  (``customers.services.account_close``), the move-out read is dated ``end_date``; a forwarding address
  becomes the customer's mailing address, so the final bill and any later letter go there, not to the
  premise the customer left;
- **move-in** (:func:`account_move_in`): a new customer's account at the premise
  (``customers.services.move_in_new_customer``), the start read dated ``start_date``;
- **transfer** (:func:`account_transfer`): the customer moves to another address
  (``customers.services.customer_transfer_to_address``): the move-out read dated the last day at
  the old premise closes the use there, the move-in read dated the next day starts it at the new one.

The read is the one staff give (typed from the meter, a field read or a work order); else a read
already on file for the move (the move-out read on the last day of service or the day after, the
previous occupant's move-out read the day before a move-in) is used; else the read is **estimated**
from the meter's history (:func:`civicbill.meters.estimation.estimate_read`, as missing reads are),
stored as ESTIMATED, and the next actual read trues it up. No read is made for a date after today (it
is entered on the day), nor before a read already on file (the use then splits at the read before).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.core.utility_services import Service
from civicbill.customers import services as customer_services
from civicbill.customers.models import Account, Premise
from civicbill.customers.services import AgreementSpec
from civicbill.meters.estimation import estimate_read
from civicbill.meters.models import Meter, Read, ReadSource, ReadStatus, ServicePoint
from civicbill.meters.services.read_context import load_context, meters_installed_at
from civicbill.meters.services.reads import store_single_trusted
from civicbill.meters.validation import Candidate, ReadValidator, Verdict, shown

MOVE_IN = "move_in"
MOVE_OUT = "move_out"
_KIND_TEXT = {MOVE_IN: "Move-in", MOVE_OUT: "Move-out"}
_ON_FILE = (ReadStatus.ACTUAL, ReadStatus.ESTIMATED, ReadStatus.EXCEPTION)
_ONE_DAY = dt.timedelta(days=1)
FORWARDING_FIELDS = ("mailing_line1", "mailing_line2", "mailing_city", "mailing_state", "mailing_zip")


@dataclass(frozen=True)
class MoveRead:
    """The read that bounds the use at a move: recorded now, or already on file (``recorded`` False)."""

    read: Read
    recorded: bool

    @property
    def estimated(self) -> bool:
        return self.read.status == ReadStatus.ESTIMATED

    def as_dict(self) -> dict[str, Any]:
        read = self.read
        return {
            "read_on": read.read_on.isoformat(),
            "value": str(read.value),
            "meter_serial": read.meter.serial_number,
            "source": read.source,
            "status": read.status,
            "estimated": self.estimated,
            "held_for_review": read.status == ReadStatus.EXCEPTION,
            "consumption_hcf": None if read.consumption_hcf is None else str(read.consumption_hcf),
            "recorded": self.recorded,
        }


@dataclass(frozen=True)
class MoveResult:
    """A move done: the account, the read bounding the use (None, with ``read_note`` saying why)."""

    kind: str
    account: Account
    read: MoveRead | None
    read_note: str
    forwarding_address: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        account = self.account
        return {
            "account_number": account.number,
            "kind": self.kind,
            "status": account.status,
            "customer_name": account.customer.display_name,
            "service_address": account.premise.address_line,
            "date": (account.opened_on if self.kind == MOVE_IN else account.closed_on).isoformat(),  # type: ignore[union-attr]
            "read": None if self.read is None else self.read.as_dict(),
            "read_note": self.read_note,
            "forwarding_address": list(self.forwarding_address) or None,
        }


# -- the read at a move --------------------------------------------------------------------------


def _water_point(premise_id: int) -> ServicePoint | None:
    return (
        ServicePoint.objects.filter(premise_id=premise_id, service=Service.WATER)
        .order_by("read_route", "route_sequence", "id")
        .first()
    )


def _refuse_read(message: str, code: str = "read_refused") -> ApplicationError:
    return ApplicationError(message, code=code, field="read")


def _move_read(
    *, premise: Premise, day: dt.date, value: Decimal | None, kind: str, account: Account, actor: Actor,
    as_of: dt.date,
) -> tuple[MoveRead | None, str]:  # fmt: skip
    """Record (or find) the read bounding the use at a move on ``day``. Returns it, or None and why."""
    what = _KIND_TEXT[kind]
    point = _water_point(premise.pk)
    meter_id = meters_installed_at([point.pk], day).get(point.pk) if point is not None else None
    if point is None or meter_id is None:
        if value is not None:
            raise _refuse_read(
                f"There is no water meter installed at {premise.address_line} on {day:%Y-%m-%d}; "
                "leave the read out.",
                code="no_meter",
            )
        return None, f"No water meter at {premise.address_line} on {day:%Y-%m-%d}: no read."
    meter = Meter.objects.get(pk=meter_id)
    reads = Read.objects.filter(service_point=point, status__in=_ON_FILE).select_related("meter")
    # the move-out read on the last day of service or the day after; the move-in read on the first day or
    # the day before (the previous occupant's move-out read)
    around: tuple[dt.date, ...] = (day,)
    if dt.date.min < day < dt.date.max:
        around = (day, day + _ONE_DAY) if kind == MOVE_OUT else (day - _ONE_DAY, day)
    on_file = reads.filter(read_on__in=around).order_by("-read_on", "-id").first()
    if on_file is not None and (value is None or (on_file.read_on == day and on_file.value == value)):
        return MoveRead(on_file, recorded=False), ""
    if day > as_of:
        if value is not None:
            raise _refuse_read(
                f"The {what.lower()} read is dated {day:%Y-%m-%d}, after today ({as_of:%Y-%m-%d}); "
                "enter it on the day.",
                code="read_in_future",
            )
        return (
            None,
            f"Service changes on {day:%Y-%m-%d}, after today: enter the {what.lower()} read on the day.",
        )
    later = reads.filter(read_on__gt=day).order_by("read_on", "id").first()
    if later is not None:
        if value is not None:
            raise _refuse_read(
                f"Meter {meter.serial_number} already has a read on {later.read_on:%Y-%m-%d}, after "
                f"{day:%Y-%m-%d}; a read cannot be placed before it.",
                code="later_read_on_file",
            )
        return None, (
            f"Meter {meter.serial_number} was read on {later.read_on:%Y-%m-%d}, after {day:%Y-%m-%d}: "
            f"the use splits at the read before {day:%Y-%m-%d} (no read can be placed before a later one)."
        )
    loaded = load_context(as_of=as_of, earliest_read_on=day, meter_ids={meter_id}, lock=True)
    validator = ReadValidator(loaded.context)
    if value is None:
        installation = validator.installation_on(meter_id, day)
        if installation is None:  # pragma: no cover - meters_installed_at found it installed
            return None, f"No water meter at {premise.address_line} on {day:%Y-%m-%d}: no read."
        position = validator.position(installation)
        estimate = estimate_read(
            loaded.meters_by_id[meter_id].register,
            validator.history(point.pk),
            previous_on=position.last_on,
            previous_value=position.last_value,
            read_on=day,
        )
        if estimate is None:
            return None, (
                f"No usage history to estimate the {what.lower()} read of meter {meter.serial_number} from: "
                "a field read is needed (enter it as the read)."
            )
        candidate = Candidate(meter.serial_number, day, estimate.value, ReadSource.ESTIMATED)
        note = f"{what} read of account {account.number}. {estimate.note}"
    else:
        candidate = Candidate(meter.serial_number, day, value, ReadSource.MANUAL)
        note = f"{what} read of account {account.number}"
    result = validator.validate(candidate)
    if result.verdict is Verdict.BAD:
        raise _refuse_read(result.message, code=result.code)
    at = clock.now()
    outcome = store_single_trusted(result, actor=actor, at=at, note=note)
    read = Read.objects.select_related("meter").get(pk=outcome.read.pk)  # as stored
    state = (
        "estimated"
        if read.status == ReadStatus.ESTIMATED
        else "held for review"
        if outcome.exception
        else "actual"
    )
    audit_record(
        actor=actor,
        action=f"read.{kind}",
        target=read,
        at=at,
        account_number=account.number,
        summary=f"{what} read {shown(read.value)} on meter {meter.serial_number} on {day:%Y-%m-%d}: {state}"
        + (f" ({outcome.consumption_hcf} HCF)" if outcome.consumption_hcf is not None else "")
        + (f"; {outcome.message}" if outcome.exception else ""),
        changes={
            "meter": meter.serial_number,
            "read_on": day.isoformat(),
            "value": str(read.value),
            "source": read.source,
            "status": read.status,
            "consumption_hcf": None if outcome.consumption_hcf is None else str(outcome.consumption_hcf),
            "exception": outcome.code,
        },
    )
    held = f"The read is held for review: {outcome.message}" if outcome.exception else ""
    return MoveRead(read, recorded=True), held


# -- move-out ------------------------------------------------------------------------------------


def _clean_forwarding(address: Mapping[str, Any] | None) -> dict[str, str] | None:
    if not address or not any(str(address.get(name) or "").strip() for name in FORWARDING_FIELDS):
        return None
    values = {name: str(address.get(name) or "").strip() for name in FORWARDING_FIELDS}
    values["mailing_state"] = values["mailing_state"] or "CA"
    return values


@transaction.atomic
def account_move_out(
    *,
    account: Account,
    end_date: dt.date,
    read: Decimal | None,
    actor: Actor,
    as_of: dt.date,
    forwarding_address: Mapping[str, Any] | None = None,
    reason: str = "",
) -> MoveResult:
    """MOVE-OUT: the account's service ends on ``end_date`` (the last day of service) and the account
    becomes FINAL (``customers.services.account_close``); the move-out read dated ``end_date`` closes the
    customer's use: ``read`` as given, else a read already on file for the move, else an estimate
    (stored ESTIMATED, trued up by the next actual read). ``forwarding_address`` (the customer fields
    ``mailing_line1``, ``mailing_line2``, ``mailing_city``, ``mailing_state``, ``mailing_zip``)
    becomes the customer's mailing address: the final bill and later letters are mailed there.
    The final bill itself is ``billing.services.final_bill_issue`` (``civicbill bill final``)."""
    require_permission(actor, "customers.move_out")
    closed = customer_services.account_close(account=account, end_date=end_date, reason=reason, actor=actor)
    forwarding = _clean_forwarding(forwarding_address)
    lines: tuple[str, ...] = ()
    if forwarding is not None:
        customer = customer_services.customer_update(customer=closed.customer, actor=actor, **forwarding)
        lines = tuple(customer.mailing_address_lines)
        audit_record(
            actor=actor,
            action="account.forwarding_address",
            target=closed,
            at=clock.now(),
            account_number=closed.number,
            summary="Move-out: bills and letters are mailed to the forwarding address " + ", ".join(lines),
            changes={"forwarding_address": {"before": None, "after": ", ".join(lines)}},
        )
    move_read, note = _move_read(
        premise=closed.premise, day=end_date, value=read, kind=MOVE_OUT, account=closed, actor=actor,
        as_of=as_of,
    )  # fmt: skip
    return MoveResult(MOVE_OUT, Account.objects.select_related("customer", "premise").get(pk=closed.pk),
                      move_read, note, lines)  # fmt: skip


# -- move-in -------------------------------------------------------------------------------------


def services_at(account: Account) -> list[AgreementSpec]:
    """The services (and rate schedules) an account had, the latest agreement of each, with its
    determinants (refuse containers and size, fire service size): what a new customer at its premise
    starts with by default."""
    latest: dict[str, AgreementSpec] = {}
    for agreement in account.agreements.order_by("start_date", "id"):
        latest[agreement.service] = AgreementSpec(
            agreement.service,
            agreement.rate_schedule_code,
            containers=agreement.containers,
            container_size=agreement.container_size,
            service_size=agreement.service_size,
        )
    return [latest[service] for service in sorted(latest)]


@transaction.atomic
def account_move_in(
    *,
    data: Mapping[str, Any],
    services: Sequence[AgreementSpec | tuple[str, str]],
    read: Decimal | None,
    actor: Actor,
    as_of: dt.date,
    premise: Premise | None = None,
) -> MoveResult:
    """MOVE-IN: a new customer's account (``customers.services.move_in_new_customer``: ``data`` holds
    the customer fields and ``start_date``; the premise is ``premise``, else the one at the address in
    ``data``) and the start read dated ``start_date``: ``read`` as given, else a read already on file
    (the previous occupant's move-out read the day before), else an estimate (stored ESTIMATED, trued
    up by the next actual read). The new customer's use is measured from that read."""
    require_permission(actor, "customers.move_in")
    account = customer_services.move_in_new_customer(
        data=data, services=services, actor=actor, as_of=as_of, premise=premise
    )
    move_read, note = _move_read(
        premise=account.premise, day=account.opened_on, value=read, kind=MOVE_IN, account=account,
        actor=actor, as_of=as_of,
    )  # fmt: skip
    return MoveResult(MOVE_IN, account, move_read, note)


# -- transfer ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferResult:
    """A transfer done: the old account (final) with its move-out read, the new one with its move-in read."""

    move_out: MoveResult
    move_in: MoveResult

    def as_dict(self) -> dict[str, Any]:
        return {
            "old_account_number": self.move_out.account.number,
            "new_account_number": self.move_in.account.number,
            "move_out": self.move_out.as_dict(),
            "move_in": self.move_in.as_dict(),
        }


@transaction.atomic
def account_transfer(
    *,
    account: Account,
    address: Mapping[str, Any],
    move_date: dt.date,
    actor: Actor,
    as_of: dt.date,
    move_out_read: Decimal | None = None,
    move_in_read: Decimal | None = None,
    services: Sequence[AgreementSpec | tuple[str, str]] | None = None,
) -> TransferResult:
    """TRANSFER with its reads: the customer's service at the old premise ends on ``move_date`` and a
    new account at ``address`` starts the next day
    (``customers.services.customer_transfer_to_address``); the move-out read dated ``move_date``
    closes the use at the old premise and the move-in read dated the next day starts it at the new
    one, each as given, else a read already on file for the move (the previous occupant's move-out
    read), else estimated (stored ESTIMATED, trued up by the next actual read). The next occupant of
    the old premise and the previous one of the new premise are billed only their own use."""
    require_permission(actor, "customers.transfer")
    new = customer_services.customer_transfer_to_address(
        account=account, address=address, move_date=move_date, services=services, as_of=as_of, actor=actor
    )
    old = Account.objects.select_related("customer", "premise").get(pk=account.pk)
    out_read, out_note = _move_read(
        premise=old.premise, day=move_date, value=move_out_read, kind=MOVE_OUT, account=old, actor=actor,
        as_of=as_of,
    )  # fmt: skip
    new = Account.objects.select_related("customer", "premise").get(pk=new.pk)
    in_read, in_note = _move_read(
        premise=new.premise, day=new.opened_on, value=move_in_read, kind=MOVE_IN, account=new, actor=actor,
        as_of=as_of,
    )  # fmt: skip
    return TransferResult(
        MoveResult(MOVE_OUT, old, out_read, out_note), MoveResult(MOVE_IN, new, in_read, in_note)
    )
