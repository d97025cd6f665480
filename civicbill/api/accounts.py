"""``/api/accounts``: search, show, notes and the interaction log, transfer, move-out and move-in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from civicbill.api.amounts import AmountText, parse_amount
from civicbill.api.text import MultiLine, SingleLine, column_length
from civicbill.billing.selectors import bill_detail
from civicbill.billing.services import final_bill_issue
from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import has_permission, require_permission
from civicbill.customers import services as customer_services
from civicbill.customers.models import Customer, Interaction, Premise
from civicbill.customers.normalize import split_person_name
from civicbill.customers.selectors import account_detail, account_get, account_search
from civicbill.customers.summary import account_summary, agreement_values
from civicbill.meters.services.moves import account_move_in, account_move_out, account_transfer, services_at
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
    move_out_read: Decimal | None = Field(
        None,
        ge=0,
        description="the meter read at the current address on move_date; omitted: a read on "
        "file, else estimated",
    )
    move_in_read: Decimal | None = Field(
        None,
        ge=0,
        description="the meter read at the new address the next day; omitted: the previous "
        "occupant's move-out read, else estimated",
    )


class AgreementDeterminantsIn(Schema):
    """Only the fields sent change; ``null`` / ``""`` clears one."""

    containers: int | None = Field(None, ge=1, le=99, description="refuse: containers collected (null: one)")
    container_size: SingleLine | None = Field(None, max_length=20, description='refuse: e.g. "96" or "3YD"')
    service_size: SingleLine | None = Field(None, max_length=6, description='fire line: e.g. "4" or "1-1/2"')


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


# -- move-out and move-in (meters.services.moves: the read bounding each customer's use) ------------------
# (declared before /{number}: the path "move-in" is not an account number)
class ForwardingAddressIn(Schema):
    line1: SingleLine = Field(..., min_length=1, max_length=column_length(Customer, "mailing_line1"))
    line2: SingleLine = Field("", max_length=column_length(Customer, "mailing_line2"))
    city: SingleLine = Field(..., min_length=1, max_length=column_length(Customer, "mailing_city"))
    state: SingleLine = Field("CA", max_length=column_length(Customer, "mailing_state"))
    zip: SingleLine = Field(..., min_length=1, max_length=column_length(Customer, "mailing_zip"))


class MoveOutIn(Schema):
    end_date: dt.date = Field(..., description="the last day of service")
    read: Decimal | None = Field(
        None, ge=0, description="the meter read on end_date; omitted: a read on file, else estimated"
    )
    forwarding_address: ForwardingAddressIn | None = Field(
        None, description="where the final bill and later letters are mailed"
    )
    reason: SingleLine = Field("", max_length=200)


class MoveInIn(Schema):
    premise_of: SingleLine = Field(..., min_length=1, max_length=12, description="an account at the premise")
    customer_name: SingleLine = Field(..., min_length=1, max_length=160, description='"FIRST LAST"')
    language: Literal["en", "es"] = "en"
    phone: SingleLine = Field("", max_length=column_length(Customer, "phone"))
    email: SingleLine = Field("", max_length=column_length(Customer, "email"))
    start_date: dt.date = Field(..., description="the first day of service")
    read: Decimal | None = Field(
        None,
        ge=0,
        description="the meter read on start_date; omitted: the move-out read of the day before, "
        "else estimated",
    )


class MoveReadOut(Schema):
    read_on: dt.date
    value: str
    meter_serial: str
    source: str
    status: str
    estimated: bool
    held_for_review: bool
    consumption_hcf: str | None
    recorded: bool = Field(description="false: a read already on file bounds the use")


class MoveOut(Schema):
    account_number: str
    kind: Literal["move_in", "move_out"]
    status: str
    customer_name: str
    service_address: str
    date: dt.date
    read: MoveReadOut | None
    read_note: str = Field(description="why there is no read, or that it is held for review")
    forwarding_address: list[str] | None


@router.post("/move-in", response={201: MoveOut}, summary="Move a new customer in at an account's premise")
def move_in(request: HttpRequest, payload: MoveInIn) -> Status[dict[str, Any]]:
    """A new customer (a person) at the premise of account ``premise_of``, with that account's services,
    from ``start_date``; the start read (given, the previous occupant's move-out read, else estimated)
    starts the new customer's use. The new account is ``account_number``. Refused (400,
    ``premise_occupied``) while another account has service there then: a retry never opens two."""
    require_permission(request.user, "customers.move_in")
    previous = account_get(payload.premise_of)
    first_name, last_name = split_person_name(payload.customer_name)
    result = account_move_in(
        data={
            "kind": "person",
            "first_name": first_name,
            "last_name": last_name,
            "phone": payload.phone,
            "email": payload.email,
            "preferred_language": payload.language,
            "start_date": payload.start_date,
            "mailing_same_as_service": True,
        },
        services=services_at(previous),
        premise=previous.premise,
        read=payload.read,
        actor=request.user,
        as_of=clock.today(),
    )
    return Status(201, result.as_dict())


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
    "/{number}/agreements/{service}",
    response={200: dict[str, Any]},
    summary="Change an open agreement's determinants (refuse containers and size, fire service size)",
)
def set_agreement_determinants(
    request: HttpRequest, number: str, service: str, payload: AgreementDeterminantsIn
) -> dict[str, Any]:
    """The account's open agreement for ``service`` takes the fields sent (``containers``,
    ``container_size`` for refuse; ``service_size`` for a fire line), checked as at move-in and
    audited; the next bill is rated with them. A field that does not fit the service is a **400**
    naming it, and nothing changes."""
    require_permission(request.user, "customers.edit")
    changes = {
        name: ("" if value is None and name != "containers" else value)
        for name, value in payload.model_dump(exclude_unset=True).items()
    }
    agreement = customer_services.agreement_determinants_set(
        account=account_get(number), service=service, actor=request.user, **changes
    )
    return agreement_values(agreement)


@router.post(
    "/{number}/transfer", response={201: dict[str, Any]}, summary="Transfer the customer to a new address"
)
def transfer_account(request: HttpRequest, number: str, payload: TransferIn) -> Status[dict[str, Any]]:
    """The old account becomes final after ``move_date``; a new account for the same customer starts
    the next day at ``new_address`` with the same services. The move-out read (``move_out_read``, a
    read on file, else estimated) closes the use at the old address and the move-in read starts it at
    the new one. Returns the new account, with ``move_out`` and ``move_in`` (each move and its read)."""
    require_permission(request.user, "customers.transfer")
    result = account_transfer(
        account=account_get(number),
        address=payload.new_address.dict(),
        move_date=payload.move_date,
        move_out_read=payload.move_out_read,
        move_in_read=payload.move_in_read,
        as_of=clock.today(),
        actor=request.user,
    )
    summary = account_summary(
        result.move_in.account, as_of=clock.today(), include_money=has_permission(request.user, "ledger.view")
    )
    return Status(
        201, {**summary, "move_out": result.move_out.as_dict(), "move_in": result.move_in.as_dict()}
    )


@router.post("/{number}/move-out", response={201: MoveOut}, summary="Move the customer out (final read)")
def move_out(request: HttpRequest, number: str, payload: MoveOutIn) -> Status[dict[str, Any]]:
    """Service ends on ``end_date`` and the account becomes final; the move-out read (given, a read on
    file, else estimated and marked so) ends the customer's use. A ``forwarding_address`` becomes the
    customer's mailing address (the final bill and later letters go there). The final bill is
    ``POST /api/accounts/{number}/final-bill``. A retry is refused (400, ``already_closed``): nothing
    happens twice."""
    require_permission(request.user, "customers.move_out")
    address = payload.forwarding_address
    result = account_move_out(
        account=account_get(number),
        end_date=payload.end_date,
        read=payload.read,
        forwarding_address=None
        if address is None
        else {
            "mailing_line1": address.line1,
            "mailing_line2": address.line2,
            "mailing_city": address.city,
            "mailing_state": address.state,
            "mailing_zip": address.zip,
        },
        reason=payload.reason,
        actor=request.user,
        as_of=clock.today(),
    )
    return Status(201, result.as_dict())


@router.post("/{number}/final-bill", response={201: dict[str, Any]}, summary="Issue the final bill")
def final_bill(request: HttpRequest, number: str) -> Status[dict[str, Any]]:
    """The off-cycle final bill of a moved-out account (``civicbill bill final``): service from the day
    after its last bill to the move-out date, up to the move-out read; a deposit held is applied.
    Refused (400) while service is open (``not_moved_out``), a second time (``final_bill_exists``)
    or without the move-out read (``missing_read``)."""
    require_permission(request.user, "billing.final_bill")
    bill = final_bill_issue(
        account_number=account_get(number).number, actor=request.user, as_of=clock.today()
    )
    return Status(201, bill_detail(bill))


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
