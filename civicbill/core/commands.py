"""The base of every civicbill management command (ADR 0014).

:class:`CivicbillCommand` is Django's ``BaseCommand`` with what each command used to write for itself:

- **the actor**: :func:`add_user_argument` adds ``--user USERNAME`` to a parser or sub-command. An
  interactive staff action (a payment, a void, a refund, an account move, a period close, a GL export)
  requires it; a batch job (a billing run, autopay's draft and return files) may instead run as a
  named system user (:data:`SYSTEM_USERS`: Technicians that cannot sign in). :meth:`CivicbillCommand.actor`
  gives the user; a missing ``--user`` is refused before the command does anything, naming ``--user``,
  and an unknown one is named;
- **dates**: :func:`date_type` / :func:`month_type` read ``YYYY-MM-DD`` / ``YYYY-MM`` options, the error
  naming the option and the text;
- **refusals**: an :class:`ApplicationError` from a service becomes a ``CommandError`` carrying its
  message (one line on standard error, exit 1), here in :meth:`CivicbillCommand.handle`;
- **--json**: :meth:`CivicbillCommand.print_json` (indented, UTF-8 as is);
- **progress**: :meth:`CivicbillCommand.progress` gives a :class:`ProgressBar`, a tqdm bar on standard
  error drawn only when standard error is a terminal and ``--json`` is off.

A command implements :meth:`CivicbillCommand.run`; one with sub-commands (``dest="action"``) may
instead implement ``_<action>`` methods (dashes as underscores), which the default ``run`` calls.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import Any, ClassVar, TextIO

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import TECHNICIAN

# The system users batch commands run as when no --user is given: user name -> (first name, last name).
# They are Technicians with an unusable password (nobody signs in as them).
SYSTEM_USERS: dict[str, tuple[str, str]] = {
    "billing-run": ("Billing", "run (command line)"),  # civicbill bill-run
    "autopay": ("Autopay", "(command line)"),  # civicbill ach draft|cancel|returns|review
    "collections": ("Collections", "run (command line)"),  # civicbill collections run
}
BILLING_RUN_USER = "billing-run"
AUTOPAY_USER = "autopay"
COLLECTIONS_USER = "collections"

USER_MISSING = "Give --user USERNAME: the staff user doing this (for permissions and the audit trail)."
UNKNOWN_USER = "No active user named {name!r}."

_REQUIRED = ""  # the user policy of a parser whose --user is required
_POLICY = "_civicbill_user_policy"  # the option (set by add_user_argument) holding the policy


# -- the actor ------------------------------------------------------------------------------------
def add_user_argument(
    parser: argparse.ArgumentParser, *, system_user: str | None = None, help: str = ""
) -> None:
    """``--user USERNAME`` on ``parser`` (a command's parser or one sub-command's).

    Without ``system_user`` the option is required (an interactive staff action); with it, the command
    runs as that system user (one of :data:`SYSTEM_USERS`) when ``--user`` is not given (a batch job).
    """
    if system_user is not None and system_user not in SYSTEM_USERS:
        raise ValueError(f"{system_user!r} is not one of the system users {sorted(SYSTEM_USERS)}")
    text = help or "the staff user doing this (for permissions and the audit trail)"
    text += " (required)" if system_user is None else f" (default: the system user {system_user})"
    parser.add_argument("--user", metavar="USERNAME", help=text)
    parser.set_defaults(**{_POLICY: _REQUIRED if system_user is None else system_user})


def system_user(username: str) -> User:
    """The named system user (made on first use: a Technician that cannot sign in)."""
    first_name, last_name = SYSTEM_USERS[username]
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "last_name": last_name}
    )
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get_or_create(name=TECHNICIAN)[0])
    return user


def active_user(username: str, *, message: str = UNKNOWN_USER) -> User:
    """The active user of that name, or a CommandError naming it."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(message.format(name=username))
    return user


def user_missing(options: dict[str, Any]) -> bool:
    """Whether a parser declared --user required (:func:`add_user_argument`) and it was not given."""
    return options.get(_POLICY) == _REQUIRED and not (options.get("user") or "").strip()


def command_actor(options: dict[str, Any], *, unknown_user: str = UNKNOWN_USER) -> User:
    """The user named by ``--user``; without it, the parser's system user (or a CommandError)."""
    name = (options.get("user") or "").strip()
    if name:
        return active_user(name, message=unknown_user)
    policy = options.get(_POLICY)
    if policy:
        return system_user(policy)
    raise CommandError(USER_MISSING)


# -- dates ----------------------------------------------------------------------------------------
def _named(option: str | None, text: str) -> str:
    return f"{option} {text!r}" if option else repr(text)


def parse_date(text: str, option: str | None = None, *, example: str | None = None) -> dt.date:
    """``YYYY-MM-DD`` (spaces around allowed). The error names the option (None for a positional
    argument) and the text; ``example`` words it "is not a date like <example>" instead."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        hint = f"like {example}" if example else "(YYYY-MM-DD)"
        raise CommandError(f"{_named(option, text)} is not a date {hint}") from None


def parse_month(text: str, option: str | None = None) -> dt.date:
    """``YYYY-MM`` as the month's first day."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m").date()  # noqa: DTZ007 - a month, not an instant
    except ValueError:
        raise CommandError(f"{_named(option, text)} is not a month (YYYY-MM)") from None


def date_type(option: str | None = None, *, example: str | None = None) -> Callable[[str], dt.date]:
    """An argparse ``type`` reading a date for ``option`` (its refusal is a CommandError, which
    :meth:`CivicbillCommand.run_from_argv` prints as one line like any other)."""

    def read(text: str) -> dt.date:
        return parse_date(text, option, example=example)

    return read


def month_type(option: str | None = None) -> Callable[[str], dt.date]:
    def read(text: str) -> dt.date:
        return parse_month(text, option)

    return read


# -- output ---------------------------------------------------------------------------------------
def json_text(payload: Any, *, indent: int | None = 2) -> str:
    """The --json form of every command: UTF-8 as is, dates and decimals as strings."""
    return json.dumps(payload, ensure_ascii=False, indent=indent, default=str)


def show_progress(options: dict[str, Any], stream: TextIO | None = None) -> bool:
    """A bar is drawn on standard error, so only when that is a terminal, and never with --json."""
    stream = stream if stream is not None else sys.stderr
    return not options.get("json") and stream.isatty()


class ProgressBar:
    """A tqdm bar fed by a batch service's progress callback; does nothing when not ``enabled``.

    - ``bar(done, total)``: absolute counts (billing runs, print files, shipment files);
    - ``bar.stage(name, done, total)``: a new bar for each stage (read imports);
    - ``bar.advance(count)``: ``count`` more of ``total`` (the demo city).
    """

    def __init__(self, *, enabled: bool, desc: str = "", unit: str = "it", total: int | None = None) -> None:
        self.enabled, self.desc, self.unit, self.total = enabled, desc, unit, total
        self._bar: Any = None
        self._stage: str | None = None

    def _open(self, total: int | None) -> Any:
        if self._bar is None:
            self._bar = tqdm(total=total, unit=self.unit, desc=self.desc, file=sys.stderr)
        return self._bar

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        bar = self._open(total)
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    def stage(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self._stage:
            self.close()
            self._stage, self.desc = stage, stage
        self(done, total)

    def advance(self, count: int) -> None:
        if self.enabled:
            self._open(self.total).update(count)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- the base class -------------------------------------------------------------------------------
class CivicbillCommand(BaseCommand):
    """The base of civicbill's commands: see the module's docstring."""

    # the refusal of an unknown --user; {name} is the name given
    unknown_user_message: ClassVar[str] = UNKNOWN_USER

    def handle(self, *args: Any, **options: Any) -> None:
        if user_missing(options):
            raise CommandError(USER_MISSING)
        try:
            self.run(options)
        except ApplicationError as error:
            raise CommandError(error.message) from error

    def run(self, options: dict[str, Any]) -> None:
        """The command's work. By default, ``_<action>`` for the sub-command chosen (``dest="action"``)."""
        action = options.get("action")
        if not action:
            raise NotImplementedError(f"{type(self).__name__} implements run() or sub-commands")
        getattr(self, "_" + action.replace("-", "_"))(options)

    def run_from_argv(self, argv: list[str]) -> None:
        # Django prints a CommandError from execute() as one line; one from an option's type (a bad
        # date) is raised while parsing, before that, and would end in a traceback.
        try:
            super().run_from_argv(argv)
        except CommandError as error:
            if "--traceback" in argv:
                raise
            self.stderr.write(f"{type(error).__name__}: {error}")
            sys.exit(error.returncode)

    # -- helpers ----------------------------------------------------------------------------------
    def actor(self, options: dict[str, Any]) -> User:
        """``--user``, else the parser's system user; see :func:`add_user_argument`."""
        return command_actor(options, unknown_user=self.unknown_user_message)

    def user_named(self, username: str) -> User:
        """An active user named in another option (a token's owner, a work order's assignee)."""
        return active_user(username.strip(), message=self.unknown_user_message)

    def print_json(self, payload: Any, *, indent: int | None = 2) -> None:
        self.stdout.write(json_text(payload, indent=indent))

    def emit(self, options: dict[str, Any], payload: Any, text: str) -> None:
        """``payload`` as JSON with --json, else ``text``."""
        if options.get("json"):
            self.print_json(payload)
        else:
            self.stdout.write(text)

    def progress(
        self, options: dict[str, Any], *, desc: str = "", unit: str = "it", total: int | None = None
    ) -> ProgressBar:
        return ProgressBar(enabled=show_progress(options), desc=desc, unit=unit, total=total)
