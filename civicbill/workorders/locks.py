"""Row locks for the work orders app, in one place (ARCHITECTURE rule 10).

Each function must run inside ``transaction.atomic``. On PostgreSQL they take ``SELECT ... FOR
UPDATE`` row locks; on SQLite ``select_for_update`` is a no-op, but every SQLite transaction opens
with ``BEGIN IMMEDIATE`` (settings), which serialises writers for the whole transaction.

Lock order, to avoid deadlocks: work orders first, then the meter (the reads and meters services lock
it), then the number counter (always last, held for the shortest time).
"""

from __future__ import annotations

from django.db.models.functions import Length

from civicbill.workorders.models import WorkOrder, WorkOrderNumberCounter

NUMBER_COUNTER_NAME = "workorder"


def lock_work_order(work_order_id: int) -> WorkOrder:
    return WorkOrder.objects.select_for_update().get(pk=work_order_id)


def lock_open_work_orders(*, read_exception_id: int, work_type: str) -> list[WorkOrder]:
    """The open or assigned orders of one type sent for a read exception, locked (by id)."""
    return list(
        WorkOrder.objects.select_for_update()
        .filter(read_exception_id=read_exception_id, work_type=work_type, status__in=("open", "assigned"))
        .order_by("pk")
    )


def _highest_sequence() -> int:
    """The highest sequence among existing numbers (``WO-0000012`` sorts after ``WO-999999`` by length)."""
    number = (
        WorkOrder.objects.annotate(number_length=Length("number"))
        .order_by("-number_length", "-number")
        .values_list("number", flat=True)
        .first()
    )
    digits = (number or "")[3:]
    return int(digits) if digits.isdigit() else 0


def lock_number_counter() -> WorkOrderNumberCounter:
    counter = WorkOrderNumberCounter.objects.select_for_update().filter(name=NUMBER_COUNTER_NAME).first()
    if counter is None:  # the migration creates it; a flushed test database may not have it
        WorkOrderNumberCounter.objects.get_or_create(
            name=NUMBER_COUNTER_NAME, defaults={"last_sequence": _highest_sequence()}
        )
        counter = WorkOrderNumberCounter.objects.select_for_update().get(name=NUMBER_COUNTER_NAME)
    return counter


def allocate_number() -> str:
    """The next work order number, ``WO-000001`` onwards. Takes the counter lock (call it last)."""
    counter = lock_number_counter()
    counter.last_sequence += 1
    if WorkOrder.objects.filter(number__gte=_number(counter.last_sequence)).exists():
        # orders were loaded without the counter (a conversion): continue after the highest number
        counter.last_sequence = max(counter.last_sequence, _highest_sequence() + 1)
    counter.save(update_fields=["last_sequence"])
    return _number(counter.last_sequence)


def _number(sequence: int) -> str:
    return f"WO-{sequence:06d}"
