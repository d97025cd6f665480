"""Inventory reads: the list, counts by status and size, and a meter's full history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.customers.models import Account
from civicbill.meters import services
from civicbill.meters.models import MeterStatus
from civicbill.meters.selectors import inventory_counts, meter_get, meter_history, meters_list
from tests.meters.inventory_helpers import RECEIVED_ON, add_read, premise, receive, service_point

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def inventory(technician: Any) -> None:
    for serial, size in [("A-1", "5/8"), ("A-2", "5/8"), ("A-3", "3/4"), ("B-1", "1"), ("B-2", "5/8")]:
        receive(technician, serial, size=size)
    point = service_point(technician, premise(technician, "12"))
    services.meter_install(
        meter=meter_get("B-2"),
        service_point=point,
        installed_on=dt.date(2026, 8, 1),
        install_read=Decimal(0),
        actor=technician,
    )


@pytest.mark.usefixtures("inventory")
def test_inventory_counts_are_one_group_by_of_status_and_size(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        counts = inventory_counts()
    assert counts == {
        ("in_stock", "5/8"): 2,
        ("in_stock", "3/4"): 1,
        ("in_stock", "1"): 1,
        ("installed", "5/8"): 1,
    }


@pytest.mark.usefixtures("inventory")
def test_the_list_filters_by_status_size_and_serial_prefix() -> None:
    def serials(**filters: Any) -> list[str]:
        return [meter.serial_number for meter in meters_list(**filters)]

    assert serials() == ["A-1", "A-2", "A-3", "B-1", "B-2"]
    assert serials(status="in_stock", size="5/8") == ["A-1", "A-2"]
    assert serials(status="installed") == ["B-2"]
    assert serials(serial_prefix="B") == ["B-1", "B-2"]
    assert serials(limit=2) == ["A-1", "A-2"]
    with pytest.raises(ApplicationError, match=r"^'lost' is not a meter status"):
        meters_list(status="lost")


@pytest.mark.usefixtures("inventory")
def test_a_meter_is_found_by_its_serial_ignoring_case_and_spaces() -> None:
    assert meter_get(" a-3 ").serial_number == "A-3"
    with pytest.raises(NotFoundError, match=r"^No meter with serial number Z-9\.$"):
        meter_get("Z-9")


def test_a_meter_history_tells_where_it_was_who_lived_there_its_reads_and_tests(
    technician: Any, rosa_account: Account, django_assert_max_num_queries: Any
) -> None:
    meter = receive(technician, "HIST-1")
    first = service_point(technician, premise(technician, "14"), route="R01", sequence=5)
    installed = services.meter_install(
        meter=meter,
        service_point=first,
        installed_on=dt.date(2026, 7, 6),
        install_read=Decimal(100),
        actor=technician,
    )
    add_read(installed, dt.date(2026, 8, 5), 1_600, actor=technician)
    services.meter_remove(
        meter=meter, removed_on=dt.date(2026, 9, 1), removal_read=Decimal(2_000), actor=technician
    )
    services.meter_test_record(
        meter=meter, tested_on=dt.date(2026, 9, 3), accuracy_percent=Decimal("99.80"), actor=technician
    )
    services.meter_status_change(
        meter=meter,
        to_status=MeterStatus.IN_STOCK,
        changed_on=dt.date(2026, 9, 4),
        reason="passed",
        actor=technician,
    )
    rosa_point = service_point(technician, rosa_account.premise, route="R03", sequence=7)
    services.meter_install(
        meter=meter,
        service_point=rosa_point,
        installed_on=dt.date(2026, 11, 10),
        install_read=Decimal(2_000),
        actor=technician,
    )
    with django_assert_max_num_queries(6):
        history = meter_history(meter)
    assert history.meter.status == MeterStatus.INSTALLED
    assert [(c.from_status, c.to_status, c.changed_on) for c in history.status_changes] == [
        ("", "received", RECEIVED_ON),
        ("received", "in_stock", RECEIVED_ON),
        ("in_stock", "installed", dt.date(2026, 7, 6)),
        ("installed", "removed", dt.date(2026, 9, 1)),
        ("removed", "tested", dt.date(2026, 9, 3)),
        ("tested", "in_stock", dt.date(2026, 9, 4)),
        ("in_stock", "installed", dt.date(2026, 11, 10)),
    ]
    assert [
        (r.premise_address, r.account_number, r.account_numbers, r.installation.removed_on)
        for r in history.installations
    ] == [
        ("14 Avenue 48, Coachella, CA 92236", "", (), dt.date(2026, 9, 1)),
        ("52 Avenue 48, Coachella, CA 92236", rosa_account.number, (rosa_account.number,), None),
    ]
    assert [(r.read_on, r.value, r.status, r.source, r.consumption_hcf) for r in history.reads] == [
        (dt.date(2026, 7, 6), Decimal("100.000"), "actual", "install", Decimal("0.000")),
        (dt.date(2026, 8, 5), Decimal("1600.000"), "actual", "manual", Decimal("15.000")),
        (dt.date(2026, 9, 1), Decimal("2000.000"), "actual", "removal", Decimal("4.000")),
        (dt.date(2026, 11, 10), Decimal("2000.000"), "actual", "install", Decimal("0.000")),
    ]
    assert [(t.tested_on, t.accuracy_percent, t.passed) for t in history.tests] == [
        (dt.date(2026, 9, 3), Decimal("99.80"), True)
    ]
