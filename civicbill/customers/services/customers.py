"""Customers: create and change people and businesses (search columns kept here)."""

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
from civicbill.customers.models import Customer, Language
from civicbill.customers.normalize import business_search_names, normalize_email, person_search_names
from civicbill.customers.services.changes import refuse_unknown_fields, save_changes_trusted

CUSTOMER_FIELDS = (
    "kind",
    "first_name",
    "last_name",
    "business_name",
    "mailing_line1",
    "mailing_line2",
    "mailing_city",
    "mailing_state",
    "mailing_zip",
    "phone",
    "email",
    "preferred_language",
)

# -- customers -----------------------------------------------------------------------------------


def clean_customer_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    kind = check.choice(values.get("kind"), "kind", Customer.Kind.values)
    cleaned: dict[str, Any] = {
        "kind": kind,
        "first_name": check.text(values.get("first_name"), "first_name", max_length=80),
        "last_name": check.text(values.get("last_name"), "last_name", max_length=80),
        "business_name": check.text(values.get("business_name"), "business_name", max_length=160),
        "mailing_line1": check.text(
            values.get("mailing_line1"), "mailing_line1", max_length=120, required=True
        ),
        "mailing_line2": check.text(values.get("mailing_line2"), "mailing_line2", max_length=120),
        "mailing_city": check.text(values.get("mailing_city"), "mailing_city", max_length=80, required=True),
        "mailing_state": check.state(values.get("mailing_state"), "mailing_state"),
        "mailing_zip": check.zip_code(values.get("mailing_zip"), "mailing_zip"),
        "email": check.email(values.get("email")),
        "preferred_language": check.choice(
            values.get("preferred_language"), "preferred_language", Language.values
        ),
    }
    cleaned["phone"], phone_digits = check.phone(values.get("phone"))
    if kind == Customer.Kind.PERSON and not cleaned["last_name"]:
        raise check.refuse("last_name", "A person needs a last name.", code="required")
    if kind == Customer.Kind.BUSINESS and not cleaned["business_name"]:
        raise check.refuse("business_name", "A business customer needs a business name.", code="required")
    if kind == Customer.Kind.PERSON:
        cleaned["search_name"], cleaned["search_name_reversed"] = person_search_names(
            cleaned["first_name"], cleaned["last_name"]
        )
    else:
        cleaned["search_name"], cleaned["search_name_reversed"] = business_search_names(
            cleaned["business_name"]
        )
    cleaned["phone_digits"] = phone_digits
    cleaned["phone_digits_reversed"] = phone_digits[::-1]
    cleaned["email_lower"] = normalize_email(cleaned["email"])
    return cleaned


@transaction.atomic
def customer_create(
    *,
    kind: str,
    first_name: str = "",
    last_name: str = "",
    business_name: str = "",
    mailing_line1: str,
    mailing_line2: str = "",
    mailing_city: str,
    mailing_state: str = "CA",
    mailing_zip: str,
    phone: str = "",
    email: str = "",
    preferred_language: str = Language.ENGLISH,
    actor: Actor,
) -> Customer:
    """A new person or business customer, with the normalised search columns filled."""
    require_permission(actor, "customers.edit")
    values = {name: value for name, value in locals().items() if name in CUSTOMER_FIELDS}
    customer = Customer.objects.create(**clean_customer_fields(values), created_at=clock.now())
    audit_record(
        actor=actor,
        action="customer.create",
        target=customer,
        at=customer.created_at,
        summary=f"Customer {customer.display_name} created",
        changes=diff({}, snapshot(customer, CUSTOMER_FIELDS)),
    )
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, actor: Actor, **changes: Any) -> Customer:
    """Change a customer's names, mailing address, phone, email or language; audited before/after.

    Changing nothing writes nothing (and records no audit event).
    """
    require_permission(actor, "customers.edit")
    refuse_unknown_fields(changes, CUSTOMER_FIELDS, "a customer")
    locked = locks.lock_customer(customer.pk)
    before = snapshot(locked, CUSTOMER_FIELDS)
    cleaned = clean_customer_fields({**before, **changes})
    return save_changes_trusted(
        locked,
        CUSTOMER_FIELDS,
        before,
        cleaned,
        action="customer.update",
        actor=actor,
        label=lambda row: f"Customer {row.display_name}",
    )
