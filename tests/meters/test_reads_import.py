"""Importing read files: every row validated, accepted reads and exceptions stored set-based with the
import record, bad rows reported by line, the same file refused twice, previews write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.meters.formats import BadRow
from civicbill.meters.formats.sensus_route import meter_record, route_file
from civicbill.meters.models import (
    IntervalRead,
    Meter,
    MeterInstallation,
    Read,
    ReadException,
    ReadImport,
    ReadStatus,
    ServicePoint,
)
from civicbill.meters.services import reads_import
from tests.fixtures.database import assert_nothing_changed
from tests.meters.reads_helpers import AS_OF, AT, add_read, make_site

pytestmark = pytest.mark.django_db
D = dt.date
ZONE = ZoneInfo("America/Los_Angeles")

CSV = b"""meter_serial,read_date,read_value,source
M-1,2026-11-02,6012,handheld
M-2,2026-11-02,4512,handheld
M-3,2026-11-02,11,handheld
NOPE,2026-11-02,10,handheld
M-1,2026-11-02,6012,handheld
M-4,2026-13-02,10,handheld
M-4,2026-11-02,12x,handheld
"""


@pytest.fixture
def city(frozen, csr):
    one = make_site("M-1", actor=csr, dials=4)
    add_read(one, D(2026, 10, 2), 4_530, "12", actor=csr)
    two = make_site("M-2", actor=csr, dials=4)
    add_read(two, D(2026, 10, 2), 4_530, "12", actor=csr)
    three = make_site("M-3", actor=csr, dials=5, unit="HCF")
    add_read(three, D(2026, 10, 2), 99_986, "20", actor=csr)
    make_site("M-4", actor=csr)
    return one, two, three


def test_a_csv_import_stores_accepted_reads_and_exceptions_and_reports_bad_rows(city, csr):
    report = reads_import(content=CSV, file_name="route-7.csv", file_format="csv", actor=csr, as_of=AS_OF)
    assert (report.rows_total, report.reads_accepted, report.reads_exception, report.rows_bad) == (7, 2, 1, 4)
    assert report.bad_rows == (
        BadRow(5, "unknown_meter", "No meter with serial number 'NOPE' in the inventory."),
        BadRow(6, "duplicate", "Meter M-1 already has the read 6,012 on 2026-11-02."),
        BadRow(7, "bad_date", "read_date '2026-13-02' is not a date (YYYY-MM-DD)"),
        BadRow(
            8,
            "not_numeric",
            "Read value '12x' is not a register reading (digits only, at most 3 decimal places).",
        ),
    )
    assert report.exceptions_by_code == {"lower_than_previous": 1}
    assert [(e.line, e.meter_serial, e.code) for e in report.exceptions] == [
        (3, "M-2", "lower_than_previous")
    ]
    read_import = ReadImport.objects.get()
    assert report.read_import_id == read_import.pk
    assert (
        read_import.rows_total,
        read_import.rows_accepted,
        read_import.rows_exception,
        read_import.rows_bad,
    ) == (
        7,
        2,
        1,
        4,
    )
    assert read_import.bad_rows[0] == {
        "line": 5,
        "code": "unknown_meter",
        "reason": report.bad_rows[0].reason,
    }
    stored = {
        r.meter.serial_number: r for r in Read.objects.filter(read_import=read_import).select_related("meter")
    }
    assert (stored["M-1"].status, stored["M-1"].consumption_hcf, stored["M-1"].source) == (
        ReadStatus.ACTUAL,
        Decimal("14.82"),
        "handheld",
    )
    assert (stored["M-3"].consumption_hcf, stored["M-3"].rolled_over) == (Decimal(25), True)
    assert stored["M-1"].created_at == AT
    assert (stored["M-2"].status, stored["M-2"].exception.code) == (
        ReadStatus.EXCEPTION,
        "lower_than_previous",
    )
    assert stored["M-2"].exception.status == ReadException.Status.OPEN
    event = AuditEvent.objects.get(action="read.import")
    assert event.target_id == str(read_import.pk)
    assert event.summary == "Imported route-7.csv (csv): 2 reads accepted, 1 held for review, 4 bad rows"
    assert event.changes["exceptions_by_code"] == {"lower_than_previous": 1}


def test_the_same_file_is_refused_a_second_time_naming_the_first_import(city, csr, technician):
    reads_import(content=CSV, file_name="route-7.csv", file_format="csv", actor=csr, as_of=AS_OF)
    reads_before = Read.objects.count()
    with pytest.raises(ApplicationError) as refused:
        reads_import(content=CSV, file_name="copy.csv", file_format="csv", actor=technician, as_of=AS_OF)
    first = ReadImport.objects.get()
    assert refused.value.code == "duplicate_file"
    assert refused.value.message == (
        f"This file was already imported on 2026-12-01 by csr (as 'route-7.csv', import #{first.pk}); "
        "it is not imported twice."
    )
    assert Read.objects.count() == reads_before
    assert ReadImport.objects.count() == 1


def test_a_preview_reports_everything_and_writes_nothing(city, csr):
    counts = (Read.objects.count(), ReadException.objects.count(), AuditEvent.objects.count())
    report = reads_import(
        content=CSV, file_name="route-7.csv", file_format="csv", actor=csr, as_of=AS_OF, preview=True
    )
    assert report.preview is True
    assert (report.reads_accepted, report.reads_exception, report.rows_bad) == (2, 1, 4)
    assert report.read_import_id is None
    assert (Read.objects.count(), ReadException.objects.count(), AuditEvent.objects.count()) == counts
    assert not ReadImport.objects.exists()
    reads_import(
        content=CSV, file_name="route-7.csv", file_format="csv", actor=csr, as_of=AS_OF
    )  # then commit


def test_a_file_that_is_not_the_declared_format_is_refused_whole(city, csr):
    with pytest.raises(ApplicationError) as refused:
        reads_import(content=CSV, file_name="route-7.csv", file_format="sensus-route", actor=csr, as_of=AS_OF)
    assert refused.value.code == "wrong_format"
    assert refused.value.message.startswith(
        "Not a sensus-route (civicbill handheld route file) file: line 1 is 40 characters long"
    )
    assert not ReadImport.objects.exists()
    with pytest.raises(ApplicationError, match="Unknown read file format 'xml'"):
        reads_import(content=CSV, file_name="x", file_format="xml", actor=csr, as_of=AS_OF)


def test_an_auditor_cannot_import(city, auditor):
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        reads_import(content=CSV, file_name="route-7.csv", file_format="csv", actor=auditor, as_of=AS_OF)
    assert not ReadImport.objects.exists()


def test_a_beacon_export_is_imported(city, csr):
    content = (
        b"Account_ID,Location_ID,Service_Point_ID,Meter_ID,Register_Number,Endpoint_SN,Read_Method,Read,Read_Unit,"
        b"Billing_Read,Read_Time\n"
        b"A1,L1,1,M-1,,E1,AMR,6012,CUBIC_FEET,,2026-11-02 08:00\n"
        b"A2,L2,1,M-2,,E2,AMR,4600,GAL,,2026-11-02 08:00\n"
        b"A3,L3,1,M-3,L,E3,AMR,11,,11,2026-11-02 08:00\n"
    )
    report = reads_import(
        content=content, file_name="beacon.csv", file_format="beacon", actor=csr, as_of=AS_OF
    )
    assert (report.reads_accepted, report.reads_exception, report.rows_bad) == (1, 0, 2)
    assert [(b.line, b.code) for b in report.bad_rows] == [(3, "unit_mismatch"), (4, "compound_register")]
    assert Read.objects.get(read_import_id=report.read_import_id).consumption_hcf == Decimal("14.82")


def test_a_route_file_is_imported_and_meters_not_read_are_reported(city, csr):
    def stop(sequence: int, serial: str, value: str | None, code: str = "00") -> str:
        return meter_record(
            route="R01",
            sequence=sequence,
            meter_serial=serial,
            value=value,
            read_on=D(2026, 11, 2) if value else None,
            read_code=code,
        )

    content = route_file(
        "R01", D(2026, 11, 2), [stop(1, "M-1", "6012"), stop(2, "M-2", None, "10"), stop(3, "M-3", "11")]
    )
    report = reads_import(
        content=content, file_name="R01.dat", file_format="sensus-route", actor=csr, as_of=AS_OF
    )
    assert (report.rows_total, report.reads_accepted, report.rows_bad) == (3, 2, 1)
    assert report.bad_rows == (BadRow(3, "not_read", "meter M-2 not read: no access (code 10)"),)
    assert set(
        Read.objects.filter(read_import_id=report.read_import_id).values_list("source", flat=True)
    ) == {"handheld"}


def ami_file(serial: str, start: dt.datetime, hours: int, consumption: str) -> bytes:
    lines = ["meter_serial,interval_start,consumption,register_read"]
    for hour in range(hours):
        lines.append(f"{serial},{(start + dt.timedelta(hours=hour)).isoformat()},{consumption},")
    return ("\n".join(lines) + "\n").encode()


def test_an_ami_interval_file_stores_intervals_and_daily_register_reads_and_flags_a_leak(frozen, csr):
    site = make_site("AMI-1", actor=csr, dials=6, unit="GAL", endpoint_id="E-9")
    add_read(site, D(2026, 11, 9), 10_000, "10", actor=csr, source="ami")
    start = dt.datetime(2026, 11, 10, tzinfo=ZONE)
    content = ami_file("AMI-1", start, 48, "7.48") + b"NOPE,2026-11-10T00:00:00-08:00,1,\n"
    report = reads_import(
        content=content, file_name="ami.csv", file_format="ami-interval", actor=csr, as_of=AS_OF
    )
    assert (report.rows_total, report.intervals_stored, report.reads_accepted, report.rows_bad) == (
        49,
        48,
        2,
        1,
    )
    assert report.bad_rows == (
        BadRow(50, "unknown_meter", "No meter with serial number 'NOPE' in the inventory."),
    )
    daily = list(
        Read.objects.filter(read_import_id=report.read_import_id)
        .order_by("read_on")
        .values_list("read_on", "value", "consumption_hcf", "source")
    )
    assert daily == [
        (D(2026, 11, 10), Decimal("10179.520"), Decimal("0.240"), "ami"),  # 24 × 7.48 gallons
        (D(2026, 11, 11), Decimal("10359.040"), Decimal("0.240"), "ami"),
    ]
    assert IntervalRead.objects.filter(meter=site.meter).count() == 48
    assert [(leak.meter_key, leak.hours) for leak in report.probable_leaks] == [("AMI-1", 48)]


def test_an_overlapping_ami_file_skips_the_intervals_already_stored(frozen, csr):
    site = make_site("AMI-2", actor=csr, dials=6, unit="GAL")
    add_read(site, D(2026, 11, 9), 10_000, "10", actor=csr, source="ami")
    start = dt.datetime(2026, 11, 10, tzinfo=ZONE)
    reads_import(
        content=ami_file("AMI-2", start, 24, "1"),
        file_name="a.csv",
        file_format="ami-interval",
        actor=csr,
        as_of=AS_OF,
    )
    report = reads_import(
        content=ami_file("AMI-2", start, 48, "1"),
        file_name="b.csv",
        file_format="ami-interval",
        actor=csr,
        as_of=AS_OF,
    )
    assert report.intervals_stored == 24
    assert report.reads_accepted == 1  # the 11th; the 10th is already read
    assert report.notes == (
        BadRow(0, "intervals_already_stored", "24 intervals were already stored and were skipped"),
    )
    assert IntervalRead.objects.filter(meter=site.meter).count() == 48


def test_a_thousand_row_import_is_set_based(frozen, csr, django_assert_max_num_queries):
    meters = Meter.objects.bulk_create(
        Meter(serial_number=f"B{n:05d}", make="Badger", size="5/8", dials=6, read_unit="CF", created_at=AT)
        for n in range(1000)
    )
    site = make_site("TEMPLATE", actor=csr)
    points = ServicePoint.objects.bulk_create(
        ServicePoint(premise=site.point.premise, read_route="R9", route_sequence=n, created_at=AT)
        for n in range(1000)
    )
    MeterInstallation.objects.bulk_create(
        MeterInstallation(meter=m, service_point=p, installed_on=D(2026, 1, 1), install_read=0, created_at=AT)
        for m, p in zip(meters, points, strict=True)
    )
    lines = ["meter_serial,read_date,read_value,source"] + [
        f"B{n:05d},2026-11-02,{1000 + n},amr" for n in range(1000)
    ]
    content = ("\n".join(lines) + "\n").encode()
    # on SQLite IN lists hold under 1,000 values, so each lookup is two queries here (one on PostgreSQL)
    with django_assert_max_num_queries(25):
        report = reads_import(content=content, file_name="big.csv", file_format="csv", actor=csr, as_of=AS_OF)
    assert (report.reads_accepted, report.reads_exception, report.rows_bad) == (1000, 0, 0)
    assert Read.objects.filter(read_import_id=report.read_import_id, status=ReadStatus.ACTUAL).count() == 1000


def test_a_held_read_without_an_installation_is_stored_with_its_exception(frozen, csr):
    """A read dated before the meter was installed is held with no installation, service point or
    consumption (the set-based writer stores NULLs, not text)."""
    make_site("M-EARLY", actor=csr, dials=5, installed_on=D(2025, 1, 1))
    content = b"meter_serial,read_date,read_value,source\nM-EARLY,2024-12-02,10,handheld\n"
    report = reads_import(content=content, file_name="early.csv", file_format="csv", actor=csr, as_of=AS_OF)
    assert (report.reads_accepted, report.reads_exception, report.exceptions_by_code) == (
        0,
        1,
        {"outside_read_window": 1},
    )
    read = Read.objects.get(read_import_id=report.read_import_id)
    assert (read.status, read.installation_id, read.service_point_id, read.consumption_hcf, read.value) == (
        ReadStatus.EXCEPTION,
        None,
        None,
        None,
        Decimal(10),
    )
    assert (read.exception.code, read.exception.status) == ("outside_read_window", ReadException.Status.OPEN)
