"""``civicbill collections run [--date D] [--trial] [--json] [--user U]``: the daily collections run.

Runs every step (collections.steps.STEPS) for the accounts owing on the date and lists every action
with the account number and the rule. Without ``--user`` it runs as the system user "collections".
"""

from __future__ import annotations

import argparse
from typing import Any

from civicbill.collections.run_selectors import action_row, run_actions, run_row
from civicbill.collections.services.run import collections_run
from civicbill.core import clock
from civicbill.core.commands import COLLECTIONS_USER, add_user_argument, date_type
from civicbill.core.money import format_cents


def add_parsers(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="the daily collections run: penalties, notices, shutoff list")
    run.add_argument(
        "--date", type=date_type("--date"), help="the business date it acts for (default: today)"
    )
    run.add_argument("--trial", action="store_true", help="list what it would do; post nothing")
    run.add_argument("--json", action="store_true", help="print the run and its actions as JSON")
    add_user_argument(run, system_user=COLLECTIONS_USER)


def _run(command: Any, options: dict[str, Any]) -> None:
    actor = command.actor(options)
    run_date = options["date"] or clock.today()
    with command.progress(options, desc="Collections run", unit="accounts") as bar:
        run = collections_run(
            run_date=run_date, trial=options["trial"], actor=actor, at=clock.now(), progress=bar
        )
    actions = [action_row(action) for action in run_actions(run)]
    kind = "Trial" if run.trial else "Run"
    lines = [
        f"{kind} {run.pk} of {run.run_date:%Y-%m-%d}: {run.accounts_examined} accounts owing, "
        f"{len(actions)} actions" + (" (nothing posted)" if run.trial else ""),
        *([f"  the office is closed ({run.closed_because}): nothing done"] if run.closed_because else []),
        *(f"  {step}: {count}" for step, count in run.counts.items()),
        *(_line(row) for row in actions),
    ]
    command.emit(options, {**run_row(run), "actions": actions}, "\n".join(lines))


def _line(row: dict[str, Any]) -> str:
    amount = "" if row["amount_cents"] is None else format_cents(row["amount_cents"])
    return f"{row['account']}  {row['step']:<16} {amount:>12}  {row['rule']}"


HANDLERS = {"run": _run}
