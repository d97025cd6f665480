"""``civicbill rates ...``: load, import-owrs, list, show, quote, and the error exits."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from civicbill.rates.models import RateScheduleVersion
from tests.rates.helpers import COACHELLA, OWRS_DIR

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("rates", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _json(*args: str) -> Any:
    return json.loads(_run(*args, "--json"))


@pytest.mark.django_db
def test_load_list_show_and_quote_a_schedule(supervisor):
    loaded = _json("load", str(COACHELLA / "W-RES.yaml"), "--user", "supervisor")
    assert loaded["label"] == "W-RES from 2017-07-01"
    assert loaded["classes"] == ["RESIDENTIAL_SINGLE"]
    _run("load", str(COACHELLA / "S-RES.yaml"), "--user", "supervisor")
    listing = _json("list")
    assert [(row["code"], row["service"], row["versions"]) for row in listing] == [
        ("S-RES", "sewer", 1),
        ("W-RES", "water", 1),
    ]
    shown = _json("show", "w-res")
    assert shown["code"] == "W-RES"
    assert (
        shown["versions"][0]["document"]["classes"]["RESIDENTIAL_SINGLE"]["charges"][0]["prices"]["3/4"]
        == "13.80"
    )
    quote = _json(
        "quote",
        "--schedule",
        "W-RES",
        "--class",
        "RESIDENTIAL_SINGLE",
        "--usage",
        "15",
        "--var",
        'meter_size=3/4"',
        "--date",
        "2026-11-30",
    )
    assert quote["total"] == "36.30"
    assert [(line["description"], line["amount"]) for line in quote["lines"]] == [
        ('Meter charge (3/4" meter)', "13.80"),
        ("Water usage, tier 1 (0–41 HCF)", "22.50"),
    ]
    sewer = _json(
        "quote",
        "--schedule",
        "S-RES",
        "--class",
        "RESIDENTIAL_SINGLE",
        "--usage",
        "15",
        "--date",
        "2026-11-30",
    )
    assert sewer["total"] == "41.81"
    move_in = _json(
        "quote",
        "--schedule",
        "W-RES",
        "--class",
        "RESIDENTIAL_SINGLE",
        "--usage",
        "15",
        "--days",
        "10",
        "--var",
        "meter_size=3/4",
        "--date",
        "2026-11-28",
    )
    assert move_in["total"] == "27.30"
    assert move_in["lines"][0]["proration"].startswith("0.3333")


@pytest.mark.django_db
def test_import_owrs_then_quote_it(supervisor):
    version = _json(
        "import-owrs",
        str(OWRS_DIR / "santa-monica-2018-01-03.owrs"),
        "--code",
        "W-SMC",
        "--user",
        "supervisor",
    )
    assert (version["effective_from"], version["source_format"]) == ("2018-03-01", "owrs")
    text = _run("show", "W-SMC")
    assert "owrs" in text and "RESIDENTIAL_SINGLE" in text
    quote = _json(
        "quote",
        "--schedule",
        "W-SMC",
        "--class",
        "RESIDENTIAL_SINGLE",
        "--usage",
        "50",
        "--date",
        "2026-11-30",
    )
    assert quote["total"] == "226.74"
    assert RateScheduleVersion.objects.get().source_name == "santa-monica-2018-01-03.owrs"


def test_quote_an_owrs_file_directly_with_variables():
    """CVWD, 3/4", July, zone 3, 1,300 sq ft, ET 4.8, 25 HCF = $63.97 (worked in test_owrs)."""
    quote = _json(
        "quote",
        "--owrs",
        str(OWRS_DIR / "cvwd-2016-07-01.owrs"),
        "--class",
        "RESIDENTIAL_SINGLE",
        "--usage",
        "25",
        "--var",
        'meter_size=3/4"',
        "--var",
        "usage_month=7",
        "--var",
        "usage_zone=3",
        "--var",
        "irrigable_area=1300",
        "--var",
        "et_amount=4.8",
        "--date",
        "2026-07-31",
    )
    assert quote["total"] == "63.97"
    indio = _json(
        "quote",
        "--owrs",
        str(OWRS_DIR / "indio-2018-01-01.owrs"),
        "--class",
        "RESIDENTIAL_SINGLE",
        "--usage",
        "30",
        "--days",
        "30",
        "--var",
        "meter_size=3/4",
        "--var",
        "hhsize=4",
        "--var",
        "irrigable_area=1300",
        "--var",
        "et_amount=4.8",
    )
    assert indio["total"] == "74.89"
    irrigation = _json(
        "quote",
        "--owrs",
        str(OWRS_DIR / "santa-monica-2018-01-03.owrs"),
        "--class",
        "IRRIGATION",
        "--usage",
        "500",
        "--var",
        'meter_size=1 1/2"',
        "--var",
        "water_type=POTABLE",
    )
    assert irrigation["total"] == "2354.10"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--class", "FARM", "--usage", "5"],
            "No rate information for customer class FARM is present in rate file.",
        ),
        (
            ["--class", "RESIDENTIAL_SINGLE", "--usage", "5"],
            r"One of the fields \(meter_size\) is not present",
        ),
    ],
)
def test_quote_errors_name_what_is_wrong(args, message):
    with pytest.raises(CommandError, match=message):
        _run("quote", "--owrs", str(OWRS_DIR / "coachella-2017-07-01.owrs"), *args)


@pytest.mark.django_db
def test_load_errors_name_what_is_wrong(supervisor, csr, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((COACHELLA / "W-RES.yaml").read_text().replace("type: tiered", "type: stepped"))
    with pytest.raises(
        CommandError, match=r"^bad.yaml: line 29: classes.RESIDENTIAL_SINGLE.charges\[1\].type: 'stepped'"
    ):
        _run("load", str(bad), "--user", "supervisor")
    with pytest.raises(CommandError, match="Give --user USERNAME"):
        _run("load", str(COACHELLA / "W-RES.yaml"))
    with pytest.raises(
        CommandError, match=r"csr may not load rate schedules and add a new version \(rates.manage\)"
    ):
        _run("load", str(COACHELLA / "W-RES.yaml"), "--user", "csr")
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.yaml"):
        _run("load", str(tmp_path / "missing.yaml"), "--user", "supervisor")
    with pytest.raises(CommandError, match="There is no rate schedule 'W-NONE'"):
        _run("show", "W-NONE")
    with pytest.raises(CommandError, match="There is no rate schedule 'W-NONE'"):
        _run("quote", "--schedule", "W-NONE", "--class", "X", "--usage", "1")
    assert RateScheduleVersion.objects.count() == 0


def test_the_console_script_exits_non_zero_without_a_traceback(tmp_path):
    env = {**os.environ, "CIVICBILL_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "civicbill.settings"}
    cli = [sys.executable, "-c", "from civicbill.cli import main; main()"]
    bad_class = subprocess.run(  # noqa: S603
        [
            *cli,
            "rates",
            "quote",
            "--owrs",
            str(OWRS_DIR / "coachella-2017-07-01.owrs"),
            "--class",
            "FARM",
            "--usage",
            "5",
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert bad_class.returncode == 1
    assert "No rate information for customer class FARM" in bad_class.stderr
    assert "Traceback" not in bad_class.stderr
    bad_var = subprocess.run(  # noqa: S603
        [
            *cli,
            "rates",
            "quote",
            "--owrs",
            str(OWRS_DIR / "coachella-2017-07-01.owrs"),
            "--class",
            "COMMERCIAL",
            "--usage",
            "5",
            "--var",
            "hhsize",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert bad_var.returncode == 2
    assert "'hhsize' is not NAME=VALUE (like hhsize=3)" in bad_var.stderr
    good = subprocess.run(  # noqa: S603
        [
            *cli,
            "rates",
            "quote",
            "--owrs",
            str(OWRS_DIR / "coachella-2017-07-01.owrs"),
            "--class",
            "COMMERCIAL",
            "--usage",
            "42",
            "--var",
            'meter_size=3/4"',
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["total"] == "77.10"


@pytest.mark.django_db
def test_plain_text_output(supervisor, tmp_path):
    assert _run("load", str(COACHELLA / "W-RES.yaml"), "--user", "supervisor") == (
        "Loaded W-RES from 2017-07-01 (civicbill-yaml, W-RES.yaml).\n"
    )
    assert _run("list").split() == [
        *("W-RES", "water", "1", "versions,", "latest", "from", "2017-07-01"),
        *("Residential", "water", "(single-family)"),
    ]
    quote = _run(
        *("quote", "--schedule", "W-RES", "--class", "RESIDENTIAL_SINGLE", "--usage", "42"),
        *("--var", "meter_size=3/4", "--date", "2026-11-30"),
    ).splitlines()
    assert [line.split()[-1] for line in quote] == ["13.80", "61.50", "1.65", "76.95"]
    future = tmp_path / "W-RES-2099.yaml"
    future.write_text(
        (COACHELLA / "W-RES.yaml")
        .read_text()
        .replace("effective_from: 2017-07-01", "effective_from: 2099-01-01")
    )
    assert _run("add", "W-RES", str(future), "--user", "supervisor") == (
        "Loaded W-RES from 2099-01-01 (civicbill-yaml, W-RES-2099.yaml).\n"
    )
