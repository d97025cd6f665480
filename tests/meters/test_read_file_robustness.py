"""Read files and meter shipments that are not what they seem (issue 11: 7): a 2 MB line (it raised
``_csv.Error: field larger than field limit`` in the csv, beacon and ami-interval readers),
``²`` in numeric fields (a shipment's ``dials`` raised ValueError), NUL bytes, and LF, CR LF or CR
line endings. Each reader names the line and the problem and keeps the good rows. And a read file
sent again with other line endings is refused (issue 11: 2)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from civicbill.core.exceptions import ApplicationError
from civicbill.meters.formats import BadRow, FormatError, parse
from civicbill.meters.formats.sensus_route import header_record, meter_record, trailer_record
from civicbill.meters.models import Read, ReadImport
from civicbill.meters.services import reads_import
from civicbill.meters.shipment import parse_shipment
from tests.meters.reads_helpers import AS_OF, add_read, make_site

ZONE = ZoneInfo("America/Los_Angeles")
TWO_MB = "4" * (2 * 1024 * 1024)
HEADERS = {
    "csv": "meter_serial,read_date,read_value,source",
    "beacon": "Meter_ID,Read_Time,Billing_Read",
    "ami-interval": "meter_serial,interval_start,consumption,register_read",
}
ROWS = {
    "csv": ["M-1,2026-11-02,6012,handheld", "M-2,2026-11-02,4612,handheld"],
    "beacon": ["M-1,2026-11-02 08:00,6012", "M-2,2026-11-02 08:00,4512"],
    "ami-interval": ["M-1,2026-11-02T00:00:00-08:00,1.5,", "M-2,2026-11-02T00:00:00-08:00,2,"],
}


def text_file(*lines: str, ending: str = "\n") -> bytes:
    return (ending.join(lines) + ending).encode()


def route(ending: str = "\r\n", value: str = "6012") -> bytes:
    records = [
        header_record("R01", dt.date(2026, 11, 2)),
        meter_record(route="R01", sequence=1, meter_serial="M-1", value=value, read_on=dt.date(2026, 11, 2)),
        trailer_record("R01", 1),
    ]
    return text_file(*records, ending=ending)


def keys(parsed: Any) -> list[tuple[int, str]]:
    return [(read.line, read.meter_serial) for read in parsed.reads] + [
        (interval.line, interval.meter_key) for interval in parsed.intervals
    ]


@pytest.mark.parametrize("file_format", ["csv", "beacon", "ami-interval"])
def test_a_2_mb_line_is_a_bad_row_and_the_rows_after_it_are_read(file_format: str) -> None:
    first, second = ROWS[file_format]

    parsed = parse(file_format, text_file(HEADERS[file_format], first, TWO_MB, second), zone=ZONE)

    assert parsed.bad_rows == [
        BadRow(3, "malformed", f"the line is {len(TWO_MB):,} characters long; a record is at most 10,000")
    ]
    assert keys(parsed) == [(2, "M-1"), (4, "M-2")]
    assert parsed.rows_total == 3


@pytest.mark.parametrize("file_format", ["csv", "beacon", "ami-interval"])
def test_a_2_mb_header_refuses_the_file_naming_the_line(file_format: str) -> None:
    with pytest.raises(FormatError, match="line 1 \\(the header\\): the line is 2,097,152 characters long"):
        parse(file_format, text_file(TWO_MB, *ROWS[file_format]), zone=ZONE)


def test_a_quoted_field_running_past_the_csv_limit_is_a_bad_row_and_reading_goes_on() -> None:
    runaway = '"' + "\n".join(["x" * 9_000] * 20)  # an open quote: 20 lines of 9,000 characters
    parsed = parse("csv", text_file(HEADERS["csv"], ROWS["csv"][0], runaway), zone=ZONE)
    assert [read.meter_serial for read in parsed.reads] == ["M-1"]
    assert parsed.bad_rows[0].code == "malformed"
    assert "field larger than field limit" in parsed.bad_rows[0].reason


@pytest.mark.parametrize("file_format", ["csv", "beacon", "ami-interval", "sensus-route"])
def test_a_nul_byte_refuses_the_file_naming_its_line(file_format: str) -> None:
    content = (
        route() if file_format == "sensus-route" else text_file(HEADERS[file_format], *ROWS[file_format])
    )
    with pytest.raises(
        FormatError, match=r": line 2: has a NUL byte: the file is binary, not text; expected "
    ):
        parse(file_format, content.replace(b"M-1", b"M\x001"), zone=ZONE)


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("file_format", ["csv", "beacon", "ami-interval", "sensus-route"])
def test_lf_crlf_and_cr_files_read_the_same(file_format: str, ending: str) -> None:
    if file_format == "sensus-route":
        content = route(ending)
    else:
        content = text_file(
            HEADERS[file_format], ROWS[file_format][0], "", ROWS[file_format][1], ending=ending
        )
    parsed = parse(file_format, content, zone=ZONE)
    assert parsed.bad_rows == []
    assert keys(parsed) == ([(2, "M-1")] if file_format == "sensus-route" else [(2, "M-1"), (4, "M-2")])


def test_a_superscript_in_an_interval_is_not_a_number() -> None:
    parsed = parse(
        "ami-interval", text_file(HEADERS["ami-interval"], "M-1,2026-11-02T00:00:00-08:00,²,"), zone=ZONE
    )
    assert parsed.bad_rows == [BadRow(2, "not_numeric", "'²' is not a non-negative number")]


# -- meter shipments ----------------------------------------------------------------------------------
SHIPMENT_HEADER = "serial,make,model,size,dials,unit,multiplier"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("SN-2,Badger,M25,5/8,²,CF,1", "Dials must be a whole number from 1 to 10, not '²'."),
        ("SN-2,Badger,M25,5/8,٥,CF,1", "Dials must be a whole number from 1 to 10, not '٥'."),
        ("SN-2,Badger,M25,5/8,5,CF,١", "Multiplier must be a number written with the digits 0-9, not '١'."),
        (TWO_MB, "the line is 2,097,152 characters long; a record is at most 10,000"),
    ],
)
def test_a_shipment_row_with_odd_digits_or_a_2_mb_line_is_a_bad_row(row: str, reason: str) -> None:
    shipment = parse_shipment(
        text_file(SHIPMENT_HEADER, "SN-1,Badger,M25,5/8,5,CF,1", row, "SN-3,Badger,M25,5/8,5,CF,1")
    )
    assert [(r.line, r.meter.serial_number) for r in shipment.rows] == [(2, "SN-1"), (4, "SN-3")]
    assert [(bad.line, bad.reason) for bad in shipment.bad_rows] == [(3, reason)]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_a_shipment_reads_the_same_with_any_line_ending(ending: str) -> None:
    shipment = parse_shipment(
        text_file(SHIPMENT_HEADER, "SN-1,Badger,M25,5/8,5,CF,1", "SN-2,Badger,M25,1,6,GAL,1", ending=ending)
    )
    assert [(r.line, r.meter.serial_number) for r in shipment.rows] == [(2, "SN-1"), (3, "SN-2")]


# -- through the service, the API, the page and the command line --------------------------------------
@pytest.fixture
def meters(frozen: Any, csr: Any) -> None:
    for serial in ("M-1", "M-2"):
        site = make_site(serial, actor=csr, dials=5)
        add_read(site, dt.date(2026, 10, 2), 4_530, "12", actor=csr)


GOOD = text_file(HEADERS["csv"], *ROWS["csv"])


@pytest.mark.django_db
@pytest.mark.parametrize("resend", [GOOD.replace(b"\n", b"\r\n"), GOOD + b"\n\n", b"\xef\xbb\xbf" + GOOD])
def test_a_read_file_resent_with_other_line_endings_is_refused(
    meters: Any, csr: Any, technician: Any, resend: bytes
) -> None:
    reads_import(content=GOOD, file_name="route-7.csv", file_format="csv", actor=csr, as_of=AS_OF)
    before = Read.objects.count()
    with pytest.raises(ApplicationError) as refused:
        reads_import(content=resend, file_name="again.csv", file_format="csv", actor=technician, as_of=AS_OF)
    assert refused.value.code == "duplicate_file"
    assert refused.value.message == (
        "This file holds the same reads as a file already imported (only line endings or blank space "
        f"differ) on 2026-12-01 by csr (as 'route-7.csv', import #{ReadImport.objects.get().pk}); it is "
        "not imported twice."
    )
    assert Read.objects.count() == before


LONG = text_file(HEADERS["csv"], ROWS["csv"][0], TWO_MB, ROWS["csv"][1])
LONG_ROW = {
    "line": 3,
    "code": "malformed",
    "reason": "the line is 2,097,152 characters long; a record is at most 10,000",
}


@pytest.mark.django_db
def test_the_api_reports_the_2_mb_line_and_stores_the_good_reads(
    client: Client, technician: Any, meters: Any
) -> None:
    client.force_login(technician)
    response = client.post(
        "/api/reads/import", {"file": SimpleUploadedFile("r.csv", LONG), "file_format": "csv"}
    )
    assert response.status_code == 201, response.content
    assert (response.json()["reads_accepted"], response.json()["bad_rows"]) == (2, [LONG_ROW])


@pytest.mark.django_db
def test_the_page_preview_lists_the_2_mb_line(client: Client, technician: Any, meters: Any) -> None:
    client.force_login(technician)
    page = client.post("/reads/import/", {"format": "csv", "file": SimpleUploadedFile("r.csv", LONG)})
    assert page.status_code == 200
    assert LONG_ROW["reason"] in page.content.decode()


@pytest.mark.django_db
def test_the_command_line_lists_the_2_mb_line(meters: Any, tmp_path: Any) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(LONG)
    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("reads", "import", str(path), "--format", "csv", "--user", "csr", "--json", stdout=out)
    assert exited.value.code == 2
    report = json.loads(out.getvalue())
    assert (report["reads_accepted"], report["bad_rows"]) == (2, [LONG_ROW])


SHIPMENT = text_file(
    SHIPMENT_HEADER,
    "SN-1,Badger,M25,5/8,5,CF,1",
    "SN-2,Badger,M25,5/8,²,CF,1",
    TWO_MB,
    "SN-3,Badger,M25,5/8,5,CF,1",
)
SHIPMENT_BAD_ROWS = [
    {"line": 3, "serial_number": "SN-2", "reason": "Dials must be a whole number from 1 to 10, not '²'."},
    {
        "line": 4,
        "serial_number": "",
        "reason": "the line is 2,097,152 characters long; a record is at most 10,000",
    },
]


@pytest.mark.django_db
def test_a_shipment_through_the_api_lists_the_superscript_and_the_2_mb_line(
    client: Client, technician: Any, frozen: Any
) -> None:
    client.force_login(technician)
    response = client.post(
        "/api/meters/receive-file",
        {"file": SimpleUploadedFile("s.csv", SHIPMENT), "received_on": "2026-11-02"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["bad_rows"] == SHIPMENT_BAD_ROWS
    assert response.json()["received"] == ["SN-1", "SN-3"]


@pytest.mark.django_db
def test_a_shipment_from_the_command_line_lists_them_too(technician: Any, frozen: Any, tmp_path: Any) -> None:
    from django.core.management import CommandError

    path = tmp_path / "s.csv"
    path.write_bytes(SHIPMENT)
    out = StringIO()
    with pytest.raises(CommandError, match=r"^2 of 4 rows in s.csv were refused \(first: line 3: Dials"):
        call_command("meters", "receive", str(path), "--json", "--user", technician.username, stdout=out)
    assert json.loads(out.getvalue())["bad_rows"] == SHIPMENT_BAD_ROWS
