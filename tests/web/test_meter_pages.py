import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from civicbill.meters.conversion import MeterRow, meters_convert
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def meters(technician, rosa_account):
    meters_convert(
        rows=[
            MeterRow(
                serial_number="BA20000001",
                make="Badger",
                model="M25",
                size="5/8",
                meter_type="amr",
                dials=5,
                read_unit="CF",
                premise_id=rosa_account.premise_id,
                read_route="R01001",
                route_sequence=10,
                installed_on=dt.date(2026, 9, 1),
                install_read=Decimal(99_900),
                reads=((dt.date(2026, 10, 1), Decimal(400)), (dt.date(2026, 11, 1), Decimal(1_882))),
            ),
            MeterRow(
                serial_number="NE30000001",
                make="Neptune",
                model="T-10",
                size="3/4",
                meter_type="amr",
                dials=5,
                read_unit="CF",
            ),
        ],
        received_on=dt.date(2026, 8, 1),
        actor=technician,
    )


def test_the_inventory_counts_meters_by_status_and_size(client: Client, csr, meters):
    client.force_login(csr)
    page = client.get("/meters/").content.decode()
    assert "2 meters by status and size" in page
    assert "In stock" in page and "Installed" in page


def test_a_serial_typed_in_full_opens_the_meter(client: Client, csr, meters):
    client.force_login(csr)
    response = client.get("/meters/", {"serial": "ba20000001"})
    assert response.status_code == 302
    assert response["Location"] == "/meters/BA20000001/"


def test_a_meter_page_shows_where_it_is_and_the_usage_each_read_produced(
    client: Client, csr, meters, rosa_account
):
    client.force_login(csr)
    page = client.get("/meters/BA20000001/").content.decode()
    assert "52 Avenue 48, Coachella, CA 92236" in page
    assert rosa_account.number in page
    assert "(rollover)" in page  # 99,900 -> 400 on a 5-dial register is 500 CF = 5 HCF
    assert ">5<" in page or ">5.00<" in page
    assert "14.82" in page  # 400 -> 1,882 CF


def test_an_unknown_serial_is_a_404_naming_it(client: Client, csr, meters):
    client.force_login(csr)
    response = client.get("/meters/XX1/")
    assert response.status_code == 404
    assert "No meter with serial number XX1" in response.content.decode()


def test_the_inventory_is_refused_to_a_user_without_the_role(client: Client, make_user):
    from django.contrib.auth.models import User

    nobody = User.objects.create_user(username="nobody", password="x-password-123")
    client.force_login(nobody)
    assert client.get("/meters/").status_code == 403


def test_a_shipment_file_is_received_with_bad_rows_listed_by_line(client: Client, technician):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from civicbill.meters.models import Meter

    content = (
        b"serial,make,model,size,dials,unit,multiplier\n"
        b"SH0001,Badger,M25,5/8,5,CF,1\n"
        b"SH0002,Badger,M25,7/8,5,CF,1\n"
        b"SH0003,Badger,M25,3/4,5,CF,1\n"
    )
    client.force_login(technician)
    response = client.post(
        "/meters/receive/",
        {"what": "file", "received_on": "2026-11-02", "file": SimpleUploadedFile("ship.csv", content)},
    )
    page = response.content.decode()
    assert "2 of 3 meters received." in page
    assert ">3<" in page  # the refused row's line number
    assert sorted(Meter.objects.values_list("serial_number", flat=True)) == ["SH0001", "SH0003"]


def test_a_stock_meter_is_installed_at_an_account_from_its_page(
    client: Client, technician, meters, rosa_account
):
    from civicbill.meters.models import Meter, MeterInstallation

    client.force_login(technician)
    # Rosa's premise already has BA20000001: exchange it for the stock meter instead
    response = client.post(
        "/meters/BA20000001/action/",
        {
            "action": "exchange",
            "new_serial": "NE30000001",
            "on": "2026-11-15",
            "old_read": "2000",
            "new_read": "0",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/meters/NE30000001/"
    assert Meter.objects.get(serial_number="BA20000001").status == "removed"
    installation = MeterInstallation.objects.get(meter__serial_number="NE30000001")
    assert (installation.installed_on, installation.install_read) == (dt.date(2026, 11, 15), Decimal(0))


def test_a_refused_meter_action_says_why_and_changes_nothing(client: Client, technician, meters):
    from civicbill.meters.models import Meter

    client.force_login(technician)
    response = client.post(
        "/meters/BA20000001/action/", {"action": "remove", "on": "2026-11-15", "read": "1000"}, follow=True
    )
    assert "lower than" in response.content.decode()
    assert Meter.objects.get(serial_number="BA20000001").status == "installed"


def test_a_csr_cannot_do_meter_work(client: Client, csr, meters):
    client.force_login(csr)
    with assert_nothing_changed():
        assert client.post("/meters/BA20000001/action/", {"action": "remove"}).status_code == 403
    assert client.get("/meters/receive/").status_code == 403
