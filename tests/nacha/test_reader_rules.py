"""The reader's rules, one mutation of a valid file at a time: each names its line, field and values."""

from __future__ import annotations

import pytest

from civicbill import nacha
from tests.nacha.helpers import golden_file, lines_of, splice, with_line

GOOD = nacha.write_file(golden_file())
LINES = lines_of(GOOD)
# line 1 file header, 2 batch header, 3-5 entries, 6 batch control, 7 file control, 8-10 padding


def errors(data: bytes, **options: bool) -> list[tuple[int | None, str, str, str, str]]:
    result = nacha.read_file(data, **options)
    return [(p.line, p.record, p.field, p.found, p.expected) for p in result.errors]


def mutate(line: int, column: int, text: str) -> bytes:
    return with_line(GOOD, line, splice(LINES[line - 1], column, text))


def test_the_unmutated_file_is_valid_with_no_warnings():
    result = nacha.read_file(GOOD, strict=True)
    assert result.valid and result.problems == ()
    assert result.file == golden_file()


def test_batch_control_count_hash_and_totals_are_checked():
    assert errors(mutate(6, 5, "000004")) == [(6, "batch control", "entry_addenda_count", "000004", "000003")]
    assert errors(mutate(6, 11, "0038372298")) == [
        (6, "batch control", "entry_hash", "0038372298", "0038372299")
    ]
    assert errors(mutate(6, 21, "000000016268")) == [
        (6, "batch control", "total_debit_cents", "000000016268", "000000016267")
    ]
    assert errors(mutate(6, 33, "000000000001")) == [
        (6, "batch control", "total_credit_cents", "000000000001", "000000000000")
    ]
    assert errors(mutate(6, 2, "200")) == [(6, "batch control", "service_class_code", "200", "225")]
    assert errors(mutate(6, 88, "0000002")) == [(6, "batch control", "batch_number", "0000002", "0000001")]
    assert errors(mutate(6, 80, "12104289")) == [
        (6, "batch control", "odfi_identification", "12104289", "12104288")
    ]
    assert errors(mutate(6, 45, "1946000124")) == [
        (6, "batch control", "company_identification", "1946000124", "1946000123")
    ]


def test_file_control_counts_hash_and_totals_are_checked():
    assert errors(mutate(7, 2, "000002")) == [(7, "file control", "batch_count", "000002", "000001")]
    assert errors(mutate(7, 8, "000002")) == [(7, "file control", "block_count", "000002", "000001")]
    assert errors(mutate(7, 14, "00000004")) == [
        (7, "file control", "entry_addenda_count", "00000004", "00000003")
    ]
    assert errors(mutate(7, 22, "0000000001")) == [
        (7, "file control", "entry_hash", "0000000001", "0038372299")
    ]
    assert errors(mutate(7, 32, "000000000000")) == [
        (7, "file control", "total_debit_cents", "000000000000", "000000016267")
    ]


def test_numeric_fields_must_be_numeric():
    found = errors(mutate(3, 30, "00000042I7"))
    assert found[0] == (3, "entry detail", "amount_cents", "00000042I7", "digits (zero-filled)")
    assert errors(mutate(2, 88, "00000X1"))[0][:3] == (2, "batch header", "batch_number")
    assert errors(mutate(3, 80, "12104288000000A"))[0][:3] == (3, "entry detail", "trace_number")


def test_routing_check_digit_and_transaction_code():
    assert errors(mutate(3, 12, "5")) == [(3, "entry detail", "check_digit", "5", "4")]
    assert errors(mutate(3, 2, "99"))[0][:3] == (3, "entry detail", "transaction_code")


def test_a_prenote_carries_no_money():
    found = errors(mutate(5, 30, "0000000001"))
    assert found[0] == (5, "entry detail", "amount_cents", "0000000001", "0000000000")


def test_a_credit_in_a_debits_only_batch():
    assert errors(mutate(3, 2, "22"))[0][:4] == (3, "entry detail", "transaction_code", "22")


def test_trace_numbers_ascend_and_start_with_the_odfi():
    assert errors(mutate(4, 80, "121042880000001")) == [
        (4, "entry detail", "trace_number", "121042880000001", "greater than 121042880000001")
    ]
    assert errors(mutate(5, 80, "999999990000001")) == [
        (5, "entry detail", "trace_number", "999999990000001", "12104288NNNNNNN")
    ]


def test_addenda_indicator_must_match_the_addenda():
    assert errors(mutate(3, 79, "1")) == [
        (3, "entry detail", "addenda_indicator", "1", "0 (or an addenda record after the entry)")
    ]
    assert errors(mutate(3, 79, "2"))[0][:3] == (3, "entry detail", "addenda_indicator")


def test_file_header_fields():
    assert errors(mutate(1, 24, "261301")) == [(1, "file header", "file_creation_date", "261301", "YYMMDD")]
    assert errors(mutate(1, 35, "095")) == [(1, "file header", "record_size", "095", "094")]
    assert errors(mutate(1, 34, "a")) == [(1, "file header", "file_id_modifier", "a", "A-Z, 0-9")]
    assert errors(mutate(1, 5, "231380105"))[0][:3] == (1, "file header", "immediate_destination")


def test_record_order():
    lines = list(LINES)
    swapped = [*lines[:1], lines[2], lines[1], *lines[3:]]
    found = errors(("\n".join(swapped) + "\n").encode())
    assert found[0] == (2, "entry detail", "record_type", "6", "5 (batch header) first")
    no_batch_control = lines[:5] + lines[6:] + ["9" * 94]
    assert errors(("\n".join(no_batch_control) + "\n").encode()) == [
        (6, "batch control", "record_type", "9", "8")
    ]
    no_file_control = lines[:6] + lines[7:] + ["9" * 94]
    assert errors(("\n".join(no_file_control) + "\n").encode()) == [
        (7, "file control", "record_type", "padding", "9")
    ]
    after_control = [*lines[:7], lines[2], "9" * 94, "9" * 94]
    assert errors(("\n".join(after_control) + "\n").encode()) == [(8, "file", "record_type", "6", "9" * 94)]
    assert errors(mutate(3, 1, "4"))[0][:4] == (3, "record", "record_type", "4")
    assert errors(("\n".join(lines[1:]) + "\n").encode())[0][:4] == (1, "file", "record_type", "5")


def test_batch_numbers_ascend():
    lines = list(LINES)
    second = [splice(lines[1], 88, "0000001"), splice(lines[2], 80, "121042880000009"), lines[5]]
    data = lines[:6] + second + [splice(splice(lines[6], 2, "000002"), 14, "00000004")]
    result = nacha.read_file(("\n".join(data) + "\n").encode())
    assert [(p.line, p.field, p.found) for p in result.errors][:1] == [(7, "batch_number", "0000001")]


def test_empty_and_blank_files():
    assert errors(b"") == [(None, "file", "content", "", "records")]
    assert errors(b"\n\n  \r\n") == [(None, "file", "content", "", "records")]


def test_non_ascii_bytes_are_reported_where_they_are():
    data = mutate(3, 55, "JOS\u00c9").replace("JOS\u00c9".encode("latin-1"), "JOSÉ".encode())
    result = nacha.read_file(data)
    assert next((p.line, p.field, p.positions) for p in result.errors) == (3, "characters", "58")


def test_windows_line_endings_are_fine_and_one_long_line_is_split():
    assert nacha.read_file(GOOD.replace(b"\n", b"\r\n"), strict=True).problems == ()
    assert nacha.read_file(GOOD.replace(b"\n", b"\r"), strict=True).problems == ()
    one_line = nacha.read_file(GOOD.replace(b"\n", b""))
    assert one_line.valid and one_line.file == golden_file()
    assert [(w.line, w.field) for w in one_line.warnings] == [(1, "line_breaks")]


def test_a_line_with_text_past_column_94_is_an_error():
    assert errors(with_line(GOOD, 3, LINES[2] + "X"))[0] == (3, "", "record_length", "95", "94")


def test_return_and_noc_addenda_rules():
    ret = nacha.Addenda99("R01", "091400600000001", "09100001", "121042880000001")
    entry = nacha.EntryDetail(26, "231380104", "1", 100, "X", "121042880000001", addenda=(ret,))
    header = nacha.BatchHeader(225, "CO", "1946000123", "PPD", "RETURN", None, "12104288", 1)
    batch = nacha.make_batch(header=header, entries=[entry])
    ach = nacha.make_file(header=golden_file().header, batches=[batch])
    data = nacha.write_file(ach)
    assert nacha.read_file(data).file == ach
    lines = lines_of(data)
    assert lines[3].startswith("799R01")
    bad_code = with_line(data, 4, splice(lines[3], 4, "RXX"))
    assert errors(bad_code) == [(4, "addenda 99", "return_reason_code", "RXX", "a standard R code (R01-R85)")]
    bad_death = with_line(data, 4, splice(lines[3], 22, "261340"))
    assert errors(bad_death) == [(4, "addenda 99", "date_of_death", "261340", "YYMMDD")]
    noc_in_ppd = with_line(data, 4, splice(lines[3], 2, "98C02"))
    assert errors(noc_in_ppd)[0][:3] == (4, "addenda 98", "addenda_type")


def test_noc_change_codes_and_corrected_data():
    change = nacha.Addenda98("C02", "121042880000001", "23138010", "231380104", "091012980000088")
    entry = nacha.EntryDetail(21, "231380104", "1", 0, "X", "121042880000001", addenda=(change,))
    header = nacha.BatchHeader(220, "CO", "1946000123", "COR", "NOC", None, "12104288", 1)
    ach = nacha.make_file(
        header=golden_file().header, batches=[nacha.make_batch(header=header, entries=[entry])]
    )
    data = nacha.write_file(ach)
    result = nacha.read_file(data)
    assert result.valid and result.file == ach
    line = lines_of(data)[3]
    assert errors(with_line(data, 4, splice(line, 4, "C99")))[0][:4] == (
        4,
        "addenda 98",
        "change_code",
        "C99",
    )
    bad_routing = with_line(data, 4, splice(line, 36, "231380105"))
    assert errors(bad_routing)[0][:3] == (4, "addenda 98", "corrected_data")
    no_addenda = nacha.EntryDetail(21, "231380104", "1", 0, "X", "121042880000001")
    naked = nacha.make_file(
        header=golden_file().header, batches=[nacha.make_batch(header=header, entries=[no_addenda])]
    )
    with pytest.raises(nacha.NachaWriteError, match="addenda 98"):
        nacha.write_file(naked)


@pytest.mark.parametrize(
    ("code", "data", "expected"),
    [
        ("C01", "1918171614", {"account_number": "1918171614"}),
        ("C02", "231380104", {"routing_number": "231380104"}),
        ("C03", "231380104   12345", {"routing_number": "231380104", "account_number": "12345"}),
        ("C05", "37", {"transaction_code": 37}),
        ("C06", "12345" + " " * 17 + "32", {"account_number": "12345", "transaction_code": 32}),
        (
            "C07",
            "231380104" + "12345".ljust(17) + "27",
            {"routing_number": "231380104", "account_number": "12345", "transaction_code": 27},
        ),
        ("C04", "JANE Q PUBLIC", {"name": "JANE Q PUBLIC"}),
    ],
)
def test_corrected_data_layouts(code, data, expected):
    correction, wrong = nacha.parse_corrected_data(code, data)
    assert wrong == []
    assert {key: getattr(correction, key) for key in expected} == expected
