"""Read file formats: good rows become candidates, bad rows are reported with their line numbers, and a
file that is not the declared format is refused whole with a message naming the format."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from civicbill.meters import formats
from civicbill.meters.consumption import Register
from civicbill.meters.formats import BadRow, FormatError
from civicbill.meters.formats.ami_interval import daily_register_reads
from civicbill.meters.formats.sensus_route import meter_record, route_file
from civicbill.meters.validation import Candidate

ZONE = ZoneInfo("America/Los_Angeles")
D = dt.date


def parse(file_format: str, text: str | bytes):
    content = text.encode() if isinstance(text, str) else text
    return formats.parse(file_format, content, zone=ZONE)


# -- generic CSV ---------------------------------------------------------------------------------

GENERIC = """meter_serial,read_date,read_value,source
M-1,2026-11-02,4512,handheld
M-2,2026-11-02,12.5,AMR

M-3,11/02/2026,100,manual
M-4,2026-11-02,100,guess
M-5,2026-11-02,100
,2026-11-02,100,amr
M-6,2026-11-02,abc,field
"""


def test_generic_csv_good_rows_become_candidates_with_their_line_numbers():
    parsed = parse("csv", GENERIC)
    assert parsed.reads == [
        Candidate("M-1", D(2026, 11, 2), "4512", "handheld", 2),
        Candidate("M-2", D(2026, 11, 2), "12.5", "amr", 3),
        Candidate("M-6", D(2026, 11, 2), "abc", "field", 9),  # the validator finds it is not a number
    ]
    assert parsed.rows_total == 7


def test_generic_csv_bad_rows_are_reported_with_line_numbers():
    assert parse("csv", GENERIC).bad_rows == [
        BadRow(5, "bad_date", "read_date '11/02/2026' is not a date (YYYY-MM-DD)"),
        BadRow(6, "bad_source", "source 'guess' is not one of manual, handheld, amr, ami, field"),
        BadRow(7, "malformed", "expected 4 fields (meter_serial,read_date,read_value,source), found 3"),
        BadRow(8, "malformed", "meter_serial is empty"),
    ]


def test_a_byte_order_mark_and_crlf_line_ends_are_fine():
    parsed = parse(
        "csv", "\ufeffmeter_serial,read_date,read_value,source\r\nM-1,2026-11-02,1,amr\r\n".encode()
    )
    assert parsed.reads == [Candidate("M-1", D(2026, 11, 2), "1", "amr", 2)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"serial,date,value\nM-1,2026-11-02,1\n",
            "Not a generic read CSV file: expected a CSV whose first line is exactly "
            "meter_serial,read_date,read_value,source; the first line is 'serial,date,value'.",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "Not a generic read CSV file: line 3: has a NUL byte: the file is binary, not text; expected a "
            "CSV whose first line is exactly meter_serial,read_date,read_value,source.",
        ),
        (
            b"   \n",
            "Not a generic read CSV file: the file is empty; expected a CSV whose first line is exactly "
            "meter_serial,read_date,read_value,source.",
        ),
        (
            b"meter_serial,read_date,read_value,source\nM-1,2026-11-02,\xff1,amr\n",
            "Not a generic read CSV file: line 2: byte 0xFF (column 16) is not UTF-8 text; save the file as "
            'UTF-8 ("CSV UTF-8" in a spreadsheet) and import it again; expected a CSV whose first line is '
            "exactly meter_serial,read_date,read_value,source.",
        ),
    ],
)
def test_a_file_that_is_not_a_generic_csv_is_refused_whole(content, message):
    with pytest.raises(FormatError) as refused:
        parse("csv", content)
    assert str(refused.value) == message


def test_a_beacon_export_declared_as_generic_csv_is_refused():
    with pytest.raises(FormatError, match="Not a generic read CSV file: expected"):
        parse("csv", BEACON)


# -- BEACON --------------------------------------------------------------------------------------

BEACON = """Account_ID,Location_ID,Service_Point_ID,Meter_ID,Register_Number,Endpoint_SN,Read_Method,Read,Read_Unit,Billing_Read,Read_Time,Flags
1000001-8,LOC1,1,M-1,,E100,AMR,451200,GAL,4512,2026-11-02 08:15:00,
1000002-6,LOC2,1,M-2,0,E200,Network,88,CUBIC_FEET,,2026-11-02T15:00:00Z,
1000003-4,LOC3,1,M-3,H,E300,Fixed,10,GAL,10,2026-11-02 08:15,
1000004-2,LOC4,1,M-4,,E400,Manual,,GAL,,11/02/2026 09:30 AM,
1000005-0,LOC5,1,M-5,,E500,Manual,77,GAL,,11/02/2026 09:30 AM,
1000006-8,LOC6,1,M-6,,E600,n/a,99,CUBIC_METER,,2026-11-02,
1000007-6,LOC7,1,M-7,,E700,AMR,99,GAL,99,yesterday,
"""  # noqa: E501


def test_beacon_rows_take_the_billing_read_else_the_read_with_its_unit():
    parsed = parse("beacon", BEACON)
    assert parsed.reads == [
        Candidate("M-1", D(2026, 11, 2), "4512", "amr", 2),
        Candidate("M-2", D(2026, 11, 2), "88", "ami", 3, "CF"),  # 15:00 UTC is 07:00 in Coachella
        Candidate("M-5", D(2026, 11, 2), "77", "manual", 6, "GAL"),
    ]
    assert parsed.rows_total == 7


def test_beacon_bad_rows_are_reported_with_line_numbers():
    assert parse("beacon", BEACON).bad_rows == [
        BadRow(4, "compound_register", "Register_Number 'H': civicbill reads single-register meters only"),
        BadRow(5, "no_read", "no read: Billing_Read and Read are blank"),
        BadRow(7, "unit_mismatch", "Read_Unit 'CUBIC_METER' is not a unit civicbill reads"),
        BadRow(8, "bad_date", "Read_Time 'yesterday' is not a date"),
    ]


def test_beacon_columns_are_found_by_name_in_any_order():
    parsed = parse("beacon", "read_time,Billing_Read,METER_ID\n2026-11-30,1234,M-9\n")
    assert parsed.reads == [Candidate("M-9", D(2026, 11, 30), "1234", "amr", 2)]


def test_a_generic_csv_declared_as_beacon_is_refused_naming_what_is_missing():
    with pytest.raises(FormatError) as refused:
        parse("beacon", GENERIC)
    assert str(refused.value).startswith(
        "Not a Badger BEACON billing read export file: the header lacks Meter_ID, Read_Time, "
        "Billing_Read or Read;"
    )


# -- sensus-route (civicbill's fixed-width route file) -------------------------------------------


def route(*records: str) -> bytes:
    return route_file("R07", D(2026, 11, 2), list(records))


NOV_2 = dt.date(2026, 11, 2)


def stop(sequence: int, serial: str, value: str | None, code: str = "00", read_on: dt.date | None = NOV_2):
    return meter_record(
        route="R07",
        sequence=sequence,
        meter_serial=serial,
        previous=Decimal(4400),
        low=Decimal(4450),
        high=Decimal(4600),
        value=value,
        read_on=read_on if value is not None else None,
        read_time="0915",
        read_code=code,
        reader="JV",
    )


def test_a_route_file_gives_the_reads_with_their_line_numbers():
    content = route(
        stop(10, "M-1", "4512"),
        stop(20, "M-2", None, code="12"),
        stop(30, "M-3", "17", code="01"),
        stop(40, "M-4", "88", read_on=None),
        stop(50, "M-5", "99", code="77"),
    )
    parsed = parse("sensus-route", content)
    assert parsed.reads == [
        Candidate("M-1", D(2026, 11, 2), "      4512", "handheld", 2),
        Candidate("M-3", D(2026, 11, 2), "        17", "handheld", 4),
    ]
    assert parsed.bad_rows == [
        BadRow(3, "not_read", "meter M-2 not read: unsafe (dog, hazard) (code 12)"),
        BadRow(5, "bad_date", "read date '' (columns 79-86) is not YYYYMMDD"),
        BadRow(6, "malformed", "read code '77' (columns 91-92) is not known"),
    ]
    assert parsed.rows_total == 5


def test_every_route_record_is_100_characters():
    assert {len(line) for line in route(stop(10, "M-1", "1")).decode().split("\r\n") if line} == {100}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            GENERIC.encode(),
            "line 1 is 40 characters long; expected fixed-width records of 100 characters: one H header, "
            "M meter records, one T trailer.",
        ),
        (
            route(stop(10, "M-1", "1"))[:-104],
            "the last record is not the T trailer: the file may be cut short.",
        ),
        (
            route(stop(10, "M-1", "1")).replace(b"T" + b"R07     000001", b"T" + b"R07     000002"),
            "the trailer says 000002 meter records but the file has 1: the file may be cut short or edited.",
        ),
        (route(stop(10, "M-1", "1")).replace(b"HR07", b"XR07"), "line 1 has record type 'X'"),
    ],
)
def test_a_file_that_is_not_a_route_file_is_refused_whole(content, message):
    with pytest.raises(FormatError) as refused:
        parse("sensus-route", content)
    assert str(refused.value).startswith("Not a sensus-route (civicbill handheld route file) file: ")
    assert message in str(refused.value)


# -- AMI interval CSV ----------------------------------------------------------------------------

AMI = """endpoint_id,interval_start,consumption,register_read
E1,2026-11-01T00:00:00-07:00,1.5,
E1,2026-11-01T01:00:00-07:00,0,
E1,2026-11-01T01:30:00-07:00,1,
E1,2026-11-01T02:00:00,1,
E1,2026-11-01T03:00:00-07:00,x,
E1,2026-11-01T04:00:00-07:00,,
E1,2026-11-01T00:00:00-07:00,2,
"""


def test_ami_intervals_are_parsed_and_bad_rows_reported_with_line_numbers():
    parsed = parse("ami-interval", AMI)
    assert parsed.meter_key == "endpoint"
    assert [(row.meter_key, row.interval_start, row.consumption, row.line) for row in parsed.intervals] == [
        ("E1", dt.datetime(2026, 11, 1, 7, tzinfo=dt.UTC), Decimal("1.5"), 2),
        ("E1", dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC), Decimal(0), 3),
    ]
    assert parsed.bad_rows == [
        BadRow(4, "bad_date", "interval_start '2026-11-01T01:30:00-07:00' is not on the hour"),
        BadRow(
            5, "bad_date", "interval_start '2026-11-01T02:00:00' is not an ISO date-time with a UTC offset"
        ),
        BadRow(6, "not_numeric", "'x' is not a non-negative number"),
        BadRow(7, "no_read", "consumption and register_read are both blank"),
        BadRow(8, "duplicate", "a second interval for E1 at 2026-11-01T00:00:00-07:00"),
    ]


def test_a_file_that_is_not_an_ami_interval_csv_is_refused_whole():
    with pytest.raises(FormatError) as refused:
        parse("ami-interval", GENERIC)
    assert str(refused.value) == (
        "Not a AMI interval CSV file: expected a CSV whose first line is exactly "
        "meter_serial,interval_start,consumption,register_read (or endpoint_id,interval_start,consumption,"
        "register_read); the first line is 'meter_serial,read_date,read_value,source'."
    )


def hourly_csv(
    days: int, *, start: dt.datetime, consumption: str = "", register_start: int | None = None
) -> str:
    lines = ["meter_serial,interval_start,consumption,register_read"]
    moment = start
    register = register_start
    for _ in range(days * 24):
        if register is not None:
            register += 10
        lines.append(f"M-1,{moment.isoformat()},{consumption},{'' if register is None else register}")
        moment += dt.timedelta(hours=1)
    return "\n".join(lines) + "\n"


MIDNIGHT = dt.datetime(2026, 11, 10, 0, 0, tzinfo=ZONE)


def test_daily_reads_from_register_reads_are_the_register_at_the_end_of_each_day():
    parsed = parse("ami-interval", hourly_csv(2, start=MIDNIGHT, register_start=5_000))
    derived = daily_register_reads(
        parsed.intervals,
        zone=ZONE,
        serials={"M-1": "M-1"},
        registers={"M-1": Register(5, "CF")},
        baselines={},
    )
    assert derived.reads == [
        Candidate("M-1", D(2026, 11, 10), Decimal(5_240), "ami", 25),
        Candidate("M-1", D(2026, 11, 11), Decimal(5_480), "ami", 49),
    ]
    assert len(derived.intervals) == 47  # the first hour only anchors the register
    assert {row.consumption for row in derived.intervals} == {Decimal(10)}


def test_daily_reads_from_consumption_add_whole_days_to_the_last_actual_read():
    parsed = parse("ami-interval", hourly_csv(3, start=MIDNIGHT, consumption="2.5"))
    intervals = [row for row in parsed.intervals if row.line != 40]  # an hour missing on the 11th
    derived = daily_register_reads(
        intervals,
        zone=ZONE,
        serials={"M-1": "M-1"},
        registers={"M-1": Register(4, "CF")},
        baselines={"M-1": (D(2026, 11, 9), Decimal(9_990))},
    )
    assert derived.reads == [Candidate("M-1", D(2026, 11, 10), Decimal(50), "ami", 25)]  # 9,990 + 60 wraps
    assert derived.notes == [
        BadRow(
            26,
            "incomplete_day",
            "meter M-1: hours missing on or before 2026-11-11, so no daily read from 2026-11-11 on "
            "(the register is known to 2026-11-10)",
        )
    ]
    assert len(derived.intervals) == 71


def test_without_a_register_read_to_start_from_no_daily_read_is_derived():
    parsed = parse("ami-interval", hourly_csv(1, start=MIDNIGHT, consumption="1"))
    derived = daily_register_reads(
        parsed.intervals,
        zone=ZONE,
        serials={"M-1": "M-1"},
        registers={"M-1": Register(4, "CF")},
        baselines={},
    )
    assert derived.reads == []
    assert derived.notes[0].code == "no_baseline"
