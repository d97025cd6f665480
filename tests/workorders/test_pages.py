"""Work order pages: list filters, a new order from the counter, completion with field errors (422),
assign and cancel, the field sheet, the exceptions queue buttons, and who may do what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from civicbill.correspondence.models import Letter
from civicbill.meters.models import ReadException
from civicbill.workorders import services
from civicbill.workorders.models import WorkOrder, WorkOrderStatus
from tests.fixtures.sites import Site
from tests.pdf_helpers import pdf_page_count

pytestmark = pytest.mark.django_db


def _order(site: Site, actor: Any, work_type: str = "leak_check", **extra: Any) -> WorkOrder:
    return services.workorder_create(
        work_type=work_type,
        premise=site.account.premise,
        account=site.account,
        service_point=site.point,
        description="Check for a leak at the meter box",
        due_on=dt.date(2026, 12, 3),
        actor=actor,
        **extra,
        as_of=dt.date(2026, 12, 1),
    )


def test_the_list_shows_open_orders_and_filters(client: Client, site: Site, csr, technician, field_worker):
    leak = _order(site, technician)
    test = _order(site, technician, "meter_test")
    services.workorder_assign(work_order=leak, assignee=field_worker, actor=technician)
    client.force_login(csr)
    page = client.get("/workorders/").content.decode()
    assert "WO-000001" in page and "WO-000002" in page
    assert "52 Avenue 48" in page and "Rosa Peña" in page and "B2500417" in page
    page = client.get("/workorders/", {"work_type": "meter_test"}).content.decode()
    assert test.number in page and leak.number not in page
    page = client.get("/workorders/", {"assignee": str(field_worker.pk)}).content.decode()
    assert leak.number in page and test.number not in page
    page = client.get("/workorders/", {"route": "R01"}).content.decode()
    assert "No work orders match." in page
    page = client.get("/workorders/", {"status": "completed"}).content.decode()
    assert "WO-000001" not in page
    assert client.get("/workorders/", {"due_before": "yesterday"}).status_code == 422


def test_a_csr_creates_an_order_from_the_account(client: Client, site: Site, csr, frozen):
    client.force_login(csr)
    form = client.get("/workorders/new/", {"account": site.account.number}).content.decode()
    assert f'value="{site.account.number}"' in form
    assert 'value="2026-12-04"' in form  # three business days
    response = client.post(
        "/workorders/new/",
        {
            "account_number": site.account.number,
            "work_type": "leak_check",
            "priority": "3",
            "due_on": "2026-12-04",
            "description": "Customer hears water running at night.",
        },
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert response["Location"] == f"/workorders/{order.number}/"
    assert (order.account, order.meter, order.created_by, order.priority) == (
        site.account,
        site.meter,
        csr,
        3,
    )


def test_a_new_order_for_an_unknown_account_says_so(client: Client, site: Site, csr):
    client.force_login(csr)
    response = client.post(
        "/workorders/new/",
        {
            "account_number": "9999999-9",
            "work_type": "leak_check",
            "priority": "2",
            "due_on": "2026-12-04",
            "description": "x",
        },
    )
    assert response.status_code == 422
    assert "9999999-9" in response.content.decode()
    assert WorkOrder.objects.count() == 0


def test_field_staff_cannot_open_the_new_order_form(client: Client, site: Site, field_worker):
    client.force_login(field_worker)
    assert client.get("/workorders/new/").status_code == 403


def test_the_detail_page_offers_what_the_role_may_do(
    client: Client, site: Site, csr, field_worker, auditor, technician
):
    order = _order(site, technician)
    client.force_login(field_worker)
    page = client.get(f"/workorders/{order.number}/").content.decode()
    assert "Complete this work order" in page and "Cancel this work order" not in page
    client.force_login(csr)
    page = client.get(f"/workorders/{order.number}/").content.decode()
    assert "Complete this work order" not in page and "Cancel this work order" in page
    client.force_login(auditor)
    page = client.get(f"/workorders/{order.number}/").content.decode()
    assert "Complete this work order" not in page and f"/workorders/{order.number}/assign/" not in page
    assert "left of driveway" in page
    assert client.get("/workorders/WO-999999/").status_code == 404


def test_completing_with_errors_answers_422_naming_the_fields(
    client: Client, site: Site, field_worker, technician
):
    order = _order(site, technician, "meter_exchange")
    client.force_login(field_worker)
    response = client.post(
        f"/workorders/{order.number}/complete/",
        {"completed_on": "2026-12-01", "read_value": "12x", "old_read": "17510", "findings": ""},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Enter the read as a number, like 4512" in page
    assert "Give the serial number of the meter you installed." in page
    assert "Give the read of the meter you installed." in page
    response = client.post(
        f"/workorders/{order.number}/complete/", {"completed_on": "2026-12-01", "findings": "Replaced it"}
    )
    assert response.status_code == 422
    assert "is a meter exchange: give the new meter&#x27;s serial number" in response.content.decode()
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.OPEN


def test_a_service_refusal_is_shown_on_the_completion_form(
    client: Client, site: Site, field_worker, technician
):
    order = _order(site, technician, "meter_exchange")
    client.force_login(field_worker)
    response = client.post(
        f"/workorders/{order.number}/complete/",
        {"completed_on": "2026-12-01", "new_meter_serial": "NOPE-1", "old_read": "17510", "new_read": "0"},
    )
    assert response.status_code == 422
    assert "No meter with serial number NOPE-1." in response.content.decode()


def test_field_staff_complete_an_order(client: Client, site: Site, field_worker, technician):
    order = _order(site, technician)
    client.force_login(field_worker)
    response = client.post(
        f"/workorders/{order.number}/complete/",
        {"completed_on": "2026-12-01", "findings": "Irrigation valve stuck open; customer will repair."},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.completed_by) == (WorkOrderStatus.COMPLETED, field_worker)
    page = client.get(f"/workorders/{order.number}/").content.decode()
    assert "Irrigation valve stuck open" in page and "Complete this work order" not in page


@pytest.mark.parametrize("role", ["CSR", "Auditor"])
def test_csrs_and_auditors_cannot_complete_even_by_forging_the_request(
    client: Client, site: Site, technician, make_user, role
):
    order = _order(site, technician)
    client.force_login(make_user(role, f"someone-{role.lower()}"))
    response = client.post(
        f"/workorders/{order.number}/complete/", {"completed_on": "2026-12-01", "findings": "x"}
    )
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.OPEN


def test_assign_and_cancel_from_the_page(client: Client, site: Site, csr, field_worker, technician):
    order = _order(site, technician)
    client.force_login(csr)
    response = client.post(f"/workorders/{order.number}/assign/", {"assignee": str(field_worker.pk)})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.assigned_to) == (WorkOrderStatus.ASSIGNED, field_worker)
    response = client.post(f"/workorders/{order.number}/cancel/", {"reason": ""})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    response = client.post(f"/workorders/{order.number}/cancel/", {"reason": "Customer fixed it"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (WorkOrderStatus.CANCELLED, "Customer fixed it")


def test_the_field_sheet_page_and_pdf(client: Client, site: Site, field_worker, technician, frozen):
    _order(site, technician)
    client.force_login(field_worker)
    page = client.get("/workorders/field-sheet/", {"date": "2026-12-03", "route": "R07"}).content.decode()
    assert "WO-000001" in page and "1 stop" in page
    response = client.get("/workorders/field-sheet.pdf", {"date": "2026-12-03", "route": "R07"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="field-sheet-2026-12-03-R07.pdf"'
    assert pdf_page_count(response.content) == 1
    bad = client.get("/workorders/field-sheet.pdf", {"date": "2026-13-45"})
    assert bad.status_code == 400
    assert "date" in bad.content.decode()


def test_the_exceptions_queue_sends_a_reread(client: Client, site: Site, technician):
    client.force_login(technician)
    response = client.post(f"/workorders/exceptions/{site.exception.pk}/reread/")
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert response["Location"] == f"/workorders/{order.number}/"
    site.exception.refresh_from_db()
    assert site.exception.status == ReadException.Status.REREAD_REQUESTED
    again = client.post(
        f"/workorders/exceptions/{site.exception.pk}/reread/", HTTP_REFERER="/meters/exceptions/"
    )
    assert again.status_code == 302 and again["Location"] == "/meters/exceptions/"
    assert WorkOrder.objects.count() == 1


def test_the_exceptions_queue_confirms_high_use(client: Client, site: Site, technician, csr):
    client.force_login(csr)
    assert client.post(f"/workorders/exceptions/{site.exception.pk}/high-usage/").status_code == 403
    client.force_login(technician)
    response = client.post(f"/workorders/exceptions/{site.exception.pk}/high-usage/")
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    letter = Letter.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert order.number in page
    assert f"/workorders/letters/{letter.pk}.pdf" in page
