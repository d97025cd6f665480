"""The work order list filters and the daily field sheet (rows, route order, PDF)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.workorders import selectors, services
from civicbill.workorders.models import WorkOrder
from civicbill.workorders.pdf import field_sheet_pdf
from tests.fixtures.sites import Site
from tests.pdf_helpers import pdf_objects_text, pdf_page_count

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)


def _order(site: Site, actor: Any, work_type: str, due_on: dt.date, **extra: Any) -> WorkOrder:
    return services.workorder_create(
        work_type=work_type,
        premise=site.account.premise,
        account=site.account,
        service_point=site.point,
        description=f"{work_type} at the meter",
        due_on=due_on,
        actor=actor,
        **extra,
        as_of=TODAY,
    )


@pytest.fixture
def orders(site: Site, technician, field_worker, frozen) -> dict[str, WorkOrder]:
    reread = services.reread_request(exception=site.exception, actor=technician, as_of=TODAY)  # due 12-04
    leak = _order(site, technician, "leak_check", TODAY)
    test = _order(site, technician, "meter_test", dt.date(2026, 12, 2))
    cancelled = _order(site, technician, "broken_meter", TODAY)
    services.workorder_assign(work_order=leak, assignee=field_worker, actor=technician)
    services.workorder_cancel(work_order=cancelled, reason="duplicate of WO-000002", actor=technician)
    return {"reread": reread, "leak": leak, "test": test, "cancelled": cancelled}


def _numbers(orders: Any) -> list[str]:
    return [order.number for order in orders]


def test_the_list_filters_by_type_status_route_assignee_and_due_date(orders, field_worker):
    assert _numbers(selectors.workorders_list()) == ["WO-000002", "WO-000004", "WO-000003", "WO-000001"]
    assert _numbers(selectors.workorders_list(status="active")) == ["WO-000002", "WO-000003", "WO-000001"]
    assert _numbers(selectors.workorders_list(status="cancelled")) == ["WO-000004"]
    assert _numbers(selectors.workorders_list(work_type="reread")) == ["WO-000001"]
    assert _numbers(selectors.workorders_list(route="R07", status="open")) == ["WO-000003", "WO-000001"]
    assert _numbers(selectors.workorders_list(route="R99")) == []
    assert _numbers(selectors.workorders_list(assignee=field_worker)) == ["WO-000002"]
    assert _numbers(selectors.workorders_list(assignee="unassigned", status="active")) == [
        "WO-000003",
        "WO-000001",
    ]
    assert _numbers(selectors.workorders_list(due_before=dt.date(2026, 12, 2))) == ["WO-000002", "WO-000004"]


def test_the_list_is_one_query_whatever_its_length(orders, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = [
            (o.premise.address_line, o.account.customer.display_name, o.meter.serial_number)
            for o in selectors.workorders_list()
        ]
    assert rows[0] == ("52 Avenue 48", "Rosa Peña", "B2500417")


def test_a_work_order_is_found_by_its_number_in_any_form(orders):
    assert selectors.workorder_get("wo-000003").number == "WO-000003"
    assert selectors.workorder_get("3").number == "WO-000003"


def test_the_field_sheet_holds_the_days_open_orders_and_overdue_ones(orders, field_worker):
    rows = selectors.field_sheet(on=dt.date(2026, 12, 2))
    assert [(row.number, row.overdue) for row in rows] == [("WO-000002", True), ("WO-000003", False)]
    first = rows[0]
    assert (first.address, first.route, first.route_sequence, first.location_note) == (
        "52 Avenue 48",
        "R07",
        120,
        "left of driveway",
    )
    assert (first.meter_serial, first.meter_dials, first.read_unit) == ("B2500417", 5, "CF")
    assert (first.last_read_value, first.last_read_on) == (Decimal("13000.000"), dt.date(2026, 10, 31))
    assert (first.account_number, first.customer_name, first.customer_phone) == (
        orders["leak"].account.number,
        "Rosa Peña",
        "760-555-0142",
    )
    assert first.assignee == "field"
    assert [row.number for row in selectors.field_sheet(on=dt.date(2026, 12, 4), assignee=field_worker)] == [
        "WO-000002"
    ]
    assert selectors.field_sheet(on=dt.date(2026, 12, 4), route="R01") == []


def test_the_field_sheet_pdf_lists_every_stop(orders):
    rows = selectors.field_sheet(on=dt.date(2026, 12, 4), route="R07")
    pdf = field_sheet_pdf(rows, on=dt.date(2026, 12, 4), route="R07")
    assert pdf.startswith(b"%PDF-")
    assert pdf_page_count(pdf) == 1
    assert b"Field sheet 2026-12-04" in pdf_objects_text(pdf)  # the document title


def test_a_long_field_sheet_runs_onto_more_pages(frozen):
    empty = selectors.field_sheet(on=TODAY)
    assert empty == []
    assert pdf_page_count(field_sheet_pdf(empty, on=TODAY)) == 1  # "No work orders are due on this day."
    row = selectors.FieldSheetRow(
        number="WO-000001",
        work_type="reread",
        work_type_label="Re-read",
        priority_label="High",
        status="open",
        due_on=TODAY,
        overdue=False,
        address="52 Avenue 48",
        account_number="1000001-6",
        customer_name="Rosa Peña",
        customer_phone="760-555-0142",
        route="R07",
        route_sequence=120,
        location_note="left of driveway",
        meter_serial="B2500417",
        meter_size='5/8"',
        meter_dials=5,
        read_unit="CF",
        last_read_value=Decimal(13000),
        last_read_on=dt.date(2026, 10, 31),
        description="Re-read meter B2500417",
        assignee="",
    )
    # nine such stops fit under the heading of the first page, ten on each page after it
    counts = {n: pdf_page_count(field_sheet_pdf([row] * n, on=TODAY)) for n in (9, 10, 19, 20)}
    assert counts == {9: 1, 10: 2, 19: 2, 20: 3}
