"""A run's print file and the print vendor's CSV extract."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from pypdf import PdfReader

from civicbill.billing.documents import files
from civicbill.billing.models import Bill, BillRun
from civicbill.core.exceptions import ApplicationError, NotFoundError
from tests.fixtures.accounts import build_account
from tests.fixtures.billing import BILLED_SINCE, make_november_bill, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_run(frozen: Any, csr: User, bill_run: BillRun) -> BillRun:
    people = [
        ("Ann", "92253", "120", "Main St", False),
        ("Ben", "92236", "52", "Avenue 48", False),
        ("Cruz", "92236", "7", "Avenue 48", True),  # paperless
        ("Dee", "92236", "300", "Avenue 47", False),
    ]
    for index, (name, zip_code, house, street, paperless) in enumerate(people):
        account = build_account(
            csr=csr,
            first_name=name,
            last_name="Lee",
            language="es" if name == "Ben" else "en",
            house=house,
            street=street,
            zip_code=zip_code,
            paperless=paperless,
            start_date=BILLED_SINCE,
            email=f"{name.lower()}@example.com",
        )
        make_november_bill(account, bill_run, number=f"2611-30000{index}", total_due_cents=7811 + index)
    return bill_run


def test_print_file_is_one_pdf_in_mail_sort_order_without_paperless_bills(
    small_run: BillRun, tmp_path: Path
) -> None:
    out = tmp_path / "run.pdf"
    result = files.run_print_file(small_run.pk, out=out, workers=1)
    assert [b.document.customer_name for b in result.printed] == ["Dee Lee", "Ben Lee", "Ann Lee"]
    assert [b.first_page for b in result.printed] == [1, 2, 3]
    assert [d.bill_number for d in result.paperless] == ["2611-300002"]
    pages = PdfReader(out).pages
    assert len(pages) == 3
    assert "DEE LEE" in pages[0].extract_text()
    assert "BEN LEE" in pages[1].extract_text() and "Factura de servicios" in pages[1].extract_text()
    assert result.as_dict() == {
        "run_id": small_run.pk,
        "bills_printed": 3,
        "pages": 3,
        "total_due_cents": 7814 + 7812 + 7811,
        "paperless_bills": [
            {
                "bill_number": "2611-300002",
                "account_number": result.paperless[0].account_number,
                "email": "cruz@example.com",
            }
        ],
    }


def test_rendering_in_worker_processes_gives_the_same_pages(
    small_run: BillRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "CHUNK_BILLS", 1)  # three parts, rendered by two processes, joined
    done: list[tuple[int, int]] = []
    result = files.run_print_file(
        small_run.pk, out=tmp_path / "run.pdf", workers=2, progress=lambda d, t: done.append((d, t))
    )
    texts = [page.extract_text() for page in PdfReader(tmp_path / "run.pdf").pages]
    assert len(texts) == 3 and "DEE LEE" in texts[0] and "BEN LEE" in texts[1] and "ANN LEE" in texts[2]
    assert [b.first_page for b in result.printed] == [1, 2, 3]
    assert done == [(1, 3), (2, 3), (3, 3)]


def test_extract_csv_has_the_documented_columns_in_print_order(small_run: BillRun) -> None:
    result = files.run_print_extract(small_run.pk)
    buffer = io.StringIO()
    files.write_extract_csv(result, buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert buffer.getvalue().splitlines()[0] == (
        "sequence,bill_number,account_number,customer_name,address_line_1,address_line_2,address_line_3,zip,"
        "language,bill_kind,total_due,amount_due,due_date,scan_line,first_page,page_count"
    )
    assert [r["bill_number"] for r in rows] == ["2611-300003", "2611-300001", "2611-300000"]
    dee = rows[0]
    digits = dee["account_number"].replace("-", "")
    assert {k: v for k, v in dee.items() if k not in ("account_number", "scan_line")} == {
        "sequence": "1",
        "bill_number": "2611-300003",
        "customer_name": "Dee Lee",
        "address_line_1": "300 Avenue 47",
        "address_line_2": "Coachella, CA 92236",
        "address_line_3": "",
        "zip": "92236",
        "language": "en",
        "bill_kind": "regular",
        "total_due": "78.14",
        "amount_due": "78.14",
        "due_date": "2026-12-21",
        "first_page": "1",
        "page_count": "1",
    }
    assert dee["scan_line"].startswith(f"{digits} 000007814 20261221 ")
    assert rows[1]["language"] == "es"


def test_a_trial_run_cannot_be_printed(frozen: Any, technician: User, db: Any) -> None:
    BillingRunStatus = BillRun.Status
    run = make_run(technician, status=BillingRunStatus.TRIAL)
    with pytest.raises(ApplicationError, match=f"Run {run.pk} is a trial: its bills are drafts") as caught:
        files.run_print_extract(run.pk)
    assert caught.value.code == "run_not_committed"


def test_an_unknown_run_is_not_found(db: Any) -> None:
    with pytest.raises(NotFoundError, match=r"No billing run 424242\."):
        files.printable_run(424242)


def test_cancelled_and_draft_bills_of_a_run_are_not_printed(small_run: BillRun, tmp_path: Path) -> None:
    Bill.objects.filter(number="2611-300000").update(status=Bill.Status.CANCELLED)
    result = files.run_print_file(small_run.pk, out=tmp_path / "run.pdf", workers=1)
    assert [b.document.bill_number for b in result.printed] == ["2611-300003", "2611-300001"]


def test_the_extract_counts_pages_as_the_print_file_lays_them_out(
    small_run: BillRun, csr: User, tmp_path: Path
) -> None:
    from decimal import Decimal

    account = build_account(
        csr=csr,
        first_name="Eve",
        last_name="Lee",
        language="es",
        house="1",
        street="Avenue 47",
        zip_code="92236",
        start_date=BILLED_SINCE,
    )
    many = [
        {
            "service": "water",
            "charge_key": "commodity_charge",
            "description": f"Water usage, tier {n} (block {n})",
            "quantity": Decimal(1),
            "unit": "HCF",
            "tier": n,
            "price": "1.50",
            "amount_cents": 150,
        }
        for n in range(1, 25)
    ]
    make_november_bill(account, small_run, number="2611-300009", lines=many)
    printed = files.run_print_file(small_run.pk, out=tmp_path / "run.pdf", workers=1).printed
    extracted = files.run_print_extract(small_run.pk).printed
    assert [(b.document.bill_number, b.first_page, b.pages) for b in printed] == [
        ("2611-300009", 1, 2),  # Eve, 1 Avenue 47: two pages
        ("2611-300003", 3, 1),  # Dee, 300 Avenue 47
        ("2611-300001", 4, 1),  # Ben, 52 Avenue 48
        ("2611-300000", 5, 1),  # Ann, ZIP 92253
    ]
    assert [(b.first_page, b.pages) for b in extracted] == [(b.first_page, b.pages) for b in printed]
    assert sum(b.pages for b in printed) == len(PdfReader(tmp_path / "run.pdf").pages) == 5
