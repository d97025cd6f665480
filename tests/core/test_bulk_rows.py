"""core.bulk_rows: values prepared exactly as the model's fields would send them, rows written by COPY
(PostgreSQL) or executemany in chunks (SQLite), on whichever database the tests run."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from civicbill.core import bulk_rows
from civicbill.core.bulk_rows import (
    FieldValues,
    ModelRows,
    insert_rows,
    prepare_value,
    reserve_ids,
    write_rows,
)
from civicbill.core.models import OfficeClosure, TaskProgress
from civicbill.ledger.models import JournalEntry, JournalLine
from civicbill.meters.models import IntervalRead

AT = dt.datetime(2026, 12, 1, 17, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("model", "name", "values"),
    [
        (JournalEntry, "id", [uuid.UUID(int=1), uuid.UUID(int=2), None]),
        (JournalLine, "entry_id", [uuid.UUID(int=3), None]),  # a key to a UUID is prepared as a UUID
        (JournalEntry, "accounting_date", [dt.date(2026, 11, 30), dt.date(2026, 11, 30), None]),
        (JournalEntry, "posted_at", [AT, AT + dt.timedelta(hours=1)]),
        (IntervalRead, "consumption", [Decimal("0.50"), Decimal("12.25")]),
        (JournalEntry, "memo", ["Bill 1", ""]),
        (JournalLine, "debit_cents", [0, 3630]),
    ],
)
def test_values_are_what_the_field_sends(db: Any, model: Any, name: str, values: list[Any]) -> None:
    field = model._meta.get_field(name)
    expected = [None if value is None else field.get_db_prep_save(value, connection) for value in values]
    prepared = FieldValues(model, name)

    assert [prepared.one(value) for value in values] == expected
    assert list(prepared.many(values)) == expected
    assert prepare_value(model, name, values[0]) == expected[0]


def test_a_uuid_is_32_hex_digits_on_sqlite_and_native_on_postgresql(db: Any) -> None:
    entry_id = uuid.uuid4()
    native = connection.features.has_native_uuid_field

    assert prepare_value(JournalEntry, "id", entry_id) == (entry_id if native else entry_id.hex)


def test_rows_round_trip_through_the_database(db: Any) -> None:
    columns = ("key", "kind", "label", "status", "total", "done", "exceptions", "message", "result",
               "started_by_id", "created_at", "updated_at", "finished_at")  # fmt: skip
    shared = {"bills": 3, "by": {"z": 1, "a": 2}}  # one object in both rows: dumped once, keys sorted
    rows = [
        (f"run-{n}", "bill_run", f"Run {n}", "done", 10, 10, n, "tab\there", shared, None, AT, AT, AT)
        for n in range(2)
    ]

    assert insert_rows(TaskProgress, columns, rows, json_columns=frozenset({"result"})) == 2

    stored = list(TaskProgress.objects.order_by("key").values_list("key", "message", "result", "created_at"))
    assert stored == [(f"run-{n}", "tab\there", shared, AT) for n in range(2)]


def test_a_generator_is_written_in_chunks(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk_rows, "EXECUTEMANY_ROWS", 2)  # SQLite: three executemany calls
    writer = ModelRows(OfficeClosure, ("closed_on", "reason"))

    def closures() -> Iterator[tuple[Any, ...]]:
        for day in range(1, 6):
            yield writer.row((dt.date(2026, 12, day), f"closed {day}"))

    assert writer.write(closures()) == 5
    assert OfficeClosure.objects.count() == 5
    assert OfficeClosure.objects.get(reason="closed 5").closed_on == dt.date(2026, 12, 5)


def test_nothing_to_write_writes_nothing(db: Any) -> None:
    assert write_rows(OfficeClosure._meta.db_table, ("closed_on", "reason"), iter(())) == 0
    assert insert_rows(OfficeClosure, ("closed_on", "reason"), []) == 0


def test_reserved_ids_are_fresh_and_in_order(db: Any) -> None:
    OfficeClosure.objects.create(closed_on=dt.date(2026, 12, 24), reason="Christmas Eve")
    highest = OfficeClosure.objects.order_by("-pk").values_list("pk", flat=True)[0]

    ids = reserve_ids(OfficeClosure, 3)

    assert len(set(ids)) == 3 and ids == sorted(ids) and ids[0] > highest
    assert reserve_ids(OfficeClosure, 0) == []
