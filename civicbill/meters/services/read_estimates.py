"""Estimation of missing reads, with the automatic true-up by the next actual read.

A service point with a meter installed and no read (actual, estimated, or awaiting review) in the
:data:`ESTIMATE_WINDOW_DAYS` days up to the read date gets an estimated read: the average daily use
of the same period last year when the history reaches back that far, else of the last 3 periods,
times the days since the last read (:mod:`civicbill.meters.estimation`). It is stored with source and
status ESTIMATED and bills its consumption. The next actual read is measured from the last actual
read and bills the actual use minus what the estimates billed (:mod:`civicbill.meters.validation`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.meters.estimation import estimate_read
from civicbill.meters.models import Read, ReadSource, ServicePoint
from civicbill.meters.services.read_context import load_context, meters_installed_at
from civicbill.meters.services.read_store import insert_accepted_reads_trusted, insert_exception_reads_trusted
from civicbill.meters.validation import Candidate, ReadResult, ReadValidator, Verdict

ESTIMATE_WINDOW_DAYS = 10  # a service point with any read in the 10 days up to the date is not estimated


@dataclass(frozen=True)
class EstimateLine:
    service_point_id: int
    meter_serial: str
    value: Decimal | None
    consumption_hcf: Decimal | None
    status: str  # "estimated", "exception" (with its code) or "skipped"
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class EstimateReport:
    read_on: dt.date
    service_points: int  # with a meter installed on read_on
    already_read: int  # had a read in the window (or later): not estimated
    estimated: int
    exceptions: int
    lines: tuple[EstimateLine, ...]  # one per service point estimated, held or skipped

    def as_dict(self) -> dict[str, Any]:
        return {
            "read_on": self.read_on.isoformat(),
            "service_points": self.service_points,
            "already_read": self.already_read,
            "estimated": self.estimated,
            "exceptions": self.exceptions,
            "skipped": sum(1 for line in self.lines if line.status == "skipped"),
            "lines": [
                {
                    "service_point_id": line.service_point_id,
                    "meter_serial": line.meter_serial,
                    "value": None if line.value is None else str(line.value),
                    "consumption_hcf": None if line.consumption_hcf is None else str(line.consumption_hcf),
                    "status": line.status,
                    "code": line.code,
                    "message": line.message,
                }
                for line in self.lines
            ],
        }


@transaction.atomic
def estimate_missing_reads(
    *,
    service_point_ids: Collection[int] | None,
    read_on: dt.date,
    actor: Actor,
    as_of: dt.date,
    window_days: int = ESTIMATE_WINDOW_DAYS,
) -> EstimateReport:
    """Estimate a read on ``read_on`` for each service point (all with a meter installed, when
    ``service_point_ids`` is None) that has no read (actual, estimated, or awaiting review) in the
    ``window_days`` days up to ``read_on`` or later. The estimate is the average daily use of the
    same period last year when the history has it, else of the last 3 periods, times the days since
    the last read; stored with source and status ESTIMATED. More than the allowed consecutive
    estimates is held as a ``too_many_estimates`` exception. The next actual read trues up."""
    require_permission(actor, "reads.review")
    if read_on > as_of:
        raise ApplicationError(
            f"Cannot estimate a read for {read_on}, a date after today ({as_of}).", field="date"
        )
    if service_point_ids is None:
        service_point_ids = list(ServicePoint.objects.values_list("pk", flat=True))
    installed = meters_installed_at(service_point_ids, read_on)
    loaded = load_context(as_of=as_of, earliest_read_on=read_on, meter_ids=set(installed.values()), lock=True)
    validator = ReadValidator(loaded.context)
    window_start = read_on - dt.timedelta(days=window_days)
    lines: list[EstimateLine] = []
    results: list[ReadResult] = []
    notes: list[str] = []
    already_read = 0
    for point_id, meter_id in sorted(installed.items()):
        meter = loaded.meters_by_id[meter_id]
        installation = validator.installation_on(meter_id, read_on)
        if installation is None:  # pragma: no cover - meters_installed_at found it installed
            continue
        position = validator.position(installation)
        if max(position.last_on, position.last_review_on or position.last_on) > window_start:
            already_read += 1
            continue
        estimate = estimate_read(
            meter.register,
            validator.history(point_id),
            previous_on=position.last_on,
            previous_value=position.last_value,
            read_on=read_on,
        )
        if estimate is None:
            reason = "No usage history to estimate from: a field read is needed."
            lines.append(
                EstimateLine(point_id, meter.serial_number, None, None, "skipped", "no_history", reason)
            )
            continue
        result = validator.validate(
            Candidate(meter.serial_number, read_on, estimate.value, ReadSource.ESTIMATED)
        )
        status = "estimated" if result.accepted else "exception"
        lines.append(
            EstimateLine(point_id, meter.serial_number, result.value, result.consumption_hcf, status,
                         result.code, result.message or estimate.note)
        )  # fmt: skip
        results.append(result)
        notes.append(estimate.note)
    now = clock.now()
    accepted = [(r, n) for r, n in zip(results, notes, strict=True) if r.accepted]
    held = [(r, n) for r, n in zip(results, notes, strict=True) if r.verdict is Verdict.EXCEPTION]
    insert_accepted_reads_trusted(
        [r for r, _ in accepted],
        read_import_id=None,
        created_by_id=acting_user(actor).pk,
        created_at=now,
        notes={index: note for index, (_, note) in enumerate(accepted)},
    )
    created = insert_exception_reads_trusted(
        [r for r, _ in held],
        read_import_id=None,
        created_by_id=acting_user(actor).pk,
        created_at=now,
        notes=[n for _, n in held],
    )
    report = EstimateReport(read_on, len(installed), already_read, len(accepted), len(held), tuple(lines))
    if accepted or held:
        target = (
            created[0]
            if created
            else Read.objects.filter(created_at=now, source=ReadSource.ESTIMATED).first()
        )
        if target is not None:
            audit_record(
                actor=actor,
                action="read.estimate",
                target=target,
                at=now,
                summary=f"Estimated reads for {read_on}: {len(accepted)} estimated, {len(held)} held for "
                f"review, {already_read} already read, {len(lines) - len(results)} without history",
                changes={key: value for key, value in report.as_dict().items() if key != "lines"},
            )
    return report
