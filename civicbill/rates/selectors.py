"""Reads of the rates app: schedules, their versions, and the rating plans a billing run needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Max, Min

from civicbill.core.exceptions import NotFoundError
from civicbill.rates.models import RateSchedule, RateScheduleVersion
from civicbill.rates.types import PlanVersion, RatingPlan


def schedules_list() -> list[RateSchedule]:
    """Every schedule by code, annotated with ``versions_count``, ``first_effective_from`` and
    ``latest_effective_from``."""
    return list(
        RateSchedule.objects.annotate(
            versions_count=Count("versions"),
            first_effective_from=Min("versions__effective_from"),
            latest_effective_from=Max("versions__effective_from"),
        ).order_by("code")
    )


ScheduleOverview = tuple[
    RateSchedule, list[RateScheduleVersion], RateScheduleVersion | None, RateScheduleVersion | None
]


def schedules_overview(*, on: dt.date) -> list[ScheduleOverview]:
    """Each schedule (as :func:`schedules_list`) with its versions (oldest first), the one in effect
    ``on`` and the next one, if any: ``(schedule, versions, current, upcoming)``. One query reads the
    versions of all schedules."""
    by_schedule: dict[int, list[RateScheduleVersion]] = {}
    for version in RateScheduleVersion.objects.select_related("schedule", "loaded_by").order_by(
        "effective_from"
    ):
        by_schedule.setdefault(version.schedule_id, []).append(version)
    overview = []
    for schedule in schedules_list():
        versions = by_schedule.get(schedule.pk, [])
        current = next((v for v in reversed(versions) if v.effective_from <= on), None)
        upcoming = next((v for v in versions if v.effective_from > on), None)
        overview.append((schedule, versions, current, upcoming))
    return overview


def schedule_get(code: str) -> RateSchedule:
    """The schedule with this code (any case). Raises NotFoundError naming the code."""
    schedule = RateSchedule.objects.filter(code=code.strip().upper()).first()
    if schedule is None:
        raise NotFoundError(f"There is no rate schedule {code!r}.", field="code")
    return schedule


def schedule_versions(*, schedule: RateSchedule) -> list[RateScheduleVersion]:
    """A schedule's versions, oldest first (each runs until the next one's effective date)."""
    return list(schedule.versions.select_related("schedule", "loaded_by").order_by("effective_from"))


def schedule_version_in_effect(*, schedule: RateSchedule, on: dt.date) -> RateScheduleVersion | None:
    """The version in effect on a day, or None before the first version."""
    return (
        schedule.versions.select_related("schedule")
        .filter(effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def plan_version(version: RateScheduleVersion) -> PlanVersion:
    """A stored version as the engine reads it."""
    return PlanVersion(
        version_id=version.pk,
        effective_from=version.effective_from,
        document=version.document,
        source_format=version.source_format,
        label=version.label,
    )


def rating_plans(
    *, codes: Iterable[str], period_start: dt.date, period_end: dt.date
) -> dict[str, RatingPlan]:
    """The :class:`RatingPlan` of each code with a version in effect on some day of the period.

    One query whatever the number of codes; codes without such a version are absent.
    """
    wanted = sorted({code.strip().upper() for code in codes if code})
    if not wanted:
        return {}
    rows = (
        RateScheduleVersion.objects.filter(schedule__code__in=wanted, effective_from__lte=period_end)
        .select_related("schedule")
        .order_by("schedule__code", "effective_from")
    )
    by_code: dict[str, list[RateScheduleVersion]] = {}
    for version in rows:
        by_code.setdefault(version.schedule.code, []).append(version)
    plans: dict[str, RatingPlan] = {}
    for code, versions in by_code.items():
        # drop versions replaced before the period starts: keep the last one on or before the start
        in_effect = [
            version
            for index, version in enumerate(versions)
            if index + 1 == len(versions) or versions[index + 1].effective_from > period_start
        ]
        plans[code] = RatingPlan(
            code=code,
            service=versions[0].schedule.service,
            versions=tuple(plan_version(version) for version in in_effect),
        )
    return plans
