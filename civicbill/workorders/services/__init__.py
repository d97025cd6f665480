"""Writes for field work orders: create, assign, cancel, complete; a re-read for a read exception;
confirming a high read (notice letter + investigation order).

Lifecycle: open → assigned → completed / cancelled. An open order may be completed or cancelled
directly; an assigned one may be reassigned; nothing leaves completed or cancelled.

Every service is keyword-only, runs in one transaction, checks the actor's permission first (so a
refused request writes nothing), refuses bad input with an :class:`ApplicationError` naming the field,
and records an audit event. Completing an order feeds back through the meters services: a read is
recorded by the reads service (source FIELD), an exchange by the installations service, and a
completed re-read resolves its read exception.

Import from here (``from civicbill.workorders import services``); the modules are an internal split.
"""

from __future__ import annotations

from civicbill.workorders.services.completion import ExchangeInput, workorder_complete
from civicbill.workorders.services.from_reads import (
    HIGH_USAGE_CODES,
    INVESTIGATION_DUE_BUSINESS_DAYS,
    REREAD_DUE_BUSINESS_DAYS,
    high_usage_confirm,
    reread_request,
)
from civicbill.workorders.services.lifecycle import (
    WORK_ORDER_FIELDS,
    workorder_assign,
    workorder_cancel,
    workorder_create,
)

__all__ = [
    "HIGH_USAGE_CODES",
    "INVESTIGATION_DUE_BUSINESS_DAYS",
    "REREAD_DUE_BUSINESS_DAYS",
    "WORK_ORDER_FIELDS",
    "ExchangeInput",
    "high_usage_confirm",
    "reread_request",
    "workorder_assign",
    "workorder_cancel",
    "workorder_complete",
    "workorder_create",
]
