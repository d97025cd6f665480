"""The base of every management command (civicbill.core.commands, ADR 0014)."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import pkgutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError, CommandParser

from civicbill.core.commands import (
    CivicbillCommand,
    ProgressBar,
    add_user_argument,
    date_type,
    month_type,
    parse_date,
)
from civicbill.core.exceptions import ApplicationError, NotFoundError


class Sample(CivicbillCommand):
    """A command with a staff action (``close``, --user required), a batch job (``nightly``, the
    system user billing-run by default) and a report (``show``: dates, --json, a progress bar)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen: dict[str, Any] = {}

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        close = sub.add_parser("close")
        close.add_argument("month", type=month_type())
        add_user_argument(close, help="the supervisor closing")
        nightly = sub.add_parser("nightly")
        add_user_argument(nightly, system_user="billing-run")
        show = sub.add_parser("show")
        show.add_argument("--date", type=date_type("--date"))
        show.add_argument("--refuse", action="store_true")
        show.add_argument("--json", action="store_true")

    def _close(self, options: dict[str, Any]) -> None:
        self.seen["actor"] = self.actor(options)
        self.stdout.write(f"closed {options['month']:%Y-%m} by {self.seen['actor'].username}")

    def _nightly(self, options: dict[str, Any]) -> None:
        self.seen["actor"] = self.actor(options)

    def _show(self, options: dict[str, Any]) -> None:
        if options["refuse"]:
            raise NotFoundError("There is no such thing", field="thing")
        with self.progress(options, desc="showing", unit="rows") as bar:
            for done in range(1, 4):
                bar(done, 3)
        self.emit(
            options,
            {"date": options["date"], "amount": Decimal("1234.50"), "name": "Peña"},
            f"on {options['date']}",
        )


def run(*args: str) -> tuple[Sample, str]:
    command, out = Sample(), io.StringIO()
    call_command(command, *args, stdout=out)
    return command, out.getvalue()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


# -- dates ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "--date", "2026-02-30"], "--date '2026-02-30' is not a date (YYYY-MM-DD)"),
        (["show", "--date", "1 Dec"], "--date '1 Dec' is not a date (YYYY-MM-DD)"),
        (["close", "2026-13", "--user", "x"], "'2026-13' is not a month (YYYY-MM)"),
    ],
)
def test_a_bad_date_is_refused_naming_the_option_and_the_text(args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as refused:
        run(*args)
    assert str(refused.value) == message


def test_dates_are_read_with_spaces_around_and_an_example_may_word_the_refusal() -> None:
    assert parse_date(" 2026-12-01 ", "--date") == dt.date(2026, 12, 1)
    with pytest.raises(CommandError, match=r"^--date '25/11/2026' is not a date like 2026-12-01$"):
        parse_date("25/11/2026", "--date", example="2026-12-01")


def test_a_bad_date_on_the_command_line_is_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # an option's type raises while parsing, before Django's execute() would print the error
    with pytest.raises(SystemExit) as exited:
        Sample().run_from_argv(["civicbill", "sample", "show", "--date", "someday"])
    assert exited.value.code == 1
    assert capsys.readouterr().err == "CommandError: --date 'someday' is not a date (YYYY-MM-DD)\n"


# -- refusals -------------------------------------------------------------------------------------
def test_an_application_error_becomes_a_command_error_with_its_message() -> None:
    with pytest.raises(CommandError) as refused:
        run("show", "--refuse")
    assert str(refused.value) == "There is no such thing"
    assert refused.value.returncode == 1
    assert isinstance(refused.value.__cause__, ApplicationError)


# -- --json ---------------------------------------------------------------------------------------
def test_json_output_is_indented_utf8_with_dates_and_decimals_as_text() -> None:
    _, text = run("show", "--date", "2026-12-01", "--json")
    assert text == ('{\n  "date": "2026-12-01",\n  "amount": "1234.50",\n  "name": "Peña"\n}\n')
    _, text = run("show", "--date", "2026-12-01")
    assert text == "on 2026-12-01\n"


# -- progress bars --------------------------------------------------------------------------------
def test_no_progress_bar_when_standard_error_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    run("show")
    assert piped.getvalue() == ""


def test_a_progress_bar_on_a_terminal_but_not_with_json(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    run("show")
    assert "showing" in terminal.getvalue() and "3/3" in terminal.getvalue()
    terminal.truncate(0)
    terminal.seek(0)
    run("show", "--json")
    assert terminal.getvalue() == ""


def test_a_progress_bar_per_stage_and_by_increments(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with ProgressBar(enabled=True, unit="rows") as bar:
        bar.stage("reading", 5, 5)
        bar.stage("storing", 2, 4)
    with ProgressBar(enabled=True, desc="city", unit="accounts", total=10) as bar:
        bar.advance(4)
        bar.advance(6)
    shown = terminal.getvalue()
    assert "reading" in shown and "storing" in shown and "2/4" in shown and "10/10" in shown


# -- --user ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_an_interactive_command_without_user_is_refused_naming_user_before_it_does_anything() -> None:
    command = Sample()
    with pytest.raises(CommandError) as refused:
        call_command(command, "close", "2026-09", stdout=io.StringIO())
    assert str(refused.value) == (
        "Give --user USERNAME: the staff user doing this (for permissions and the audit trail)."
    )
    assert command.seen == {}
    with pytest.raises(CommandError, match=r"^Give --user USERNAME"):
        run("close", "2026-09", "--user", "  ")


@pytest.mark.django_db
def test_an_unknown_or_inactive_user_is_named(supervisor: User) -> None:
    with pytest.raises(CommandError) as refused:
        run("close", "2026-09", "--user", "ghost")
    assert str(refused.value) == "No active user named 'ghost'."
    supervisor.is_active = False
    supervisor.save()
    with pytest.raises(CommandError, match=r"^No active user named 'supervisor'\.$"):
        run("nightly", "--user", "supervisor")


@pytest.mark.django_db
def test_the_named_user_acts(supervisor: User) -> None:
    command, text = run("close", "2026-09", "--user", " supervisor ")
    assert command.seen["actor"] == supervisor
    assert text == "closed 2026-09 by supervisor\n"


@pytest.mark.django_db
def test_a_batch_command_runs_as_its_system_user_unless_user_is_given(technician: User) -> None:
    command, _ = run("nightly")
    system = command.seen["actor"]
    assert system.username == "billing-run"
    assert not system.has_usable_password()
    assert list(system.groups.values_list("name", flat=True)) == ["Technician"]
    again, _ = run("nightly")
    assert again.seen["actor"] == system and User.objects.filter(username="billing-run").count() == 1
    named, _ = run("nightly", "--user", "technician")
    assert named.seen["actor"] == technician


def test_the_help_says_which_user_is_required_and_which_defaults() -> None:
    parser = Sample().create_parser("civicbill", "sample")
    sub = next(action for action in parser._actions if action.dest == "action")
    close_help = sub.choices["close"].format_help()  # type: ignore[attr-defined]
    nightly_help = sub.choices["nightly"].format_help()  # type: ignore[attr-defined]
    assert "the supervisor closing (required)" in close_help
    assert "(default: the system user billing-run)" in nightly_help


def test_only_a_documented_system_user_may_be_a_default() -> None:
    with pytest.raises(ValueError, match="not one of the system users"):
        add_user_argument(CommandParser(), system_user="robot")


# -- every command ----------------------------------------------------------------------------------
def test_every_civicbill_command_uses_the_base_class() -> None:
    ours = {name: app for name, app in get_commands().items() if app.startswith("civicbill")}
    assert len(ours) >= 20
    for name, app in ours.items():
        module = importlib.import_module(f"{app}.management.commands.{name}")
        assert issubclass(module.Command, CivicbillCommand), name
    # and no command module is left out of Django's list
    import civicbill

    found = {
        module.name.rsplit(".", 1)[-1]
        for module in pkgutil.walk_packages(civicbill.__path__, "civicbill.")
        if ".management.commands." in module.name
    }
    assert found == set(ours)


def test_the_cli_docs_list_every_command() -> None:
    text = (Path(__file__).parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    for name, app in get_commands().items():
        if app.startswith("civicbill"):
            assert f"civicbill {name.replace('_', '-')}" in text, name
