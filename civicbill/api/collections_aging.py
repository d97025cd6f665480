"""``/api/collections/aging``: receivables by days past due on a date, derived from the ledger, as
``civicbill collections aging --json`` prints them."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router

from civicbill.collections.aging_selectors import aging_report
from civicbill.collections.commands.aging import aging_payload
from civicbill.core import clock
from civicbill.core.permissions import require_permission

router = Router(tags=["collections"])


@router.get("", response=dict[str, Any], summary="Aging of receivables")
def aging(
    request: HttpRequest,
    as_of: dt.date | None = None,
    by: Literal["account", "service", "fund", "class", "cycle"] = "fund",
    service: Literal["water", "sewer", "refuse", "fire_line"] | None = None,
    premise_type: str | None = None,
    cycle: int | None = None,
) -> dict[str, Any]:
    """``total_cents`` (the net of every account balance on ``as_of``, credits included), ``buckets``
    (current, 1_30, 31_60, 61_90, 91_120, over_120, credit), ``funds`` (each equals the fund's GL
    receivable control) and ``rows`` per ``by`` (an account row's key is its number)."""
    require_permission(request.user, "collections.view")
    table = aging_report(
        as_of or clock.today(), by=by, service=service, premise_type=premise_type or None, cycle=cycle
    )
    return aging_payload(table)
