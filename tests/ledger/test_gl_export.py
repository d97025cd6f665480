"""GL export: a day's journal by GL account and fund, exact content; entries marked exported in a
separate table (the journal untouched); a second export of a date refused unless --again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.ledger.export import gl_export
from civicbill.ledger.models import GLExport, GLExportEntry, JournalEntry
from civicbill.ledger.selectors import check_books
from civicbill.payments import services
from tests.fixtures.database import assert_nothing_changed
from tests.fixtures.payments import IMPORT_AT, csv_file, scan

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 1)

EXPECTED = (
    "date,fund,gl_code,gl_name,debit,credit,entry_count\n"
    "2026-12-01,100,100-1000,Cash - General Fund,20.00,0.00,1\n"
    "2026-12-01,100,100-2900,Suspense - unapplied cash,0.00,20.00,1\n"
    "2026-12-01,500,500-1000,Cash - Water Fund,56.77,0.00,2\n"
    "2026-12-01,500,500-1210,Accounts receivable - water,0.00,56.77,2\n"
    "2026-12-01,510,510-1000,Cash - Sewer Fund,23.23,0.00,1\n"
    "2026-12-01,510,510-1220,Accounts receivable - sewer,0.00,23.23,1\n"
    "2026-12-01,520,520-1000,Cash - Refuse Fund,25.00,0.00,1\n"
    "2026-12-01,520,520-1230,Accounts receivable - refuse,0.00,25.00,1\n"
)


@pytest.fixture
def a_day_of_lockbox(make_account: Any, importer: Any) -> None:
    lopez = make_account(last_name="Lopez", house="100", owing={"water": "48.20", "sewer": "41.81"})
    kim = make_account(last_name="Kim", house="102", owing={"water": "30.00", "refuse": "25.00"})
    content = csv_file(
        "H,LB0001,2026-12-01",
        f"D,{scan(lopez, '90.01')},,50.00,1001,,Lopez",
        f"D,,{kim.number},55.00,1002,,Kim",
        "D,,,20.00,1003,,No Stub",
        "T,3,125.00",
    )
    services.payment_file_import(
        content=content, file_name="lb.csv", file_format="lockbox-csv", as_of=IMPORT_AT, actor=importer
    )


def test_the_export_summarizes_the_day_by_gl_account_and_fund(
    a_day_of_lockbox: None, supervisor: Any
) -> None:
    entries_before = list(
        JournalEntry.objects.order_by("pk").values_list("pk", "accounting_date", "total_cents")
    )

    export, text = gl_export(accounting_date=DAY, as_of=IMPORT_AT, actor=supervisor, file_name="gl.csv")

    assert text == EXPECTED
    assert (export.entry_count, export.debit_cents, export.credit_cents, export.is_again) == (
        3,
        12500,
        12500,
        False,
    )
    assert set(GLExportEntry.objects.values_list("entry_id", flat=True)) == set(
        JournalEntry.objects.filter(accounting_date=DAY).values_list("pk", flat=True)
    )
    assert list(JournalEntry.objects.order_by("pk").values_list("pk", "accounting_date", "total_cents")) == (
        entries_before
    )
    assert check_books().ok


def test_a_date_is_exported_once_unless_again(a_day_of_lockbox: None, supervisor: Any) -> None:
    gl_export(accounting_date=DAY, as_of=IMPORT_AT, actor=supervisor)

    with pytest.raises(ApplicationError) as refused:
        gl_export(accounting_date=DAY, as_of=IMPORT_AT, actor=supervisor)
    assert refused.value.code == "already_exported"
    assert "--again" in str(refused.value)

    again, text = gl_export(accounting_date=DAY, as_of=IMPORT_AT, actor=supervisor, again=True)
    assert (again.is_again, text) == (True, EXPECTED)
    assert GLExport.objects.count() == 2


def test_the_command_writes_the_file(
    a_day_of_lockbox: None, supervisor: Any, tmp_path: Path, csr: Any
) -> None:
    out = tmp_path / "gl-20261201.csv"

    call_command("gl", "export", "--date", "2026-12-01", "--out", str(out), "--user", supervisor.username)

    assert out.read_text() == EXPECTED
    with pytest.raises(CommandError, match="already exported"):
        call_command("gl", "export", "--date", "2026-12-01", "--out", str(out), "--user", supervisor.username)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        gl_export(accounting_date=DAY, as_of=IMPORT_AT, actor=csr, again=True)


def test_a_day_without_entries_exports_the_header_only(supervisor: Any) -> None:
    export, text = gl_export(accounting_date=dt.date(2026, 12, 2), as_of=IMPORT_AT, actor=supervisor)
    assert (text, export.entry_count) == ("date,fund,gl_code,gl_name,debit,credit,entry_count\n", 0)
