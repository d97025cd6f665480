"""Route entry, the exceptions queue and file import, through the staff pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from civicbill.meters.conversion import MeterRow, meters_convert
from civicbill.meters.models import Read, ReadException, ReadImport
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def meter_at_rosa(technician, rosa_account):
    """A 5-dial CF meter on route R01001 with three months of about 14.8 HCF a month."""
    meters_convert(
        rows=[
            MeterRow(
                serial_number="BA20000001", make="Badger", model="M25", size="5/8", meter_type="amr", dials=5,
                read_unit="CF", premise_id=rosa_account.premise_id, read_route="R01001", route_sequence=10,
                installed_on=dt.date(2026, 8, 1), install_read=Decimal(1_000),
                reads=(
                    (dt.date(2026, 9, 1), Decimal(2_480)),
                    (dt.date(2026, 10, 1), Decimal(3_960)),
                    (dt.date(2026, 11, 1), Decimal(5_440)),
                ),
            )
        ],
        received_on=dt.date(2026, 8, 1),
        actor=technician,
    )  # fmt: skip


def test_the_route_page_lists_meters_in_sequence_with_the_previous_read(client: Client, csr, meter_at_rosa):
    client.force_login(csr)
    page = client.get("/reads/route/", {"route": "R01001", "date": "2026-12-01"}).content.decode()
    assert "1 meter in read order" in page
    assert "BA20000001" in page
    assert "5,440" in page  # the previous read
    assert "52 Avenue 48" in page


def test_a_read_typed_on_the_route_is_checked_and_stored(client: Client, csr, meter_at_rosa, frozen):
    client.force_login(csr)
    response = client.post(
        "/reads/route/read/", {"meter_serial": "BA20000001", "read_on": "2026-12-01", "value": "6,920"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 200
    assert "Accepted: 14.8 HCF" in response.content.decode()
    read = Read.objects.get(read_on=dt.date(2026, 12, 1))
    assert (read.value, read.status, read.consumption_hcf) == (Decimal(6_920), "actual", Decimal("14.8"))


def test_a_read_below_the_previous_is_held_for_review(client: Client, csr, meter_at_rosa, frozen):
    client.force_login(csr)
    response = client.post(
        "/reads/route/read/", {"meter_serial": "BA20000001", "read_on": "2026-12-01", "value": "5400"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert "Held for review" in response.content.decode()
    assert ReadException.objects.get().code == "lower_than_previous"


def test_letters_typed_as_a_read_are_refused_and_nothing_is_stored(
    client: Client, csr, meter_at_rosa, frozen
):
    client.force_login(csr)
    with assert_nothing_changed():
        response = client.post(
            "/reads/route/read/", {"meter_serial": "BA20000001", "read_on": "2026-12-01", "value": "69z0"},
            HTTP_HX_REQUEST="true",
        )  # fmt: skip
    assert response.status_code == 422
    assert "is not a number" in response.content.decode()
    assert not Read.objects.filter(read_on=dt.date(2026, 12, 1)).exists()


@pytest.mark.parametrize("typed", ["٦٩٢٠", "6²", "6,92,0", "1,0040", "6 920", "6e3", "-6920", "."])
def test_odd_digits_typed_as_a_read_are_refused_on_the_route_and_the_account_page(
    client: Client, csr, meter_at_rosa, rosa_account, frozen, typed
):
    client.force_login(csr)
    route = client.post(
        "/reads/route/read/", {"meter_serial": "BA20000001", "read_on": "2026-12-01", "value": typed},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    account = client.post(
        f"/accounts/{rosa_account.number}/reads/",
        {"meter_serial": "BA20000001", "read_on": "2026-12-01", "value": typed},
        follow=True,
    )
    assert route.status_code == 422
    assert "is not a number" in route.content.decode()
    assert "Type the read as a number and its date." in account.content.decode()
    assert not Read.objects.filter(read_on=dt.date(2026, 12, 1)).exists()


def test_a_technician_corrects_a_held_read_from_the_queue(client: Client, technician, meter_at_rosa, frozen):
    client.force_login(technician)
    client.post(
        "/reads/route/read/", {"meter_serial": "BA20000001", "read_on": "2026-12-01", "value": "5400"}
    )
    exception = ReadException.objects.get()
    page = client.get("/reads/exceptions/").content.decode()
    assert "1 read waiting for a decision" in page
    response = client.post(
        f"/reads/exceptions/{exception.pk}/decide/",
        {"decision": "correct", "corrected_value": "6920", "note": "digits transposed"},
    )
    assert response.status_code == 302
    exception.refresh_from_db()
    assert exception.status == "corrected"
    current = Read.objects.get(read_on=dt.date(2026, 12, 1), status="actual")
    assert (current.value, current.consumption_hcf) == (Decimal(6_920), Decimal("14.8"))


def test_a_csr_may_not_decide_held_reads(client: Client, csr, meter_at_rosa, frozen):
    client.force_login(csr)
    assert client.get("/reads/exceptions/").status_code == 403


def test_an_import_is_previewed_then_committed_and_refused_the_second_time(
    client: Client, technician, meter_at_rosa, frozen
):
    client.force_login(technician)
    content = (
        b"meter_serial,read_date,read_value,source\n"
        b"BA20000001,2026-12-01,6920,handheld\n"
        b"NOPE,2026-12-01,1,handheld\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    preview = client.post(
        "/reads/import/", {"format": "csv", "file": SimpleUploadedFile("route.csv", content)}
    )
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Preview — nothing is stored yet" in page
    assert not Read.objects.filter(read_on=dt.date(2026, 12, 1)).exists()
    sha = page.split('name="sha256" value="')[1].split('"')[0]
    committed = client.post(
        "/reads/import/", {"commit": "1", "sha256": sha, "format": "csv", "file_name": "route.csv"}
    )
    assert "Imported" in committed.content.decode()
    assert Read.objects.filter(read_on=dt.date(2026, 12, 1), status="actual").count() == 1
    assert ReadImport.objects.get().rows_bad == 1
    with assert_nothing_changed():
        again = client.post(
            "/reads/import/", {"format": "csv", "file": SimpleUploadedFile("route.csv", content)}
        )
    assert again.status_code == 422
    assert ReadImport.objects.count() == 1


def test_the_account_page_shows_water_use_and_takes_a_read(
    client: Client, csr, meter_at_rosa, rosa_account, frozen
):
    client.force_login(csr)
    page = client.get(f"/accounts/{rosa_account.number}/").content.decode()
    assert "Water use" in page and "BA20000001" in page
    assert "<svg" in page
    response = client.post(
        f"/accounts/{rosa_account.number}/reads/",
        {"meter_serial": "BA20000001", "read_on": "2026-12-01", "value": "6920"},
    )
    assert response.status_code == 302
    assert Read.objects.filter(read_on=dt.date(2026, 12, 1), source="manual", status="actual").count() == 1
