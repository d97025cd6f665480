"""Meter inventory: receive meters (one at a time or a vendor shipment file), move them through their
life, and record their bench tests.

The life of a meter (``LIFECYCLE``)::

    received → in stock → installed → removed → tested → in stock (back to stock)
                                              ↘ retired  ↘ retired

Nothing leaves *retired*. *Received* is transient: :func:`meter_receive` and :func:`meters_receive_file`
put a new meter **in stock** at once and record two history rows on the receiving date, ``(new) →
received`` and ``received → in stock``, so the history shows when the meter arrived while the
inventory never holds meters in a state nobody acts on. Installing and removing happen only through
:mod:`civicbill.meters.services.installations` (they also write the installation and its read);
testing only through :func:`meter_test_record`.

Test pass band: by default a meter passes when it registers 98.5 % to 101.5 % of the water that went
through it (AWWA C700 / M6 accuracy limits for new and repaired displacement meters at normal flow).
A utility sets its own band with ``CIVICBILL_METER_ACCURACY_BAND_PERCENT = ("98.5", "101.5")`` in
settings; a tester may also record pass/fail explicitly (low-flow tests, visible damage).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record, diff, snapshot
from civicbill.core.bulk_rows import insert_rows
from civicbill.core.chunks import in_list_slices
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money
from civicbill.core.permissions import require_permission
from civicbill.meters import locks
from civicbill.meters.models import Meter, MeterStatus, MeterStatusChange, MeterTest
from civicbill.meters.shipment import (
    BadRow,
    MeterSpec,
    clean_meter,
    clean_text,
    parse_shipment,
    refuse,
)

METER_FIELDS = (
    "serial_number",
    "make",
    "model",
    "size",
    "meter_type",
    "endpoint_id",
    "dials",
    "read_unit",
    "multiplier",
    "purchase_date",
    "purchase_cost_cents",
    "status",
)
LIFECYCLE: dict[str, frozenset[str]] = {
    MeterStatus.RECEIVED: frozenset({MeterStatus.IN_STOCK}),
    MeterStatus.IN_STOCK: frozenset({MeterStatus.INSTALLED}),
    MeterStatus.INSTALLED: frozenset({MeterStatus.REMOVED}),
    MeterStatus.REMOVED: frozenset({MeterStatus.TESTED, MeterStatus.RETIRED}),
    MeterStatus.TESTED: frozenset({MeterStatus.IN_STOCK, MeterStatus.RETIRED}),
    MeterStatus.RETIRED: frozenset(),
}
# statuses reached only through the service that also writes what goes with them
_STATUS_SERVICE: dict[str, str] = {
    MeterStatus.INSTALLED: "install it (meter_install or meter_exchange)",
    MeterStatus.REMOVED: "remove it with its removal read (meter_remove or meter_exchange)",
    MeterStatus.TESTED: "record its test result (meter_test_record)",
    MeterStatus.RECEIVED: "receive it (meter_receive)",
}
DEFAULT_ACCURACY_BAND_PERCENT = ("98.5", "101.5")
MAX_ACCURACY_PERCENT = Decimal("9999.99")
WRITE_BATCH_SIZE = 2_000


def accuracy_band() -> tuple[Decimal, Decimal]:
    """The (lowest, highest) accuracy % at which a tested meter passes; inclusive."""
    low, high = getattr(settings, "CIVICBILL_METER_ACCURACY_BAND_PERCENT", DEFAULT_ACCURACY_BAND_PERCENT)
    return Decimal(str(low)), Decimal(str(high))


def _status_label(status: str) -> str:
    return MeterStatus(status).label.lower() if status in MeterStatus.values else repr(status)


# -- status changes ------------------------------------------------------------------------------


def change_status_trusted(
    meter: Meter, *, to_status: str, changed_on: dt.date, reason: str, actor: Actor, now: dt.datetime
) -> MeterStatusChange:
    """Move a locked meter to ``to_status`` if its lifecycle allows it, and record the change.

    Internal to the meters services (the caller holds the lock and records the audit event)."""
    if to_status not in MeterStatus.values:
        raise refuse("to_status", f"{to_status!r} is not a meter status.", code="unknown")
    if to_status not in LIFECYCLE[meter.status]:
        allowed = ", ".join(_status_label(status) for status in sorted(LIFECYCLE[meter.status]))
        raise ApplicationError(
            f"Meter {meter.serial_number} is {_status_label(meter.status)}; it cannot become "
            f"{_status_label(to_status)}"
            + (
                f" (from {_status_label(meter.status)} it can only become {allowed})."
                if allowed
                else ", ever."
            ),
            code="status_not_allowed",
            field="to_status",
        )
    last_day = (
        MeterStatusChange.objects.filter(meter=meter)
        .order_by("-changed_on", "-id")
        .values_list("changed_on", flat=True)
        .first()
    )
    if last_day is not None and changed_on < last_day:
        raise ApplicationError(
            f"The date {changed_on:%Y-%m-%d} is before meter {meter.serial_number}'s last change on "
            f"{last_day:%Y-%m-%d}; use that date or a later one.",
            code="date_out_of_order",
            field="changed_on",
        )
    change = MeterStatusChange.objects.create(
        meter=meter,
        from_status=meter.status,
        to_status=to_status,
        changed_on=changed_on,
        reason=reason[:200],
        actor=acting_user(actor),
        created_at=now,
    )
    meter.status = to_status
    meter.save(update_fields=["status"])
    return change


@transaction.atomic
def meter_status_change(
    *, meter: Meter, to_status: str, changed_on: dt.date, reason: str, actor: Actor
) -> Meter:
    """Return a tested meter to stock, or retire a removed or tested one (received → in stock too).

    Installing, removing and testing have their own services, because they write more than a status."""
    require_permission(actor, "meters.manage")
    reason = clean_text(reason, "reason", max_length=200)
    if to_status in _STATUS_SERVICE:
        raise refuse(
            "to_status",
            f"A meter becomes {_status_label(to_status)} only when you {_STATUS_SERVICE[to_status]}.",
            code="use_another_service",
        )
    if to_status == MeterStatus.RETIRED and not reason:
        raise refuse("reason", "Say why the meter is retired (for example: failed test, damaged).")
    locked = locks.lock_meter(meter.pk)
    before = locked.status
    change_status_trusted(
        locked,
        to_status=to_status,
        changed_on=changed_on,
        reason=reason,
        actor=actor,
        now=clock.now(),
    )
    meter.status = locked.status
    audit_record(
        actor=actor,
        action="meter.status_change",
        target=locked,
        at=clock.now(),
        summary=f"Meter {locked.serial_number}: {_status_label(before)} → {_status_label(to_status)}"
        + (f" ({reason})" if reason else ""),
        changes={"status": {"before": before, "after": to_status}, "changed_on": changed_on.isoformat()},
    )
    return locked


# -- receiving -----------------------------------------------------------------------------------


def _new_meter(spec: MeterSpec, now: dt.datetime) -> Meter:
    return Meter(
        serial_number=spec.serial_number,
        make=spec.make,
        model=spec.model,
        size=spec.size,
        meter_type=spec.meter_type,
        endpoint_id=spec.endpoint_id,
        dials=spec.dials,
        read_unit=spec.read_unit,
        multiplier=spec.multiplier,
        purchase_date=spec.purchase_date,
        purchase_cost_cents=None if spec.purchase_cost is None else spec.purchase_cost.cents,
        status=MeterStatus.IN_STOCK,
        created_at=now,
    )


_METER_COLUMNS = (*METER_FIELDS, "created_at")
_CHANGE_COLUMNS = ("meter_id", "from_status", "to_status", "changed_on", "reason", "actor_id", "created_at")


def _meter_values(spec: MeterSpec, now: dt.datetime) -> tuple[Any, ...]:
    meter = _new_meter(spec, now)
    return tuple(getattr(meter, name) for name in _METER_COLUMNS)


def _receiving_history(
    meter: Meter, *, received_on: dt.date, actor: Actor, now: dt.datetime, reason: str
) -> list[MeterStatusChange]:
    return [
        MeterStatusChange(
            meter=meter,
            from_status="",
            to_status=MeterStatus.RECEIVED,
            changed_on=received_on,
            reason=reason[:200],
            actor=acting_user(actor),
            created_at=now,
        ),
        MeterStatusChange(
            meter=meter,
            from_status=MeterStatus.RECEIVED,
            to_status=MeterStatus.IN_STOCK,
            changed_on=received_on,
            reason="into stock",
            actor=acting_user(actor),
            created_at=now,
        ),
    ]


def _existing_statuses(serial_numbers: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for batch in in_list_slices(serial_numbers):
        found.update(Meter.objects.filter(serial_number__in=batch).values_list("serial_number", "status"))
    return found


@transaction.atomic
def meter_receive(
    *,
    serial_number: str,
    make: str,
    model: str = "",
    size: str,
    meter_type: str,
    dials: int,
    read_unit: str,
    multiplier: Decimal = Decimal(1),
    endpoint_id: str = "",
    purchase_date: dt.date | None = None,
    purchase_cost: Money | None = None,
    received_on: dt.date,
    actor: Actor,
) -> Meter:
    """Receive one new meter into stock (history: received → in stock on ``received_on``)."""
    require_permission(actor, "meters.manage")
    spec = clean_meter(
        serial_number=serial_number,
        make=make,
        model=model,
        size=size,
        meter_type=meter_type,
        dials=dials,
        read_unit=read_unit,
        multiplier=multiplier,
        endpoint_id=endpoint_id,
        purchase_date=purchase_date,
        purchase_cost=purchase_cost,
    )
    existing = _existing_statuses([spec.serial_number])
    duplicate = refuse(
        "serial_number",
        f"Meter {spec.serial_number} is already in inventory"
        + (f" ({_status_label(existing[spec.serial_number])})." if existing else "."),
        code="duplicate",
    )
    if existing:
        raise duplicate
    now = clock.now()
    meter = _new_meter(spec, now)
    try:
        with transaction.atomic():
            meter.save(force_insert=True)
    except IntegrityError:  # received by someone else a moment ago
        raise duplicate from None
    MeterStatusChange.objects.bulk_create(
        _receiving_history(meter, received_on=received_on, actor=actor, now=now, reason="received")
    )
    audit_record(
        actor=actor,
        action="meter.receive",
        target=meter,
        at=now,
        summary=f"Meter {meter.serial_number} received into stock ({meter.get_size_display()} {meter.make})",
        changes={**diff({}, snapshot(meter, METER_FIELDS)), "received_on": received_on.isoformat()},
    )
    return meter


@dataclass(frozen=True)
class ReceiveResult:
    """What a shipment file gave: the serials received (or, in a dry run, that would be) and the bad rows."""

    file_name: str
    received_on: dt.date
    dry_run: bool
    rows_total: int
    received: tuple[str, ...]
    bad_rows: tuple[BadRow, ...] = field(default_factory=tuple)

    @property
    def received_count(self) -> int:
        return len(self.received)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "received_on": self.received_on.isoformat(),
            "dry_run": self.dry_run,
            "rows_total": self.rows_total,
            "received_count": self.received_count,
            "bad_count": len(self.bad_rows),
            "received": list(self.received),
            "bad_rows": [
                {"line": row.line, "serial_number": row.serial_number, "reason": row.reason}
                for row in self.bad_rows
            ],
        }


@transaction.atomic
def meters_receive_file(
    *,
    content: bytes,
    file_name: str,
    received_on: dt.date,
    actor: Actor,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ReceiveResult:
    """Receive a vendor shipment CSV into stock: good rows kept, every bad row reported with its line.

    A file that is not a shipment CSV is refused whole (ShipmentFileError, nothing written). A dry run
    checks everything, including serials already in inventory, and writes nothing. ``progress(done,
    total)`` is called as meters are written. Set-based: one look-up of existing serials per ~1,000,
    then bulk inserts; one audit event for the file."""
    require_permission(actor, "meters.manage")
    name = PurePath(file_name).name or "the file"
    shipment = parse_shipment(content, file_name=name)
    existing = _existing_statuses([row.meter.serial_number for row in shipment.rows])
    good = [row for row in shipment.rows if row.meter.serial_number not in existing]
    bad = list(shipment.bad_rows) + [
        BadRow(
            row.line,
            row.meter.serial_number,
            f"meter {row.meter.serial_number} is already in inventory "
            f"({_status_label(existing[row.meter.serial_number])})",
        )
        for row in shipment.rows
        if row.meter.serial_number in existing
    ]
    bad.sort(key=lambda row: row.line)
    result = ReceiveResult(
        file_name=name,
        received_on=received_on,
        dry_run=dry_run,
        rows_total=shipment.rows_total,
        received=tuple(row.meter.serial_number for row in good),
        bad_rows=tuple(bad),
    )
    if dry_run or not good:
        if progress:
            progress(len(good), len(good))
        return result
    now = clock.now()
    written = 0
    first_meter_id = 0
    for start in range(0, len(good), WRITE_BATCH_SIZE):
        chunk = [row.meter for row in good[start : start + WRITE_BATCH_SIZE]]
        try:
            insert_rows(Meter, _METER_COLUMNS, [_meter_values(spec, now) for spec in chunk])
        except IntegrityError:  # another clerk received some of these serials a moment ago
            raise ApplicationError(
                f"Some meters in {name} were received by someone else while this file was being "
                "received; nothing was written. Receive the file again: those meters will be reported.",
                code="duplicate",
                field="file",
            ) from None
        ids: dict[str, int] = {}
        for batch in in_list_slices([spec.serial_number for spec in chunk]):
            ids.update(Meter.objects.filter(serial_number__in=batch).values_list("serial_number", "id"))
        reason = f"received: {name}"[:200]
        insert_rows(
            MeterStatusChange,
            _CHANGE_COLUMNS,
            [
                (ids[spec.serial_number], before, after, received_on, why, actor.pk, now)
                for spec in chunk
                for before, after, why in (
                    ("", MeterStatus.RECEIVED, reason),
                    (MeterStatus.RECEIVED, MeterStatus.IN_STOCK, "into stock"),
                )
            ],
        )
        first_meter_id = first_meter_id or ids[chunk[0].serial_number]
        written += len(chunk)
        if progress:
            progress(written, len(good))
    audit_record(
        actor=actor,
        action="meter.receive_file",
        target=Meter.objects.get(pk=first_meter_id),
        at=now,
        summary=f"{written} meters received from {name}; {len(bad)} rows refused",
        changes={
            "file_name": name,
            "received_on": received_on.isoformat(),
            "received": list(result.received),
            "bad_rows": [{"line": row.line, "reason": row.reason} for row in bad],
        },
    )
    return result


# -- tests ---------------------------------------------------------------------------------------


def _clean_accuracy(value: Any) -> Decimal:
    if not isinstance(value, Decimal | int | str) or isinstance(value, bool):
        raise refuse("accuracy_percent", f"Accuracy must be an exact percentage like 99.20, not {value!r}.")
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except ArithmeticError:
        raise refuse("accuracy_percent", f"Accuracy {value!r} is not a percentage like 99.20.") from None
    if not number.is_finite() or number < 0 or number > MAX_ACCURACY_PERCENT:
        raise refuse("accuracy_percent", f"Accuracy {value}% must be between 0 and 9,999.99.")
    if number != number.quantize(Decimal("0.01")):
        raise refuse("accuracy_percent", f"Accuracy {value}% has more than 2 decimals.")
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def meter_test_record(
    *,
    meter: Meter,
    tested_on: dt.date,
    accuracy_percent: Decimal,
    passed: bool | None = None,
    notes: str = "",
    actor: Actor,
) -> MeterTest:
    """Record a bench test of a removed meter (it becomes *tested*; a re-test of a tested meter adds a
    result). ``passed`` defaults to whether the accuracy is inside :func:`accuracy_band`."""
    require_permission(actor, "meters.manage")
    accuracy = _clean_accuracy(accuracy_percent)
    notes = clean_text(notes, "notes", max_length=2000)
    low, high = accuracy_band()
    verdict = low <= accuracy <= high if passed is None else bool(passed)
    locked = locks.lock_meter(meter.pk)
    if locked.status not in (MeterStatus.REMOVED, MeterStatus.TESTED):
        raise ApplicationError(
            f"Meter {locked.serial_number} is {_status_label(locked.status)}; only a removed meter is "
            "bench tested (remove it first).",
            code="status_not_allowed",
            field="meter",
        )
    now = clock.now()
    reason = f"tested {accuracy}%: {'pass' if verdict else 'fail'}"
    if locked.status == MeterStatus.REMOVED:
        change_status_trusted(
            locked, to_status=MeterStatus.TESTED, changed_on=tested_on, reason=reason, actor=actor, now=now
        )
        meter.status = locked.status
    test = MeterTest.objects.create(
        meter=locked,
        tested_on=tested_on,
        accuracy_percent=accuracy,
        passed=verdict,
        notes=notes,
        actor=acting_user(actor),
        created_at=now,
    )
    audit_record(
        actor=actor,
        action="meter.test",
        target=locked,
        at=now,
        summary=f"Meter {locked.serial_number} {reason} on {tested_on:%Y-%m-%d}",
        changes={
            "tested_on": tested_on.isoformat(),
            "accuracy_percent": str(accuracy),
            "passed": verdict,
            "band_percent": [str(low), str(high)],
        },
    )
    return test
