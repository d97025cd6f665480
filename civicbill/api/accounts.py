"""``/api/accounts``: search, show, notes and the interaction log."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from civicbill.api.amounts import AmountText, parse_amount
from civicbill.api.text import MultiLine, SingleLine, column_length
from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import has_permission, require_permission
from civicbill.customers import services as customer_services
from civicbill.customers.models import Interaction, Premise
from civicbill.customers.selectors import account_detail, account_get, account_search
from civicbill.customers.summary import account_summary
from civicbill.payments.deposit_selectors import customer_deposit_held_cents
from civicbill.payments.services.customer_deposits import customer_deposit_charge

router = Router(tags=["accounts"])


class AccountHitOut(Schema):
    number: str
    customer_name: str
    service_address: str
    status: str
    phone: str
    matched_on: str


class InteractionIn(Schema):
    channel: Literal["phone", "visit", "mail", "email"]
    direction: Literal["inbound", "outbound"] = "inbound"
    subject: SingleLine = Field(..., min_length=1, max_length=column_length(Interaction, "subject"))
    outcome: MultiLine = Field("", max_length=4000)
    occurred_at: dt.datetime | None = None


class InteractionOut(Schema):
    id: int
    channel: str
    direction: str
    subject: str
    outcome: str
    staff: str
    occurred_at: dt.datetime


class AddressIn(Schema):
    house_number: SingleLine = Field(..., min_length=1, max_length=column_length(Premise, "house_number"))
    street_name: SingleLine = Field(..., min_length=1, max_length=column_length(Premise, "street_name"))
    unit: SingleLine = Field("", max_length=column_length(Premise, "unit"))
    city: SingleLine = Field("Coachella", max_length=column_length(Premise, "city"))
    state: SingleLine = Field("CA", max_length=column_length(Premise, "state"))
    zip_code: SingleLine = Field(max_length=column_length(Premise, "zip_code"))
    parcel_number: SingleLine = Field("", max_length=column_length(Premise, "parcel_number"))
    premise_type: Literal[
        "single_family", "multi_family", "commercial", "industrial", "irrigation", "institutional"
    ] = "single_family"
    dwelling_units: int = Field(1, ge=1)
    billing_cycle: int = Field(1, ge=1)


class TransferIn(Schema):
    move_date: dt.date = Field(..., description="last day of service at the current address")
    new_address: AddressIn


class AccountNoteIn(Schema):
    body: MultiLine = Field(..., min_length=1, max_length=4000)


class NoteOut(Schema):
    id: int
    body: str
    author: str
    created_at: dt.datetime


def _interaction_out(item: Any) -> InteractionOut:
    return InteractionOut(
        id=item.pk,
        channel=item.channel,
        direction=item.direction,
        subject=item.subject,
        outcome=item.outcome,
        staff=item.staff.username,
        occurred_at=item.occurred_at,
    )


@router.get("/", response=list[AccountHitOut], summary="Search accounts")
def search_accounts(
    request: HttpRequest, q: str, limit: int = Query(25, ge=1, le=100)
) -> list[AccountHitOut]:
    """One search over account number, customer name, service address, phone and email."""
    require_permission(request.user, "customers.view")
    if not q.strip():
        raise ApplicationError("Give something to search for in q", field="q")
    hits = account_search(q, limit=max(1, min(limit, 100)))
    return [
        AccountHitOut(
            number=h.number,
            customer_name=h.customer_name,
            service_address=h.service_address,
            status=h.status,
            phone=h.phone,
            matched_on=h.matched_on,
        )
        for h in hits
    ]


@router.get("/{number}", response=dict[str, Any], summary="Show an account")
def show_account(request: HttpRequest, number: str) -> dict[str, Any]:
    """Customer, premise, services and, for roles that may read the ledger, balance by service
    (integer cents) and recent transactions."""
    require_permission(request.user, "customers.view")
    return account_summary(
        account_get(number), as_of=clock.today(), include_money=has_permission(request.user, "ledger.view")
    )


@router.get("/{number}/interactions", response=list[InteractionOut], summary="The interaction log")
def list_interactions(request: HttpRequest, number: str) -> list[InteractionOut]:
    require_permission(request.user, "customers.view")
    detail = account_detail(account_get(number), as_of=clock.today())
    return [_interaction_out(item) for item in detail.interactions]


@router.post(
    "/{number}/interactions", response={201: InteractionOut}, summary="Log a call, visit, letter or email"
)
def log_interaction(request: HttpRequest, number: str, payload: InteractionIn) -> Status[InteractionOut]:
    require_permission(request.user, "customers.note")
    interaction = customer_services.interaction_log(
        account=account_get(number),
        channel=payload.channel,
        direction=payload.direction,
        subject=payload.subject,
        outcome=payload.outcome,
        occurred_at=payload.occurred_at or clock.now(),
        actor=request.user,
    )
    return Status(201, _interaction_out(interaction))


@router.post("/{number}/notes", response={201: NoteOut}, summary="Add a note")
def add_note(request: HttpRequest, number: str, payload: AccountNoteIn) -> Status[NoteOut]:
    require_permission(request.user, "customers.note")
    note = customer_services.note_add(account=account_get(number), body=payload.body, actor=request.user)
    return Status(
        201, NoteOut(id=note.pk, body=note.body, author=note.author.username, created_at=note.created_at)
    )


@router.post(
    "/{number}/transfer", response={201: dict[str, Any]}, summary="Transfer the customer to a new address"
)
def transfer_account(request: HttpRequest, number: str, payload: TransferIn) -> Status[dict[str, Any]]:
    """The old account becomes final after ``move_date``; a new account for the same customer starts
    the next day at ``new_address`` with the same services. Returns the new account."""
    require_permission(request.user, "customers.transfer")
    new_account = customer_services.customer_transfer_to_address(
        account=account_get(number),
        address=payload.new_address.dict(),
        move_date=payload.move_date,
        as_of=clock.today(),
        actor=request.user,
    )
    return Status(
        201,
        account_summary(
            new_account, as_of=clock.today(), include_money=has_permission(request.user, "ledger.view")
        ),
    )


# -- service deposits (payments.services.customer_deposits) -----------------------------------------
class DepositChargeIn(Schema):
    amount: AmountText = Field(description='The deposit, dollars and cents as a string: "100.00"')
    memo: SingleLine = Field("", max_length=200)
    idempotency_key: SingleLine = Field(
        "", max_length=150, description="A retried request with the same key posts once"
    )


class DepositOut(Schema):
    account_number: str
    held_cents: int
    entry_id: str | None = None


@router.get("/{number}/deposit", response=DepositOut, summary="The service deposit held")
def show_deposit(request: HttpRequest, number: str) -> DepositOut:
    require_permission(request.user, "ledger.view")
    account = account_get(number)
    return DepositOut(account_number=account.number, held_cents=customer_deposit_held_cents(account.pk))


@router.post(
    "/{number}/deposits",
    response={200: DepositOut, 201: DepositOut},
    summary="Charge a service deposit (201; a retry with the same key: 200, the same deposit)",
)
def charge_deposit(request: HttpRequest, number: str, payload: DepositChargeIn) -> Status[DepositOut]:
    """Post a deposit due on the account (the next payment settles it first); it is held until the
    final bill applies it. The same ``idempotency_key`` with another amount or memo: 409."""
    require_permission(request.user, "deposits.charge")
    account = account_get(number)
    # scoped to the user, as payment keys are (two scripts never collide)
    key = f"api:{request.user.pk}:deposit:{payload.idempotency_key}" if payload.idempotency_key else ""
    entry = customer_deposit_charge(
        account_number=account.number,
        amount=parse_amount(payload.amount, "amount"),
        memo=payload.memo,
        actor=request.user,
        as_of=clock.today(),
        idempotency_key=key,
    )
    held = customer_deposit_held_cents(account.pk)
    out = DepositOut(account_number=account.number, held_cents=held, entry_id=str(entry.pk))
    return Status(200 if entry.replayed else 201, out)  # a retry, even one racing the first: 200
