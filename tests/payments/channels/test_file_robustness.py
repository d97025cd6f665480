"""Payment files that are not what they seem: a 2 MB line (it raised ``_csv.Error: field larger than
field limit``), ``²`` and other scripts' digits in numeric fields (``int('²')`` raised ValueError),
NUL bytes, bytes that are not UTF-8 (they became "Pe�a" and posted), and the three line endings.
Every reader names the line and the problem and keeps the good rows; nothing raises. Then the same
files through the page, the API and the command line."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from civicbill.customers.models import Account
from civicbill.payments.imports import RowProblem, parse_file
from civicbill.payments.models import Payment, PaymentImport
from tests.fixtures.payments import fixed_detail

TWO_MB = "7" * (2 * 1024 * 1024)
TOO_LONG = f"the line is {len(TWO_MB) + 2:,} characters long; a record is at most 10,000"


def lines(*records: str, ending: str = "\n") -> bytes:
    return (ending.join(records) + ending).encode()


# -- pure readers --------------------------------------------------------------------------------------
def test_a_2_mb_detail_line_is_a_bad_row_and_the_other_rows_are_read() -> None:
    parsed = parse_file(
        lines("H,LB0001,2026-12-01", "D,,1000001-6,50.00,1001,,Rosa", f"D,{TWO_MB}", "T,2,50.00"),
        "lockbox-csv",
    )

    assert not parsed.is_refused
    assert [(row.line_number, row.amount_cents) for row in parsed.rows] == [(2, 5000)]
    assert parsed.row_problems == (RowProblem(3, TOO_LONG),)
    assert parsed.detail_count == 2  # the trailer counts it


def test_a_2_mb_line_in_an_online_file_is_a_bad_row() -> None:
    parsed = parse_file(
        lines(
            "confirmation,account_number,amount,paid_on,method,payer_name",
            f"W-1,{TWO_MB}",
            "W-2,1000001-6,20.00,2026-12-01,card,Rosa",
            "TRAILER,2,20.00",
        ),
        "online-csv",
    )

    assert not parsed.is_refused
    assert [row.reference for row in parsed.rows] == ["W-2"]
    long = f"the line is {len(TWO_MB) + 4:,} characters long; a record is at most 10,000"
    assert parsed.row_problems == (RowProblem(2, long),)


def test_a_2_mb_header_or_trailer_refuses_the_file_naming_the_line() -> None:
    parsed = parse_file(lines(f"H{TWO_MB}", "D,,1000001-6,50.00,1001,,Rosa", "T,1,50.00"), "lockbox-csv")
    assert parsed.file_problems[:2] == (
        "the file has no header record (lockbox id and deposit date)",
        f"line 1: the line is {len(TWO_MB) + 1:,} characters long; a record is at most 10,000",
    )
    parsed = parse_file(
        lines(f"{TWO_MB}", "W-2,1000001-6,20.00,2026-12-01,card,Rosa", "TRAILER,1,20.00"), "online-csv"
    )
    assert parsed.file_problems[0] == (
        f"line 1: the header row cannot be read: the line is {len(TWO_MB):,} characters long; a record is "
        "at most 10,000"
    )


def test_a_2_mb_line_in_a_fixed_width_file_is_a_bad_row() -> None:
    parsed = parse_file(
        lines(
            "HLB0001    20261201",
            fixed_detail(account="1000001-6", cents=5000),
            "D" + TWO_MB,
            "T000002000000005000",
        ),
        "lockbox-fixed",
    )
    assert [row.line_number for row in parsed.rows] == [2]
    assert parsed.row_problems == (
        RowProblem(3, f"the line is {len(TWO_MB) + 1:,} characters long; a record is at most 10,000"),
    )


@pytest.mark.parametrize("amount", ["5².00", "²0.00", "٥٠.٠٠", "５０.００"])
def test_superscripts_and_other_scripts_digits_are_not_amounts(amount: str) -> None:
    parsed = parse_file(
        lines(
            "H,LB0001,2026-12-01",
            f"D,,1000001-6,{amount},1001,,Rosa",
            "D,,1000001-6,1.00,1002,,Rosa",
            "T,2,1.00",
        ),
        "lockbox-csv",
    )
    assert [row.line_number for row in parsed.rows] == [3]
    assert parsed.row_problems == (RowProblem(2, f"amount {amount!r} is not like 123.45"),)


def test_a_superscript_in_fixed_width_cents_is_a_bad_row_not_a_value_error() -> None:
    detail = fixed_detail(account="1000001-6", cents=5000).replace("0000005000", "000000²000")
    parsed = parse_file(lines("HLB0001    20261201", detail, "T000001000000000000"), "lockbox-fixed")
    assert parsed.row_problems == (RowProblem(2, "amount '000000²000' is not digits (cents)"),)
    assert parsed.rows == ()


@pytest.mark.parametrize(
    ("file_format", "trailer"), [("lockbox-csv", "T,²,50.00"), ("lockbox-fixed", "T00000²000000005000")]
)
def test_a_superscript_in_the_trailer_count_refuses_the_file(file_format: str, trailer: str) -> None:
    detail = (
        "D,,1000001-6,50.00,1001,,Rosa"
        if file_format == "lockbox-csv"
        else fixed_detail(account="1000001-6", cents=5000)
    )
    header = "H,LB0001,2026-12-01" if file_format == "lockbox-csv" else "HLB0001    20261201"
    parsed = parse_file(lines(header, detail, trailer), file_format)
    assert parsed.file_problems == ("line 3: the trailer's count or total cannot be read",)


def test_a_superscript_in_the_online_trailer_or_date_is_refused() -> None:
    header = "confirmation,account_number,amount,paid_on,method,payer_name"
    parsed = parse_file(
        lines(header, "W-1,1000001-6,20.00,2026-12-0²,card,Rosa", "TRAILER,1,20.00"), "online-csv"
    )
    assert parsed.row_problems == (RowProblem(2, "paid_on date '2026-12-0²' is not a date like YYYY-MM-DD"),)
    parsed = parse_file(
        lines(header, "W-1,1000001-6,20.00,2026-12-01,card,Rosa", "TRAILER,¹,20.00"), "online-csv"
    )
    assert parsed.file_problems == ("line 3: the trailer's count or total cannot be read",)


@pytest.mark.parametrize(
    ("file_format", "content"),
    [
        ("lockbox-csv", lines("H,LB0001,2026-12-01", "D,,1000001-6,50.00,1001,,Rosa Pe\x00a", "T,1,50.00")),
        (
            "lockbox-fixed",
            lines(
                "HLB0001    20261201",
                fixed_detail(account="1000001-6", cents=5000, payer="Pe\x00a"),
                "T000001000000005000",
            ),
        ),
        (
            "online-csv",
            lines(
                "confirmation,account_number,amount,paid_on,method,payer_name",
                "W-1,1000001-6,50.00,2026-12-01,card,Pe\x00a",
                "TRAILER,1,50.00",
            ),
        ),
    ],
)
def test_a_nul_byte_refuses_the_file_naming_its_line(file_format: str, content: bytes) -> None:
    parsed = parse_file(content, file_format)
    assert parsed.file_problems == ("line 2: has a NUL byte: the file is binary, not text",)
    assert parsed.rows == ()


@pytest.mark.parametrize(
    ("file_format", "content", "column"),
    [
        ("lockbox-csv", b"H,LB0001,2026-12-01\nD,,1000001-6,50.00,1001,,Rosa Pe\xf1a\nT,1,50.00\n", 33),
        (
            "online-csv",
            b"confirmation,account_number,amount,paid_on,method,payer_name\n"
            b"W-1,1000001-6,50.00,2026-12-01,card,Pe\xf1a\nTRAILER,1,50.00\n",
            39,
        ),
        (
            "lockbox-fixed",
            b"HLB0001    20261201\n"
            + fixed_detail(account="1000001-6", cents=5000).encode()[:65]
            + b"Pe\xf1a\nT000001000000005000\n",
            68,
        ),
    ],
)
def test_bytes_that_are_not_utf8_refuse_the_file_naming_the_line(
    file_format: str, content: bytes, column: int
) -> None:
    parsed = parse_file(content, file_format)
    assert parsed.file_problems == (
        f'line 2: byte 0xF1 (column {column}) is not UTF-8 text; save the file as UTF-8 ("CSV UTF-8" in a '
        "spreadsheet) and import it again",
    )
    assert parsed.rows == ()


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("file_format", ["lockbox-csv", "lockbox-fixed", "online-csv"])
def test_lf_crlf_and_cr_files_read_the_same_rows(file_format: str, ending: str) -> None:
    records = {
        "lockbox-csv": [
            "H,LB0001,2026-12-01",
            "D,,1000001-6,50.00,1001,,Rosa Peña",
            "",
            "D,,1000002-4,1.00,1002,,Kim",
            "T,2,51.00",
        ],
        "lockbox-fixed": [
            "HLB0001    20261201",
            fixed_detail(account="1000001-6", cents=5000, payer="Rosa Peña"),
            "",
            fixed_detail(account="1000002-4", cents=100, payer="Kim"),
            "T000002000000005100",
        ],
        "online-csv": [
            "confirmation,account_number,amount,paid_on,method,payer_name",
            "W-1,1000001-6,50.00,2026-12-01,card,Rosa Peña",
            "",
            "W-2,1000002-4,1.00,2026-12-01,ach,Kim",
            "TRAILER,2,51.00",
        ],
    }[file_format]

    parsed = parse_file(lines(*records, ending=ending), file_format)

    assert not parsed.is_refused and parsed.row_problems == ()
    assert [
        (row.line_number, row.account_number, row.amount_cents, row.payer_name) for row in parsed.rows
    ] == [
        (2, "1000001-6", 5000, "Rosa Peña"),
        (4, "1000002-4", 100, "Kim"),
    ]


# -- through the page, the API and the command line ---------------------------------------------------
@pytest.fixture
def rosa(make_account: Any) -> Account:
    return make_account(last_name="Pena", house="100", owing={"water": "48.20"})


def long_line_file(account: Account) -> bytes:
    return lines("H,LB0001,2026-12-01", f"D,,{account.number},40.00,1001,,Rosa", f"D,{TWO_MB}", "T,2,40.00")


def latin1_file(account: Account) -> bytes:
    return f"H,LB0001,2026-12-01\nD,,{account.number},40.00,1001,,Rosa Peña\nT,1,40.00\n".encode("latin-1")


LATIN1_REFUSAL = (
    "File {name} refused, nothing posted: line 2: byte 0xF1 (column 33) is not UTF-8 text; save the file "
    'as UTF-8 ("CSV UTF-8" in a spreadsheet) and import it again'
)


def upload(client: Client, content: bytes, name: str) -> Any:
    return client.post(
        "/payments/files/",
        {"file_format": "lockbox-csv", "file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_the_page_lists_the_long_line_and_refuses_a_latin1_file(
    client: Client, technician: Any, rosa: Account
) -> None:
    client.force_login(technician)

    refused = upload(client, latin1_file(rosa), "latin1.csv")
    assert refused.status_code == 422
    assert LATIN1_REFUSAL.format(name="latin1.csv").replace('"', "&quot;") in refused.content.decode()
    assert not PaymentImport.objects.exists() and not Payment.objects.exists()

    response = upload(client, long_line_file(rosa), "long.csv")
    assert response.status_code == 302
    record = PaymentImport.objects.get()
    assert (record.posted_count, record.posted_cents, record.errors) == (
        1,
        4000,
        [{"line": 3, "reason": TOO_LONG}],
    )
    page = client.get(response["Location"]).content.decode()
    assert TOO_LONG in page


def test_the_api_answers_400_naming_the_line_not_500(client: Client, technician: Any, rosa: Account) -> None:
    client.force_login(technician)

    def post(content: bytes, name: str) -> Any:
        return client.post(
            "/api/payment-files",
            {"format": "lockbox-csv", "file": SimpleUploadedFile(name, content, content_type="text/csv")},
        )

    refused = post(latin1_file(rosa), "latin1.csv")
    assert refused.status_code == 400
    assert refused.json()["code"] == "file_refused"
    assert refused.json()["detail"] == LATIN1_REFUSAL.format(name="latin1.csv")
    assert not Payment.objects.exists()

    response = post(long_line_file(rosa), "long.csv")
    assert response.status_code == 201, response.content
    assert (response.json()["posted_cents"], response.json()["errors"]) == (
        4000,
        [{"line": 3, "reason": TOO_LONG}],
    )


def test_the_command_line_names_the_line_instead_of_a_traceback(
    technician: Any, rosa: Account, tmp_path: Path
) -> None:
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(latin1_file(rosa))
    with pytest.raises(CommandError) as refused:
        call_command(
            "payments", "import", str(latin1), "--format", "lockbox-csv", "--user", technician.username
        )
    assert str(refused.value) == LATIN1_REFUSAL.format(name="latin1.csv")

    long = tmp_path / "long.csv"
    long.write_bytes(long_line_file(rosa))
    out = StringIO()
    call_command(
        "payments",
        "import",
        str(long),
        "--format",
        "lockbox-csv",
        "--user",
        technician.username,
        "--json",
        stdout=out,
    )
    row = json.loads(out.getvalue())
    assert (row["posted_cents"], row["errors"]) == (4000, [{"line": 3, "reason": TOO_LONG}])
