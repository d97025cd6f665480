"""``/api/collections``: bill reviews and appeals, certifications, third-party contacts (per account)
and emergency moratoriums (docs/api.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from civicbill.api.text import SingleLine
from civicbill.collections.commands.programs import (
    appeal_payload,
    certification_payload,
    contact_payload,
    moratorium_payload,
)
from civicbill.collections.models import Appeal, Certification, Moratorium, ThirdPartyContact
from civicbill.collections.protections import moratoriums_on
from civicbill.collections.services import appeals, certifications, moratoriums
from civicbill.core import clock
from civicbill.core.exceptions import NotFoundError
from civicbill.core.permissions import require_permission
from civicbill.customers import selectors as customer_selectors

router = Router(tags=["collections: appeals, certifications, moratoriums"])


def _row(model: Any, pk: int, what: str, field: str) -> Any:
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise NotFoundError(f"There is no {what} {pk}", field=field)
    return found


@router.get(
    "/accounts/{number}/programs", response=dict[str, Any], summary="An account's appeals and programs"
)
def account_programs(request: HttpRequest, number: str) -> dict[str, Any]:
    require_permission(request.user, "collections.view")
    account = customer_selectors.account_get(number)
    return {
        "account": account.number,
        "appeals": [appeal_payload(a) for a in Appeal.objects.filter(account=account)],
        "certifications": [certification_payload(c) for c in Certification.objects.filter(account=account)],
        "contacts": [contact_payload(c) for c in ThirdPartyContact.objects.filter(account=account)],
    }


class ProgramsAppealOpenIn(Schema):
    kind: str = "bill_review"
    bill: SingleLine = Field("", max_length=20)
    reason: SingleLine = Field(..., min_length=1, max_length=500)


@router.post(
    "/accounts/{number}/appeals", response={201: dict[str, Any]}, summary="Open a bill review or appeal"
)
def appeal_open(request: HttpRequest, number: str, payload: ProgramsAppealOpenIn) -> Status[dict[str, Any]]:
    require_permission(request.user, "collections.appeal")
    done = appeals.appeal_open(
        account=customer_selectors.account_get(number), kind=payload.kind, reason=payload.reason,
        bill=payload.bill or None, actor=request.user, at=clock.now(),
    )  # fmt: skip
    return Status(201, appeal_payload(done))


class ProgramsAppealDecideIn(Schema):
    status: str
    outcome: SingleLine = Field(..., min_length=1, max_length=500)
    adjustment_entry: str | None = None


@router.post("/appeals/{appeal_id}/decide", response=dict[str, Any], summary="Decide a bill review or appeal")
def appeal_decide(request: HttpRequest, appeal_id: int, payload: ProgramsAppealDecideIn) -> dict[str, Any]:
    require_permission(request.user, "collections.appeal_decide")
    done = appeals.appeal_decide(
        appeal=_row(Appeal, appeal_id, "appeal", "appeal"), status=payload.status, outcome=payload.outcome,
        adjustment_entry=payload.adjustment_entry, actor=request.user, at=clock.now(),
    )  # fmt: skip
    return appeal_payload(done)


class ProgramsCertificationIn(Schema):
    kind: str
    program: str = ""
    provider: SingleLine = Field("", max_length=160)
    starts_on: dt.date
    expires_on: dt.date | None = None
    evidence: SingleLine = Field("", max_length=300)


@router.post(
    "/accounts/{number}/certifications", response={201: dict[str, Any]}, summary="Record a certification"
)
def certify(request: HttpRequest, number: str, payload: ProgramsCertificationIn) -> Status[dict[str, Any]]:
    require_permission(request.user, "collections.certify")
    done = certifications.certification_record(
        account=customer_selectors.account_get(number), actor=request.user, at=clock.now(), **payload.dict()
    )
    return Status(201, certification_payload(done))


class ProgramsRevokeIn(Schema):
    reason: SingleLine = Field(..., min_length=1, max_length=200)
    revoked_on: dt.date | None = None


@router.post(
    "/certifications/{certification_id}/revoke", response=dict[str, Any], summary="Revoke a certification"
)
def revoke(request: HttpRequest, certification_id: int, payload: ProgramsRevokeIn) -> dict[str, Any]:
    require_permission(request.user, "collections.certify")
    done = certifications.certification_revoke(
        certification=_row(Certification, certification_id, "certification", "certification"),
        reason=payload.reason, revoked_on=payload.revoked_on, actor=request.user, at=clock.now(),
    )  # fmt: skip
    return certification_payload(done)


class ProgramsContactIn(Schema):
    reason: str
    name: SingleLine = Field(..., max_length=160)
    line1: SingleLine = Field(..., max_length=120)
    line2: SingleLine = Field("", max_length=120)
    city: SingleLine = Field(..., max_length=80)
    state: SingleLine = Field("CA", max_length=2)
    zip_code: SingleLine = Field(..., max_length=10)
    phone: SingleLine = Field("", max_length=30)
    language: str = "en"
    starts_on: dt.date | None = None


@router.post(
    "/accounts/{number}/contacts", response={201: dict[str, Any]}, summary="Add a third-party contact"
)
def contact_add(request: HttpRequest, number: str, payload: ProgramsContactIn) -> Status[dict[str, Any]]:
    require_permission(request.user, "collections.certify")
    done = certifications.contact_add(
        account=customer_selectors.account_get(number), actor=request.user, at=clock.now(), **payload.dict()
    )
    return Status(201, contact_payload(done))


class ProgramsContactEndIn(Schema):
    ended_on: dt.date | None = None


@router.post("/contacts/{contact_id}/end", response=dict[str, Any], summary="End a third-party contact")
def contact_end(request: HttpRequest, contact_id: int, payload: ProgramsContactEndIn) -> dict[str, Any]:
    require_permission(request.user, "collections.certify")
    done = certifications.contact_end(
        contact=_row(ThirdPartyContact, contact_id, "third-party contact", "contact"),
        ended_on=payload.ended_on, actor=request.user, at=clock.now(),
    )  # fmt: skip
    return contact_payload(done)


@router.get("/moratoriums", response=list[dict[str, Any]], summary="Emergency moratoriums")
def moratorium_list(request: HttpRequest, in_force_on: dt.date | None = None) -> list[dict[str, Any]]:
    require_permission(request.user, "collections.view")
    rows = moratoriums_on(in_force_on) if in_force_on else Moratorium.objects.select_related("declared_by")
    return [moratorium_payload(m) for m in rows]


class ProgramsMoratoriumIn(Schema):
    starts_on: dt.date
    ends_on: dt.date
    scope: str = "all"
    scope_value: SingleLine = Field("", max_length=12)
    reason: SingleLine = Field(..., min_length=1, max_length=200)


@router.post("/moratoriums", response={201: dict[str, Any]}, summary="Declare an emergency moratorium")
def moratorium_declare(request: HttpRequest, payload: ProgramsMoratoriumIn) -> Status[dict[str, Any]]:
    require_permission(request.user, "collections.moratorium")
    done = moratoriums.moratorium_declare(actor=request.user, at=clock.now(), **payload.dict())
    return Status(201, moratorium_payload(done))


class ProgramsLiftIn(Schema):
    lifted_on: dt.date | None = None


@router.post("/moratoriums/{moratorium_id}/lift", response=dict[str, Any], summary="Lift a moratorium early")
def moratorium_lift(request: HttpRequest, moratorium_id: int, payload: ProgramsLiftIn) -> dict[str, Any]:
    require_permission(request.user, "collections.moratorium")
    done = moratoriums.moratorium_lift(
        moratorium=_row(Moratorium, moratorium_id, "moratorium", "moratorium"), lifted_on=payload.lifted_on,
        actor=request.user, at=clock.now(),
    )  # fmt: skip
    return moratorium_payload(done)
