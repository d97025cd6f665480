"""Work orders from the read exceptions queue: a re-read, and confirming a high read (a high water
use notice to the customer and an investigation)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from civicbill.core.actors import Actor
from civicbill.core.clock import business_calendar
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.correspondence.models import Letter
from civicbill.correspondence.services import letter_queue_high_usage
from civicbill.customers.models import Premise
from civicbill.meters.models import ReadException, ServicePoint
from civicbill.meters.services.read_exceptions import (
    read_exception_accept,
    read_exception_mark_reread_requested,
)
from civicbill.meters.validation import HIGH_USAGE
from civicbill.workorders import locks
from civicbill.workorders import selectors as workorder_selectors
from civicbill.workorders.models import Priority, WorkOrder, WorkOrderType
from civicbill.workorders.services.lifecycle import cancel_locked_trusted, create_order_trusted

REREAD_DUE_BUSINESS_DAYS = 3
INVESTIGATION_DUE_BUSINESS_DAYS = 5
HIGH_USAGE_CODES = (HIGH_USAGE,)


# -- from the read exceptions queue --------------------------------------------------------------


def _where_read_was_taken(exception: ReadException) -> tuple[ServicePoint, Premise]:
    point = workorder_selectors.service_point_of_read(exception.read)
    if point is None:
        raise ApplicationError(
            f"Meter {exception.read.meter.serial_number} was not installed at a service point when it was "
            "read, so there is no address to send someone to.",
            field="exception",
        )
    return point, point.premise


@transaction.atomic
def reread_request(
    *, exception: ReadException, actor: Actor, due_on: dt.date | None = None, as_of: dt.date
) -> WorkOrder:
    """Send someone to read the meter again: a RE-READ work order for the exception's premise and
    meter, due in 3 business days unless ``due_on`` is given; the exception becomes re-read-requested."""
    require_permission(actor, "reads.review")
    require_permission(actor, "workorders.manage")
    if exception.status != ReadException.Status.OPEN:
        raise ApplicationError(
            f"This read exception is {exception.get_status_display().lower()}; only an open one can be sent "
            "for a re-read.",
            code="not_open",
            field="exception",
        )
    point, premise = _where_read_was_taken(exception)
    read = exception.read
    if due_on is None:
        due_on = business_calendar().add_business_days(as_of, REREAD_DUE_BUSINESS_DAYS)
    read_exception_mark_reread_requested(exception=exception, actor=actor)
    return create_order_trusted(
        work_type=WorkOrderType.REREAD,
        premise=premise,
        account=workorder_selectors.account_at_premise(premise, on=read.read_on),
        service_point=point,
        meter=read.meter,
        read_exception=exception,
        description=(
            f"Re-read meter {read.meter.serial_number}: the read of {read.value.normalize():f} on "
            f"{read.read_on:%Y-%m-%d} was flagged ({exception.message})."
        ),
        due_on=due_on,
        priority=Priority.HIGH,
        as_of=as_of,
        actor=actor,
    )


@transaction.atomic
def high_usage_confirm(
    *,
    exception: ReadException,
    actor: Actor,
    usual_daily_hcf: Decimal | None = None,
    as_of: dt.date,
) -> tuple[Letter, WorkOrder]:
    """A high read is real: accept it, queue a high water use notice to the customer (in their
    language) and open an investigation (possible leak or broken meter) due in 5 business days.

    An investigation already open for the same meter is used rather than a second one; a re-read
    still out for this exception is cancelled (the decision is made)."""
    require_permission(actor, "reads.review")
    require_permission(actor, "workorders.manage")
    if exception.code not in HIGH_USAGE_CODES:
        raise ApplicationError(
            f"This read exception is {exception.code!r}, not a high read; only a high read gets a high-usage "
            "notice.",
            code="not_high_usage",
            field="exception",
        )
    if exception.status not in (ReadException.Status.OPEN, ReadException.Status.REREAD_REQUESTED):
        raise ApplicationError(
            f"This read exception is already {exception.get_status_display().lower()}.",
            code="not_open",
            field="exception",
        )
    point, premise = _where_read_was_taken(exception)
    read = exception.read
    account = workorder_selectors.account_at_premise(premise, on=read.read_on)
    if account is None:
        raise ApplicationError(
            f"No account is served at {premise.address_line} on {read.read_on:%Y-%m-%d}; there is nobody to "
            "send the notice to.",
            field="exception",
        )
    rereads_out = locks.lock_open_work_orders(read_exception_id=exception.pk, work_type=WorkOrderType.REREAD)
    read_exception_accept(exception=exception, actor=actor, as_of=as_of)
    read.refresh_from_db()
    usual_basis = ""
    if usual_daily_hcf is None:
        usual = workorder_selectors.usual_daily_use(read)
        usual_daily_hcf = usual.hcf_per_day.quantize(Decimal("0.0001")) if usual else Decimal(0)
        usual_basis = usual.basis if usual else ""
    work_order = workorder_selectors.open_work_order(
        work_type=WorkOrderType.HIGH_CONSUMPTION, premise=premise, meter=read.meter
    ) or create_order_trusted(
        work_type=WorkOrderType.HIGH_CONSUMPTION,
        premise=premise,
        account=account,
        service_point=point,
        meter=read.meter,
        read_exception=exception,
        description=(
            f"Investigate high consumption: meter {read.meter.serial_number} read "
            f"{read.value.normalize():f} on {read.read_on:%Y-%m-%d} ({exception.message}). "
            "Check for a leak (leak indicator, irrigation, toilets, cooler float) and whether the meter "
            "registers correctly."
        ),
        due_on=business_calendar().add_business_days(as_of, INVESTIGATION_DUE_BUSINESS_DAYS),
        priority=Priority.HIGH,
        as_of=as_of,
        actor=actor,
    )
    for reread in rereads_out:
        cancel_locked_trusted(
            reread, reason=f"High use confirmed; investigation {work_order.number} instead", actor=actor
        )
    letter = letter_queue_high_usage(
        account=account,
        read=read,
        usual_daily_hcf=usual_daily_hcf,
        actor=actor,
        work_order_number=work_order.number,
        visit_by=work_order.due_on,
        usual_basis=usual_basis,
        as_of=as_of,
    )
    return letter, work_order
