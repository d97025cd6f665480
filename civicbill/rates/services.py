"""Writes of the rates app: loading schedule versions (civicbill YAML or OWRS) and the demo schedules.

Every version is validated before anything is written, stored with its source text exactly as
given, and audited. Versions of one schedule never overlap: a new version must start after the
schedule's latest one (a version runs until the next version's ``effective_from``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.control_characters import CONTROL, character_name
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.core.utility_services import Service
from civicbill.rates.models import RateSchedule, RateScheduleVersion, SourceFormat
from civicbill.rates.owrs.convert import owrs_schedule_document
from civicbill.rates.quotes import Quote, rate_quote
from civicbill.rates.schedule_format import ScheduleDocument, ScheduleFileError, parse_schedule

__all__ = [
    "Quote",
    "load_demo_schedules_trusted",
    "rate_quote",
    "schedule_version_add",
    "schedule_version_import_owrs",
    "schedule_version_load",
]

RETROACTIVE_REASON_MAX = 500
DEMO_SCHEDULES_DIR = Path(__file__).resolve().parent / "schedules" / "coachella"


def _parse(text: str, source_name: str) -> ScheduleDocument:
    try:
        return parse_schedule(text)
    except ScheduleFileError as error:
        name = f"{source_name}: " if source_name else ""
        raise ApplicationError(f"{name}{error}", code="invalid_schedule_file") from None


def _retroactive_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Give the reason for loading a version retroactively.", field="reason")
    if len(reason) > RETROACTIVE_REASON_MAX:
        raise ApplicationError(
            f"The reason is {len(reason):,} characters; at most {RETROACTIVE_REASON_MAX} are kept.",
            field="reason",
        )
    control = CONTROL.search(reason)
    if control is not None:
        raise ApplicationError(
            f"The reason contains the control character {character_name(control.group())}.", field="reason"
        )
    return reason


def _check_not_retroactive(
    *, schedule: RateSchedule | None, parsed: ScheduleDocument, as_of: dt.date, retroactive_reason: str | None
) -> None:
    """A version of an existing schedule that takes effect before today changes what bills already issued
    should have charged: refused unless the supervisor says it is retroactive and why (audited).

    The first version of a new schedule is not retroactive: no account is on that schedule yet.
    """
    if schedule is None or not schedule.versions.exists() or parsed.effective_from >= as_of:
        return
    if retroactive_reason is None:
        raise ApplicationError(
            f"{parsed.code}: this version takes effect {parsed.effective_from.isoformat()}, before today "
            f"({as_of.isoformat()}), so it changes what bills since then should have charged. A supervisor "
            "may load it as retroactive, giving the reason (--retroactive --reason TEXT); it is audited.",
            code="retroactive_version",
            field="effective_from",
        )


def _version_create(
    *,
    parsed: ScheduleDocument,
    text: str,
    source_name: str,
    source_format: str,
    actor: Actor,
    as_of: dt.date | None,
    retroactive_reason: str | None = None,
) -> RateScheduleVersion:
    """Store a version. ``as_of`` None: the demo seeder, which loads history and checks nothing."""
    schedule = RateSchedule.objects.select_for_update().filter(code=parsed.code).first()
    if schedule is None:
        schedule = RateSchedule.objects.create(
            code=parsed.code,
            service=parsed.service,
            name=parsed.name[:120],
            description=parsed.description,
            created_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="rate_schedule.create",
            target=schedule,
            summary=f"{schedule.code} created",
            at=schedule.created_at,
        )
    elif schedule.service != parsed.service:
        raise ApplicationError(
            f"{schedule.code} is a {schedule.service} schedule; this file is for {parsed.service}.",
            field="service",
        )
    day = parsed.effective_from.isoformat()
    if schedule.versions.filter(effective_from=parsed.effective_from).exists():
        raise ApplicationError(
            f"{schedule.code} already has a version effective {day}; versions cannot be replaced.",
            code="duplicate_version",
            field="effective_from",
        )
    latest = schedule.versions.order_by("-effective_from").first()
    if latest is not None and latest.effective_from > parsed.effective_from:
        raise ApplicationError(
            f"{schedule.code} has a version effective {latest.effective_from.isoformat()}; a version from "
            f"{day} would overlap it. A new version must start after the latest one.",
            code="overlapping_version",
            field="effective_from",
        )
    if as_of is not None:
        _check_not_retroactive(
            schedule=schedule, parsed=parsed, as_of=as_of, retroactive_reason=retroactive_reason
        )
    version = RateScheduleVersion.objects.create(
        schedule=schedule,
        effective_from=parsed.effective_from,
        source_format=source_format,
        source_name=source_name[:200],
        source_text=text,
        document=parsed.document,
        loaded_by=acting_user(actor),
        loaded_at=clock.now(),
    )
    changes: dict[str, Any] = {
        "effective_from": day,
        "source_format": source_format,
        "source_name": source_name,
    }
    summary = f"{version.label} loaded from {source_name or 'text'} ({source_format})"
    if as_of is not None and parsed.effective_from < as_of and retroactive_reason is not None:
        changes |= {"retroactive": True, "reason": retroactive_reason, "loaded_on": as_of.isoformat()}
        summary += f", retroactive: {retroactive_reason}"
    audit_record(
        actor=actor,
        action="rate_version.load",
        target=version,
        at=version.loaded_at,
        summary=summary,
        changes=changes,
    )
    return version


@transaction.atomic
def schedule_version_load(
    *, text: str, source_name: str, actor: Actor, as_of: dt.date, retroactive_reason: str | None = None
) -> RateScheduleVersion:
    """Store one civicbill schedule file as a new version (creating the schedule on first load).

    Refuses a malformed file (message names key and line), a second version on the same day, a
    version that starts before the schedule's latest one, and a version of an existing schedule that
    takes effect before ``as_of`` (the business day of loading) unless ``retroactive_reason`` is given.
    """
    require_permission(actor, "rates.manage")
    reason = _retroactive_reason(retroactive_reason)
    parsed = _parse(text, source_name)
    return _version_create(
        parsed=parsed,
        text=text,
        source_name=source_name,
        source_format=SourceFormat.CIVICBILL_YAML,
        actor=actor,
        as_of=as_of,
        retroactive_reason=reason,
    )


@transaction.atomic
def schedule_version_add(
    *, code: str, text: str, actor: Actor, as_of: dt.date, source_name: str = ""
) -> RateScheduleVersion:
    """A supervisor adds a new version of an existing schedule, effective after ``as_of``.

    The file must name the same schedule code; a date today or earlier is refused.
    """
    require_permission(actor, "rates.manage")
    code = code.strip().upper()
    if not RateSchedule.objects.filter(code=code).exists():
        raise ApplicationError(
            f"There is no rate schedule {code!r}; load its first version instead.", field="code"
        )
    parsed = _parse(text, source_name)
    if parsed.code != code:
        raise ApplicationError(f"The file is for schedule {parsed.code}, not {code}.", field="schedule")
    if parsed.effective_from <= as_of:
        raise ApplicationError(
            f"A new version must take effect after {as_of.isoformat()}; "
            f"{parsed.effective_from.isoformat()} is not in the future.",
            field="effective_from",
        )
    return _version_create(
        parsed=parsed,
        text=text,
        source_name=source_name,
        source_format=SourceFormat.CIVICBILL_YAML,
        actor=actor,
        as_of=as_of,
    )


@transaction.atomic
def schedule_version_import_owrs(
    *,
    text: str,
    code: str,
    actor: Actor,
    as_of: dt.date,
    source_name: str = "",
    service: str = Service.WATER,
    effective_from: dt.date | None = None,
    retroactive_reason: str | None = None,
) -> RateScheduleVersion:
    """Store an OWRS file as a version of schedule ``code`` (rated with RateParser's semantics).

    The effective date is the file's ``metadata.effective_date`` unless ``effective_from`` is given;
    a version of an existing schedule effective before ``as_of`` needs ``retroactive_reason``.
    """
    require_permission(actor, "rates.manage")
    reason = _retroactive_reason(retroactive_reason)
    parsed = owrs_schedule_document(
        text=text, code=code, service=service, source_name=source_name, effective_from=effective_from
    )
    return _version_create(
        parsed=parsed,
        text=text,
        source_name=source_name,
        source_format=SourceFormat.OWRS,
        actor=actor,
        as_of=as_of,
        retroactive_reason=reason,
    )


@transaction.atomic
def load_demo_schedules_trusted(*, actor: Actor, as_of: dt.date) -> list[RateScheduleVersion]:
    """Load the Coachella demo schedules (W-RES, W-MF, W-COM, W-IRR, S-RES, S-MF, S-COM, R-96GAL,
    R-BIN-3YD, F-LINE, effective 2017-07-01). Idempotent: versions already loaded are skipped.

    A seeding function for the demo city: it checks no permission (like the demo seeder) but audits
    each version under ``actor``. Returns the versions it created.
    """
    created = []
    for path in sorted(DEMO_SCHEDULES_DIR.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        parsed = _parse(text, path.name)
        if RateScheduleVersion.objects.filter(
            schedule__code=parsed.code, effective_from=parsed.effective_from
        ).exists():
            continue
        created.append(
            _version_create(
                parsed=parsed,
                text=text,
                source_name=path.name,
                source_format=SourceFormat.CIVICBILL_YAML,
                actor=actor,
                as_of=None,
            )
        )
    return created
