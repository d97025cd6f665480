"""``civicbill meters receive | list | counts | install | exchange | show``."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicbill.customers.models import Account
from civicbill.customers.services import premise_update
from civicbill.meters.models import Meter, MeterInstallation, Read
from tests.meters.inventory_helpers import receive

pytestmark = pytest.mark.usefixtures("frozen")  # today is 2026-12-01


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("meters", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_json(*args: str) -> Any:
    return json.loads(run(*args, "--json"))


@pytest.fixture
def shipment(tmp_path: Path) -> Path:
    path = tmp_path / "neptune-dec.csv"
    path.write_text(
        "serial,make,model,size,dials,unit,multiplier\n"
        "N-1,Neptune,T-10,5/8,5,CF,1\n"
        "N-2,Neptune,T-10,3/4,6,GAL,\n"
        "N-3,Neptune,T-10,5/8,12,CF,1\n"
    )
    return path


def test_receive_reports_good_and_bad_rows_as_json_and_exits_non_zero_for_the_bad(
    technician: Any, shipment: Path
) -> None:
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("meters", "receive", str(shipment), "--json", "--user", "technician", stdout=out)
    assert json.loads(out.getvalue()) == {
        "file_name": "neptune-dec.csv",
        "received_on": "2026-12-01",
        "dry_run": False,
        "rows_total": 3,
        "received_count": 2,
        "bad_count": 1,
        "received": ["N-1", "N-2"],
        "bad_rows": [
            {
                "line": 4,
                "serial_number": "N-3",
                "reason": "Dials must be a whole number from 1 to 10, not '12'.",
            }
        ],
    }
    assert str(caught.value) == (
        "1 of 3 rows in neptune-dec.csv were refused (first: line 4: Dials must be a whole number "
        "from 1 to 10, not '12'.); the good rows were received."
    )
    assert sorted(Meter.objects.values_list("serial_number", "status")) == [
        ("N-1", "in_stock"),
        ("N-2", "in_stock"),
    ]


def test_receive_dry_run_with_a_date_writes_nothing(technician: Any, tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text("serial,make,model,size,dials,unit,multiplier\nK-1,Badger,M25,1,6,HCF,1\n")
    result = run_json("receive", str(path), "--date", "2026-11-20", "--dry-run", "--user", "technician")
    assert (result["received"], result["received_on"], result["dry_run"]) == (["K-1"], "2026-11-20", True)
    assert not Meter.objects.exists()
    text = run("receive", str(path), "--date", "2026-11-20", "--user", "technician")
    assert text == "ok.csv: 1 rows, 1 meters received into stock, 0 rows refused.\n"
    assert Meter.objects.get().serial_number == "K-1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["receive", "FILE"],
            "Give --user USERNAME: the staff user doing this (for permissions and the audit trail).",
        ),
        (["receive", "FILE", "--user", "nobody"], "No active user named 'nobody'."),
        (
            ["receive", "/nonexistent/x.csv", "--user", "technician"],
            "Cannot read /nonexistent/x.csv: No such file or directory",
        ),
        (
            ["receive", "FILE", "--user", "csr"],
            "csr may not receive, install, remove, exchange and test meters (meters.manage)",
        ),
    ],
)
def test_receive_errors_say_what_is_wrong(
    technician: Any, csr: Any, shipment: Path, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError) as caught:
        run(*[str(shipment) if arg == "FILE" else arg for arg in args])
    assert str(caught.value) == message
    assert not Meter.objects.exists()


def test_a_file_that_is_not_a_shipment_is_refused(technician: Any, tmp_path: Path) -> None:
    path = tmp_path / "reads.csv"
    path.write_text("meter_serial,read_date,read_value,source\nN-1,2026-11-30,100,manual\n")
    with pytest.raises(CommandError, match=r"^reads.csv is not a meter shipment file"):
        run("receive", str(path), "--user", "technician")


def test_list_and_counts_as_json(technician: Any) -> None:
    receive(technician, "L-2", size="3/4")
    receive(technician, "L-1")
    assert [row["serial_number"] for row in run_json("list")] == ["L-1", "L-2"]
    rows = run_json("list", "--status", "in-stock", "--size", '3/4"')
    assert rows == [
        {
            "serial_number": "L-2",
            "status": "in_stock",
            "make": "Badger",
            "model": "M25",
            "size": "3/4",
            "meter_type": "positive_displacement",
            "dials": 5,
            "read_unit": "CF",
            "multiplier": "1.0000",
            "endpoint_id": "",
            "purchase_date": None,
            "purchase_cost_cents": None,
        }
    ]
    assert run_json("counts") == [
        {"status": "in_stock", "size": "5/8", "count": 1},
        {"status": "in_stock", "size": "3/4", "count": 1},
    ]
    with pytest.raises(CommandError, match="'lost' is not a meter status"):
        run("list", "--status", "lost")


def test_install_exchange_and_show_a_meter_with_its_reads_in_hcf(
    technician: Any, csr: Any, rosa_account: Account
) -> None:
    premise_update(premise=rosa_account.premise, read_route="R07", route_sequence=120, actor=csr)
    receive(technician, "CLI-OLD")
    receive(technician, "CLI-NEW", size="3/4")
    installed = run_json(
        "install", "CLI-OLD", "--account", rosa_account.number, "--date", "2026-11-03", "--read", "9,990",
        "--user", "technician",
    )  # fmt: skip
    assert {
        k: installed[k]
        for k in ("meter", "premise_address", "read_route", "route_sequence", "installed_on", "install_read")
    } == {
        "meter": "CLI-OLD",
        "premise_address": "52 Avenue 48",
        "read_route": "R07",
        "route_sequence": 120,
        "installed_on": "2026-11-03",
        "install_read": "9990.000",
    }
    text = run(
        "exchange", "CLI-OLD", "CLI-NEW", "--date", "2026-11-25", "--old-read", "10040", "--new-read", "0",
        "--user", "technician",
    )  # fmt: skip
    assert text == (
        "Meter CLI-NEW installed in place of CLI-OLD at 52 Avenue 48 (route R07 #120) on 2026-11-25, "
        "read 0.\n"
    )
    shown = run_json("show", "CLI-OLD")
    assert shown["meter"]["status"] == "removed"
    assert shown["reads"] == [
        {
            "read_on": "2026-11-03",
            "value": "9990.000",
            "status": "actual",
            "source": "install",
            "consumption_hcf": "0.000",
            "rolled_over": False,
            "service_point_id": shown["installations"][0]["service_point_id"],
            "installation_id": shown["installations"][0]["installation_id"],
        },
        {
            "read_on": "2026-11-25",
            "value": "10040.000",
            "status": "actual",
            "source": "removal",
            "consumption_hcf": "0.500",
            "rolled_over": False,
            "service_point_id": shown["installations"][0]["service_point_id"],
            "installation_id": shown["installations"][0]["installation_id"],
        },
    ]
    assert [
        (
            item["premise_address"],
            item["account_number"],
            item["installed_on"],
            item["removed_on"],
            item["removal_read"],
        )
        for item in shown["installations"]
    ] == [("52 Avenue 48, Coachella, CA 92236", rosa_account.number, "2026-11-03", "2026-11-25", "10040.000")]
    assert [change["to_status"] for change in shown["status_changes"]] == [
        "received",
        "in_stock",
        "installed",
        "removed",
    ]
    assert run_json("show", "cli-new")["meter"]["status"] == "installed"
    assert "2026-11-25       10040.000  actual     removal        0.500 HCF" in run("show", "CLI-OLD")


def test_install_and_exchange_errors_say_what_is_wrong(technician: Any, rosa_account: Account) -> None:
    receive(technician, "E-1")
    with pytest.raises(CommandError, match=r"^No meter with serial number E-404\.$"):
        run(
            "exchange",
            "E-1",
            "E-404",
            "--date",
            "2026-11-25",
            "--old-read",
            "1",
            "--new-read",
            "0",
            "--user",
            "technician",
        )
    receive(technician, "E-2")
    with pytest.raises(CommandError, match=r"^Meter E-1 is not installed anywhere \(it is in stock\)\.$"):
        run(
            "exchange",
            "E-1",
            "E-2",
            "--date",
            "2026-11-25",
            "--old-read",
            "1",
            "--new-read",
            "0",
            "--user",
            "technician",
        )
    with pytest.raises(CommandError, match="is not a date like 2026-12-01"):
        run(
            "install",
            "E-1",
            "--account",
            rosa_account.number,
            "--date",
            "25/11/2026",
            "--read",
            "0",
            "--user",
            "technician",
        )
    with pytest.raises(CommandError, match=r"is not a meter read \(digits, like 10040\)"):
        run(
            "install",
            "E-1",
            "--account",
            rosa_account.number,
            "--date",
            "2026-11-25",
            "--read",
            "ten",
            "--user",
            "technician",
        )
    with pytest.raises(CommandError, match=r"^Give --user USERNAME"):
        run("install", "E-1", "--account", rosa_account.number, "--date", "2026-11-25", "--read", "0")
    assert not MeterInstallation.objects.exists()
    assert not Read.objects.exists()
