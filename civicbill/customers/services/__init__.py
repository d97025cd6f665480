"""Writes for customers, premises and accounts: create, change, move-in, move-out, transfer, notes.

Every service is keyword-only, runs in one transaction, checks the actor's permission first (so a
refused request writes nothing), refuses bad input with an :class:`ApplicationError` naming the field
and value, and records an audit event with before/after values.

Business dates (``start_date``, ``end_date``, ``move_date``, ``as_of``) are passed in; only the
``created_at`` stamps come from :func:`civicbill.core.clock.now`.

Import from here (``from civicbill.customers import services``); the modules are an internal split.
"""

from __future__ import annotations

from civicbill.customers.services.accounts import (
    ACCOUNT_FIELDS,
    AgreementSpec,
    account_activate_pending,
    account_close,
    account_mark_closed,
    account_open,
    customer_transfer,
    customer_transfer_to_address,
    move_in_new_customer,
)
from civicbill.customers.services.agreements import DETERMINANT_FIELDS, agreement_determinants_set
from civicbill.customers.services.customers import CUSTOMER_FIELDS, customer_create, customer_update
from civicbill.customers.services.notes import interaction_log, note_add
from civicbill.customers.services.premises import PREMISE_FIELDS, premise_create, premise_update

__all__ = [
    "ACCOUNT_FIELDS",
    "CUSTOMER_FIELDS",
    "DETERMINANT_FIELDS",
    "PREMISE_FIELDS",
    "AgreementSpec",
    "account_activate_pending",
    "account_close",
    "account_mark_closed",
    "account_open",
    "agreement_determinants_set",
    "customer_create",
    "customer_transfer",
    "customer_transfer_to_address",
    "customer_update",
    "interaction_log",
    "move_in_new_customer",
    "note_add",
    "premise_create",
    "premise_update",
]
