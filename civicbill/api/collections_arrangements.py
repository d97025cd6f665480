"""``/api/collections/arrangements``: payment arrangements — preview a schedule, create, show, cancel
(docs/api.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from civicbill.api.text import SingleLine
from civicbill.collections.commands.arrangements import arrangement_payload
from civicbill.collections.models import Arrangement, ArrangementStatus
from civicbill.collections.services.arrangements import (
    arrangement_cancel,
    arrangement_create,
    arrangement_preview,
)
from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.permissions import require_permission
from civicbill.customers import selectors as customer_selectors

router = Router(tags=["collections: arrangements"])


class ArrangementInstallmentIn(Schema):
    due_on: dt.date
    amount_cents: int = Field(..., gt=0)


class ArrangementScheduleIn(Schema):
    kind: Literal["amortization", "deferral", "alternative"]
    amount_cents: int | None = Field(None, gt=0, description="default: the past-due balance")
    months: int | None = Field(None, ge=1)
    first_due_on: dt.date | None = None
    installments: list[ArrangementInstallmentIn] = Field(default_factory=list, description="alternative only")


class ArrangementCreateIn(ArrangementScheduleIn):
    terms: SingleLine = Field("", max_length=500)
    language: Literal["en", "es"] | None = None


class ArrangementCancelIn(Schema):
    reason: SingleLine = Field(..., min_length=1, max_length=200)


def _options(payload: ArrangementScheduleIn) -> dict[str, Any]:
    return {
        "kind": payload.kind,
        "amount_cents": payload.amount_cents,
        "months": payload.months,
        "first_due_on": payload.first_due_on,
        "dates": [i.due_on for i in payload.installments],
        "amounts": [i.amount_cents for i in payload.installments],
    }


def _latest(number: str) -> Arrangement:
    account = customer_selectors.account_get(number)
    arrangement = Arrangement.objects.filter(account=account).order_by("-agreed_on", "-id").first()
    if arrangement is None:
        raise NotFoundError(f"Account {account.number} has no payment arrangement", field="number")
    return arrangement


@router.post("/{number}/preview", response=dict[str, Any], summary="Preview an arrangement's schedule")
def preview(request: HttpRequest, number: str, payload: ArrangementScheduleIn) -> dict[str, Any]:
    require_permission(request.user, "collections.arrange")
    shown = arrangement_preview(
        account=customer_selectors.account_get(number), on=clock.today(), **_options(payload)
    )
    return {
        "account": number,
        "kind": shown.kind,
        "delinquent_cents": shown.balance_cents,
        "agreed_on": shown.agreed_on.isoformat(),
        "installments": [
            {"sequence": i.sequence, "due_on": i.due_on.isoformat(), "amount_cents": i.amount_cents}
            for i in shown.installments
        ],
    }


@router.post("/{number}", response={201: dict[str, Any]}, summary="Record a payment arrangement")
def create(request: HttpRequest, number: str, payload: ArrangementCreateIn) -> Status[dict[str, Any]]:
    require_permission(request.user, "collections.arrange")
    arrangement = arrangement_create(
        account=customer_selectors.account_get(number), terms=payload.terms, language=payload.language,
        actor=request.user, at=clock.now(), **_options(payload),
    )  # fmt: skip
    return Status(201, arrangement_payload(arrangement))


@router.get("/{number}", response=dict[str, Any], summary="The account's latest payment arrangement")
def show(request: HttpRequest, number: str) -> dict[str, Any]:
    require_permission(request.user, "collections.view")
    return arrangement_payload(_latest(number))


@router.post("/{number}/cancel", response=dict[str, Any], summary="Cancel the honoured arrangement")
def cancel(request: HttpRequest, number: str, payload: ArrangementCancelIn) -> dict[str, Any]:
    require_permission(request.user, "collections.arrange")
    arrangement = _latest(number)
    if arrangement.status != ArrangementStatus.ACTIVE:
        raise ApplicationError(
            f"Account {number} has no honoured arrangement to cancel", code="not_active", field="number"
        )
    return arrangement_payload(
        arrangement_cancel(arrangement=arrangement, reason=payload.reason, actor=request.user, at=clock.now())
    )
