"""``/api/collections/policy``: the collections policy in force, its versions, and loading a new one
(a supervisor: ``collections.policy``). A refused file answers 400 with ``field: "text"`` and
``problems``: every problem with its key, line and statute."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema, Status

from civicbill.collections.models import CollectionsPolicyVersion
from civicbill.collections.policy_file import STATUTE_OF_KEY, PolicyFileError, parse_policy
from civicbill.collections.policy_services import penalty_revenue_funds, policy_version_load, service_funds
from civicbill.collections.selectors import policy_on
from civicbill.core import clock
from civicbill.core.permissions import require_permission

router = Router(tags=["collections"])


def _version(version: CollectionsPolicyVersion, *, today: dt.date) -> dict[str, Any]:
    return {
        "id": version.pk,
        "effective_from": version.effective_from.isoformat(),
        "reason": version.reason,
        "loaded_by": version.loaded_by.username,
        "loaded_at": version.loaded_at.isoformat(),
        "future": version.effective_from > today,
    }


@router.get("/current", response=dict[str, Any], summary="The collections policy in force")
def current(request: HttpRequest, as_of: dt.date | None = None) -> dict[str, Any]:
    """The policy in force on ``as_of`` (default today), every key, and the statute behind each limit
    (``statutes``: key -> statute). ``version`` is null while the lawful default applies."""
    require_permission(request.user, "collections.view")
    day = as_of or clock.today()
    version = (
        CollectionsPolicyVersion.objects.select_related("loaded_by")
        .filter(effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )
    return {
        "as_of": day.isoformat(),
        "version": _version(version, today=clock.today()) if version else None,
        "policy": policy_on(day).to_document(),
        "statutes": dict(STATUTE_OF_KEY),
    }


@router.get("/versions", response=list[dict[str, Any]], summary="Collections policy versions")
def versions(request: HttpRequest) -> list[dict[str, Any]]:
    """Every version, newest first, with its document."""
    require_permission(request.user, "collections.view")
    today = clock.today()
    return [
        _version(version, today=today) | {"policy": version.document}
        for version in CollectionsPolicyVersion.objects.select_related("loaded_by").order_by(
            "-effective_from"
        )
    ]


class PolicyVersionIn(Schema):
    text: str = Field(..., min_length=1, max_length=100_000, description="the policy file (YAML)")
    effective_from: dt.date = Field(..., description="today or later")
    reason: str = Field(..., min_length=1, max_length=200)


@router.post("/versions", response={201: dict[str, Any]}, summary="Load a new collections policy version")
def load(request: HttpRequest, payload: PolicyVersionIn) -> Any:
    """Validate and store a new version. A file with problems is refused (400, ``code``
    ``invalid_policy``) listing each in ``problems`` (key, line, message, statute); a date before today
    is refused (``retroactive_policy``, ``field`` effective_from)."""
    require_permission(request.user, "collections.policy")
    try:
        parse_policy(
            payload.text, penalty_revenue_funds=penalty_revenue_funds(), service_funds=service_funds()
        )
    except PolicyFileError as error:
        return JsonResponse(  # the one error shape, with every problem listed
            {
                "detail": f"The policy was not loaded: {error.message}",
                "code": "invalid_policy",
                "field": "text",
                "problems": [problem.to_dict() for problem in error.problems],
            },
            status=400,
        )
    version = policy_version_load(
        text=payload.text,
        effective_from=payload.effective_from,
        reason=payload.reason,
        actor=request.user,
        at=clock.now(),
    )
    return Status(201, _version(version, today=clock.today()) | {"policy": version.document})
