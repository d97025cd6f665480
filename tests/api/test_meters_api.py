import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicbill.meters.conversion import MeterRow, meters_convert
from civicbill.meters.models import Read, ReadException
from civicbill.workorders.models import WorkOrder
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def meter_at_rosa(technician, rosa_account):
    meters_convert(
        rows=[
            MeterRow(
                serial_number="BA20000001", make="Badger", model="M25", size="5/8", meter_type="amr", dials=5,
                read_unit="CF", premise_id=rosa_account.premise_id, read_route="R01001", route_sequence=10,
                installed_on=dt.date(2026, 8, 1), install_read=Decimal(1_000),
                reads=((dt.date(2026, 9, 1), Decimal(2_480)), (dt.date(2026, 10, 1), Decimal(3_960)),
                       (dt.date(2026, 11, 1), Decimal(5_440))),
            )
        ],
        received_on=dt.date(2026, 8, 1),
        actor=technician,
    )  # fmt: skip


def test_a_meter_with_its_reads_and_the_usage_each_produced(client: Client, csr, meter_at_rosa):
    client.force_login(csr)
    body = client.get("/api/meters/BA20000001").json()
    assert body["meter"]["serial_number"] == "BA20000001"
    assert [(r["read_on"], r["consumption_hcf"]) for r in body["reads"]][-1] == ("2026-11-01", "14.800")


def test_a_read_posted_to_the_api_is_validated_and_held_when_lower(
    client: Client, csr, meter_at_rosa, frozen
):
    client.force_login(csr)
    response = client.post(
        "/api/reads/",
        json.dumps({"meter_serial": "BA20000001", "read_on": "2026-12-01", "value": "5400"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["accepted"] is False
    assert response.json()["exception_code"] == "lower_than_previous"


def test_an_unknown_meter_is_a_400_naming_it_and_nothing_is_stored(
    client: Client, csr, meter_at_rosa, frozen
):
    client.force_login(csr)
    before = Read.objects.count()
    with assert_nothing_changed():
        response = client.post(
            "/api/reads/",
            json.dumps({"meter_serial": "NOPE", "read_on": "2026-12-01", "value": "1"}),
            content_type="application/json",
        )
    assert response.status_code == 400
    assert "NOPE" in response.json()["detail"]
    assert Read.objects.count() == before


def test_a_file_preview_through_the_api_stores_nothing(client: Client, technician, meter_at_rosa, frozen):
    client.force_login(technician)
    content = b"meter_serial,read_date,read_value,source\nBA20000001,2026-12-01,6920,handheld\n"
    before = Read.objects.count()
    response = client.post(
        "/api/reads/import",
        {"file": SimpleUploadedFile("r.csv", content), "file_format": "csv", "preview": "true"},
    )
    assert response.status_code == 200
    assert response.json()["reads_accepted"] == 1
    assert Read.objects.count() == before
    committed = client.post(
        "/api/reads/import", {"file": SimpleUploadedFile("r.csv", content), "file_format": "csv"}
    )
    assert committed.status_code == 201
    assert Read.objects.count() == before + 1


def test_a_held_read_goes_to_a_reread_work_order_and_its_completion_resolves_it(
    client: Client, technician, field_worker, meter_at_rosa, frozen
):
    client.force_login(technician)
    client.post(
        "/api/reads/",
        json.dumps({"meter_serial": "BA20000001", "read_on": "2026-12-01", "value": "5400"}),
        content_type="application/json",
    )
    exception = ReadException.objects.get()
    listed = client.get("/api/read-exceptions/").json()
    assert [row["id"] for row in listed] == [exception.pk]
    created = client.post(
        "/api/workorders/reread",
        json.dumps({"read_exception_id": exception.pk}),
        content_type="application/json",
    )
    assert created.status_code == 201
    number = created.json()["number"]
    client.force_login(field_worker)
    done = client.post(
        f"/api/workorders/{number}/complete",
        json.dumps({"completed_on": "2026-12-01", "findings": "Re-read at the box", "read_value": "6920"}),
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed"
    exception.refresh_from_db()
    assert exception.status == "resolved"
    assert WorkOrder.objects.get(number=number).read is not None


def test_an_auditor_may_not_decide_a_held_read(client: Client, auditor, csr, meter_at_rosa, frozen):
    client.force_login(csr)
    client.post(
        "/api/reads/",
        json.dumps({"meter_serial": "BA20000001", "read_on": "2026-12-01", "value": "5400"}),
        content_type="application/json",
    )
    exception = ReadException.objects.get()
    client.force_login(auditor)
    with assert_nothing_changed():
        response = client.post(
            f"/api/read-exceptions/{exception.pk}/decision",
            json.dumps({"decision": "accept"}),
            content_type="application/json",
        )
    assert response.status_code == 403
    exception.refresh_from_db()
    assert exception.status == "open"


def test_receiving_a_shipment_through_the_api_lists_bad_rows(client: Client, technician):
    client.force_login(technician)
    content = (
        b"serial,make,model,size,dials,unit,multiplier\n"
        b"AP0001,Badger,M25,5/8,5,CF,1\n"
        b"AP0002,Badger,M25,5/8,11,CF,1\n"
    )
    response = client.post(
        "/api/meters/receive-file",
        {"file": SimpleUploadedFile("s.csv", content), "received_on": "2026-11-02"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [row["line"] for row in body["bad_rows"]] == [3]


def test_exchange_through_the_api_continues_consumption(client: Client, technician, meter_at_rosa):
    client.force_login(technician)
    client.post(
        "/api/meters/",
        json.dumps(
            {
                "serial_number": "NE1",
                "make": "Neptune",
                "size": "5/8",
                "dials": 5,
                "received_on": "2026-11-02",
            }
        ),
        content_type="application/json",
    )
    response = client.post(
        "/api/meters/BA20000001/exchange",
        json.dumps({"new_serial": "NE1", "exchanged_on": "2026-11-15", "old_read": "6000", "new_read": "0"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    removal = Read.objects.get(meter__serial_number="BA20000001", source="removal")
    assert removal.consumption_hcf == Decimal("5.6")  # 5,440 -> 6,000 CF
