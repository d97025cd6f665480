"""``/api/meters``, ``/api/reads`` and ``/api/read-exceptions``: inventory, reads (one at a time or a
whole file) and the exceptions queue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from civicbill.api.text import MultiLine, SingleLine, column_length
from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.permissions import require_permission
from civicbill.meters import services
from civicbill.meters.models import Meter, ReadException
from civicbill.meters.read_selectors import open_exceptions
from civicbill.meters.selectors import inventory_counts, meter_get, meter_history, meters_list
from civicbill.meters.services.read_exceptions import (
    read_exception_accept,
    read_exception_correct,
    read_exception_reject,
)
from civicbill.meters.services.reads import read_record, reads_import
from civicbill.meters.summary import meter_row, meter_summary, read_row

meters_router = Router(tags=["meters"])
reads_router = Router(tags=["reads"])
exceptions_router = Router(tags=["read exceptions"])


@meters_router.get("/", response=list[dict[str, Any]], summary="List meters")
def list_meters(
    request: HttpRequest,
    status: str | None = None,
    size: str | None = None,
    serial: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    require_permission(request.user, "meters.view")
    meters = meters_list(status=status, size=size, serial_prefix=serial, limit=max(1, min(limit, 1000)))
    return [meter_row(meter) for meter in meters]


@meters_router.get("/counts", response=list[dict[str, Any]], summary="Inventory counts by status and size")
def meter_counts(request: HttpRequest) -> list[dict[str, Any]]:
    require_permission(request.user, "meters.view")
    return [{"status": s, "size": z, "count": n} for (s, z), n in sorted(inventory_counts().items())]


@meters_router.post(
    "/receive-file",
    response={200: dict[str, Any], 201: dict[str, Any]},
    summary="Receive a vendor shipment file",
)
def receive_file(
    request: HttpRequest, file: File[UploadedFile], received_on: Form[dt.date], dry_run: Form[bool] = False
) -> Status[dict[str, Any]]:
    """CSV ``serial,make,model,size,dials,unit,multiplier``: good rows are received, bad rows are listed
    with their line numbers; with ``dry_run`` nothing is stored."""
    result = services.meters_receive_file(
        content=file.read(),
        file_name=file.name or "shipment.csv",
        received_on=received_on,
        actor=request.user,
        dry_run=dry_run,
    )
    return Status(200 if dry_run else 201, result.as_dict())


@meters_router.get(
    "/{serial}", response=dict[str, Any], summary="A meter with installations, reads and tests"
)
def show_meter(request: HttpRequest, serial: str) -> dict[str, Any]:
    require_permission(request.user, "meters.view")
    return meter_summary(meter_history(meter_get(serial)))


class ReadIn(Schema):
    meter_serial: str = Field(..., min_length=1, max_length=40)
    read_on: dt.date
    value: Decimal = Field(..., ge=0)
    source: Literal["manual", "handheld", "amr", "ami", "field"] = "manual"
    note: str = Field("", max_length=200)


@reads_router.post("/", response={201: dict[str, Any]}, summary="Enter one read (validated at once)")
def enter_read(request: HttpRequest, payload: ReadIn) -> Status[dict[str, Any]]:
    """The read is validated by the same rules as an import; a failed rule holds it for review (the
    answer says which), a read that cannot be stored at all is a 400 naming why."""
    outcome = read_record(
        meter_serial=payload.meter_serial,
        read_on=payload.read_on,
        value=payload.value,
        source=payload.source,
        note=payload.note,
        actor=request.user,
        as_of=clock.today(),
    )
    return Status(
        201,
        {
            "read": read_row(outcome.read),
            "accepted": outcome.accepted,
            "exception_code": outcome.code or None,
            "message": outcome.message or None,
        },
    )


@reads_router.post(
    "/import", response={200: dict[str, Any], 201: dict[str, Any]}, summary="Import a read file"
)
def import_reads(
    request: HttpRequest,
    file: File[UploadedFile],
    file_format: Form[Literal["csv", "beacon", "sensus-route", "ami-interval"]],
    preview: Form[bool] = False,
) -> Status[dict[str, Any]]:
    """Upload a read file (multipart: ``file``, ``file_format``, ``preview``). With ``preview`` nothing is
    stored. The same file imported twice is refused; a file that is not the declared format is
    refused whole; bad rows are listed with their line numbers while good rows are kept."""
    report = reads_import(
        content=file.read(),
        file_name=file.name or "upload",
        file_format=file_format,
        actor=request.user,
        as_of=clock.today(),
        preview=preview,
    )
    return Status(200 if preview else 201, report.as_dict())


def _exception(exception_id: int) -> ReadException:
    exception = ReadException.objects.filter(pk=exception_id).first()
    if exception is None:
        raise NotFoundError(f"No read exception {exception_id}")
    return exception


@exceptions_router.get("/", response=list[dict[str, Any]], summary="Held reads waiting for a decision")
def list_exceptions(
    request: HttpRequest,
    route: str | None = None,
    code: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    require_permission(request.user, "reads.review")
    return [
        {
            "id": row.exception_id,
            "code": row.code,
            "message": row.message,
            "status": row.status,
            "meter_serial": row.meter_serial,
            "read_on": row.read_on.isoformat(),
            "value": str(row.value),
            "previous_value": None if row.previous_value is None else str(row.previous_value),
            "previous_read_on": row.previous_read_on.isoformat() if row.previous_read_on else None,
            "address": row.address,
            "account_number": row.account_number or None,
            "route": row.read_route,
        }
        for row in open_exceptions(route=route, code=code, limit=max(1, min(limit, 1000)))
    ]


class DecisionIn(Schema):
    decision: Literal["accept", "correct", "reject"]
    corrected_value: Decimal | None = Field(None, ge=0)
    note: str = Field("", max_length=300)


@exceptions_router.post(
    "/{exception_id}/decision", response=dict[str, Any], summary="Accept, correct or reject"
)
def decide_exception(request: HttpRequest, exception_id: int, payload: DecisionIn) -> dict[str, Any]:
    exception = _exception(exception_id)
    if payload.decision == "accept":
        decided = read_exception_accept(
            exception=exception, actor=request.user, note=payload.note, as_of=clock.today()
        )
    elif payload.decision == "reject":
        decided = read_exception_reject(
            exception=exception, actor=request.user, note=payload.note or "rejected"
        )
    else:
        if payload.corrected_value is None:
            raise ApplicationError("A correction needs corrected_value.", field="corrected_value")
        outcome = read_exception_correct(
            exception=exception,
            corrected_value=payload.corrected_value,
            actor=request.user,
            note=payload.note or "corrected",
            as_of=clock.today(),
        )
        exception.refresh_from_db()
        return {
            "id": exception.pk,
            "status": exception.status,
            "code": exception.code,
            "corrected_read": read_row(outcome.read),
            "accepted": outcome.accepted,
        }
    return {"id": decided.pk, "status": decided.status, "code": decided.code}


class MeterIn(Schema):
    serial_number: str = Field(..., min_length=1, max_length=40)
    make: str = Field(..., min_length=1, max_length=60)
    model: SingleLine = Field("", max_length=column_length(Meter, "model"))
    size: str
    meter_type: str = "positive_displacement"
    dials: int = Field(..., ge=1, le=10)
    read_unit: str = "CF"
    multiplier: Decimal = Field(Decimal(1), gt=0)
    endpoint_id: SingleLine = Field("", max_length=column_length(Meter, "endpoint_id"))
    received_on: dt.date


@meters_router.post("/", response={201: dict[str, Any]}, summary="Receive one meter into stock")
def receive_meter(request: HttpRequest, payload: MeterIn) -> Status[dict[str, Any]]:
    meter = services.meter_receive(**payload.dict(), actor=request.user)
    return Status(201, meter_row(meter))


class InstallIn(Schema):
    account_number: str
    installed_on: dt.date
    read: Decimal = Field(..., ge=0)


@meters_router.post("/{serial}/install", response=dict[str, Any], summary="Install at an account's premise")
def install_meter(request: HttpRequest, serial: str, payload: InstallIn) -> dict[str, Any]:
    services.meter_install_for_account(
        account_number=payload.account_number,
        serial=serial,
        installed_on=payload.installed_on,
        read=payload.read,
        actor=request.user,
    )
    return meter_summary(meter_history(meter_get(serial)))


class RemoveIn(Schema):
    removed_on: dt.date
    removal_read: Decimal = Field(..., ge=0)


@meters_router.post("/{serial}/remove", response=dict[str, Any], summary="Remove with a removal read")
def remove_meter(request: HttpRequest, serial: str, payload: RemoveIn) -> dict[str, Any]:
    services.meter_remove(
        meter=meter_get(serial),
        removed_on=payload.removed_on,
        removal_read=payload.removal_read,
        actor=request.user,
    )
    return meter_summary(meter_history(meter_get(serial)))


class MeterExchangeIn(Schema):
    new_serial: SingleLine = Field(max_length=column_length(Meter, "serial_number"))
    exchanged_on: dt.date
    old_read: Decimal = Field(..., ge=0)
    new_read: Decimal = Field(..., ge=0)


@meters_router.post("/{serial}/exchange", response=dict[str, Any], summary="Exchange for a stock meter")
def exchange_meter(request: HttpRequest, serial: str, payload: MeterExchangeIn) -> dict[str, Any]:
    services.meter_exchange(
        old_meter=meter_get(serial),
        new_meter=meter_get(payload.new_serial),
        exchanged_on=payload.exchanged_on,
        old_read=payload.old_read,
        new_read=payload.new_read,
        actor=request.user,
    )
    return meter_summary(meter_history(meter_get(payload.new_serial)))


class MeterTestIn(Schema):
    tested_on: dt.date
    accuracy_percent: Decimal
    notes: MultiLine = Field("", max_length=4000)


@meters_router.post("/{serial}/tests", response={201: dict[str, Any]}, summary="Record a meter test")
def record_test(request: HttpRequest, serial: str, payload: MeterTestIn) -> Status[dict[str, Any]]:
    test = services.meter_test_record(
        meter=meter_get(serial),
        tested_on=payload.tested_on,
        accuracy_percent=payload.accuracy_percent,
        notes=payload.notes,
        actor=request.user,
    )
    return Status(
        201,
        {
            "tested_on": test.tested_on.isoformat(),
            "accuracy_percent": str(test.accuracy_percent),
            "passed": test.passed,
        },
    )
