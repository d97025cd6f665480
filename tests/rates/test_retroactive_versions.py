"""A version of an existing schedule that took effect before today changes what issued bills should have
charged: ``rates load`` and ``rates import-owrs`` refuse it unless a supervisor gives ``--retroactive
--reason`` (audited). The first version of a new schedule is not retroactive: no account is on it yet."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from civicbill.core.exceptions import ApplicationError
from civicbill.core.models import AuditEvent
from civicbill.rates import services
from civicbill.rates.models import RateScheduleVersion
from tests.rates.helpers import COACHELLA, OWRS_DIR

pytestmark = pytest.mark.django_db

W_RES = (COACHELLA / "W-RES.yaml").read_text()
TODAY = dt.date(2026, 12, 7)


def _effective(day: str) -> str:
    return W_RES.replace("effective_from: 2017-07-01", f"effective_from: {day}")


def _file(tmp_path: Path, day: str) -> Path:
    path = tmp_path / f"W-RES-{day}.yaml"
    path.write_text(_effective(day))
    return path


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("rates", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _labels() -> list[str]:
    return [version.label for version in RateScheduleVersion.objects.order_by("effective_from")]


def test_a_past_dated_second_version_is_refused_naming_the_way_to_load_it(supervisor):
    services.schedule_version_load(text=W_RES, source_name="W-RES.yaml", actor=supervisor, as_of=TODAY)

    with pytest.raises(ApplicationError) as refused:
        services.schedule_version_load(
            text=_effective("2026-07-01"), source_name="late.yaml", actor=supervisor, as_of=TODAY
        )

    assert refused.value.code == "retroactive_version"
    assert refused.value.field == "effective_from"
    assert refused.value.message == (
        "W-RES: this version takes effect 2026-07-01, before today (2026-12-07), so it changes what bills "
        "since then should have charged. A supervisor may load it as retroactive, giving the reason "
        "(--retroactive --reason TEXT); it is audited."
    )
    assert _labels() == ["W-RES from 2017-07-01"]


def test_today_and_later_are_not_retroactive(supervisor):
    services.schedule_version_load(text=W_RES, source_name="W-RES.yaml", actor=supervisor, as_of=TODAY)
    services.schedule_version_load(
        text=_effective("2026-12-07"), source_name="today.yaml", actor=supervisor, as_of=TODAY
    )
    assert _labels() == ["W-RES from 2017-07-01", "W-RES from 2026-12-07"]


def test_the_first_version_of_a_new_schedule_may_be_dated_in_the_past(supervisor):
    services.schedule_version_load(text=W_RES, source_name="W-RES.yaml", actor=supervisor, as_of=TODAY)
    assert _labels() == ["W-RES from 2017-07-01"]
    assert AuditEvent.objects.get(action="rate_version.load").changes == {
        "effective_from": "2017-07-01",
        "source_format": "civicbill-yaml",
        "source_name": "W-RES.yaml",
    }


def test_a_supervisor_loads_it_retroactively_with_a_reason_that_is_audited(supervisor, tmp_path, frozen):
    _run("load", str(COACHELLA / "W-RES.yaml"), "--user", "supervisor")
    late = _file(tmp_path, "2026-07-01")

    with pytest.raises(CommandError, match=r"--retroactive --reason TEXT"):
        _run("load", str(late), "--user", "supervisor")
    with pytest.raises(CommandError, match=r"^--retroactive and --reason go together"):
        _run("load", str(late), "--user", "supervisor", "--retroactive")
    with pytest.raises(CommandError, match=r"^--retroactive and --reason go together"):
        _run("load", str(late), "--user", "supervisor", "--reason", "Resolution 2026-41")
    with pytest.raises(CommandError, match=r"^Give the reason for loading a version retroactively"):
        _run("load", str(late), "--user", "supervisor", "--retroactive", "--reason", "   ")
    with pytest.raises(CommandError, match=r"^The reason contains the control character NUL"):
        _run("load", str(late), "--user", "supervisor", "--retroactive", "--reason", "a\x00b")
    with pytest.raises(CommandError, match=r"^The reason is 501 characters; at most 500 are kept"):
        _run("load", str(late), "--user", "supervisor", "--retroactive", "--reason", "x" * 501)
    assert _labels() == ["W-RES from 2017-07-01"]

    out = _run(
        "load", str(late), "--user", "supervisor", "--retroactive", "--reason", "Council Resolution 2026-41"
    )

    assert out == f"Loaded W-RES from 2026-07-01 (civicbill-yaml, {late.name}).\n"
    assert _labels() == ["W-RES from 2017-07-01", "W-RES from 2026-07-01"]
    event = AuditEvent.objects.filter(action="rate_version.load").latest("id")
    assert event.actor_id == supervisor.id
    assert event.summary == (
        f"W-RES from 2026-07-01 loaded from {late.name} (civicbill-yaml), "
        "retroactive: Council Resolution 2026-41"
    )
    assert event.changes == {
        "effective_from": "2026-07-01",
        "source_format": "civicbill-yaml",
        "source_name": late.name,
        "retroactive": True,
        "reason": "Council Resolution 2026-41",
        "loaded_on": "2026-12-01",  # the frozen clock's business day
    }


def test_a_csr_cannot_load_retroactively(supervisor, csr, tmp_path):
    _run("load", str(COACHELLA / "W-RES.yaml"), "--user", "supervisor")
    with pytest.raises(CommandError, match=r"csr may not load rate schedules"):
        _run("load", str(_file(tmp_path, "2026-07-01")), "--user", "csr", "--retroactive", "--reason", "r")
    assert _labels() == ["W-RES from 2017-07-01"]


def test_import_owrs_follows_the_same_rule(supervisor, frozen):
    owrs = str(OWRS_DIR / "coachella-2017-07-01.owrs")
    _run("import-owrs", owrs, "--code", "W-OWRS", "--user", "supervisor")

    with pytest.raises(CommandError, match=r"W-OWRS: this version takes effect 2026-01-01, before today"):
        _run(
            "import-owrs", owrs, "--code", "W-OWRS", "--effective-from", "2026-01-01", "--user", "supervisor"
        )
    _run(
        *("import-owrs", owrs, "--code", "W-OWRS", "--effective-from", "2026-01-01"),
        *("--user", "supervisor", "--retroactive", "--reason", "Late adoption"),
    )

    assert _labels() == ["W-OWRS from 2017-07-01", "W-OWRS from 2026-01-01"]
