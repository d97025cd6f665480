"""Every shared sample file: valid ones accepted, invalid ones rejected for the README's reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicbill import nacha
from civicbill.nacha import Addenda98, Addenda99, Addenda99Contested, Addenda99Dishonored

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "ach"  # copies of the shared samples (Apache-2.0)


def read(name: str, **options: bool) -> nacha.ReadResult:
    return nacha.read_file((SAMPLES / name).read_bytes(), **options)


def where(result: nacha.ReadResult) -> list[tuple[int | None, str, str]]:
    return [(problem.line, problem.record, problem.field) for problem in result.errors]


def test_ppd_debit_is_valid_after_padding_its_trimmed_lines():
    result = read("ppd-debit.ach")
    assert result.valid
    assert [(w.line, w.field) for w in result.warnings] == [(1, "record_length")]
    assert "lines 1, 5" in result.warnings[0].message
    (entry,) = result.entries
    assert (entry.transaction_code, entry.routing_number, entry.account_number) == (
        27,
        "231380104",
        "12345678",
    )
    assert (entry.amount_cents, entry.name, entry.trace_number) == (
        100000000,
        "Receiver Account Name",
        "121042880000001",
    )
    assert result.summary()["total_debit_cents"] == 100000000


def test_ppd_credit_is_valid():
    result = read("ppd-credit.ach")
    assert result.valid and result.problems == ()
    (entry,) = result.entries
    assert (entry.transaction_code, entry.amount_cents, entry.is_credit) == (22, 100000000, True)


def test_mixed_batch_has_one_debit_and_two_credits():
    result = read("ppd-mixedDebitCredit.ach")
    assert result.valid and result.problems == ()
    (batch,) = result.batches
    assert batch.header.service_class_code == 200
    assert [entry.transaction_code for entry in batch.entries] == [27, 22, 22]
    assert (result.summary()["total_debit_cents"], result.summary()["total_credit_cents"]) == (
        200000000,
        200000000,
    )


@pytest.mark.parametrize(
    ("name", "lines"), [("short-line.ach", "lines 5)"), ("long-line.ach", "lines 3, 5, 6)")]
)
def test_line_length_noise_is_tolerated(name, lines):
    result = read(name)
    assert result.valid
    assert len(result.warnings) == 1 and result.warnings[0].field == "record_length"
    assert result.warnings[0].message.endswith(lines)
    assert len(result.entries) == 1


def test_the_same_files_fail_when_strict():
    assert where(read("short-line.ach", strict=True)) == [(5, "", "record_length")]


def test_return_web_has_r01_and_r03_with_original_traces():
    result = read("return-WEB.ach")
    assert result.valid and result.problems == ()
    returns = [entry.return_addenda for entry in result.entries]
    assert all(isinstance(item, Addenda99) for item in returns)
    assert [(item.return_reason_code, item.original_trace_number) for item in returns] == [  # type: ignore[union-attr]
        ("R01", "091400600000001"),
        ("R03", "091400600000003"),
    ]
    assert [batch.header.sec_code for batch in result.batches] == ["WEB", "WEB"]


def test_issue1620_is_an_r03_return_of_a_prenote():
    result = read("issue1620_return.ach")
    assert result.valid and result.problems == ()
    (entry,) = result.entries
    assert entry.transaction_code == 22 and entry.amount_cents == 1
    assert entry.return_addenda is not None and entry.return_addenda.return_reason_code == "R03"
    assert result.batches[0].header.sec_code == "CCD"


def test_dishonored_returns_read_in_their_own_layout():
    result = read("dishonored-return.ach")
    assert result.valid and result.problems == ()
    addenda = [entry.return_addenda for entry in result.entries]
    assert all(isinstance(item, Addenda99Dishonored) for item in addenda)
    first = addenda[0]
    assert isinstance(first, Addenda99Dishonored)
    assert (first.return_reason_code, first.return_trace_number, first.original_return_reason) == (
        "R68",
        "123918710000001",
        "01",
    )


def test_contested_dishonored_return_is_valid():
    result = read("contested-return.ach")
    assert result.valid and result.problems == ()
    (entry,) = result.entries
    kinds = [type(item) for item in entry.addenda]
    assert kinds == [Addenda99, Addenda99Dishonored, Addenda99Contested]
    contested = entry.addenda[2]
    assert isinstance(contested, Addenda99Contested)
    assert (contested.return_reason_code, contested.dishonored_return_reason) == ("R71", "67")


def test_cor_example_is_a_c01_notification_of_change():
    result = read("cor-example.ach")
    assert result.valid and result.problems == ()
    (entry,) = result.entries
    change = entry.change_addenda
    assert isinstance(change, Addenda98)
    assert (change.change_code, change.original_trace_number, change.corrected_data) == (
        "C01",
        "121042880000001",
        "1918171614",
    )
    correction, wrong = nacha.parse_corrected_data(change.change_code, change.corrected_data)
    assert (correction.account_number, wrong) == ("1918171614", [])


def test_custom_return_code_is_rejected_by_default():
    result = read("return-PPD-custom-reason-code.ach")
    assert where(result) == [(4, "addenda 99", "return_reason_code")]
    (error,) = result.errors
    assert (error.found, error.positions) == ("R97", "4-6")


def test_custom_return_code_is_accepted_when_allowed():
    result = read("return-PPD-custom-reason-code.ach", allow_custom_return_codes=True)
    assert result.valid
    assert result.entries[0].return_addenda is not None
    assert result.entries[0].return_addenda.return_reason_code == "R97"


def test_bad_routing_check_digit_is_rejected_on_the_entry():
    result = read("ppd-debit-invalid-entryDetail-checkDigit.ach")
    assert where(result) == [(3, "entry detail", "check_digit")]
    (error,) = result.errors
    assert (error.found, error.expected, error.positions) == ("5", "4", "12")


def test_20110805a_batch_count_is_wrong_and_iat_batches_are_reported_unsupported():
    result = read("20110805A.ach")
    assert where(result) == [(93, "file control", "batch_count")]
    (error,) = result.errors
    assert (error.found, error.expected, error.positions) == ("000005", "000004", "2-7")
    unsupported = [(w.line, w.field) for w in result.warnings if w.field == "sec_code"]
    assert unsupported == [(49, "sec_code"), (75, "sec_code")]
    assert [batch.supported for batch in result.batches] == [True, True, False, False]
    assert len(result.batches[2].unsupported_records) == 24
    # the IAT money is still counted: the file control's totals match
    assert (result.total_debit_cents, result.total_credit_cents) == (5101000, 200)


def test_20110729a_malformed_records_are_all_reported():
    result = read("20110729A-invalid.ach")
    assert not result.valid
    found = set(where(result))
    assert {
        (1, "file header", "file_creation_date"),
        (1, "file header", "record_size"),
        (1, "file header", "blocking_factor"),
        (1, "file header", "format_code"),
        (2, "batch header", "sec_code"),
        (169, "batch header", "sec_code"),
        (171, "addenda", "addenda_type"),
        (293, "file control", "batch_count"),
    } <= found
    assert len(result.errors) > 100  # every problem, not just the first


@pytest.mark.parametrize(
    "path", sorted(SAMPLES.glob("*.ach")) if SAMPLES.is_dir() else [], ids=lambda p: p.name
)
def test_every_sample_reads_without_raising_and_matches_the_readme(path):
    invalid = {
        "return-PPD-custom-reason-code.ach",
        "ppd-debit-invalid-entryDetail-checkDigit.ach",
        "20110805A.ach",
        "20110729A-invalid.ach",
    }
    assert nacha.read_file(path.read_bytes()).valid is (path.name not in invalid)
