"""``/api/rates``: rate schedules with their versions, and a bill quote on a schedule.

An OWRS version's row also carries what its import produced: ``skipped_classes`` (class, field,
line, problem) and ``tier_tables``, as ``civicbill rates import-owrs --json`` prints them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from civicbill.core import clock
from civicbill.core.permissions import require_permission
from civicbill.rates import selectors as rate_selectors
from civicbill.rates.models import RateScheduleVersion, SourceFormat
from civicbill.rates.owrs.report import import_report
from civicbill.rates.quotes import rate_quote

router = Router(tags=["rates"])


def _classes(version: RateScheduleVersion) -> list[str]:
    """The customer classes a version prices (an OWRS version: the classes imported, not skipped)."""
    if version.source_format == SourceFormat.OWRS:
        return list(version.document.get("owrs_classes") or [])
    classes = version.document.get("classes")
    return sorted(classes) if isinstance(classes, dict) else []


def _version_row(version: RateScheduleVersion, *, today: Any) -> dict[str, Any]:
    row = {
        "id": version.pk,
        "effective_from": version.effective_from.isoformat(),
        "label": version.label,
        "source_format": version.source_format,
        "source_name": version.source_name,
        "loaded_by": version.loaded_by.username,
        "loaded_at": version.loaded_at.isoformat(),
        "classes": _classes(version),
        "in_effect": False,
        "future": version.effective_from > today,
    }
    if version.source_format == SourceFormat.OWRS:
        row.update(import_report(version.document))  # skipped_classes, tier_tables
    return row


@router.get("/schedules", response=list[dict[str, Any]], summary="Rate schedules")
def list_schedules(request: HttpRequest) -> list[dict[str, Any]]:
    """Each schedule with its service, the version in effect today and the next version, if any."""
    require_permission(request.user, "rates.view")
    rows = []
    for schedule, versions, current, upcoming in rate_selectors.schedules_overview(on=clock.today()):
        shown = current or upcoming
        rows.append(
            {
                "code": schedule.code,
                "service": schedule.service,
                "name": schedule.name,
                "classes": _classes(shown) if shown else [],
                "current_version": current.effective_from.isoformat() if current else None,
                "next_version": upcoming.effective_from.isoformat() if upcoming else None,
                "versions": len(versions),
            }
        )
    return rows


@router.get("/schedules/{code}", response=dict[str, Any], summary="A schedule with its versions")
def show_schedule(request: HttpRequest, code: str) -> dict[str, Any]:
    """The schedule, every version (oldest first) and the document of the version in effect today
    (or, before the first one takes effect, of the first)."""
    require_permission(request.user, "rates.view")
    schedule = rate_selectors.schedule_get(code)
    today = clock.today()
    versions = rate_selectors.schedule_versions(schedule=schedule)
    current = next((v for v in reversed(versions) if v.effective_from <= today), None)
    rows = [_version_row(version, today=today) for version in versions]
    for row in rows:
        row["in_effect"] = current is not None and row["id"] == current.pk
    shown = current or (versions[0] if versions else None)
    return {
        "code": schedule.code,
        "service": schedule.service,
        "name": schedule.name,
        "description": schedule.description,
        "versions": rows,
        "document": shown.document if shown else None,
    }


class QuoteIn(Schema):
    schedule: str = Field(..., min_length=1, max_length=20)
    customer_class: str = Field(..., min_length=1, max_length=60)
    usage: Decimal = Field(..., ge=0, description="usage in HCF")
    days: int | None = Field(None, ge=1, le=400)
    cycle_days: int | None = Field(
        None, ge=1, le=400, description="the billing cycle's days when `days` is only part of it"
    )
    meter_size: str | None = Field(None, max_length=12, description='e.g. 3/4"')
    variables: dict[str, str] = Field(default_factory=dict, description="other determinants by OWRS name")


@router.post("/quote", response=dict[str, Any], summary="Quote a bill on a schedule")
def quote(request: HttpRequest, payload: QuoteIn) -> dict[str, Any]:
    """Price one bill of ``days`` days (default 30) ending today with the versions in effect; nothing
    is stored. With ``cycle_days`` the days are part of a billing cycle and prorate
    days/cycle_days, as a bill does (``"proration": "17/31"``). ``{"total": "<decimal>", "lines":
    [...]}`` as ``civicbill rates quote --json`` prints."""
    require_permission(request.user, "rates.view")
    result = rate_quote(
        schedule_code=payload.schedule,
        customer_class=payload.customer_class,
        usage_hcf=payload.usage,
        days=payload.days,
        cycle_days=payload.cycle_days,
        meter_size=payload.meter_size,
        variables=payload.variables,
        as_of=clock.today(),
    )
    return result.as_json()
