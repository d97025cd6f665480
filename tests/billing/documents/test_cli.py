"""``civicbill bills ...``: files written, JSON printed, clear errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from civicbill.billing.models import Bill, BillRun
from tests.fixtures.billing import make_run

pytestmark = pytest.mark.django_db


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command("bills", *args, stdout=out)
    return out.getvalue()


def test_pdf_of_one_bill(tom_bill: Bill, tmp_path: Path) -> None:
    out = tmp_path / "bill.pdf"
    printed = json.loads(run_command("pdf", "--bill", "2611-000002", "--out", str(out), "--json"))
    assert printed == {"bill_number": "2611-000002", "file": str(out), "bytes": out.stat().st_size}
    assert "TOM BAKER" in PdfReader(out).pages[0].extract_text()


def test_pdf_of_a_run_lists_what_it_printed(tom_bill: Bill, rosa_bill: Bill, tmp_path: Path) -> None:
    out = tmp_path / "run.pdf"
    text = run_command("pdf", "--run", str(tom_bill.run_id), "--out", str(out))
    assert text.strip() == (
        f"Run {tom_bill.run_id}: 2 bills on 2 pages written to {out} (mail sort order); "
        "0 paperless bills not printed."
    )
    assert len(PdfReader(out).pages) == 2


def test_extract_writes_the_csv(tom_bill: Bill, rosa_bill: Bill, tmp_path: Path) -> None:
    out = tmp_path / "run.csv"
    printed = json.loads(run_command("extract", "--run", str(tom_bill.run_id), "--out", str(out), "--json"))
    assert printed["bills_printed"] == 2 and printed["columns"][0] == "sequence"
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["bill_number"] for r in rows] == [
        "2611-000001",
        "2611-000002",
    ]  # 52 Avenue 48 before 81 Grapefruit


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("pdf", "--bill", "NOPE", "--out", "{tmp}/x.pdf"), "No bill numbered 'NOPE'."),
        (("pdf", "--run", "987654", "--out", "{tmp}/x.pdf"), "No billing run 987654."),
        (("extract", "--run", "987654", "--out", "{tmp}/x.csv"), "No billing run 987654."),
        (
            ("pdf", "--bill", "2611-000002", "--out", "/no/such/folder/x.pdf"),
            "the folder /no/such/folder does not exist",
        ),
        (("scan-line", "10000016000007811202612226"), "fails its check digit"),
    ],
)
def test_errors_name_the_problem(tom_bill: Bill, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(".", r"\.")):
        run_command(*(arg.replace("{tmp}", str(tmp_path)) for arg in args))
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.csv").exists()


def test_a_trial_run_is_refused_before_any_work(frozen: Any, technician: User, tmp_path: Path) -> None:
    run = make_run(technician, status=BillRun.Status.TRIAL)
    with pytest.raises(CommandError, match=f"Run {run.pk} is a trial: its bills are drafts, not issued"):
        run_command("pdf", "--run", str(run.pk), "--out", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_scan_line_reads_back(db: Any) -> None:
    printed = json.loads(run_command("scan-line", "10000016 000007811 20261222 5", "--json"))
    assert printed == {
        "account_number": "1000001-6",
        "amount_due": "78.11",
        "due_date": "2026-12-22",
        "scan_line": "10000016 000007811 20261222 5",
    }
