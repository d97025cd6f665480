"""Receiving meters into stock: one at a time, and from a vendor shipment file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.core.money import Money
from civicbill.meters import services
from civicbill.meters.models import Meter, MeterStatus, MeterStatusChange
from civicbill.meters.shipment import BadRow, ShipmentFileError
from tests.fixtures.database import assert_nothing_changed
from tests.meters.inventory_helpers import receive

pytestmark = [pytest.mark.usefixtures("frozen"), pytest.mark.django_db]

ARRIVED = dt.date(2026, 11, 20)
HEADER = "serial,make,model,size,dials,unit,multiplier"


def _history(meter: Meter) -> list[tuple[str, str, dt.date]]:
    return list(
        MeterStatusChange.objects.filter(meter=meter)
        .order_by("id")
        .values_list("from_status", "to_status", "changed_on")
    )


# -- one meter -----------------------------------------------------------------------------------


def test_a_received_meter_is_in_stock_with_received_then_in_stock_in_its_history(technician: Any) -> None:
    meter = services.meter_receive(
        serial_number="BDG-0001",
        make="Badger",
        model="M25",
        size='5/8"',
        meter_type="positive_displacement",
        dials=5,
        read_unit="cf",
        multiplier=Decimal(1),
        endpoint_id="",
        purchase_date=dt.date(2026, 11, 2),
        purchase_cost=Money.parse("142.50"),
        received_on=ARRIVED,
        actor=technician,
    )
    stored = Meter.objects.get(serial_number="BDG-0001")
    assert stored.pk == meter.pk
    assert (stored.status, stored.size, stored.read_unit, stored.dials) == ("in_stock", "5/8", "CF", 5)
    assert stored.purchase_cost_cents == 14250
    assert stored.multiplier == Decimal("1.0000")
    assert _history(stored) == [("", "received", ARRIVED), ("received", "in_stock", ARRIVED)]
    event = AuditEvent.objects.get(action="meter.receive")
    assert (event.target_type, event.target_id, event.actor_username) == (
        "meters.meter",
        str(meter.pk),
        "technician",
    )
    assert event.changes["serial_number"] == {"before": None, "after": "BDG-0001"}


def test_a_serial_already_in_inventory_is_refused_and_nothing_is_written(technician: Any) -> None:
    receive(technician, "BDG-0001")
    changes_before = MeterStatusChange.objects.count()
    with pytest.raises(
        ApplicationError, match=r"^Meter BDG-0001 is already in inventory \(in stock\)\.$"
    ) as caught:
        receive(technician, "BDG-0001")
    assert caught.value.field == "serial_number"
    assert Meter.objects.count() == 1
    assert MeterStatusChange.objects.count() == changes_before
    assert AuditEvent.objects.filter(action="meter.receive").count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"size": "7/8"},
            "size",
            "Size '7/8' is not a meter size; use one of 5/8, 3/4, 1, 1-1/2, 2, 3, 4, 6, 8.",
        ),
        ({"dials": 11}, "dials", "Dials must be a whole number from 1 to 10, not '11'."),
        ({"dials": 0}, "dials", "Dials must be a whole number from 1 to 10, not '0'."),
        ({"read_unit": "liters"}, "read_unit", "Read unit 'liters' is not known; use CF, HCF, GAL or KGAL."),
        ({"multiplier": Decimal(0)}, "multiplier", "Multiplier must be more than 0, not 0."),
        ({"serial_number": "  "}, "serial_number", "Serial number is required."),
        ({"make": ""}, "make", "Make is required."),
        (
            {"purchase_cost": Money.parse("-1.00")},
            "purchase_cost",
            "Purchase cost cannot be negative (-1.00).",
        ),
    ],
)
def test_a_bad_field_is_refused_naming_the_field_and_nothing_is_written(
    technician: Any, changes: dict[str, Any], field: str, message: str
) -> None:
    values: dict[str, Any] = {
        "serial_number": "BDG-0002",
        "make": "Badger",
        "size": "3/4",
        "meter_type": "turbine",
        "dials": 6,
        "read_unit": "HCF",
        "received_on": ARRIVED,
        **changes,
    }
    with pytest.raises(ApplicationError) as caught:
        services.meter_receive(**values, actor=technician)
    assert (caught.value.field, caught.value.message) == (field, message)
    assert not Meter.objects.exists()
    assert not MeterStatusChange.objects.exists()


@pytest.mark.parametrize("role", ["csr", "auditor"])
def test_only_meter_staff_receive_meters(role: str, request: pytest.FixtureRequest) -> None:
    actor = request.getfixturevalue(role)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match=r"\(meters.manage\)"):
        receive(actor, "BDG-0003")
    assert not Meter.objects.exists()


def test_field_staff_may_receive_meters(field_worker: Any) -> None:
    assert receive(field_worker, "BDG-0004").status == MeterStatus.IN_STOCK


# -- shipment files ------------------------------------------------------------------------------

SHIPMENT = "\n".join(
    [
        "Serial, Make, Model, Size, Dials, Unit, Multiplier, purchase_date, cost, type, endpoint_id",
        "S-100,Badger,M25,5/8,5,CF,1,2026-11-02,142.50,,",  # 2 good
        "S-101,Badger,M25,,5,CF,1,,,,",  # 3 missing size
        "S-102,Badger,M25,7/8,5,CF,1,,,,",  # 4 unknown size
        "S-103,Badger,M25,3/4,0,CF,1,,,,",  # 5 dials 0
        "S-104,Badger,M25,3/4,11,CF,1,,,,",  # 6 dials 11
        "S-105,Badger,M25,3/4,6,liters,1,,,,",  # 7 unknown unit
        "S-106,Badger,M25,3/4,6,GAL,0,,,,",  # 8 multiplier 0
        "S-107,Badger,M25,3/4,6,GAL,-10,,,,",  # 9 negative multiplier
        "S-100,Badger,M25,5/8,5,CF,1,,,,",  # 10 duplicate of line 2
        "OLD-1,Badger,M25,5/8,5,CF,1,,,,",  # 11 already in inventory
        "S-108,Sensus,iPERL,1 1/2,6,gallons,,2026-13-01,,,",  # 12 bad purchase date
        "S-109,Sensus,iPERL,1,6,KGAL,,,12.345,,",  # 13 bad cost
        "S-110,Neptune,T-10,2,6,HCF,10,,,turbine,",  # 14 good (turbine, x10)
        "",  # 15 blank line: skipped
        "S-111,Neptune,T-10,2",  # 16 too few cells
        "S-112,Neptune,R900,1.5,6,GAL,,,,AMR,EP-77",  # 17 good (1½", AMR endpoint)
        "S-113,Mueller,,3/4,4,CF,1,,,rocket,",  # 18 unknown type
    ]
).encode()

EXPECTED_BAD = [
    BadRow(3, "S-101", "Size is required (5/8, 3/4, 1, 1-1/2, 2, 3, 4, 6 or 8)."),
    BadRow(4, "S-102", "Size '7/8' is not a meter size; use one of 5/8, 3/4, 1, 1-1/2, 2, 3, 4, 6, 8."),
    BadRow(5, "S-103", "Dials must be a whole number from 1 to 10, not '0'."),
    BadRow(6, "S-104", "Dials must be a whole number from 1 to 10, not '11'."),
    BadRow(7, "S-105", "Read unit 'liters' is not known; use CF, HCF, GAL or KGAL."),
    BadRow(8, "S-106", "Multiplier must be more than 0, not 0."),
    BadRow(9, "S-107", "Multiplier must be more than 0, not -10."),
    BadRow(10, "S-100", "serial number S-100 is also on line 2 of this file"),
    BadRow(11, "OLD-1", "meter OLD-1 is already in inventory (in stock)"),
    BadRow(12, "S-108", "Purchase date '2026-13-01' is not a date like 2026-03-15."),
    BadRow(13, "S-109", "Purchase cost '12.345' is not an amount like 142.50."),
    BadRow(16, "S-111", "the row has 4 cells but the header has 11"),
    BadRow(
        18,
        "S-113",
        "Meter type 'rocket' is not known; use one of positive displacement, compound, turbine, amr, ami.",
    ),
]


def test_a_shipment_keeps_the_good_rows_and_reports_every_bad_row_with_its_line(technician: Any) -> None:
    receive(technician, "OLD-1")
    result = services.meters_receive_file(
        content=SHIPMENT, file_name="shipments/2026/badger-nov.csv", received_on=ARRIVED, actor=technician
    )
    assert result.file_name == "badger-nov.csv"
    assert (result.rows_total, result.received, result.dry_run) == (16, ("S-100", "S-110", "S-112"), False)
    assert list(result.bad_rows) == EXPECTED_BAD
    meters = {m.serial_number: m for m in Meter.objects.exclude(serial_number="OLD-1")}
    assert sorted(meters) == ["S-100", "S-110", "S-112"]
    first, turbine, amr = meters["S-100"], meters["S-110"], meters["S-112"]
    assert (first.purchase_date, first.purchase_cost_cents, first.meter_type) == (
        dt.date(2026, 11, 2),
        14250,
        "positive_displacement",
    )
    assert (turbine.meter_type, turbine.size, turbine.read_unit, turbine.multiplier) == (
        "turbine",
        "2",
        "HCF",
        Decimal("10.0000"),
    )
    assert (amr.size, amr.meter_type, amr.endpoint_id, amr.read_unit, amr.multiplier) == (
        "1-1/2",
        "amr",
        "EP-77",
        "GAL",
        Decimal("1.0000"),
    )
    assert all(meter.status == "in_stock" for meter in meters.values())
    assert _history(amr) == [("", "received", ARRIVED), ("received", "in_stock", ARRIVED)]
    assert MeterStatusChange.objects.filter(meter__in=meters.values()).count() == 6
    event = AuditEvent.objects.get(action="meter.receive_file")
    assert event.changes["received"] == ["S-100", "S-110", "S-112"]
    assert [row["line"] for row in event.changes["bad_rows"]] == [row.line for row in EXPECTED_BAD]
    assert result.as_dict()["bad_rows"][0] == {
        "line": 3,
        "serial_number": "S-101",
        "reason": "Size is required (5/8, 3/4, 1, 1-1/2, 2, 3, 4, 6 or 8).",
    }


def test_a_dry_run_reports_the_same_and_writes_nothing(technician: Any) -> None:
    receive(technician, "OLD-1")
    counts = (Meter.objects.count(), MeterStatusChange.objects.count(), AuditEvent.objects.count())
    result = services.meters_receive_file(
        content=SHIPMENT, file_name="badger-nov.csv", received_on=ARRIVED, actor=technician, dry_run=True
    )
    assert (result.dry_run, result.received, list(result.bad_rows)) == (
        True,
        ("S-100", "S-110", "S-112"),
        EXPECTED_BAD,
    )
    assert (Meter.objects.count(), MeterStatusChange.objects.count(), AuditEvent.objects.count()) == counts


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "shipment.csv is empty; a shipment file starts with the header line."),
        (b"%PDF-1.7\n\x00\x01\x02binary", "shipment.csv is not a CSV text file (it holds binary data)."),
        (
            "serial,make\nS-1,Badger\n".encode("utf-16"),
            "shipment.csv is not a CSV text file (it holds binary data).",
        ),
        (
            b"serial,make,model,size,dials,unit,multiplier\nS-1,M\xfcller,,5/8,5,CF,1\n",
            "shipment.csv is not a CSV text file (line 2 is not UTF-8 text); save it from the spreadsheet "
            "as CSV UTF-8.",
        ),
        (
            b"meter_serial,read_date,read_value,source\nS-1,2026-11-01,100,manual\n",
            "shipment.csv is not a meter shipment file: its first line must be the header "
            "serial,make,model,size,dials,unit,multiplier (missing serial, make, model, size, dials, unit, "
            "multiplier).",
        ),
        (
            b"serial,make,model,size,dials,unit\nS-1,Badger,M25,5/8,5,CF\n",
            "shipment.csv is not a meter shipment file: its first line must be the header "
            "serial,make,model,size,dials,unit,multiplier (missing multiplier).",
        ),
        (
            b"serial,make,model,size,dials,unit,multipler,multiplier\n",
            "shipment.csv: unknown column 'multipler' in the header; the columns are "
            "serial,make,model,size,dials,unit,multiplier and optionally "
            "purchase_date,cost,type,endpoint_id.",
        ),
        (
            (HEADER + "\n\n").encode(),
            "shipment.csv has a header but no meter rows.",
        ),
    ],
)
def test_a_file_that_is_not_a_shipment_is_refused_whole(
    technician: Any, content: bytes, message: str
) -> None:
    with pytest.raises(ShipmentFileError) as caught:
        services.meters_receive_file(
            content=content, file_name="shipment.csv", received_on=ARRIVED, actor=technician
        )
    assert caught.value.message == message
    assert caught.value.field == "file"
    assert not Meter.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="meter.").exists()


def test_a_shipment_with_only_bad_rows_writes_nothing(technician: Any) -> None:
    result = services.meters_receive_file(
        content=f"{HEADER}\nX-1,Badger,M25,9,5,CF,1\n".encode(),
        file_name="s.csv",
        received_on=ARRIVED,
        actor=technician,
    )
    assert result.received == ()
    assert result.bad_rows == (
        BadRow(2, "X-1", "Size '9' is not a meter size; use one of 5/8, 3/4, 1, 1-1/2, 2, 3, 4, 6, 8."),
    )
    assert not Meter.objects.exists()
    assert not AuditEvent.objects.exists()


def test_receiving_a_file_is_refused_to_a_csr_before_reading_it(csr: Any) -> None:
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        services.meters_receive_file(content=SHIPMENT, file_name="s.csv", received_on=ARRIVED, actor=csr)
    assert not Meter.objects.exists()


def test_a_big_shipment_is_received_in_a_few_queries(
    technician: Any, django_assert_max_num_queries: Any
) -> None:
    rows = [HEADER] + [f"B-{n:05d},Badger,M25,5/8,5,CF,1" for n in range(2_500)]
    progress: list[tuple[int, int]] = []
    with django_assert_max_num_queries(20):
        result = services.meters_receive_file(
            content="\n".join(rows).encode(),
            file_name="big.csv",
            received_on=ARRIVED,
            actor=technician,
            progress=lambda done, total: progress.append((done, total)),
        )
    assert result.received_count == 2_500
    assert progress == [(2_000, 2_500), (2_500, 2_500)]
    assert Meter.objects.filter(status="in_stock").count() == 2_500
    assert MeterStatusChange.objects.count() == 5_000


def test_a_serial_received_by_someone_else_meanwhile_refuses_the_file_and_writes_nothing(
    technician: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    receive(technician, "S-110")
    monkeypatch.setattr("civicbill.meters.services.inventory._existing_statuses", lambda serials: {})
    counts = (Meter.objects.count(), MeterStatusChange.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ApplicationError) as caught:
        services.meters_receive_file(
            content=f"{HEADER}\nS-109,Badger,M25,5/8,5,CF,1\nS-110,Badger,M25,5/8,5,CF,1\n".encode(),
            file_name="late.csv",
            received_on=ARRIVED,
            actor=technician,
        )
    assert caught.value.message == (
        "Some meters in late.csv were received by someone else while this file was being received; "
        "nothing was written. Receive the file again: those meters will be reported."
    )
    assert (Meter.objects.count(), MeterStatusChange.objects.count(), AuditEvent.objects.count()) == counts
