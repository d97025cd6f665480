"""Row locks for the meters app, in one place (ARCHITECTURE rule 10).

Each function must run inside ``transaction.atomic``. On PostgreSQL they take ``SELECT ... FOR UPDATE``
row locks; on SQLite ``select_for_update`` is a no-op, but every SQLite transaction opens with
``BEGIN IMMEDIATE`` (settings), which serialises writers for the whole transaction.

Lock order, to avoid deadlocks: service points, then meters (by id).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from civicbill.meters.models import Meter, ServicePoint


def lock_service_point(service_point_id: int) -> ServicePoint:
    return ServicePoint.objects.select_for_update().get(pk=service_point_id)


def lock_meter(meter_id: int) -> Meter:
    return Meter.objects.select_for_update().get(pk=meter_id)


def lock_meters(meter_ids: Iterable[int]) -> dict[int, Meter]:
    """Lock several meters in id order (the same order everywhere, so two exchanges cannot deadlock)."""
    ids = sorted(set(meter_ids))
    return {meter.pk: meter for meter in Meter.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def lock_meter_ids(meter_ids: Sequence[int]) -> None:
    """Lock many meters (a read import) in id order, without loading them as model instances. On SQLite
    there are no row locks to take (the IMMEDIATE transaction already holds the write lock)."""
    if not connection.features.has_select_for_update:
        return
    ids = sorted(set(meter_ids))
    batch = min(connection.features.max_query_params or 10_000, 10_000) - 50
    for start in range(0, len(ids), batch):
        list(
            Meter.objects.select_for_update()
            .filter(pk__in=ids[start : start + batch])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
