"""The collection agency export of a posted write-off batch, the SB 998 annual shutoff report, and the
commands that make them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from civicbill.collections.agency_export import COLUMNS, agency_csv, agency_rows
from civicbill.collections.shutoff_report import shutoff_report, shutoff_report_csv, shutoff_report_pdf
from civicbill.collections.stages import stage_record_trusted
from civicbill.collections.writeoffs import writeoff_approve, writeoff_propose
from civicbill.core.exceptions import ApplicationError
from civicbill.customers import services as customer_services
from civicbill.workorders.models import WorkOrder, WorkOrderStatus, WorkOrderType
from tests.collections.test_writeoffs import WRITE_OFF_DAY, at
from tests.pdf_helpers import pdf_texts


@pytest.fixture
def moved_out(make_account: Any, csr: Any) -> Any:
    account = make_account(first_name="Ana", last_name="Ruiz", owing={"water": "48.20", "sewer": "41.81"})
    return customer_services.account_close(account=account, end_date=dt.date(2026, 11, 30), actor=csr)


def _cli(*args: str) -> Any:
    out = io.StringIO()
    call_command("collections", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_agency_export_lists_each_written_off_account_with_its_last_known_address_and_amounts(
    moved_out: Any, technician: Any, supervisor: Any, tmp_path: Path
) -> None:
    batch = writeoff_propose(as_of=WRITE_OFF_DAY, actor=technician, at=at(WRITE_OFF_DAY))
    with pytest.raises(ApplicationError) as early:
        agency_rows(batch.pk)
    assert early.value.code == "not_posted"
    writeoff_approve(batch_id=batch.pk, actor=supervisor, at=at(dt.date(2027, 6, 1)))
    [row] = list(csv.DictReader(io.StringIO(agency_csv(agency_rows(batch.pk)))))
    assert tuple(row) == COLUMNS
    customer = moved_out.customer
    assert row == {
        **row,
        "account_number": moved_out.number,
        "customer_name": "Ana Ruiz",
        "mailing_line1": customer.mailing_line1,
        "mailing_zip": "92236",
        "phone": customer.phone,
        "service_ended_on": "2026-11-30",
        "final_bill_due_date": "2026-11-30",
        "water_amount": "48.20",
        "sewer_amount": "41.81",
        "refuse_amount": "0.00",
        "total_amount": "90.01",
        "written_off_on": "2027-06-01",
        "writeoff_batch": str(batch.pk),
        "recovered_amount": "0.00",
    }
    out = tmp_path / "agency.csv"
    answer = _cli("agency-export", "--batch", str(batch.pk), "--out", str(out))
    assert answer == {"batch": batch.pk, "out": str(out), "accounts": 1}
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(COLUMNS)


def test_the_writeoff_commands_propose_list_and_approve(
    moved_out: Any, technician: Any, supervisor: Any, frozen: Any
) -> None:
    frozen.move_to(at(dt.date(2027, 6, 1)))
    closed = _cli("closed-unpaid", "--as-of", "2027-06-01")
    assert [(a["account"], a["balance_cents"], a["may_write_off"]) for a in closed["accounts"]] == [
        (moved_out.number, 9001, True)
    ]
    proposed = _cli("writeoff", "propose", "--as-of", "2027-06-01", "--user", technician.username)
    assert (proposed["status"], proposed["totals_cents"]) == (
        "proposed",
        {"sewer": 4181, "water": 4820, "total": 9001},
    )
    assert [b["batch"] for b in _cli("writeoff", "list", "--status", "proposed")] == [proposed["batch"]]
    posted = _cli("writeoff", "approve", str(proposed["batch"]), "--user", supervisor.username)
    assert (posted["status"], posted["posted_on"], posted["accounts"][0]["status"]) == (
        "posted",
        "2027-06-01",
        "posted",
    )


def _disconnect(account: Any, on: dt.date, actor: Any, number: str, *, stage: bool = True) -> WorkOrder:
    order = WorkOrder.objects.create(
        number=number, work_type=WorkOrderType.DISCONNECT, status=WorkOrderStatus.COMPLETED,
        premise=account.premise, account=account, description="Shutoff for nonpayment", due_on=on,
        completed_on=on, completed_by=actor, completed_at=at(on, 11), created_by=actor, created_at=at(on, 8),
    )  # fmt: skip
    if stage:
        stage_record_trusted(account_id=account.pk, stage="disconnected", on=on,
                             rule="Shutoff for nonpayment", actor=actor, at=at(on, 11))  # fmt: skip
    return order


def test_the_annual_report_counts_residential_shutoffs_for_nonpayment_by_month(
    make_account: Any, technician: Any, tmp_path: Path
) -> None:
    house = make_account(last_name="Uno")
    flats = make_account(last_name="Dos", premise_type="multi_family", dwelling_units=4)
    shop = make_account(last_name="Tres", premise_type="commercial")
    asked = make_account(last_name="Cuatro")
    _disconnect(house, dt.date(2026, 3, 10), technician, "WO-1")
    _disconnect(flats, dt.date(2026, 3, 24), technician, "WO-2")
    stage_record_trusted(account_id=house.pk, stage="reconnected", on=dt.date(2026, 3, 11), rule="Paid",
                         actor=technician, at=at(dt.date(2026, 3, 11)))  # fmt: skip
    _disconnect(house, dt.date(2026, 11, 4), technician, "WO-3")
    _disconnect(shop, dt.date(2026, 5, 5), technician, "WO-4")  # commercial: not counted
    _disconnect(asked, dt.date(2026, 6, 2), technician, "WO-5", stage=False)  # not for nonpayment
    _disconnect(flats, dt.date(2025, 12, 30), technician, "WO-6")  # another year
    report = shutoff_report(2026)
    assert (report.total, report.by_month) == (3, (0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0))
    assert [s.work_order for s in report.shutoffs] == ["WO-1", "WO-2", "WO-3"]
    lines = shutoff_report_csv(report).splitlines()
    assert (lines[0], lines[3], lines[11], lines[13]) == (
        "year,month,residential_shutoffs_for_nonpayment",
        "2026,2026-03,2",
        "2026,2026-11,1",
        "2026,total,3",
    )
    text = " ".join(pdf_texts(shutoff_report_pdf(report, generated_on=dt.date(2027, 1, 5))))
    assert "Annual report of residential water shutoffs for nonpayment — 2026" in text
    assert "March 2026 2" in text and "Total 2026 3" in text
    out = tmp_path / "report.pdf"
    answer = _cli("shutoff-report", "--year", "2026", "--format", "pdf", "--out", str(out))
    assert (answer["total"], out.read_bytes()[:5]) == (3, b"%PDF-")


def test_the_policy_pdf_command_writes_the_language_asked(tmp_path: Path, db: Any) -> None:
    out = tmp_path / "policy-ko.pdf"
    assert (
        _cli("policy-pdf", "--language", "ko", "--out", str(out), "--as-of", "2026-12-01")["language"] == "ko"
    )
    assert "체납으로 인한 주거용 수도 서비스 중단 정책" in " ".join(pdf_texts(out.read_bytes()))
