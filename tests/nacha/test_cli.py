"""``civicbill ach validate``: the summary, every problem, the exit code."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicbill import nacha
from tests.nacha.helpers import golden_file, splice, with_line

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "ach"


def run(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("ach", *args, stdout=out)
    except SystemExit as exited:
        return int(exited.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_a_valid_file_prints_its_summary_and_exits_0(tmp_path):
    path = tmp_path / "draft.ach"
    path.write_bytes(nacha.write_file(golden_file()))
    assert run("validate", str(path)) == (
        0,
        "draft.ach: valid\n"
        "  batches: 1 (PPD)\n"
        "  entries: 3 (debits: 3, credits: 0, prenotes: 1)\n"
        "  total debits:  $162.67\n"
        "  total credits: $0.00\n",
    )


def test_an_invalid_file_lists_every_problem_and_exits_1(tmp_path):
    good = nacha.write_file(golden_file())
    lines = good.decode().split("\n")
    bad = with_line(good, 3, splice(lines[2], 12, "5"))
    bad = with_line(bad, 7, splice(bad.decode().split("\n")[6], 2, "000009"))
    path = tmp_path / "bad.ach"
    path.write_bytes(bad)
    code, output = run("validate", str(path))
    assert code == 1
    assert output.splitlines()[0] == "bad.ach: INVALID (2 errors)"
    assert output.splitlines()[-3:] == [
        "Problems:",
        "  line 3: entry detail check_digit (12): routing number 231380105 fails its check digit "
        "(weights 3,7,1,3,7,1,3,7) [found '5', expected '4']",
        "  line 7: file control batch_count (2-7): must equal the number of batches in the file "
        "[found '000009', expected '000001']",
    ]


def test_json_output_lists_problems_with_line_and_field(tmp_path):
    path = tmp_path / "empty.ach"
    path.write_bytes(b"")
    code, output = run("validate", str(path), "--json")
    document = json.loads(output)
    assert code == 1 and document["valid"] is False
    assert document["problems"] == [
        {
            "line": None,
            "record": "file",
            "field": "content",
            "positions": "",
            "found": "",
            "expected": "records",
            "message": "the file is empty (no records)",
            "severity": "error",
        }
    ]


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared ACH samples not present")
def test_custom_return_codes_are_an_option():
    path = str(SAMPLES / "return-PPD-custom-reason-code.ach")
    assert run("validate", path)[0] == 1
    code, output = run("validate", path, "--allow-custom-return-codes", "--json")
    assert code == 0
    assert json.loads(output)["summary"]["returns"] == 1


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared ACH samples not present")
def test_strict_refuses_repaired_lines():
    path = str(SAMPLES / "ppd-debit.ach")
    assert run("validate", path)[0] == 0
    assert run("validate", path, "--strict")[0] == 1


def test_a_missing_file_or_a_directory_is_a_command_error_with_code_2(tmp_path):
    with pytest.raises(CommandError, match="No such file or directory") as raised:
        run("validate", str(tmp_path / "missing.ach"))
    assert raised.value.returncode == 2
    with pytest.raises(CommandError, match="Is a directory") as raised:
        run("validate", str(tmp_path))
    assert raised.value.returncode == 2


def test_a_negative_total_prints_as_minus_dollars_not_dollars_minus():
    # a file never holds one, but the summary once printed -50 cents as "$-1.50" (its own formatter)
    from civicbill.autopay.management.commands.ach import Command

    out = StringIO()
    result = nacha.ReadResult(
        header=None, batches=(), control=None, problems=(), record_count=0,
        total_debit_cents=-50, total_credit_cents=123_456_789,
    )  # fmt: skip
    Command(stdout=out)._print(Path("odd.ach"), result)
    assert out.getvalue().splitlines()[-2:] == [
        "  total debits:  -$0.50",
        "  total credits: $1,234,567.89",
    ]
