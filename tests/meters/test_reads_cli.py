"""``civicbill reads import`` and ``civicbill reads estimate``."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicbill.meters.models import Read, ReadImport, ReadSource
from tests.meters.reads_helpers import add_read, make_site, monthly_history

pytestmark = pytest.mark.django_db
D = dt.date

GOOD = (
    b"meter_serial,read_date,read_value,source\nM-1,2026-11-02,6012,handheld\nM-2,2026-11-02,4512,handheld\n"
)


@pytest.fixture
def sites(frozen, csr):
    for serial in ("M-1", "M-2"):
        add_read(make_site(serial, actor=csr, dials=4), D(2026, 10, 2), 4_530, "12", actor=csr)


def run(*args: str) -> str:
    out = StringIO()
    call_command("reads", *args, stdout=out)
    return out.getvalue()


def test_import_prints_a_json_report(sites, tmp_path):
    path = tmp_path / "route.csv"
    path.write_bytes(GOOD)
    report = json.loads(run("import", str(path), "--format", "csv", "--user", "csr", "--json"))
    assert (report["reads_accepted"], report["reads_exception"], report["rows_bad"]) == (1, 1, 0)
    assert report["exceptions_by_code"] == {"lower_than_previous": 1}
    assert report["exceptions"][0]["line"] == 3
    assert report["read_import_id"] == ReadImport.objects.get().pk


def test_import_with_bad_rows_lists_them_by_line_and_exits_2(sites, tmp_path):
    path = tmp_path / "route.csv"
    path.write_bytes(GOOD + b"NOPE,2026-11-02,1,amr\n")
    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("reads", "import", str(path), "--format", "csv", "--user", "csr", stdout=out)
    assert exited.value.code == 2
    text = out.getvalue()
    assert "Imported route.csv (csv): 3 rows" in text
    assert "    line 4: No meter with serial number 'NOPE' in the inventory. (unknown_meter)" in text
    assert "    lower_than_previous: 1" in text


def test_a_preview_writes_nothing(sites, tmp_path):
    path = tmp_path / "route.csv"
    path.write_bytes(GOOD)
    text = run("import", str(path), "--format", "csv", "--user", "csr", "--preview")
    assert "Preview of route.csv" in text and "Nothing was written (preview)." in text
    assert not ReadImport.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--format", "beacon", "--user", "csr"],
            "Not a Badger BEACON billing read export file: the header lacks",
        ),
        (["--format", "csv", "--user", "nobody"], "No active user named 'nobody'"),
        (
            ["--format", "csv", "--user", "auditor"],
            "auditor may not enter and import meter reads (reads.enter)",
        ),
    ],
)
def test_import_errors_exit_non_zero_naming_what_is_wrong(sites, tmp_path, auditor, args, message):
    path = tmp_path / "route.csv"
    path.write_bytes(GOOD)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run("import", str(path), *args)


def test_a_missing_file_is_named(sites, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.csv: No such file or directory"):
        run("import", str(tmp_path / "missing.csv"), "--format", "csv", "--user", "csr")


def test_estimate_a_route(frozen, csr, technician):
    site = make_site("M-9", actor=csr, installed_on=D(2026, 6, 1), route="R5")
    monthly_history(site, actor=csr, start=D(2026, 6, 1), months=5, cf_per_day=40)
    report = json.loads(
        run("estimate", "--route", "R5", "--date", "2026-11-30", "--user", "technician", "--json")
    )
    assert (report["service_points"], report["estimated"]) == (1, 1)
    assert report["lines"][0]["consumption_hcf"] == "11.600"
    assert Read.objects.filter(source=ReadSource.ESTIMATED).count() == 1
    with pytest.raises(CommandError, match="No service points on route 'R404'"):
        run("estimate", "--route", "R404", "--date", "2026-11-30", "--user", "technician")
