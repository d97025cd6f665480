"""Premises: create and correct service addresses (search columns kept here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from civicbill.core import clock
from civicbill.core.actors import Actor
from civicbill.core.audit import audit_record, diff, snapshot
from civicbill.core.permissions import require_permission
from civicbill.customers import locks
from civicbill.customers import validation as check
from civicbill.customers.models import Premise
from civicbill.customers.normalize import premise_search_address, premise_search_street
from civicbill.customers.services.changes import refuse_unknown_fields, save_changes_trusted

PREMISE_FIELDS = (
    "house_number",
    "street_name",
    "unit",
    "city",
    "state",
    "zip_code",
    "parcel_number",
    "premise_type",
    "dwelling_units",
    "billing_cycle",
    "read_route",
    "route_sequence",
)

# -- premises ------------------------------------------------------------------------------------


def clean_premise_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {
        "house_number": check.text(values.get("house_number"), "house_number", max_length=12, required=True),
        "street_name": check.text(values.get("street_name"), "street_name", max_length=120, required=True),
        "unit": check.text(values.get("unit"), "unit", max_length=20),
        "city": check.text(values.get("city"), "city", max_length=80, required=True),
        "state": check.state(values.get("state"), "state"),
        "zip_code": check.zip_code(values.get("zip_code"), "zip_code"),
        "parcel_number": check.text(values.get("parcel_number"), "parcel_number", max_length=20),
        "premise_type": check.choice(values.get("premise_type"), "premise_type", Premise.PremiseType.values),
        "dwelling_units": check.whole_number(
            values.get("dwelling_units"), "dwelling_units", minimum=1, maximum=100_000
        ),
        "billing_cycle": check.whole_number(
            values.get("billing_cycle"), "billing_cycle", minimum=1, maximum=check.MAX_BILLING_CYCLE
        ),
        "read_route": check.text(values.get("read_route"), "read_route", max_length=12),
        "route_sequence": check.whole_number(
            values.get("route_sequence"), "route_sequence", minimum=0, maximum=2_000_000_000
        ),
    }
    address = (cleaned["house_number"], cleaned["street_name"], cleaned["unit"])
    cleaned["search_address"] = premise_search_address(*address)
    cleaned["search_street"] = premise_search_street(*address)
    return cleaned


def _refuse_duplicate_premise(cleaned: Mapping[str, Any], *, excluding_id: int | None = None) -> None:
    twins = Premise.objects.filter(search_address=cleaned["search_address"], zip_code=cleaned["zip_code"])
    twin = twins.exclude(pk=excluding_id).first() if excluding_id else twins.first()
    if twin is not None:
        raise check.refuse(
            "house_number",
            f"{twin.full_address} is already a premise (#{twin.pk}); open the account at that premise.",
            code="duplicate",
        )


@transaction.atomic
def premise_create(
    *,
    house_number: str,
    street_name: str,
    unit: str = "",
    city: str,
    state: str = "CA",
    zip_code: str,
    parcel_number: str = "",
    premise_type: str,
    dwelling_units: int = 1,
    billing_cycle: int = 1,
    read_route: str = "",
    route_sequence: int = 0,
    actor: Actor,
) -> Premise:
    """A new service address. The same address (house number, street, unit, ZIP) is refused twice."""
    require_permission(actor, "customers.edit")
    values = {name: value for name, value in locals().items() if name in PREMISE_FIELDS}
    cleaned = clean_premise_fields(values)
    _refuse_duplicate_premise(cleaned)
    premise = Premise.objects.create(**cleaned, created_at=clock.now())
    audit_record(
        actor=actor,
        action="premise.create",
        target=premise,
        at=premise.created_at,
        summary=f"Premise {premise.full_address} created",
        changes=diff({}, snapshot(premise, PREMISE_FIELDS)),
    )
    return premise


@transaction.atomic
def premise_update(*, premise: Premise, actor: Actor, **changes: Any) -> Premise:
    """Correct a premise's address, type, units, cycle or route; audited before/after."""
    require_permission(actor, "customers.edit")
    refuse_unknown_fields(changes, PREMISE_FIELDS, "a premise")
    locked = locks.lock_premise(premise.pk)
    before = snapshot(locked, PREMISE_FIELDS)
    cleaned = clean_premise_fields({**before, **changes})
    _refuse_duplicate_premise(cleaned, excluding_id=locked.pk)
    return save_changes_trusted(
        locked,
        PREMISE_FIELDS,
        before,
        cleaned,
        action="premise.update",
        actor=actor,
        label=lambda row: f"Premise {row.full_address}",
    )
