"""``civicbill workorders list|complete|sheet``: JSON for scripts, errors that name what is wrong."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicbill.meters.models import ReadException
from civicbill.workorders import services
from civicbill.workorders.models import WorkOrder, WorkOrderStatus
from tests.fixtures.sites import Site

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("workorders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def reread(site: Site, technician, frozen) -> WorkOrder:
    return services.reread_request(exception=site.exception, actor=technician, as_of=dt.date(2026, 12, 1))


def test_list_json(reread: WorkOrder, site: Site, technician):
    services.workorder_create(
        work_type="meter_test",
        premise=site.account.premise,
        account=site.account,
        description="Test accuracy",
        due_on=dt.date(2026, 12, 10),
        actor=technician,
        as_of=dt.date(2026, 12, 1),
    )
    rows = json.loads(_run("list", "--status", "open", "--type", "reread", "--route", "R07", "--json"))
    assert len(rows) == 1
    row = rows[0]
    assert {key: row[key] for key in ("number", "work_type", "status", "priority", "due_on", "route")} == {
        "number": "WO-000001",
        "work_type": "reread",
        "status": "open",
        "priority": "high",
        "due_on": "2026-12-04",
        "route": "R07",
    }
    assert (row["account_number"], row["customer_name"], row["meter_serial"]) == (
        site.account.number,
        "Rosa Peña",
        "B2500417",
    )
    assert row["premise"]["address"] == "52 Avenue 48, Coachella, CA 92236"
    assert row["read_exception_id"] == site.exception.pk
    assert len(json.loads(_run("list", "--json"))) == 2
    assert "WO-000002" in _run("list")


def test_complete_with_a_read_resolves_the_exception(reread: WorkOrder, site: Site, field_worker):
    result = json.loads(
        _run(
            "complete",
            "WO-000001",
            "--date",
            "2026-12-01",
            "--read",
            "13310",
            "--findings",
            "Misread",
            "--user",
            "field",
            "--json",
        )
    )
    assert (result["status"], result["completed_on"], result["completed_by"]) == (
        "completed",
        "2026-12-01",
        "field",
    )
    assert (result["read"]["value"], result["read"]["read_on"]) == ("13310.000", "2026-12-01")
    site.exception.refresh_from_db()
    assert site.exception.status == ReadException.Status.RESOLVED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["WO-000009", "--date", "2026-12-01", "--findings", "x", "--user", "field"],
            "There is no work order 'WO-000009'",
        ),
        (
            ["WO-000001", "--date", "2026-12-01", "--findings", "x", "--user", "nobody"],
            "No active user named 'nobody'",
        ),
        (
            ["WO-000001", "--date", "1 Dec", "--findings", "x", "--user", "field"],
            "'1 Dec' is not a date (YYYY-MM-DD)",
        ),
        (
            ["WO-000001", "--date", "2026-12-01", "--read", "lots", "--user", "field"],
            "--read 'lots' is not a number",
        ),
        (
            ["WO-000001", "--date", "2026-12-01", "--findings", "x", "--user", "csr"],
            "csr may not complete work orders",
        ),
    ],
)
def test_complete_errors_name_what_is_wrong(
    reread: WorkOrder, field_worker, csr, args: list[str], message: str
):
    with pytest.raises(CommandError) as refused:
        _run("complete", *args)
    assert message in str(refused.value)
    reread.refresh_from_db()
    assert reread.status == WorkOrderStatus.OPEN


def test_the_field_sheet_is_written_to_a_pdf_file(reread: WorkOrder, tmp_path: Path):
    output = tmp_path / "sheet.pdf"
    assert _run("sheet", "--date", "2026-12-04", "--route", "R07", "--output", str(output)).startswith(
        "Field sheet for 2026-12-04: 1 stop written to"
    )
    assert output.read_bytes().startswith(b"%PDF-")


def test_the_console_script_exits_non_zero_with_the_reason(reread: WorkOrder, field_worker, capsys: Any):
    from civicbill.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["civicbill", "workorders", "complete", "WO-000777", "--date", "2026-12-01", "--user", "field"])
    assert exited.value.code == 1
    assert "There is no work order 'WO-000777'" in capsys.readouterr().err
