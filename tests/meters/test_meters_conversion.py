"""Meters converted from a legacy system: each status change carries the date it happened."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.meters.conversion import MeterRow, meters_convert
from civicbill.meters.models import MeterStatusChange
from tests.meters.inventory_helpers import premise

pytestmark = pytest.mark.django_db

CONVERTED_ON = dt.date(2025, 10, 1)


def _row(serial: str, **fields: Any) -> MeterRow:
    return MeterRow(serial_number=serial, make="Badger", model="M25", size="5/8", meter_type="amr", dials=6,
                    read_unit="CF", **fields)  # fmt: skip


def test_a_converted_meter_was_in_stock_by_the_day_it_was_installed_not_on_the_conversion(
    frozen: Any, technician: Any
) -> None:
    at = premise(technician, "101")
    converted = meters_convert(
        rows=[
            _row(
                "LG00000001",
                premise_id=at.pk,
                read_route="R01",
                route_sequence=10,
                installed_on=dt.date(2021, 3, 9),
                install_read=Decimal(1_200),
            ),
            _row("LG00000002"),  # still in stock
        ],
        received_on=CONVERTED_ON,
        actor=technician,
    )
    assert converted == 2
    changes = list(
        MeterStatusChange.objects.order_by("meter__serial_number", "id").values_list(
            "meter__serial_number", "from_status", "to_status", "changed_on"
        )
    )
    assert changes == [
        ("LG00000001", "", "in_stock", dt.date(2021, 3, 9)),
        ("LG00000001", "in_stock", "installed", dt.date(2021, 3, 9)),
        ("LG00000002", "", "in_stock", CONVERTED_ON),
    ]
