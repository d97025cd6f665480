"""The writer: exact positions and padding, control totals, trace numbers, modifiers, business days."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from civicbill import nacha
from civicbill.nacha import layouts
from civicbill.nacha.writer import (
    format_addenda,
    format_batch_control,
    format_batch_header,
    format_entry,
    format_file_control,
    format_file_header,
)
from tests.nacha.helpers import CREATED, THURSDAY, golden_file, lines_of, weekday

GOLDEN = Path(__file__).parent / "golden" / "ppd-debit-golden.ach"


def test_golden_file_is_byte_for_byte_what_was_checked_by_hand():
    assert nacha.write_file(golden_file()) == GOLDEN.read_bytes()


def test_golden_file_controls():
    ach = golden_file()
    (batch,) = ach.batches
    # 23138010 + 03130001 + 12104288
    assert batch.control.entry_hash == 38372299
    assert (batch.control.total_debit_cents, batch.control.total_credit_cents) == (4217 + 12050, 0)
    assert batch.control.entry_addenda_count == 3
    assert ach.control == nacha.FileControl(
        batch_count=1,
        block_count=1,
        entry_addenda_count=3,
        entry_hash=38372299,
        total_debit_cents=16267,
        total_credit_cents=0,
    )
    assert [entry.transaction_code for entry in batch.entries] == [27, 37, 28]
    assert [entry.trace_number for entry in batch.entries] == [
        "121042880000001",
        "121042880000002",
        "121042880000003",
    ]
    assert batch.entries[0].name == "JOSE NUNEZ"


def test_every_record_is_94_characters_and_the_file_is_padded_to_ten():
    lines = lines_of(nacha.write_file(golden_file()))
    assert len(lines) == 10
    assert {len(line) for line in lines} == {94}
    assert lines[7:] == ["9" * 94] * 3


def test_eleven_records_make_two_blocks():
    debits = [nacha.Debit("231380104", f"ACCT{i}", 100 + i, f"NAME {i}") for i in range(7)]
    ach = golden_file(debits=debits)
    lines = lines_of(nacha.write_file(ach))
    assert ach.control.block_count == 2 and len(lines) == 20
    assert lines[11:] == ["9" * 94] * 9


def _fields(layout: tuple[layouts.Field, ...], line: str) -> dict[str, str]:
    return {spec.name: spec.cut(line) for spec in layout if spec.name != "reserved"}


def test_file_header_fields_sit_at_their_positions():
    header = nacha.FileHeader(
        immediate_destination="231380104",
        immediate_origin="121042882",
        file_creation_date=dt.date(2026, 12, 1),
        file_creation_time=dt.time(9, 5),
        file_id_modifier="b",
        immediate_destination_name="Fed",
        immediate_origin_name="City",
        reference_code="ref1",
    )
    line = format_file_header(header)
    assert _fields(layouts.FILE_HEADER, line) == {
        "record_type": "1",
        "priority_code": "01",
        "immediate_destination": " 231380104",
        "immediate_origin": " 121042882",
        "file_creation_date": "261201",
        "file_creation_time": "0905",
        "file_id_modifier": "B",
        "record_size": "094",
        "blocking_factor": "10",
        "format_code": "1",
        "immediate_destination_name": "FED".ljust(23),
        "immediate_origin_name": "CITY".ljust(23),
        "reference_code": "REF1    ",
    }


def test_batch_entry_addenda_and_control_fields_sit_at_their_positions():
    ach = golden_file()
    batch = ach.batches[0]
    header = _fields(layouts.BATCH_HEADER, format_batch_header(batch.header))
    assert header["service_class_code"] == "225"
    assert header["company_name"] == "SPRINGFIELD WATE"
    assert header["company_identification"] == "1946000123"
    assert header["sec_code"] == "PPD"
    assert header["company_entry_description"] == "WATER BILL"
    assert header["effective_entry_date"] == "261203"
    assert header["settlement_date"] == "   "
    assert header["odfi_identification"] == "12104288"
    assert header["batch_number"] == "0000001"

    entry = _fields(layouts.ENTRY_DETAIL, format_entry(batch.entries[1]))
    assert entry == {
        "record_type": "6",
        "transaction_code": "37",
        "receiving_dfi_identification": "03130001",
        "check_digit": "2",
        "account_number": "987654321".ljust(17),
        "amount_cents": "0000012050",
        "identification_number": "1000002-6".ljust(15),
        "name": "ROSA DELGADO".ljust(22),
        "discretionary_data": "  ",
        "addenda_indicator": "0",
        "trace_number": "121042880000002",
    }
    control = _fields(layouts.BATCH_CONTROL, format_batch_control(batch.control))
    assert control == {
        "record_type": "8",
        "service_class_code": "225",
        "entry_addenda_count": "000003",
        "entry_hash": "0038372299",
        "total_debit_cents": "000000016267",
        "total_credit_cents": "000000000000",
        "company_identification": "1946000123",
        "message_authentication_code": " " * 19,
        "odfi_identification": "12104288",
        "batch_number": "0000001",
    }
    file_control = format_file_control(ach.control)
    assert file_control[55:] == " " * 39
    assert _fields(layouts.FILE_CONTROL, file_control)["entry_addenda_count"] == "00000003"


def test_addenda_fields_sit_at_their_positions():
    line = format_addenda(nacha.Addenda05("inv 42", 1, 3))
    assert _fields(layouts.ADDENDA_05, line) == {
        "record_type": "7",
        "addenda_type": "05",
        "payment_related_information": "INV 42".ljust(80),
        "sequence_number": "0001",
        "entry_detail_sequence_number": "0000003",
    }
    noc = format_addenda(
        nacha.Addenda98("C01", "121042880000001", "23138010", "1918171614", "091012980000088")
    )
    assert _fields(layouts.ADDENDA_98, noc)["corrected_data"] == "1918171614".ljust(29)
    assert noc[21:27] == " " * 6 and noc[64:79] == " " * 15
    ret = format_addenda(
        nacha.Addenda99("R01", "091400600000001", "09100001", "091000017611242", dt.date(2026, 1, 2), "x")
    )
    assert _fields(layouts.ADDENDA_99, ret) == {
        "record_type": "7",
        "addenda_type": "99",
        "return_reason_code": "R01",
        "original_trace_number": "091400600000001",
        "date_of_death": "260102",
        "original_rdfi_identification": "09100001",
        "addenda_information": "X".ljust(44),
        "trace_number": "091000017611242",
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"name": "N" * 23}, "longer than 22"),
        ({"account_number": "1" * 18}, "longer than 17"),
        ({"amount_cents": -1}, "non-negative"),
        ({"amount_cents": 10**10}, "more than 10 digits"),
        ({"routing_number": "231380105"}, "check digit"),
        ({"trace_number": "12104288000001"}, "exactly 15 digits"),
        ({"name": "caf\u00e9"}, "printable ASCII"),
    ],
)
def test_the_writer_refuses_values_that_do_not_fit(value, message):
    entry = nacha.EntryDetail(27, "231380104", "1", 1, "A", "121042880000001")
    bad = dataclasses.replace(entry, **value)
    with pytest.raises(nacha.NachaWriteError, match=message):
        format_entry(bad)


def test_entry_hash_keeps_the_rightmost_ten_digits():
    assert nacha.entry_hash(["99999999"] * 200) == 19_999_999_800 % 10**10 == 9_999_999_800
    assert nacha.entry_hash([]) == 0


@pytest.mark.parametrize(("records", "blocks"), [(1, 1), (10, 1), (11, 2), (20, 2), (21, 3)])
def test_block_count_rounds_up(records, blocks):
    assert nacha.block_count(records) == blocks


def test_trace_numbers_are_odfi_plus_seven_digit_sequence():
    assert nacha.trace_number("12104288", 1) == "121042880000001"
    assert nacha.trace_number("12104288", 9_999_999) == "121042889999999"
    with pytest.raises(nacha.NachaWriteError):
        nacha.trace_number("12104288", 10_000_000)
    with pytest.raises(nacha.NachaWriteError):
        nacha.trace_number("1210428", 1)


@pytest.mark.parametrize(
    ("used", "expected"),
    [
        ([], "A"),
        (["A"], "B"),
        (["A", "B", "C"], "D"),
        (["C", "A"], "D"),
        (["z"], "0"),
        (["Z", "0"], "1"),
        (["8"], "9"),
    ],
)
def test_file_id_modifier_advances_a_to_z_then_0_to_9(used, expected):
    assert nacha.next_file_id_modifier(used) == expected


def test_file_id_modifier_runs_out_after_36_files():
    with pytest.raises(nacha.NachaWriteError, match="all 36"):
        nacha.next_file_id_modifier(["9"])
    with pytest.raises(nacha.NachaWriteError, match="not a file ID modifier"):
        nacha.next_file_id_modifier(["AB"])


def test_effective_entry_date_must_be_a_business_day_after_creation():
    saturday = dt.date(2026, 12, 5)
    with pytest.raises(nacha.NachaWriteError, match="not a business day"):
        golden_file(effective_entry_date=saturday)
    with pytest.raises(nacha.NachaWriteError, match="after the file creation date"):
        golden_file(effective_entry_date=CREATED.date())
    holidays = {THURSDAY}
    with pytest.raises(nacha.NachaWriteError, match="not a business day"):
        golden_file(is_business_day=lambda day: weekday(day) and day not in holidays)


@pytest.mark.parametrize(
    ("debit", "message"),
    [
        (nacha.Debit("231380105", "1", 100, "X"), "check digit"),
        (nacha.Debit("231380104", "1", 0, "X"), "positive amount"),
        (nacha.Debit("231380104", "1", 5, "X", prenote=True), "prenote carries no money"),
        (nacha.Debit("231380104", " ", 5, "X"), "1 to 17 characters"),
        (nacha.Debit("231380104", "1", 5, "X", account_type="loan"), "checking' or 'savings"),
    ],
)
def test_ppd_debit_file_refuses_bad_debits(debit, message):
    with pytest.raises(nacha.NachaWriteError, match=message):
        golden_file(debits=[debit])


def test_transaction_codes_for_debits_and_prenotes():
    code = nacha.debit_transaction_code
    assert [
        code(account_type="checking", prenote=False),
        code(account_type="savings", prenote=False),
        code(account_type="checking", prenote=True),
        code(account_type="savings", prenote=True),
    ] == [27, 37, 28, 38]


def test_addenda_05_are_numbered_and_point_at_their_entry():
    debit = nacha.Debit("231380104", "1", 500, "X", payment_information="Bill 2026-11 acct 1000001-8")
    ach = golden_file(debits=[debit], first_trace_sequence=41)
    (entry,) = ach.batches[0].entries
    assert entry.addenda == (nacha.Addenda05("BILL 2026-11 ACCT 1000001-8", 1, 41),)
    assert ach.control.entry_addenda_count == 2
    assert nacha.read_file(nacha.write_file(ach)).file == ach


def test_write_file_refuses_a_file_whose_controls_do_not_add_up():
    ach = golden_file()
    wrong = nacha.AchFile(
        header=ach.header,
        batches=ach.batches,
        control=nacha.FileControl(1, 1, 3, 38372299, 16266, 0),
    )
    with pytest.raises(nacha.NachaWriteError) as raised:
        nacha.write_file(wrong)
    assert [(p.line, p.field, p.found, p.expected) for p in raised.value.problems] == [
        (7, "total_debit_cents", "000000016266", "000000016267")
    ]


def test_clean_text_drops_accents_and_cuts():
    assert nacha.clean_text("José  Núñez-O'Brien\t", 22) == "JOSE NUNEZ-O'BRIEN"
    assert nacha.clean_text("Zoë Ångström-Ødegaard", 10) == "ZOE ANGSTR"


def test_the_app_calendar_can_be_the_business_day_predicate():
    from civicbill.core.clock import BusinessCalendar

    calendar = BusinessCalendar(closures=frozenset({dt.date(2026, 12, 4)}))
    christmas = dt.date(2026, 12, 25)
    with pytest.raises(nacha.NachaWriteError, match="2026-12-25 is not a business day"):
        golden_file(effective_entry_date=christmas, is_business_day=calendar.is_business_day)
    with pytest.raises(nacha.NachaWriteError, match="not a business day"):
        golden_file(effective_entry_date=dt.date(2026, 12, 4), is_business_day=calendar.is_business_day)
    assert (
        golden_file(is_business_day=calendar.is_business_day).batches[0].header.effective_entry_date
        == THURSDAY
    )


def test_make_batch_checks_the_effective_date_when_given_a_predicate():
    header = golden_file().batches[0].header
    saturday = dataclasses.replace(header, effective_entry_date=dt.date(2026, 12, 5))
    with pytest.raises(nacha.NachaWriteError, match="not a business day"):
        nacha.make_batch(header=saturday, entries=[], is_business_day=weekday)
    assert nacha.make_batch(header=saturday, entries=[]).control.entry_addenda_count == 0


def test_the_library_does_not_import_django():
    code = (
        "import sys, civicbill.nacha as n; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'civicbill') "
        "and not m.startswith('civicbill.nacha') and m not in ('civicbill', 'civicbill.payments')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)  # noqa: S603
    assert done.returncode == 0, done.stdout + done.stderr
